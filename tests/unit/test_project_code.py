"""The project's own code meets the bar it sets for generated code."""

import subprocess
import sys

import pytest
from support.protoc import BIN, REPO


@pytest.mark.parametrize("distribution", ["plugin", "python"])
def test_ruff(distribution: str) -> None:
    root = REPO / distribution
    for args in (["check", "src"], ["format", "--check", "src"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *args, "--no-cache"], cwd=root, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("distribution", "package"),
    [("plugin", "src/protoc_gen_nexus"), ("python", "src/nexusproto")],
)
def test_mypy_strict(distribution: str, package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", package],
        cwd=REPO / distribution,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("distribution", ["plugin", "python"])
def test_checkers_target_the_oldest_supported_python(distribution: str) -> None:
    """ruff and mypy hold the code to Python 3.10, the oldest that requires-python allows
    (only a newer interpreter runs here, so the checkers stand in for it)."""
    import tomllib

    project = tomllib.loads((REPO / distribution / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.10"
    assert project["tool"]["ruff"]["target-version"] == "py310"
    assert project["tool"]["mypy"]["python_version"] == "3.10"
