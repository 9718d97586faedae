"""Interop with a Go team, through real Nexus endpoints on the session's dev server.

The Go side is tests/interop/go: a Temporal Go SDK program (`interop`) built on
the contract's GENERATED Go code: messages from protoc-gen-go and, beside them,
payments_nexus.pb.go from this project's protoc-gen-nexus-go with its runtime
module nexusproto.dev/go (plugin/go); built once per session by
tests/interop/go/build.sh into build/go/bin. Each team has its own namespace:

    Go caller workflows     "orders-go"  --endpoint-->  Python handler  "payments"
    Go standalone calls     "orders-go"  --endpoint-->  Python handler  "payments"
    Python callers          "orders"     --endpoint-->  Go handler      "payments-go"

The Python side is the generated code too: a plain `PaymentServiceHandler`
subclass (with the `RefundPaymentWorkflow` its workflow-run operation starts),
`PaymentServiceNexusClient` in workflows, `PaymentServiceStandaloneClient` in
application code. Every side uses its SDK's default data converter unless a test
says otherwise. What is checked, and what was found, is in tests/interop/README.md:

- sync and workflow-run operations both ways with the generated Go client
  (`PaymentServiceNexusClient`: explicit and default endpoint, the contract's
  timeout or the caller's) and handler (`UnimplementedPaymentServiceNexusHandler`,
  `NewPaymentServiceNexusService`, the generated workflow-run binding of
  refund-payment);
- the generated Go `PaymentServiceStandaloneClient` from application code
  (`interop standalone`: standalone Nexus operations, experimental in the Go
  SDK) against the Python handler: sync, workflow-run (handle, then Get), Empty
  in and out, default endpoint, the contract's timeout or the caller's, a
  random or given operation ID, an invalid request not sent; each operation as
  the Go SDK's Describe and the server's DescribeNexusOperationExecution see it;
- validation: the same text in both languages; an invalid request stopped at the
  Go caller (nothing sent), refused by the Python handler when sent without
  generated code or by a Go caller on the older contract, which lacks a rule,
  refused by the Go handler when sent without Python's;
- one raw Go SDK caller (names written out, no generated code);
- `google.protobuf.Empty` as no payload (`binary/null`) both ways, and why an
  Empty *message* does not do for Go;
- the shared wire vectors (tests/interop/vectors), current and matched by Go;
- contract evolution: an older (tests/interop/go/proto_old) and a newer
  (tests/interop/go/proto_new) payments contract on the Go side, each with its
  own generated code, against the current one on the Python side, both
  directions; unknown proto JSON fields and the converters that ignore them
  (`nexusproto.converter.data_converter`).

Without `go` on PATH the Go tests skip, or fail when NEXUSPROTO_REQUIRE_INTEROP=1.
This module is imported again inside the workflow sandbox: no import-time side effects.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import nexusproto
import nexusproto.converter
import nexusrpc
import pytest
from google.protobuf import empty_pb2, json_format
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import (
    PaymentService,
    PaymentServiceNexusClient,
    PaymentServiceStandaloneClient,
)
from temporalio import workflow
from temporalio.api.enums.v1 import EventType, NexusOperationExecutionStatus
from temporalio.api.operatorservice.v1 import DeleteNexusEndpointRequest
from temporalio.api.workflowservice.v1 import (
    DescribeNexusOperationExecutionRequest,
    RegisterNamespaceRequest,
)
from temporalio.client import Client
from temporalio.converter import (
    DataConverter,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from support.interop_python import (
    BINARY_FIRST,
    CALL_TIMEOUT,
    CUSTOMER_ID,
    NO_PAYLOAD,
    PY_CALLER_NAMESPACE,
    PY_HANDLER_NAMESPACE,
    SCENARIO_TIMEOUT_SECONDS,
    SERVICE,
    WORKFLOW_TIMEOUT,
    CallResult,
    EmptyAsMessage,
    Payments,
    Served,
    describe_failure,
    describe_result,
    payload_view,
    run_async,
    valid_payment,
)
from support.payments import RefundPaymentWorkflow
from support.toolchains import require_go

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

# Not Path.resolve(): the workflow sandbox, which imports this module again, forbids it.
REPO = Path(os.path.abspath(__file__)).parents[2]
INTEROP_DIR = REPO / "tests" / "interop"
GO_DIR = INTEROP_DIR / "go"
GO_BIN = REPO / "build" / "go" / "bin"

GO_CALLER_NAMESPACE = "orders-go"
GO_HANDLER_NAMESPACE = "payments-go"

GO_READY_TIMEOUT_SECONDS = 30

# What the Go SDK says when a payload holding a message is read into a
# nexus.NoValue (the Go generators' type for google.protobuf.Empty).
NOVALUE_CANNOT_READ_MESSAGE = (
    "type: nexus.NoValue: type doesn't implement proto.Message"
)

# The contract's default endpoint and schedule-to-close timeout
# (proto/payments/v1/payments.proto), which the generated clients apply.
DEFAULT_ENDPOINT = "payments"
CONTRACT_TIMEOUT = timedelta(seconds=60)

# The request the Go caller's invalid scenarios send (customer_id "not-a-uuid",
# currency "eur", amount_minor 0), and the text every side reports it with.
INVALID_PAYMENT = payments_pb2.ProcessPaymentRequest(
    customer_id="not-a-uuid",
    order_id="order-go-bad",
    amount=payments_pb2.Money(currency="eur", amount_minor=0),
)
INVALID_PAYMENT_TEXT = (
    "invalid request to payments.v1.PaymentService/ProcessPayment: "
    "payments.v1.ProcessPaymentRequest: "
    "customer_id: must be a valid UUID [string.uuid]; "
    "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]; "
    "amount.amount_minor: must be greater than 0 [int64.gt]"
)


def python_invalid_request_text(request: Message) -> str:
    """What the Python runtime says of an invalid ProcessPayment request."""
    with pytest.raises(nexusproto.InvalidRequestError) as raised:
        nexusproto.checked_request(request, service=SERVICE, operation="ProcessPayment")
    return raised.value.message


# --- building and running the Go program --------------------------------------------


@dataclass(frozen=True)
class GoBuild:
    go: str  # the toolchain's `go`
    interop: Path  # against the current contracts
    interop_old: Path  # against the older payments contract
    interop_new: Path  # against the newer payments contract


@pytest.fixture(scope="session")
def go_build() -> GoBuild:
    """tests/interop/go/build.sh, once per session."""
    go = require_go()
    result = subprocess.run(
        ["bash", str(GO_DIR / "build.sh")],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"tests/interop/go/build.sh failed ({result.returncode}):\n"
        f"{result.stdout}\n{result.stderr}"
    )
    return GoBuild(
        go=go,
        interop=GO_BIN / "interop",
        interop_old=GO_BIN / "interop-old",
        interop_new=GO_BIN / "interop-new",
    )


@pytest.fixture(scope="module")
def go_namespaces(dev_server: DevServer) -> None:
    """The Go team's namespaces, registered on the shared server (usable at once)."""

    async def register() -> None:
        client = await connect(dev_server)
        for namespace in (GO_CALLER_NAMESPACE, GO_HANDLER_NAMESPACE):
            try:
                await client.workflow_service.register_namespace(
                    RegisterNamespaceRequest(
                        namespace=namespace,
                        workflow_execution_retention_period=Duration(seconds=86400),
                    )
                )
            except RPCError as err:
                if err.status != RPCStatusCode.ALREADY_EXISTS:
                    raise

    asyncio.run(register())


