"""Tracing across teams (docs: how-to/observability.md), on the session's dev server.

Both namespaces' clients carry the SDK's `temporalio.contrib.opentelemetry.TracingInterceptor`
(their workers inherit it); the orders client also carries `nexusproto.tracing.TracingInterceptor`,
which gives standalone Nexus starts the trace context the SDK only gives starts from workflows.
Spans go to an `InMemorySpanExporter` of a tracer provider of this test (not the global one).

Checked:
- a caller workflow's generated `PaymentServiceNexusClient` calls a sync and a workflow-run
  operation: the caller's spans, the handler's `RunStartNexusOperationHandler` spans and the
  spans of the `RefundPaymentWorkflow` the workflow-run operation starts share one trace ID;
- a call from the generated `PaymentServiceStandaloneClient` under an application span: the
  handler's span is in that span's trace with nexusproto's interceptor, and in a new trace
  without it (the SDK alone);
- `nexusproto call` (the console script, in a subprocess) with `TRACEPARENT` set: the
  handler's span continues that trace, as a child of the span it names;
- a request the handler refuses by validation (sent through the raw SDK client, which
  validates nothing): the handler span has status ERROR naming the violated field paths.

This module is imported again inside the workflow sandbox, so it must stay free of
import-time side effects.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf import json_format
from nexusproto.tracing import TracingInterceptor as StandaloneTracing
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentService,
    PaymentServiceNexusClient,
    PaymentServiceStandaloneClient,
)
from temporalio import workflow
from temporalio.client import Client, NexusOperationFailureError
from temporalio.contrib.opentelemetry import TracingInterceptor as SdkTracing
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from support.payments import DecliningPayments, RefundPaymentWorkflow
    from support.temporal import (
        DevServer,
        cli_environment,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
TIMEOUT = timedelta(seconds=30)
HANDLER_SPAN = f"RunStartNexusOperationHandler:{SERVICE}/"


@workflow.defn
class PayThenRefund:
    """A sync operation, then a workflow-run operation, through the generated caller."""

    @workflow.run
    async def run(
        self, endpoint: str, request: payments_pb2.ProcessPaymentRequest
    ) -> str:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        payment = await payments.process_payment(request)
        refund = await payments.refund_payment(
            payments_pb2.RefundPaymentRequest(
                transaction_id=payment.transaction_id,
                amount=request.amount,
                reason="traced",
            )
        )
        return refund.refund_id


def _payment(
    order_id: str, customer_id: str = CUSTOMER_ID
) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=customer_id,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def _trace(spans: list[ReadableSpan], trace_id: int) -> list[str]:
    return [
        span.name
        for span in spans
        if span.context and span.context.trace_id == trace_id
    ]


async def _spans_named(
    exporter: InMemorySpanExporter, prefix: str, count: int
) -> list[ReadableSpan]:
    """The finished spans whose name starts with `prefix`, once there are `count` of them."""
    for _ in range(100):
        found = [s for s in exporter.get_finished_spans() if s.name.startswith(prefix)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} span(s) {prefix!r} expected, got {found}")


@dataclass
class Traced:
    """Both teams' traced clients and workers behind a fresh endpoint, and the spans."""

    tracer: Tracer
    exporter: InMemorySpanExporter
    orders_client: Client
    sdk_only_client: Client
    """A client of "orders" with the SDK's interceptor alone (no nexusproto.tracing)."""
    orders_queue: str
    endpoint: str
    server: DevServer


@asynccontextmanager
async def traced(dev_server: DevServer) -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer(__name__)
    payments_client = await Client.connect(
        dev_server.target, namespace="payments", interceptors=[SdkTracing(tracer)]
    )
    orders_client = await Client.connect(
        dev_server.target,
        namespace="orders",
        interceptors=[SdkTracing(tracer), StandaloneTracing(tracer)],
    )
    sdk_only_client = await Client.connect(
        dev_server.target, namespace="orders", interceptors=[SdkTracing(tracer)]
    )
    payments_queue = unique_task_queue("payments")
    orders_queue = unique_task_queue("orders")
    endpoint = await create_nexus_endpoint(
        orders_client, target_namespace="payments", task_queue=payments_queue
    )
    async with (
        Worker(
            payments_client,
            task_queue=payments_queue,
            workflows=[RefundPaymentWorkflow],
            nexus_service_handlers=[DecliningPayments()],
        ),
        Worker(orders_client, task_queue=orders_queue, workflows=[PayThenRefund]),
    ):
        yield Traced(
            tracer,
            exporter,
            orders_client,
            sdk_only_client,
            orders_queue,
            endpoint.spec.name,
            dev_server,
        )


def run_traced(
    dev_server: DevServer, scenario: Callable[[Traced], Awaitable[None]]
) -> None:
    async def body() -> None:
        async with traced(dev_server) as t:
            await scenario(t)

    asyncio.run(asyncio.wait_for(body(), timeout=120))


