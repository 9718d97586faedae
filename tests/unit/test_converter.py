"""nexusproto.converter: proto JSON from a newer contract still decodes."""

import json
from typing import Any

import pytest
from google.protobuf import empty_pb2
from payments.v1 import payments_pb2
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    BinaryProtoPayloadConverter,
    DataConverter,
    JSONProtoPayloadConverter,
)

from nexusproto.converter import PayloadTypeError, data_converter


def _newer_request() -> Payload:
    """A ProcessPaymentRequest as a newer contract would send it: one field more."""
    fields = {"customerId": "c-1", "orderId": "o-1", "loyaltyTier": "gold"}
    return Payload(
        metadata={
            "encoding": b"json/protobuf",
            "messageType": b"payments.v1.ProcessPaymentRequest",
        },
        data=json.dumps(fields).encode(),
    )


def test_default_converter_refuses_unknown_fields() -> None:
    with pytest.raises(RuntimeError):
        DataConverter.default.payload_converter.from_payloads(
            [_newer_request()], [payments_pb2.ProcessPaymentRequest]
        )


def test_evolving_converter_ignores_them_and_keeps_the_rest() -> None:
    (request,) = data_converter.payload_converter.from_payloads(
        [_newer_request()], [payments_pb2.ProcessPaymentRequest]
    )
    assert request == payments_pb2.ProcessPaymentRequest(customer_id="c-1", order_id="o-1")


def test_encoding_is_unchanged() -> None:
    message = payments_pb2.ProcessPaymentResponse(transaction_id="tx-1")
    ours = data_converter.payload_converter.to_payloads([message])
    default = DataConverter.default.payload_converter.to_payloads([message])
    assert ours == default


def _payload(message: payments_pb2.HealthStatus, encoding: str) -> Payload:
    converter = (
        JSONProtoPayloadConverter() if encoding == "json/protobuf" else BinaryProtoPayloadConverter()
    )
    payload = converter.to_payload(message)
    assert payload is not None
    return payload


@pytest.mark.parametrize("encoding", ["json/protobuf", "binary/protobuf"])
def test_a_payload_of_another_message_type_is_refused_naming_both(encoding: str) -> None:
    """The SDK decodes by the payload's own type: a changed output the caller also
    knows would arrive as the wrong class, silently."""
    payload = _payload(payments_pb2.HealthStatus(accepting_charges=True), encoding)
    (wrong,) = DataConverter.default.payload_converter.from_payloads(
        [payload], [payments_pb2.ProcessPaymentResponse]
    )
    assert isinstance(wrong, payments_pb2.HealthStatus)
    with pytest.raises(PayloadTypeError) as refused:
        data_converter.payload_converter.from_payloads(
            [payload], [payments_pb2.ProcessPaymentResponse]
        )
    assert str(refused.value).startswith(
        "the payload is a payments.v1.HealthStatus message where the contract names "
        "payments.v1.ProcessPaymentResponse"
    )


@pytest.mark.parametrize("hint", [None, Any, empty_pb2.Empty, payments_pb2.HealthStatus])
def test_payloads_decode_as_before_where_no_other_type_is_named(hint: Any) -> None:
    payload = _payload(payments_pb2.HealthStatus(accepting_charges=True), "json/protobuf")
    (value,) = data_converter.payload_converter.from_payloads([payload], [hint])
    assert value == payments_pb2.HealthStatus(accepting_charges=True)
