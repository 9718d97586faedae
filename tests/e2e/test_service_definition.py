"""End to end: the generated `PaymentService` definition used across two namespaces.

A handler written here for the generated definition serves Nexus calls on a worker
in namespace "payments"; workflows run by a worker in namespace "orders" call it
through a Nexus endpoint with `workflow.create_nexus_client(service=PaymentService)`.
The payloads on both legs are the generated proto messages.

This module is imported again inside the workflow sandbox, so it must stay free of
import-time side effects.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import nexusrpc
import nexusrpc.handler
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentService
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

NEXUS_TIMEOUT = timedelta(seconds=20)
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
AMOUNT_MINOR = 1999


# --- the payments side: a handler for the generated definition ---------------------


@dataclass
class Call:
    service: str
    operation: str
    input: object


@nexusrpc.handler.service_handler(service=PaymentService)
class PaymentServiceHandler:
    """Settles positive amounts, declines the rest; records every call it serves."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def _record(
        self, ctx: nexusrpc.handler.StartOperationContext, input: object
    ) -> None:
        self.calls.append(
            Call(service=ctx.service, operation=ctx.operation, input=input)
        )

    @nexusrpc.handler.sync_operation
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self._record(ctx, input)
        settled = input.amount.amount_minor > 0
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=f"txn-{input.order_id}",
            status=(
                payments_pb2.PAYMENT_STATUS_SETTLED
                if settled
                else payments_pb2.PAYMENT_STATUS_DECLINED
            ),
        )

    @nexusrpc.handler.sync_operation
    async def refund_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: payments_pb2.RefundPaymentRequest,
    ) -> payments_pb2.RefundPaymentResponse:
        self._record(ctx, input)
        return payments_pb2.RefundPaymentResponse(
            refund_id=f"refund-{input.transaction_id}",
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )

    @nexusrpc.handler.sync_operation
    async def check_health(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: None,
    ) -> payments_pb2.HealthStatus:
        self._record(ctx, input)
        return payments_pb2.HealthStatus(accepting_charges=True)

    @nexusrpc.handler.sync_operation
    async def reset_ledger(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: None,
    ) -> None:
        self._record(ctx, input)


# --- the orders side: workflows calling payments through the endpoint --------------


@workflow.defn
class PayForOrderWorkflow:
    @workflow.run
    async def run(
        self, endpoint: str, request: payments_pb2.ProcessPaymentRequest
    ) -> payments_pb2.ProcessPaymentResponse:
        payments = workflow.create_nexus_client(
            service=PaymentService, endpoint=endpoint
        )
        return await payments.execute_operation(
            PaymentService.process_payment,
            request,
            schedule_to_close_timeout=NEXUS_TIMEOUT,
        )


@workflow.defn
class CheckPaymentsHealthWorkflow:
    @workflow.run
    async def run(self, endpoint: str) -> payments_pb2.HealthStatus:
        payments = workflow.create_nexus_client(
            service=PaymentService, endpoint=endpoint
        )
        return await payments.execute_operation(
            PaymentService.check_health,
            None,
            schedule_to_close_timeout=NEXUS_TIMEOUT,
        )


# --- the test ----------------------------------------------------------------------


@dataclass
class WireRecord:
    """What the caller's history holds about its Nexus operation."""

    service: str = ""
    operation: str = ""
    endpoint: str = ""
    input_metadata: dict[str, bytes] = field(default_factory=dict)
    result_metadata: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Outcome:
    endpoint: str
    payment: payments_pb2.ProcessPaymentResponse
    health: payments_pb2.HealthStatus
    payment_wire: WireRecord
    calls: list[Call]


async def _scenario(server: DevServer) -> Outcome:
    payments_client = await connect(server, "payments")
    orders_client = await connect(server, "orders")
    payments_queue = unique_task_queue("payments")
    orders_queue = unique_task_queue("orders")
    endpoint = await create_nexus_endpoint(
        orders_client, target_namespace="payments", task_queue=payments_queue
    )
    endpoint_name = endpoint.spec.name
    handler = PaymentServiceHandler()

    async with (
        Worker(
            payments_client, task_queue=payments_queue, nexus_service_handlers=[handler]
        ),
        Worker(
            orders_client,
            task_queue=orders_queue,
            workflows=[PayForOrderWorkflow, CheckPaymentsHealthWorkflow],
            # default sandbox: generated modules must import in it unaided
        ),
    ):
        request = payments_pb2.ProcessPaymentRequest(
            customer_id=CUSTOMER_ID,
            order_id="order-42",
            amount=payments_pb2.Money(currency="EUR", amount_minor=AMOUNT_MINOR),
        )
        pay_handle = await orders_client.start_workflow(
            PayForOrderWorkflow.run,
            args=[endpoint_name, request],
            id=unique_name("pay"),
            task_queue=orders_queue,
            execution_timeout=timedelta(seconds=30),
        )
        health_handle = await orders_client.start_workflow(
            CheckPaymentsHealthWorkflow.run,
            endpoint_name,
            id=unique_name("health"),
            task_queue=orders_queue,
            execution_timeout=timedelta(seconds=30),
        )
        payment, health = await asyncio.gather(
            pay_handle.result(), health_handle.result()
        )
        payment_wire = await _wire_record(orders_client, pay_handle.id)
    return Outcome(
        endpoint=endpoint_name,
        payment=payment,
        health=health,
        payment_wire=payment_wire,
        calls=handler.calls,
    )


async def _wire_record(client: Client, workflow_id: str) -> WireRecord:
    """The Nexus operation's names and payload metadata in a caller's history."""
    record = WireRecord()
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
            scheduled = event.nexus_operation_scheduled_event_attributes
            record.service = scheduled.service
            record.operation = scheduled.operation
            record.endpoint = scheduled.endpoint
            record.input_metadata = dict(scheduled.input.metadata)
        elif event.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED:
            completed = event.nexus_operation_completed_event_attributes
            record.result_metadata = dict(completed.result.metadata)
    return record


def test_generated_definition_carries_protos_across_namespaces(
    dev_server: DevServer,
) -> None:
    outcome = asyncio.run(asyncio.wait_for(_scenario(dev_server), timeout=60))

    # The caller got a real proto back, computed by the handler from its request.
    assert isinstance(outcome.payment, payments_pb2.ProcessPaymentResponse)
    assert outcome.payment == payments_pb2.ProcessPaymentResponse(
        transaction_id="txn-order-42",
        status=payments_pb2.PAYMENT_STATUS_SETTLED,
    )
    # Empty in (no payload: google.protobuf.Empty is None in the definition), proto out.
    assert isinstance(outcome.health, payments_pb2.HealthStatus)
    assert outcome.health.accepting_charges is True

    # The handler saw the wire names of the definition and proto inputs.
    by_operation = {call.operation: call for call in outcome.calls}
    assert set(by_operation) == {"ProcessPayment", "CheckHealth"}
    assert {call.service for call in outcome.calls} == {"payments.v1.PaymentService"}
    payment_input = by_operation["ProcessPayment"].input
    assert isinstance(payment_input, payments_pb2.ProcessPaymentRequest)
    assert payment_input.amount.amount_minor == AMOUNT_MINOR
    assert by_operation["CheckHealth"].input is None

    # In the caller's history (what crossed the wire), both legs are protobuf payloads.
    wire = outcome.payment_wire
    assert wire.endpoint == outcome.endpoint
    assert wire.service == "payments.v1.PaymentService"
    assert wire.operation == "ProcessPayment"
    assert wire.input_metadata["encoding"] == b"json/protobuf"
    assert wire.input_metadata["messageType"] == b"payments.v1.ProcessPaymentRequest"
    assert wire.result_metadata["encoding"] == b"json/protobuf"
    assert wire.result_metadata["messageType"] == b"payments.v1.ProcessPaymentResponse"
