"""End to end: the generated callers, against the session's dev server.

`PaymentServiceNexusClient` is used from workflows running in namespace "orders";
`PaymentServiceStandaloneClient` from application code (a `Client` of "orders").
Both reach a plain `PaymentServiceHandler` subclass (and the `RefundPaymentWorkflow`
that the generated workflow-run operation starts) on a worker in namespace
"payments", through a Nexus endpoint each test creates under a unique name.

What is checked is what the generated code adds to the SDK: typed methods per
operation, `Empty` requests and results hidden, the contract's default timeout,
every per-call option reaching the server, the start/handle path, and request
validation before anything is sent (an `InvalidRequestError` that fails a
workflow once instead of retrying its task).

The endpoint named exactly "payments" (the contract's default) is not created
by any test, as the suite shares one server; `make demo` uses it, through the
clients' default `endpoint` argument.

This module is imported again inside the workflow sandbox, so it must stay free
of import-time side effects.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar, cast

import nexusproto
import nexusrpc
import pytest
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentServiceNexusClient,
    PaymentServiceStandaloneClient,
)
from support.payments import (
    DECLINE_MESSAGE,
    DECLINE_ORDER,
    Call,
    DecliningPayments,
    RefundPaymentWorkflow,
)
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    Interceptor,
    NexusOperationFailureError,
    OutboundInterceptor,
    StartNexusOperationInput,
    WorkflowFailureError,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
CONTRACT_TIMEOUT = timedelta(
    seconds=60
)  # default_schedule_to_close_timeout in payments.proto
# Longer than the contract's timeout: the server caps a Nexus operation's
# schedule-to-close timeout to its caller's remaining run time.
WORKFLOW_TIMEOUT = timedelta(minutes=5)
TEST_TIMEOUT_SECONDS = 60

T = TypeVar("T")


def valid_payment(order_id: str = "order-1") -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def invalid_payment() -> payments_pb2.ProcessPaymentRequest:
    """Breaks three rules: customer_id UUID, amount_minor > 0, currency pattern."""
    return payments_pb2.ProcessPaymentRequest(
        customer_id="not-a-uuid",
        order_id="order-bad",
        amount=payments_pb2.Money(currency="eur", amount_minor=0),
    )


# The payments side is support.payments.DecliningPayments, a plain subclass of the
# generated handler base.



# --- the orders side: workflows calling payments through the generated client ------


@dataclass
class CallReport:
    """What a caller workflow saw (plain fields: the result goes through JSON)."""

    transaction_id: str = ""
    payment_type: str = ""
    refund_id: str = ""
    refund_status: int = 0
    refund_type: str = ""
    operation_token: str = ""
    accepting_charges: bool = False
    health_type: str = ""
    reset_result: str = ""


@workflow.defn
class PayAndRefundWorkflow:
    """A sync operation, then a workflow-run operation on its result."""

    @workflow.run
    async def run(
        self, endpoint: str, request: payments_pb2.ProcessPaymentRequest
    ) -> CallReport:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        payment = await payments.process_payment(request)
        refund = await payments.refund_payment(
            payments_pb2.RefundPaymentRequest(
                transaction_id=payment.transaction_id,
                amount=request.amount,
                reason="customer changed their mind",
            )
        )
        return CallReport(
            transaction_id=payment.transaction_id,
            payment_type=type(payment).__name__,
            refund_id=refund.refund_id,
            refund_status=refund.status,
            refund_type=type(refund).__name__,
        )


@workflow.defn
class EmptyMessagesWorkflow:
    """`check_health()` takes no request; `reset_ledger()` returns None."""

    @workflow.run
    async def run(self, endpoint: str) -> CallReport:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        health = await payments.check_health()
        reset = await payments.reset_ledger()  # type: ignore[func-returns-value]
        return CallReport(
            accepting_charges=health.accepting_charges,
            health_type=type(health).__name__,
            reset_result=repr(reset),
        )


@dataclass
class CallOptions:
    """Per-call options a workflow passes (timeouts in seconds: the input is JSON)."""

    schedule_to_close_seconds: float
    schedule_to_start_seconds: float
    start_to_close_seconds: float
    summary: str
    headers: dict[str, str] = field(default_factory=dict)


@workflow.defn
class OptionsWorkflow:
    """One process_payment with the defaults, one with every option given."""

    @workflow.run
    async def run(
        self,
        endpoint: str,
        request: payments_pb2.ProcessPaymentRequest,
        options: CallOptions,
    ) -> None:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        await payments.process_payment(request)
        await payments.process_payment(
            request,
            schedule_to_close_timeout=timedelta(
                seconds=options.schedule_to_close_seconds
            ),
            schedule_to_start_timeout=timedelta(
                seconds=options.schedule_to_start_seconds
            ),
            start_to_close_timeout=timedelta(seconds=options.start_to_close_seconds),
            cancellation_type=workflow.NexusOperationCancellationType.TRY_CANCEL,
            summary=options.summary,
            headers=options.headers,
        )


@workflow.defn
class StartThenAwaitWorkflow:
    """start_refund_payment returns a handle; awaiting it gives the response."""

    @workflow.run
    async def run(self, endpoint: str, transaction_id: str) -> CallReport:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        handle = await payments.start_refund_payment(
            payments_pb2.RefundPaymentRequest(transaction_id=transaction_id)
        )
        token = handle.operation_token or ""
        refund = await handle
        return CallReport(
            refund_id=refund.refund_id,
            refund_status=refund.status,
            refund_type=type(refund).__name__,
            operation_token=token,
        )


@dataclass
class Rejection:
    error_type: str
    application_type: str | None
    non_retryable: bool
    message: str
    violations: list[str]


@workflow.defn
class CatchInvalidRequestWorkflow:
    """Every path of the generated client rejects invalid requests; none is sent."""

    @workflow.run
    async def run(self, endpoint: str) -> list[Rejection]:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        attempts: list[Callable[[], Awaitable[object]]] = [
            lambda: payments.process_payment(invalid_payment()),
            lambda: payments.start_process_payment(
                payments_pb2.ProcessPaymentRequest(customer_id=CUSTOMER_ID)
            ),
            lambda: payments.refund_payment(payments_pb2.RefundPaymentRequest()),
        ]
        rejections = []
        for attempt in attempts:
            try:
                await attempt()
            except nexusproto.InvalidRequestError as err:
                rejections.append(
                    Rejection(
                        error_type=type(err).__name__,
                        application_type=err.type,
                        non_retryable=err.non_retryable,
                        message=err.message,
                        violations=list(err.violations),
                    )
                )
        return rejections


@workflow.defn
class UncaughtInvalidRequestWorkflow:
    @workflow.run
    async def run(self, endpoint: str) -> None:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        await payments.process_payment(invalid_payment())


CALLER_WORKFLOWS = [
    PayAndRefundWorkflow,
    EmptyMessagesWorkflow,
    OptionsWorkflow,
    StartThenAwaitWorkflow,
    CatchInvalidRequestWorkflow,
    UncaughtInvalidRequestWorkflow,
]


# --- harness ------------------------------------------------------------------------


@dataclass
class Harness:
    """Both namespaces' clients, the endpoint and the handler, with workers running."""

    payments_client: Client
    orders_client: Client
    endpoint: str
    orders_queue: str
    handler: DecliningPayments

    async def run_workflow(self, workflow_run: Any, *args: Any) -> tuple[Any, str]:
        """Run a caller workflow in "orders"; its result and workflow id."""
        workflow_id = unique_name("caller")
        result = await self.orders_client.execute_workflow(
            workflow_run,
            args=[self.endpoint, *args],
            id=workflow_id,
            task_queue=self.orders_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )
        return result, workflow_id

    async def history(
        self, workflow_id: str, client: Client | None = None
    ) -> list[HistoryEvent]:
        handle = (client or self.orders_client).get_workflow_handle(workflow_id)
        return list((await handle.fetch_history()).events)


