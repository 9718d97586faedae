"""`buf/validate/validate.proto` as a descriptor set, for building without network.

Contracts that use protovalidate rules (`(buf.validate.field)` and friends)
import `buf/validate/validate.proto`. Online, buf fetches it from the Buf Schema
Registry (`deps: [buf.build/bufbuild/protovalidate]`); offline nothing ships it
as a `.proto` file. The protovalidate wheel does carry its compiled
`FileDescriptorProto`, though, and protoc accepts compiled files in place of
sources:

    python -m nexusproto.validate_descriptors build/validate.binpb
    protoc --descriptor_set_in=build/validate.binpb -I proto ...

The set holds `buf/validate/validate.proto` after the well-known-type files it
imports (taken from `google.protobuf`), each file after its dependencies.
"""

import importlib
import sys
from pathlib import Path

import protovalidate
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FileDescriptor

VALIDATE_PROTO = "buf/validate/validate.proto"


def _validate_proto_bytes() -> bytes:
    # The wheel's own generated code for validate.proto (protobuf-py) keeps the
    # descriptor it was built from; `ViolationsPb` is its public way in.
    desc_file = protovalidate.ViolationsPb.desc().file
    if desc_file.name != VALIDATE_PROTO:
        raise RuntimeError(f"protovalidate's messages are from {desc_file.name!r}")
    return desc_file.proto.to_binary()


def _well_known_file(name: str) -> FileDescriptor:
    if not (name.startswith("google/protobuf/") and name.endswith(".proto")):
        raise RuntimeError(
            f"{VALIDATE_PROTO} imports {name!r}, which is not a well-known type file"
        )
    # Importing google.protobuf.<x>_pb2 adds <x>.proto to the default pool.
    importlib.import_module(name.removesuffix(".proto").replace("/", ".") + "_pb2")
    return descriptor_pool.Default().FindFileByName(name)


def validate_descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """`buf/validate/validate.proto` and the files it imports, dependencies first."""
    validate = descriptor_pb2.FileDescriptorProto.FromString(_validate_proto_bytes())
    result = descriptor_pb2.FileDescriptorSet()
    added: set[str] = set()

    def add(file: FileDescriptor) -> None:
        if file.name in added:
            return
        for dependency in file.dependencies:
            add(dependency)
        added.add(file.name)
        result.file.add().MergeFromString(file.serialized_pb)

    for name in validate.dependency:
        add(_well_known_file(name))
    result.file.append(validate)
    return result


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m nexusproto.validate_descriptors OUT.binpb")
    out = Path(args[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(validate_descriptor_set().SerializeToString(deterministic=True))


if __name__ == "__main__":
    main()
