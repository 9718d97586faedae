"""Per-operation metrics of the generated handlers (docs: how-to/observability.md).

Against the session's real dev server: a plain subclass of the generated
`PaymentServiceHandler` serves on a worker whose client's runtime records metrics
into a `temporalio.runtime.MetricBuffer`; application code calls it through the
generated `PaymentServiceStandaloneClient` (and, for a request the generated
caller would refuse to send, through the raw SDK client, which validates nothing).
The test then reads the buffer and checks the `nexusproto_*` counts per operation.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import nexusrpc
import nexusrpc.handler
import pytest
from nexusproto import metrics
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentService,
    PaymentServiceHandler,
    PaymentServiceStandaloneClient,
)
from temporalio import workflow
from temporalio.client import Client, NexusOperationFailureError
from temporalio.runtime import (
    BUFFERED_METRIC_KIND_HISTOGRAM,
    MetricBuffer,
    Runtime,
    TelemetryConfig,
)
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_task_queue,
    )

SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
TIMEOUT = timedelta(seconds=30)
SYNC_CALLS = 7
"""Sync operation calls the test makes: each records one latency."""


@workflow.defn(name="RefundPaymentWorkflow")
class RefundAtOnce:
    """The workflow the generated default of `refund_payment` starts (by type name)."""

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        return payments_pb2.RefundPaymentResponse(
            refund_id=f"refund-of-{request.transaction_id}",
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )


class Payments(PaymentServiceHandler):
    """Settles a payment, or fails the way the request's order_id names."""

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        match request.order_id:
            case "handler-error":
                raise nexusrpc.HandlerError(
                    f"no customer {request.customer_id}",
                    type=nexusrpc.HandlerErrorType.NOT_FOUND,
                    retryable_override=False,
                )
            case "operation-error":
                raise nexusrpc.OperationError(
                    "card declined", state=nexusrpc.OperationErrorState.FAILED
                )
            case "invalid-response":
                # ProcessPaymentResponse.transaction_id has min_len = 1.
                return payments_pb2.ProcessPaymentResponse(
                    status=payments_pb2.PAYMENT_STATUS_SETTLED
                )
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=f"txn-{request.order_id}",
            status=payments_pb2.PAYMENT_STATUS_SETTLED,
        )

    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        return None


def _payment(order_id: str) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def _read(
    updates: list[Any], task_queue: str
) -> tuple[Counter[tuple[Any, ...]], list[Any]]:
    """Counter sums keyed (name, operation, extra labels...), and latency updates."""
    counts: Counter[tuple[Any, ...]] = Counter()
    latencies: list[Any] = []
    for update in updates:
        name = update.metric.name
        attributes = dict(update.attributes)
        if (
            not name.startswith("nexusproto_")
            or attributes.get("task_queue") != task_queue
        ):
            continue
        assert attributes["nexus_service"] == SERVICE
        if name == metrics.SYNC_OPERATION_LATENCY:
            latencies.append(update)
            continue
        extra = tuple(
            sorted(
                (key, value)
                for key, value in attributes.items()
                if key in ("operation_kind", "failure")
            )
        )
        counts[(name, attributes["nexus_operation"], *extra)] += int(update.value)
    return counts, latencies


