"""mypy --strict and pyright strict, run the one way every type-check test needs.

Both check against Python 3.10, the oldest version the distributions and the
generated code support (only a newer interpreter runs the suite).
"""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from support.protoc import BIN, REPO

PYTHON_TARGET = "3.10"


def mypy_strict(
    files: Sequence[str | Path], *, cwd: Path, search_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """mypy --strict on `files`, with `search_path` (the generated tree) as MYPYPATH."""
    env = {"PATH": str(BIN)}
    if search_path is not None:
        env["MYPYPATH"] = str(search_path)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"--python-version={PYTHON_TARGET}",
            # Module names from the paths under the search path: a testing module
            # imports its `_nexus` module by that name.
            "--explicit-package-bases",
            *map(str, files),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, **env),
    )


def pyright_strict(
    files: Sequence[str | Path],
    *,
    config_dir: Path,
    extra_paths: Sequence[Path] = (),
    cwd: Path | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """pyright in strict mode on `files`, and its JSON report.

    Files go on the command line: pyright ignores absolute paths in a config's
    "include" and would then analyse nothing, so callers assert on
    `report["summary"]["filesAnalyzed"]` too.
    """
    config = config_dir / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": PYTHON_TARGET,
                "extraPaths": [str(path) for path in extra_paths],
                "venvPath": str(REPO),
                "venv": ".venv",
            }
        )
    )
    result = subprocess.run(
        [str(BIN / "pyright"), "--project", str(config), "--outputjson", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout, result.stderr
    return result, json.loads(result.stdout)
