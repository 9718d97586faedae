"""Issue 10: the reliability scenarios, reduced, so that CI guards every promise.

The same scenario functions `make reliability` runs at full size
(tests/reliability/scenarios.py): a dev server of their own on a database file,
worker processes killed with SIGKILL by pid and started again, the example
contracts' generated code. A scenario raises when it sees a lost or duplicated
operation, a failed caller workflow, a retry where none may be, a worker that
does not exit cleanly, or an outcome other than the documented one; the checks
here add that every operation it counted completed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

RELIABILITY_DIR = Path(__file__).resolve().parents[1] / "reliability"
if str(RELIABILITY_DIR) not in sys.path:
    sys.path.insert(0, str(RELIABILITY_DIR))

from scenarios import REDUCED, SCENARIOS  # noqa: E402


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name: str, tmp_path: Path) -> None:
    row = asyncio.run(SCENARIOS[name](tmp_path, REDUCED))
    assert row.operations > 0
    assert (row.completed, row.lost, row.duplicated) == (row.operations, 0, 0), row
