"""The examples of the how-to pages on encryption, evolution and other languages, run.

- docs/examples/encryption: `team_temporal.py` seals and opens payloads with the
  converter the page gives both teams (tests/e2e/test_encryption.py runs the same
  file against a dev server, through `encryption_codec`).
- docs/examples/evolution: `nexus-contract breaking` and `buf breaking` (with the
  page's buf.yaml) on the v1 contract and its safe and breaking changes, with the
  outcome the page states; the CI workflow's steps run in a git repository made here.
- docs/examples/other-languages: each team's buf.gen.yaml generates with buf,
  offline, and the output compiles: `go build` and `go vet`, `tsc --strict`, `javac`.
  Without a toolchain that test skips, or fails with NEXUSPROTO_REQUIRE_INTEROP=1.
  The caches the interop and generation tests fill are reused (build/go/bin,
  plugin/ts/node_modules, build/java/m2).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
import types
from pathlib import Path

import nexusproto.converter
import pytest
import yaml
from cryptography.exceptions import InvalidTag
from payments.v1 import payments_pb2
from support.protoc import BIN, REPO
from support.toolchains import go_tool, missing_toolchain, require_go
from temporalio.api.common.v1 import Payload

EXAMPLES = REPO / "docs" / "examples"
IMAGE = REPO / "build" / "image.binpb"
CONTRACT_FILES = [
    "payments/v1/payments.proto",
    "orders/v1/orders.proto",
    "orders/v1/carts.proto",
]
STEP_TIMEOUT = 600


def run(
    args: list[str],
    cwd: Path,
    *,
    path: list[Path] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`args` in `cwd` with `path` and the virtualenv's tools first on PATH."""
    path, env = path or [], env or {}
    search = os.pathsep.join([*map(str, path), str(BIN), os.environ.get("PATH", "")])
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **env, "PATH": search},
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))}: exit {result.returncode}\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return result.stdout


# --- encryption ------------------------------------------------------------------------

ENCRYPTION = EXAMPLES / "encryption" / "team_temporal.py"
KEY = hashlib.sha256(b"docs example key: not a secret").digest()


def load_team_temporal(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    monkeypatch.setenv("PAYLOAD_KEY_ID", "docs-key")
    monkeypatch.setenv("PAYLOAD_KEY_HEX", KEY.hex())
    module = types.ModuleType("team_temporal")
    module.__file__ = str(ENCRYPTION)
    exec(compile(ENCRYPTION.read_text(), str(ENCRYPTION), "exec"), module.__dict__)  # noqa: S102
    return module


def test_team_temporal_seals_payloads_and_opens_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = load_team_temporal(monkeypatch)
    converter = team.data_converter
    request = payments_pb2.ProcessPaymentRequest(order_id="o-secret")

    async def scenario() -> None:
        [sealed] = await converter.encode([request])
        assert dict(sealed.metadata) == {
            "encoding": b"binary/encrypted",
            "encryption-key-id": b"docs-key",
        }
        assert b"o-secret" not in sealed.data
        [opened] = await converter.decode(
            [sealed], [payments_pb2.ProcessPaymentRequest]
        )
        assert opened == request
        # What was written before encryption began still reads.
        [plain] = converter.payload_converter.to_payloads([request])
        [read] = await converter.decode([plain], [payments_pb2.ProcessPaymentRequest])
        assert read == request
        tampered = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + b"\0")
        with pytest.raises(InvalidTag):
            await converter.payload_codec.decode([tampered])
        other_key = Payload(
            metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"old"},
            data=sealed.data,
        )
        with pytest.raises(ValueError, match="unknown key 'old'"):
            await converter.payload_codec.decode([other_key])

        # Opened first, then held to the contract's type by nexusproto's converter.
        with pytest.raises(nexusproto.converter.PayloadTypeError):
            await converter.decode([sealed], [payments_pb2.RefundPaymentRequest])

    asyncio.run(scenario())


