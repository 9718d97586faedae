"""protoc-gen-nexus-go on the example contracts and every fixture.

Golden files (tests/golden/go, `make golden` rewrites them) are diffed here with
real protoc and no Go toolchain. With Go installed, the output is compiled beside
protoc-gen-go's messages against the runtime module (plugin/go), and must pass
`gofmt -l`, `go vet` and staticcheck; without Go that test skips, or fails with
NEXUSPROTO_REQUIRE_INTEROP=1 (CI).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.golden import EXAMPLES
from support.protoc import PROTO_DIR, REPO, option_include_dir, run_protoc, validate_set
from support.toolchains import require_go

FIXTURES = REPO / "tests" / "fixtures" / "proto"
GOLDEN = REPO / "tests" / "golden" / "go"
RUNTIME = REPO / "plugin" / "go"
GO_BIN = REPO / "build" / "go" / "bin"
# longrunning/ declares asynchronous updates and activity-backed operations, which the
# Go output refuses (test_go_plugin.py checks the error).
NOT_FOR_GO = ("longrunning/",)
FIXTURE_PROTOS = sorted(
    path
    for path in (p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.proto"))
    if not path.startswith(NOT_FOR_GO)
)
MODULE = "nexusproto.test/golden"
# Versions the Go checks build with (protoc-gen-go matches plugin/go's protobuf).
PROTOC_GEN_GO = "google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12"
STATICCHECK = "honnef.co/go/tools/cmd/staticcheck@v0.8.2"
OPTIONS_PACKAGE = "Mnexusproto/v1/options.proto=nexusproto.dev/go/nexusproto/v1;nexusprotov1"


def _mappings(tree: str, protos: list[str]) -> list[str]:
    """`M` options giving each file the Go package of its directory, as buf's managed
    mode would: `payments/v1/payments.proto` -> `.../payments/v1;paymentsv1`."""
    out = [OPTIONS_PACKAGE]
    for proto in protos:
        directory = proto.rpartition("/")[0] or proto.removesuffix(".proto")
        package = directory.replace("/", "").replace("_", "")
        out.append(f"M{proto}={MODULE}/{tree}/{directory};{package}")
    return out


def _generate(out: Path, tree: str, protos: list[str], *, go_out: bool = False) -> None:
    includes = [PROTO_DIR] if tree == "examples" else [FIXTURES, option_include_dir()]
    options = ",".join(["paths=source_relative", *_mappings(tree, protos)])
    out.mkdir(parents=True, exist_ok=True)
    args = [f"-I{path}" for path in includes]
    if tree == "examples":
        args.append(f"--descriptor_set_in={validate_set(out)}")
    else:
        options += ",exclude-operation-tags=internal"
    args += [f"--nexus-go_out={out}", f"--nexus-go_opt={options}"]
    if go_out:
        args += [
            f"--plugin=protoc-gen-go={GO_BIN / 'protoc-gen-go'}",
            f"--go_out={out}",
            f"--go_opt={','.join(['paths=source_relative', *_mappings(tree, protos)])}",
        ]
    result = run_protoc(args + protos)
    assert result.returncode == 0, result.stderr


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*_nexus.pb.go")}


TREES = {"examples": EXAMPLES, "fixtures": FIXTURE_PROTOS}


@pytest.mark.parametrize("tree", sorted(TREES))
def test_generated_go_matches_golden_files(tree: str, tmp_path: Path) -> None:
    _generate(tmp_path, tree, TREES[tree])
    produced = _tree(tmp_path)
    golden = GOLDEN / tree
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, content in produced.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(content)
    assert produced == _tree(golden), f"Go output differs from tests/golden/go/{tree} (make golden)"


def test_go_output_is_independent_of_file_order(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "fixtures", FIXTURE_PROTOS)
    _generate(tmp_path / "b", "fixtures", list(reversed(FIXTURE_PROTOS)))
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def _go(go: str, *args: str, cwd: Path) -> str:
    env = {**os.environ, "GOBIN": str(GO_BIN), "GOFLAGS": "-mod=mod"}
    result = subprocess.run(
        [go, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"go {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def _tool(go: str, name: str, package: str) -> Path:
    """A Go tool in build/go/bin, installed at the pinned version when missing."""
    path = GO_BIN / name
    if not path.exists():
        GO_BIN.mkdir(parents=True, exist_ok=True)
        _go(go, "install", package, cwd=REPO)
    return path


def test_generated_go_compiles_and_passes_gofmt_vet_and_staticcheck(tmp_path: Path) -> None:
    go = require_go()
    _tool(go, "protoc-gen-go", PROTOC_GEN_GO)
    staticcheck = _tool(go, "staticcheck", STATICCHECK)
    for tree, protos in TREES.items():
        _generate(tmp_path / tree, tree, protos, go_out=True)
    (tmp_path / "go.mod").write_text(
        f"module {MODULE}\n\ngo 1.26.0\n\nrequire nexusproto.dev/go v0.0.0\n\n"
        f"replace nexusproto.dev/go => {RUNTIME}\n"
    )
    shutil.copy(RUNTIME / "go.sum", tmp_path / "go.sum")
    _go(go, "mod", "tidy", cwd=tmp_path)
    unformatted = subprocess.run(
        [str(Path(go).with_name("gofmt")), "-l", "."],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout
    assert unformatted == "", f"gofmt would change: {unformatted}"
    _go(go, "vet", "./...", cwd=tmp_path)
    result = subprocess.run(
        [str(staticcheck), "./..."], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
