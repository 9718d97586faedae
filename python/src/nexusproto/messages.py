"""What a person needs to write a request by hand: a message's fields, rules and JSON.

- `describe(descriptor)`: the fields of a message, nested messages expanded,
  each with its type and its `buf.validate` rules.
- `rules_of(field)` and `rule_lines(rules)`: the `(buf.validate.field)` rules a
  field carries, as protovalidate reads them, and one line per rule
  (`string.uuid = true`).
- `json_template(descriptor)`: a proto JSON object holding every field, to fill in.
- `parse_json(text, cls)`: proto JSON into a message, with an error that names
  the field for malformed JSON, unknown fields and wrong types.

Rules are read from the options of the message descriptors that protoc's `_pb2`
modules hold. Those modules carry the rules as extensions of
`buf/validate/validate.proto`, whose Python module may not be importable where
the contract is used; the options are therefore read against that file's
descriptors as the protovalidate wheel ships them (`nexusproto.validate_descriptors`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import (
    Descriptor,
    EnumDescriptor,
    FieldDescriptor,
    OneofDescriptor,
)
from google.protobuf.message import Message

from nexusproto.validate_descriptors import validate_descriptor_set

__all__ = [
    "DataError",
    "Field",
    "MessageDescription",
    "describe",
    "json_template",
    "parse_json",
    "rule_lines",
    "rules_of",
]

M = TypeVar("M", bound=Message)

# Messages shown as one value in proto JSON, not as fields.
_JSON_SCALARS: dict[str, Any] = {
    "google.protobuf.Timestamp": "1970-01-01T00:00:00Z",
    "google.protobuf.Duration": "0s",
    "google.protobuf.FieldMask": "",
    "google.protobuf.Struct": {},
    "google.protobuf.Value": None,
    "google.protobuf.ListValue": [],
    "google.protobuf.Any": {"@type": ""},
    "google.protobuf.Empty": {},
    "google.protobuf.DoubleValue": 0,
    "google.protobuf.FloatValue": 0,
    "google.protobuf.Int64Value": 0,
    "google.protobuf.UInt64Value": 0,
    "google.protobuf.Int32Value": 0,
    "google.protobuf.UInt32Value": 0,
    "google.protobuf.BoolValue": False,
    "google.protobuf.StringValue": "",
    "google.protobuf.BytesValue": "",
}

_SCALAR_NAMES = {
    FieldDescriptor.TYPE_DOUBLE: "double",
    FieldDescriptor.TYPE_FLOAT: "float",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_FIXED64: "fixed64",
    FieldDescriptor.TYPE_FIXED32: "fixed32",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
    FieldDescriptor.TYPE_UINT32: "uint32",
    FieldDescriptor.TYPE_SFIXED32: "sfixed32",
    FieldDescriptor.TYPE_SFIXED64: "sfixed64",
    FieldDescriptor.TYPE_SINT32: "sint32",
    FieldDescriptor.TYPE_SINT64: "sint64",
}


@dataclass(frozen=True)
class Field:
    name: str
    """The proto field name, as in `customer_id`."""
    json_name: str
    """The proto JSON name, as in `customerId` (proto JSON accepts both)."""
    type: str
    """`string`, `int64`, a message or enum full name, or `map<K, V>`."""
    repeated: bool
    optional: bool
    """Declared `optional` (explicit presence in proto3)."""
    oneof: str | None
    """The oneof the field belongs to: at most one of its fields is set."""
    rules: Message | None
    """The field's `buf.validate.FieldRules`, None when it has none."""
    enum_values: tuple[str, ...]
    fields: MessageDescription | None
    """The message a message field (or map value) holds, expanded; None for scalars,
    enums, well-known types and a message inside itself."""


@dataclass(frozen=True)
class MessageDescription:
    full_name: str
    fields: tuple[Field, ...]
    rules: Message | None
    """The message's `buf.validate.MessageRules` (CEL expressions, oneof rules)."""
    oneof_rules: tuple[tuple[str, Message], ...]
    """`(oneof name, buf.validate.OneofRules)` of each oneof that has rules."""


def describe(cls: type[Message]) -> MessageDescription:
    """The fields of `cls`, message fields expanded (a message within itself is not)."""
    descriptor = cast(Descriptor, cls.DESCRIPTOR)  # the upb class is a Descriptor too
    return _describe(descriptor, (descriptor.full_name,))


