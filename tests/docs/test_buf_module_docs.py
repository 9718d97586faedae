"""docs/content/how-to/buf-module.md: its examples, docs/examples/buf-module, run for real.

The workspace is copied to a temporary directory and used as a reader would: vendor.sh
copies the option protos from the installed nexusproto package, buf builds, lints and
generates (only the reader's module), protoc.sh compiles with protoc alone. The page's
YAML fragments hold too: the `excludes` one leaves the standard annotations out, and the
`deps` one names the module python/src/nexusproto/proto/buf.yaml declares.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from google.protobuf import descriptor_pb2
from nexusproto.v1 import options_pb2
from support.protoc import BIN, REPO, run_tool, succeeded

EXAMPLES = REPO / "docs" / "examples" / "buf-module"
PAGE = REPO / "docs" / "content" / "how-to" / "buf-module.md"
CONTRACT = "shipping/v1/shipping.proto"
YAML_BLOCK = re.compile(r"^```yaml\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the example workspace after its vendor.sh ran."""
    copy = tmp_path / "workspace"
    shutil.copytree(EXAMPLES, copy)
    succeeded(run_tool(["sh", "vendor.sh"], copy))
    return copy


def inline_yaml() -> list[dict[str, object]]:
    """The page's inline YAML fragments (the included files are tested as files)."""
    return [
        yaml.safe_load(match["body"])
        for match in YAML_BLOCK.finditer(PAGE.read_text(encoding="utf-8"))
    ]


def test_the_page_includes_every_example() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file():
            assert f'--8<-- "{path.relative_to(REPO)}"' in page, path


def test_vendor_sh_copies_the_option_protos(workspace: Path) -> None:
    copied = workspace / "third_party" / "nexusproto"
    assert (copied / "nexusproto" / "v1" / "options.proto").is_file()
    assert (copied / "nexusannotations" / "v1" / "options.proto").is_file()
    assert not any(path.is_symlink() for path in copied.rglob("*"))


def test_the_workspace_builds_and_lints(workspace: Path) -> None:
    image = workspace / "image.binpb"
    succeeded(run_tool([str(BIN / "buf"), "build", "-o", str(image)], workspace))
    succeeded(run_tool([str(BIN / "buf"), "lint"], workspace))
    files = {
        file.name: file
        for file in descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes()).file
    }
    (service,) = files[CONTRACT].service
    assert (
        service.options.Extensions[options_pb2.service].default_endpoint
        == "shipping-endpoint"
    )
    (method,) = service.method
    run_options = method.options.Extensions[options_pb2.operation].workflow_run
    assert run_options.workflow_type == "ShipOrderWorkflow"


def test_buf_generate_writes_only_the_readers_module(workspace: Path) -> None:
    succeeded(run_tool([str(BIN / "buf"), "generate"], workspace))
    written = sorted(
        path.relative_to(workspace / "gen").as_posix()
        for path in (workspace / "gen").rglob("*.py")
    )
    assert written == [
        "shipping/v1/shipping_nexus.py",
        "shipping/v1/shipping_nexus_testing.py",
        "shipping/v1/shipping_pb2.py",
    ]


def test_protoc_sh_compiles_against_the_installed_package(tmp_path: Path) -> None:
    copy = tmp_path / "protoc"
    shutil.copytree(EXAMPLES, copy)
    succeeded(run_tool(["sh", "protoc.sh"], copy))
    assert (copy / "gen" / "shipping" / "v1" / "shipping_pb2.py").is_file()
    assert (copy / "gen" / "shipping" / "v1" / "shipping_nexus.py").is_file()


def test_the_excludes_fragment_leaves_the_standard_annotations_out(
    workspace: Path,
) -> None:
    (fragment,) = [block for block in inline_yaml() if "modules" in block]
    config = yaml.safe_load((workspace / "buf.yaml").read_text(encoding="utf-8"))
    config["modules"] = fragment["modules"]
    (workspace / "buf.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    # The standard annotations would come from their own dependency, which needs the
    # network: the contract keeps only this project's options here.
    contract = workspace / "proto" / CONTRACT
    kept = [
        line
        for line in contract.read_text(encoding="utf-8").splitlines(keepends=True)
        if "nexusannotations" not in line
    ]
    contract.write_text("".join(kept), encoding="utf-8")
    succeeded(run_tool([str(BIN / "buf"), "build"], workspace))
    listed = succeeded(run_tool([str(BIN / "buf"), "ls-files"], workspace)).split()
    assert sorted(listed) == [
        f"proto/{CONTRACT}",
        "third_party/nexusproto/nexusproto/v1/options.proto",
    ]


def test_the_deps_fragment_names_the_module() -> None:
    (fragment,) = [block for block in inline_yaml() if "deps" in block]
    declared = yaml.safe_load(
        (REPO / "python" / "src" / "nexusproto" / "proto" / "buf.yaml").read_text(
            encoding="utf-8"
        )
    )
    (module,) = declared["modules"]
    assert module["name"] in fragment["deps"]