def run_with_workers(server: DevServer, body: Callable[[Harness], Awaitable[T]]) -> T:
    """Run `body` with a payments worker (handler + refund workflow) and an orders
    worker (the caller workflows, default sandbox), behind a fresh endpoint."""

    async def scenario() -> T:
        payments_client = await connect(server, "payments")
        orders_client = await connect(server, "orders")
        payments_queue = unique_task_queue("payments")
        orders_queue = unique_task_queue("orders")
        endpoint = await create_nexus_endpoint(
            orders_client, target_namespace="payments", task_queue=payments_queue
        )
        handler = DecliningPayments()
        async with (
            Worker(
                payments_client,
                task_queue=payments_queue,
                workflows=[RefundPaymentWorkflow],
                nexus_service_handlers=[handler],
            ),
            Worker(orders_client, task_queue=orders_queue, workflows=CALLER_WORKFLOWS),
        ):
            return await body(
                Harness(
                    payments_client=payments_client,
                    orders_client=orders_client,
                    endpoint=endpoint.spec.name,
                    orders_queue=orders_queue,
                    handler=handler,
                )
            )

    return asyncio.run(asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT_SECONDS))


def events_of(events: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in events if event.event_type == event_type]


SCHEDULED = EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED


# --- workflow caller ----------------------------------------------------------------