def _describe(descriptor: Descriptor, within: tuple[str, ...]) -> MessageDescription:
    synthetic = _synthetic_oneofs(descriptor)
    fields = []
    for field in descriptor.fields:
        oneof = field.containing_oneof
        value = _map_value(field)
        shown = value if value is not None else field
        nested = None
        message = shown.message_type
        if (
            message is not None
            and message.full_name not in _JSON_SCALARS
            and message.full_name not in within
        ):
            nested = _describe(message, (*within, message.full_name))
        enum: EnumDescriptor | None = shown.enum_type
        fields.append(
            Field(
                name=field.name,
                json_name=field.json_name,
                type=_type_name(field),
                repeated=_repeated(field) and value is None,
                optional=oneof is not None and oneof.name in synthetic,
                oneof=oneof.name if oneof is not None and oneof.name not in synthetic else None,
                rules=rules_of(field),
                enum_values=tuple(v.name for v in enum.values) if enum is not None else (),
                fields=nested,
            )
        )
    oneof_rules = []
    for oneof in descriptor.oneofs:
        if oneof.name not in synthetic:
            found = _extension(oneof, "google.protobuf.OneofOptions", "buf.validate.oneof")
            if found is not None:
                oneof_rules.append((oneof.name, found))
    return MessageDescription(
        full_name=descriptor.full_name,
        fields=tuple(fields),
        rules=_extension(descriptor, "google.protobuf.MessageOptions", "buf.validate.message"),
        oneof_rules=tuple(oneof_rules),
    )


def _type_name(field: FieldDescriptor) -> str:
    value = _map_value(field)
    if value is not None:
        return f"map<{_type_name(_map_key_field(field))}, {_type_name(value)}>"
    if field.message_type is not None:
        return str(field.message_type.full_name)
    if field.enum_type is not None:
        return str(field.enum_type.full_name)
    return _SCALAR_NAMES.get(field.type, str(field.type))


def _map_value(field: FieldDescriptor) -> FieldDescriptor | None:
    """The value field of a map field's entry; None for other fields."""
    message = field.message_type
    if message is None or not message.GetOptions().map_entry:
        return None
    value: FieldDescriptor = message.fields_by_name["value"]
    return value


def _map_key_field(field: FieldDescriptor) -> FieldDescriptor:
    entry: Any = field.message_type
    key: FieldDescriptor = entry.fields_by_name["key"]
    return key


