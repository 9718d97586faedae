"""nexusproto.converter: proto JSON from a newer contract still decodes."""

import json

import pytest
from payments.v1 import payments_pb2
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from nexusproto.converter import data_converter


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
