"""Setting up and running the demo: `run_demo` (the scenario) and `main` (`make demo`).

`run_demo` takes a way to connect to a namespace, so the same code runs against
the local dev server `main` starts, an existing cluster or Temporal Cloud (see
the package documentation), and the test suite's server (tests/e2e/test_demo.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from orders.v1 import carts_pb2, orders_pb2
from payments.v1 import payments_pb2
from temporalio.api.nexus.v1 import EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import (
    CreateNexusEndpointRequest,
    ListNexusEndpointsRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError, RPCStatusCode

from nexusproto import configuration
from orders_payments.local_server import LocalServer, ServerError, start_local_server
from orders_payments.orders_team import (
    OrderOutcome,
    OrderWorkflow,
    StandalonePayment,
    add_to_cart,
    orders_worker,
    pay_from_application,
)
from orders_payments.payments_team import money, payments_worker

CONTRACT_ENDPOINT = "payments"
"""`(nexusproto.v1.service).default_endpoint` of payments.proto: the generated
clients' default endpoint."""
CARTS_ENDPOINT = "carts"
"""The same of carts.proto: the orders team's carts, served in namespace orders."""

STANDALONE_SETTINGS = {
    # Standalone Nexus operations (called from a Client, outside workflows) are
    # off on the dev server unless both are set.
    "nexusoperation.enableStandalone": "true",
    "history.enableChasm": "true",
}

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
ORDER_TIMEOUT = timedelta(minutes=2)

Say = Callable[[str], None]
Connect = Callable[[str], Awaitable[Client]]
Serve = Callable[[], Awaitable[None]]


class DemoSetupError(Exception):
    """Something the person running the demo has to fix; the message says what."""


@dataclass
class DemoConfig:
    payments_namespace: str = "payments"
    orders_namespace: str = "orders"
    payments_task_queue: str = "payments"
    orders_task_queue: str = "orders"
    endpoint: str | None = None
    """None: the contract's default endpoint, "payments", and the generated
    clients' default `endpoint` argument."""
    carts_endpoint: str | None = None
    """None: carts.proto's default endpoint, "carts"."""
    order_id: str = field(default_factory=lambda: f"order-{uuid.uuid4().hex[:6]}")

    @property
    def endpoint_name(self) -> str:
        return self.endpoint or CONTRACT_ENDPOINT

    @property
    def payments_route(self) -> Route:
        return Route(
            self.endpoint_name,
            self.payments_namespace,
            self.payments_task_queue,
            self.orders_namespace,
        )

    @property
    def carts_route(self) -> Route:
        return Route(
            self.carts_endpoint or CARTS_ENDPOINT,
            self.orders_namespace,
            self.orders_task_queue,
            self.orders_namespace,
        )


@dataclass(frozen=True)
class Route:
    """A Nexus endpoint the demo needs, and the worker it must route to."""

    endpoint: str
    namespace: str
    task_queue: str
    caller_namespace: str
    """The namespace whose code calls it (Temporal Cloud allows callers per endpoint)."""

    @property
    def target(self) -> str:
        return f"namespace {self.namespace!r}, task queue {self.task_queue!r}"


@dataclass
class DemoResult:
    order: OrderOutcome
    standalone: StandalonePayment
    cart: carts_pb2.Cart
    endpoint_created: bool


