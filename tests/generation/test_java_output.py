"""protoc-gen-nexus-java on the example contracts and the fixtures.

Golden files (tests/golden/java, `make golden` rewrites them) are diffed here with
real protoc and no Java toolchain. With Java and Maven installed, the output is
compiled beside protoc's `--java_out` messages and the runtime (plugin/java) with
`javac -Xlint:all -Werror`; without them that test skips, or fails with
NEXUSPROTO_REQUIRE_INTEROP=1 (CI).

Two inputs are left out of the fixtures, each for a reason a test below proves
(a located error): `keywords/v1/keywords.proto` names a message `class`, whose
protoc-gen-java class javac rejects, and `longrunning/v1/longrunning.proto` declares
asynchronous updates and activity-backed operations, which the Java output does not
generate yet.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.protoc import PROTO_DIR, REPO, option_include_dir, run_protoc, validate_set
from support.toolchains import JAVA_RUNTIME, java_runtime_classpath, require_java

FIXTURES = REPO / "tests" / "fixtures" / "proto"
GOLDEN = REPO / "tests" / "golden" / "java"
RUNTIME = JAVA_RUNTIME

NOT_IN_JAVA = {
    "longrunning/v1/longrunning.proto": "is an asynchronous update "
    "(workflow_update.asynchronous), which protoc-gen-nexus-java does not generate yet",
    "keywords/v1/keywords.proto": "message keywords.v1.class (keywords/v1/keywords.proto) is "
    "named 'class', a Java keyword: protoc-gen-java's class would not compile",
}
EXAMPLES = ["payments/v1/payments.proto", "orders/v1/orders.proto", "orders/v1/carts.proto"]
FIXTURE_PROTOS = sorted(
    path
    for path in (p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.proto"))
    if path not in NOT_IN_JAVA
)
TREES = {"examples": EXAMPLES, "fixtures": FIXTURE_PROTOS}
OPTION_PROTOS = ["nexusannotations/v1/options.proto", "nexusproto/v1/options.proto"]


def _includes(tree: str, out: Path) -> list[str]:
    if tree == "examples":
        return [f"-I{PROTO_DIR}", f"--descriptor_set_in={validate_set(out)}"]
    return [f"-I{FIXTURES}", f"-I{option_include_dir()}"]


def _generate(out: Path, tree: str, protos: list[str], *, java_out: Path | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    args = [*_includes(tree, out), f"--nexus-java_out={out}"]
    if tree == "fixtures":
        args.append("--nexus-java_opt=exclude-operation-tags=internal")
    result = run_protoc(args + protos)
    assert result.returncode == 0, result.stderr
    if java_out is not None:
        # The messages of every file the generated code can reach, options included.
        java_out.mkdir(parents=True, exist_ok=True)
        messages = protos + OPTION_PROTOS
        if tree == "examples":
            messages = sorted(
                {p.relative_to(PROTO_DIR).as_posix() for p in PROTO_DIR.rglob("*.proto")}
            ) + ["buf/validate/validate.proto"]
        result = run_protoc([*_includes(tree, out), f"--java_out={java_out}", *messages])
        assert result.returncode == 0, result.stderr


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*Nexus.java")}


@pytest.mark.parametrize("tree", sorted(TREES))
def test_generated_java_matches_golden_files(tree: str, tmp_path: Path) -> None:
    _generate(tmp_path, tree, TREES[tree])
    produced = _tree(tmp_path)
    assert produced, "no Java generated"
    golden = GOLDEN / tree
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, content in produced.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(content)
    assert produced == _tree(golden), f"Java output differs from tests/golden/java/{tree} (make golden)"


def test_java_output_is_independent_of_file_order(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "fixtures", FIXTURE_PROTOS)
    _generate(tmp_path / "b", "fixtures", list(reversed(FIXTURE_PROTOS)))
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


@pytest.mark.parametrize("proto", sorted(NOT_IN_JAVA))
def test_inputs_left_out_are_located_errors(proto: str, tmp_path: Path) -> None:
    tree = "fixtures"
    result = run_protoc([*_includes(tree, tmp_path), f"--nexus-java_out={tmp_path}", proto])
    assert result.returncode != 0
    assert f"{proto}:" in result.stderr
    assert NOT_IN_JAVA[proto] in result.stderr
    assert "Traceback" not in result.stderr


# Compiling the output ------------------------------------------------------------


def _javac(javac: str, out: Path, classpath: str, sources: list[Path], *, strict: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    flags = ["-Xlint:all", "-Werror"] if strict else ["-nowarn"]
    result = subprocess.run(
        [javac, *flags, "-encoding", "UTF-8", "-d", str(out), "-cp", classpath,
         *map(str, sources)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_java_compiles_with_all_warnings_as_errors(tmp_path: Path) -> None:
    javac, mvn = require_java()
    classpath = java_runtime_classpath(mvn)
    runtime = sorted((RUNTIME / "src" / "main" / "java").rglob("*.java"))
    for tree, protos in TREES.items():
        root = tmp_path / tree
        _generate(root / "nexus", tree, protos, java_out=root / "messages")
        # protoc's own classes are not ours to hold to -Werror; the rest is.
        _javac(javac, root / "messages-classes", classpath,
               sorted((root / "messages").rglob("*.java")), strict=False)
        generated = sorted((root / "nexus").rglob("*.java"))
        assert generated
        _javac(javac, root / "classes", f"{classpath}:{root / 'messages-classes'}",
               runtime + generated, strict=True)