def test_workflow_calls_sync_and_workflow_run_operations(dev_server: DevServer) -> None:
    async def body(
        h: Harness,
    ) -> tuple[CallReport, list[HistoryEvent], list[HistoryEvent]]:
        report, workflow_id = await h.run_workflow(
            PayAndRefundWorkflow.run, valid_payment("order-7")
        )
        refund_history = await h.history(
            f"refund-{report.transaction_id}", h.payments_client
        )
        return report, await h.history(workflow_id), refund_history

    report, history, refund_history = run_with_workers(dev_server, body)

    assert report.transaction_id.startswith("tx-order-7-")
    assert report.payment_type == "ProcessPaymentResponse"
    assert report.refund_type == "RefundPaymentResponse"
    assert report.refund_id == f"refund-of-{report.transaction_id}"
    assert report.refund_status == payments_pb2.PAYMENT_STATUS_REFUNDED

    scheduled = [
        e.nexus_operation_scheduled_event_attributes
        for e in events_of(history, SCHEDULED)
    ]
    assert [(s.service, s.operation) for s in scheduled] == [
        ("payments.v1.PaymentService", "ProcessPayment"),
        ("payments.v1.PaymentService", "refund-payment"),
    ]
    # The sync operation completed in its start; the workflow-run one started first.
    assert len(events_of(history, EventType.EVENT_TYPE_NEXUS_OPERATION_STARTED)) == 1
    assert len(events_of(history, EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)) == 2

    # The generated body started RefundPaymentWorkflow under the contract's ID template,
    # in the handler's namespace, with the request as its argument.
    started = refund_history[0].workflow_execution_started_event_attributes
    assert started.workflow_type.name == "RefundPaymentWorkflow"
    assert (
        refund_history[-1].event_type
        == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
    )


def test_empty_request_and_empty_result(dev_server: DevServer) -> None:
    async def body(h: Harness) -> tuple[CallReport, list[HistoryEvent], list[Call]]:
        report, workflow_id = await h.run_workflow(EmptyMessagesWorkflow.run)
        return report, await h.history(workflow_id), h.handler.calls

    report, history, calls = run_with_workers(dev_server, body)

    assert report.health_type == "HealthStatus"
    assert report.accepting_charges is True
    assert report.reset_result == "None"  # not an empty_pb2.Empty
    assert [call.operation for call in calls] == ["CheckHealth", "ResetLedger"]
    # On the wire an Empty request is no value at all, as Go's nexus.NoValue.
    for event in events_of(history, SCHEDULED):
        metadata = event.nexus_operation_scheduled_event_attributes.input.metadata
        assert dict(metadata) == {"encoding": b"binary/null"}


