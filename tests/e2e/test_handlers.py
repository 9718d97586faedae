"""Issue 3: a plain subclass of the generated `PaymentServiceHandler` serves calls.

Against the session's real dev server: the handler (a subclass with no decorators)
runs on a worker in namespace "payments"; workflows in namespace "orders" call it
through a Nexus endpoint with the raw SDK client
(`workflow.create_nexus_client(service=PaymentService, ...)`), which validates
nothing, so the handler's own checks are what the caller meets.

How attempts are counted: `StartAttempts`, a worker interceptor on the payments
worker, records every Nexus start task the worker receives (operation and request
ID) before the operation's handler, and so before validation, runs. A retried
start shows up as a second record with the same request ID.

This module is imported again inside the workflow sandbox, so it must stay free of
import-time side effects.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import nexusrpc
import nexusrpc.handler
import pytest
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentService, PaymentServiceHandler
from temporalio import exceptions, nexus, workflow
from temporalio.api.enums.v1 import EventType, NexusHandlerErrorRetryBehavior
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import (
    ExecuteNexusOperationStartInput,
    Interceptor,
    NexusOperationInboundInterceptor,
    Worker,
)

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
NEXUS_TIMEOUT_SECONDS = 60.0
"""Schedule-to-close timeout of the calls that must end by themselves.

Far longer than any test waits (`TEST_TIMEOUT_SECONDS`): a call that the server
kept retrying instead of failing at once would make its test time out.
"""
TEST_TIMEOUT_SECONDS = 30.0
HOLD = "hold until released"
"""A `RefundPaymentRequest.reason` that makes `RefundPaymentWorkflow` wait for
`release` (or for a cancel)."""
NON_RETRYABLE = (
    NexusHandlerErrorRetryBehavior.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE
)

T = TypeVar("T")


def _payment_request(order_id: str) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def _transaction_id() -> str:
    """Unique per call, so the templated workflow ID never collides across runs."""
    return f"txn-{uuid.uuid4().hex[:12]}"


# --- the payments side ---------------------------------------------------------------


@workflow.defn
class RefundPaymentWorkflow:
    """The workflow the generated default of `refund_payment` starts (by type name)."""

    def __init__(self) -> None:
        self._released = False

    @workflow.signal
    def release(self) -> None:
        self._released = True

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        if request.reason == HOLD:
            await workflow.wait_condition(lambda: self._released)
        return payments_pb2.RefundPaymentResponse(
            refund_id=f"refund-of-{request.transaction_id}",
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )


class Payments(PaymentServiceHandler):
    """What a team writes: a plain subclass, no decorators; refunds use the default."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        """Every run of user code, by method name."""
        self.ledger: list[str] = []

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self.calls.append("process_payment")
        transaction_id = f"txn-{request.order_id}"
        self.ledger.append(transaction_id)
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=transaction_id, status=payments_pb2.PAYMENT_STATUS_SETTLED
        )

    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        self.calls.append("check_health")
        return payments_pb2.HealthStatus(accepting_charges=bool(self.ledger))

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        self.calls.append("reset_ledger")
        self.ledger.clear()


class Misbehaving(Payments):
    """Payments whose `process_payment` fails the way the request's order_id names."""

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self.calls.append("process_payment")
        match request.order_id:
            case "invalid-response":
                # ProcessPaymentResponse.transaction_id has min_len = 1.
                return payments_pb2.ProcessPaymentResponse(
                    status=payments_pb2.PAYMENT_STATUS_SETTLED
                )
            case "handler-error":
                raise nexusrpc.HandlerError(
                    f"no customer {request.customer_id}",
                    type=nexusrpc.HandlerErrorType.NOT_FOUND,
                )
            case "operation-error":
                raise nexusrpc.OperationError(
                    "card declined", state=nexusrpc.OperationErrorState.FAILED
                )
            case "value-error":
                raise ValueError("the bank answered nonsense")
        raise AssertionError(f"unexpected order_id {request.order_id!r}")


@dataclass(frozen=True)
class RefundStart:
    request_id: str
    workflow_id: str
    run_id: str