async def run_demo(
    connect: Connect,
    config: DemoConfig | None = None,
    say: Say = print,
    *,
    serve: Serve | None = None,
) -> DemoResult:
    """Endpoint, both teams' workers, the order workflow, one standalone call.

    Then how to call payments by hand with `nexusproto call`, and `serve()`, if
    given, while the workers still run (`main` waits there for Ctrl-C).
    """
    config = config or DemoConfig()
    payments_client = await connect(config.payments_namespace)
    orders_client = await connect(config.orders_namespace)
    for client in (payments_client, orders_client):
        await _check_namespace(client)
    created = await ensure_endpoint(orders_client, config.payments_route, say)
    await ensure_endpoint(orders_client, config.carts_route, say)

    async with (
        payments_worker(payments_client, config.payments_task_queue, say),
        orders_worker(orders_client, config.orders_task_queue),
    ):
        say(
            f"[demo] workers up: payments team on {config.payments_namespace}/"
            f"{config.payments_task_queue}, orders team on "
            f"{config.orders_namespace}/{config.orders_task_queue}"
        )
        order = orders_pb2.PlaceOrderRequest(
            order_id=config.order_id,
            customer_id=CUSTOMER_ID,
            total=payments_pb2.Money(currency="EUR", amount_minor=1999),
        )
        say(f"[orders] placing order {order.order_id}: {money(order.total)}")
        handle = await orders_client.start_workflow(
            OrderWorkflow.run,
            args=[order, config.endpoint],
            id=f"place-{order.order_id}",
            task_queue=config.orders_task_queue,
            execution_timeout=ORDER_TIMEOUT,
        )
        outcome = await handle.result()
        accepting = "yes" if outcome.accepting_charges else "no"
        say(f"[orders] payments accepting charges: {accepting}")
        say(
            f"[orders] order {outcome.order_id} -> payment "
            f"{_status(outcome.payment_status)}: {outcome.transaction_id}"
        )
        say(
            f"[orders] order cancelled -> refund completed: {outcome.refund_id} "
            f"({_status(outcome.refund_status)}, by a workflow in "
            f"{config.payments_namespace})"
        )
        say(
            "[orders] invalid payment rejected, nothing sent: "
            + "; ".join(outcome.rejected_violations)
        )

        request = payments_pb2.ProcessPaymentRequest(
            customer_id=CUSTOMER_ID,
            order_id=f"{config.order_id}-extra",
            amount=payments_pb2.Money(currency="EUR", amount_minor=500),
        )
        say(f"[app] charging {money(request.amount)} for {request.order_id} from application code")
        standalone = await pay_from_application(orders_client, request, config.endpoint)
        say(
            f"[app] standalone operation {standalone.operation_id} -> payment "
            f"{_status(payments_pb2.PaymentStatus.Name(standalone.response.status))}: "
            f"{standalone.response.transaction_id}"
        )

        item = carts_pb2.AddItemRequest(
            cart_id=config.order_id,
            sku="tea",
            quantity=2,
            unit_price=payments_pb2.Money(currency="EUR", amount_minor=450),
        )
        say(f"[app] adding {item.quantity} x {item.sku} to cart {item.cart_id}")
        cart = await add_to_cart(orders_client, item, config.carts_endpoint)
        say(
            f"[app] cart {cart.cart_id} -> {sum(line.quantity for line in cart.lines)} items, "
            f"{money(cart.total)} (update add_item of the orders team's CartWorkflow, "
            "started by this first item)"
        )
        for line in call_by_hand(config, orders_client.service_client.config.target_host):
            say(line)
        if serve is not None:
            await serve()
    return DemoResult(
        order=outcome, standalone=standalone, cart=cart, endpoint_created=created
    )


def _status(name: str) -> str:
    return name.removeprefix("PAYMENT_STATUS_").lower()


def call_by_hand(config: DemoConfig, address: str) -> list[str]:
    """What the demo prints about calling payments with the `nexusproto` command line.

    The commands name the server, the orders namespace (the caller's) and the
    endpoint the demo set up, and read the contract from the generated modules
    the demo itself imports; they work for as long as the payments worker runs.
    """
    nexusproto = _nexusproto_command()
    contracts = ["--contracts", _shown_path(Path(payments_pb2.__file__).resolve().parents[2])]
    call = [
        *nexusproto,
        "call",
        *contracts,
        "--address",
        address,
        "--namespace",
        config.orders_namespace,
        "payments.v1.PaymentService/ProcessPayment",
    ]
    if config.endpoint is not None:  # None: the contract's default, as the clients use
        call += ["--endpoint", config.endpoint]
    request = {
        "customerId": CUSTOMER_ID,
        "orderId": f"{config.order_id}-by-hand",
        "amount": {"currency": "EUR", "amountMinor": 250},
    }
    call += ["--data", json.dumps(request)]
    describe = [*nexusproto, "describe", *contracts, "payments.v1.PaymentService"]
    return [
        "[demo] call payments by hand while its worker runs (DEMO_SERVE=1 keeps the "
        "workers running after the scenario, until Ctrl-C):",
        f"[demo]   {shlex.join(call)}",
        f"[demo]   {shlex.join(describe)}",
    ]


