"""The project's own code meets the bar it sets for generated code."""

import subprocess
import sys

import pytest
from support.protoc import BIN, REPO
from support.toolchains import go_tool


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


ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


def test_the_ci_and_release_workflows_pass_actionlint() -> None:
    """The code host's workflows (.github/workflows): CI (make check, make breaking and
    make test with every peer, make compat) and the release on a version tag."""
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert {path.name for path in workflows} == {"ci.yml", "release.yml"}
    actionlint = go_tool("actionlint", ACTIONLINT)
    result = subprocess.run(
        [str(actionlint), *map(str, workflows)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
