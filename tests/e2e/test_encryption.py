"""Encryption: both teams compose a `PayloadCodec` with `nexusproto.converter.data_converter`.

Against the session's dev server, with the documented recipe as `encryption_codec`
runs it (AES-256-GCM from `cryptography`, composed with nexusproto's converter):
the orders team's client and worker (namespace "orders") and the payments team's
(namespace "payments") use its `data_converter`. The
generated `PaymentServiceNexusClient` calls the generated handler: a sync
operation, a workflow-run operation and one taking `google.protobuf.Empty`. Read
through a client without the codec, the history holds ciphertext only; a request
of the wrong message type is still refused after decryption (BAD_REQUEST, from
nexusproto.converter's type check). The `nexusproto` CLI reaches the same handler
with `--data-converter encryption_codec:data_converter`, and
`nexusproto.testing.environment` takes the converter, interceptors and plugins.

This module is imported again inside the workflow sandbox, so it has no
import-time side effects.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import encryption_codec
    from cryptography.exceptions import InvalidTag
    import nexusproto.converter
    import nexusrpc
    import pytest
    import temporalio.client
    import temporalio.worker
    from nexusproto import testing
    from payments.v1 import payments_pb2
    from payments.v1.payments_nexus import (
        PaymentService,
        PaymentServiceNexusClient,
        PaymentServiceStandaloneClient,
    )
    from payments.v1.payments_nexus_testing import PaymentServiceFake
    from support.payments import Call, DecliningPayments, RefundPaymentWorkflow
    from support.temporal import (
        DevServer,
        cli_environment,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )
    from temporalio.api.common.v1 import Payload
    from temporalio.api.enums.v1 import EventType
    from temporalio.api.history.v1 import HistoryEvent
    from temporalio.client import Client
    from temporalio.exceptions import NexusOperationError
    from temporalio.worker import Worker

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
SERVICE = "payments.v1.PaymentService"
TEST_TIMEOUT_SECONDS = 60
T = TypeVar("T")


def _payment(order_id: str) -> payments_pb2.ProcessPaymentRequest:
    return payments_pb2.ProcessPaymentRequest(
        customer_id=CUSTOMER_ID,
        order_id=order_id,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )


# --- the orders side: workflows calling through the generated client ----------------


@dataclass
class Report:
    transaction_id: str
    refund_id: str
    accepting_charges: bool


@workflow.defn
class EncryptedCallsWorkflow:
    """A sync operation, a workflow-run operation and an Empty-input operation."""

    @workflow.run
    async def run(self, endpoint: str, order_id: str) -> Report:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        payment = await payments.process_payment(_payment(order_id))
        refund = await payments.refund_payment(
            payments_pb2.RefundPaymentRequest(
                transaction_id=payment.transaction_id, reason="changed mind"
            )
        )
        health = await payments.check_health()
        return Report(
            payment.transaction_id, refund.refund_id, health.accepting_charges
        )


@dataclass
class Refusal:
    error: str
    cause: str
    handler_error_type: str
    chain: str


@workflow.defn
class WrongTypeWorkflow:
    """Sends a RefundPaymentRequest to ProcessPayment with the raw SDK client (which,
    unlike the generated one, does not hold a request to its operation's type)."""

    @workflow.run
    async def run(self, endpoint: str) -> Refusal:
        payments = workflow.create_nexus_client(
            service=PaymentService, endpoint=endpoint
        )
        try:
            await payments.execute_operation(
                PaymentService.process_payment,
                payments_pb2.RefundPaymentRequest(transaction_id="tx-wrong"),  # type: ignore[arg-type]
                schedule_to_close_timeout=timedelta(seconds=30),
            )
        except NexusOperationError as error:
            cause = error.cause
            chain: list[str] = []
            link: BaseException | None = error
            while link is not None:
                chain.append(str(link))
                link = link.__cause__
            return Refusal(
                type(error).__name__,
                type(cause).__name__,
                cause.type.name if isinstance(cause, nexusrpc.HandlerError) else "",
                " | ".join(chain),
            )
        raise RuntimeError("the wrong request type was accepted")


# --- plumbing ------------------------------------------------------------------------


@dataclass
class Teams:
    server: DevServer
    endpoint: str
    handler: DecliningPayments
    orders: Client
    """The orders team's client, with the codec."""
    orders_queue: str
    plain: Client
    """A client of "orders" without the codec: what someone reading the history sees."""
    plain_payments: Client

    async def run_workflow(self, run: Any, *args: Any) -> tuple[str, Any]:
        workflow_id = unique_name("encrypted")
        result = await self.orders.execute_workflow(
            run,
            args=list(args),
            id=workflow_id,
            task_queue=self.orders_queue,
            execution_timeout=timedelta(seconds=TEST_TIMEOUT_SECONDS),
        )
        return workflow_id, result

    async def events(
        self, workflow_id: str, client: Client | None = None
    ) -> list[HistoryEvent]:
        history = (
            await (client or self.plain)
            .get_workflow_handle(workflow_id)
            .fetch_history()
        )
        return list(history.events)


def with_teams(server: DevServer, body: Callable[[Teams], Awaitable[T]]) -> T:
    async def scenario() -> T:
        converter = encryption_codec.data_converter
        payments = await Client.connect(
            server.target, namespace="payments", data_converter=converter
        )
        orders = await Client.connect(
            server.target, namespace="orders", data_converter=converter
        )
        payments_queue = unique_task_queue("payments")
        orders_queue = unique_task_queue("orders")
        endpoint = await create_nexus_endpoint(
            orders, target_namespace="payments", task_queue=payments_queue
        )
        handler = DecliningPayments()
        async with (
            Worker(
                payments,
                task_queue=payments_queue,
                nexus_service_handlers=[handler],
                workflows=[RefundPaymentWorkflow],
            ),
            Worker(
                orders,
                task_queue=orders_queue,
                workflows=[EncryptedCallsWorkflow, WrongTypeWorkflow],
            ),
        ):
            return await body(
                Teams(
                    server,
                    endpoint.spec.name,
                    handler,
                    orders,
                    orders_queue,
                    await connect(server, "orders"),
                    await connect(server, "payments"),
                )
            )

    return asyncio.run(asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT_SECONDS))


