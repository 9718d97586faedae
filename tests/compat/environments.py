"""The supported version range, proved one virtualenv at a time (`make compat`).

Each `Combination` is a protobuf runtime, a temporalio release and the
grpcio-tools whose protoc matches that protobuf. For each, `check` creates a
virtualenv under build/compat from the wheels `make dist` builds (nothing from
the source tree), copies the example contracts to a directory outside the
repository, and there:

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

The dev server is the `temporal` binary of the repository's virtualenv; buf
too. Both are tools a user has beside the packages, not part of them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".venv" / "bin"
GOLDEN = REPO / "tests" / "golden" / "examples"
CONTRACTS = ["payments/v1/payments.proto", "orders/v1/orders.proto", "orders/v1/carts.proto"]
PYTEST = "pytest==9.2.0"


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
    protoc: str = ""
    steps: dict[str, float] = field(default_factory=dict)
    """Each step that passed, with its seconds."""
    failure: str = ""

    @property
    def passed(self) -> bool:
        return not self.failure


class StepFailed(Exception):
    pass


def build_wheels(out: Path) -> list[Path]:
    """Wheels of both distributions, each built from its sdist (`python -m build`)."""
    shutil.rmtree(out, ignore_errors=True)
    for distribution in ("plugin", "python"):
        _run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO / distribution)])
    return sorted(out.glob("*.whl"))


def check(combination: Combination, wheels: list[Path], root: Path) -> Result:
    """Every step in a fresh virtualenv under `root`; the first failure stops it."""
    result = Result(combination)
    env = root / combination.name
    work = root / f"{combination.name}-work"
    for path in (env, work):
        shutil.rmtree(path, ignore_errors=True)
    try:
        _timed(result, "install", lambda: _install(combination, env, wheels, result))
        out = work / "gen"
        _timed(result, "generate (protoc, buf)", lambda: _generate(env, work, out, result))
        _timed(result, "generated = golden", lambda: _compare_with_golden(out, work / "buf-gen"))
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


def _run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: float = 600) -> str:
    completed = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        shown = " ".join(str(arg) for arg in args[:6])
        raise StepFailed(
            f"`{shown} ...` exited {completed.returncode}:\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def _install(combination: Combination, env: Path, wheels: list[Path], result: Result) -> None:
    _run([sys.executable, "-m", "venv", str(env)])
    python = str(env / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    _run(
        [
            python, "-m", "pip", "install", "--quiet",
            *map(str, wheels),
            f"protobuf=={combination.protobuf}",
            f"temporalio=={combination.temporalio}",
            f"grpcio-tools=={combination.grpcio_tools}",
            PYTEST,
        ]
    )  # fmt: skip
    listed = _run([python, "-m", "pip", "list", "--format=freeze"])
    versions = dict(line.split("==", 1) for line in listed.splitlines() if "==" in line)
    for name in ("protobuf", "temporalio", "nexus-rpc", "protovalidate", "grpcio-tools"):
        result.installed[name] = versions.get(name, "?")
    result.protoc = _run([python, "-m", "grpc_tools.protoc", "--version"]).strip()


def _environment(env: Path, work: Path, *paths: Path) -> dict[str, str]:
    """The variables a user's shell would have: the env's bin first, then the
    tools (`temporal`, `buf`) on PATH, and `paths` as PYTHONPATH."""
    tools = work / "tools"
    tools.mkdir(parents=True, exist_ok=True)
    for tool in ("temporal", "buf"):
        link = tools / tool
        if not link.exists():
            link.symlink_to(TOOLS / tool)
    variables = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL"))
    }
    variables["PATH"] = os.pathsep.join([str(env / "bin"), str(tools), "/usr/bin", "/bin"])
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
    _run([python, "-m", "nexusproto.validate_descriptors", str(validate)], env=variables)
    protoc = [python, "-m", "grpc_tools.protoc", f"--descriptor_set_in={validate}"]
    sources = [f"-I{contracts}", f"-I{include}"]
    _run(
        [*protoc, *sources, f"--python_out={out}", f"--nexus-python_out={out}", *CONTRACTS],
        cwd=work,
        env=variables,
    )
    _run([*protoc, f"--python_out={out}", "buf/validate/validate.proto"], cwd=work, env=variables)
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
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text() for p in GOLDEN.rglob("*.py")}
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
            raise StepFailed(f"{tree.name}: differs from tests/golden/examples in {differing}")


def _tools(env: Path, work: Path, out: Path) -> None:
    """The other tools the wheels install, on this environment's protobuf and SDK: the
    catalogue buf wrote is the committed one, `nexus-contract` compiles a directory
    with this environment's protoc (grpcio-tools) and finds nothing between a contract
    and itself, and `nexusproto describe` reads the generated modules."""
    catalogue = REPO / "proto" / "catalogue"
    expected = {p.relative_to(catalogue).as_posix(): p.read_text() for p in catalogue.rglob("*.md")}
    written = work / "buf-docs"
    produced = {p.relative_to(written).as_posix(): p.read_text() for p in written.rglob("*.md")}
    if produced != expected:
        raise StepFailed("buf-docs: differs from proto/catalogue")
    variables = _environment(env, work)
    checked = _run(
        ["nexus-contract", "breaking", "contracts", "--against", "image.binpb"],
        cwd=work,
        env=variables,
    )
    if checked:
        raise StepFailed(f"nexus-contract found changes in an unchanged contract:\n{checked}")
    described = _run(
        ["nexusproto", "describe", "--contracts", str(out), "--format", "json"],
        cwd=work,
        env=variables,
    )
    for service in ("payments.v1.PaymentService", "orders", "carts"):
        if f'"{service}"' not in described:
            raise StepFailed(f"nexusproto describe did not show {service}:\n{described[:2000]}")


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
    printed = _run([str(env / "bin" / "python"), "-m", "orders_payments"], cwd=work, env=variables)
    for expected in ("payment settled", "refund completed", "[app] cart "):
        if expected not in printed:
            raise StepFailed(f"the demo did not print {expected!r}:\n{printed}")


def table(results: list[Result]) -> str:
    """The matrix as a Markdown table, for the README."""
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
