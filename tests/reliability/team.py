"""Both teams as the reliability scenarios run them, each in worker processes of its own.

Payments (handler side): `Payments`, a plain subclass of the generated
`PaymentServiceHandler`, as a team writes it, made idempotent the way the handler guide
advises (the charge is keyed by the Nexus request ID, which every retry of one
start carries); `RefundPaymentWorkflow`, which the generated `refund_payment`
body starts; and, for the load comparison only, `RawPaymentsHandler`, the same
service written by hand against the raw SDK.

Orders (caller side): `PaymentsBatch`, a workflow calling many operations at
once through the generated `PaymentServiceNexusClient` (or the raw SDK client),
and the workflows of the cancellation and failure scenarios.

What the handler side did is appended to a journal file (`RELIABILITY_JOURNAL`),
one JSON object a line, written with one `write` on an O_APPEND descriptor, so
that a process killed with SIGKILL loses nothing it had recorded:

- `attempt`: a Nexus start task reached the worker (before validation, before
  user code), with its operation and request ID;
- `run`: user code of an operation began;
- `charge`: a payment was booked (once per request ID: the ledger);
- `started`: the generated refund body returned a started workflow.

How an operation behaves is part of its key, so that callers choose it:
a payment's `order_id` starts with `ok`, `slow` (the handler takes
`RELIABILITY_SLOW_SECONDS`), `raise` (a plain exception), `handlererror`
(non-retryable HandlerError), `operror` (OperationError) or `badresponse` (an
answer that breaks the contract's rules); a refund's `reason` is `wait=SECONDS`
(the workflow sleeps that long) or `hold` (it waits until cancelled).

This module is imported again inside the workflow sandbox: no import-time side
effects beyond definitions.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import nexusproto
import nexusrpc
import nexusrpc.handler
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentServiceHandler,
    PaymentServiceNexusClient,
)
from temporalio import common, exceptions, nexus, workflow
from temporalio.worker import (
    ExecuteNexusOperationStartInput,
    Interceptor,
    NexusOperationInboundInterceptor,
)

JOURNAL_ENV = "RELIABILITY_JOURNAL"
SLOW_ENV = "RELIABILITY_SLOW_SECONDS"
HOLD_AFTER_START_ENV = "RELIABILITY_HOLD_AFTER_START"
"""Seconds the refund handler waits between the workflow's start and its answer,
so that a scenario can kill the worker exactly there."""

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
HOLD = "hold"


# --- the journal ---------------------------------------------------------------------


class Journal:
    """Append-only JSON lines; each record is one write(2), complete or absent."""

    def __init__(self, path: str | None) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if path else None

    def record(self, event: str, **fields: Any) -> None:
        if self._fd is None:
            return
        line = json.dumps({"e": event, "pid": os.getpid(), "t": time.time(), **fields})
        os.write(self._fd, (line + "\n").encode())


def read_journal(path: str) -> list[dict[str, Any]]:
    """Every complete record of a journal (a line cut short by a kill is skipped)."""
    try:
        with open(path, encoding="utf-8") as lines:
            records = []
            for line in lines:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
            return records
    except FileNotFoundError:
        return []


# --- payments: the handler side ------------------------------------------------------


def behaviour(key: str) -> str:
    return key.split("-", 1)[0]


def transaction_id(idempotency_key: str) -> str:
    """The same transaction for every retry of one start."""
    return f"tx-{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex[:16]}"


class Ledger:
    """Charges booked at most once per idempotency key, kept in the journal.

    A restarted worker reads back what its predecessors booked, as a real
    service would read its database.
    """

    def __init__(self, journal: Journal, path: str | None) -> None:
        self._journal = journal
        self._booked: dict[str, str] = {
            record["rid"]: record["tx"]
            for record in (read_journal(path) if path else [])
            if record["e"] == "charge"
        }

    def charge(self, key: str, request: payments_pb2.ProcessPaymentRequest) -> str:
        booked = self._booked.get(key)
        if booked is None:
            booked = transaction_id(key)
            self._journal.record("charge", rid=key, key=request.order_id, tx=booked)
            self._booked[key] = booked
        return booked


class Payments(PaymentServiceHandler):
    """What the payments team writes: a plain subclass of the generated base."""

    def __init__(self, journal: Journal, ledger: Ledger) -> None:
        self.journal = journal
        self.ledger = ledger
        self.slow_seconds = float(os.environ.get(SLOW_ENV, "2"))
        self.hold_after_start = float(os.environ.get(HOLD_AFTER_START_ENV, "0"))

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self.journal.record("run", op=ctx.operation, rid=ctx.request_id, key=request.order_id)
        return await settle(ctx, request, self.ledger, self.slow_seconds)

    async def refund_payment(
        self,
        ctx: nexus.WorkflowRunOperationContext,
        request: payments_pb2.RefundPaymentRequest,
    ) -> nexus.WorkflowHandle[payments_pb2.RefundPaymentResponse]:
        # The generated body starts the workflow; this override only records it.
        self.journal.record("run", op=ctx.operation, rid=ctx.request_id, key=request.transaction_id)
        handle = await super().refund_payment(ctx, request)
        self.journal.record("started", rid=ctx.request_id, key=request.transaction_id)
        if self.hold_after_start:
            await asyncio.sleep(self.hold_after_start)
        return handle

    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        raise nexusrpc.HandlerError("not in production", type=nexusrpc.HandlerErrorType.BAD_REQUEST)


async def settle(
    ctx: nexusrpc.handler.StartOperationContext,
    request: payments_pb2.ProcessPaymentRequest,
    ledger: Ledger,
    slow_seconds: float,
) -> payments_pb2.ProcessPaymentResponse:
    """The payment itself, the same for the generated and the raw handler."""
    kind = behaviour(request.order_id)
    if kind == "slow":
        await asyncio.sleep(slow_seconds)
    elif kind == "raise":
        raise RuntimeError("the bank answered nonsense")
    elif kind == "handlererror":
        raise nexusrpc.HandlerError(
            "customer is blocked",
            type=nexusrpc.HandlerErrorType.BAD_REQUEST,
            retryable_override=False,
        )
    elif kind == "operror":
        raise nexusrpc.OperationError("card declined", state=nexusrpc.OperationErrorState.FAILED)
    elif kind == "badresponse":
        return payments_pb2.ProcessPaymentResponse()  # no transaction ID: breaks min_len
    booked = ledger.charge(nexusproto.idempotency_key(ctx), request)
    return payments_pb2.ProcessPaymentResponse(
        transaction_id=booked, status=payments_pb2.PAYMENT_STATUS_SETTLED
    )


@workflow.defn
class RefundPaymentWorkflow:
    """Started by the generated `refund_payment` body, one per transaction."""

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        if request.reason == HOLD:
            await workflow.wait_condition(lambda: False)
        elif request.reason.startswith("wait="):
            await workflow.sleep(float(request.reason.removeprefix("wait=")))
        return payments_pb2.RefundPaymentResponse(
            refund_id=workflow.info().workflow_id,
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )


class StartJournal(Interceptor):
    """Records every Nexus start task the worker receives, before anything else runs."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def intercept_nexus_operation(
        self, next: NexusOperationInboundInterceptor
    ) -> NexusOperationInboundInterceptor:
        journal = self.journal

        class Recording(NexusOperationInboundInterceptor):
            async def execute_nexus_operation_start(
                self, input: ExecuteNexusOperationStartInput
            ) -> Any:
                journal.record("attempt", op=input.ctx.operation, rid=input.ctx.request_id)
                return await super().execute_nexus_operation_start(input)

        return Recording(next)


