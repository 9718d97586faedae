"""Issue 12: the testing kit's own tests (`nexusproto.testing`, the generated fakes).

Without a server: `testing.call` runs one operation of a handler as a worker would,
so a fake's canned, callable, async and exception answers, its recording, its
refusal of unexpected calls and the contract's validation are all visible here.
With the kit's own server (`testing.environment`, shared by the session): fakes
registered on a real worker, a workflow-run operation answered at once or left
to its generated body, and the server reused by a second environment.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import nexusrpc
    import pytest
    from nexusproto import testing
    from payments.v1 import payments_pb2
    from payments.v1.payments_nexus import PaymentService, PaymentServiceStandaloneClient
    from payments.v1.payments_nexus_testing import PaymentServiceFake
    from support.payments import RefundPaymentWorkflow

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
SETTLED = payments_pb2.PAYMENT_STATUS_SETTLED


def payment(order_id: str = "o-1") -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def paid(transaction_id: str = "tx-1") -> payments_pb2.ProcessPaymentResponse:
    return payments_pb2.ProcessPaymentResponse(transaction_id=transaction_id, status=SETTLED)


def run(fake: PaymentServiceFake, operation: Any, request: Any = None) -> Any:
    return asyncio.run(testing.call(fake, operation, request))


# --- answers ------------------------------------------------------------------------


async def _async_answer(
    request: payments_pb2.ProcessPaymentRequest,
) -> payments_pb2.ProcessPaymentResponse:
    await asyncio.sleep(0)
    return paid(f"tx-async-{request.order_id}")


@pytest.mark.parametrize(
    ("answer", "transaction_id"),
    [
        (paid("tx-canned"), "tx-canned"),
        (lambda request: paid(f"tx-{request.order_id}"), "tx-o-1"),
        (_async_answer, "tx-async-o-1"),
    ],
    ids=["canned", "callable", "async callable"],
)
def test_answers(answer: Any, transaction_id: str) -> None:
    fake = PaymentServiceFake(process_payment=answer)
    assert run(fake, PaymentService.process_payment, payment()).transaction_id == transaction_id


@pytest.mark.parametrize(
    "error",
    [
        nexusrpc.HandlerError("card network down", type=nexusrpc.HandlerErrorType.UNAVAILABLE),
        nexusrpc.OperationError("card declined", state=nexusrpc.OperationErrorState.FAILED),
        RuntimeError("anything"),
    ],
    ids=["HandlerError", "OperationError", "RuntimeError"],
)
def test_exception_answers_are_raised(error: Exception) -> None:
    fake = PaymentServiceFake(process_payment=error)
    with pytest.raises(type(error)) as raised:
        run(fake, PaymentService.process_payment, payment())
    assert raised.value is error
    assert len(fake.calls["process_payment"]) == 1


def test_empty_input_and_output_operations() -> None:
    fake = PaymentServiceFake(
        check_health=lambda: payments_pb2.HealthStatus(accepting_charges=True),
        reset_ledger=lambda: None,
    )
    assert run(fake, PaymentService.check_health).accepting_charges
    assert run(fake, PaymentService.reset_ledger) is None
    assert fake.calls["check_health"] == [None]
    assert fake.calls["reset_ledger"] == [None]


def test_an_operation_given_nothing_fails_clearly_and_is_not_retried() -> None:
    fake = PaymentServiceFake(process_payment=paid())
    with pytest.raises(nexusrpc.HandlerError) as raised:
        run(fake, PaymentService.check_health)
    assert raised.value.type == nexusrpc.HandlerErrorType.NOT_IMPLEMENTED
    assert raised.value.retryable is False
    assert str(raised.value) == (
        "PaymentServiceFake was given no answer for 'CheckHealth' (check_health); "
        "pass check_health=... to answer it"
    )


def test_calls_are_recorded_in_order() -> None:
    fake = PaymentServiceFake(process_payment=lambda request: paid())
    for order_id in ("o-1", "o-2", "o-3"):
        run(fake, PaymentService.process_payment, payment(order_id))
    assert [request.order_id for request in fake.calls["process_payment"]] == ["o-1", "o-2", "o-3"]
    assert fake.calls["refund_payment"] == []


def test_call_validates_the_request_before_the_answer_runs() -> None:
    answered: list[object] = []
    fake = PaymentServiceFake(process_payment=lambda request: answered.append(request) or paid())
    invalid = payment()
    invalid.amount.currency = "eur"
    with pytest.raises(nexusrpc.HandlerError) as raised:
        run(fake, PaymentService.process_payment, invalid)
    assert raised.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert raised.value.retryable is False
    assert "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]" in str(
        raised.value
    )
    assert answered == [] and fake.calls["process_payment"] == []


def test_call_validates_a_canned_response_too() -> None:
    fake = PaymentServiceFake(process_payment=payments_pb2.ProcessPaymentResponse())
    with pytest.raises(nexusrpc.HandlerError) as raised:
        run(fake, PaymentService.process_payment, payment())
    assert raised.value.type == nexusrpc.HandlerErrorType.INTERNAL
    assert "transaction_id: must be at least 1 characters [string.min_len]" in str(raised.value)


def test_call_refuses_a_workflow_run_operation_with_directions() -> None:
    with pytest.raises(TypeError, match="starts a workflow, an update or an activity; .*testing.environment"):
        run(
            PaymentServiceFake(), PaymentService.refund_payment, payments_pb2.RefundPaymentRequest()
        )


def test_a_fake_is_a_handler_of_the_contract() -> None:
    from payments.v1.payments_nexus import PaymentServiceHandler

    fake = PaymentServiceFake(refund_payment=payments_pb2.RefundPaymentResponse(refund_id="r"))
    assert isinstance(fake, PaymentServiceFake) and isinstance(fake, PaymentServiceHandler)
    assert nexusrpc.get_service_definition(type(fake)).name == "payments.v1.PaymentService"  # type: ignore[union-attr]


# --- on a server ----------------------------------------------------------------------


def test_fakes_on_a_worker_and_the_server_reused() -> None:
    """A refund answered at once, one left to its generated body; then a second
    environment on the same server."""
    refund = payments_pb2.RefundPaymentRequest(transaction_id="t-1")

    async def scenario() -> dict[str, Any]:
        answered = PaymentServiceFake(
            refund_payment=payments_pb2.RefundPaymentResponse(refund_id="answered-at-once")
        )
        async with testing.environment(handlers={"payments": answered}) as env:
            at_once = await PaymentServiceStandaloneClient(env.client).refund_payment(refund)
        first_server = testing._server
        workflow_body = PaymentServiceFake()
        started = time.monotonic()
        async with testing.environment(
            handlers={"payments": workflow_body}, workflows=[RefundPaymentWorkflow]
        ) as env:
            by_workflow = await PaymentServiceStandaloneClient(env.client).refund_payment(refund)
            description = await env.client.get_workflow_handle("refund-t-1").describe()
        return {
            "at_once": at_once,
            "by_workflow": by_workflow,
            "workflow_type": description.workflow_type,
            "reused": testing._server is first_server,
            "second_environment_seconds": time.monotonic() - started,
            "calls": (answered.calls["refund_payment"], workflow_body.calls["refund_payment"]),
        }

    found = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert found["at_once"].refund_id == "answered-at-once"
    assert found["by_workflow"].refund_id == "refund-of-t-1"
    assert found["workflow_type"] == "RefundPaymentWorkflow"
    assert found["reused"]
    assert found["calls"] == ([refund], [refund])


def test_production_modules_do_not_load_the_kit() -> None:
    import subprocess
    import sys

    from support.protoc import REPO

    script = (
        "import sys\n"
        "import payments.v1.payments_nexus, orders.v1.orders_nexus\n"
        "print(sorted(m for m in sys.modules if 'testing' in m))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO / "gen", capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "nexusproto.testing" not in result.stdout
    assert "payments_nexus_testing" not in result.stdout
