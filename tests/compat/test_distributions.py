"""The distributions as users get them: wheels, sdists, and the supported version range.

* Each wheel built from its sdist (what `make dist` ships) equals the wheel built
  straight from the source tree, file for file.
* The corners of the compatibility matrix (tests/compat/environments.py): the
  oldest supported protobuf and temporalio together, and the newest of both,
  each in a fresh virtualenv from those wheels, outside the repository:
  generation with that environment's protoc and with buf, golden files, the
  demo teams' tests and the demo on a dev server. `make compat` runs every
  combination.

The virtualenvs install from the package index (pip's cache makes reruns quick).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from environments import COMBINATIONS, REPO, build_wheels, check, table


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_wheels(tmp_path_factory.mktemp("dist"))


def _contents(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_wheels_from_the_sdists_equal_wheels_from_the_source_tree(
    wheels: list[Path], tmp_path: Path
) -> None:
    assert [wheel.name for wheel in wheels] == [
        "nexusproto-0.1.0-py3-none-any.whl",
        "protoc_gen_nexus-0.1.0-py3-none-any.whl",
    ]
    for distribution in ("plugin", "python"):
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(REPO / distribution)],
            check=True,
            capture_output=True,
        )
    for wheel in wheels:
        direct = tmp_path / wheel.name
        assert _contents(direct) == _contents(wheel), wheel.name


def test_wheels_carry_the_metadata_users_see(wheels: list[Path]) -> None:
    for wheel in wheels:
        files = _contents(wheel)
        (metadata_name,) = [name for name in files if name.endswith(".dist-info/METADATA")]
        metadata = files[metadata_name].decode()
        assert "License-Expression: MIT" in metadata
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in files)
        assert "Classifier: Typing :: Typed" in metadata
        assert "Classifier: Programming Language :: Python :: 3.10" in metadata
        assert "Requires-Python: >=3.10" in metadata
        assert "Requires-Dist: protobuf<8,>=5.29" in metadata
        # The long description is the distribution's README.
        assert "Description-Content-Type: text/markdown" in metadata
        readme = "# nexusproto" if wheel.name.startswith("nexusproto") else "# protoc-gen-nexus"
        assert readme in metadata.split("\n\n", 1)[1]
    runtime = _contents(wheels[0])["nexusproto-0.1.0.dist-info/METADATA"].decode()
    assert "Requires-Dist: temporalio<2,>=1.29" in runtime


@pytest.mark.parametrize(
    "combination", [c for c in COMBINATIONS if c.corner], ids=lambda c: c.name
)
def test_corner_of_the_supported_range(
    combination: object, wheels: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = check(combination, wheels, tmp_path_factory.mktemp("compat"))  # type: ignore[arg-type]
    print(table([result]))
    assert result.passed, result.failure