# --- evolution -------------------------------------------------------------------------

EVOLUTION = EXAMPLES / "evolution"


def breaking(change: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        [
            str(BIN / "nexus-contract"),
            "breaking",
            str(EVOLUTION / change),
            "--against",
            str(EVOLUTION / "v1"),
            *extra,
        ],
        REPO,
    )


def test_safe_changes_break_nothing() -> None:
    result = breaking("v2-safe", "--warnings-as-errors")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_breaking_changes_are_reported() -> None:
    result = breaking("v2-breaking")
    assert result.returncode == 100, result.stdout + result.stderr  # noqa: PLR2004
    lines = result.stdout.splitlines()
    [deleted] = [line for line in lines if "NEXUS_OPERATION_NO_DELETE" in line]
    # A deletion points at where the operation was, in the older contract.
    assert deleted.split(":")[0].endswith("evolution/v1/stock/v1/stock.proto"), deleted
    assert "operation 'Quote' of service 'stock' is gone" in deleted
    [rule] = [line for line in lines if "NEXUS_VALIDATION_NO_NEW_RULES" in line]
    assert ": warning: " in rule and "stock.v1.ReserveRequest.count" in rule
    quiet = breaking("v2-breaking", "--no-warn-validation", "--error-format", "json")
    assert quiet.returncode == 100  # noqa: PLR2004
    assert "NEXUS_VALIDATION_NO_NEW_RULES" not in quiet.stdout
    assert "NEXUS_OPERATION_NO_DELETE" in quiet.stdout


def test_buf_breaking_at_wire_json(tmp_path: Path) -> None:
    images = {}
    for version in ("v1", "v2-safe", "v2-breaking"):
        images[version] = tmp_path / f"{version}.binpb"
        ok(
            run(
                [
                    str(BIN / "nexus-contract"),
                    "build",
                    str(EVOLUTION / version),
                    "-o",
                    str(images[version]),
                ],
                tmp_path,
            )
        )

    def buf_breaking(version: str) -> subprocess.CompletedProcess[str]:
        return run(
            [
                str(BIN / "buf"),
                "breaking",
                str(images[version]),
                "--against",
                str(images["v1"]),
                "--config",
                str(EVOLUTION / "buf.yaml"),
            ],
            tmp_path,
        )

    ok(buf_breaking("v2-safe"))
    broken = buf_breaking("v2-breaking")
    assert broken.returncode != 0
    assert 'changed option "json_name" from "quantity" to "count"' in broken.stdout
    # buf does not see Nexus operations: the deleted Quote is nexus-contract's finding.
    assert "Quote" not in broken.stdout


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "docs",
        "GIT_AUTHOR_EMAIL": "docs@example.com",
        "GIT_COMMITTER_NAME": "docs",
        "GIT_COMMITTER_EMAIL": "docs@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return ok(run(["git", *args], repo, env=env))


def workflow_steps(base_ref: str) -> dict[str, str]:
    """The `run` steps of the page's CI workflow, as GitHub Actions would expand them."""
    workflow = yaml.safe_load((EVOLUTION / "contract-check.yml").read_text())
    steps = workflow["jobs"]["contract"]["steps"]
    return {
        step["name"]: step["run"].replace("${{ github.base_ref }}", base_ref)
        for step in steps
        if "run" in step
    }