def _nexusproto_command() -> list[str]:
    """The `nexusproto` script beside this Python, else `python -m nexusproto`."""
    script = Path(sys.executable).parent / "nexusproto"
    if script.is_file():
        return [_shown_path(script)]
    return [_shown_path(Path(sys.executable)), "-m", "nexusproto"]


def _shown_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it (`gen`)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


async def _check_namespace(client: Client) -> None:
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace)
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise DemoSetupError(
                f"namespace {client.namespace!r} does not exist: create it (for "
                "example `temporal operator namespace create --namespace "
                f"{client.namespace}`) or name another with DEMO_PAYMENTS_NAMESPACE / "
                "DEMO_ORDERS_NAMESPACE"
            ) from err
        raise


async def ensure_endpoint(client: Client, route: Route, say: Say) -> bool:
    """Create the endpoint `route` names; True if this call created it.

    An existing endpoint with the same target is used as is; one with another
    target is an error (calls would go elsewhere). Where endpoints cannot be
    created from this client (Temporal Cloud), one made beforehand is assumed.
    """
    try:
        await client.operator_service.create_nexus_endpoint(
            CreateNexusEndpointRequest(
                spec=EndpointSpec(
                    name=route.endpoint,
                    target=EndpointTarget(
                        worker=EndpointTarget.Worker(
                            namespace=route.namespace, task_queue=route.task_queue
                        )
                    ),
                )
            )
        )
    except RPCError as err:
        if err.status == RPCStatusCode.ALREADY_EXISTS:
            await _check_existing_endpoint(client, route)
            say(f"[demo] Nexus endpoint {route.endpoint!r} -> {route.target} (already there)")
            return False
        if err.status in (
            RPCStatusCode.PERMISSION_DENIED,
            RPCStatusCode.UNIMPLEMENTED,
            RPCStatusCode.UNAUTHENTICATED,
        ):
            say(
                f"[demo] could not create Nexus endpoint {route.endpoint!r} "
                f"({err.status.name}: {err.message}). Create it beforehand with target "
                f"{route.target}, allowing caller namespace {route.caller_namespace!r} "
                "(Temporal Cloud: in the UI or with tcld). Continuing, assuming it exists."
            )
            return False
        raise
    say(f"[demo] Nexus endpoint {route.endpoint!r} -> {route.target} (created)")
    return True


async def _check_existing_endpoint(client: Client, route: Route) -> None:
    try:
        response = await client.operator_service.list_nexus_endpoints(
            ListNexusEndpointsRequest(name=route.endpoint)
        )
    except RPCError:
        return  # cannot look; calls will tell
    for endpoint in response.endpoints:
        worker = endpoint.spec.target.worker
        if (worker.namespace, worker.task_queue) != (route.namespace, route.task_queue):
            raise DemoSetupError(
                f"Nexus endpoint {route.endpoint!r} exists but routes to "
                f"namespace {worker.namespace!r}, task queue {worker.task_queue!r}, "
                f"not to the demo's worker ({route.namespace!r}, {route.task_queue!r}); "
                "change or delete it first"
            )


# --- `make demo` --------------------------------------------------------------------


def connector(
    connect_config: Mapping[str, Any], options: configuration.ClientOptions
) -> Callable[[str], Awaitable[Client]]:
    """How the demo connects a team to its namespace: Temporal's connection settings,
    and the converter, interceptors and plugins of `options` (so workers, which take
    their client's, use them too)."""

    async def connect(namespace: str) -> Client:
        settings = {**connect_config, "namespace": namespace}
        return await Client.connect(**settings, **options.connect_arguments())

    return connect


