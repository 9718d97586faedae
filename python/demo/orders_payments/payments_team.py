"""The payments team: the handler of its contract, the refund workflow, the worker.

Nothing here is Nexus plumbing: `Payments` is a plain subclass of the generated
`PaymentServiceHandler` (validation of requests and responses, the operation
decorators and the registration come from the base), and `refund_payment` is not
written at all: the contract makes it a workflow-run operation whose generated
body starts `RefundPaymentWorkflow` with ID `refund-{transaction_id}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import nexusrpc
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceHandler
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

import nexusproto

Say = Callable[[str], None]


def money(amount: payments_pb2.Money) -> str:
    """`19.99 EUR` for 1999 minor units (two-decimal currencies, for the demo)."""
    units, cents = divmod(amount.amount_minor, 100)
    return f"{units}.{cents:02d} {amount.currency}"


# --8<-- [start:handler]
class Payments(PaymentServiceHandler):
    """Settles every charge at once; refunds run as `RefundPaymentWorkflow`."""

    def __init__(self, say: Say = print) -> None:
        self.say = say

    # --8<-- [start:idempotent-charge]
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        # The server retries a start that got no answer (a worker died mid-call),
        # with the same request ID, so the handler can run twice for one payment.
        # Keyed on it, the charge is the same one every time: a real service passes
        # the key to its payment provider or stores it in a unique column.
        key = nexusproto.idempotency_key(ctx)
        transaction_id = f"tx-{uuid.uuid5(uuid.NAMESPACE_URL, key).hex[:8]}"
        self.say(
            f"[payments] charged {money(request.amount)} for {request.order_id} -> {transaction_id}"
        )
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=transaction_id, status=payments_pb2.PAYMENT_STATUS_SETTLED
        )

    # --8<-- [end:idempotent-charge]
    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        raise nexusrpc.HandlerError(
            "the ledger is reset by the payments team's own tests only",
            type=nexusrpc.HandlerErrorType.BAD_REQUEST,
        )


# --8<-- [end:handler]


class Bank:
    """The slow part of a refund, as an activity of the refund workflow."""

    def __init__(self, say: Say = print) -> None:
        self.say = say

    @activity.defn(name="RefundAtBank")
    async def refund(self, request: payments_pb2.RefundPaymentRequest) -> str:
        reference = f"bank-{uuid.uuid4().hex[:6]}"
        self.say(
            f"[payments] bank returned {money(request.amount)} of "
            f"{request.transaction_id} ({reference}, workflow "
            f"{activity.info().workflow_id})"
        )
        return reference


# --8<-- [start:refund-workflow]
@workflow.defn
class RefundPaymentWorkflow:
    """Started by the generated `refund_payment` operation, one per transaction."""

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        await workflow.execute_activity_method(
            Bank.refund, request, start_to_close_timeout=timedelta(seconds=30)
        )
        return payments_pb2.RefundPaymentResponse(
            refund_id=workflow.info().workflow_id,
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )


# --8<-- [end:refund-workflow]


# --8<-- [start:worker]
def payments_worker(client: Client, task_queue: str, say: Say = print) -> Worker:
    """The payments team's worker: Nexus handler, refund workflow and its activity."""
    return Worker(
        client,
        task_queue=task_queue,
        nexus_service_handlers=[Payments(say)],
        workflows=[RefundPaymentWorkflow],
        activities=[Bank(say).refund],
    )


# --8<-- [end:worker]
