"""Golden files: the example contracts' generated modules, checked in and diffed.

Regenerate after an intended change with `make golden` (UPDATE_GOLDEN=1).
"""

import difflib
import os

import pytest
from support.golden import EXAMPLES, GOLDEN, golden_files
from support.protoc import REPO, capture_request

from protoc_gen_nexus.python.plugin import run


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
    golden = golden_files()
    assert sorted(golden) == sorted(generated)
    diffs = [_diff(golden[n], generated[n], n) for n in sorted(generated) if golden[n] != generated[n]]
    assert not diffs, "generated code differs from the golden files (make golden):\n" + "".join(diffs)


def test_buf_generate_output_matches_golden_files(generated: dict[str, str]) -> None:
    gen = REPO / "gen"
    for name, content in generated.items():
        assert (gen / name).read_text() == content, f"gen/{name} differs; run make generate"