def test_workflow_caller_handler_and_handler_workflow_share_one_trace(
    dev_server: DevServer,
) -> None:
    async def scenario(t: Traced) -> None:
        with t.tracer.start_as_current_span("checkout") as root:
            refund_id = await t.orders_client.execute_workflow(
                PayThenRefund.run,
                args=[t.endpoint, _payment("order-traced")],
                id=unique_name("traced"),
                task_queue=t.orders_queue,
                execution_timeout=TIMEOUT,
            )
        assert refund_id.startswith("refund-of-"), refund_id
        trace_id = root.get_span_context().trace_id
        handler_spans = await _spans_named(t.exporter, HANDLER_SPAN, 2)
        await _spans_named(t.exporter, "RunWorkflow:RefundPaymentWorkflow", 1)
        finished = t.exporter.get_finished_spans()
        names = _trace(list(finished), trace_id)
        for name in (
            "checkout",
            "StartWorkflow:PayThenRefund",
            "RunWorkflow:PayThenRefund",
            f"StartNexusOperation:{SERVICE}/ProcessPayment",
            f"StartNexusOperation:{SERVICE}/refund-payment",
            f"{HANDLER_SPAN}ProcessPayment",
            f"{HANDLER_SPAN}refund-payment",
            "StartWorkflow:RefundPaymentWorkflow",
            "RunWorkflow:RefundPaymentWorkflow",
        ):
            assert name in names, (name, names)
        assert {s.context.trace_id for s in handler_spans if s.context} == {trace_id}
        assert all(s.kind == SpanKind.SERVER for s in handler_spans)
        assert all(s.status.status_code != StatusCode.ERROR for s in handler_spans)
        by_id = {s.context.span_id: s.name for s in finished if s.context}
        (started,) = [
            s for s in finished if s.name == "StartWorkflow:RefundPaymentWorkflow"
        ]
        assert started.parent
        assert by_id[started.parent.span_id] == f"{HANDLER_SPAN}refund-payment"

    run_traced(dev_server, scenario)


def test_standalone_call_carries_the_trace_with_nexusproto_tracing(
    dev_server: DevServer,
) -> None:
    async def scenario(t: Traced) -> None:
        with t.tracer.start_as_current_span("application") as app:
            payment = await PaymentServiceStandaloneClient(
                t.orders_client, t.endpoint
            ).process_payment(_payment("order-standalone"))
        assert "order-standalone" in payment.transaction_id, payment
        (handler,) = await _spans_named(t.exporter, HANDLER_SPAN, 1)
        assert handler.context
        assert handler.context.trace_id == app.get_span_context().trace_id
        (start,) = await _spans_named(t.exporter, "StartNexusOperation", 1)
        assert start.name == f"StartNexusOperation:{SERVICE}/ProcessPayment"
        assert start.kind == SpanKind.CLIENT
        assert start.context and handler.parent
        assert handler.parent.span_id == start.context.span_id

    run_traced(dev_server, scenario)


def test_standalone_call_starts_a_new_trace_with_the_sdk_alone(
    dev_server: DevServer,
) -> None:
    """The gap nexusproto.tracing closes: the SDK has no standalone start hook."""

    async def scenario(t: Traced) -> None:
        with t.tracer.start_as_current_span("application-sdk-only") as bare:
            await PaymentServiceStandaloneClient(
                t.sdk_only_client, t.endpoint
            ).process_payment(_payment("order-sdk-only"))
        (handler,) = await _spans_named(t.exporter, HANDLER_SPAN, 1)
        assert handler.context
        assert handler.context.trace_id != bare.get_span_context().trace_id
        assert handler.parent is None

    run_traced(dev_server, scenario)


def test_nexusproto_call_continues_the_trace_of_traceparent(
    dev_server: DevServer,
) -> None:
    trace_id, parent_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]

    async def scenario(t: Traced) -> None:
        repo = Path(__file__).resolve().parents[2]
        env = cli_environment(
            t.server.target,
            repo / "absent-temporal-config.toml",
            TRACEPARENT=f"00-{trace_id}-{parent_id}-01",
        )
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "nexusproto"),
            "call",
            "--contracts",
            str(repo / "gen"),
            f"{SERVICE}/ProcessPayment",
            "--endpoint",
            t.endpoint,
            "--data",
            json_format.MessageToJson(_payment("order-cli-traced")),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        assert "order-cli-traced" in out.decode()
        (handler,) = await _spans_named(t.exporter, HANDLER_SPAN, 1)
        assert handler.context and handler.parent
        assert f"{handler.context.trace_id:032x}" == trace_id
        assert f"{handler.parent.span_id:016x}" == parent_id

    run_traced(dev_server, scenario)


def test_validation_failure_is_an_error_on_the_handler_span(
    dev_server: DevServer,
) -> None:
    async def scenario(t: Traced) -> None:
        # The raw SDK client validates nothing, so the handler sees the bad request.
        raw = t.orders_client.create_nexus_client(PaymentService, t.endpoint)
        with (
            t.tracer.start_as_current_span("application-invalid") as bad,
            pytest.raises(NexusOperationFailureError),
        ):
            await raw.execute_operation(
                PaymentService.process_payment,
                _payment("order-bad", customer_id="not-a-uuid"),
                id=str(uuid.uuid4()),
                schedule_to_close_timeout=TIMEOUT,
            )
        (handler,) = await _spans_named(t.exporter, HANDLER_SPAN, 1)
        assert handler.context
        assert handler.context.trace_id == bad.get_span_context().trace_id
        assert handler.status.status_code == StatusCode.ERROR
        assert handler.status.description == (
            f"HandlerError: invalid request to {SERVICE}/ProcessPayment: "
            "payments.v1.ProcessPaymentRequest: customer_id: must be a valid UUID "
            "[string.uuid]"
        )

    run_traced(dev_server, scenario)
