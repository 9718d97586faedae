"""The orders team tests its workflow without the payments team: a generated fake
stands in for payments behind the endpoint the contract names ("payments")."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import nexusrpc
import pytest
from orders.v1 import orders_pb2
from orders_payments.orders_team import OrderOutcome, OrderWorkflow
from payments.v1 import payments_pb2
from payments.v1.payments_nexus_testing import PaymentServiceFake
from temporalio.client import WorkflowFailureError

ORDER = orders_pb2.PlaceOrderRequest(
    order_id="o-1",
    customer_id="5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d",
    total=payments_pb2.Money(currency="EUR", amount_minor=1999),
)


# --8<-- [start:caller-with-fake]
def place_order(
    nexus_environment: Callable[..., Any], payments: PaymentServiceFake
) -> OrderOutcome:
    async def scenario() -> OrderOutcome:
        async with nexus_environment(
            handlers={"payments": payments}, workflows=[OrderWorkflow]
        ) as env:
            return await env.client.execute_workflow(
                OrderWorkflow.run, ORDER, id=f"order-{uuid.uuid4()}", task_queue=env.task_queue
            )

    return asyncio.run(scenario())


def test_order_is_paid_then_refunded(nexus_environment: Callable[..., Any]) -> None:
    payments = PaymentServiceFake(
        check_health=lambda: payments_pb2.HealthStatus(accepting_charges=True),
        process_payment=lambda request: payments_pb2.ProcessPaymentResponse(
            transaction_id=f"tx-{request.order_id}", status=payments_pb2.PAYMENT_STATUS_SETTLED
        ),
        refund_payment=payments_pb2.RefundPaymentResponse(
            refund_id="refund-1", status=payments_pb2.PAYMENT_STATUS_REFUNDED
        ),
    )
    outcome = place_order(nexus_environment, payments)
    assert (outcome.transaction_id, outcome.payment_status) == ("tx-o-1", "PAYMENT_STATUS_SETTLED")
    assert (outcome.refund_id, outcome.refund_status) == ("refund-1", "PAYMENT_STATUS_REFUNDED")
    # The charge the workflow sent, and only that one: the malformed payment it
    # also tries is refused by the generated client before anything is sent.
    [charge] = payments.calls["process_payment"]
    assert (charge.order_id, charge.amount.amount_minor) == ("o-1", 1999)
    assert payments.calls["refund_payment"][0].transaction_id == "tx-o-1"
    assert outcome.rejected_violations == [
        "customer_id: must be a valid UUID [string.uuid]",
        "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
        "amount.amount_minor: must be greater than 0 [int64.gt]",
    ]


# --8<-- [end:caller-with-fake]


def test_a_declined_payment_fails_the_order(nexus_environment: Callable[..., Any]) -> None:
    payments = PaymentServiceFake(
        check_health=lambda: payments_pb2.HealthStatus(accepting_charges=True),
        process_payment=nexusrpc.OperationError(
            "card declined", state=nexusrpc.OperationErrorState.FAILED
        ),
    )
    with pytest.raises(WorkflowFailureError) as failed:
        place_order(nexus_environment, payments)
    assert "card declined" in str(failed.value.cause.__cause__)
    assert payments.calls["refund_payment"] == []