async def run_go_scenarios(
    command: tuple[Path, str],
    server: DevServer,
    endpoint: str,
    scenarios: list[str],
    *,
    converter: str = "default",
) -> dict[str, dict[str, Any]]:
    """`interop caller` or `interop standalone` (command: the program and its
    subcommand) in the Go caller namespace; its outcomes by scenario."""
    program, subcommand = command
    process = await asyncio.create_subprocess_exec(
        str(program),
        subcommand,
        "--address",
        server.target,
        "--namespace",
        GO_CALLER_NAMESPACE,
        "--endpoint",
        endpoint,
        "--converter",
        converter,
        *scenarios,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(
            process.communicate(), timeout=SCENARIO_TIMEOUT_SECONDS
        )
    finally:
        if process.returncode is None:  # timed out: stop it (by its pid)
            process.kill()
            await process.wait()
    assert process.returncode == 0, f"interop {subcommand} failed:\n{stderr.decode()}"
    report = json.loads(stdout)
    assert report["converter"] == converter
    return {outcome["scenario"]: outcome for outcome in report["outcomes"]}


async def run_go_caller(
    program: Path,
    server: DevServer,
    endpoint: str,
    scenarios: list[str],
    *,
    converter: str = "default",
) -> dict[str, dict[str, Any]]:
    """`interop caller` (caller workflows) in the Go caller namespace; its
    outcomes by scenario."""
    return await run_go_scenarios(
        (program, "caller"), server, endpoint, scenarios, converter=converter
    )


class GoServer:
    """An `interop serve` process: its ready line, then one JSON line per call served."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self._lines: list[dict[str, Any]] = []
        self._ready = threading.Event()
        self._lock = threading.Lock()
        assert self.process.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(self.process.stdout,), daemon=True
        )
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            record = json.loads(line)
            if record.get("ready"):
                self._ready.set()
                continue
            with self._lock:
                self._lines.append(record)

    def wait_ready(self) -> None:
        if not self._ready.wait(GO_READY_TIMEOUT_SECONDS):
            self.stop()
            raise AssertionError(
                f"interop serve did not get ready:\n{self.log_path.read_text()}"
            )

    def served(self, task_queue: str) -> list[dict[str, Any]]:
        with self._lock:
            return [line for line in self._lines if line["task_queue"] == task_queue]

    def stop(self) -> None:
        """Stop the process (only it: by its pid, SIGTERM then SIGKILL)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self._log.close()


@dataclass
class GoHandlers:
    """Go handler workers in the Go handler namespace, each behind its own endpoint.

    Workers (key: what it is), each the generated handler of its contract
    version with the Go team's bodies: "current" serves the current contract;
    "old"/"old-lenient" serve the older contract with the Go SDK's default
    converter / one that ignores unknown JSON fields; "new" serves the newer
    contract with the default converter.
    """

    endpoints: dict[str, str]
    task_queues: dict[str, str]
    servers: dict[str, GoServer]

    def served(self, worker: str) -> list[dict[str, Any]]:
        """Every line a worker logged: operation calls and workflow starts."""
        return self.servers[worker].served(self.task_queues[worker])

    def calls(self, worker: str) -> list[dict[str, Any]]:
        """The calls of the Go team's operation bodies (after the generated checks)."""
        return [line for line in self.served(worker) if "operation" in line]

    def workflows(self, worker: str) -> list[dict[str, Any]]:
        """The refund workflows that the generated RefundPayment started."""
        return [line for line in self.served(worker) if "workflow" in line]


@pytest.fixture(scope="module")
def go_handlers(
    dev_server: DevServer,
    go_build: GoBuild,
    go_namespaces: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GoHandlers]:
    workers = {
        "current": (go_build.interop, "converter=default"),
        "old": (go_build.interop_old, "converter=default"),
        "old-lenient": (go_build.interop_old, "converter=lenient"),
        "new": (go_build.interop_new, "converter=default"),
    }
    task_queues = {name: unique_task_queue(f"go-{name}") for name in workers}
    log_dir = tmp_path_factory.mktemp("go-handlers")
    servers: dict[str, GoServer] = {}
    by_program: dict[Path, list[str]] = {}
    for name, (program, _) in workers.items():
        by_program.setdefault(program, []).append(name)
    try:
        for program, names in by_program.items():
            args = [
                str(program),
                "serve",
                "--address",
                dev_server.target,
                "--namespace",
                GO_HANDLER_NAMESPACE,
            ]
            for name in names:
                args += [
                    "--worker",
                    f"task-queue={task_queues[name]},{workers[name][1]}",
                ]
            server = GoServer(args, log_dir / f"{program.name}.log")
            for name in names:
                servers[name] = server
            server.wait_ready()

        async def endpoints() -> dict[str, str]:
            client = await connect(dev_server, PY_CALLER_NAMESPACE)
            return {
                name: (
                    await create_nexus_endpoint(
                        client,
                        target_namespace=GO_HANDLER_NAMESPACE,
                        task_queue=task_queues[name],
                        name=unique_name(f"go-{name}"),
                    )
                ).spec.name
                for name in workers
            }

        yield GoHandlers(asyncio.run(endpoints()), task_queues, servers)
    finally:
        for server in set(servers.values()):
            server.stop()


# --- the Python payments team (its handler is support.interop_python.Payments) ------


@contextlib.asynccontextmanager
async def python_handler(
    server: DevServer,
    handler: Any = None,
    *,
    data_converter: DataConverter | None = None,
    default_endpoint: bool = False,
) -> AsyncIterator[tuple[str, Any]]:
    """A Python handler worker in the Python handler namespace behind a fresh
    endpoint: (endpoint name, handler). With `default_endpoint`, the contract's
    default endpoint ("payments") leads to it as well while it runs: endpoint
    names are server-wide, so only one such handler may run at a time."""
    handler = handler if handler is not None else Payments()
    client = await Client.connect(
        server.target,
        namespace=PY_HANDLER_NAMESPACE,
        data_converter=data_converter or DataConverter.default,
    )
    task_queue = unique_task_queue("py-payments")
    endpoint = await create_nexus_endpoint(
        client, target_namespace=PY_HANDLER_NAMESPACE, task_queue=task_queue
    )
    default = None
    if default_endpoint:
        default = await create_nexus_endpoint(
            client,
            target_namespace=PY_HANDLER_NAMESPACE,
            task_queue=task_queue,
            name=DEFAULT_ENDPOINT,
        )
    try:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[RefundPaymentWorkflow],
            nexus_service_handlers=[handler],
        ):
            yield endpoint.spec.name, handler
    finally:
        if default is not None:
            await client.operator_service.delete_nexus_endpoint(
                DeleteNexusEndpointRequest(id=default.id, version=default.version)
            )


