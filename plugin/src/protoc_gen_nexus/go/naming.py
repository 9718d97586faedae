"""How proto names become Go names: every rule for a generated Go identifier lives here.

Message types and packages are named as protoc-gen-go names them (its
`GoCamelCase` and `GoSanitized`), so generated code refers to the types it
generates; the names this plugin adds are built from the service's Go name.
"""

import posixpath
import re

KEYWORDS = frozenset(
    [
        "break",
        "case",
        "chan",
        "const",
        "continue",
        "default",
        "defer",
        "else",
        "fallthrough",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "import",
        "interface",
        "map",
        "package",
        "range",
        "return",
        "select",
        "struct",
        "switch",
        "type",
        "var",
    ]
)
"""Go's keywords: no identifier, and no package name, may be one."""


def go_camel_case(name: str) -> str:
    """protoc-gen-go's GoCamelCase: `process_payment` -> `ProcessPayment`,
    `Outer.Inner` -> `Outer_Inner`, `_x` -> `X_x`."""
    out: list[str] = []
    i = 0
    while i < len(name):
        c = name[i]
        following = name[i + 1] if i + 1 < len(name) else ""
        if c == "." and following.islower() and following.isascii():
            pass  # "." before a lower-case letter goes
        elif c == ".":
            out.append("_")
        elif c == "_" and (i == 0 or name[i - 1] == "."):
            out.append("X")  # a leading "_" would not be exported
        elif c == "_" and following.islower() and following.isascii():
            pass  # "_" before a lower-case letter goes; the letter is capitalised
        elif c.isascii() and c.isdigit():
            out.append(c)
        else:
            out.append(c.upper() if c.isascii() and c.islower() else c)
            while i + 1 < len(name) and name[i + 1].isascii() and name[i + 1].islower():
                i += 1
                out.append(name[i])
        i += 1
    return "".join(out)


_NOT_IDENTIFIER = re.compile(r"[^\w]", re.ASCII)


def go_sanitized(name: str) -> str:
    """protoc-gen-go's GoSanitized: a valid Go identifier from any text."""
    name = _NOT_IDENTIFIER.sub("_", name)
    if not name or name[0].isdigit() or name in KEYWORDS:
        return "_" + name
    return name


def message_type(qualname: str) -> str:
    """The Go type protoc-gen-go declares for a message: `Outer.Inner` -> `Outer_Inner`."""
    return go_camel_case(qualname)


def import_path_and_package(go_package: str) -> tuple[str, str]:
    """`example.com/pay/v1;payv1` -> both parts; without `;`, the package is the path's
    last element, sanitized, as protoc-gen-go derives it."""
    path, _, package = go_package.partition(";")
    return path, package or go_sanitized(posixpath.basename(path))


def output_prefix(proto_path: str, import_path: str, source_relative: bool) -> str:
    """Where protoc-gen-go writes `foo.pb.go`, without `.pb.go`: this plugin writes beside it."""
    stem = proto_path.removesuffix(".proto")
    if source_relative:
        return stem
    return posixpath.join(import_path, posixpath.basename(stem))


def output_path(prefix: str) -> str:
    return prefix + "_nexus.pb.go"


def is_exported_identifier(name: str) -> bool:
    return bool(name) and name.isidentifier() and name.isascii() and name[0].isupper()