def _repeated(field: FieldDescriptor) -> bool:
    # protobuf 7 has only `is_repeated`, 5.29 only `label`.
    repeated = getattr(field, "is_repeated", None)
    if repeated is None:
        return bool(getattr(field, "label", None) == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def _synthetic_oneofs(descriptor: Descriptor) -> set[str]:
    """The oneofs protoc makes for proto3 `optional` fields (no descriptor API tells)."""
    if not descriptor.oneofs:
        return set()
    proto = descriptor_pb2.DescriptorProto()
    descriptor.CopyToProto(proto)
    return {proto.oneof_decl[f.oneof_index].name for f in proto.field if f.proto3_optional}


# --- buf.validate rules ------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _rules_pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for file in validate_descriptor_set().file:
        pool.Add(file)
    return pool


def _extension(
    descriptor: Descriptor | FieldDescriptor | OneofDescriptor, options: str, extension: str
) -> Message | None:
    raw = descriptor.GetOptions().SerializeToString()
    if not raw:
        return None
    pool = _rules_pool()
    parsed = message_factory.GetMessageClass(pool.FindMessageTypeByName(options)).FromString(raw)
    found: Any = pool.FindExtensionByName(extension)
    if not parsed.HasExtension(found):
        return None
    rules: Message = parsed.Extensions[found]
    return rules


def rules_of(field: FieldDescriptor) -> Message | None:
    """The field's `(buf.validate.field)` rules, None when it has none."""
    return _extension(field, "google.protobuf.FieldOptions", "buf.validate.field")


def rule_lines(rules: Message | None) -> list[str]:
    """One line per rule, as in `string.uuid = true` or `int64.gt = 0`."""
    return list(_rule_lines(rules, "")) if rules is not None else []


def rules_json(rules: Message | None) -> dict[str, Any] | None:
    """The rules as proto JSON (`{"string": {"uuid": true}}`), None when there are none."""
    return json_format.MessageToDict(rules) if rules is not None else None


def _rule_lines(message: Message, prefix: str) -> Iterator[str]:
    if message.DESCRIPTOR.full_name in _JSON_SCALARS:
        yield f"{prefix} = {json.dumps(json_format.MessageToDict(message))}"
        return
    for field, value in message.ListFields():
        path = f"{prefix}.{field.name}" if prefix else field.name
        if field.message_type is not None:
            if _repeated(field):
                for index, item in enumerate(value):
                    yield from _rule_lines(item, f"{path}[{index}]")
            else:
                yield from _rule_lines(value, path)
        elif _repeated(field):
            yield f"{path} = [{', '.join(_rule_value(field, item) for item in value)}]"
        else:
            yield f"{path} = {_rule_value(field, value)}"


def _rule_value(field: FieldDescriptor, value: Any) -> str:
    if field.enum_type is not None:
        known = field.enum_type.values_by_number.get(value)
        return str(known.name) if known is not None else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


# --- proto JSON --------------------------------------------------------------------------


def json_template(cls: type[Message]) -> dict[str, Any]:
    """A proto JSON object holding every field of `cls` with a placeholder value.

    Nested messages are expanded, lists and maps hold one element, enums their
    first value, and of a oneof only the first field is present (proto JSON
    refuses two). A message within itself is `{}`. The template parses back
    into a `cls` message.
    """
    descriptor = cast(Descriptor, cls.DESCRIPTOR)  # the upb class is a Descriptor too
    return _template(descriptor, (descriptor.full_name,))


def _template(descriptor: Descriptor, within: tuple[str, ...]) -> dict[str, Any]:
    synthetic = _synthetic_oneofs(descriptor)
    seen: set[str] = set()
    out: dict[str, Any] = {}
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None and oneof.name not in synthetic:
            if oneof.name in seen:
                continue
            seen.add(oneof.name)
        value = _map_value(field)
        if value is not None:
            key = _map_key(_map_key_field(field))
            out[field.json_name] = {key: _template_value(value, within)}
        elif _repeated(field):
            out[field.json_name] = [_template_value(field, within)]
        else:
            out[field.json_name] = _template_value(field, within)
    return out


def _template_value(field: FieldDescriptor, within: tuple[str, ...]) -> Any:
    message = field.message_type
    if message is not None:
        if message.full_name in _JSON_SCALARS:
            return _JSON_SCALARS[message.full_name]
        if message.full_name in within:
            return {}
        return _template(message, (*within, message.full_name))
    if field.enum_type is not None:
        return field.enum_type.values[0].name
    if field.type == FieldDescriptor.TYPE_BOOL:
        return False
    if field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
        return ""
    return 0


def _map_key(key: FieldDescriptor) -> str:
    if key.type == FieldDescriptor.TYPE_BOOL:
        return "false"
    if key.type == FieldDescriptor.TYPE_STRING:
        return ""
    return "0"


class DataError(ValueError):
    """Request data that is not proto JSON of the message; the message names the field."""


_NESTED_FIELD = re.compile(r"^Failed to parse (\S+) field: ")
# Some messages end with where protobuf was, which the path says already.
_TRAILING_LOCATION = re.compile(r" at [\w.\[\]]+$")
_UNKNOWN_FIELD = re.compile(
    r'^Message type "(?P<message>[^"]+)" has no field named "(?P<field>[^"]+)" at "[^"]*"\.?'
    r'(\s*Available Fields\(except extensions\): "\[(?P<known>.*)\]")?',
    re.DOTALL,
)


def parse_json(text: str, cls: type[M]) -> M:
    """`text`, a proto JSON object, as a `cls` message; unknown fields are errors.

    Raises DataError naming the field path (`amount.amountMinor: ...`) for a
    wrong type or an unknown field, and the line and column for malformed JSON.
    """
    full_name = cls.DESCRIPTOR.full_name
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(value, dict):
        raise DataError(
            f"the request must be a JSON object (a {full_name}), not {_json_kind(value)}"
        )
    message = cls()
    try:
        json_format.ParseDict(value, message)
    except (json_format.ParseError, ValueError, TypeError, AttributeError) as error:
        raise DataError(f"not a {full_name}: {_explain(str(error))}") from None
    return message


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _explain(text: str) -> str:
    """protobuf's nested "Failed to parse a field: Failed to parse b field: ..." as `a.b: ...`."""
    path = []
    while match := _NESTED_FIELD.match(text):
        path.append(match.group(1))
        text = text[match.end() :]
    text = _TRAILING_LOCATION.sub("", text.strip().rstrip("."))
    unknown = _UNKNOWN_FIELD.match(text)
    if unknown:
        path.append(unknown["field"])
        known = ", ".join(re.findall(r"'([^']*)'", unknown["known"] or ""))
        text = f"unknown field of {unknown['message']}" + (f" (fields: {known})" if known else "")
    return f"{'.'.join(path)}: {text}" if path else text
