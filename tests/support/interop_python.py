"""The Python side the Go and Java interop peers meet, shared by test_go.py and test_java.py.

The generated payments handler as a plain subclass (`Payments`), a converter
trying binary/protobuf first, the namespaces and settings of the Python teams,
and the helpers that turn a call's outcome into a comparable record
(support/outcomes.py, re-exported). Imported
again inside the workflow sandbox: no import-time side effects.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import nexusrpc
from google.protobuf import empty_pb2, json_format
from google.protobuf.message import Message
from payments.v1 import payments_pb2
from temporalio.converter import (
    BinaryNullPayloadConverter,
    BinaryPlainPayloadConverter,
    BinaryProtoPayloadConverter,
    CompositePayloadConverter,
    DataConverter,
    JSONPlainPayloadConverter,
    JSONProtoPayloadConverter,
)

from support.outcomes import (  # noqa: F401 - re-exported for the peers' tests
    CallResult,
    describe_failure,
    describe_result,
)
from support.payments import RecordingPayments

PY_HANDLER_NAMESPACE = "payments"
PY_CALLER_NAMESPACE = "orders"

SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
CALL_TIMEOUT = timedelta(seconds=30)
WORKFLOW_TIMEOUT = timedelta(minutes=2)
SCENARIO_TIMEOUT_SECONDS = 120
NO_PAYLOAD = {"metadata": {"encoding": "binary/null"}, "data": ""}


@dataclass
class Served:
    operation: str
    request: dict[str, Any] | None  # proto JSON; None for Empty requests


class Payments(RecordingPayments):
    """Settles every payment; records each call it serves (after validation) as
    proto JSON (`Served`), comparable with what a peer sent."""

    def record(self, operation: str, request: Message | None) -> None:
        as_json = None if request is None else json_format.MessageToDict(request)
        self.calls.append(Served(operation, as_json))


class BinaryFirstPayloadConverter(CompositePayloadConverter):
    """The default converters, binary/protobuf ahead of json/protobuf."""

    def __init__(self) -> None:
        super().__init__(
            BinaryNullPayloadConverter(),
            BinaryPlainPayloadConverter(),
            BinaryProtoPayloadConverter(),
            JSONProtoPayloadConverter(),
            JSONPlainPayloadConverter(),
        )


BINARY_FIRST = dataclasses.replace(
    DataConverter.default, payload_converter_class=BinaryFirstPayloadConverter
)


def run_async(body: Any) -> Any:
    return asyncio.run(asyncio.wait_for(body, timeout=SCENARIO_TIMEOUT_SECONDS))


def payload_view(payload: Any) -> dict[str, Any]:
    return {
        "metadata": {key: value.decode() for key, value in payload.metadata.items()},
        "data": payload.data.decode(errors="replace"),
    }


def valid_payment(order_id: str) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


@nexusrpc.service(name=SERVICE)
class EmptyAsMessage:
    """CheckHealth typed with the Empty message, as hand-written Python code (or
    code from an older protoc-gen-nexus-python) may type it: json/protobuf `{}`."""

    check_health: nexusrpc.Operation[empty_pb2.Empty, payments_pb2.HealthStatus] = (
        nexusrpc.Operation(name="CheckHealth")
    )
