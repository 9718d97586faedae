"""The orders team: a workflow and application code calling payments.

`OrderWorkflow` (namespace "orders") reaches the payments team only through the
generated `PaymentServiceNexusClient`: typed methods, the contract's timeout as
default, requests validated before they are sent. `pay_from_application` is
ordinary application code using `PaymentServiceStandaloneClient` (a standalone
Nexus operation, no workflow involved). The team also serves its carts
(`orders_payments.carts`) to others; `add_to_cart` calls one as they would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from nexusproto import InvalidRequestError
from orders.v1 import carts_pb2, orders_pb2
from orders.v1.carts_nexus import CartServiceStandaloneClient
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentServiceNexusClient,
    PaymentServiceStandaloneClient,
)
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from orders_payments.carts import CartHandler, CartWorkflow


@dataclass
class OrderOutcome:
    """What `OrderWorkflow` reports (plain fields: workflow results travel as JSON)."""

    order_id: str
    accepting_charges: bool = False
    transaction_id: str = ""
    payment_status: str = ""
    refund_id: str = ""
    refund_status: str = ""
    rejected_violations: list[str] = field(default_factory=list)
    rejected_message: str = ""


def status_name(status: payments_pb2.PaymentStatus.ValueType) -> str:
    return payments_pb2.PaymentStatus.Name(status)


# --8<-- [start:workflow-caller]
@workflow.defn
class OrderWorkflow:
    """Pays for an order, refunds it (the customer cancels), and shows that a
    malformed payment never leaves the workflow."""

    @workflow.run
    async def run(
        self, order: orders_pb2.PlaceOrderRequest, payments_endpoint: str | None = None
    ) -> OrderOutcome:
        # The contract names the endpoint ("payments"); the tests pass their own.
        if payments_endpoint is None:
            payments = PaymentServiceNexusClient()
        else:
            payments = PaymentServiceNexusClient(endpoint=payments_endpoint)
        outcome = OrderOutcome(order_id=order.order_id)

        health = await payments.check_health()  # Empty request: no argument
        outcome.accepting_charges = health.accepting_charges

        # A synchronous operation: the handler answers within the call.
        payment = await payments.process_payment(
            payments_pb2.ProcessPaymentRequest(
                customer_id=order.customer_id,
                order_id=order.order_id,
                amount=order.total,
            )
        )
        outcome.transaction_id = payment.transaction_id
        outcome.payment_status = status_name(payment.status)

        # A workflow-run operation: payments runs RefundPaymentWorkflow; we await
        # its result as if it were a call.
        refund = await payments.refund_payment(
            payments_pb2.RefundPaymentRequest(
                transaction_id=payment.transaction_id,
                amount=order.total,
                reason="order cancelled by the customer",
            ),
            schedule_to_close_timeout=timedelta(minutes=2),
        )
        outcome.refund_id = refund.refund_id
        outcome.refund_status = status_name(refund.status)

        # A request breaking the contract's rules is rejected here, field by field,
        # before anything is scheduled.
        try:
            await payments.process_payment(
                payments_pb2.ProcessPaymentRequest(
                    customer_id="customer-42",
                    order_id=order.order_id,
                    amount=payments_pb2.Money(currency="eur", amount_minor=0),
                )
            )
        except InvalidRequestError as err:
            outcome.rejected_violations = list(err.violations)
            outcome.rejected_message = err.message
        return outcome


# --8<-- [end:workflow-caller]


def orders_worker(client: Client, task_queue: str) -> Worker:
    """The orders team's worker (default workflow sandbox): its order workflow, and
    its carts, served to other teams through Nexus."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[OrderWorkflow, CartWorkflow],
        nexus_service_handlers=[CartHandler()],
    )


@dataclass
class StandalonePayment:
    operation_id: str
    response: payments_pb2.ProcessPaymentResponse


# --8<-- [start:standalone-caller]
async def pay_from_application(
    client: Client, request: payments_pb2.ProcessPaymentRequest, endpoint: str | None
) -> StandalonePayment:
    """Application code (no workflow) charging through a standalone Nexus operation."""
    if endpoint is None:
        payments = PaymentServiceStandaloneClient(client)
    else:
        payments = PaymentServiceStandaloneClient(client, endpoint=endpoint)
    handle = await payments.start_process_payment(request)  # a fresh operation id
    return StandalonePayment(handle.operation_id, await handle.result())


# --8<-- [end:standalone-caller]


async def add_to_cart(
    client: Client, item: carts_pb2.AddItemRequest, endpoint: str | None
) -> carts_pb2.Cart:
    """Application code adding to a cart: an update of its workflow, which the
    first item starts, through the carts contract's standalone client."""
    if endpoint is None:
        carts = CartServiceStandaloneClient(client)
    else:
        carts = CartServiceStandaloneClient(client, endpoint=endpoint)
    return await carts.add_item(item)