async def scheduled(client: Client, workflow_id: str) -> list[Any]:
    """The NexusOperationScheduled attributes of a caller workflow's history."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [
        event.nexus_operation_scheduled_event_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED
    ]


# --- the Python orders team: workflows calling through the generated client ----------


@workflow.defn
class CallGoWorkflow:
    """Calls the endpoint with PaymentServiceNexusClient, once per name in `calls`."""

    @workflow.run
    async def run(self, endpoint: str, calls: list[str]) -> list[CallResult]:
        payments = PaymentServiceNexusClient(endpoint=endpoint)
        results = []
        for call in calls:
            result = CallResult(call)
            try:
                if call == "process_payment":
                    value: Any = await payments.process_payment(
                        valid_payment("order-py-1"),
                        schedule_to_close_timeout=CALL_TIMEOUT,
                    )
                elif call == "process_payment_without_order_id":
                    value = await payments.process_payment(
                        valid_payment(""), schedule_to_close_timeout=CALL_TIMEOUT
                    )
                elif call == "refund_payment":
                    value = await payments.refund_payment(
                        payments_pb2.RefundPaymentRequest(
                            transaction_id=f"tx-{workflow.info().workflow_id}",
                            reason="damaged in transit",
                        ),
                        schedule_to_close_timeout=CALL_TIMEOUT,
                    )
                elif call == "refund_payment_twice":
                    # Two starts of one refund at once, as a retried start would
                    # be: both must get the one workflow's result.
                    refund = payments_pb2.RefundPaymentRequest(
                        transaction_id=f"tx-twice-{workflow.info().workflow_id}",
                        reason="started twice",
                    )
                    handles = await asyncio.gather(
                        payments.start_refund_payment(
                            refund, schedule_to_close_timeout=CALL_TIMEOUT
                        ),
                        payments.start_refund_payment(
                            refund, schedule_to_close_timeout=CALL_TIMEOUT
                        ),
                    )
                    first, second = await asyncio.gather(*handles)
                    if first != second:
                        raise ValueError(f"two results: {first} and {second}")
                    value = first
                elif call == "check_health":
                    value = await payments.check_health(
                        schedule_to_close_timeout=CALL_TIMEOUT
                    )
                elif call == "reset_ledger":
                    value = await payments.reset_ledger(  # type: ignore[func-returns-value]
                        schedule_to_close_timeout=CALL_TIMEOUT
                    )
                elif call == "start_reset_ledger":
                    # What the handle yields (typed None), which reset_ledger() drops.
                    handle = await payments.start_reset_ledger(
                        schedule_to_close_timeout=CALL_TIMEOUT
                    )
                    value = await handle  # type: ignore[func-returns-value]
                else:
                    raise ValueError(f"unknown call {call}")
                results.append(describe_result(result, value))
            except Exception as err:  # noqa: BLE001 - reported, not raised
                results.append(describe_failure(result, err))
        return results


async def python_calls(
    server: DevServer,
    endpoint: str,
    calls: list[str],
    *,
    data_converter: DataConverter | None = None,
) -> tuple[dict[str, CallResult], list[Any]]:
    """Run CallGoWorkflow in the Python caller namespace: its results by call, and
    the NexusOperationScheduled attributes of its history."""
    client = await Client.connect(
        server.target,
        namespace=PY_CALLER_NAMESPACE,
        data_converter=data_converter or DataConverter.default,
    )
    task_queue = unique_task_queue("py-orders")
    workflow_id = unique_name("py-caller")
    async with Worker(client, task_queue=task_queue, workflows=[CallGoWorkflow]):
        results = await client.execute_workflow(
            CallGoWorkflow.run,
            args=[endpoint, calls],
            id=workflow_id,
            task_queue=task_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )
    return {result.call: result for result in results}, await scheduled(
        client, workflow_id
    )


# --- wire vectors ----------------------------------------------------------------------


def test_wire_vectors_are_current() -> None:
    """The checked-in vectors are what tests/interop/make_vectors.py writes now."""
    sys.path.insert(0, str(INTEROP_DIR))
    try:
        make_vectors = importlib.import_module("make_vectors")
    finally:
        sys.path.remove(str(INTEROP_DIR))
    assert make_vectors.stale_files() == [], (
        "run: .venv/bin/python tests/interop/make_vectors.py"
    )


def test_go_converter_matches_wire_vectors(go_build: GoBuild) -> None:
    """`go test` in tests/interop/go: Go's default converter against the vectors.

    Without vet: on a cold build cache it adds some 15 s (it analyses every
    dependency); README.md says how to vet the Go code by hand.
    """
    result = subprocess.run(
        [go_build.go, "test", "-count=1", "-vet=off", "./..."],
        check=False,
        cwd=GO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "INTEROP_VECTORS": str(INTEROP_DIR / "vectors")},
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Go caller -> Python handler ------------------------------------------------------

GO_CALLER_SCENARIOS = [
    # The generated PaymentServiceNexusClient.
    "process_payment",
    "process_payment_default_endpoint",
    "process_payment_explicit_timeout",
    "refund_payment",
    "check_health",
    "reset_ledger",
    "invalid_payment",
    # The raw Go SDK: the names written out, no generated code.
    "raw_process_payment",
    "raw_invalid_payment",
]


@dataclass
class Sent:
    """What a Go caller workflow scheduled (its NexusOperationScheduled event)."""

    endpoint: str
    service: str
    operation: str
    input: dict[str, Any]  # payload_view
    schedule_to_close_timeout: timedelta


@dataclass
class GoCallerRun:
    outcomes: dict[str, dict[str, Any]]
    # What each scenario's workflow scheduled; nothing for a request not sent.
    scheduled: dict[str, list[Sent]]
    endpoint: str
    calls: list[Served]


@pytest.fixture(scope="module")
def go_calls_python(
    dev_server: DevServer, go_build: GoBuild, go_namespaces: None
) -> GoCallerRun:
    """Every Go caller scenario once, against the generated Python handler (also
    behind the contract's default endpoint)."""

    async def body() -> GoCallerRun:
        async with python_handler(dev_server, default_endpoint=True) as (
            endpoint,
            handler,
        ):
            outcomes = await run_go_caller(
                go_build.interop, dev_server, endpoint, GO_CALLER_SCENARIOS
            )
        client = await connect(dev_server, GO_CALLER_NAMESPACE)
        sent = {
            name: [
                Sent(
                    attributes.endpoint,
                    attributes.service,
                    attributes.operation,
                    payload_view(attributes.input),
                    attributes.schedule_to_close_timeout.ToTimedelta(),
                )
                for attributes in await scheduled(client, outcome["workflow_id"])
            ]
            for name, outcome in outcomes.items()
        }
        return GoCallerRun(outcomes, sent, endpoint, handler.calls)

    result: GoCallerRun = run_async(body())
    return result


def test_go_caller_sync_operation(go_calls_python: GoCallerRun) -> None:
    """The generated client: the contract's names, the endpoint it is given, the
    contract's timeout (the call sets none); Go's default payload: proto JSON
    with lowerCamelCase keys."""
    outcome = go_calls_python.outcomes["process_payment"]
    assert "error" not in outcome and "decode_error" not in outcome
    assert outcome["input_go_type"] == "*paymentsv1.ProcessPaymentRequest"
    assert outcome["result_go_type"] == "*paymentsv1.ProcessPaymentResponse"
    assert outcome["result"]["transactionId"].startswith("tx-order-go-1-")
    assert outcome["result"]["status"] == "PAYMENT_STATUS_SETTLED"
    assert outcome["raw_result"]["metadata"] == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentResponse",
    }
    [sent] = go_calls_python.scheduled["process_payment"]
    assert (sent.endpoint, sent.service, sent.operation) == (
        go_calls_python.endpoint,
        SERVICE,
        "ProcessPayment",
    )
    assert sent.schedule_to_close_timeout == CONTRACT_TIMEOUT
    assert sent.input["metadata"] == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentRequest",
    }
    assert json.loads(sent.input["data"]) == {
        "customerId": CUSTOMER_ID,
        "orderId": "order-go-1",
        "amount": {"currency": "EUR", "amountMinor": "1999"},
    }
    assert (
        Served(
            "ProcessPayment",
            {
                "customerId": CUSTOMER_ID,
                "orderId": "order-go-1",
                "amount": {"currency": "EUR", "amountMinor": "1999"},
            },
        )
        in go_calls_python.calls
    )


def test_go_caller_default_endpoint_and_timeouts(go_calls_python: GoCallerRun) -> None:
    """A generated client given no endpoint calls the contract's default one
    ("payments"); a timeout the caller sets wins over the contract's."""
    default = go_calls_python.outcomes["process_payment_default_endpoint"]
    assert "error" not in default and "decode_error" not in default
    assert default["result"]["transactionId"].startswith("tx-order-go-default-")
    [sent] = go_calls_python.scheduled["process_payment_default_endpoint"]
    assert (sent.endpoint, sent.operation) == (DEFAULT_ENDPOINT, "ProcessPayment")
    assert sent.schedule_to_close_timeout == CONTRACT_TIMEOUT

    explicit = go_calls_python.outcomes["process_payment_explicit_timeout"]
    assert "error" not in explicit and "decode_error" not in explicit
    [sent] = go_calls_python.scheduled["process_payment_explicit_timeout"]
    assert sent.endpoint == go_calls_python.endpoint
    assert sent.schedule_to_close_timeout == CALL_TIMEOUT != CONTRACT_TIMEOUT


def test_go_caller_workflow_run_operation(go_calls_python: GoCallerRun) -> None:
    outcome = go_calls_python.outcomes["refund_payment"]
    assert "error" not in outcome and "decode_error" not in outcome
    transaction_id = f"tx-{outcome['workflow_id']}"
    assert outcome["result"] == {
        "refundId": f"refund-of-{transaction_id}",
        "status": "PAYMENT_STATUS_REFUNDED",
    }
    [sent] = go_calls_python.scheduled["refund_payment"]
    assert (sent.service, sent.operation) == (SERVICE, "refund-payment")
    assert sent.schedule_to_close_timeout == CONTRACT_TIMEOUT


def test_validation_text_is_the_same_in_both_languages() -> None:
    """The text the tests below expect is the Python runtime's for the request."""
    assert python_invalid_request_text(INVALID_PAYMENT) == INVALID_PAYMENT_TEXT