def _sealed(payload: Payload, *plaintexts: str) -> None:
    """Encrypted by the codec: its encoding and key ID, none of the plaintext."""
    assert payload.metadata["encoding"] == encryption_codec.ENCODING, payload.metadata
    assert payload.metadata["encryption-key-id"] == encryption_codec.KEY_ID.encode()
    assert set(payload.metadata) == {"encoding", "encryption-key-id"}  # no messageType
    for text in plaintexts:
        assert text.encode() not in payload.data, text
    assert b"payments.v1" not in payload.data
    assert b"json/protobuf" not in payload.data


def _of(events: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in events if event.event_type == event_type]


# --- tests ---------------------------------------------------------------------------


def test_codec_round_trips_and_refuses_tampering() -> None:
    async def body() -> None:
        converter = encryption_codec.data_converter
        message = _payment("order-round-trip")
        [sealed] = await converter.encode([message])
        _sealed(sealed, "order-round-trip", CUSTOMER_ID)
        assert await converter.decode(
            [sealed], [payments_pb2.ProcessPaymentRequest]
        ) == [message]
        tampered = Payload()
        tampered.CopyFrom(sealed)
        tampered.data = (
            sealed.data[:20] + bytes([sealed.data[20] ^ 1]) + sealed.data[21:]
        )
        with pytest.raises(InvalidTag):
            await converter.decode([tampered], [payments_pb2.ProcessPaymentRequest])
        # Without the codec, the payload is unreadable.
        with pytest.raises(KeyError, match="Unknown payload encoding"):
            await nexusproto.converter.data_converter.decode(
                [sealed], [payments_pb2.ProcessPaymentRequest]
            )

    asyncio.run(body())


