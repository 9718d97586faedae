"""A data converter for contracts that evolve: proto JSON with unknown fields accepted.

The SDK's default converter refuses a `json/protobuf` payload holding a field
its message class does not know. Contracts shared across teams change one side
at a time: a caller built from a newer contract sends fields an older handler
has not heard of (and the other way round). Protobuf's own rule is to ignore
them, as the binary encoding always does; this converter makes proto JSON do
the same. Everything else is the SDK's default.

    client = await Client.connect(address, data_converter=nexusproto.converter.data_converter)
"""

from __future__ import annotations

import dataclasses

from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONProtoPayloadConverter,
)


class EvolvingContractPayloadConverter(CompositePayloadConverter):
    """The SDK's default payload converters, but proto JSON ignores unknown fields."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONProtoPayloadConverter(ignore_unknown_fields=True)
                if isinstance(converter, JSONProtoPayloadConverter)
                else converter
                for converter in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


data_converter = dataclasses.replace(
    DataConverter.default, payload_converter_class=EvolvingContractPayloadConverter
)
"""`DataConverter.default` with `EvolvingContractPayloadConverter`; pass it to `Client.connect`."""