def test_contract_default_timeout_and_per_call_options(dev_server: DevServer) -> None:
    options = CallOptions(
        schedule_to_close_seconds=17,
        schedule_to_start_seconds=7,
        start_to_close_seconds=9,
        summary="charge for order-9",
        headers={"x-team": "orders"},
    )

    async def body(h: Harness) -> list[HistoryEvent]:
        _, workflow_id = await h.run_workflow(
            OptionsWorkflow.run, valid_payment("order-9"), options
        )
        return await h.history(workflow_id)

    history = run_with_workers(dev_server, body)

    default_call, custom_call = events_of(history, SCHEDULED)
    defaults = default_call.nexus_operation_scheduled_event_attributes
    # payments.proto: default_schedule_to_close_timeout = {seconds: 60}
    assert defaults.schedule_to_close_timeout.ToTimedelta() == CONTRACT_TIMEOUT
    assert not defaults.HasField("schedule_to_start_timeout")
    assert not defaults.HasField("start_to_close_timeout")
    assert dict(defaults.nexus_header) == {}
    assert not default_call.user_metadata.HasField("summary")

    custom = custom_call.nexus_operation_scheduled_event_attributes
    assert custom.schedule_to_close_timeout.ToTimedelta() == timedelta(seconds=17)
    assert custom.schedule_to_start_timeout.ToTimedelta() == timedelta(seconds=7)
    assert custom.start_to_close_timeout.ToTimedelta() == timedelta(seconds=9)
    assert dict(custom.nexus_header) == {"x-team": "orders"}
    assert custom_call.user_metadata.summary.data == b'"charge for order-9"'


def test_start_returns_a_handle_to_await(dev_server: DevServer) -> None:
    transaction_id = f"tx-{uuid.uuid4().hex[:12]}"

    async def body(h: Harness) -> CallReport:
        report, _ = await h.run_workflow(StartThenAwaitWorkflow.run, transaction_id)
        return cast(CallReport, report)

    report = run_with_workers(dev_server, body)

    assert report.refund_type == "RefundPaymentResponse"
    assert report.refund_id == f"refund-of-{transaction_id}"
    assert report.refund_status == payments_pb2.PAYMENT_STATUS_REFUNDED
    assert report.operation_token  # an asynchronous operation: it has a token


