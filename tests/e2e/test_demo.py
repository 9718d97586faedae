"""The demo behind `make demo` (python/demo/orders_payments), on the suite's server.

`run_demo` is the code `python -m orders_payments` runs after it has a server;
here it gets the session's dev server (through `connect`) instead of starting
its own, and unique names for the endpoint, task queues and order, so it cannot
meet other tests' state. Only the endpoint differs from `make demo`: the demo
uses the contract's default endpoint "payments", which this suite leaves alone.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import pytest
from payments.v1 import payments_pb2
from nexusproto import configuration
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from support.temporal import DevServer, connect, unique_name, unique_task_queue

DEMO_DIR = Path(__file__).resolve().parents[2] / "python" / "demo"
if str(DEMO_DIR) not in sys.path:
    sys.path.insert(0, str(DEMO_DIR))

from orders_payments import run  # noqa: E402

VIOLATIONS = [
    "customer_id: must be a valid UUID [string.uuid]",
    "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
    "amount.amount_minor: must be greater than 0 [int64.gt]",
]


def demo_config() -> run.DemoConfig:
    return run.DemoConfig(
        payments_task_queue=unique_task_queue("payments"),
        orders_task_queue=unique_task_queue("orders"),
        endpoint=unique_name("payments"),
        carts_endpoint=unique_name("carts"),
        order_id=unique_name("order"),
    )


def test_demo_runs_both_teams_against_a_given_server(dev_server: DevServer) -> None:
    config = demo_config()
    lines: list[str] = []

    async def scenario() -> tuple[run.DemoResult, list[EventType.ValueType]]:
        async def connect_to(namespace: str) -> Client:
            return await connect(dev_server, namespace)

        result = await run.run_demo(connect_to, config, say=lines.append)
        payments = await connect(dev_server, config.payments_namespace)
        refund = payments.get_workflow_handle(result.order.refund_id)
        events = [event.event_type for event in (await refund.fetch_history()).events]
        return result, events

    result, refund_events = asyncio.run(asyncio.wait_for(scenario(), timeout=60))

    order = result.order
    assert result.endpoint_created is True
    assert order.order_id == config.order_id
    assert order.accepting_charges is True
    # process_payment (sync) settled the order.
    assert order.payment_status == "PAYMENT_STATUS_SETTLED"
    assert order.transaction_id.startswith("tx-")
    # refund_payment (workflow-run) ran RefundPaymentWorkflow under the contract's ID
    # template, in the payments namespace, to completion.
    assert order.refund_id == f"refund-{order.transaction_id}"
    assert order.refund_status == "PAYMENT_STATUS_REFUNDED"
    assert refund_events[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
    # The invalid payment was rejected inside the workflow, field by field.
    assert order.rejected_violations == VIOLATIONS
    assert order.rejected_message.startswith(
        "invalid request to payments.v1.PaymentService/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: customer_id: must be a valid UUID"
    )
    # Application code charged through a standalone operation with a fresh id.
    standalone = result.standalone
    uuid.UUID(standalone.operation_id)
    assert standalone.response.transaction_id.startswith("tx-")
    assert standalone.response.status == payments_pb2.PAYMENT_STATUS_SETTLED

    # Application code added to a cart: an update of the orders team's CartWorkflow,
    # whose first item started it.
    assert result.cart.cart_id == config.order_id
    assert [(line.sku, line.quantity) for line in result.cart.lines] == [("tea", 2)]
    assert result.cart.total == payments_pb2.Money(currency="EUR", amount_minor=900)

    # What the demo prints: one line per step, both teams.
    text = "\n".join(lines)
    assert f"[orders] placing order {config.order_id}: 19.99 EUR" in lines
    assert (
        f"[payments] charged 19.99 EUR for {config.order_id} -> {order.transaction_id}"
        in lines
    )
    assert (
        f"[orders] order {config.order_id} -> payment settled: {order.transaction_id}"
        in lines
    )
    assert f"refund completed: {order.refund_id}" in text
    assert (
        "[orders] invalid payment rejected, nothing sent: " + "; ".join(VIOLATIONS)
        in lines
    )
    assert (
        f"[app] standalone operation {standalone.operation_id} -> payment settled: "
        f"{standalone.response.transaction_id}"
    ) in lines
    assert f"[app] cart {config.order_id} -> 2 items, 9.00 EUR (update add_item" in text


def test_demo_endpoint_setup_reuses_a_matching_endpoint_and_refuses_another(
    dev_server: DevServer,
) -> None:
    config = demo_config()
    lines: list[str] = []

    async def scenario() -> tuple[bool, bool, str]:
        client = await connect(dev_server, config.orders_namespace)
        first = await run.ensure_endpoint(client, config.payments_route, lines.append)
        second = await run.ensure_endpoint(client, config.payments_route, lines.append)
        elsewhere = run.DemoConfig(
            payments_task_queue=unique_task_queue("other"),
            endpoint=config.endpoint,
        )
        with pytest.raises(run.DemoSetupError) as refused:
            await run.ensure_endpoint(client, elsewhere.payments_route, lines.append)
        return first, second, str(refused.value)

    first, second, refused = asyncio.run(asyncio.wait_for(scenario(), timeout=30))

    assert (first, second) == (True, False)
    assert lines[1].endswith("(already there)")
    assert (
        f"routes to namespace 'payments', task queue '{config.payments_task_queue}'"
        in (refused)
    )


def test_demo_connects_both_teams_with_the_environments_converter(
    dev_server: DevServer,
) -> None:
    """NEXUSPROTO_DATA_CONVERTER (here the documented encryption recipe) reaches every
    client and worker of the demo: the histories of both teams hold ciphertext."""
    import encryption_codec

    config = demo_config()
    options = configuration.from_environment(
        {"NEXUSPROTO_DATA_CONVERTER": "encryption_codec:data_converter"}
    )
    assert options.data_converter is encryption_codec.data_converter
    assert run.describe_options(options) == (
        "the environment's data converter (payload codec EncryptionCodec)"
    )

    async def scenario() -> tuple[run.DemoResult, list[Payload]]:
        connect_to = run.connector({"target_host": dev_server.target}, options)
        result = await run.run_demo(connect_to, config, say=lambda _: None)
        plain = await connect(dev_server, config.payments_namespace)
        refund = plain.get_workflow_handle(result.order.refund_id)
        events = (await refund.fetch_history()).events
        started = events[0].workflow_execution_started_event_attributes.input.payloads
        completed = events[-1].workflow_execution_completed_event_attributes.result.payloads
        return result, [*started, *completed]

    result, payloads = asyncio.run(asyncio.wait_for(scenario(), timeout=60))

    assert result.order.refund_status == "PAYMENT_STATUS_REFUNDED"
    assert len(payloads) == 2  # noqa: PLR2004 - the refund's input and result
    for payload in payloads:
        assert payload.metadata["encoding"] == encryption_codec.ENCODING
        assert result.order.transaction_id.encode() not in payload.data


def test_demo_uses_a_local_server_unless_environment_configuration_names_one() -> None:
    assert run.uses_existing_cluster({}) is False
    assert run.uses_existing_cluster({"TEMPORAL_ADDRESS": "localhost:7233"}) is True
    assert run.uses_existing_cluster({"TEMPORAL_PROFILE": "cloud"}) is True
    assert (
        run.uses_existing_cluster({"TEMPORAL_CONFIG_FILE": "/x/temporal.toml"}) is True
    )
    assert run.uses_existing_cluster({"TEMPORAL_ADDRESS": ""}) is False


def test_serving_demo_stops_its_server_on_sigterm(tmp_path: Path) -> None:
    """`DEMO_SERVE=1 make demo` keeps its own dev server up for calls by hand; ended by
    a supervisor's SIGTERM (or Ctrl-C) it still stops that server, and exits cleanly."""
    import os
    import signal
    import subprocess
    import time

    repo = DEMO_DIR.parents[1]
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TEMPORAL_ADDRESS", "TEMPORAL_PROFILE", "TEMPORAL_CONFIG_FILE")
    }
    environ.update(DEMO_SERVE="1", PYTHONPATH=f"{repo / 'gen'}{os.pathsep}{DEMO_DIR}")
    demo = subprocess.Popen(
        [sys.executable, "-m", "orders_payments"],
        env=environ,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = demo.stdout.readline()
        seen.append(line)
        if "serving until" in line or not line:
            break
    assert "serving until" in seen[-1], "".join(seen)
    demo.send_signal(signal.SIGTERM)  # the process this test started, by its id
    rest, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, "".join(seen) + rest
    stopped = [line for line in rest.splitlines() if "dev server stopped (pid" in line]
    assert stopped, rest
    server_pid = int(stopped[0].split("(pid ")[1].rstrip(")"))
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