def test_generated_caller_and_handler_exchange_only_ciphertext(
    dev_server: DevServer,
) -> None:
    order_id = unique_name("order-secret")

    async def body(t: Teams) -> tuple[Report, list[HistoryEvent], list[HistoryEvent]]:
        workflow_id, report = await t.run_workflow(
            EncryptedCallsWorkflow.run, t.endpoint, order_id
        )
        events = await t.events(workflow_id)
        refund_id = (
            f"refund-{report.transaction_id}"  # the generated default's template
        )
        refund_events = await t.events(refund_id, t.plain_payments)
        return report, events, refund_events

    report, events, refund_events = with_teams(dev_server, body)

    assert report.transaction_id.startswith(f"tx-{order_id}-")
    assert report.refund_id == f"refund-of-{report.transaction_id}"
    assert report.accepting_charges is True

    scheduled = _of(events, EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)
    assert [
        e.nexus_operation_scheduled_event_attributes.operation for e in scheduled
    ] == [
        "ProcessPayment",
        "refund-payment",
        "CheckHealth",
    ]
    pay, refund, health = (
        e.nexus_operation_scheduled_event_attributes.input for e in scheduled
    )
    _sealed(pay, order_id, CUSTOMER_ID, "EUR")
    _sealed(refund, report.transaction_id, "changed mind")
    _sealed(health)  # Empty: no message, but still a sealed payload

    completed = _of(events, EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)
    assert len(completed) == 3  # noqa: PLR2004
    results = [e.nexus_operation_completed_event_attributes.result for e in completed]
    _sealed(results[0], report.transaction_id, "SETTLED")
    _sealed(results[1], report.refund_id, "REFUNDED")  # the handler workflow's result
    _sealed(results[2], "acceptingCharges")

    # The workflow started by the workflow-run operation, in the payments namespace.
    [started] = _of(refund_events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
    [refund_input] = started.workflow_execution_started_event_attributes.input.payloads
    _sealed(refund_input, report.transaction_id)
    [done] = _of(refund_events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
    [refund_result] = done.workflow_execution_completed_event_attributes.result.payloads
    _sealed(refund_result, report.refund_id)

    # The caller workflow's own result is sealed too.
    [finished] = _of(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
    [own_result] = (
        finished.workflow_execution_completed_event_attributes.result.payloads
    )
    _sealed(own_result, report.transaction_id)


def test_a_request_of_the_wrong_type_is_refused_after_decryption(
    dev_server: DevServer,
) -> None:
    async def body(t: Teams) -> tuple[Refusal, list[HistoryEvent], list[Call]]:
        workflow_id, refusal = await t.run_workflow(WrongTypeWorkflow.run, t.endpoint)
        return refusal, await t.events(workflow_id), list(t.handler.calls)

    refusal, events, calls = with_teams(dev_server, body)

    assert refusal.error == "NexusOperationError"
    assert refusal.cause == "HandlerError"
    assert refusal.handler_error_type == "BAD_REQUEST"
    # nexusproto.converter's check, on the decrypted payload, is what refused it.
    assert refusal.chain.endswith(
        "Payload converter failed to decode Nexus operation input | PayloadTypeError: "
        "the payload is a payments.v1.RefundPaymentRequest message where the contract "
        "names payments.v1.ProcessPaymentRequest: the sender's contract differs from this "
        "one for this operation (`nexus-contract breaking` reports such a change)"
    ), refusal.chain
    assert calls == []  # refused before the handler ran
    [scheduled] = _of(events, EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)
    _sealed(scheduled.nexus_operation_scheduled_event_attributes.input, "tx-wrong")
    # Refused once, not retried: the operation failed at its first attempt.
    [failed] = _of(events, EventType.EVENT_TYPE_NEXUS_OPERATION_FAILED)
    assert failed.nexus_operation_failed_event_attributes.failure.cause.message


# --- the CLI -------------------------------------------------------------------------


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str


async def _cli(t: Teams, command: str, *args: str) -> Run:
    repo = Path(__file__).resolve().parents[2]
    env = cli_environment(
        t.server.target,
        repo / "absent-temporal-config.toml",
        PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH", "")]
        ),
    )
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "nexusproto"),
        command,
        "--contracts",
        str(repo / "gen"),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


CONVERTER = ("--data-converter", "encryption_codec:data_converter")


def test_cli_calls_and_reads_encrypted_payloads_with_data_converter(
    dev_server: DevServer,
) -> None:
    order_id = unique_name("order-cli")

    async def body(t: Teams) -> dict[str, Any]:
        ep = ("--endpoint", t.endpoint)
        data = json.dumps(
            {
                "customerId": CUSTOMER_ID,
                "orderId": order_id,
                "amount": {"currency": "EUR", "amountMinor": 1999},
            }
        )
        runs: dict[str, Any] = {}
        runs["sync"] = await _cli(
            t, "call", f"{SERVICE}/ProcessPayment", "-d", data, *ep, *CONVERTER
        )
        runs["empty"] = await _cli(t, "call", f"{SERVICE}/CheckHealth", *ep, *CONVERTER)
        started = await _cli(
            t,
            "call",
            f"{SERVICE}/refund-payment",
            "-d",
            '{"transactionId": "tx-cli-secret"}',
            "--no-wait",
            *ep,
            *CONVERTER,
        )
        runs["started"] = started
        operation_id = started.stdout.strip()
        runs["result"] = await _cli(
            t, "result", f"{SERVICE}/refund-payment", operation_id, *CONVERTER
        )
        runs["result_without"] = await _cli(
            t, "result", f"{SERVICE}/refund-payment", operation_id
        )
        runs["describe"] = await _cli(t, "describe", SERVICE, *CONVERTER)
        runs["bad_spec"] = await _cli(
            t, "describe", "--data-converter", "encryption_codec"
        )
        runs["missing"] = await _cli(
            t, "describe", "--data-converter", "encryption_codec:no_such_converter"
        )
        runs["not_a_converter"] = await _cli(
            t, "describe", "--data-converter", "encryption_codec:KEY_ID"
        )
        runs["unimportable"] = await _cli(
            t,
            "call",
            f"{SERVICE}/CheckHealth",
            "--data-converter",
            "no_such_module:x",
            *ep,
        )
        # What the standalone operation's record shows to a client without the codec.
        described = await t.plain.get_nexus_operation_handle(operation_id).describe()
        runs["described"] = described
        return runs

    runs = with_teams(dev_server, body)

    sync = runs["sync"]
    assert sync.status == 0, sync.stderr
    assert json.loads(sync.stdout)["transactionId"].startswith(f"tx-{order_id}-")
    assert runs["empty"].status == 0, runs["empty"].stderr
    assert json.loads(runs["empty"].stdout) == {"acceptingCharges": True}
    assert runs["started"].status == 0, runs["started"].stderr
    result = runs["result"]
    assert result.status == 0, result.stderr
    assert json.loads(result.stdout) == {
        "refundId": "refund-of-tx-cli-secret",
        "status": "PAYMENT_STATUS_REFUNDED",
    }

    without = runs["result_without"]
    assert without.status == 64  # noqa: PLR2004
    assert without.stdout == ""
    [line] = without.stderr.splitlines()
    assert "Unknown payload encoding binary/encrypted" in line
    assert "--data-converter" in line

    assert runs["describe"].status == 0, runs["describe"].stderr
    assert runs["describe"].stdout.startswith(SERVICE)
    assert runs["bad_spec"].status == 64  # noqa: PLR2004
    assert "expected MODULE:ATTRIBUTE" in runs["bad_spec"].stderr
    assert runs["missing"].status == 64  # noqa: PLR2004
    assert "has no attribute no_such_converter" in runs["missing"].stderr
    assert runs["not_a_converter"].status == 64  # noqa: PLR2004
    assert (
        "is a str, not a temporalio.converter.DataConverter"
        in runs["not_a_converter"].stderr
    )
    assert runs["unimportable"].status == 64  # noqa: PLR2004
    assert "cannot import no_such_module" in runs["unimportable"].stderr
    for name in ("bad_spec", "missing", "not_a_converter", "unimportable"):
        assert len(runs[name].stderr.splitlines()) == 1, runs[name].stderr

    described = runs["described"]
    assert described.status.name == "COMPLETED"


# --- nexusproto.testing.environment --------------------------------------------------


class _CountingClientInterceptor(temporalio.client.Interceptor):
    """A client interceptor: counts standalone Nexus starts."""

    def __init__(self) -> None:
        self.starts = 0

    def intercept_client(
        self, next: temporalio.client.OutboundInterceptor
    ) -> temporalio.client.OutboundInterceptor:
        interceptor = self

        class Outbound(temporalio.client.OutboundInterceptor):
            async def start_nexus_operation(self, input: Any) -> Any:
                interceptor.starts += 1
                return await super().start_nexus_operation(input)

        return Outbound(next)


class _CountingWorkerInterceptor(temporalio.worker.Interceptor):
    """A worker-only interceptor: counts the Nexus starts the worker runs."""

    def __init__(self) -> None:
        self.starts = 0

    def intercept_nexus_operation(
        self, next: temporalio.worker.NexusOperationInboundInterceptor
    ) -> temporalio.worker.NexusOperationInboundInterceptor:
        interceptor = self

        class Inbound(temporalio.worker.NexusOperationInboundInterceptor):
            async def execute_nexus_operation_start(self, input: Any) -> Any:
                interceptor.starts += 1
                return await super().execute_nexus_operation_start(input)

        return Inbound(next)


class _RecordingPlugin(temporalio.client.Plugin, temporalio.worker.Plugin):
    """A client-and-worker plugin that records what it configured."""

    def __init__(self) -> None:
        self.configured: list[str] = []

    def name(self) -> str:
        return "nexusproto-tests.recording"

    def configure_client(self, config: Any) -> Any:
        self.configured.append("client")
        return config

    async def connect_service_client(self, config: Any, next: Any) -> Any:
        return await next(config)

    def configure_worker(self, config: Any) -> Any:
        self.configured.append("worker")
        return config

    async def run_worker(self, worker: Any, next: Any) -> None:
        await next(worker)

    def configure_replayer(self, config: Any) -> Any:
        return config

    def run_replayer(self, replayer: Any, histories: Any, next: Any) -> Any:
        return next(replayer, histories)


def test_testing_environment_takes_the_converter_interceptors_and_plugins() -> None:
    client_interceptor = _CountingClientInterceptor()
    worker_interceptor = _CountingWorkerInterceptor()
    plugin = _RecordingPlugin()
    endpoint = unique_name("encrypted-kit")
    fake = PaymentServiceFake(
        check_health=payments_pb2.HealthStatus(accepting_charges=True),
    )

    async def body() -> tuple[Any, Any, Any, list[HistoryEvent]]:
        async with testing.environment(
            handlers={endpoint: fake},
            data_converter=encryption_codec.data_converter,
            interceptors=[client_interceptor, worker_interceptor],
            plugins=[plugin],
        ) as env:
            converter = env.client.data_converter
            health = await PaymentServiceStandaloneClient(
                env.client, endpoint=endpoint
            ).check_health()
            async with testing.environment(
                handlers={unique_name("plain-kit"): PaymentServiceFake()}
            ) as plain_env:
                default_converter = plain_env.client.data_converter
            return converter, default_converter, health, []

    converter, default_converter, health, _ = asyncio.run(
        asyncio.wait_for(body(), timeout=TEST_TIMEOUT_SECONDS)
    )

    assert converter.payload_codec is encryption_codec.data_converter.payload_codec
    assert default_converter is nexusproto.converter.data_converter
    assert health == payments_pb2.HealthStatus(accepting_charges=True)
    assert client_interceptor.starts == 1
    assert worker_interceptor.starts == 1
    assert plugin.configured == ["client", "worker"]
    assert fake.calls["check_health"] == [None]