class FlakyRefunds(Payments):
    """Starts refunds with the generated default, but loses its first answer.

    The first start raises a retryable error after the workflow has started, as if
    the worker's response never reached the server; the server then retries the
    same start (same Nexus request ID).
    """

    def __init__(self) -> None:
        super().__init__()
        self.refund_starts: list[RefundStart] = []

    async def refund_payment(
        self,
        ctx: nexus.WorkflowRunOperationContext,
        request: payments_pb2.RefundPaymentRequest,
    ) -> nexus.WorkflowHandle[payments_pb2.RefundPaymentResponse]:
        handle = await super().refund_payment(ctx, request)
        started = (
            await nexus.client().get_workflow_handle(handle.workflow_id).describe()
        )
        self.refund_starts.append(
            RefundStart(ctx.request_id, handle.workflow_id, started.run_id)
        )
        if len(self.refund_starts) == 1:
            raise nexusrpc.HandlerError(
                "simulated: the answer to this start was lost",
                type=nexusrpc.HandlerErrorType.UNAVAILABLE,
            )
        return handle


@dataclass(frozen=True)
class StartAttempt:
    operation: str
    request_id: str


class _RecordStarts(NexusOperationInboundInterceptor):
    def __init__(
        self, next: NexusOperationInboundInterceptor, record: list[StartAttempt]
    ) -> None:
        super().__init__(next)
        self._record = record

    async def execute_nexus_operation_start(
        self, input: ExecuteNexusOperationStartInput
    ) -> (
        nexusrpc.handler.StartOperationResultSync[Any]
        | nexusrpc.handler.StartOperationResultAsync
    ):
        self._record.append(StartAttempt(input.ctx.operation, input.ctx.request_id))
        return await self.next.execute_nexus_operation_start(input)


class StartAttempts(Interceptor):
    """Records every Nexus start task the worker receives, in `attempts`."""

    def __init__(self) -> None:
        self.attempts: list[StartAttempt] = []

    def intercept_nexus_operation(
        self, next: NexusOperationInboundInterceptor
    ) -> NexusOperationInboundInterceptor:
        return _RecordStarts(next, self.attempts)


# --- the orders side: workflows calling through the raw SDK client -----------------


@workflow.defn
class CallPaymentsWorkflow:
    """Calls one operation of PaymentService; returns its result or fails with it."""

    @workflow.run
    async def run(
        self, endpoint: str, method: str, request: Any, timeout_seconds: float
    ) -> Any:
        payments = workflow.create_nexus_client(
            service=PaymentService, endpoint=endpoint
        )
        return await payments.execute_operation(
            getattr(PaymentService, method),
            request,
            schedule_to_close_timeout=timedelta(seconds=timeout_seconds),
        )


@dataclass
class CancelOutcome:
    operation_token: str
    error: str
    cause: str
    cause_message: str


@workflow.defn
class RefundThenCancelWorkflow:
    """Starts a refund, cancels it once started, and reports how the operation ended."""

    @workflow.run
    async def run(
        self, endpoint: str, request: payments_pb2.RefundPaymentRequest
    ) -> CancelOutcome:
        payments = workflow.create_nexus_client(
            service=PaymentService, endpoint=endpoint
        )
        operation = await payments.start_operation(
            PaymentService.refund_payment,
            request,
            schedule_to_close_timeout=timedelta(seconds=NEXUS_TIMEOUT_SECONDS),
            cancellation_type=workflow.NexusOperationCancellationType.WAIT_COMPLETED,
        )
        operation.cancel()
        try:
            await operation
        except exceptions.NexusOperationError as err:
            return CancelOutcome(
                operation_token=operation.operation_token or "",
                error=type(err).__name__,
                cause=type(err.cause).__name__,
                cause_message=str(err.cause),
            )
        raise exceptions.ApplicationError("the refund completed despite the cancel")


# --- plumbing ------------------------------------------------------------------------


