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
    "protoc-gen-nexus-docs": "protoc-gen-nexus",
    "nexus-contract": "protoc-gen-nexus",
    "nexusproto": "nexusproto",
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
    versions = {
        project: tomllib.loads((REPO / project / "pyproject.toml").read_text())["project"][
            "version"
        ]
        for project in ("plugin", "python")
    }
    assert len(set(versions.values())) == 1, versions
    import protoc_gen_nexus

    assert protoc_gen_nexus.__version__ == versions["plugin"]
    assert importlib.metadata.version("nexusproto") == versions["python"]
