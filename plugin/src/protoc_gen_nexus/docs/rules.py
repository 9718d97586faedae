"""buf.validate rules in plain words, for people reading a contract.

The rules arrive as the option messages the request declares (`FieldRules`,
`MessageRules`, `OneofRules`), decoded by the resolver's `OptionReader`; this
module reads them by field name, so a rule it does not know (a newer
protovalidate, a predefined rule extension) is still shown, by its name and
value, rather than dropped.
"""

import json
import math
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message


@dataclass(frozen=True)
class Value:
    """A literal from the contract (a pattern, a string, a name), shown as code."""

    text: str


Phrase = tuple[str | Value, ...]
"""One rule: words, and the contract's own values among them."""

EnumNames = Mapping[int, str]
"""An enum field's value names by number, to show enum rules by name."""

_NUMERIC = frozenset(
    {
        "float",
        "double",
        "int32",
        "int64",
        "uint32",
        "uint64",
        "sint32",
        "sint64",
        "fixed32",
        "fixed64",
        "sfixed32",
        "sfixed64",
    }
)

# String formats by rule name: what a valid value is.
_STRING_FORMATS = {
    "email": "an email address",
    "hostname": "a hostname",
    "ip": "an IP address",
    "ipv4": "an IPv4 address",
    "ipv6": "an IPv6 address",
    "uri": "an absolute URI",
    "uri_ref": "a URI reference",
    "address": "a hostname or IP address",
    "uuid": "a UUID",
    "tuuid": "a UUID without dashes",
    "ulid": "a ULID",
    "ip_with_prefixlen": "an IP address with prefix length",
    "ipv4_with_prefixlen": "an IPv4 address with prefix length",
    "ipv6_with_prefixlen": "an IPv6 address with prefix length",
    "ip_prefix": "an IP prefix",
    "ipv4_prefix": "an IPv4 prefix",
    "ipv6_prefix": "an IPv6 prefix",
    "host_and_port": "a host and port",
    "protobuf_fqn": "a fully-qualified Protobuf name",
    "protobuf_dot_fqn": "a fully-qualified Protobuf name with a leading dot",
}
_BYTES_FORMATS = {
    "ip": "an IP address (4 or 16 bytes)",
    "ipv4": "an IPv4 address (4 bytes)",
    "ipv6": "an IPv6 address (16 bytes)",
    "uuid": "a UUID (16 bytes)",
}
_KNOWN_REGEX = {
    "KNOWN_REGEX_HTTP_HEADER_NAME": "an HTTP header name",
    "KNOWN_REGEX_HTTP_HEADER_VALUE": "an HTTP header value",
}
_IGNORE = {
    "IGNORE_IF_ZERO_VALUE": "checked only when set",
    "IGNORE_IF_UNPOPULATED": "checked only when set",
    "IGNORE_IF_DEFAULT_VALUE": "checked only when not the default value",
    "IGNORE_ALWAYS": "never checked",
}
# Examples document a field; they constrain nothing.
_NOT_RULES = frozenset({"example"})


def field_rules(rules: Message | None, enum_names: EnumNames | None = None) -> tuple[Phrase, ...]:
    """`(buf.validate.field)` of one field, one phrase per rule."""
    return () if rules is None else tuple(_field_rules(rules, enum_names))


def message_rules(rules: Message | None) -> tuple[Phrase, ...]:
    """`(buf.validate.message)`: custom rules and field groups of a whole message."""
    if rules is None:
        return ()
    phrases: list[Phrase] = []
    for name, field, value in _set_fields(rules):
        if name in ("cel", "cel_expression"):
            phrases.extend(_custom_rules(value))
        elif name == "oneof":
            phrases.extend(_field_group(group) for group in value)
        elif name == "disabled" and value:
            phrases.append(("validation of this message is disabled",))
        else:
            phrases.append(_unknown(name, field, value))
    return tuple(phrases)


def oneof_rules(fields: tuple[str, ...], rules: Message | None) -> tuple[Phrase, ...]:
    """`(buf.validate.oneof)` of a oneof holding `fields`."""
    if rules is None:
        return ()
    phrases: list[Phrase] = []
    for name, field, value in _set_fields(rules):
        if name == "required":
            if value:
                phrases.append(("exactly one of ", *_listing(fields)))
        else:
            phrases.append(_unknown(name, field, value))
    return tuple(phrases)


