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
from support.protoc import (
    BIN,
    REPO,
    nexus_contract,
    run_tool,
    succeeded,
    tool_environment,
)
from support.toolchains import (
    JAVA_RUNTIME,
    TS_RUNTIME,
    go_tool,
    java_runtime_classpath,
    require_go,
    require_java,
    ts_project,
    ts_runtime,
)
from temporalio.api.common.v1 import Payload

EXAMPLES = REPO / "docs" / "examples"
IMAGE = REPO / "build" / "image.binpb"
CONTRACT_FILES = [
    "payments/v1/payments.proto",
    "orders/v1/orders.proto",
    "orders/v1/carts.proto",
]
STEP_TIMEOUT = 600


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
    return nexus_contract(
        "breaking",
        str(EVOLUTION / change),
        "--against",
        str(EVOLUTION / "v1"),
        *extra,
        cwd=REPO,
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
        succeeded(
            nexus_contract(
                "build", str(EVOLUTION / version), "-o", str(images[version])
            )
        )

    def buf_breaking(version: str) -> subprocess.CompletedProcess[str]:
        return run_tool(
            [
                BIN / "buf",
                "breaking",
                str(images[version]),
                "--against",
                str(images["v1"]),
                "--config",
                str(EVOLUTION / "buf.yaml"),
            ],
            tmp_path,
        )

    succeeded(buf_breaking("v2-safe"))
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
    return succeeded(run_tool(["git", *args], repo, env=tool_environment(**env)))


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
        result = run_tool(["bash", "-eo", "pipefail", "-c", script], clone)
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
    succeeded(
        run_tool(
            [BIN / "buf", "generate", "--template", template],
            cwd,
            env=tool_environment(path=path),
            timeout=STEP_TIMEOUT,
        )
    )


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
    succeeded(run_tool([go, "mod", "tidy"], out, timeout=STEP_TIMEOUT))
    succeeded(run_tool([go, "build", "./..."], out, timeout=STEP_TIMEOUT))
    succeeded(run_tool([go, "vet", "./..."], out, timeout=STEP_TIMEOUT))


def test_typescript_team_generates_and_type_checks(tmp_path: Path) -> None:
    node, tsc = ts_runtime()
    generate("ts", tmp_path, [TS_RUNTIME / "node_modules" / ".bin"])
    out = tmp_path / "src" / "gen" / "payments" / "v1"
    for name in ("payments_pb.ts", "payments_nexus.ts", "payments_nexus_handler.ts"):
        assert (out / name).is_file(), name
    ts_project(tmp_path, ["src/**/*.ts"], unused_checks=False)
    succeeded(
        run_tool([node, tsc, "-p", "tsconfig.json"], tmp_path, timeout=STEP_TIMEOUT)
    )


def test_java_team_generates_and_compiles(tmp_path: Path) -> None:
    javac, mvn = require_java()
    classpath = java_runtime_classpath(mvn)
    generate("java", tmp_path, [])
    out = tmp_path / "gen" / "java"
    nexus = sorted(out.rglob("*Nexus.java"))
    assert [path.name for path in nexus] == [
        "CartServiceNexus.java",
        "OrderServiceNexus.java",
        "PaymentServiceNexus.java",
    ]
    runtime = sorted((JAVA_RUNTIME / "src" / "main" / "java").rglob("*.java"))
    succeeded(
        run_tool(
            [javac, "-nowarn", "-encoding", "UTF-8", "-d", tmp_path / "classes",
             "-cp", classpath, *sorted(out.rglob("*.java")), *runtime],
            tmp_path,
            timeout=STEP_TIMEOUT,
        )
    )  # fmt: skip
    assert (
        tmp_path / "classes" / "payments" / "v1" / "PaymentServiceNexus.class"
    ).is_file()