def describe_options(options: configuration.ClientOptions) -> str:
    """What the environment changed in how the teams connect ("" when nothing)."""
    parts = []
    if options.data_converter is not configuration.ClientOptions().data_converter:
        codec = options.data_converter.payload_codec
        parts.append(
            "the environment's data converter"
            + (f" (payload codec {type(codec).__name__})" if codec else "")
        )
    parts += [f"interceptor {type(i).__name__}" for i in options.interceptors]
    parts += [f"plugin {type(p).__name__}" for p in options.plugins]
    return ", ".join(parts)


def uses_existing_cluster(environ: Mapping[str, str] = os.environ) -> bool:
    """True when Temporal environment configuration names a server to use."""
    return any(
        environ.get(name)
        for name in ("TEMPORAL_ADDRESS", "TEMPORAL_PROFILE", "TEMPORAL_CONFIG_FILE")
    )


def serving_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """DEMO_SERVE=1: keep the workers (and the local server) up after the scenario."""
    return environ.get("DEMO_SERVE", "") not in ("", "0", "false", "no")


async def wait_for_interrupt() -> None:
    """Until Ctrl-C or SIGTERM; either way the demo then stops what it started (a
    plain SIGTERM would leave its dev server running, and a shell starting the demo
    in the background ignores Ctrl-C's SIGINT)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    print("[demo] serving until Ctrl-C (or SIGTERM)", flush=True)
    try:
        await stop.wait()
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
    print("[demo] stopping")


async def main() -> int:
    started = time.monotonic()
    server: LocalServer | None = None
    succeeded = False
    try:
        # Both teams' clients (and so their workers) use nexusproto's converter, as the
        # guides tell teams to, unless NEXUSPROTO_DATA_CONVERTER names the teams' own
        # (one with an encrypting codec, say); NEXUSPROTO_INTERCEPTORS and
        # NEXUSPROTO_PLUGINS add tracing and the like, as for the nexusproto command.
        options = configuration.from_environment()
        described = describe_options(options)
        if described:
            print(f"[demo] clients and workers with {described}")
        if uses_existing_cluster():
            config = DemoConfig(
                payments_namespace=os.environ.get("DEMO_PAYMENTS_NAMESPACE", "payments"),
                orders_namespace=os.environ.get("DEMO_ORDERS_NAMESPACE", "orders"),
            )
            connect_config: dict[str, Any] = dict(
                ClientConfig.load_client_connect_config(
                    profile=os.environ.get("TEMPORAL_PROFILE") or None
                )
            )
            connect_config.setdefault("target_host", "localhost:7233")
            print(
                f"[demo] using the existing Temporal server at "
                f"{connect_config['target_host']} (from the environment configuration)"
            )

            connect = connector(connect_config, options)

        else:
            config = DemoConfig()
            server = await start_local_server(
                (config.payments_namespace, config.orders_namespace),
                STANDALONE_SETTINGS,
            )
            print(
                f"[demo] local Temporal dev server at {server.target} (namespaces "
                f"{config.payments_namespace!r}, {config.orders_namespace!r}; "
                f"log {server.log_path})"
            )
            connect = connector({"target_host": server.target}, options)

        ready = time.monotonic()
        serve = wait_for_interrupt if serving_requested() else None
        await asyncio.wait_for(
            run_demo(connect, config, serve=serve),
            timeout=None if serve else ORDER_TIMEOUT.total_seconds(),
        )
        print(
            f"[demo] done: set-up {ready - started:.1f} s, "
            f"scenario {time.monotonic() - ready:.1f} s"
        )
        succeeded = True
        return 0
    except (DemoSetupError, ServerError, configuration.ConfigurationError) as err:
        print(f"[demo] {err}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop(keep_log=not succeeded)
            print(f"[demo] dev server stopped (pid {server.process.pid})")
