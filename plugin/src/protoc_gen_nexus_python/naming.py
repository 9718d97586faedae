"""How proto names become Python names."""

import builtins
import keyword
import re

_WORD_BOUNDARY_AFTER_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """`ProcessPayment` -> `process_payment`, `GetHTTPStatus` -> `get_http_status`."""
    name = _WORD_BOUNDARY_AFTER_ACRONYM.sub(r"\1_\2", name)
    name = _WORD_BOUNDARY.sub(r"\1_\2", name)
    return name.lower()


_BUILTINS = frozenset(dir(builtins))


def safe_identifier(name: str) -> str:
    """Append `_` to keywords and builtins: `class` -> `class_`, `type` -> `type_`.

    Keywords cannot be names at all; a builtin can, but a generated class or
    method named `str` would shadow the `str` later annotations refer to.
    Soft keywords other than builtins (`match`, `case`) stay as they are.
    """
    if keyword.iskeyword(name) or name in _BUILTINS:
        return name + "_"
    return name


# Parameters and locals of generated methods whose bodies refer to the service
# class: a class of one of these names would be shadowed there.
_METHOD_LOCALS = frozenset(
    {"self", "ctx", "request", "client", "endpoint", "options", "handle", "checked"}
)


def class_identifier(name: str) -> str:
    """`safe_identifier` for a service class, which must not be a generated local either.

    `client.create_nexus_client(client, ...)` would pass the Temporal client
    where a service named `client` belongs; such a class becomes `client_`.
    """
    return name + "_" if name in _METHOD_LOCALS else safe_identifier(name)


def pb2_module(proto_path: str) -> str:
    """The module protoc's Python generator writes for a .proto file."""
    return _module_stem(proto_path).replace("/", ".") + "_pb2"


def nexus_output_path(proto_path: str) -> str:
    """The generated file, beside the `_pb2.py` of the same proto file.

    protoc's Python generator writes that file where its module path points,
    so a dot in the file name is a directory: `a.b.proto` -> `a/b_pb2.py`.
    """
    return _module_stem(proto_path).replace(".", "/") + "_nexus.py"


def _module_stem(proto_path: str) -> str:
    stem = proto_path[: -len(".proto")] if proto_path.endswith(".proto") else proto_path
    return stem.replace("-", "_")