# --- the raw-SDK equivalent, for the load comparison ---------------------------------


@nexusrpc.service(name="payments.v1.PaymentService")
class RawPaymentService:
    """The contract's two load operations, written by hand (same wire names)."""

    process_payment: nexusrpc.Operation[
        payments_pb2.ProcessPaymentRequest, payments_pb2.ProcessPaymentResponse
    ] = nexusrpc.Operation(name="ProcessPayment")
    refund_payment: nexusrpc.Operation[
        payments_pb2.RefundPaymentRequest, payments_pb2.RefundPaymentResponse
    ] = nexusrpc.Operation(name="refund-payment")


@nexusrpc.handler.service_handler(service=RawPaymentService)
class RawPaymentsHandler:
    """The same user code as `Payments`, with the SDK's decorators and no validation."""

    def __init__(self, journal: Journal, ledger: Ledger) -> None:
        self.journal = journal
        self.ledger = ledger

    @nexusrpc.handler.sync_operation
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        self.journal.record("run", op=ctx.operation, rid=ctx.request_id, key=input.order_id)
        return await settle(ctx, input, self.ledger, 0.0)

    @nexus.workflow_run_operation
    async def refund_payment(
        self,
        ctx: nexus.WorkflowRunOperationContext,
        input: payments_pb2.RefundPaymentRequest,
    ) -> nexus.WorkflowHandle[payments_pb2.RefundPaymentResponse]:
        self.journal.record("run", op=ctx.operation, rid=ctx.request_id, key=input.transaction_id)
        handle = await ctx.start_workflow(
            RefundPaymentWorkflow.run,
            input,
            id=f"refund-{input.transaction_id}",
            id_reuse_policy=common.WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=common.WorkflowIDConflictPolicy.USE_EXISTING,
        )
        self.journal.record("started", rid=ctx.request_id, key=input.transaction_id)
        return handle


