"""`--version` on every console script, and one version for both distributions."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRIPTS = {
    "protoc-gen-nexus-python": "protoc-gen-nexus",
    "protoc-gen-nexus-go": "protoc-gen-nexus",
    "protoc-gen-nexus-java": "protoc-gen-nexus",
    "protoc-gen-nexus-ts": "protoc-gen-nexus",
    "protoc-gen-nexus-docs": "protoc-gen-nexus",
    "nexus-contract": "protoc-gen-nexus",
    "nexusproto": "nexusproto-runtime",
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_console_script_tells_its_version(script: str) -> None:
    result = subprocess.run(
        [str(BIN / script), "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{script} {importlib.metadata.version(SCRIPTS[script])}\n"


def test_the_scripts_listed_are_every_console_script() -> None:
    declared = set()
    for project in ("plugin", "python"):
        data = tomllib.loads((REPO / project / "pyproject.toml").read_text())
        declared |= set(data["project"]["scripts"])
    assert declared == set(SCRIPTS)


def test_both_distributions_have_one_version() -> None:
    """Single-sourced: python/VERSION, which both pyproject files read."""
    version = (REPO / "python" / "VERSION").read_text().strip()
    for project in ("plugin", "python"):
        data = tomllib.loads((REPO / project / "pyproject.toml").read_text())
        assert "version" not in data["project"] and "version" in data["project"]["dynamic"]
        assert (REPO / project / data["tool"]["hatch"]["version"]["path"]).resolve() == (
            REPO / "python" / "VERSION"
        )
    import protoc_gen_nexus

    assert protoc_gen_nexus.__version__ == version
    assert importlib.metadata.version("nexusproto-runtime") == version
