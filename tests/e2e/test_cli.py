"""End to end: the `nexusproto` console script, run as a subprocess, against the
session's dev server.

Each test starts a payments worker in namespace "payments" (a plain subclass of the
generated `PaymentServiceHandler`, and the workflow its workflow-run operation
starts) behind an endpoint of its own, then runs `nexusproto call` as a user would:
the real script from the virtualenv, the contract read from gen/, the connection
from the Temporal environment variables (namespace "orders", the caller's).

This module is imported again inside the workflow sandbox, so it has no
import-time side effects.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import nexusrpc
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceStandaloneClient
from temporalio import workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

import support.payments as support_payments
from support.payments import DECLINE_MESSAGE, DECLINE_ORDER, Call

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        cli_environment,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

# Paths are computed when a test runs: the workflow sandbox re-imports this module
# and refuses Path.resolve.
NEXUSPROTO = "nexusproto"
GEN = "gen"
SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
FLAKY_ORDER = "ledger-down"
FLAKY_MESSAGE = "ledger unavailable"
REJECTED_REFUND = "rejected"
TEST_TIMEOUT_SECONDS = 60

T = TypeVar("T")


def payment_json(order_id: str) -> str:
    return json.dumps(
        {
            "customerId": CUSTOMER_ID,
            "orderId": order_id,
            "amount": {"currency": "EUR", "amountMinor": 1999},
        }
    )


# --- the payments side ------------------------------------------------------------


class Payments(support_payments.DecliningPayments):
    """The shared payments team, declining DECLINE_ORDER; fails FLAKY_ORDER with a
    retryable error (retried until the caller's timeout)."""

    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        if request.order_id == FLAKY_ORDER:
            raise nexusrpc.HandlerError(
                FLAKY_MESSAGE, type=nexusrpc.HandlerErrorType.UNAVAILABLE
            )
        return await super().process_payment(ctx, request)


@workflow.defn(name="RefundPaymentWorkflow")
class RefundWorkflow:
    """Refunds, except a refund whose reason is REJECTED_REFUND: that one fails."""

    @workflow.run
    async def run(
        self, request: payments_pb2.RefundPaymentRequest
    ) -> payments_pb2.RefundPaymentResponse:
        if request.reason == REJECTED_REFUND:
            raise ApplicationError(
                "the bank refused the refund", type="RefundRejected", non_retryable=True
            )
        await workflow.sleep(0.1)  # asynchronous: the operation outlives its start
        return payments_pb2.RefundPaymentResponse(
            refund_id=f"refund-of-{request.transaction_id}",
            status=payments_pb2.PAYMENT_STATUS_REFUNDED,
        )


# --- harness ------------------------------------------------------------------------


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        """stderr without the operation ID line."""
        return [
            line
            for line in self.stderr.splitlines()
            if not line.startswith("operation ID: ")
        ]


@dataclass
class Harness:
    server: DevServer
    endpoint: str
    handler: Payments
    client: Client
    """A client of "orders", the namespace the CLI calls from."""
    config_dir: Path

    def env(self, address: str | None = None) -> dict[str, str]:
        """The test's environment without the user's Temporal settings, plus the server's."""
        return cli_environment(address or self.server.target, self.config_dir / "absent.toml")

    async def cli(
        self,
        *args: str,
        endpoint: bool = True,
        stdin: str | None = None,
        address: str | None = None,
        command: str = "call",
    ) -> Run:
        """`nexusproto call --contracts gen ARGS --endpoint <this test's endpoint>`."""
        repo = Path(__file__).resolve().parents[2]
        argv = [command, "--contracts", str(repo / GEN), *args]
        if endpoint:
            argv += ["--endpoint", self.endpoint]
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / NEXUSPROTO),
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env(address),
        )
        out, err = await process.communicate(stdin.encode() if stdin else None)
        assert process.returncode is not None
        return Run(process.returncode, out.decode(), err.decode())


def run_with_worker(
    server: DevServer, tmp_path: Path, body: Callable[[Harness], Awaitable[T]]
) -> T:
    async def scenario() -> T:
        payments_client = await connect(server, "payments")
        orders_client = await connect(server, "orders")
        task_queue = unique_task_queue("payments")
        endpoint = await create_nexus_endpoint(
            orders_client, target_namespace="payments", task_queue=task_queue
        )
        handler = Payments()
        async with Worker(
            payments_client,
            task_queue=task_queue,
            workflows=[RefundWorkflow],
            nexus_service_handlers=[handler],
        ):
            return await body(
                Harness(server, endpoint.spec.name, handler, orders_client, tmp_path)
            )

    return asyncio.run(asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT_SECONDS))


def operations(calls: list[Call]) -> list[str]:
    return [call.operation for call in calls]


