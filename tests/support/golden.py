"""The golden files of the example contracts, and reading generated trees to compare."""

from pathlib import Path

from support.protoc import REPO

GOLDEN = REPO / "tests" / "golden" / "examples"
GOLDEN_FIXTURES = REPO / "tests" / "golden" / "fixtures"
EXAMPLES = ["payments/v1/payments.proto", "orders/v1/orders.proto", "orders/v1/carts.proto"]


def golden_files() -> dict[str, str]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_text() for p in GOLDEN.rglob("*.py")}


def read_tree(root: Path) -> dict[str, str]:
    """Every generated module under `root` (`_nexus.py`, `_nexus_testing.py`), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for pattern in ("*_nexus.py", "*_nexus_testing.py")
        for p in root.rglob(pattern)
    }
