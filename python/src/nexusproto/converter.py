"""A data converter for contracts that evolve: proto JSON with unknown fields accepted.

The SDK's default converter refuses a `json/protobuf` payload holding a field
its message class does not know. Contracts shared across teams change one side
at a time: a caller built from a newer contract sends fields an older handler
has not heard of (and the other way round). Protobuf's own rule is to ignore
them, as the binary encoding always does; this converter makes proto JSON do
the same.

It also holds a payload to the message type the receiving side's contract
names. The SDK decodes protobuf payloads as whatever type their `messageType`
says, so a handler whose contract changed an operation's output to another
message its caller also knows would hand the caller an object of the wrong
type, silently. Here the decoding refuses it, naming both types. Everything
else is the SDK's default.

    client = await Client.connect(address, data_converter=nexusproto.converter.data_converter)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from google.protobuf import empty_pb2
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    BinaryProtoPayloadConverter,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONProtoPayloadConverter,
)


class PayloadTypeError(TypeError):
    """A protobuf payload of another message type than the contract names."""


def _check_message_type(payload: Payload, type_hint: type | None) -> None:
    """Refuse a payload whose message type is not the one the contract expects.

    Only a concrete message type is held to (not `Any`, not `Empty`, which an
    operation taking no payload ignores whatever arrives).
    """
    if not (isinstance(type_hint, type) and issubclass(type_hint, Message)):
        return
    expected = type_hint.DESCRIPTOR.full_name if type_hint is not Message else ""
    sent = payload.metadata.get("messageType", b"").decode()
    if expected and sent and sent != expected and type_hint is not empty_pb2.Empty:
        raise PayloadTypeError(
            f"the payload is a {sent} message where the contract names {expected}: "
            "the sender's contract differs from this one for this operation "
            "(`nexus-contract breaking` reports such a change)"
        )


class _CheckedJSONProto(JSONProtoPayloadConverter):
    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        _check_message_type(payload, type_hint)
        return super().from_payload(payload, type_hint)


class _CheckedBinaryProto(BinaryProtoPayloadConverter):
    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        _check_message_type(payload, type_hint)
        return super().from_payload(payload, type_hint)


def _ours(converter: EncodingPayloadConverter) -> EncodingPayloadConverter:
    if isinstance(converter, JSONProtoPayloadConverter):
        return _CheckedJSONProto(ignore_unknown_fields=True)
    if isinstance(converter, BinaryProtoPayloadConverter):
        return _CheckedBinaryProto()
    return converter


class EvolvingContractPayloadConverter(CompositePayloadConverter):
    """The SDK's default payload converters, but proto JSON ignores unknown fields and
    protobuf payloads must be of the message type the contract names."""

    def __init__(self) -> None:
        super().__init__(*map(_ours, DefaultPayloadConverter.default_encoding_payload_converters))


data_converter = dataclasses.replace(
    DataConverter.default, payload_converter_class=EvolvingContractPayloadConverter
)
"""`DataConverter.default` with `EvolvingContractPayloadConverter`; pass it to `Client.connect`."""
