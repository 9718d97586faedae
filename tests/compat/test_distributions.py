"""The distributions as users get them: wheels, sdists, a package index, and the
supported version range.

* Each wheel built from its sdist (what `make dist` ships) equals the wheel built
  straight from the source tree, file for file; the runtime's wheel carries the
  option protos but not their buf module's buf.yaml and README.md.
* A local package index (pypiserver) serves both distributions under their names
  and nothing else, and pip's install report tells whether ours came from it.
* The corners of the compatibility matrix (tests/compat/environments.py): the
  oldest supported protobuf and temporalio together, and the newest of both,
  each in a fresh virtualenv where pip installs `nexusproto-runtime[...]` and
  `protoc-gen-nexus` by name from that index, outside the repository:
  generation with that environment's own protoc and with buf, golden files, the
  demo teams' tests and the demo on a dev server. `make compat` runs every
  combination.

Dependencies come from the machine's package index (pip's cache makes reruns quick).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from environments import (
    COMBINATIONS,
    PLUGIN,
    REPO,
    RUNTIME,
    RUNTIME_EXTRAS,
    VERSION,
    LocalIndex,
    StepFailed,
    build_distributions,
    check,
    get,
    provenance,
    table,
)


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the built sdists and wheels."""
    out = tmp_path_factory.mktemp("index") / "dist"
    build_distributions(out)
    return out


@pytest.fixture(scope="module")
def wheels(distributions: Path) -> list[Path]:
    return sorted(distributions.glob("*.whl"))


@pytest.fixture(scope="module")
def index(distributions: Path) -> Iterator[LocalIndex]:
    """One local index for the module's tests, stopped by its process id after them."""
    with LocalIndex(distributions) as started:
        yield started


def _contents(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_wheels_from_the_sdists_equal_wheels_from_the_source_tree(
    wheels: list[Path], tmp_path: Path
) -> None:
    assert [wheel.name for wheel in wheels] == [
        "nexusproto_runtime-0.1.0-py3-none-any.whl",
        "protoc_gen_nexus-0.1.0-py3-none-any.whl",
    ]
    for distribution in ("plugin", "python"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--outdir",
                str(tmp_path),
                str(REPO / distribution),
            ],
            check=True,
            capture_output=True,
        )
    for wheel in wheels:
        direct = tmp_path / wheel.name
        assert _contents(direct) == _contents(wheel), wheel.name


def test_wheels_carry_the_metadata_users_see(wheels: list[Path]) -> None:
    for wheel in wheels:
        files = _contents(wheel)
        (metadata_name,) = [
            name for name in files if name.endswith(".dist-info/METADATA")
        ]
        metadata = files[metadata_name].decode()
        assert "License-Expression: MIT" in metadata
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in files)
        assert "Classifier: Typing :: Typed" in metadata
        assert "Classifier: Programming Language :: Python :: 3.10" in metadata
        assert "Requires-Python: >=3.10" in metadata
        assert "Requires-Dist: protobuf<8,>=5.29" in metadata
        # The long description is the distribution's README.
        assert "Description-Content-Type: text/markdown" in metadata
        readme = (
            "# nexusproto"
            if wheel.name.startswith("nexusproto")
            else "# protoc-gen-nexus"
        )
        assert readme in metadata.split("\n\n", 1)[1]
    runtime = _contents(wheels[0])["nexusproto_runtime-0.1.0.dist-info/METADATA"].decode()
    assert "Requires-Dist: temporalio<2,>=1.29" in runtime


def test_the_wheel_leaves_the_buf_module_files_out(wheels: list[Path]) -> None:
    """python/src/nexusproto/proto is protoc's include directory in the wheel and the
    option protos' buf module in the repository: the protos ship, the module's
    buf.yaml and README.md (what the Buf Schema Registry shows) do not."""
    module = REPO / "python" / "src" / "nexusproto" / "proto"
    assert (module / "buf.yaml").is_file()
    assert (module / "README.md").is_file()
    files = set(_contents(wheels[0]))
    assert "nexusproto/v1/options_pb2.py" in files
    shipped = sorted(name for name in files if name.startswith("nexusproto/proto/"))
    assert shipped == [
        "nexusproto/proto/nexusannotations/v1/options.proto",
        "nexusproto/proto/nexusproto/v1/options.proto",
    ]