def test_invalid_request_is_caught_in_the_workflow_and_never_sent(
    dev_server: DevServer,
) -> None:
    async def body(
        h: Harness,
    ) -> tuple[list[Rejection], list[HistoryEvent], list[Call]]:
        rejections, workflow_id = await h.run_workflow(CatchInvalidRequestWorkflow.run)
        return rejections, await h.history(workflow_id), h.handler.calls

    rejections, history, calls = run_with_workers(dev_server, body)

    assert len(rejections) == 3
    bad_fields, missing_amount, bad_refund = rejections
    for rejection in rejections:
        assert rejection.error_type == "InvalidRequestError"
        assert rejection.application_type == "InvalidRequest"
        assert rejection.non_retryable is True
    assert bad_fields.violations == [
        "customer_id: must be a valid UUID [string.uuid]",
        "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
        "amount.amount_minor: must be greater than 0 [int64.gt]",
    ]
    assert bad_fields.message.startswith(
        "invalid request to payments.v1.PaymentService/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: customer_id: must be a valid UUID"
    )
    assert missing_amount.violations == ["amount: value is required [required]"]
    assert bad_refund.violations == [
        "transaction_id: must be at least 1 characters [string.min_len]"
    ]
    assert "payments.v1.PaymentService/refund-payment" in bad_refund.message

    # Nothing was scheduled, nothing reached the handler.
    assert events_of(history, SCHEDULED) == []
    assert calls == []
    assert history[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED


def test_uncaught_invalid_request_fails_the_workflow_once(
    dev_server: DevServer,
) -> None:
    async def body(
        h: Harness,
    ) -> tuple[WorkflowFailureError, list[HistoryEvent], list[Call]]:
        workflow_id = unique_name("uncaught")
        handle = await h.orders_client.start_workflow(
            UncaughtInvalidRequestWorkflow.run,
            h.endpoint,
            id=workflow_id,
            task_queue=h.orders_queue,
            # A workflow task retry loop would run until this, then time out instead.
            execution_timeout=timedelta(seconds=10),
        )
        with pytest.raises(WorkflowFailureError) as caught:
            await handle.result()
        return caught.value, await h.history(workflow_id), h.handler.calls

    error, history, calls = run_with_workers(dev_server, body)

    cause = error.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "InvalidRequest"
    assert cause.non_retryable is True
    assert "customer_id: must be a valid UUID [string.uuid]" in cause.message
    assert "amount.amount_minor: must be greater than 0 [int64.gt]" in cause.message

    types = [event.event_type for event in history]
    assert types[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    assert types.count(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) == 1
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in types
    assert SCHEDULED not in types
    failure = history[-1].workflow_execution_failed_event_attributes.failure
    assert failure.application_failure_info.type == "InvalidRequest"
    assert failure.application_failure_info.non_retryable is True
    assert calls == []


# --- standalone client --------------------------------------------------------------


class RecordStarts(Interceptor):
    """Records every standalone Nexus operation the client starts (before the RPC)."""

    def __init__(self) -> None:
        self.starts: list[StartNexusOperationInput] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        recorder = self

        class Outbound(OutboundInterceptor):
            async def start_nexus_operation(
                self, input: StartNexusOperationInput
            ) -> Any:
                recorder.starts.append(input)
                return await super().start_nexus_operation(input)

        return Outbound(next)


async def recording_client(server: DevServer, recorder: RecordStarts) -> Client:
    return await Client.connect(
        server.target, namespace="orders", interceptors=[recorder]
    )


def test_standalone_client_calls_every_kind_of_operation(dev_server: DevServer) -> None:
    @dataclass
    class Seen:
        payment: payments_pb2.ProcessPaymentResponse
        refund: payments_pb2.RefundPaymentResponse
        health: payments_pb2.HealthStatus
        reset: object
        handle_ids: list[str]
        chosen_id: str
        timeouts: list[timedelta | None]
        starts: list[StartNexusOperationInput]

    async def body(h: Harness) -> Seen:
        recorder = RecordStarts()
        payments = PaymentServiceStandaloneClient(
            await recording_client(dev_server, recorder), endpoint=h.endpoint
        )
        payment = await payments.process_payment(valid_payment("order-s1"))
        refund = await payments.refund_payment(
            payments_pb2.RefundPaymentRequest(transaction_id=payment.transaction_id)
        )
        health = await payments.check_health()
        reset = await payments.reset_ledger()  # type: ignore[func-returns-value]
        first = await payments.start_process_payment(valid_payment("order-s2"))
        second = await payments.start_process_payment(valid_payment("order-s3"))
        chosen_id = unique_name("op")
        chosen = await payments.start_process_payment(
            valid_payment("order-s4"),
            id=chosen_id,
            schedule_to_close_timeout=timedelta(seconds=25),
        )
        for handle in (first, second, chosen):
            await handle.result()
        timeouts = [
            (await handle.describe()).schedule_to_close_timeout
            for handle in (first, chosen)
        ]
        return Seen(
            payment=payment,
            refund=refund,
            health=health,
            reset=reset,
            handle_ids=[first.operation_id, second.operation_id, chosen.operation_id],
            chosen_id=chosen_id,
            timeouts=timeouts,
            starts=recorder.starts,
        )

    seen = run_with_workers(dev_server, body)

    assert isinstance(seen.payment, payments_pb2.ProcessPaymentResponse)
    assert seen.payment.transaction_id.startswith("tx-order-s1-")
    assert isinstance(seen.refund, payments_pb2.RefundPaymentResponse)
    assert seen.refund.refund_id == f"refund-of-{seen.payment.transaction_id}"
    assert seen.health == payments_pb2.HealthStatus(accepting_charges=True)
    assert seen.reset is None
    first_id, second_id, chosen_id = seen.handle_ids
    assert first_id != second_id  # id=None: a fresh id per call
    uuid.UUID(first_id)
    assert chosen_id == seen.chosen_id
    assert seen.timeouts == [CONTRACT_TIMEOUT, timedelta(seconds=25)]
    assert [start.operation for start in seen.starts] == [
        "ProcessPayment",
        "refund-payment",
        "CheckHealth",
        "ResetLedger",
        "ProcessPayment",
        "ProcessPayment",
        "ProcessPayment",
    ]
    assert {start.service for start in seen.starts} == {"payments.v1.PaymentService"}
    # Empty requests go out as no value.
    assert seen.starts[2].arg is None


def test_standalone_invalid_request_sends_nothing(dev_server: DevServer) -> None:
    @dataclass
    class Seen:
        errors: list[nexusproto.InvalidRequestError]
        starts_after_invalid: int
        starts_after_valid: int
        calls: list[Call]
        listed: list[str]

    async def body(h: Harness) -> Seen:
        recorder = RecordStarts()
        client = await recording_client(dev_server, recorder)
        payments = PaymentServiceStandaloneClient(client, endpoint=h.endpoint)
        errors = []
        for call in (
            lambda: payments.process_payment(invalid_payment()),
            lambda: payments.start_process_payment(
                invalid_payment(), id=unique_name("op")
            ),
            lambda: payments.refund_payment(payments_pb2.RefundPaymentRequest()),
        ):
            with pytest.raises(nexusproto.InvalidRequestError) as caught:
                await call()
            errors.append(caught.value)
        starts_after_invalid = len(recorder.starts)
        calls_after_invalid = list(h.handler.calls)
        # The same client does send a valid request (the recorder sees it).
        await payments.process_payment(valid_payment("order-ok"))
        listed = await list_operations(client, h.endpoint)
        return Seen(
            errors=errors,
            starts_after_invalid=starts_after_invalid,
            starts_after_valid=len(recorder.starts),
            calls=calls_after_invalid,
            listed=listed,
        )

    seen = run_with_workers(dev_server, body)

    assert seen.starts_after_invalid == 0
    assert seen.calls == []
    assert seen.starts_after_valid == 1
    # The server knows of the one valid operation on this endpoint only.
    assert seen.listed == ["ProcessPayment"]
    process, start, refund = seen.errors
    assert process.type == "InvalidRequest" and process.non_retryable
    assert process.violations == [
        "customer_id: must be a valid UUID [string.uuid]",
        "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
        "amount.amount_minor: must be greater than 0 [int64.gt]",
    ]
    assert start.violations == process.violations
    assert refund.violations == [
        "transaction_id: must be at least 1 characters [string.min_len]"
    ]
    assert "payments.v1.PaymentService/ProcessPayment" in str(process)


async def list_operations(client: Client, endpoint: str) -> list[str]:
    """Operation names of the standalone operations on `endpoint` (visibility lags)."""
    query = f'Endpoint = "{endpoint}"'
    names: list[str] = []
    for _ in range(50):
        names = [op.operation async for op in client.list_nexus_operations(query)]
        if names:
            break
        await asyncio.sleep(0.1)
    return names


def test_standalone_handler_error_is_a_clear_exception(dev_server: DevServer) -> None:
    async def body(h: Harness) -> tuple[NexusOperationFailureError, int]:
        payments = PaymentServiceStandaloneClient(h.orders_client, endpoint=h.endpoint)
        with pytest.raises(NexusOperationFailureError) as caught:
            await payments.process_payment(valid_payment(DECLINE_ORDER))
        return caught.value, len(h.handler.calls)

    error, calls = run_with_workers(dev_server, body)

    assert calls == 1  # BAD_REQUEST is not retried
    # The standalone client's error wraps the handler's own error, message intact.
    cause = error.cause
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert str(cause) == DECLINE_MESSAGE
    assert cause.retryable is False