def _field_rules(rules: Message, enum_names: EnumNames | None) -> Iterator[Phrase]:
    # Whether the field must be set, or is checked at all, reads first.
    first = ("required", "ignore")
    ordered = sorted(_set_fields(rules), key=lambda rule: rule[0] not in first)
    for name, field, value in ordered:
        if name == "required":
            if value:
                yield ("required",)
        elif name == "ignore":
            label = _enum_label(field, value)
            yield (_IGNORE[label],) if label in _IGNORE else ("ignore: ", Value(label))
        elif name in ("cel", "cel_expression"):
            yield from _custom_rules(value)
        elif name in _NUMERIC:
            yield from _bounded(value, lambda number, f: _number(number, f))
        elif name == "string":
            yield from _string_rules(value)
        elif name == "bytes":
            yield from _bytes_rules(value)
        elif name == "bool":
            yield from _bool_rules(value)
        elif name == "enum":
            yield from _enum_rules(value, enum_names)
        elif name == "repeated":
            yield from _repeated_rules(value, enum_names)
        elif name == "map":
            yield from _map_rules(value)
        elif name == "any":
            yield from _any_rules(value)
        elif name == "duration":
            yield from _bounded(value, lambda duration, _: _duration(duration))
        elif name == "timestamp":
            yield from _bounded(value, lambda timestamp, _: _timestamp(timestamp))
        elif name == "field_mask":
            yield from _field_mask_rules(value)
        else:
            yield _unknown(name, field, value)


def _set_fields(rules: Message) -> Iterator[tuple[str, FieldDescriptor, Any]]:
    """The rules set on an option message, in field-number order; extensions by full name."""
    for field, value in rules.ListFields():
        yield (field.full_name if field.is_extension else field.name), field, value


def _custom_rules(rules: Any) -> Iterator[Phrase]:
    """CEL rules: `Rule` messages (id, message, expression) or bare expressions."""
    for rule in rules:
        if isinstance(rule, str):
            yield ("custom rule ", Value(rule))
        elif rule.id and rule.message:
            yield ("custom rule ", Value(rule.id), ": " + rule.message)
        elif rule.id or rule.expression:
            yield ("custom rule ", Value(rule.id or rule.expression))


def _field_group(group: Any) -> Phrase:
    """`MessageOneofRule`: of these fields at most one is set, or exactly one when required."""
    quantity = "exactly one of " if group.required else "at most one of "
    return (quantity, *_listing(tuple(group.fields)))


def _bounded(rules: Message, show: Callable[[Any, FieldDescriptor], str]) -> Iterator[Phrase]:
    """Rules of ordered values (numbers, durations, timestamps): bounds first, lower then upper.

    A lower bound above the upper one means outside the range (protovalidate's
    rule for `gt: 10, lt: 5`), which reads as one phrase.
    """
    values = {name: (field, value) for name, field, value in _set_fields(rules)}
    lower = _bound(values, (("gt", "greater than "), ("gte", "at least ")), show)
    upper = _bound(values, (("lt", "less than "), ("lte", "at most ")), show)
    if lower and upper and _ordered(lower[2]) > _ordered(upper[2]):
        yield (lower[0] + " or " + upper[0],)
    else:
        yield from ((bound[0],) for bound in (lower, upper) if bound)
    for name, (field, value) in values.items():
        if name in ("gt", "gte", "lt", "lte") or name in _NOT_RULES:
            continue
        if name == "const":
            yield ("exactly " + show(value, field),)
        elif name in ("in", "not_in"):
            shown = ", ".join(show(item, field) for item in value)
            yield (("one of " if name == "in" else "none of ") + shown,)
        elif name == "finite":
            if value:
                yield ("finite (not NaN or infinity)",)
        else:
            yield from _more_time_rules(name, field, value)


def _bound(
    values: dict[str, tuple[FieldDescriptor, Any]],
    kinds: tuple[tuple[str, str], ...],
    show: Callable[[Any, FieldDescriptor], str],
) -> tuple[str, FieldDescriptor, Any] | None:
    for name, words in kinds:
        if name in values:
            field, value = values[name]
            return words + show(value, field), field, value
    return None


def _ordered(value: Any) -> Any:
    """A bound's value as something `>` compares: numbers as they are, durations and
    timestamps (seconds, nanos) as a pair."""
    if isinstance(value, Message):
        return (value.seconds, value.nanos)  # type: ignore[attr-defined]
    return value