def test_handler_metrics_per_operation(dev_server: DevServer) -> None:
    buffer = MetricBuffer(10_000)
    runtime = Runtime(telemetry=TelemetryConfig(metrics=buffer))
    updates: list[Any] = []

    async def body() -> None:
        handler_client = await Client.connect(
            dev_server.target, namespace="payments", runtime=runtime
        )
        caller = await connect(dev_server, "orders")
        task_queue = unique_task_queue("metrics")
        endpoint = await create_nexus_endpoint(
            caller, target_namespace="payments", task_queue=task_queue
        )
        async with Worker(
            handler_client,
            task_queue=task_queue,
            nexus_service_handlers=[Payments()],
            workflows=[RefundAtOnce],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            payments = PaymentServiceStandaloneClient(
                caller, endpoint=endpoint.spec.name
            )
            settled = await payments.process_payment(
                _payment("ok-1"), schedule_to_close_timeout=TIMEOUT
            )
            assert settled.transaction_id == "txn-ok-1"
            await payments.process_payment(
                _payment("ok-2"), schedule_to_close_timeout=TIMEOUT
            )
            assert (await payments.check_health()).accepting_charges
            refund = await payments.refund_payment(
                payments_pb2.RefundPaymentRequest(
                    transaction_id=f"txn-{uuid.uuid4().hex[:12]}", reason="metrics"
                ),
                schedule_to_close_timeout=TIMEOUT,
            )
            assert refund.status == payments_pb2.PAYMENT_STATUS_REFUNDED
            for order_id in ("handler-error", "operation-error", "invalid-response"):
                with pytest.raises(NexusOperationFailureError):
                    await payments.process_payment(
                        _payment(order_id), schedule_to_close_timeout=TIMEOUT
                    )
            # The generated caller refuses to send an invalid request; the raw SDK
            # client sends it (customer_id must be a UUID).
            raw = caller.create_nexus_client(PaymentService, endpoint.spec.name)
            invalid = _payment("bad-request")
            invalid.customer_id = "not-a-uuid"
            with pytest.raises(NexusOperationFailureError):
                handle = await raw.start_operation(
                    PaymentService.process_payment,
                    invalid,
                    id=f"invalid-{uuid.uuid4().hex[:12]}",
                    schedule_to_close_timeout=TIMEOUT,
                )
                await handle.result()

            expected = _expected()
            deadline = time.monotonic() + 10
            while True:
                updates.extend(buffer.retrieve_updates())
                counts, latencies = _read(updates, task_queue)
                if (
                    all(counts[key] >= value for key, value in expected.items())
                    and len(latencies) >= SYNC_CALLS
                ):
                    break
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)

        counts, latencies = _read(updates, task_queue)
        assert dict(counts) == expected
        outcomes = Counter(
            (dict(u.attributes)["nexus_operation"], dict(u.attributes)["outcome"])
            for u in latencies
        )
        assert outcomes == {
            ("ProcessPayment", "succeeded"): 2,
            ("ProcessPayment", "failed"): 4,
            ("CheckHealth", "succeeded"): 1,
        }
        assert all(u.metric.kind == BUFFERED_METRIC_KIND_HISTOGRAM for u in latencies)
        assert all(u.value >= 0 for u in latencies)

    asyncio.run(body())


def _expected() -> dict[tuple[Any, ...], int]:
    sync = ("operation_kind", "sync")
    run = ("operation_kind", "workflow_run")
    return {
        (metrics.OPERATION_STARTED, "ProcessPayment", sync): 6,
        (metrics.OPERATION_SUCCEEDED, "ProcessPayment", sync): 2,
        (metrics.OPERATION_FAILED, "ProcessPayment", ("failure", "NOT_FOUND"), sync): 1,
        (
            metrics.OPERATION_FAILED,
            "ProcessPayment",
            ("failure", "OPERATION_FAILED"),
            sync,
        ): 1,
        (metrics.OPERATION_FAILED, "ProcessPayment", ("failure", "INTERNAL"), sync): 1,
        (
            metrics.OPERATION_FAILED,
            "ProcessPayment",
            ("failure", "BAD_REQUEST"),
            sync,
        ): 1,
        (metrics.REQUEST_INVALID, "ProcessPayment"): 1,
        (metrics.RESPONSE_INVALID, "ProcessPayment"): 1,
        (metrics.OPERATION_STARTED, "CheckHealth", sync): 1,
        (metrics.OPERATION_SUCCEEDED, "CheckHealth", sync): 1,
        (metrics.OPERATION_STARTED, "refund-payment", run): 1,
        (metrics.OPERATION_SUCCEEDED, "refund-payment", run): 1,
    }