@pytest.mark.parametrize(
    ("change", "failing"),
    [("v2-safe", set()), ("v2-breaking", {"buf breaking", "nexus-contract breaking"})],
)
def test_the_ci_workflow_checks_a_pull_request(
    tmp_path: Path, change: str, failing: set[str]
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin, clone = tmp_path / "origin", tmp_path / "clone"
    shutil.copytree(EVOLUTION / "v1", origin / "proto")
    shutil.copy(EVOLUTION / "buf.yaml", origin / "buf.yaml")
    git(origin, "init", "--quiet", "--initial-branch=main")
    git(origin, "add", "proto", "buf.yaml")
    git(origin, "commit", "--quiet", "-m", "v1")
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    shutil.rmtree(clone / "proto")
    shutil.copytree(EVOLUTION / change, clone / "proto")
    git(clone, "checkout", "--quiet", "-b", "change")
    git(clone, "add", "-A", "proto")
    git(clone, "commit", "--quiet", "-m", change)

    steps = workflow_steps("main")
    assert steps.pop("install").startswith("pip install")  # the virtualenv has them
    assert set(steps) == {"buf breaking", "nexus-contract breaking"}
    failed = set()
    for name, script in steps.items():
        result = run(["bash", "-eo", "pipefail", "-c", script], clone)
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode != 0:
            failed.add(name)
            # github-actions format: annotations on the pull request's lines.
            assert "::error file=" in result.stdout, result.stdout + result.stderr
    assert failed == failing


# --- other languages -------------------------------------------------------------------

OTHER = EXAMPLES / "other-languages"


def generate(language: str, cwd: Path, path: list[Path]) -> None:
    """The team's buf.gen.yaml, run by buf in `cwd`, which holds the contracts' image
    where the template reads it (build/image.binpb, as `make generate` writes it)."""
    assert IMAGE.is_file(), "build/image.binpb is missing: run `make generate`"
    (cwd / "build").mkdir(parents=True)
    shutil.copy(IMAGE, cwd / "build" / "image.binpb")
    template = OTHER / language / "buf.gen.yaml"
    ok(run([str(BIN / "buf"), "generate", "--template", str(template)], cwd, path=path))


def go_requirements() -> str:
    """The modules the generated Go code imports, at the versions the interop tests pin."""
    pinned = (REPO / "tests" / "interop" / "go" / "go.mod").read_text()
    wanted = [
        "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go",
        "github.com/nexus-rpc/nexus-proto-annotations",
        "github.com/nexus-rpc/sdk-go",
        "go.temporal.io/api",
        "go.temporal.io/sdk",
        "google.golang.org/protobuf",
    ]
    lines = []
    for module in wanted:
        found = re.search(rf"^\s*{re.escape(module)} (\S+)", pinned, re.MULTILINE)
        assert found, f"{module} is not in tests/interop/go/go.mod"
        lines.append(f"\t{module} {found[1]}")
    return "\n".join(lines)


def test_go_team_generates_and_builds(tmp_path: Path) -> None:
    go = require_go()
    protoc_gen_go = go_tool(
        "protoc-gen-go", "google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12"
    )
    generate("go", tmp_path, [protoc_gen_go.parent])
    out = tmp_path / "gen" / "go"
    for name in ("payments.pb.go", "payments_nexus.pb.go"):
        assert (out / "payments" / "v1" / name).is_file(), name
    assert (out / "orders" / "v1" / "carts_nexus.pb.go").is_file()
    (out / "go.mod").write_text(
        "module example.com/shop/gen/go\n\ngo 1.26.0\n\n"
        f"require (\n{go_requirements()}\n\tnexusproto.dev/go v0.0.0\n)\n\n"
        f"replace nexusproto.dev/go => {REPO / 'plugin' / 'go'}\n"
    )
    shutil.copy(REPO / "tests" / "interop" / "go" / "go.sum", out / "go.sum")
    ok(run([go, "mod", "tidy"], out))
    ok(run([go, "build", "./..."], out))
    ok(run([go, "vet", "./..."], out))


TS_RUNTIME = REPO / "plugin" / "ts"
# The stamp tests/generation/test_ts_output.py and tests/interop/test_ts.py write.
TS_STAMP = TS_RUNTIME / "node_modules" / ".nexusproto-inputs-sha256"


def ts_runtime() -> tuple[str, Path]:
    """node and the runtime package, installed (npm ci, once per lock file) and built."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing_toolchain("Node.js >= 20.3 with npm is not installed")
    assert node is not None and npm is not None
    lock_file = TS_RUNTIME / "package-lock.json"
    lock = hashlib.sha256(
        lock_file.relative_to(REPO).as_posix().encode() + lock_file.read_bytes()
    ).hexdigest()
    if not (TS_STAMP.is_file() and TS_STAMP.read_text() == lock):
        ok(
            run(
                [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"],
                TS_RUNTIME,
            )
        )
        TS_STAMP.write_text(lock)
    tsc = TS_RUNTIME / "node_modules" / "typescript" / "bin" / "tsc"
    ok(run([node, str(tsc), "-b", "."], TS_RUNTIME))
    return node, tsc


def test_typescript_team_generates_and_type_checks(tmp_path: Path) -> None:
    node, tsc = ts_runtime()
    generate("ts", tmp_path, [TS_RUNTIME / "node_modules" / ".bin"])
    out = tmp_path / "src" / "gen" / "payments" / "v1"
    for name in ("payments_pb.ts", "payments_nexus.ts", "payments_nexus_handler.ts"):
        assert (out / name).is_file(), name
    modules = tmp_path / "node_modules"
    modules.mkdir()
    for entry in (TS_RUNTIME / "node_modules").iterdir():
        if not entry.name.startswith("."):
            (modules / entry.name).symlink_to(entry)
    (modules / "@nexusproto").mkdir()
    (modules / "@nexusproto" / "runtime").symlink_to(TS_RUNTIME)
    options = {
        "target": "ES2022",
        "module": "node16",
        "moduleResolution": "node16",
        "lib": ["ES2022"],
        "types": ["node"],
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "exactOptionalPropertyTypes": True,
        "skipLibCheck": True,
        "noEmit": True,
    }
    config = {"compilerOptions": options, "include": ["src/**/*.ts"]}
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    ok(run([node, str(tsc), "-p", "tsconfig.json"], tmp_path))


JAVA_RUNTIME = REPO / "plugin" / "java"
JAVA_BUILD = REPO / "build" / "java"


def java_classpath(mvn: str) -> str:
    """The runtime's dependencies from build/java/m2, as test_java_output.py resolves
    them (offline once the marker says they were resolved for this pom)."""
    pom = JAVA_RUNTIME / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    repository = JAVA_BUILD / "m2"
    marker = repository / ".resolved-runtime"
    out = JAVA_BUILD / "runtime-classpath.txt"
    offline = ["-o"] if marker.exists() and marker.read_text() == digest else []
    if not offline or not out.exists():
        repository.mkdir(parents=True, exist_ok=True)
        ok(
            run(
                [mvn, "-B", "-q", *offline, "-f", str(pom),
                 f"-Dmaven.repo.local={repository}", "dependency:build-classpath",
                 f"-Dmdep.outputFile={out}"],
                REPO,
            )
        )  # fmt: skip
        marker.write_text(digest)
    return out.read_text().strip()


def test_java_team_generates_and_compiles(tmp_path: Path) -> None:
    javac, mvn = shutil.which("javac"), shutil.which("mvn")
    if javac is None or mvn is None:
        missing_toolchain("the Java toolchain (`javac` and `mvn`) is not installed")
    assert javac is not None and mvn is not None
    classpath = java_classpath(mvn)
    generate("java", tmp_path, [])
    out = tmp_path / "gen" / "java"
    nexus = sorted(out.rglob("*Nexus.java"))
    assert [path.name for path in nexus] == [
        "CartServiceNexus.java",
        "OrderServiceNexus.java",
        "PaymentServiceNexus.java",
    ]
    runtime = sorted((JAVA_RUNTIME / "src" / "main" / "java").rglob("*.java"))
    ok(
        run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-d", str(tmp_path / "classes"),
             "-cp", classpath, *map(str, sorted(out.rglob("*.java"))), *map(str, runtime)],
            tmp_path,
        )
    )  # fmt: skip
    assert (
        tmp_path / "classes" / "payments" / "v1" / "PaymentServiceNexus.class"
    ).is_file()