# --- tests --------------------------------------------------------------------------


def test_sync_call_prints_the_response_as_proto_json(
    dev_server: DevServer, tmp_path: Path
) -> None:
    chosen_id = unique_name("op")

    async def body(h: Harness) -> tuple[Run, Run, timedelta | None]:
        # Wire names, a chosen ID and timeout; then the Python names and defaults.
        chosen, fresh = await asyncio.gather(
            h.cli(
                f"{SERVICE}/ProcessPayment",
                "--data",
                payment_json("order-cli-1"),
                "--id",
                chosen_id,
                "--timeout",
                "25s",
            ),
            h.cli("PaymentService/process_payment", "-d", payment_json("order-cli-2")),
        )
        described = await h.client.get_nexus_operation_handle(chosen_id).describe()
        return chosen, fresh, described.schedule_to_close_timeout

    chosen, fresh, timeout = run_with_worker(dev_server, tmp_path, body)

    assert chosen.status == 0, chosen.stderr
    response = json.loads(chosen.stdout)
    assert response["transactionId"].startswith("tx-order-cli-1-")
    assert response == {
        "transactionId": response["transactionId"],
        "status": "PAYMENT_STATUS_SETTLED",
    }
    assert chosen.stderr == f"operation ID: {chosen_id}\n"
    assert timeout == timedelta(seconds=25)

    assert fresh.status == 0, fresh.stderr
    assert json.loads(fresh.stdout)["transactionId"].startswith("tx-order-cli-2-")
    [line] = fresh.stderr.splitlines()
    uuid.UUID(line.removeprefix("operation ID: "))  # a fresh one, printed


def test_workflow_run_call_waits_for_the_workflow(
    dev_server: DevServer, tmp_path: Path
) -> None:
    request = tmp_path / "refund.json"
    request.write_text(json.dumps({"transactionId": "tx-42", "reason": "changed mind"}))

    async def body(h: Harness) -> tuple[Run, Run]:
        return await asyncio.gather(
            h.cli(f"{SERVICE}/refund-payment", "--data", f"@{request}"),
            h.cli(
                f"{SERVICE}/refund_payment",
                "--data",
                "-",
                stdin=json.dumps({"transactionId": "tx-43"}),
            ),
        )

    from_file, from_stdin = run_with_worker(dev_server, tmp_path, body)

    assert from_file.status == 0, from_file.stderr
    assert json.loads(from_file.stdout) == {
        "refundId": "refund-of-tx-42",
        "status": "PAYMENT_STATUS_REFUNDED",
    }
    assert from_stdin.status == 0, from_stdin.stderr
    assert json.loads(from_stdin.stdout)["refundId"] == "refund-of-tx-43"


def test_empty_request_and_empty_response(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> tuple[Run, Run, list[Call]]:
        health = await h.cli(f"{SERVICE}/CheckHealth")
        reset = await h.cli(f"{SERVICE}/ResetLedger", "--data", "{}")
        return health, reset, list(h.handler.calls)

    health, reset, calls = run_with_worker(dev_server, tmp_path, body)

    assert health.status == 0, health.stderr
    assert json.loads(health.stdout) == {"acceptingCharges": True}
    assert reset.status == 0, reset.stderr
    assert reset.stdout == "{}\n"
    assert [(call.operation, call.request) for call in calls] == [
        ("CheckHealth", None),
        ("ResetLedger", None),
    ]


def test_invalid_request_exits_2_listing_every_violation_and_sends_nothing(
    dev_server: DevServer, tmp_path: Path
) -> None:
    data = json.dumps(
        {
            "customerId": "not-a-uuid",
            "orderId": "order-bad",
            "amount": {"currency": "eur", "amountMinor": 0},
        }
    )

    async def body(h: Harness) -> tuple[Run, list[Call]]:
        run = await h.cli(f"{SERVICE}/ProcessPayment", "--data", data)
        return run, list(h.handler.calls)

    run, calls = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        f"nexusproto: invalid payments.v1.ProcessPaymentRequest for {SERVICE}/ProcessPayment, "
        "nothing sent:",
        "  customer_id: must be a valid UUID [string.uuid]",
        "  amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
        "  amount.amount_minor: must be greater than 0 [int64.gt]",
    ]
    assert calls == []