def _more_time_rules(name: str, field: FieldDescriptor, value: Any) -> Iterator[Phrase]:
    """Timestamp rules beyond the bounds; anything else is unknown."""
    if name == "lt_now":
        if value:
            yield ("in the past",)
    elif name == "gt_now":
        if value:
            yield ("in the future",)
    elif name == "within":
        yield ("within " + _duration(value) + " of now",)
    else:
        yield _unknown(name, field, value)


def _string_rules(rules: Message) -> Iterator[Phrase]:
    values = {name: (field, value) for name, field, value in _set_fields(rules)}
    for name, (field, value) in values.items():
        if name in _NOT_RULES or name == "strict":
            continue
        if name in _STRING_FORMATS:
            if value:
                yield (_STRING_FORMATS[name],)
        elif name == "well_known_regex":
            label = _enum_label(field, value)
            loosely = "strict" in values and not values["strict"][1]
            words = _KNOWN_REGEX.get(label)
            if words is None:
                yield ("matches ", Value(label))
            else:
                yield (words + (" (not strictly checked)" if loosely else ""),)
        else:
            yield from _sized_text_rules(name, field, value, "character", _string_literal)


def _bytes_rules(rules: Message) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name in _NOT_RULES:
            continue
        if name in _BYTES_FORMATS:
            if value:
                yield (_BYTES_FORMATS[name],)
        else:
            yield from _sized_text_rules(name, field, value, "byte", _bytes_literal)


def _sized_text_rules(
    name: str, field: FieldDescriptor, value: Any, unit: str, literal: Callable[[Any], str]
) -> Iterator[Phrase]:
    """What strings and bytes share: lengths, pattern, affixes, allowed values."""
    sizes = {
        "len": ("exactly", unit),
        "min_len": ("at least", unit),
        "max_len": ("at most", unit),
        "len_bytes": ("exactly", "byte"),
        "min_bytes": ("at least", "byte"),
        "max_bytes": ("at most", "byte"),
    }
    affixes = {
        "prefix": "starts with ",
        "suffix": "ends with ",
        "contains": "contains ",
        "not_contains": "does not contain ",
        "const": "exactly ",
    }
    if name in sizes:
        words, what = sizes[name]
        yield (f"{words} {_count(value, what)}",)
    elif name == "pattern":
        yield ("matches the regular expression ", Value(value))
    elif name in affixes:
        yield (affixes[name], Value(literal(value)))
    elif name in ("in", "not_in"):
        yield (
            "one of " if name == "in" else "none of ",
            *_listing(tuple(literal(item) for item in value)),
        )
    else:
        yield _unknown(name, field, value)


def _bool_rules(rules: Message) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name == "const":
            yield ("exactly " + ("true" if value else "false"),)
        elif name not in _NOT_RULES:
            yield _unknown(name, field, value)


def _enum_rules(rules: Message, enum_names: EnumNames | None) -> Iterator[Phrase]:
    def named(number: int) -> Value:
        return Value(enum_names.get(number, str(number)) if enum_names else str(number))

    for name, field, value in _set_fields(rules):
        if name == "defined_only":
            if value:
                yield ("a value the enum defines",)
        elif name == "const":
            yield ("exactly ", named(value))
        elif name in ("in", "not_in"):
            yield (
                "one of " if name == "in" else "none of ",
                *_listing(tuple(named(number).text for number in value)),
            )
        elif name not in _NOT_RULES:
            yield _unknown(name, field, value)


def _repeated_rules(rules: Message, enum_names: EnumNames | None) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name == "min_items":
            yield (f"at least {_count(value, 'item')}",)
        elif name == "max_items":
            yield (f"at most {_count(value, 'item')}",)
        elif name == "unique":
            if value:
                yield ("no duplicate items",)
        elif name == "items":
            yield from (("each item: ", *phrase) for phrase in _field_rules(value, enum_names))
        else:
            yield _unknown(name, field, value)


def _map_rules(rules: Message) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name == "min_pairs":
            yield (f"at least {_count(value, 'entry', 'entries')}",)
        elif name == "max_pairs":
            yield (f"at most {_count(value, 'entry', 'entries')}",)
        elif name in ("keys", "values"):
            each = "each key: " if name == "keys" else "each value: "
            yield from ((each, *phrase) for phrase in _field_rules(value, None))
        else:
            yield _unknown(name, field, value)