def test_the_local_index_serves_our_two_distributions_by_name(
    index: LocalIndex,
) -> None:
    status, root = get(index.origin, "/simple/")
    assert status == HTTPStatus.OK
    assert sorted(re.findall(r">([^<]+)</a>", root)) == sorted([RUNTIME, PLUGIN])
    for name, stem in ((RUNTIME, "nexusproto_runtime"), (PLUGIN, "protoc_gen_nexus")):
        status, page = get(index.origin, f"/simple/{name}/")
        assert status == HTTPStatus.OK, name
        files = sorted(re.findall(r">([^<]+)</a>", page))
        assert files == [
            f"{stem}-{VERSION}-py3-none-any.whl",
            f"{stem}-{VERSION}.tar.gz",
        ]
    # No fallback: a name it does not hold is not found here, not redirected to
    # the public index, so pip takes every dependency from its normal index.
    assert get(index.origin, "/simple/temporalio/")[0] == HTTPStatus.NOT_FOUND


def _report(tmp_path: Path, *arguments: str) -> dict[str, Any]:
    """pip's install report for `arguments`, resolved only (--dry-run, no deps)."""
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--no-deps",
         "--ignore-installed", "--report", str(report), *arguments],
        check=True,
        capture_output=True,
    )  # fmt: skip
    loaded: dict[str, Any] = json.loads(report.read_text())
    return loaded


def test_the_provenance_guard_accepts_only_the_local_index(
    index: LocalIndex, wheels: list[Path], tmp_path: Path
) -> None:
    by_name = _report(
        tmp_path,
        "--index-url",
        index.url,
        f"{RUNTIME}=={VERSION}",
        f"{PLUGIN}=={VERSION}",
    )
    origins = provenance(by_name, index.url)
    assert sorted(origins) == sorted([RUNTIME, PLUGIN])
    assert all(url.startswith(f"{index.origin}/packages/") for url in origins.values())

    # The same wheels installed from their files: not from the index.
    with pytest.raises(
        StepFailed, match=f"{RUNTIME} {VERSION} was downloaded from file://"
    ):
        provenance(_report(tmp_path, *map(str, wheels)), index.url)

    # A distribution of the same name from another index, as pip would report it.
    elsewhere = copy.deepcopy(by_name)
    (runtime,) = [i for i in elsewhere["install"] if i["metadata"]["name"] == RUNTIME]
    runtime["metadata"]["version"] = "1.4.0"
    runtime["download_info"]["url"] = (
        "https://files.example.org/packages/nexusproto_runtime-1.4.0-py3-none-any.whl"
    )
    with pytest.raises(StepFailed, match="same name elsewhere") as refused:
        provenance(elsewhere, index.url)
    assert f"{RUNTIME} 1.4.0 was downloaded from https://files.example.org/" in str(
        refused.value
    )

    # Another local index (another port) is elsewhere too; a missing plugin fails.
    with pytest.raises(StepFailed, match="was downloaded from"):
        provenance(by_name, f"http://127.0.0.1:{index.port + 1}/simple/")
    missing = copy.deepcopy(by_name)
    missing["install"] = [
        i for i in missing["install"] if i["metadata"]["name"] != PLUGIN
    ]
    with pytest.raises(StepFailed, match=f"{PLUGIN} is not in the install report"):
        provenance(missing, index.url)


@pytest.mark.parametrize(
    "combination", [c for c in COMBINATIONS if c.corner], ids=lambda c: c.name
)
def test_corner_of_the_supported_range(
    combination: object, index: LocalIndex, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = check(combination, index, tmp_path_factory.mktemp("compat"))  # type: ignore[arg-type]
    print(table([result]))
    assert result.passed, result.failure
    # By name from the local index, the runtime with every extra it declares.
    assert sorted(result.origins) == sorted([RUNTIME, PLUGIN])
    for url in result.origins.values():
        assert url.startswith(f"{index.origin}/packages/"), url
    assert result.extras == {RUNTIME: RUNTIME_EXTRAS, PLUGIN: []}