@dataclass
class Stack:
    """A payments worker serving a handler, an orders worker, the endpoint between."""

    payments: Client
    orders: Client
    endpoint: str
    orders_queue: str
    starts: StartAttempts
    caller_ids: list[str] = field(default_factory=list)

    async def start_call(
        self,
        method: str,
        request: Any,
        timeout_seconds: float = NEXUS_TIMEOUT_SECONDS,
    ) -> Any:
        workflow_id = unique_name("call")
        self.caller_ids.append(workflow_id)
        return await self.orders.start_workflow(
            CallPaymentsWorkflow.run,
            args=[self.endpoint, method, request, timeout_seconds],
            id=workflow_id,
            task_queue=self.orders_queue,
            execution_timeout=timedelta(seconds=2 * NEXUS_TIMEOUT_SECONDS),
        )

    async def call(
        self,
        method: str,
        request: Any,
        timeout_seconds: float = NEXUS_TIMEOUT_SECONDS,
    ) -> Any:
        handle = await self.start_call(method, request, timeout_seconds)
        return await handle.result()

    async def failed_call(
        self,
        method: str,
        request: Any,
        timeout_seconds: float = NEXUS_TIMEOUT_SECONDS,
    ) -> exceptions.NexusOperationError:
        """The NexusOperationError the calling workflow got (it fails with it)."""
        try:
            result = await self.call(method, request, timeout_seconds)
        except WorkflowFailureError as err:
            assert isinstance(err.cause, exceptions.NexusOperationError), err.cause
            return err.cause
        raise AssertionError(f"the call succeeded: {result!r}")

    async def caller_nexus_events(self, workflow_id: str) -> list[Any]:
        """The Nexus operation events in a calling workflow's history."""
        history = await self.orders.get_workflow_handle(workflow_id).fetch_history()
        return [
            event
            for event in history.events
            if "NEXUS_OPERATION" in EventType.Name(event.event_type)
        ]


@asynccontextmanager
async def serving(server: DevServer, handler: Payments) -> AsyncIterator[Stack]:
    payments = await connect(server, "payments")
    orders = await connect(server, "orders")
    payments_queue = unique_task_queue("payments")
    orders_queue = unique_task_queue("orders")
    endpoint = await create_nexus_endpoint(
        orders, target_namespace="payments", task_queue=payments_queue
    )
    starts = StartAttempts()
    async with (
        Worker(
            payments,
            task_queue=payments_queue,
            nexus_service_handlers=[handler],
            workflows=[RefundPaymentWorkflow],
            interceptors=[starts],
        ),
        Worker(
            orders,
            task_queue=orders_queue,
            workflows=[CallPaymentsWorkflow, RefundThenCancelWorkflow],
        ),
    ):
        yield Stack(payments, orders, endpoint.spec.name, orders_queue, starts)


def run(
    server: DevServer,
    handler: Payments,
    scenario: Callable[[Stack], Awaitable[T]],
) -> T:
    async def main() -> T:
        async with serving(server, handler) as stack:
            return await scenario(stack)

    return asyncio.run(asyncio.wait_for(main(), timeout=TEST_TIMEOUT_SECONDS))