# --- orders: the caller side ---------------------------------------------------------

GENERATED = "generated"
RAW = "raw"


@dataclass
class Op:
    """One operation a caller workflow starts: `pay` (sync) or `refund` (workflow-run)."""

    kind: str
    key: str
    reason: str = ""


@dataclass
class Batch:
    endpoint: str
    ops: list[Op]
    variant: str = GENERATED
    timeout_seconds: float = 300.0


@dataclass
class Outcome:
    key: str
    value: str = ""
    """The transaction ID (pay) or refund ID (refund); empty when the call failed."""
    error: str = ""
    """The failure chain, outermost first, when the call failed."""
    latency_ns: int = -1
    """From the call to its result, as the workflow saw it; -1 when it ended in a replay."""


def payment_request(order_id: str) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


def refund_request(op: Op) -> payments_pb2.RefundPaymentRequest:
    return payments_pb2.RefundPaymentRequest(
        transaction_id=op.key,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
        reason=op.reason,
    )


def failure_chain(err: BaseException | None) -> str:
    """`NexusOperationError > HandlerError(BAD_REQUEST): message > ...`."""
    parts = []
    while err is not None:
        name = type(err).__name__
        if isinstance(err, nexusrpc.HandlerError):
            name += f"({err.type.name}, retryable={err.retryable})"
        elif isinstance(err, exceptions.ApplicationError):
            name += f"({err.type}, non_retryable={err.non_retryable})"
        elif isinstance(err, exceptions.TimeoutError):
            name += f"({err.type.name if err.type else ''})"
        message = err.message if isinstance(err, exceptions.FailureError) else str(err)
        parts.append(f"{name}: {message}" if message else name)
        err = err.__cause__
    return " > ".join(parts)


def _now_ns() -> int:
    # A clock reading for measurement only, never for workflow logic.
    with workflow.unsafe.sandbox_unrestricted():
        return time.perf_counter_ns()


