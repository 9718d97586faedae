"""The inputs `nexus-contract` reads, in the forms `buf breaking` takes them.

- a file: a descriptor set (`protoc --descriptor_set_out --include_imports
  --include_source_info`) or a buf image (`buf build -o`), one encoding;
- a directory: every .proto file under it, compiled with protoc;
- a git reference to a local repository, `PATH.git#ref=REF[,subdir=DIR]`
  (`branch=` and `tag=` work as `ref=`): that commit's files, as a directory.

Imports a directory does not hold come from `-I` directories and, when the
nexusproto runtime is installed, from what it ships: the option .proto files and
`buf/validate/validate.proto` as descriptors. That is what a contract repository
needs offline, where buf cannot fetch its dependencies.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

VALIDATE_PROTO = "buf/validate/validate.proto"


class UnreadableInput(Exception):
    """An input that names nothing readable; the message says which and why."""


@dataclass(frozen=True)
class Input:
    name: str
    """The input as the user wrote it."""
    files: Sequence[descriptor_pb2.FileDescriptorProto]
    prefix: str = ""
    """Prepended to .proto paths to make them paths from where the user stands."""


def read_input(spec: str, includes: Sequence[Path] = ()) -> Input:
    if "#" in spec or spec.endswith(".git"):
        return _read_git(spec, includes)
    path = Path(spec)
    if path.is_dir():
        return Input(spec, _compile(path, includes), _prefix(spec))
    return Input(spec, _read_descriptor_set(path))


def _prefix(directory: str) -> str:
    relative = Path(directory).as_posix().rstrip("/")
    return "" if relative in ("", ".") else relative + "/"


def _read_descriptor_set(path: Path) -> Sequence[descriptor_pb2.FileDescriptorProto]:
    try:
        files = descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes()).file
    except (OSError, ValueError, DecodeError) as error:
        raise UnreadableInput(
            f"{path}: not a readable descriptor set, buf image or directory ({error})"
        ) from None
    if not files:
        raise UnreadableInput(f"{path}: holds no .proto files")
    return files


def _read_git(spec: str, includes: Sequence[Path]) -> Input:
    repository, _, options = spec.partition("#")
    if "://" in repository or repository.startswith("git@"):
        raise UnreadableInput(
            f"{spec}: only local git repositories are read; clone it, or pass the image "
            "of `buf build <remote> -o image.binpb`"
        )
    if not repository.endswith(".git"):
        raise UnreadableInput(f"{spec}: a git input is PATH.git#ref=REF[,subdir=DIR]")
    settings: dict[str, str] = {}
    for option in filter(None, options.split(",")):
        key, equals, value = option.partition("=")
        if not equals or key not in ("ref", "branch", "tag", "subdir", "depth"):
            raise UnreadableInput(
                f"{spec}: unknown git option {option!r}; use ref=, branch=, tag=, subdir="
            )
        settings[key] = value
    ref = settings.get("ref") or settings.get("branch") or settings.get("tag") or "HEAD"
    subdir = settings.get("subdir", "").strip("/")
    with tempfile.TemporaryDirectory(prefix="nexus-contract-") as scratch:
        archive = subprocess.run(
            ["git", f"--git-dir={repository}", "archive", "--format=tar", ref]
            + ([subdir] if subdir else []),
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            reason = archive.stderr.decode(errors="replace").strip().splitlines()
            raise UnreadableInput(f"{spec}: git cannot read it ({' '.join(reason)})")
        tree = Path(scratch) / "tree"
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            _extract(tar, tree)
        root = tree / subdir if subdir else tree
        return Input(spec, _compile(root, includes, shown_as=spec), _prefix(subdir))


def _extract(tar: tarfile.TarFile, into: Path) -> None:
    if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.10/3.11 security releases
        tar.extractall(into, filter="data")
    else:  # pragma: no cover - older patch releases
        tar.extractall(into)  # noqa: S202 - an archive git made from the user's own repository


def _compile(
    root: Path, includes: Sequence[Path], shown_as: str | None = None
) -> Sequence[descriptor_pb2.FileDescriptorProto]:
    name = shown_as or str(root)
    protos = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto"))
    if not protos:
        raise UnreadableInput(f"{name}: holds no .proto files")
    with tempfile.TemporaryDirectory(prefix="nexus-contract-") as scratch:
        out = Path(scratch) / "image.binpb"
        args = [f"-I{root}"] + [f"-I{path}" for path in includes]
        runtime = _runtime_imports(root, Path(scratch))
        args += runtime
        args += ["--include_imports", "--include_source_info", f"--descriptor_set_out={out}"]
        result = subprocess.run(
            [*_protoc(name), *args, *protos], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            errors = result.stderr.strip()
            hint = "" if runtime or includes else " (pass -I DIR for imports it does not hold)"
            raise UnreadableInput(f"{name}: protoc cannot compile it{hint}:\n{errors}")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file


def _protoc(name: str) -> list[str]:
    found = shutil.which("protoc")
    if found:
        return [found]
    if importlib.util.find_spec("grpc_tools") is not None:
        return [sys.executable, "-m", "grpc_tools.protoc"]
    raise UnreadableInput(
        f"{name}: reading a directory needs protoc (on PATH, or grpcio-tools installed); "
        "or pass a buf image from `buf build -o image.binpb`"
    )


def _runtime_imports(root: Path, scratch: Path) -> list[str]:
    """protoc arguments for the imports the nexusproto runtime ships, if installed."""
    if importlib.util.find_spec("nexusproto") is None:
        return []
    include_dir = importlib.import_module("nexusproto.include").INCLUDE_DIR
    args = [f"-I{include_dir}"]
    if not (root / VALIDATE_PROTO).exists():
        descriptors = importlib.import_module("nexusproto.validate_descriptors")
        validate_set = scratch / "validate.binpb"
        validate_set.write_bytes(descriptors.validate_descriptor_set().SerializeToString())
        args.append(f"--descriptor_set_in={validate_set}")
    return args
