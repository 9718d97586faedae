"""How proto names become TypeScript names: every rule for a generated identifier.

Message types, schemas and fields are named as protoc-gen-es (protobuf-es v2)
names them, so generated code refers to what it generates; the names this
plugin adds are built from the service's name.
"""

import posixpath
import re

RESERVED = frozenset(
    [
        # ECMAScript keywords, strict-mode and future reserved words
        "arguments",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "eval",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        # TypeScript's type names and the globals generated code uses
        "any",
        "bigint",
        "boolean",
        "never",
        "number",
        "object",
        "string",
        "symbol",
        "undefined",
        "unknown",
        "globalThis",
        "Object",
        "Partial",
        "Promise",
        "Record",
        "Uint8Array",
    ]
)
"""Names no generated declaration or import may take."""

# protoc-gen-es appends `$` to these (@bufbuild/protoplugin's safeIdentifier).
_ES_RESERVED = frozenset(
    [
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "enum",
        "implements",
        "interface",
        "let",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "Object",
        "bigint",
        "number",
        "boolean",
        "string",
        "object",
        "globalThis",
        "Uint8Array",
        "Partial",
    ]
)
# protobuf-es appends `$` to fields of these names (safeObjectProperty).
_ES_RESERVED_PROPERTIES = frozenset(["constructor", "toString", "toJSON", "valueOf"])
# Keys of an object literal or members of a class the generated code cannot use.
RESERVED_MEMBERS = frozenset(["__proto__", "constructor", "prototype"])

IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def es_identifier(name: str) -> str:
    return name + "$" if name in _ES_RESERVED else name


def message_type(qualname: str) -> str:
    """protoc-gen-es's type of a message: `Outer.Inner` -> `Outer_Inner`."""
    return es_identifier(qualname.replace(".", "_"))


def message_schema(qualname: str) -> str:
    """protoc-gen-es's schema constant of a message: `Outer.Inner` -> `Outer_InnerSchema`."""
    return es_identifier(qualname.replace(".", "_") + "Schema")


def proto_camel_case(name: str) -> str:
    """protobuf-es's protoCamelCase: `transaction_id` -> `transactionId`."""
    out = []
    upper_next = False
    for char in name:
        if char == "_":
            upper_next = True
        elif char.isdigit():
            out.append(char)
            upper_next = False
        else:
            out.append(char.upper() if upper_next else char)
            upper_next = False
    return "".join(out)


def field_property(field: str) -> str:
    """The property protobuf-es gives a field: `transaction_id` -> `transactionId`."""
    name = proto_camel_case(field)
    return name + "$" if name in _ES_RESERVED_PROPERTIES else name


def upper_camel(name: str) -> str:
    """`process_payment` -> `ProcessPayment`, `PaymentService` stays."""
    camel = proto_camel_case(name)
    return camel[:1].upper() + camel[1:]


def lower_camel(name: str) -> str:
    """`ProcessPayment` -> `processPayment`, `process_payment` -> `processPayment`,
    `HTTPCheck` -> `httpCheck` (a leading run of capitals is lowered but its last
    letter when a lower-case letter follows)."""
    camel = proto_camel_case(name)
    run = len(camel) - len(camel.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if run > 1 and run < len(camel):
        run -= 1
    return camel[:run].lower() + camel[run:] if run else camel


def constant_case(name: str) -> str:
    """`PaymentService` -> `PAYMENT_SERVICE`."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", proto_camel_case(name))
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words).upper()


def pb_module(proto_path: str) -> str:
    """Where protoc-gen-es writes a file's messages, without extension."""
    return proto_path.removesuffix(".proto") + "_pb"


def output_stem(proto_path: str) -> str:
    return proto_path.removesuffix(".proto") + "_nexus"


def relative_module(from_path: str, to_stem: str, extension: str) -> str:
    """The import specifier of `to_stem` (a path without extension) from file `from_path`."""
    relative = posixpath.relpath(to_stem, posixpath.dirname(from_path) or ".")
    if not relative.startswith("."):
        relative = "./" + relative
    return relative + extension
