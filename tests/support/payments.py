"""The payments team the end-to-end tests run: a plain subclass of the generated
`PaymentServiceHandler`, and the workflow its workflow-run operation starts.

This module is imported again inside the workflow sandbox, so it has no
import-time side effects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import nexusrpc
from google.protobuf.message import Message
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceHandler
from temporalio import workflow


@dataclass
class Call:
    operation: str
    request: object
    """The decoded request (after validation); None for Empty requests."""


class RecordingPayments(PaymentServiceHandler):
    """Settles every payment; records each call it serves (after validation)."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def record(self, operation: str, request: Message | None) -> None:
        """Keeps a served call, as a `Call`; a subclass may keep another form."""
        self.calls.append(Call(operation, request))

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self.record(ctx.operation, request)
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=f"tx-{request.order_id}-{uuid.uuid4().hex[:8]}",
            status=payments_pb2.PAYMENT_STATUS_SETTLED,
        )

    # refund_payment: the generated body starts RefundPaymentWorkflow.

    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        self.record(ctx.operation, None)
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        self.record(ctx.operation, None)


DECLINE_ORDER = "declined-by-issuer"
DECLINE_MESSAGE = "card declined by the issuer"


class DecliningPayments(RecordingPayments):
    """Settles every payment but DECLINE_ORDER's, which it refuses with a non-retryable
    BAD_REQUEST (recorded too): a handler error callers must show as such."""

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        if request.order_id == DECLINE_ORDER:
            self.record(ctx.operation, request)
            raise nexusrpc.HandlerError(DECLINE_MESSAGE, type=nexusrpc.HandlerErrorType.BAD_REQUEST)
        return await super().process_payment(ctx, request)


@workflow.defn
class RefundPaymentWorkflow:
    """The workflow the generated refund_payment body starts, by this type name."""

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        await workflow.sleep(0.1)  # asynchronous: the caller gets a token first
        return payments_pb2.RefundPaymentResponse(
            refund_id=f"refund-of-{request.transaction_id}",
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )
