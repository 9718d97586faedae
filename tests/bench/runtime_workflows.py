"""The runtime benchmark's caller side: workflows, and the hand-written raw-SDK contract.

Four variants call the same operation (the demo's ProcessPayment: a
payments.v1.ProcessPaymentRequest in, a ProcessPaymentResponse out):

- `raw`: a plain `nexusrpc` service definition written by hand and
  `workflow.create_nexus_client(...).execute_operation(...)`; no validation;
- `raw+validate`: the same, with hand-written protovalidate checks where the
  generated code has them (caller: request; handler: request and response);
- `generated`: the generated `UnvalidatedPaymentsNexusClient` and handler base
  (the contract switches validation off, `(nexusproto.v1.service).validate = false`);
- `generated+validate`: the generated `ValidatedPaymentsNexusClient` and handler base
  (the demo's rules checked, as by default).

Every variant passes the same 60 s schedule-to-close timeout (the generated
contract's default; the raw caller passes it explicitly).

This module is imported again inside the workflow sandbox: no side effects.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import nexusrpc
from nxbenchpay.v1.nxbenchpay_nexus import (
    UnvalidatedPaymentsNexusClient,
    ValidatedPaymentsNexusClient,
)
from payments.v1 import payments_pb2
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    import protovalidate

RAW = "raw"
RAW_VALIDATED = "raw+validate"
GENERATED = "generated"
GENERATED_VALIDATED = "generated+validate"
VARIANTS = (RAW, GENERATED, RAW_VALIDATED, GENERATED_VALIDATED)

TIMEOUT = timedelta(seconds=60)
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"


@nexusrpc.service(name="bench.RawPayments")
class RawPayments:
    process_payment: nexusrpc.Operation[
        payments_pb2.ProcessPaymentRequest, payments_pb2.ProcessPaymentResponse
    ] = nexusrpc.Operation(name="ProcessPayment")


@nexusrpc.service(name="bench.RawValidatedPayments")
class RawValidatedPayments:
    process_payment: nexusrpc.Operation[
        payments_pb2.ProcessPaymentRequest, payments_pb2.ProcessPaymentResponse
    ] = nexusrpc.Operation(name="ProcessPayment")


def payment(order_id: str = "order-1") -> payments_pb2.ProcessPaymentRequest:
    """The demo's valid payment."""
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


Call = Callable[
    [payments_pb2.ProcessPaymentRequest], Awaitable[payments_pb2.ProcessPaymentResponse]
]


def caller(variant: str, endpoint: str) -> Call:
    """The variant's way to call ProcessPayment once (created inside the workflow)."""
    if variant == RAW:
        raw = workflow.create_nexus_client(service=RawPayments, endpoint=endpoint)

        async def call_raw(
            request: payments_pb2.ProcessPaymentRequest,
        ) -> payments_pb2.ProcessPaymentResponse:
            return await raw.execute_operation(
                RawPayments.process_payment, request, schedule_to_close_timeout=TIMEOUT
            )

        return call_raw
    if variant == RAW_VALIDATED:
        checked = workflow.create_nexus_client(service=RawValidatedPayments, endpoint=endpoint)

        async def call_checked(
            request: payments_pb2.ProcessPaymentRequest,
        ) -> payments_pb2.ProcessPaymentResponse:
            if protovalidate.collect_violations(request):
                raise ApplicationError("invalid request", non_retryable=True)
            return await checked.execute_operation(
                RawValidatedPayments.process_payment, request, schedule_to_close_timeout=TIMEOUT
            )

        return call_checked
    if variant == GENERATED:
        return UnvalidatedPaymentsNexusClient(endpoint=endpoint).process_payment
    if variant == GENERATED_VALIDATED:
        return ValidatedPaymentsNexusClient(endpoint=endpoint).process_payment
    raise ValueError(f"unknown variant {variant!r}")


@dataclass
class Calls:
    variant: str
    endpoint: str
    count: int


@dataclass
class Rounds:
    variants: list[str]
    endpoint: str
    rounds: int


@dataclass
class Latencies:
    """Nanoseconds per operation and variant, as the workflow saw them.

    Operations that ran during a replay are left out and counted in `replayed`.
    """

    nanoseconds: dict[str, list[int]]
    replayed: int


def _now_ns() -> int:
    # Wall-clock reading for measurement only, never for workflow logic.
    with workflow.unsafe.sandbox_unrestricted():
        return time.perf_counter_ns()


@workflow.defn
class SequentialCalls:
    """Operations one after another, each timed from call to result.

    Each round calls once through every variant, in an order rotated from round
    to round, so all variants see the same state of the server and the workers.
    """

    @workflow.run
    async def run(self, rounds: Rounds) -> Latencies:
        calls = {variant: caller(variant, rounds.endpoint) for variant in rounds.variants}
        request = payment()
        out = Latencies({variant: [] for variant in rounds.variants}, 0)
        for index in range(rounds.rounds):
            shift = index % len(rounds.variants)
            for variant in rounds.variants[shift:] + rounds.variants[:shift]:
                started = _now_ns()
                response = await calls[variant](request)
                elapsed = _now_ns() - started
                if not response.transaction_id:
                    raise ApplicationError("empty transaction id", non_retryable=True)
                if workflow.unsafe.is_replaying():
                    # A replay (after a cache eviction) re-runs this code without
                    # waiting for anything: not a latency.
                    out.replayed += 1
                else:
                    out.nanoseconds[variant].append(elapsed)
        return out


@workflow.defn
class ConcurrentCalls:
    """`count` operations started at once, awaited together."""

    @workflow.run
    async def run(self, calls: Calls) -> int:
        call = caller(calls.variant, calls.endpoint)
        request = payment()
        responses = await asyncio.gather(*(call(request) for _ in range(calls.count)))
        return sum(1 for response in responses if response.transaction_id)