def _any_rules(rules: Message) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name in ("in", "not_in"):
            words = "a message of type " if name == "in" else "no message of type "
            yield (words, *_listing(tuple(value), "or" if name == "in" else "nor"))
        else:
            yield _unknown(name, field, value)


def _field_mask_rules(rules: Message) -> Iterator[Phrase]:
    for name, field, value in _set_fields(rules):
        if name == "const":
            yield ("exactly the paths ", *_listing(tuple(value.paths)))
        elif name == "in":
            yield ("only paths among ", *_listing(tuple(value)))
        elif name == "not_in":
            yield ("no path among ", *_listing(tuple(value)))
        elif name not in _NOT_RULES:
            yield _unknown(name, field, value)


def _unknown(name: str, field: FieldDescriptor, value: Any) -> Phrase:
    """A rule this module has no words for, shown by name and value rather than dropped."""
    return ("rule ", Value(f"{name} = {_plain_value(field, value)}"))


def _plain_value(field: FieldDescriptor, value: Any) -> str:
    # Repeated containers are sequences (protobuf 5.29 has no `is_repeated`, 7 no `label`).
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "[" + ", ".join(_plain_value_one(field, item) for item in value) + "]"
    return _plain_value_one(field, value)


def _plain_value_one(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        # The text format, on one line: the message as the .proto file writes it.
        return "{" + " ".join(str(value).split()) + "}"
    if field.type == FieldDescriptor.TYPE_ENUM:
        return _enum_label(field, value)
    if field.type == FieldDescriptor.TYPE_STRING:
        return _string_literal(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return _bytes_literal(value)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    return _number(value, field)


def _enum_label(field: FieldDescriptor, number: int) -> str:
    member = field.enum_type.values_by_number.get(number) if field.enum_type else None
    return member.name if member is not None else str(number)


def _listing(items: tuple[str, ...], conjunction: str = "") -> Iterator[str | Value]:
    """Values separated by commas (and `conjunction` before the last one, if given)."""
    for index, item in enumerate(items):
        if index:
            last = index == len(items) - 1
            yield f" {conjunction} " if conjunction and last else ", "
        yield Value(item)


def _count(number: int, unit: str, plural: str = "") -> str:
    return f"{number} {unit if number == 1 else plural or unit + 's'}"


def _number(value: Any, field: FieldDescriptor) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if field.type == FieldDescriptor.TYPE_FLOAT:
        return _shortest_float32(value)
    return repr(value)


def _shortest_float32(value: float) -> str:
    """The shortest decimal that is the same 32-bit float (`0.1`, not `0.10000000149011612`)."""
    stored = struct.pack("<f", value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == stored:
            return repr(float(text))
    return repr(value)


def _duration(duration: Any) -> str:
    """A google.protobuf.Duration as its JSON form: `30s`, `1.5s`."""
    nanos = duration.seconds * 1_000_000_000 + duration.nanos
    seconds, fraction = divmod(abs(nanos), 1_000_000_000)
    sign = "-" if nanos < 0 else ""
    if not fraction:
        return f"{sign}{seconds}s"
    return f"{sign}{seconds}.{fraction:09d}".rstrip("0") + "s"


def _timestamp(timestamp: Any) -> str:
    """A google.protobuf.Timestamp as its JSON form (RFC 3339, UTC)."""
    try:
        moment = datetime(1970, 1, 1) + timedelta(seconds=timestamp.seconds)
    except OverflowError:  # outside years 1 to 9999, which Timestamp does not allow anyway
        return f"{timestamp.seconds}s after 1970-01-01T00:00:00Z"
    text = moment.isoformat(timespec="seconds")
    if timestamp.nanos:
        text += f".{timestamp.nanos:09d}".rstrip("0")
    return text + "Z"


def _string_literal(value: str) -> str:
    """A string value quoted, its control characters escaped, so spaces and emptiness show."""
    return json.dumps(value, ensure_ascii=False)


def _bytes_literal(value: bytes) -> str:
    printable = (
        chr(byte) if 0x20 <= byte < 0x7F and byte not in b'"\\' else f"\\x{byte:02x}"
        for byte in value
    )
    return '"' + "".join(printable) + '"'