def test_handler_error_exits_3_with_its_type_and_message(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> tuple[Run, list[Call]]:
        run = await h.cli(
            f"{SERVICE}/ProcessPayment", "--data", payment_json(DECLINE_ORDER)
        )
        return run, list(h.handler.calls)

    run, calls = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 3
    assert run.stdout == ""
    assert run.errors == [f"nexusproto: handler error BAD_REQUEST: {DECLINE_MESSAGE}"]
    assert operations(calls) == ["ProcessPayment"]  # reached the handler once


def test_failed_operation_exits_4(dev_server: DevServer, tmp_path: Path) -> None:
    async def body(h: Harness) -> Run:
        data = json.dumps({"transactionId": "tx-7", "reason": REJECTED_REFUND})
        return await h.cli(
            f"{SERVICE}/refund-payment", "--data", data, "--id", "refund-op"
        )

    run = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 4
    assert run.errors == [
        "nexusproto: operation refund-op failed: RefundRejected: the bank refused the refund"
    ]


def test_timeout_exits_5_naming_the_last_attempt(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> Run:
        # The worker answers already, so the first attempt reaches the handler.
        await PaymentServiceStandaloneClient(
            h.client, endpoint=h.endpoint
        ).check_health()
        return await h.cli(
            f"{SERVICE}/ProcessPayment",
            "--data",
            payment_json(FLAKY_ORDER),
            "--timeout",
            "3s",
            "--id",
            "flaky-op",
        )

    run = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 5
    *retries, error = run.errors
    # Each failed attempt is reported while the call waits (a late retry may run
    # out of time in the handler: UPSTREAM_TIMEOUT), and the last one ends the
    # timeout's line: the server forgets it once the timeout fires.
    assert retries[0] == (
        f"attempt 1 failed, retrying: handler error UNAVAILABLE: {FLAKY_MESSAGE}"
    ), retries
    last = retries[-1].partition("retrying: ")[2]
    assert error == (
        "nexusproto: operation flaky-op timed out after 3s (schedule-to-close); "
        f"last failed attempt: {last}"
    )


def test_no_wait_prints_the_operation_id_and_returns(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> tuple[Run, payments_pb2.HealthStatus]:
        run = await h.cli(f"{SERVICE}/CheckHealth", "--no-wait")
        handle = h.client.get_nexus_operation_handle(
            run.stdout.strip(), result_type=payments_pb2.HealthStatus
        )
        return run, await handle.result()

    run, result = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 0, run.stderr
    uuid.UUID(run.stdout.strip())
    assert run.stderr == ""
    assert result == payments_pb2.HealthStatus(accepting_charges=True)


def test_result_waits_for_an_operation_started_without_waiting(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> tuple[Run, Run, Run]:
        started = await h.cli(
            f"{SERVICE}/refund-payment", "--data", '{"transactionId": "tx-later"}', "--no-wait"
        )
        operation_id = started.stdout.strip()
        waited = await h.cli(
            f"{SERVICE}/refund-payment", operation_id, endpoint=False, command="result"
        )
        unknown = await h.cli(
            f"{SERVICE}/refund-payment", "no-such-operation", endpoint=False, command="result"
        )
        return started, waited, unknown

    started, waited, unknown = run_with_worker(dev_server, tmp_path, body)

    assert started.status == 0, started.stderr
    assert waited.status == 0, waited.stderr
    assert json.loads(waited.stdout) == {
        "refundId": "refund-of-tx-later",
        "status": "PAYMENT_STATUS_REFUNDED",
    }
    assert unknown.status == 7, unknown.stderr
    assert unknown.stderr.startswith("nexusproto: cannot get the result: the server refused it")


def test_unknown_operation_exits_64_with_close_matches(
    dev_server: DevServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> tuple[Run, list[Call]]:
        run = await h.cli(f"{SERVICE}/ProcesPayment", "--data", payment_json("o"))
        return run, list(h.handler.calls)

    run, calls = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 64
    assert run.stderr == (
        f"nexusproto: service {SERVICE} has no operation 'ProcesPayment'; "
        "did you mean ProcessPayment?\n"
    )
    assert calls == []


def test_unknown_endpoint_exits_7(dev_server: DevServer, tmp_path: Path) -> None:
    async def body(h: Harness) -> Run:
        return await h.cli(
            f"{SERVICE}/CheckHealth", "--endpoint", "no-such-endpoint", endpoint=False
        )

    run = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 7
    assert run.stderr == (
        f"nexusproto: cannot start {SERVICE}/CheckHealth: the server refused it "
        "(NOT_FOUND): could not find Nexus endpoint by name: no-such-endpoint\n"
    )


def test_unreachable_server_exits_6_naming_the_address(
    dev_server: DevServer, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{sock.getsockname()[1]}"
    # Bound, then closed: nothing listens there.

    async def body(h: Harness) -> Run:
        return await h.cli(f"{SERVICE}/CheckHealth", address=closed)

    run = run_with_worker(dev_server, tmp_path, body)

    assert run.status == 6
    assert run.stderr.startswith(
        f"nexusproto: cannot connect to Temporal at {closed}: "
    )
    assert len(run.stderr.splitlines()) == 1
