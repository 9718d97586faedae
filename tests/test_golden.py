"""Golden files: the example contracts' generated modules, checked in and diffed.

Regenerate after an intended change with `make golden` (UPDATE_GOLDEN=1).
"""

import difflib
import os
from pathlib import Path

import pytest
from support.protoc import REPO, capture_request

from protoc_gen_nexus_python.plugin import run

GOLDEN = REPO / "tests" / "golden" / "examples"
EXAMPLES = ["payments/v1/payments.proto", "orders/v1/orders.proto"]


def _diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            f"golden/{name}",
            f"generated/{name}",
        )
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    response = run(capture_request(tmp_path_factory.mktemp("golden"), EXAMPLES))
    assert not response.error, response.error
    return {file.name: file.content for file in response.file}


def test_generated_modules_match_golden_files(generated: dict[str, str]) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        for name, content in generated.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text() for p in GOLDEN.rglob("*.py")}
    assert sorted(golden) == sorted(generated)
    diffs = [_diff(golden[n], generated[n], n) for n in sorted(generated) if golden[n] != generated[n]]
    assert not diffs, "generated code differs from the golden files (make golden):\n" + "".join(diffs)


def test_buf_generate_output_matches_golden_files(generated: dict[str, str]) -> None:
    gen = REPO / "gen"
    for name, content in generated.items():
        assert (gen / name).read_text() == content, f"gen/{name} differs; run make generate"


def golden_files() -> dict[str, str]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_text() for p in GOLDEN.rglob("*.py")}


def read_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*_nexus.py")}
