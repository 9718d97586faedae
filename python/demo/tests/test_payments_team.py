"""The payments team tests its handler: one operation in-process with
`testing.call`, no server; the workflow-run refund in `nexus_environment`."""

import asyncio
from collections.abc import Callable
from typing import Any

import nexusrpc
import pytest
from nexusproto import testing
from orders_payments.payments_team import Bank, Payments, RefundPaymentWorkflow
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentService, PaymentServiceStandaloneClient

CHARGE = payments_pb2.ProcessPaymentRequest(
    customer_id="5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d",
    order_id="o-1",
    amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
)


# --8<-- [start:handler-in-process]
def test_a_charge_settles() -> None:
    said: list[str] = []
    response = asyncio.run(
        testing.call(Payments(said.append), PaymentService.process_payment, CHARGE)
    )
    assert response.status == payments_pb2.PAYMENT_STATUS_SETTLED
    assert said == [f"[payments] charged 19.99 EUR for o-1 -> {response.transaction_id}"]


def test_an_invalid_charge_never_reaches_the_handler() -> None:
    said: list[str] = []
    invalid = payments_pb2.ProcessPaymentRequest(order_id="o-1")
    with pytest.raises(nexusrpc.HandlerError) as refused:
        asyncio.run(testing.call(Payments(said.append), PaymentService.process_payment, invalid))
    assert refused.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert "customer_id" in str(refused.value) and "amount" in str(refused.value)
    assert said == []


# --8<-- [end:handler-in-process]


def test_the_ledger_cannot_be_reset_from_outside() -> None:
    with pytest.raises(nexusrpc.HandlerError) as refused:
        asyncio.run(testing.call(Payments(), PaymentService.reset_ledger))
    assert refused.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST


# --8<-- [start:handler-in-environment]
def test_a_refund_runs_its_workflow(nexus_environment: Callable[..., Any]) -> None:
    said: list[str] = []

    async def scenario() -> payments_pb2.RefundPaymentResponse:
        async with nexus_environment(
            handlers={"payments": Payments(said.append)},
            workflows=[RefundPaymentWorkflow],
            activities=[Bank(said.append).refund],
        ) as env:
            return await PaymentServiceStandaloneClient(env.client).refund_payment(
                payments_pb2.RefundPaymentRequest(transaction_id="tx-1", amount=CHARGE.amount)
            )

    refund = asyncio.run(scenario())
    assert refund.refund_id == "refund-tx-1"
    assert refund.status == payments_pb2.PAYMENT_STATUS_REFUNDED
    assert said[0].startswith("[payments] bank returned 19.99 EUR of tx-1")


# --8<-- [end:handler-in-environment]
