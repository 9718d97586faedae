"""Run the real protoc, and capture the CodeGeneratorRequest it sends to plugins."""

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from google.protobuf.compiler import plugin_pb2

from nexusproto.include import INCLUDE_DIR
from nexusproto.validate_descriptors import validate_descriptor_set

REPO = Path(__file__).resolve().parents[2]
PROTO_DIR = REPO / "proto"
BIN = Path(sys.executable).parent

_CAPTURE_PLUGIN = """\
import sys
from pathlib import Path
Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())
from google.protobuf.compiler import plugin_pb2
response = plugin_pb2.CodeGeneratorResponse(
    supported_features=3, minimum_edition=998, maximum_edition=1000
)  # proto3 optional and editions, as the real plugin declares
sys.stdout.buffer.write(response.SerializeToString())
"""


def protoc() -> str:
    found = shutil.which("protoc", path=str(BIN)) or shutil.which("protoc")
    assert found, "protoc not found; run make setup"
    return found


def tool_environment(*, path: Sequence[Path] = (), **extra: str) -> dict[str, str]:
    """This process's environment with `extra` variables, and on PATH first `path`, then
    the virtualenv's tools (python, protoc, buf, the plugins)."""
    search = os.pathsep.join([*map(str, path), str(BIN), os.environ.get("PATH", "")])
    return {**os.environ, **extra, "PATH": search}


def run_tool(
    argv: Sequence[str | Path],
    cwd: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """`argv` in `cwd`, by default with `tool_environment()`; its output captured."""
    return subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env=tool_environment() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a run that must succeed; else the command, its status and
    the ends of its output."""
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))}: exit {result.returncode}\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return result.stdout


def run_protoc(
    args: list[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_tool([protoc(), *args], cwd)


def nexus_contract(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The `nexus-contract` console script; whatever it answers, never a traceback."""
    result = run_tool([str(BIN / "nexus-contract"), *args], cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def capture_request(
    tmp_path: Path,
    files: list[str],
    *,
    include: list[Path] | None = None,
    parameter: str = "",
) -> plugin_pb2.CodeGeneratorRequest:
    """The request protoc builds for `files`, as a plugin would receive it."""
    script = tmp_path / "capture_plugin.py"
    script.write_text(_CAPTURE_PLUGIN)
    launcher = tmp_path / "protoc-gen-capture"
    launcher.write_text(
        f"#!/bin/sh\nexec {sys.executable} {script} {tmp_path / 'request.bin'}\n"
    )
    launcher.chmod(0o755)
    out = tmp_path / "capture_out"
    out.mkdir(exist_ok=True)
    includes = include if include is not None else [PROTO_DIR]
    args = [f"-I{path}" for path in includes] + [
        f"--descriptor_set_in={validate_set(tmp_path)}"
    ]
    args += [f"--plugin=protoc-gen-capture={launcher}", f"--capture_out={out}"]
    if parameter:
        args.append(f"--capture_opt={parameter}")
    result = run_protoc(args + files)
    assert result.returncode == 0, result.stderr
    return plugin_pb2.CodeGeneratorRequest.FromString(
        (tmp_path / "request.bin").read_bytes()
    )


def validate_set(tmp_path: Path) -> Path:
    """buf/validate/validate.proto as descriptors, since no package ships the .proto file."""
    path = tmp_path / "validate.binpb"
    if not path.exists():
        path.write_bytes(validate_descriptor_set().SerializeToString())
    return path


def write_protos(root: Path, sources: dict[str, str]) -> Path:
    for name, text in sources.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def option_include_dir() -> Path:
    """Where users find the option protos: the runtime package's include directory."""
    return INCLUDE_DIR