def test_go_caller_does_not_send_an_invalid_request(
    go_calls_python: GoCallerRun,
) -> None:
    """The generated Go client checks the request against the contract's rules
    and sends nothing: the call fails at once with a non-retryable
    ApplicationError "InvalidRequest", as the generated Python clients do, with
    the text the Python runtime writes."""
    outcome = go_calls_python.outcomes["invalid_payment"]
    assert outcome["error"] == [
        {
            "kind": "*internal.ApplicationError",
            "message": INVALID_PAYMENT_TEXT,
            "application_type": "InvalidRequest",
            "non_retryable": True,
        },
    ]
    assert go_calls_python.scheduled["invalid_payment"] == []
    assert all(
        call.request is None or call.request.get("orderId") != "order-go-bad"
        for call in go_calls_python.calls
    )


def test_raw_go_caller(go_calls_python: GoCallerRun) -> None:
    """The Go SDK without generated code (workflow.NewNexusClient and
    nexus.NewOperationReference with the names written out) reaches the generated
    Python handler and sends what the generated Go client sends."""
    outcome = go_calls_python.outcomes["raw_process_payment"]
    assert "error" not in outcome and "decode_error" not in outcome
    assert outcome["result"]["transactionId"].startswith("tx-order-go-raw-")
    [raw] = go_calls_python.scheduled["raw_process_payment"]
    [generated] = go_calls_python.scheduled["process_payment"]
    assert (raw.service, raw.operation) == (generated.service, generated.operation)
    assert raw.input["metadata"] == generated.input["metadata"]
    assert json.loads(raw.input["data"]) == {
        **json.loads(generated.input["data"]),
        "orderId": "order-go-raw",
    }


def test_python_handler_refuses_invalid_request_of_raw_go_caller(
    go_calls_python: GoCallerRun,
) -> None:
    """Sent without generated code, the invalid request reaches the Python handler,
    whose generated validation refuses it before the implementation runs: a
    non-retryable BAD_REQUEST naming every broken rule, in the same text."""
    outcome = go_calls_python.outcomes["raw_invalid_payment"]
    assert outcome["error"] == [
        {
            "kind": "*internal.NexusOperationError",
            "message": "nexus operation completed unsuccessfully",
        },
        {
            "kind": "*nexus.HandlerError",
            "message": INVALID_PAYMENT_TEXT,
            "handler_error_type": "BAD_REQUEST",
            "non_retryable": True,
        },
    ]
    [sent] = go_calls_python.scheduled["raw_invalid_payment"]
    assert json.loads(sent.input["data"]) == json_format.MessageToDict(INVALID_PAYMENT)
    assert all(
        call.request is None or call.request.get("orderId") != "order-go-bad"
        for call in go_calls_python.calls
    )


def test_go_caller_empty_input_and_result(go_calls_python: GoCallerRun) -> None:
    """google.protobuf.Empty is nexus.NoValue in the generated Go code: its input
    travels as binary/null (no data, no messageType), which the generated Python
    handler takes; the Python handler's Empty result, no payload too, is read as
    nexus.NoValue."""
    health = go_calls_python.outcomes["check_health"]
    assert "error" not in health and "decode_error" not in health
    assert health["input_go_type"] == "nexus.NoValue"
    assert health["result"] == {"acceptingCharges": True}
    reset = go_calls_python.outcomes["reset_ledger"]
    assert "error" not in reset and "decode_error" not in reset, reset
    assert reset["input_go_type"] == reset["result_go_type"] == "nexus.NoValue"
    assert reset["raw_result"]["metadata"] == NO_PAYLOAD["metadata"]
    assert reset["raw_result"]["data_base64"] == ""
    assert reset["result"] is None
    for scenario in ("check_health", "reset_ledger"):
        [sent] = go_calls_python.scheduled[scenario]
        assert sent.input == NO_PAYLOAD
        assert sent.schedule_to_close_timeout == CONTRACT_TIMEOUT
    operations = [call.operation for call in go_calls_python.calls]
    assert sorted(op for op in operations if op != "ProcessPayment") == [
        "CheckHealth",
        "ResetLedger",
    ]


# --- Go application code -> Python handler: standalone operations -------------------

GO_STANDALONE_SCENARIOS = [
    # The generated PaymentServiceStandaloneClient, outside workflows.
    "process_payment",
    "process_payment_default_endpoint",
    "process_payment_explicit_timeout",
    "process_payment_explicit_id",
    "refund_payment",
    "check_health",
    "reset_ledger",
    "invalid_payment",
]


@dataclass
class Operated:
    """A standalone Nexus operation as the server describes it
    (DescribeNexusOperationExecution, with its input and outcome)."""

    operation_id: str
    endpoint: str
    service: str
    operation: str
    status: str  # the NexusOperationExecutionStatus value's name
    schedule_to_close_timeout: timedelta
    operation_token: str  # set by an asynchronous start (a workflow run)
    input: dict[str, Any]  # payload_view
    result: dict[str, Any] | None  # payload_view; None unless it completed


async def operated(client: Client, operation_id: str) -> Operated | None:
    """The standalone operation of the client's namespace with this ID, as the
    server describes it; None when there is none."""
    if not operation_id:
        return None
    try:
        response = await client.workflow_service.describe_nexus_operation_execution(
            DescribeNexusOperationExecutionRequest(
                namespace=client.namespace,
                operation_id=operation_id,
                include_input=True,
                include_outcome=True,
            )
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    info = response.info
    return Operated(
        operation_id=info.operation_id,
        endpoint=info.endpoint,
        service=info.service,
        operation=info.operation,
        status=NexusOperationExecutionStatus.Name(info.status),
        schedule_to_close_timeout=info.schedule_to_close_timeout.ToTimedelta(),
        operation_token=info.operation_token,
        input=payload_view(response.input),
        result=payload_view(response.result) if response.HasField("result") else None,
    )


@dataclass
class GoStandaloneRun:
    outcomes: dict[str, dict[str, Any]]
    # Each scenario's operation as the server describes it, by the ID the Go
    # program reports (or, when none started, the ID its options set): None
    # when the server has none.
    operated: dict[str, Operated | None]
    endpoint: str
    calls: list[Served]
    # The workflow the Python handler's refund-payment started for the
    # refund_payment scenario: (workflow type, status, result as proto JSON).
    refund_workflow: tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def go_standalone_calls_python(
    dev_server: DevServer, go_build: GoBuild, go_namespaces: None
) -> GoStandaloneRun:
    """Every Go standalone scenario once (`interop standalone`: application code,
    no workflow), against the generated Python handler (also behind the
    contract's default endpoint)."""

    async def body() -> GoStandaloneRun:
        async with python_handler(dev_server, default_endpoint=True) as (
            endpoint,
            handler,
        ):
            outcomes = await run_go_scenarios(
                (go_build.interop, "standalone"),
                dev_server,
                endpoint,
                GO_STANDALONE_SCENARIOS,
            )
        client = await connect(dev_server, GO_CALLER_NAMESPACE)
        described = {
            name: await operated(
                client, outcome["operation_id"] or outcome["requested_id"]
            )
            for name, outcome in outcomes.items()
        }
        transaction_id = outcomes["refund_payment"]["input"]["transactionId"]
        payments = await connect(dev_server, PY_HANDLER_NAMESPACE)
        refund = payments.get_workflow_handle(f"refund-{transaction_id}")
        description = await refund.describe()
        assert description.status is not None
        refund_result = await refund.result()
        return GoStandaloneRun(
            outcomes,
            described,
            endpoint,
            handler.calls,
            (
                description.workflow_type,
                description.status.name,
                json_format.MessageToDict(refund_result),
            ),
        )

    result: GoStandaloneRun = run_async(body())
    return result


def assert_completed(outcome: dict[str, Any]) -> None:
    assert not {"error", "decode_error", "attempt_failure"} & outcome.keys(), outcome


def test_go_standalone_sync_operation(
    go_standalone_calls_python: GoStandaloneRun,
) -> None:
    """PaymentServiceStandaloneClient from Go application code: a standalone
    operation with the contract's names, the endpoint it is given, a random
    operation ID and the contract's timeout (the options set neither), the
    request as Go's default converter writes it; the result checked."""
    run = go_standalone_calls_python
    outcome = run.outcomes["process_payment"]
    assert_completed(outcome)
    assert outcome["input_go_type"] == "*paymentsv1.ProcessPaymentRequest"
    assert outcome["result_go_type"] == "*paymentsv1.ProcessPaymentResponse"
    assert outcome["result"]["transactionId"].startswith("tx-order-go-standalone-")
    assert outcome["result"]["status"] == "PAYMENT_STATUS_SETTLED"
    assert outcome["raw_result"]["metadata"] == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentResponse",
    }
    # No ID in the options: the generated client picked a random UUID.
    operation_id = outcome["operation_id"]
    assert outcome["requested_id"] == ""
    assert str(uuid.UUID(operation_id)) == operation_id
    # What the Go SDK's Describe says, and what the server says.
    assert outcome["described"] == {
        "operation_id": operation_id,
        "endpoint": run.endpoint,
        "service": SERVICE,
        "operation": "ProcessPayment",
        "status": "NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED",
        "schedule_to_close_timeout_seconds": CONTRACT_TIMEOUT.total_seconds(),
        "has_operation_token": False,
    }
    server = run.operated["process_payment"]
    assert server is not None
    assert (server.operation_id, server.endpoint, server.service, server.operation) == (
        operation_id,
        run.endpoint,
        SERVICE,
        "ProcessPayment",
    )
    assert server.schedule_to_close_timeout == CONTRACT_TIMEOUT
    assert server.operation_token == ""
    request = {
        "customerId": CUSTOMER_ID,
        "orderId": "order-go-standalone",
        "amount": {"currency": "EUR", "amountMinor": "1999"},
    }
    assert server.input["metadata"] == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentRequest",
    }
    assert json.loads(server.input["data"]) == request
    assert server.result is not None
    assert json.loads(server.result["data"]) == outcome["result"]
    assert Served("ProcessPayment", request) in run.calls