@workflow.defn
class PaymentsBatch:
    """Starts every operation of the batch at once and reports how each ended.

    A failed operation is reported, not raised: the scenario decides what counts
    as lost. The workflow itself fails only if the workflow code is broken.
    """

    @workflow.run
    async def run(self, batch: Batch) -> list[Outcome]:
        timeout = timedelta(seconds=batch.timeout_seconds)
        if batch.variant == GENERATED:
            generated = PaymentServiceNexusClient(endpoint=batch.endpoint)

            async def call(op: Op) -> str:
                if op.kind == "pay":
                    paid = await generated.process_payment(
                        payment_request(op.key), schedule_to_close_timeout=timeout
                    )
                    return paid.transaction_id
                refunded = await generated.refund_payment(
                    refund_request(op), schedule_to_close_timeout=timeout
                )
                return refunded.refund_id

        else:
            raw = workflow.create_nexus_client(service=RawPaymentService, endpoint=batch.endpoint)

            async def call(op: Op) -> str:
                if op.kind == "pay":
                    paid = await raw.execute_operation(
                        RawPaymentService.process_payment,
                        payment_request(op.key),
                        schedule_to_close_timeout=timeout,
                    )
                    return paid.transaction_id
                refunded = await raw.execute_operation(
                    RawPaymentService.refund_payment,
                    refund_request(op),
                    schedule_to_close_timeout=timeout,
                )
                return refunded.refund_id

        async def one(op: Op) -> Outcome:
            outcome = Outcome(op.key)
            started = _now_ns()
            try:
                outcome.value = await call(op)
            except exceptions.NexusOperationError as err:
                outcome.error = failure_chain(err)
            if not workflow.unsafe.is_replaying():
                outcome.latency_ns = _now_ns() - started
            return outcome

        return list(await asyncio.gather(*(one(op) for op in batch.ops)))


@dataclass
class CancelCase:
    endpoint: str
    key: str
    cancellation_type: str
    """A `workflow.NexusOperationCancellationType` name."""
    kind: str = "refund"
    """`refund` (workflow-run, held until cancelled) or `pay` (a slow sync call)."""
    linger_seconds: float = 0.0
    """How long the workflow stays open after it saw the outcome."""


@dataclass
class CancelOutcome:
    started_async: bool
    """Whether the operation had an operation token (a started workflow) when cancelled."""
    error: str
    """How awaiting the cancelled operation ended, as a failure chain."""


@workflow.defn
class CancelOperation:
    """Starts an operation, cancels it, awaits it.

    A workflow-run operation is cancelled once started (its workflow runs); a sync
    operation, which has no started state to cancel, while its handler runs.
    """

    @workflow.run
    async def run(self, case: CancelCase) -> CancelOutcome:
        payments = PaymentServiceNexusClient(endpoint=case.endpoint)
        cancellation_type = workflow.NexusOperationCancellationType[case.cancellation_type]
        if case.kind == "pay":
            call = asyncio.ensure_future(
                payments.process_payment(
                    payment_request(case.key), cancellation_type=cancellation_type
                )
            )
            await workflow.sleep(0.5)
            call.cancel()
            outcome = CancelOutcome(False, "completed")
            try:
                await call
            except exceptions.NexusOperationError as err:
                outcome.error = failure_chain(err)
        else:
            handle = await payments.start_refund_payment(
                refund_request(Op("refund", case.key, HOLD)),
                cancellation_type=cancellation_type,
            )
            outcome = CancelOutcome(bool(handle.operation_token), "completed")
            handle.cancel()
            try:
                await handle
            except exceptions.NexusOperationError as err:
                outcome.error = failure_chain(err)
        if case.linger_seconds:
            await workflow.sleep(case.linger_seconds)
        return outcome


@dataclass
class Attempt:
    endpoint: str
    order_id: str
    timeout_seconds: float


@workflow.defn
class FailingPayment:
    """Calls `process_payment` once and reports how it ended."""

    @workflow.run
    async def run(self, attempt: Attempt) -> str:
        payments = PaymentServiceNexusClient(endpoint=attempt.endpoint)
        try:
            await payments.process_payment(
                payment_request(attempt.order_id),
                schedule_to_close_timeout=timedelta(seconds=attempt.timeout_seconds),
            )
        except exceptions.NexusOperationError as err:
            return failure_chain(err)
        return "completed"


CALLER_WORKFLOWS = [PaymentsBatch, CancelOperation, FailingPayment]
HANDLER_WORKFLOWS = [RefundPaymentWorkflow]
