"""Type checkers hold a handler subclass to the generated signatures.

`typecheck/good_handler.py` is a correct subclass of `PaymentServiceHandler`:
mypy --strict and pyright strict report nothing, and it binds at runtime.
`typecheck/bad_handler.py` breaks the signatures (wrong request type, wrong
return type, a request parameter on an Empty-input operation, instantiating a
class with a missing override): mypy reports exactly the errors listed in
`typecheck/bad_handler.expected`, and pyright reports errors on the same lines.

Regenerate the expected file after an intended change with UPDATE_EXPECTED=1.
"""

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nexusrpc.handler
import pytest
from support.protoc import BIN, REPO
from support.typecheck import PYTHON_TARGET, pyright_strict

GEN = REPO / "gen"
TYPECHECK = Path(__file__).resolve().parent / "typecheck"
GOOD = TYPECHECK / "good_handler.py"
BAD = TYPECHECK / "bad_handler.py"
EXPECTED = TYPECHECK / "bad_handler.expected"
# Each file of wrong code, with the mypy errors it must produce.
BAD_FILES = {
    BAD: EXPECTED,
    TYPECHECK / "bad_caller.py": TYPECHECK / "bad_caller.expected",
    TYPECHECK / "bad_fake.py": TYPECHECK / "bad_fake.expected",
    TYPECHECK / "bad_workflow.py": TYPECHECK / "bad_workflow.expected",
}
# Right code, which both checkers must pass without a word.
GOOD_FILES = (GOOD, TYPECHECK / "good_workflow.py")
FILES = (*GOOD_FILES, *BAD_FILES)


@dataclass(frozen=True)
class Report:
    """A checker's error lines (mypy) or error diagnostics (pyright), by file name."""

    returncode: int
    output: str
    errors: dict[str, list[str]]


@pytest.fixture(scope="module")
def mypy() -> Report:
    """mypy --strict on both files in one run (each run takes seconds)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"--python-version={PYTHON_TARGET}",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            *(path.name for path in FILES),
        ],
        cwd=TYPECHECK,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(GEN), "PATH": str(BIN)},
    )
    errors: dict[str, list[str]] = {path.name: [] for path in FILES}
    for line in result.stdout.splitlines():
        errors.setdefault(line.split(":", 1)[0], []).append(line)
    return Report(result.returncode, result.stdout + result.stderr, errors)


@pytest.fixture(scope="module")
def pyright(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """pyright strict on both files in one run.

    The files are passed on the command line: pyright ignores absolute paths in a
    config file's "include" ("Ignoring path ... because it is not relative") and
    would then check nothing.
    """
    result, report = pyright_strict(
        [path.name for path in FILES],
        config_dir=tmp_path_factory.mktemp("pyright"),
        extra_paths=[GEN],
        cwd=TYPECHECK,
    )
    assert report["summary"]["filesAnalyzed"] == len(FILES), (
        result.stdout + result.stderr
    )
    errors: dict[str, list[str]] = {path.name: [] for path in FILES}
    for diagnostic in report["generalDiagnostics"]:
        name = Path(diagnostic["file"]).name
        line = diagnostic["range"]["start"]["line"] + 1
        text = f"{name}:{line}: {diagnostic['severity']}: {diagnostic['message']}"
        errors.setdefault(name, []).append(text)
    return Report(result.returncode, result.stdout + result.stderr, errors)


def _lines(errors: list[str]) -> list[int]:
    return sorted({int(error.split(":")[1]) for error in errors})


@pytest.mark.parametrize("good", GOOD_FILES, ids=lambda path: path.stem)
def test_right_code_passes_mypy_strict(mypy: Report, good: Path) -> None:
    assert mypy.errors[good.name] == [], mypy.output


@pytest.mark.parametrize("good", GOOD_FILES, ids=lambda path: path.stem)
def test_right_code_passes_pyright_strict(pyright: Report, good: Path) -> None:
    assert pyright.errors[good.name] == [], pyright.output


def test_good_handler_binds_at_runtime() -> None:
    spec = importlib.util.spec_from_file_location("typecheck_good_handler", GOOD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    handler = nexusrpc.handler.Handler([module.Payments()])
    assert "payments.v1.PaymentService" in handler.service_handlers


@pytest.mark.parametrize("bad", list(BAD_FILES), ids=lambda path: path.stem)
def test_wrong_code_gives_the_expected_mypy_errors(mypy: Report, bad: Path) -> None:
    expected_file = BAD_FILES[bad]
    actual = [line for line in mypy.errors[bad.name] if ": error:" in line]
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text("".join(f"{line}\n" for line in actual))
    expected = expected_file.read_text().splitlines()
    assert expected, f"{expected_file.name} lists no errors"
    assert actual == expected, mypy.output


@pytest.mark.parametrize("bad", list(BAD_FILES), ids=lambda path: path.stem)
def test_wrong_code_gives_pyright_errors_on_the_same_lines(pyright: Report, bad: Path) -> None:
    expected = _lines(BAD_FILES[bad].read_text().splitlines())
    assert _lines(pyright.errors[bad.name]) == expected, pyright.output


DEMO = REPO / "python" / "demo"


def test_demo_passes_mypy_strict_and_its_carts_pyright_strict(tmp_path: Path) -> None:
    """The demo teams' code, with the cart workflow checked against its contract by both."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"--python-version={PYTHON_TARGET}",
            "-p",
            "orders_payments",
        ],
        cwd=DEMO,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(GEN), "PATH": str(BIN)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    files = [DEMO / "orders_payments" / "carts.py"]
    checked, report = pyright_strict(files, config_dir=tmp_path, extra_paths=[GEN, DEMO])
    assert report["summary"]["filesAnalyzed"] == len(files), checked.stdout
    assert report["generalDiagnostics"] == [], checked.stdout
