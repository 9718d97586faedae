"""How proto names become Python names."""

import keyword
import re

_WORD_BOUNDARY_AFTER_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """`ProcessPayment` -> `process_payment`, `GetHTTPStatus` -> `get_http_status`."""
    name = _WORD_BOUNDARY_AFTER_ACRONYM.sub(r"\1_\2", name)
    name = _WORD_BOUNDARY.sub(r"\1_\2", name)
    return name.lower()


def safe_identifier(name: str) -> str:
    """Append `_` to Python keywords (`class` -> `class_`); soft keywords are valid names."""
    return name + "_" if keyword.iskeyword(name) else name


def pb2_module(proto_path: str) -> str:
    """The module protoc's Python generator writes for a .proto file."""
    return _module_stem(proto_path).replace("/", ".") + "_pb2"


def nexus_output_path(proto_path: str) -> str:
    """The generated file, beside the `_pb2.py` of the same proto file."""
    return _module_stem(proto_path) + "_nexus.py"


def _module_stem(proto_path: str) -> str:
    stem = proto_path[: -len(".proto")] if proto_path.endswith(".proto") else proto_path
    return stem.replace("-", "_")