async def poll(
    condition: Callable[[], Awaitable[T | None]], what: str, timeout: float = 10.0
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


def _single_failed_attempt(stack: Stack, events: list[Any]) -> Failure:
    """Checks the call's one start attempt failed it; returns the failure's cause."""
    assert [EventType.Name(e.event_type) for e in events] == [
        "EVENT_TYPE_NEXUS_OPERATION_SCHEDULED",
        "EVENT_TYPE_NEXUS_OPERATION_FAILED",
    ]
    [attempt] = stack.starts.attempts
    assert attempt.operation == "ProcessPayment"
    return events[1].nexus_operation_failed_event_attributes.failure.cause


# --- 1. a plain subclass serves every operation --------------------------------------


def test_plain_subclass_serves_every_operation(dev_server: DevServer) -> None:
    handler = Payments()
    transaction_id = _transaction_id()

    async def scenario(stack: Stack) -> dict[str, Any]:
        results = {
            "payment": await stack.call("process_payment", _payment_request("order-1")),
            "health": await stack.call("check_health", None),
            "reset": await stack.call("reset_ledger", None),
            "refund": await stack.call(
                "refund_payment",
                payments_pb2.RefundPaymentRequest(
                    transaction_id=transaction_id, reason="duplicate charge"
                ),
            ),
        }
        refund_workflow = stack.payments.get_workflow_handle(
            f"refund-{transaction_id}",
            result_type=payments_pb2.RefundPaymentResponse,
        )
        results["refund_workflow"] = await refund_workflow.describe()
        results["refund_workflow_result"] = await refund_workflow.result()
        return results

    results = run(dev_server, handler, scenario)

    assert results["payment"] == payments_pb2.ProcessPaymentResponse(
        transaction_id="txn-order-1", status=payments_pb2.PAYMENT_STATUS_SETTLED
    )
    # Empty in: the method takes no request; it saw the ledger process_payment wrote.
    assert results["health"] == payments_pb2.HealthStatus(accepting_charges=True)
    # Empty in and out: the method returned None, the caller got no value.
    assert results["reset"] is None
    assert handler.calls == ["process_payment", "check_health", "reset_ledger"]
    assert handler.ledger == []
    # Workflow-run, generated default body: workflow type and templated ID.
    description = results["refund_workflow"]
    assert description.workflow_type == "RefundPaymentWorkflow"
    assert description.status == WorkflowExecutionStatus.COMPLETED
    expected_refund = payments_pb2.RefundPaymentResponse(
        refund_id=f"refund-of-{transaction_id}",
        status=payments_pb2.PAYMENT_STATUS_REFUNDED,
    )
    assert results["refund_workflow_result"] == expected_refund
    assert results["refund"] == expected_refund


# --- 2. a missing override is a TypeError at class creation --------------------------


def test_missing_override_fails_at_class_creation() -> None:
    with pytest.raises(TypeError) as raised:

        class Incomplete(PaymentServiceHandler):
            async def check_health(
                self, ctx: nexusrpc.handler.StartOperationContext
            ) -> payments_pb2.HealthStatus:
                return payments_pb2.HealthStatus()

            async def reset_ledger(
                self, ctx: nexusrpc.handler.StartOperationContext
            ) -> None:
                pass

    text = str(raised.value)
    assert "'payments.v1.PaymentService'" in text
    assert "'ProcessPayment'" in text
    assert (
        "async def process_payment(self, ctx: StartOperationContext, "
        "request: ProcessPaymentRequest) -> ProcessPaymentResponse"
    ) in text
    # Only what is missing is named: not the overridden operations, and not the
    # workflow-run operation, which has a generated default.
    for present in ("CheckHealth", "ResetLedger", "refund-payment"):
        assert present not in text


def test_abstract_intermediate_class_skips_the_check() -> None:
    class TeamBase(PaymentServiceHandler, abstract=True):
        async def check_health(
            self, ctx: nexusrpc.handler.StartOperationContext
        ) -> payments_pb2.HealthStatus:
            return payments_pb2.HealthStatus(accepting_charges=True)

        async def reset_ledger(
            self, ctx: nexusrpc.handler.StartOperationContext
        ) -> None:
            pass

    # Its subclasses are still checked ...
    with pytest.raises(TypeError, match="'ProcessPayment'"):

        class StillIncomplete(TeamBase):
            pass

    # ... and bound once complete: nexusrpc accepts an instance as a service handler.
    class Complete(TeamBase):
        async def process_payment(
            self,
            ctx: nexusrpc.handler.StartOperationContext,
            request: payments_pb2.ProcessPaymentRequest,
        ) -> payments_pb2.ProcessPaymentResponse:
            return payments_pb2.ProcessPaymentResponse(transaction_id="txn-1")

    service_handler = nexusrpc.handler.Handler([Complete()])
    assert SERVICE in service_handler.service_handlers


# --- 3. an invalid request from a raw SDK caller -------------------------------------


def test_invalid_request_is_rejected_once_without_running_user_code(
    dev_server: DevServer,
) -> None:
    handler = Payments()
    invalid = payments_pb2.ProcessPaymentRequest(
        customer_id="not-a-uuid",
        order_id="order-1",
        amount=payments_pb2.Money(currency="eur", amount_minor=0),
    )

    async def scenario(stack: Stack) -> tuple[Exception, Failure]:
        error = await stack.failed_call("process_payment", invalid)
        events = await stack.caller_nexus_events(stack.caller_ids[-1])
        return error, _single_failed_attempt(stack, events)

    error, failure = run(dev_server, handler, scenario)

    cause = error.__cause__
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert cause.retryable is False
    assert str(cause) == (
        f"invalid request to {SERVICE}/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: "
        "customer_id: must be a valid UUID [string.uuid]; "
        "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]; "
        "amount.amount_minor: must be greater than 0 [int64.gt]"
    )
    # On the wire, as the caller's history keeps it: marked non-retryable.
    assert failure.nexus_handler_failure_info.type == "BAD_REQUEST"
    assert failure.nexus_handler_failure_info.retry_behavior == NON_RETRYABLE
    # User code never ran.
    assert handler.calls == []


def test_other_invalid_requests_are_rejected(dev_server: DevServer) -> None:
    """A missing required field is named; a workflow-run operation checks too."""
    handler = Payments()
    missing_amount = payments_pb2.ProcessPaymentRequest(customer_id=CUSTOMER_ID)
    empty_refund = payments_pb2.RefundPaymentRequest(transaction_id="")

    async def scenario(stack: Stack) -> tuple[Exception, Exception, Exception]:
        payment_error = await stack.failed_call("process_payment", missing_amount)
        refund_error = await stack.failed_call("refund_payment", empty_refund)
        # Without the check the default body would have started "refund-".
        with pytest.raises(RPCError) as not_started:
            await stack.payments.get_workflow_handle("refund-").describe()
        return payment_error, refund_error, not_started.value

    payment_error, refund_error, not_started = run(dev_server, handler, scenario)

    assert isinstance(payment_error.__cause__, nexusrpc.HandlerError)
    assert str(payment_error.__cause__) == (
        f"invalid request to {SERVICE}/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: amount: value is required [required]"
    )
    assert handler.calls == []
    cause = refund_error.__cause__
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert str(cause) == (
        f"invalid request to {SERVICE}/refund-payment: "
        "payments.v1.RefundPaymentRequest: "
        "transaction_id: must be at least 1 characters [string.min_len]"
    )
    assert isinstance(not_started, RPCError)
    assert not_started.status == RPCStatusCode.NOT_FOUND


# --- 4. an invalid response ----------------------------------------------------------


def test_invalid_response_fails_the_call_once_as_internal(
    dev_server: DevServer,
) -> None:
    handler = Misbehaving()

    async def scenario(stack: Stack) -> tuple[Exception, Failure]:
        error = await stack.failed_call(
            "process_payment", _payment_request("invalid-response")
        )
        events = await stack.caller_nexus_events(stack.caller_ids[-1])
        return error, _single_failed_attempt(stack, events)

    error, failure = run(dev_server, handler, scenario)

    cause = error.__cause__
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.INTERNAL
    assert cause.retryable is False
    assert str(cause) == (
        f"handler of {SERVICE}/ProcessPayment returned an invalid response: "
        "payments.v1.ProcessPaymentResponse: "
        "transaction_id: must be at least 1 characters [string.min_len]"
    )
    assert failure.nexus_handler_failure_info.retry_behavior == NON_RETRYABLE
    assert handler.calls == ["process_payment"]


def test_response_of_the_wrong_type_is_an_internal_error() -> None:
    """The wrapper's type check, called directly (no server needed)."""

    class WrongType(Payments):
        async def process_payment(  # type: ignore[override]
            self,
            ctx: nexusrpc.handler.StartOperationContext,
            request: payments_pb2.ProcessPaymentRequest,
        ) -> payments_pb2.RefundPaymentResponse:
            self.calls.append("process_payment")
            return payments_pb2.RefundPaymentResponse(refund_id="refund-1")

    handler = WrongType()
    ctx: Any = None  # the wrapper hands it to user code only
    with pytest.raises(nexusrpc.HandlerError) as raised:
        asyncio.run(handler.process_payment(ctx, _payment_request("order-1")))
    assert raised.value.type == nexusrpc.HandlerErrorType.INTERNAL
    assert raised.value.retryable is False
    assert str(raised.value) == (
        f"handler of {SERVICE}/ProcessPayment returned RefundPaymentResponse, "
        "not ProcessPaymentResponse"
    )
    assert handler.calls == ["process_payment"]


@pytest.mark.parametrize("request_value", [None, payments_pb2.RefundPaymentRequest()])
def test_request_of_the_wrong_type_is_a_bad_request(request_value: Any) -> None:
    """Callers in other languages can send no value (binary/null) or another message."""
    handler = Payments()
    ctx: Any = None
    with pytest.raises(nexusrpc.HandlerError) as raised:
        asyncio.run(handler.process_payment(ctx, request_value))
    assert raised.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert raised.value.retryable is False
    assert str(raised.value) == (
        f"request to {SERVICE}/ProcessPayment must be a payments.v1.ProcessPaymentRequest "
        f"message, not {type(request_value).__name__}"
    )
    assert handler.calls == []


def test_empty_input_operation_accepts_no_value() -> None:
    handler = Payments()
    ctx: Any = None
    health = asyncio.run(handler.check_health(ctx, None))  # type: ignore[call-arg]
    assert isinstance(health, payments_pb2.HealthStatus)


# --- 5. workflow-run: retried start, cancel ------------------------------------------


def test_retried_start_reuses_the_workflow(dev_server: DevServer) -> None:
    handler = FlakyRefunds()
    transaction_id = _transaction_id()
    workflow_id = f"refund-{transaction_id}"

    async def scenario(stack: Stack) -> dict[str, Any]:
        call = await stack.start_call(
            "refund_payment",
            payments_pb2.RefundPaymentRequest(
                transaction_id=transaction_id, reason=HOLD
            ),
        )

        async def retried() -> bool | None:
            return True if len(handler.refund_starts) >= 2 else None  # noqa: PLR2004

        await poll(retried, "the server to retry the start")
        refund_workflow = stack.payments.get_workflow_handle(workflow_id)
        await refund_workflow.signal(RefundPaymentWorkflow.release)
        result = await call.result()

        async def runs() -> list[str] | None:
            found = [
                execution.run_id
                async for execution in stack.payments.list_workflows(
                    f"WorkflowId = '{workflow_id}'"
                )
            ]
            return found or None

        return {
            "result": result,
            "runs": await poll(runs, "the refund workflow in visibility"),
            "description": await refund_workflow.describe(),
            "attempts": list(stack.starts.attempts),
        }

    outcome = run(dev_server, handler, scenario)

    first, second = handler.refund_starts
    # The same start, retried by the server: same Nexus request ID ...
    assert first.request_id == second.request_id
    assert outcome["attempts"] == [StartAttempt("refund-payment", first.request_id)] * 2
    # ... and the generated body's start found the workflow it had started.
    assert first.workflow_id == second.workflow_id == workflow_id
    assert first.run_id == second.run_id
    assert outcome["runs"] == [first.run_id]
    assert outcome["description"].run_id == first.run_id
    assert outcome["description"].status == WorkflowExecutionStatus.COMPLETED
    assert outcome["result"] == payments_pb2.RefundPaymentResponse(
        refund_id=f"refund-of-{transaction_id}",
        status=payments_pb2.PAYMENT_STATUS_REFUNDED,
    )


def test_cancelling_the_operation_cancels_the_workflow(dev_server: DevServer) -> None:
    handler = Payments()
    transaction_id = _transaction_id()

    async def scenario(stack: Stack) -> tuple[CancelOutcome, Any]:
        outcome = await stack.orders.execute_workflow(
            RefundThenCancelWorkflow.run,
            args=[
                stack.endpoint,
                payments_pb2.RefundPaymentRequest(
                    transaction_id=transaction_id, reason=HOLD
                ),
            ],
            id=unique_name("cancel"),
            task_queue=stack.orders_queue,
            execution_timeout=timedelta(seconds=TEST_TIMEOUT_SECONDS),
        )
        description = await stack.payments.get_workflow_handle(
            f"refund-{transaction_id}"
        ).describe()
        return outcome, description

    outcome, description = run(dev_server, handler, scenario)

    assert outcome.operation_token  # it was started (asynchronously) before the cancel
    assert (outcome.error, outcome.cause) == ("NexusOperationError", "CancelledError")
    assert outcome.cause_message == "operation canceled"
    assert description.workflow_type == "RefundPaymentWorkflow"
    assert description.status == WorkflowExecutionStatus.CANCELED


# --- 6. errors the handler raises ----------------------------------------------------


def test_handler_error_reaches_the_caller_unchanged(dev_server: DevServer) -> None:
    handler = Misbehaving()

    async def scenario(stack: Stack) -> tuple[Exception, Failure]:
        error = await stack.failed_call(
            "process_payment", _payment_request("handler-error")
        )
        events = await stack.caller_nexus_events(stack.caller_ids[-1])
        return error, _single_failed_attempt(stack, events)

    error, failure = run(dev_server, handler, scenario)

    cause = error.__cause__
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.NOT_FOUND
    assert str(cause) == f"no customer {CUSTOMER_ID}"
    assert cause.retryable is False
    assert failure.nexus_handler_failure_info.type == "NOT_FOUND"
    assert handler.calls == ["process_payment"]


def test_operation_error_reaches_the_caller_as_failed_operation(
    dev_server: DevServer,
) -> None:
    handler = Misbehaving()

    async def scenario(stack: Stack) -> tuple[Exception, Failure]:
        error = await stack.failed_call(
            "process_payment", _payment_request("operation-error")
        )
        events = await stack.caller_nexus_events(stack.caller_ids[-1])
        return error, _single_failed_attempt(stack, events)

    error, failure = run(dev_server, handler, scenario)

    cause = error.__cause__
    # The SDK turns a failed OperationError into a non-retryable ApplicationError of
    # type "OperationError" carrying the message.
    assert isinstance(cause, exceptions.ApplicationError), repr(cause)
    assert cause.type == "OperationError"
    assert cause.message == "card declined"
    assert cause.non_retryable is True
    assert failure.application_failure_info.type == "OperationError"
    assert handler.calls == ["process_payment"]


def test_other_exceptions_are_retried_as_internal_errors(
    dev_server: DevServer,
) -> None:
    """A ValueError is not a HandlerError: the SDK reports it as a *retryable*
    INTERNAL error ("Internal handler error", the ValueError as its cause), so the
    server retries the start until the schedule-to-close timeout ends the call.
    """
    handler = Misbehaving()
    timeout_seconds = 4.0

    async def scenario(stack: Stack) -> tuple[Exception, Failure, StartAttempts]:
        call = await stack.start_call(
            "process_payment", _payment_request("value-error"), timeout_seconds
        )

        async def first_failure() -> Failure | None:
            description = await call.describe()
            for pending in description.raw_description.pending_nexus_operations:
                if pending.attempt >= 1 and pending.HasField("last_attempt_failure"):
                    return pending.last_attempt_failure
            return None

        async def retried() -> bool | None:
            return True if len(stack.starts.attempts) >= 2 else None  # noqa: PLR2004

        failure = await poll(first_failure, "the first attempt to fail")
        await poll(retried, "a second attempt")
        try:
            await call.result()
        except WorkflowFailureError as err:
            return err.cause, failure, stack.starts
        raise AssertionError("the call succeeded")

    error, failure, starts = run(dev_server, handler, scenario)
    attempts = starts.attempts  # complete: the workers have shut down

    # The caller's pending operation showed the first attempt's failure:
    assert failure.message == "Internal handler error"
    assert failure.nexus_handler_failure_info.type == "INTERNAL"
    assert failure.nexus_handler_failure_info.retry_behavior != NON_RETRYABLE
    assert failure.cause.message == "the bank answered nonsense"
    assert failure.cause.application_failure_info.type == "ValueError"
    # The same start, attempted again by the server; user code ran each time.
    assert len(attempts) >= 2  # noqa: PLR2004
    assert {(a.operation, a.request_id) for a in attempts} == {
        ("ProcessPayment", attempts[0].request_id)
    }
    assert handler.calls == ["process_payment"] * len(attempts)
    # In the end the caller gets the timeout, not the handler's error.
    assert isinstance(error, exceptions.NexusOperationError)
    assert isinstance(error.__cause__, exceptions.TimeoutError), repr(error.__cause__)
    assert error.__cause__.type == exceptions.TimeoutType.SCHEDULE_TO_CLOSE
