"""How proto names become Java names: every rule for a generated Java identifier lives here.

Message classes, outer classes and getters are named as protoc-gen-java names
them, so generated code refers to the classes it generates; the names this
plugin adds are built from the service's and operations' proto names.
"""

import posixpath
import re

KEYWORDS = frozenset(
    [
        "abstract",
        "assert",
        "boolean",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "final",
        "finally",
        "float",
        "for",
        "goto",
        "if",
        "implements",
        "import",
        "instanceof",
        "int",
        "interface",
        "long",
        "native",
        "new",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "short",
        "static",
        "strictfp",
        "super",
        "switch",
        "synchronized",
        "this",
        "throw",
        "throws",
        "transient",
        "try",
        "void",
        "volatile",
        "while",
        "true",
        "false",
        "null",
        "_",
        "var",
        "yield",
        "record",
        "sealed",
        "permits",
        "non-sealed",
    ]
)
"""Java's keywords, literals and restricted identifiers: no class, method or package
name may be one (`var`, `yield`, `record` only in some places; avoided everywhere)."""

OBJECT_METHODS = frozenset(
    [
        "clone",
        "equals",
        "finalize",
        "getClass",
        "hashCode",
        "notify",
        "notifyAll",
        "toString",
        "wait",
    ]
)
"""Methods every Java object has: an operation method of the same name could clash
with one (`toString()`), so it gets a trailing underscore as a keyword does."""

# protoc-gen-java appends `_` to the accessors of fields with these names (any case).
_FORBIDDEN_FIELDS = frozenset(
    [
        "class",
        "defaultinstancefortype",
        "parserfortype",
        "serializedsize",
        "allfields",
        "descriptorfortype",
        "initializationerrorstring",
        "unknownfields",
        "cachedsize",
    ]
)


def underscores_to_camel_case(name: str, capitalize_first: bool) -> str:
    """protoc-gen-java's UnderscoresToCamelCase: letters after `_` or a digit are
    capitalised and the `_` dropped; the first letter as asked."""
    out: list[str] = []
    capitalize_next = capitalize_first
    for index, char in enumerate(name):
        if "a" <= char <= "z":
            out.append(char.upper() if capitalize_next else char)
            capitalize_next = False
        elif "A" <= char <= "Z":
            out.append(char.lower() if index == 0 and not capitalize_first else char)
            capitalize_next = False
        elif "0" <= char <= "9":
            out.append(char)
            capitalize_next = True
        else:
            capitalize_next = True
    return "".join(out)


def getter(field: str) -> str:
    """The accessor protoc-gen-java generates for a field: `transaction_id` ->
    `getTransactionId`, `class` -> `getClass_`."""
    name = underscores_to_camel_case(field, capitalize_first=True)
    if name.lower() in _FORBIDDEN_FIELDS:
        name += "_"
    return "get" + name


def default_outer_class(proto_path: str) -> str:
    """The outer class protoc-gen-java names after a file without `java_outer_classname`
    (before the `OuterClass` suffix a clash adds): `payments/v1/payments.proto` -> `Payments`."""
    stem = posixpath.basename(proto_path).removesuffix(".proto")
    return underscores_to_camel_case(stem, capitalize_first=True)


def method_name(proto_method: str) -> str:
    """An operation's Java method: `ProcessPayment` -> `processPayment`, as grpc-java
    names stub methods; a keyword or a method of Object gets a trailing underscore."""
    name = proto_method[:1].lower() + proto_method[1:]
    name = underscores_to_camel_case(name, capitalize_first=False)
    if name in KEYWORDS or name in OBJECT_METHODS:
        name += "_"
    return name


def start_method_name(proto_method: str) -> str:
    """The caller's method that starts an operation: `Class` -> `startClass`."""
    return "start" + underscores_to_camel_case(proto_method, capitalize_first=True)


_UPPER_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def constant_name(name: str) -> str:
    """`ProcessPayment` -> `PROCESS_PAYMENT`, `refund_payment` -> `REFUND_PAYMENT`."""
    return "_".join(word.upper() for word in _UPPER_WORDS.findall(name))


_WORDS = re.compile(r"[^0-9A-Za-z]+")


def type_name(text: str) -> str:
    """A Java type name from free text such as a workflow type: its words capitalised."""
    words = [word for word in _WORDS.split(text) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or not name[0].isalpha():
        name = "Workflow" + name
    return name


def is_identifier(name: str) -> bool:
    return bool(name) and name.isascii() and name.isidentifier() and name not in KEYWORDS


def output_path(java_package: str, class_name: str) -> str:
    """Where javac expects the public class: `payments/v1/PaymentServiceNexus.java`."""
    return (
        posixpath.join(*java_package.split("."), class_name + ".java")
        if java_package
        else (class_name + ".java")
    )
