"""The Java runtime (plugin/java, package dev.nexusproto): its violation text against
the Python runtime's, and the options of generated callers.

The violation text a Java handler or caller reports must be the Python runtime's,
character for character: `ViolationsMatchPython` (plugin/java/src/test/java) builds
the messages of plugin/go/testdata/python_violations.json (the Go runtime's test
data, written by the Python runtime) from the same test proto and compares. Without
Java and Maven the tests skip, or fails with NEXUSPROTO_REQUIRE_INTEROP=1.
"""

import subprocess
from pathlib import Path

import pytest

from support.protoc import REPO, run_protoc, validate_set
from support.toolchains import JAVA_RUNTIME, java_runtime_classpath, require_java

TESTPB = REPO / "plugin" / "go" / "internal" / "testpb"
PYTHON_VIOLATIONS = REPO / "plugin" / "go" / "testdata" / "python_violations.json"


def _run(args: list[str]) -> str:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The runtime, its checks and the test proto's messages, compiled: (java, class path)."""
    tmp_path = tmp_path_factory.mktemp("java-runtime")
    javac, mvn = require_java()
    classpath = java_runtime_classpath(mvn)
    messages = tmp_path / "messages"
    messages.mkdir()
    result = run_protoc(
        [
            f"--descriptor_set_in={validate_set(tmp_path)}",
            f"-I{TESTPB}",
            f"--java_out={messages}",
            "violations.proto",
            "buf/validate/validate.proto",
        ]
    )
    assert result.returncode == 0, result.stderr
    classes = tmp_path / "classes"
    sources = [
        *sorted(messages.rglob("*.java")),
        *sorted((JAVA_RUNTIME / "src").rglob("*.java")),
    ]
    _run([javac, "-nowarn", "-encoding", "UTF-8", "-d", str(classes), "-cp", classpath,
          *map(str, sources)])
    return str(Path(javac).with_name("java")), f"{classes}:{classpath}"


def test_java_violation_text_is_the_python_runtimes(compiled: tuple[str, str]) -> None:
    java, classpath = compiled
    output = _run(
        [java, "-cp", classpath, "dev.nexusproto.ViolationsMatchPython", str(PYTHON_VIOLATIONS)]
    )
    assert output.strip().endswith("16 cases, 0 failed"), output


def test_caller_options_default_to_the_contract_and_yield_to_the_callers(
    compiled: tuple[str, str],
) -> None:
    java, classpath = compiled
    output = _run([java, "-cp", classpath, "dev.nexusproto.CallOptionsPrecedence"])
    assert output.count("\nok ") + output.startswith("ok ") == 9, output
    assert output.strip().endswith("0 failed"), output
