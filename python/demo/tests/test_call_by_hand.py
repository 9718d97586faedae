"""The demo ends by printing a `nexusproto call` command for calling payments by hand;
run as printed, it reaches the demo's payments worker through the demo's endpoint.

The demo runs here as `make demo` runs it: its own local dev server, the contract's
default endpoint "payments". The command runs while the workers are up (the hook
that `DEMO_SERVE=1` uses to wait for Ctrl-C).
"""

import asyncio
import json
import os
import shlex
from typing import Any

from orders_payments import run
from orders_payments.local_server import start_local_server
from temporalio.client import Client


def test_the_printed_call_charges_through_the_demo_endpoint() -> None:
    lines: list[str] = []
    called: dict[str, Any] = {}

    async def call_as_printed() -> None:
        [command] = [line for line in lines if line.startswith("[demo]   ") and " call " in line]
        argv = shlex.split(command.removeprefix("[demo]   "))
        # The command names its server, namespace and contract: nothing else needed.
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        out, err = await process.communicate()
        called.update(argv=argv, status=process.returncode, out=out.decode(), err=err.decode())

    async def scenario() -> run.DemoConfig:
        config = run.DemoConfig()
        server = await start_local_server(
            (config.payments_namespace, config.orders_namespace), run.STANDALONE_SETTINGS
        )
        try:
            shared = await Client.connect(server.target)

            async def connect(namespace: str) -> Client:
                return Client(shared.service_client, namespace=namespace)

            await run.run_demo(connect, config, say=lines.append, serve=call_as_printed)
        finally:
            server.stop()
        return config

    config = asyncio.run(asyncio.wait_for(scenario(), timeout=120))

    assert called["status"] == 0, called["err"]
    assert "--endpoint" not in called["argv"]  # the contract's default: the demo's endpoint
    response = json.loads(str(called["out"]))
    assert response["status"] == "PAYMENT_STATUS_SETTLED"
    assert (
        f"[payments] charged 2.50 EUR for {config.order_id}-by-hand -> {response['transactionId']}"
    ) in lines


def test_a_custom_endpoint_and_namespace_are_in_the_command() -> None:
    config = run.DemoConfig(orders_namespace="team-orders", endpoint="payments-staging")
    intro, call, describe = run.call_by_hand(config, "temporal.example:7233")
    assert intro.startswith("[demo] call payments by hand while its worker runs")
    argv = shlex.split(call.removeprefix("[demo]   "))
    assert argv[argv.index("--address") + 1] == "temporal.example:7233"
    assert argv[argv.index("--namespace") + 1] == "team-orders"
    assert argv[argv.index("--endpoint") + 1] == "payments-staging"
    assert argv[argv.index("call") + 3] == "--address"  # after --contracts DIR
    assert json.loads(argv[-1])["orderId"] == f"{config.order_id}-by-hand"
    assert shlex.split(describe.removeprefix("[demo]   "))[-2:] == [
        argv[argv.index("--contracts") + 1],
        "payments.v1.PaymentService",
    ]
