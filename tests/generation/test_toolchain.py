"""Every way users run the plugin gives the same modules: protoc, grpc_tools, buf."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.protoc import BIN, PROTO_DIR, REPO, option_include_dir, run_protoc, validate_set, write_protos
from support.golden import EXAMPLES, golden_files, read_tree


def test_protoc_finds_the_plugin_on_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_protoc(
        [f"--descriptor_set_in={validate_set(tmp_path)}", f"-I{PROTO_DIR}", f"--nexus-python_out={out}", *EXAMPLES]
    )
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == golden_files()


def test_grpc_tools_protoc(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"--descriptor_set_in={validate_set(tmp_path)}",
            f"-I{PROTO_DIR}",
            f"--plugin=protoc-gen-nexus-python={BIN / 'protoc-gen-nexus-python'}",
            f"--nexus-python_out={out}",
            *EXAMPLES,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == golden_files()


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    launcher = tmp_path / "protoc-gen-nexus-python"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m protoc_gen_nexus.python\n")
    launcher.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    result = run_protoc(
        [
            f"--descriptor_set_in={validate_set(tmp_path)}",
            f"-I{PROTO_DIR}",
            f"--plugin=protoc-gen-nexus-python={launcher}",
            f"--nexus-python_out={out}",
            *EXAMPLES,
        ]
    )
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == golden_files()


@pytest.mark.parametrize("plugin", ["nexus-python", "nexus-docs"])
def test_plugin_error_reaches_protoc_as_a_located_message_without_traceback(
    tmp_path: Path, plugin: str
) -> None:
    """Both plugins of the distribution: a located message, no traceback, no files."""
    root = write_protos(
        tmp_path / "src",
        {
            "shop/v1/shop.proto": 'syntax = "proto3";\n'
            "package shop.v1;\n"
            'import "nexusannotations/v1/options.proto";\n'
            "message M {}\n"
            "service Shop {\n"
            "  option (nexusannotations.v1.service) = {};\n"
            "  rpc Watch(M) returns (stream M);\n"
            "}\n"
        },
    )
    out = tmp_path / "out"
    out.mkdir()
    result = run_protoc(
        [f"-I{root}", f"-I{option_include_dir()}", f"--{plugin}_out={out}", "shop/v1/shop.proto"]
    )
    assert result.returncode != 0
    assert "shop/v1/shop.proto:7:3: Shop.Watch is a streaming method" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(out.iterdir())


@pytest.mark.parametrize("strategy", ["directory", "all"])
def test_buf_strategies_give_identical_output(tmp_path: Path, strategy: str) -> None:
    template = tmp_path / "buf.gen.yaml"
    out = tmp_path / "out"
    template.write_text(
        "version: v2\n"
        "plugins:\n"
        "  - local: protoc-gen-nexus-python\n"
        f"    out: {out}\n"
        f"    strategy: {strategy}\n"
        "inputs:\n"
        f"  - binary_image: {REPO / 'build' / 'image.binpb'}\n"
        "    exclude_paths: [google, nexusannotations, nexusproto]\n"
    )
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [str(BIN / "buf"), "generate", "--template", str(template)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == golden_files()


def _compiled_descriptor(tmp_path: Path, proto: str) -> bytes:
    """`proto` compiled by the venv's protoc, as protoc's Python generator embeds it."""
    from google.protobuf import descriptor_pb2

    out = tmp_path / "set.binpb"
    result = run_protoc([f"-I{PROTO_DIR}", f"--descriptor_set_out={out}", proto])
    assert result.returncode == 0, result.stderr
    (compiled,) = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    # protoc's Python generator embeds descriptors without json_name; do the same.
    fields = [f for m in compiled.message_type for f in m.field] + list(compiled.extension)
    for field in fields:
        field.ClearField("json_name")
    return compiled.SerializeToString()


def test_runtime_option_module_is_up_to_date(tmp_path: Path) -> None:
    """python/src holds the generated module of nexusproto/v1/options.proto (`make options`):
    the descriptor of the current file, as gencode of the oldest supported protobuf, 5.29,
    which newer runtimes accept and older ones would refuse; and its current stub."""
    from nexusproto.v1 import options_pb2

    proto = "nexusproto/v1/options.proto"
    assert options_pb2.DESCRIPTOR.serialized_pb == _compiled_descriptor(tmp_path, proto), (
        "make options"
    )
    shipped = REPO / "python" / "src" / "nexusproto" / "v1"
    assert "# Protobuf Python Version: 5.29.0\n" in (shipped / "options_pb2.py").read_text()
    result = run_protoc([f"-I{PROTO_DIR}", f"--mypy_out={tmp_path}", proto])
    assert result.returncode == 0, result.stderr
    stub = tmp_path / "nexusproto" / "v1" / "options_pb2.pyi"
    assert stub.read_bytes() == (shipped / "options_pb2.pyi").read_bytes(), "make options"


def test_standard_annotations_match_what_temporalio_ships(tmp_path: Path) -> None:
    """Our nexusannotations/v1/options.proto is the published file, to the descriptor byte."""
    from nexusannotations.v1 import options_pb2

    compiled = _compiled_descriptor(tmp_path, "nexusannotations/v1/options.proto")
    assert compiled == options_pb2.DESCRIPTOR.serialized_pb


def test_user_contracts_and_temporal_api_modules_share_a_process() -> None:
    """Both import nexusannotations/v1/options.proto; the file is registered once."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import payments.v1.payments_pb2\n"
            "import temporalio.api.dependencies.nexusannotations.v1.options_pb2",
        ],
        cwd=REPO / "gen",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_include_dir_holds_the_option_protos() -> None:
    include = option_include_dir()
    for proto in ["nexusannotations/v1/options.proto", "nexusproto/v1/options.proto"]:
        assert (include / proto).read_text() == (PROTO_DIR / proto).read_text()
    printed = subprocess.run(
        [sys.executable, "-m", "nexusproto.include"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(printed) == include
