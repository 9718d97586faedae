"""How proto names become Go names: every rule for a generated Go identifier lives here.

Message types and packages are named as protoc-gen-go names them (its
`GoCamelCase` and `GoSanitized`), so generated code refers to the types it
generates; the names this plugin adds are built from the service's Go name.
"""

import functools
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


_CAMEL_PARTS = re.compile(r"(\.(?=[a-z]))|(\.)|((?<![^.])_)|(_(?=[a-z]))|([0-9])|(.)([a-z]*)")


@functools.cache
def go_camel_case(name: str) -> str:
    """protoc-gen-go's GoCamelCase: `process_payment` -> `ProcessPayment`,
    `Outer.Inner` -> `Outer_Inner`, `_x` -> `X_x`.

    As there: a `.` or `_` before a lower-case letter goes and the letter is
    capitalised, any other `.` becomes `_`, a `_` that starts the name (or follows
    a `.`) becomes `X`, and every other letter starts a word that is capitalised."""
    out = []
    for dot_lower, dot, leading, under_lower, digit, first, rest in _CAMEL_PARTS.findall(name):
        if dot_lower or under_lower:
            continue
        if dot:
            out.append("_")
        elif leading:
            out.append("X")
        elif digit:
            out.append(digit)
        else:
            out.append((first.upper() if "a" <= first <= "z" else first) + rest)
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
