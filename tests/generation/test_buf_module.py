"""The option protos as a buf module (python/src/nexusproto/proto/buf.yaml), with the
real buf and no network.

The directory is protoc's include directory (`python -m nexusproto.include`) and holds
the standard annotations' file too; the module is `nexusproto/v1/options.proto` alone.
It builds, lints and, copied into a consumer's workspace as a local module, lets a
contract import the file and set the options.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from google.protobuf import descriptor_pb2
from nexusproto.include import INCLUDE_DIR
from nexusproto.v1 import options_pb2
from support.protoc import BIN, REPO, run_tool, succeeded

MODULE = REPO / "python" / "src" / "nexusproto" / "proto"
OURS = "nexusproto/v1/options.proto"
EXCLUDED = "nexusannotations/v1/options.proto"

CONSUMER_PROTO = """\
syntax = "proto3";

package shop.v1;

import "nexusproto/v1/options.proto";

// Ships orders.
service ShopService {
  option (nexusproto.v1.service).default_endpoint = "shop-endpoint";

  // Ships one order.
  rpc Ship(ShipRequest) returns (ShipResponse) {
    option (nexusproto.v1.operation).workflow_run.workflow_type = "ShipWorkflow";
  }
}

// The order to ship.
message ShipRequest {
  // The order's ID.
  string order_id = 1;
}

// The shipment.
message ShipResponse {
  // The carrier's tracking number.
  string tracking_number = 1;
}
"""


def buf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tool([BIN / "buf", *args], cwd)


def image(path: Path) -> descriptor_pb2.FileDescriptorSet:
    """A buf image read as the FileDescriptorSet it is on the wire."""
    return descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes())


def names(built: descriptor_pb2.FileDescriptorSet) -> set[str]:
    return {file.name for file in built.file}


def config(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def test_the_module_is_the_include_directory() -> None:
    assert MODULE.resolve() == INCLUDE_DIR.resolve()
    assert (MODULE / OURS).is_file()
    assert (MODULE / EXCLUDED).is_file()


def test_the_module_declares_its_name_and_excludes_the_standard_annotations() -> None:
    declared = config(MODULE / "buf.yaml")
    root = config(REPO / "buf.yaml")
    assert declared["version"] == "v2"
    (module,) = declared["modules"]  # type: ignore[misc]
    assert module == {
        "path": ".",
        "name": "buf.build/nexusproto/options",
        "excludes": ["nexusannotations"],
    }
    # Linted as the repository's contracts are; stricter on breaking changes.
    assert declared["lint"] == root["lint"]
    assert declared["breaking"] == {"use": ["FILE"]}


def test_buf_build_holds_our_options_and_not_the_excluded_file(tmp_path: Path) -> None:
    with_imports, alone = tmp_path / "image.binpb", tmp_path / "alone.binpb"
    succeeded(buf("build", "-o", str(with_imports), cwd=MODULE))
    succeeded(buf("build", "--exclude-imports", "-o", str(alone), cwd=MODULE))
    assert names(image(with_imports)) == {
        OURS,
        "google/protobuf/descriptor.proto",
        "google/protobuf/duration.proto",
    }
    (file,) = image(alone).file
    assert file.name == OURS
    assert file.package == "nexusproto.v1"
    assert {(ext.extendee, ext.number) for ext in file.extension} == {
        (".google.protobuf.ServiceOptions", 8245),
        (".google.protobuf.MethodOptions", 8246),
    }
    assert succeeded(buf("ls-files", cwd=MODULE)).split() == [OURS]


def test_buf_lint_and_breaking_accept_the_module() -> None:
    succeeded(buf("lint", cwd=MODULE))
    succeeded(buf("breaking", ".", "--against", ".", cwd=MODULE))


def test_a_module_readme_shows_the_dependency_and_the_import() -> None:
    readme = (MODULE / "README.md").read_text(encoding="utf-8")
    assert "  - buf.build/nexusproto/options\n" in readme
    assert f'import "{OURS}";' in readme
    assert "(nexusproto.v1.operation)" in readme


def _consumer(tmp_path: Path, *, with_module: bool) -> Path:
    """A workspace with a contract that imports the options and, when `with_module`,
    a copy of the module listed as a local module beside the contract's own."""
    workspace = tmp_path / "consumer"
    contract = workspace / "proto" / "shop" / "v1" / "shop.proto"
    contract.parent.mkdir(parents=True)
    contract.write_text(CONSUMER_PROTO, encoding="utf-8")
    modules = [{"path": "proto"}]
    if with_module:
        shutil.copytree(MODULE, workspace / "vendor" / "nexusproto-options")
        modules.append(
            {
                "path": "vendor/nexusproto-options",
                "excludes": ["vendor/nexusproto-options/nexusannotations"],
            }
        )
    (workspace / "buf.yaml").write_text(
        yaml.safe_dump({"version": "v2", "modules": modules}), encoding="utf-8"
    )
    return workspace


def test_a_consumer_workspace_builds_with_the_module(tmp_path: Path) -> None:
    workspace = _consumer(tmp_path, with_module=True)
    built = workspace / "image.binpb"
    succeeded(buf("build", "-o", str(built), cwd=workspace))
    files = {file.name: file for file in image(built).file}
    assert OURS in files
    assert EXCLUDED not in files
    (service,) = files["shop/v1/shop.proto"].service
    assert (
        service.options.Extensions[options_pb2.service].default_endpoint
        == "shop-endpoint"
    )
    (method,) = service.method
    operation = method.options.Extensions[options_pb2.operation]
    assert operation.workflow_run.workflow_type == "ShipWorkflow"
    succeeded(buf("lint", cwd=workspace))


def test_a_consumer_workspace_without_the_module_does_not_build(tmp_path: Path) -> None:
    workspace = _consumer(tmp_path, with_module=False)
    result = buf("build", cwd=workspace)
    assert result.returncode != 0
    assert "shop.proto:5:1:imported file does not exist" in result.stderr


@pytest.mark.parametrize("name", ["buf.yaml", "README.md"])
def test_the_module_files_are_in_the_source_tree(name: str) -> None:
    """The wheel leaves them out (tests/compat/test_distributions.py holds that)."""
    assert (MODULE / name).is_file()
    pyproject = (REPO / "python" / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"src/nexusproto/proto/{name}"' in pyproject