def test_go_standalone_default_endpoint_timeout_and_id(
    go_standalone_calls_python: GoStandaloneRun,
) -> None:
    """A generated standalone client given no endpoint calls the contract's
    default one ("payments"); a timeout in the options wins over the
    contract's; an operation ID in the options is the operation's, as given
    (here through ProcessPayment, the method that waits for the result)."""
    run = go_standalone_calls_python

    default = run.outcomes["process_payment_default_endpoint"]
    assert_completed(default)
    assert default["result"]["transactionId"].startswith(
        "tx-order-go-standalone-default-"
    )
    assert default["described"]["endpoint"] == DEFAULT_ENDPOINT
    server = run.operated["process_payment_default_endpoint"]
    assert server is not None
    assert (server.endpoint, server.operation) == (DEFAULT_ENDPOINT, "ProcessPayment")
    assert server.schedule_to_close_timeout == CONTRACT_TIMEOUT

    explicit = run.outcomes["process_payment_explicit_timeout"]
    assert_completed(explicit)
    assert explicit["described"]["schedule_to_close_timeout_seconds"] == (
        CALL_TIMEOUT.total_seconds()
    )
    server = run.operated["process_payment_explicit_timeout"]
    assert server is not None
    assert server.endpoint == run.endpoint
    assert server.schedule_to_close_timeout == CALL_TIMEOUT != CONTRACT_TIMEOUT

    with_id = run.outcomes["process_payment_explicit_id"]
    assert_completed(with_id)
    assert with_id["result"]["transactionId"].startswith("tx-order-go-standalone-id-")
    requested = with_id["requested_id"]
    assert requested.startswith("go-standalone-")
    assert with_id["described"]["operation_id"] == requested
    server = run.operated["process_payment_explicit_id"]
    assert server is not None
    assert (server.operation_id, server.endpoint, server.status) == (
        requested,
        run.endpoint,
        "NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED",
    )
    assert server.schedule_to_close_timeout == CONTRACT_TIMEOUT
    assert json.loads(server.input["data"])["orderId"] == "order-go-standalone-id"


def test_go_standalone_workflow_run_operation(
    go_standalone_calls_python: GoStandaloneRun,
) -> None:
    """StartRefundPayment returns a handle while the operation runs (the Python
    handler's generated refund-payment started RefundPaymentWorkflow, which
    answers after a while); Get waits for the workflow's result."""
    run = go_standalone_calls_python
    outcome = run.outcomes["refund_payment"]
    assert_completed(outcome)
    transaction_id = outcome["input"]["transactionId"]
    assert outcome["status_after_start"] == "NEXUS_OPERATION_EXECUTION_STATUS_RUNNING"
    expected = {
        "refundId": f"refund-of-{transaction_id}",
        "status": "PAYMENT_STATUS_REFUNDED",
    }
    assert outcome["result"] == expected
    assert outcome["described"]["operation"] == "refund-payment"
    assert outcome["described"]["has_operation_token"] is True
    assert (
        outcome["described"]["status"] == "NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED"
    )
    server = run.operated["refund_payment"]
    assert server is not None
    assert (server.service, server.operation) == (SERVICE, "refund-payment")
    assert server.operation_token != ""
    assert server.schedule_to_close_timeout == CONTRACT_TIMEOUT
    assert json.loads(server.input["data"]) == outcome["input"]
    # The workflow the generated Python binding started, under the contract's ID.
    assert run.refund_workflow == (
        "RefundPaymentWorkflow",
        "COMPLETED",
        expected,
    )


def test_go_standalone_empty_input_and_result(
    go_standalone_calls_python: GoStandaloneRun,
) -> None:
    """Empty in (CheckHealth) and in and out (ResetLedger) from the standalone
    client: no payload each way (binary/null), as from workflows."""
    run = go_standalone_calls_python
    health = run.outcomes["check_health"]
    assert_completed(health)
    assert health["input_go_type"] == "nexus.NoValue"
    assert health["result"] == {"acceptingCharges": True}
    reset = run.outcomes["reset_ledger"]
    assert_completed(reset)
    assert reset["input_go_type"] == reset["result_go_type"] == "nexus.NoValue"
    assert reset["raw_result"]["metadata"] == NO_PAYLOAD["metadata"]
    assert reset["raw_result"]["data_base64"] == ""
    assert reset["result"] is None
    for scenario in ("check_health", "reset_ledger"):
        server = run.operated[scenario]
        assert server is not None
        assert server.input == NO_PAYLOAD
        assert server.schedule_to_close_timeout == CONTRACT_TIMEOUT
    assert sorted(call.operation for call in run.calls) == [
        "CheckHealth",
        *["ProcessPayment"] * 4,
        "ResetLedger",
    ]


def test_go_standalone_does_not_send_an_invalid_request(
    go_standalone_calls_python: GoStandaloneRun,
) -> None:
    """The generated standalone client checks the request against the contract's
    rules and starts nothing: a non-retryable ApplicationError "InvalidRequest"
    with the text the Python runtime writes; the server has no operation under
    the ID the options set, and the Python handler saw no call."""
    run = go_standalone_calls_python
    outcome = run.outcomes["invalid_payment"]
    assert outcome["error"] == [
        {
            "kind": "*internal.ApplicationError",
            "message": INVALID_PAYMENT_TEXT,
            "application_type": "InvalidRequest",
            "non_retryable": True,
        },
    ]
    assert outcome["operation_id"] == ""
    assert outcome["requested_id"].startswith("go-standalone-invalid-")
    assert run.operated["invalid_payment"] is None
    assert all(
        call.request is None or call.request.get("orderId") != "order-go-bad"
        for call in run.calls
    )


# --- Python callers -> Go handler -----------------------------------------------------


def call_lines(
    go_handlers: GoHandlers, worker: str, since: int
) -> list[tuple[str, ...]]:
    """The calls a Go handler worker's operation bodies got after its first `since`
    ones, as (operation, Go type of the request, request as proto JSON or None);
    the type is empty for the operations whose generated method takes no request
    (google.protobuf.Empty)."""
    return [
        (line["operation"], line["input_go_type"], line["input"])
        for line in go_handlers.calls(worker)[since:]
    ]


def test_python_workflow_calls_go_handler(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """The generated Go handler serves the contract's names; its refund-payment,
    the generated default, starts RefundPaymentWorkflow under the contract's
    workflow ID, "refund-{transaction_id}"."""
    results, events = run_async(
        python_calls(
            dev_server,
            go_handlers.endpoints["current"],
            ["process_payment", "refund_payment"],
        )
    )

    payment = results["process_payment"]
    assert payment.error == []
    assert payment.result_type == "ProcessPaymentResponse"
    assert payment.result == {
        "transactionId": "go-current-order-py-1",
        "status": "PAYMENT_STATUS_SETTLED",
    }
    refund = results["refund_payment"]
    assert refund.error == []
    assert refund.result_type == "RefundPaymentResponse"
    assert refund.result is not None
    assert refund.result["status"] == "PAYMENT_STATUS_REFUNDED"
    transaction_id = refund.result["refundId"].removeprefix("go-refund-of-")
    assert transaction_id.startswith("tx-py-caller-")
    assert [(e.service, e.operation) for e in events] == [
        (SERVICE, "ProcessPayment"),
        (SERVICE, "refund-payment"),
    ]
    assert {
        "task_queue": go_handlers.task_queues["current"],
        "service": SERVICE,
        "operation": "ProcessPayment",
        "input_go_type": "*paymentsv1.ProcessPaymentRequest",
        "input": {
            "customerId": CUSTOMER_ID,
            "orderId": "order-py-1",
            "amount": {"currency": "EUR", "amountMinor": "1999"},
        },
    } in go_handlers.calls("current")
    started = [
        line
        for line in go_handlers.workflows("current")
        if line["input"]["transactionId"] == transaction_id
    ]
    assert started == [
        {
            "task_queue": go_handlers.task_queues["current"],
            "workflow": "RefundPaymentWorkflow",
            "workflow_id": f"refund-{transaction_id}",
            "input_go_type": "*paymentsv1.RefundPaymentRequest",
            "input": {"transactionId": transaction_id, "reason": "damaged in transit"},
        }
    ]


def test_go_handler_refund_started_twice_runs_one_workflow(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """Two starts of the same refund while it runs (what a retried start is) find
    the workflow the first started: the generated binding's workflow ID comes from
    the request and its conflict policy is USE_EXISTING. One workflow, both
    callers get its result."""
    results, events = run_async(
        python_calls(
            dev_server, go_handlers.endpoints["current"], ["refund_payment_twice"]
        )
    )

    refund = results["refund_payment_twice"]
    assert refund.error == []
    assert refund.result is not None
    transaction_id = refund.result["refundId"].removeprefix("go-refund-of-")
    assert transaction_id.startswith("tx-twice-py-caller-")
    assert [e.operation for e in events] == ["refund-payment", "refund-payment"]
    started = [
        line["workflow_id"]
        for line in go_handlers.workflows("current")
        if line["input"]["transactionId"] == transaction_id
    ]
    assert started == [f"refund-{transaction_id}"]


def test_python_standalone_client_calls_go_handler(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """PaymentServiceStandaloneClient against the generated Go handler, Empty
    input (no payload) and output included."""
    before = len(go_handlers.calls("current"))

    async def body() -> tuple[payments_pb2.ProcessPaymentResponse, list[Any]]:
        client = await connect(dev_server, PY_CALLER_NAMESPACE)
        payments = PaymentServiceStandaloneClient(
            client, endpoint=go_handlers.endpoints["current"]
        )
        results: list[Any] = [
            await payments.check_health(),
            await payments.reset_ledger(),  # type: ignore[func-returns-value]
        ]
        return await payments.process_payment(valid_payment("order-py-2")), results

    payment, results = run_async(body())

    assert payment == payments_pb2.ProcessPaymentResponse(
        transaction_id="go-current-order-py-2",
        status=payments_pb2.PAYMENT_STATUS_SETTLED,
    )
    assert results == [payments_pb2.HealthStatus(accepting_charges=True), None]
    assert call_lines(go_handlers, "current", before) == [
        ("CheckHealth", "", None),
        ("ResetLedger", "", None),
        (
            "ProcessPayment",
            "*paymentsv1.ProcessPaymentRequest",
            json_format.MessageToDict(valid_payment("order-py-2")),
        ),
    ]


def test_python_empty_to_go_handler(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """The generated workflow client sends no payload for an Empty request, which
    the generated Go handler (nexus.NoValue) takes; its Empty result
    (binary/null) arrives as None."""
    before = len(go_handlers.calls("current"))
    results, events = run_async(
        python_calls(
            dev_server,
            go_handlers.endpoints["current"],
            ["check_health", "reset_ledger", "start_reset_ledger"],
        )
    )

    assert results["check_health"].error == []
    assert results["check_health"].result == {"acceptingCharges": True}
    for call in ("reset_ledger", "start_reset_ledger"):
        assert results[call].error == []
        assert results[call].result_type == "NoneType"
    assert [payload_view(event.input) for event in events] == [NO_PAYLOAD] * 3
    assert call_lines(go_handlers, "current", before) == [
        ("CheckHealth", "", None),
        ("ResetLedger", "", None),
        ("ResetLedger", "", None),
    ]


def test_go_handler_refuses_invalid_request(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """Sent without the generated Python client (which would not send it), the
    invalid request reaches the Go handler, whose generated validation refuses it
    before the Go team's code runs: a non-retryable BAD_REQUEST with the text the
    Python runtime writes."""
    before = len(go_handlers.calls("current"))

    async def body() -> tuple[CallResult, bool | None]:
        client = await connect(dev_server, PY_CALLER_NAMESPACE)
        nexus_client = client.create_nexus_client(
            PaymentService, go_handlers.endpoints["current"]
        )
        result = CallResult("invalid_payment")
        try:
            value = await nexus_client.execute_operation(
                PaymentService.process_payment,
                INVALID_PAYMENT,
                id=str(uuid.uuid4()),
                schedule_to_close_timeout=CALL_TIMEOUT,
            )
        except Exception as err:  # noqa: BLE001 - asserted below
            cause: BaseException | None = err
            while cause is not None and not isinstance(cause, nexusrpc.HandlerError):
                cause = cause.__cause__
            retryable = cause.retryable if cause is not None else None
            return describe_failure(result, err), retryable
        return describe_result(result, value), None

    refused, retryable = run_async(body())

    assert refused.handler_error_type == "BAD_REQUEST"
    assert refused.error == [
        "NexusOperationFailureError: Nexus operation execution failed",
        f"HandlerError: {INVALID_PAYMENT_TEXT}",
    ]
    assert retryable is False
    assert call_lines(go_handlers, "current", before) == []


def test_empty_message_to_go_handler_is_refused(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """Why the generated code sends no payload: the generated Go handler types
    google.protobuf.Empty as nexus.NoValue and refuses an Empty *message*, at
    once (non-retryable BAD_REQUEST)."""
    before = len(go_handlers.calls("current"))

    async def body() -> CallResult:
        client = await connect(dev_server, PY_CALLER_NAMESPACE)
        nexus_client = client.create_nexus_client(
            EmptyAsMessage, go_handlers.endpoints["current"]
        )
        result = CallResult("check_health_empty_message")
        try:
            value = await nexus_client.execute_operation(
                EmptyAsMessage.check_health,
                empty_pb2.Empty(),
                id=str(uuid.uuid4()),
                schedule_to_close_timeout=CALL_TIMEOUT,
            )
        except Exception as err:  # noqa: BLE001 - asserted below
            return describe_failure(result, err)
        return describe_result(result, value)

    refused = run_async(body())

    assert refused.handler_error_type == "BAD_REQUEST"
    assert refused.error == [
        "NexusOperationFailureError: Nexus operation execution failed",
        "HandlerError: cannot deserialize operation input",
        f"ApplicationError: wrapError: {NOVALUE_CANNOT_READ_MESSAGE}",
        "ApplicationError: type doesn't implement proto.Message",
    ]
    assert call_lines(go_handlers, "current", before) == []


# --- contract evolution: the older payments contract on the Go side ------------------


def test_older_go_caller_to_newer_python_handler(
    dev_server: DevServer, go_build: GoBuild, go_namespaces: None
) -> None:
    """The older Go caller sends no order_id (fine) and gets a response with a field
    it does not know, status: Go's default converter refuses it, a lenient one or
    binary/protobuf reads it."""

    async def body() -> tuple[dict[str, Any], ...]:
        async with python_handler(dev_server) as (endpoint, handler):
            strict = await run_go_caller(
                go_build.interop_old,
                dev_server,
                endpoint,
                ["process_payment", "refund_payment"],
            )
            lenient = await run_go_caller(
                go_build.interop_old,
                dev_server,
                endpoint,
                ["process_payment"],
                converter="lenient",
            )
            binary_caller = await run_go_caller(
                go_build.interop_old,
                dev_server,
                endpoint,
                ["process_payment"],
                converter="binary",
            )
            [sent_binary] = await scheduled(
                await connect(dev_server, GO_CALLER_NAMESPACE),
                binary_caller["process_payment"]["workflow_id"],
            )
        async with python_handler(dev_server, data_converter=BINARY_FIRST) as (
            binary_endpoint,
            _,
        ):
            binary = await run_go_caller(
                go_build.interop_old, dev_server, binary_endpoint, ["process_payment"]
            )
        return (
            strict,
            lenient,
            binary_caller,
            payload_view(sent_binary.input)["metadata"],
            binary,
            {"calls": handler.calls},
        )

    strict, lenient, binary_caller, sent_binary, binary, handled = run_async(body())

    # The request without order_id is valid for the newer handler.
    requests = [c.request for c in handled["calls"] if c.operation == "ProcessPayment"]
    assert requests[0] == {
        "customerId": CUSTOMER_ID,
        "amount": {"currency": "EUR", "amountMinor": "1999"},
    }
    # Proto JSON with the newer field: Go's default converter refuses the response.
    payment = strict["process_payment"]
    assert "error" not in payment
    assert (
        json.loads(payment["raw_result"]["data"])["status"] == "PAYMENT_STATUS_SETTLED"
    )
    assert payment["decode_error"].startswith(
        "payload item 0: unable to decode: proto:"
    )
    assert payment["decode_error"].endswith('unknown field "status"')
    # Messages that did not change are unaffected.
    assert strict["refund_payment"]["result"]["status"] == "PAYMENT_STATUS_REFUNDED"
    # A Go caller sending binary/protobuf still gets the handler's choice of
    # encoding back: json/protobuf from the Python SDK's default converter.
    assert sent_binary == {
        "encoding": "binary/protobuf",
        "messageType": "payments.v1.ProcessPaymentRequest",
    }
    assert binary_caller["process_payment"]["decode_error"].endswith(
        'unknown field "status"'
    )
    # AllowUnknownFields drops it.
    assert lenient["process_payment"]["result"]["transactionId"].startswith("tx--")
    assert "status" not in lenient["process_payment"]["result"]
    # binary/protobuf from the handler: unknown field 2 is skipped by any reader.
    assert binary["process_payment"]["raw_result"]["metadata"] == {
        "encoding": "binary/protobuf",
        "messageType": "payments.v1.ProcessPaymentResponse",
    }
    assert "decode_error" not in binary["process_payment"]
    assert binary["process_payment"]["result"]["transactionId"].startswith("tx--")


# A customer_id that is no UUID (as the Go caller's scenario
# process_payment_non_uuid_customer sends it): valid for the older contract,
# which has no string.uuid rule, refused by the current one.
NON_UUID_CUSTOMER = "customer-go-42"


def test_older_go_caller_sends_what_only_the_newer_python_handler_refuses(
    dev_server: DevServer, go_build: GoBuild, go_namespaces: None
) -> None:
    """The older contract predates the current one's string.uuid rule on
    customer_id: the older Go caller's generated client passes a non-UUID
    customer_id and sends it, and the Python handler (current rules) refuses it
    before the implementation runs, with a non-retryable BAD_REQUEST in the text
    the Python runtime writes. Built on the current contract, the same call is
    not sent."""

    async def body() -> tuple[Any, ...]:
        async with python_handler(dev_server) as (endpoint, handler):
            old = await run_go_caller(
                go_build.interop_old,
                dev_server,
                endpoint,
                ["process_payment_non_uuid_customer"],
            )
            current = await run_go_caller(
                go_build.interop,
                dev_server,
                endpoint,
                ["process_payment_non_uuid_customer"],
            )
        client = await connect(dev_server, GO_CALLER_NAMESPACE)
        outcome = old["process_payment_non_uuid_customer"]
        not_sent = current["process_payment_non_uuid_customer"]
        return (
            outcome,
            await scheduled(client, outcome["workflow_id"]),
            not_sent,
            await scheduled(client, not_sent["workflow_id"]),
            handler.calls,
        )

    outcome, sent, not_sent, not_sent_scheduled, calls = run_async(body())

    # What the older caller sends (it has no order_id), as the current contract
    # reads it, and the text the Python runtime refuses it with.
    request = payments_pb2.ProcessPaymentRequest(
        customer_id=NON_UUID_CUSTOMER,
        amount=payments_pb2.Money(currency="EUR", amount_minor=1999),
    )
    text = python_invalid_request_text(request)
    assert text.startswith(
        "invalid request to payments.v1.PaymentService/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: customer_id: "
    )
    assert text.endswith("[string.uuid]") and ";" not in text
    # The older generated client let it through: it was scheduled, as is.
    [scheduled_event] = sent
    assert (scheduled_event.service, scheduled_event.operation) == (
        SERVICE,
        "ProcessPayment",
    )
    assert json.loads(payload_view(scheduled_event.input)["data"]) == (
        json_format.MessageToDict(request)
    )
    # The Python handler refused it: non-retryable BAD_REQUEST, the runtime's text.
    assert "attempt_failure" not in outcome
    assert outcome["error"] == [
        {
            "kind": "*internal.NexusOperationError",
            "message": "nexus operation completed unsuccessfully",
        },
        {
            "kind": "*nexus.HandlerError",
            "message": text,
            "handler_error_type": "BAD_REQUEST",
            "non_retryable": True,
        },
    ]
    # ...before the Python team's code ran.
    assert calls == []
    # The current contract's generated client does not send it at all.
    assert not_sent["error"] == [
        {
            "kind": "*internal.ApplicationError",
            "message": text,
            "application_type": "InvalidRequest",
            "non_retryable": True,
        },
    ]
    assert not_sent_scheduled == []


def test_newer_python_caller_to_older_go_handler(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """The newer Python caller sends order_id, unknown to the older Go handler: Go's
    default converter refuses the request, unless order_id is empty (proto JSON
    leaves default values out), the handler is lenient, or the caller sends
    binary/protobuf. The older response, without status, reads as UNSPECIFIED."""

    async def body() -> tuple[dict[str, CallResult], ...]:
        old, _ = await python_calls(
            dev_server,
            go_handlers.endpoints["old"],
            ["process_payment", "process_payment_without_order_id", "refund_payment"],
        )
        lenient, _ = await python_calls(
            dev_server, go_handlers.endpoints["old-lenient"], ["process_payment"]
        )
        binary, _ = await python_calls(
            dev_server,
            go_handlers.endpoints["old"],
            ["process_payment"],
            data_converter=BINARY_FIRST,
        )
        return old, lenient, binary

    old, lenient, binary = run_async(body())

    refused = old["process_payment"]
    assert refused.handler_error_type == "BAD_REQUEST"
    assert refused.error[:2] == [
        "NexusOperationError: nexus operation completed unsuccessfully",
        "HandlerError: cannot deserialize operation input",
    ]
    assert refused.error[2].startswith(
        "ApplicationError: wrapError: unable to decode: proto:"
    )
    assert refused.error[2].endswith('unknown field "orderId"')

    # The older response has no status: UNSPECIFIED, left out of proto JSON.
    expected = {"transactionId": f"go-old-customer-{CUSTOMER_ID}"}
    assert old["process_payment_without_order_id"].error == []
    assert old["process_payment_without_order_id"].result == expected
    assert old["refund_payment"].error == []
    # The older contract's generated refund binding: the same workflow ID.
    old_refund = old["refund_payment"].result
    assert old_refund is not None
    transaction_id = old_refund["refundId"].removeprefix("go-refund-of-")
    assert [
        line["workflow_id"]
        for line in go_handlers.workflows("old")
        if line["input"]["transactionId"] == transaction_id
    ] == [f"refund-{transaction_id}"]
    assert lenient["process_payment"].error == []
    assert lenient["process_payment"].result == expected
    assert binary["process_payment"].error == []
    assert binary["process_payment"].result == expected
    received = [
        line["input"]
        for line in go_handlers.calls("old-lenient")
        if line["operation"] == "ProcessPayment"
    ]
    assert received == [
        {
            "customerId": CUSTOMER_ID,
            "amount": {"currency": "EUR", "amountMinor": "1999"},
        }
    ]


# --- contract evolution: the newer payments contract on the Go side ------------------


async def first_workflow_task_failure(
    server: DevServer, endpoint: str, calls: list[str]
) -> tuple[list[str], dict[str, Any]]:
    """Start CallGoWorkflow with the SDK's default converter and wait for its first
    failed workflow task: that failure's message chain and the completed Nexus
    result that caused it (payload_view); the workflow is then terminated (it
    would retry the task until its timeout)."""
    client = await Client.connect(server.target, namespace=PY_CALLER_NAMESPACE)
    task_queue = unique_task_queue("py-orders")
    async with Worker(client, task_queue=task_queue, workflows=[CallGoWorkflow]):
        handle = await client.start_workflow(
            CallGoWorkflow.run,
            args=[endpoint, calls],
            id=unique_name("py-caller"),
            task_queue=task_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )
        try:
            for _ in range(300):
                history = await handle.fetch_history()
                by_type = {event.event_type: event for event in history.events}
                failed = by_type.get(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
                if failed is not None:
                    completed = by_type[EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED]
                    failure = failed.workflow_task_failed_event_attributes.failure
                    chain = [failure.message]
                    while failure.HasField("cause"):
                        failure = failure.cause
                        chain.append(failure.message)
                    result = completed.nexus_operation_completed_event_attributes.result
                    return chain, payload_view(result)
                await asyncio.sleep(0.1)
            raise AssertionError("the caller workflow's task did not fail")
        finally:
            await handle.terminate("interop test: seen the workflow task failure")


def test_newer_go_caller_to_python_handler(
    dev_server: DevServer, go_build: GoBuild, go_namespaces: None
) -> None:
    """A Go caller built from a newer contract sets a field the Python handler's
    contract lacks (idempotency_key): the SDK's default converter refuses the
    request; nexusproto.converter.data_converter on the worker's client drops it."""

    async def body() -> tuple[Any, ...]:
        async with python_handler(dev_server) as (endpoint, strict_handler):
            strict = await run_go_caller(
                go_build.interop_new, dev_server, endpoint, ["process_payment"]
            )
        async with python_handler(
            dev_server, data_converter=nexusproto.converter.data_converter
        ) as (endpoint, lenient_handler):
            lenient = await run_go_caller(
                go_build.interop_new, dev_server, endpoint, ["process_payment"]
            )
        [sent] = await scheduled(
            await connect(dev_server, GO_CALLER_NAMESPACE),
            strict["process_payment"]["workflow_id"],
        )
        return (
            strict["process_payment"],
            lenient["process_payment"],
            payload_view(sent.input),
            strict_handler.calls,
            lenient_handler.calls,
        )

    strict, lenient, sent, strict_calls, lenient_calls = run_async(body())

    # The newer field is on the wire.
    assert json.loads(sent["data"]) == {
        "customerId": CUSTOMER_ID,
        "orderId": "order-go-1",
        "amount": {"currency": "EUR", "amountMinor": "1999"},
        "idempotencyKey": "idem-order-go-1",
    }
    # Default converter: a non-retryable BAD_REQUEST before the implementation runs.
    assert [level["message"] for level in strict["error"][:4]] == [
        "nexus operation completed unsuccessfully",
        "Payload converter failed to decode Nexus operation input",
        "Payload at index 0 with encoding json/protobuf could not be converted",
        "Failed parsing",
    ]
    assert strict["error"][1]["handler_error_type"] == "BAD_REQUEST"
    assert strict["error"][1]["non_retryable"] is True
    assert strict["error"][4]["application_type"] == "ParseError"
    assert strict["error"][4]["message"].startswith(
        'Message type "payments.v1.ProcessPaymentRequest" has no field named '
        '"idempotencyKey"'
    )
    assert strict_calls == []
    # nexusproto.converter.data_converter: the unknown field is dropped.
    assert "error" not in lenient and "decode_error" not in lenient, lenient
    assert lenient["result"]["transactionId"].startswith("tx-order-go-1-")
    assert lenient_calls == [
        Served(
            "ProcessPayment",
            {
                "customerId": CUSTOMER_ID,
                "orderId": "order-go-1",
                "amount": {"currency": "EUR", "amountMinor": "1999"},
            },
        )
    ]


def test_python_caller_to_newer_go_handler(
    dev_server: DevServer, go_handlers: GoHandlers
) -> None:
    """A Go handler built from a newer contract answers with a field the Python
    caller's contract lacks (receipt_id): with the SDK's default converter the
    standalone client raises and a workflow's task fails (and is retried);
    nexusproto.converter.data_converter on the caller's client drops the field."""
    endpoint = go_handlers.endpoints["new"]

    async def body() -> tuple[Any, ...]:
        client = await connect(dev_server, PY_CALLER_NAMESPACE)
        standalone = CallResult("standalone")
        try:
            value = await PaymentServiceStandaloneClient(
                client, endpoint=endpoint
            ).process_payment(valid_payment("order-py-3"))
            describe_result(standalone, value)
        except Exception as err:  # noqa: BLE001 - asserted below
            describe_failure(standalone, err)
        task_failure, answered = await first_workflow_task_failure(
            dev_server, endpoint, ["process_payment"]
        )
        lenient_client = await Client.connect(
            dev_server.target,
            namespace=PY_CALLER_NAMESPACE,
            data_converter=nexusproto.converter.data_converter,
        )
        lenient_standalone = await PaymentServiceStandaloneClient(
            lenient_client, endpoint=endpoint
        ).process_payment(valid_payment("order-py-4"))
        lenient, _ = await python_calls(
            dev_server,
            endpoint,
            ["process_payment"],
            data_converter=nexusproto.converter.data_converter,
        )
        return standalone, task_failure, answered, lenient_standalone, lenient

    standalone, task_failure, answered, lenient_standalone, lenient = run_async(body())

    # The newer field is on the wire.
    assert answered["metadata"] == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentResponse",
    }
    assert json.loads(answered["data"]) == {
        "transactionId": "go-new-order-py-1",
        "status": "PAYMENT_STATUS_SETTLED",
        "receiptId": "receipt-go-new-order-py-1",
    }
    unknown_field = (
        'Message type "payments.v1.ProcessPaymentResponse" has no field named '
        '"receiptId"'
    )
    # Default converter, standalone: the call raises although the operation completed.
    assert standalone.error[:2] == [
        "RuntimeError: Payload at index 0 with encoding json/protobuf could not be "
        "converted",
        "RuntimeError: Failed parsing",
    ]
    assert standalone.error[2].startswith(f"ParseError: {unknown_field}")
    # Default converter, workflow: the workflow task fails (and is retried, so the
    # workflow hangs until its timeout); the workflow code never sees an error.
    assert task_failure[:3] == [
        "Failed decoding arguments",
        "Payload at index 0 with encoding json/protobuf could not be converted",
        "Failed parsing",
    ]
    assert task_failure[3].startswith(unknown_field)
    # nexusproto.converter.data_converter: the unknown field is dropped.
    assert lenient_standalone == payments_pb2.ProcessPaymentResponse(
        transaction_id="go-new-order-py-4", status=payments_pb2.PAYMENT_STATUS_SETTLED
    )
    assert lenient["process_payment"].error == []
    assert lenient["process_payment"].result == {
        "transactionId": "go-new-order-py-1",
        "status": "PAYMENT_STATUS_SETTLED",
    }
