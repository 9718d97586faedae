"""Interop: a TypeScript caller (Temporal TypeScript SDK) of the generated Python handlers.

The TypeScript team's side lives in `tests/interop/ts/` (see its README): a Node
project pinning `@temporalio/*` 1.24, protobufjs messages generated offline from the
same descriptors as the Python code (`build/image.binpb`), a caller workflow and
worker in namespace "orders", and a check of the conformance vectors in
`tests/interop/vectors/`. This module

1. installs the project's node modules once (`npm ci`, kept in
   `tests/interop/ts/node_modules/` and reused while `package-lock.json` is unchanged)
   and builds it (what `npm run build` does: messages from `build/image.binpb`,
   then `tsc -b`; both skip work when nothing changed);
2. serves `PaymentService` from namespace "payments" with a plain
   `PaymentServiceHandler` subclass and `RefundPaymentWorkflow`, behind a fresh
   endpoint on the session's dev server;
3. runs the TypeScript program as a subprocess (stopped by its pid at the end) and
   reads its JSON summary, the handler's record of what it decoded, and the caller
   workflow's history (the payloads as they went over the wire);
4. runs the TypeScript vector check.

Without `node`/`npm` (or with a Node older than 20.3) the module is skipped, unless
`NEXUSPROTO_REQUIRE_INTEROP=1`, which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from payments.v1 import payments_pb2
from support.payments import Call, RecordingPayments, RefundPaymentWorkflow
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

# No Path.resolve(): the workflow sandbox re-imports this module and forbids it.
INTEROP_DIR = Path(__file__).parent
TESTS_DIR = INTEROP_DIR.parent
REPO_ROOT = TESTS_DIR.parent
TS_DIR = INTEROP_DIR / "ts"
VECTORS_DIR = INTEROP_DIR / "vectors"
IMAGE = REPO_ROOT / "build" / "image.binpb"
NODE_MODULES_STAMP = TS_DIR / "node_modules" / ".nexusproto-lock-sha256"

REQUIRE_ENV = "NEXUSPROTO_REQUIRE_INTEROP"
MIN_NODE = (20, 3)  # @temporalio/* 1.24: "engines": {"node": ">= 20.3.0"}
NPM_CI_TIMEOUT = 600
BUILD_TIMEOUT = 180
TS_RUN_TIMEOUT = 240  # worker start (webpack bundle) + workflow + standalone calls
CALLER_NAMESPACE = "orders"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
TS_AMOUNT_MINOR = 1999  # what the TS workflow charges (workflows.ts)


# --- the payments side: a plain subclass of the generated handler base -------------




# --- node, npm and the project ------------------------------------------------------


def unavailable(reason: str) -> None:
    """Skip, or fail when the environment demands the interop tests."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this is a failure, not a skip)")
    pytest.skip(f"TypeScript interop: {reason}; set {REQUIRE_ENV}=1 to make this fail")


def node_tools() -> tuple[str, str]:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(
            n for n, p in (("node", node), ("npm", npm)) if p is None
        )
        unavailable(f"{missing} not found on PATH (Node.js >= 20.3 with npm is needed)")
    assert node is not None and npm is not None
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    parts = tuple(int(p) for p in version.lstrip("v").split(".")[:2])
    if parts < MIN_NODE:
        unavailable(
            f"node {version} is too old: the Temporal TypeScript SDK needs >= 20.3"
        )
    return node, npm


def run_step(args: list[str], *, timeout: float, what: str) -> float:
    """Run a build step in the TS project; its duration in seconds. Output only on failure."""
    started = time.monotonic()
    proc = subprocess.run(
        args,
        check=False,
        cwd=TS_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{what} failed ({' '.join(args)}, exit {proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return time.monotonic() - started


@dataclass
class TsProject:
    node: str
    seconds: dict[str, float] = field(default_factory=dict)

    def script(self, name: str) -> str:
        return str(TS_DIR / "build" / name)


@pytest.fixture(scope="module")
def ts_project() -> TsProject:
    """The TS project, installed (`npm ci`, once per package-lock.json) and built."""
    node, npm = node_tools()
    if not IMAGE.is_file():
        pytest.fail(f"{IMAGE} is missing: run `make generate` first")
    project = TsProject(node=node)
    lock_sha = hashlib.sha256((TS_DIR / "package-lock.json").read_bytes()).hexdigest()
    installed = (
        NODE_MODULES_STAMP.is_file() and NODE_MODULES_STAMP.read_text() == lock_sha
    )
    if not installed:
        project.seconds["npm ci"] = run_step(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            timeout=NPM_CI_TIMEOUT,
            what="npm ci",
        )
        NODE_MODULES_STAMP.write_text(lock_sha)
    # What `npm run build` does, with the image named and no npm in between. Both
    # steps do nothing when their inputs did not change since the last run.
    project.seconds["messages"] = run_step(
        [node, "scripts/generate-protos.js", str(IMAGE)],
        timeout=BUILD_TIMEOUT,
        what="generating the protobufjs messages from build/image.binpb",
    )
    project.seconds["tsc"] = run_step(
        [node, "node_modules/typescript/bin/tsc", "-b", "."],
        timeout=BUILD_TIMEOUT,
        what="compiling the TS project (tsc)",
    )
    return project


# --- one run of the TS program against the Python handler ---------------------------


@dataclass
class Run:
    summary: dict[str, Any]
    calls: list[Call]
    history: list[HistoryEvent]
    endpoint: str
    stderr: str


def stop(proc: asyncio.subprocess.Process) -> None:
    """Stop the TS program (only it: by its pid), if it still runs."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):  # exited meanwhile
            os.kill(proc.pid, signal.SIGKILL)


async def run_ts_program(server: DevServer, project: TsProject, out: Path) -> Run:
    payments_client = await connect(server, "payments")
    orders_client = await connect(server, CALLER_NAMESPACE)
    payments_queue = unique_task_queue("payments-ts")
    endpoint = await create_nexus_endpoint(
        orders_client, target_namespace="payments", task_queue=payments_queue
    )
    handler = RecordingPayments()
    async with Worker(
        payments_client,
        task_queue=payments_queue,
        workflows=[RefundPaymentWorkflow],
        nexus_service_handlers=[handler],
    ):
        proc = await asyncio.create_subprocess_exec(
            project.node,
            project.script("main.js"),
            "--address", server.target,
            "--namespace", CALLER_NAMESPACE,
            "--endpoint", endpoint.spec.name,
            "--task-queue", unique_task_queue("orders-ts"),
            "--customer-id", CUSTOMER_ID,
            "--order-id", unique_name("order-ts"),
            "--out", str(out),
            cwd=TS_DIR,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            stdout, stderr = await asyncio.wait_for(
                proc.communicate(), timeout=TS_RUN_TIMEOUT
            )
        except asyncio.TimeoutError:
            stop(proc)
            await proc.wait()
            pytest.fail(f"the TS program did not finish within {TS_RUN_TIMEOUT} s")
        finally:
            stop(proc)
    err_text = stderr.decode(errors="replace")
    if proc.returncode != 0 or not out.is_file():
        pytest.fail(
            f"the TS program failed (exit {proc.returncode}):\n"
            f"{stdout.decode(errors='replace')[-4000:]}\n{err_text[-6000:]}"
        )
    summary = json.loads(out.read_text())
    history = await orders_client.get_workflow_handle(
        summary["workflowId"]
    ).fetch_history()
    return Run(
        summary=summary,
        calls=handler.calls,
        history=list(history.events),
        endpoint=endpoint.spec.name,
        stderr=err_text,
    )


@pytest.fixture(scope="module")
def ts_run(
    ts_project: TsProject,  # first: no dev server is started when node is missing
    dev_server: DevServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    out = tmp_path_factory.mktemp("interop-ts") / "summary.json"
    started = time.monotonic()
    run = asyncio.run(run_ts_program(dev_server, ts_project, out))
    ts_project.seconds["ts program"] = time.monotonic() - started
    ts_project.seconds.update({f"ts {k}": v for k, v in run.summary["seconds"].items()})
    # Shown with `pytest -s`.
    print(
        "interop-ts seconds:", {k: round(v, 1) for k, v in ts_project.seconds.items()}
    )
    return run


@dataclass
class Scheduled:
    """A Nexus call of the TS workflow, from its history: what went out, what came back."""

    operation: str
    service: str
    endpoint: str
    input: Any  # temporalio.api.common.v1.Payload
    completed: Any | None  # NexusOperationCompletedEventAttributes

    @property
    def metadata(self) -> dict[str, str]:
        return metadata(self.input)

    def body(self) -> Any:
        return json.loads(self.input.data)


def metadata(payload: Any) -> dict[str, str]:
    return {key: value.decode() for key, value in payload.metadata.items()}


def scheduled(run: Run) -> list[Scheduled]:
    completed = {
        e.nexus_operation_completed_event_attributes.scheduled_event_id: (
            e.nexus_operation_completed_event_attributes
        )
        for e in run.history
        if e.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED
    }
    return [
        Scheduled(
            operation=a.operation,
            service=a.service,
            endpoint=a.endpoint,
            input=a.input,
            completed=completed.get(e.event_id),
        )
        for e in run.history
        if e.event_type == EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED
        for a in [e.nexus_operation_scheduled_event_attributes]
    ]


def sent(run: Run, operation: str, encoding: str) -> list[Scheduled]:
    return [
        s
        for s in scheduled(run)
        if s.operation == operation and s.metadata.get("encoding") == encoding
    ]


def the_valid_payment(run: Run) -> Scheduled:
    (call,) = [
        s
        for s in sent(run, "ProcessPayment", "json/protobuf")
        if s.body()["orderId"] == run.summary["orderId"]
    ]
    return call


def decoded(run: Run, order_id: str) -> payments_pb2.ProcessPaymentRequest:
    """The request the Python handler decoded for `order_id`."""
    (request,) = [
        c.request
        for c in run.calls
        if isinstance(c.request, payments_pb2.ProcessPaymentRequest)
        and c.request.order_id == order_id
    ]
    return request


# --- the calls ----------------------------------------------------------------------


def test_sync_operation_proto_in_and_out(ts_run: Run) -> None:
    report = ts_run.summary["workflow"]["processPayment"]
    order_id = ts_run.summary["orderId"]
    assert report["ok"], report
    assert report["resultType"] == "payments.v1.ProcessPaymentResponse"
    assert report["result"]["transactionId"].startswith(f"tx-{order_id}-")
    # The Python handler's enum went over as its JSON name and came back as the value.
    assert report["result"]["status"] == payments_pb2.PAYMENT_STATUS_SETTLED
    assert report["result"]["statusName"] == "PAYMENT_STATUS_SETTLED"
    # What the Python handler decoded from the TS request.
    request = decoded(ts_run, order_id)
    assert request.customer_id == CUSTOMER_ID
    assert request.amount == payments_pb2.Money(
        currency="EUR", amount_minor=TS_AMOUNT_MINOR
    )


def test_workflow_run_operation(ts_run: Run) -> None:
    payment = ts_run.summary["workflow"]["processPayment"]["result"]
    report = ts_run.summary["workflow"]["refundPayment"]
    assert report["ok"], report
    assert report["resultType"] == "payments.v1.RefundPaymentResponse"
    assert report["operationToken"]  # asynchronous: started, then completed
    assert report["result"] == {
        "refundId": f"refund-of-{payment['transactionId']}",
        "status": payments_pb2.PAYMENT_STATUS_REFUNDED,
        "statusName": "PAYMENT_STATUS_REFUNDED",
    }
    (refund,) = sent(ts_run, "refund-payment", "json/protobuf")
    assert refund.metadata["messageType"] == "payments.v1.RefundPaymentRequest"
    assert refund.body() == {
        "transactionId": payment["transactionId"],
        "amount": {"currency": "EUR", "amountMinor": str(TS_AMOUNT_MINOR)},
        "reason": "customer changed their mind",
    }


def test_operation_and_service_names_on_the_wire(ts_run: Run) -> None:
    calls = scheduled(ts_run)
    assert {(s.service, s.operation) for s in calls} == {
        ("payments.v1.PaymentService", "ProcessPayment"),
        ("payments.v1.PaymentService", "refund-payment"),
        ("payments.v1.PaymentService", "CheckHealth"),
        ("payments.v1.PaymentService", "ResetLedger"),
    }
    assert {s.endpoint for s in calls} == {ts_run.endpoint}


def test_ts_sends_json_protobuf_with_lower_camel_case_keys(ts_run: Run) -> None:
    call = the_valid_payment(ts_run)
    assert call.metadata == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentRequest",
    }
    # proto3 JSON: lowerCamelCase keys, int64 as a string.
    assert call.body() == {
        "customerId": CUSTOMER_ID,
        "orderId": ts_run.summary["orderId"],
        "amount": {"currency": "EUR", "amountMinor": str(TS_AMOUNT_MINOR)},
    }


def test_python_answers_json_protobuf(ts_run: Run) -> None:
    completed = the_valid_payment(ts_run).completed
    assert completed is not None
    assert metadata(completed.result) == {
        "encoding": "json/protobuf",
        "messageType": "payments.v1.ProcessPaymentResponse",
    }
    body = json.loads(completed.result.data)
    assert body == {
        "transactionId": ts_run.summary["workflow"]["processPayment"]["result"][
            "transactionId"
        ],
        "status": "PAYMENT_STATUS_SETTLED",  # the enum value's name
    }


def test_empty_input_as_a_message(ts_run: Run) -> None:
    report = ts_run.summary["workflow"]["checkHealth"]
    assert report == {
        "ok": True,
        "resultType": "payments.v1.HealthStatus",
        "result": {"acceptingCharges": True},
    }
    (health,) = sent(ts_run, "CheckHealth", "json/protobuf")
    assert health.metadata["messageType"] == "google.protobuf.Empty"
    assert health.body() == {}


def test_empty_input_as_undefined(ts_run: Run) -> None:
    """A TS caller passing `undefined` (no value, as the Go generators do for Empty)."""
    report = ts_run.summary["workflow"]["checkHealthUndefined"]
    assert report == {
        "ok": True,
        "resultType": "payments.v1.HealthStatus",
        "result": {"acceptingCharges": True},
    }
    (health,) = sent(ts_run, "CheckHealth", "binary/null")
    assert health.metadata == {"encoding": "binary/null"}
    assert health.input.data == b""
    # Both CheckHealth calls reached the handler.
    assert [c.operation for c in ts_run.calls].count("CheckHealth") == len(
        [s for s in scheduled(ts_run) if s.operation == "CheckHealth"]
    )


def test_empty_result(ts_run: Run) -> None:
    """The generated handler answers an Empty result with no payload (binary/null),
    which the TS caller gets as `undefined`."""
    report = ts_run.summary["workflow"]["resetLedger"]
    assert report == {"ok": True, "resultType": "undefined"}
    (reset,) = [s for s in scheduled(ts_run) if s.operation == "ResetLedger"]
    assert reset.completed is not None
    assert metadata(reset.completed.result) == {"encoding": "binary/null"}
    assert reset.completed.result.data == b""


def test_invalid_request_is_a_bad_request_naming_the_fields(ts_run: Run) -> None:
    report = ts_run.summary["workflow"]["invalidRequest"]
    assert not report["ok"]
    error = report["error"]
    assert error["chain"] == ["NexusOperationFailure", "HandlerError"]
    assert error["handlerErrorType"] == "BAD_REQUEST"
    assert error["handlerErrorRetryable"] is False
    # One message, every violation; field paths are the proto names (snake_case),
    # not the TS property names.
    assert error["messages"][1] == (
        "invalid request to payments.v1.PaymentService/ProcessPayment: "
        "payments.v1.ProcessPaymentRequest: "
        "customer_id: must be a valid UUID [string.uuid]; "
        "amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]; "
        "amount.amount_minor: must be greater than 0 [int64.gt]"
    )
    # Rejected by validation: the handler method never saw it.
    assert not any(
        isinstance(c.request, payments_pb2.ProcessPaymentRequest)
        and c.request.order_id.endswith("-invalid")
        for c in ts_run.calls
    )


def test_plain_object_request_is_refused(ts_run: Run) -> None:
    """A plain JS object instead of a message goes out as json/plain, which the
    Python handler cannot decode into a proto message: a BAD_REQUEST, not retried."""
    (plain,) = sent(ts_run, "ProcessPayment", "json/plain")
    assert plain.metadata == {"encoding": "json/plain"}  # no messageType
    assert plain.body() == {
        "customerId": CUSTOMER_ID,
        "orderId": f"{ts_run.summary['orderId']}-plain",
        "amount": {"currency": "EUR", "amountMinor": TS_AMOUNT_MINOR},  # a number
    }
    report = ts_run.summary["workflow"]["plainObjectRequest"]
    assert not report["ok"]
    error = report["error"]
    assert error["chain"] == [
        "NexusOperationFailure",
        "HandlerError",
        "ApplicationFailure",
    ]
    assert error["handlerErrorType"] == "BAD_REQUEST"
    assert error["handlerErrorRetryable"] is False
    assert error["messages"][1:] == [
        "Payload converter failed to decode Nexus operation input",
        "Unserializable type during conversion: "
        "<class 'payments.v1.payments_pb2.ProcessPaymentRequest'>",
    ]
    assert not any(
        isinstance(c.request, payments_pb2.ProcessPaymentRequest)
        and c.request.order_id.endswith("-plain")
        for c in ts_run.calls
    )


def test_no_value_for_a_message_request_is_a_bad_request(ts_run: Run) -> None:
    """`undefined` where ProcessPaymentRequest is expected goes out as binary/null."""
    (no_value,) = sent(ts_run, "ProcessPayment", "binary/null")
    assert no_value.metadata == {"encoding": "binary/null"}
    report = ts_run.summary["workflow"]["undefinedRequest"]
    assert not report["ok"]
    # Not a retry loop until the caller's timeout: the handler answers at once.
    assert report["error"]["chain"][:2] == ["NexusOperationFailure", "HandlerError"]
    assert report["error"]["handlerErrorType"] == "BAD_REQUEST"
    assert report["error"]["handlerErrorRetryable"] is False


def test_standalone_calls_json_and_binary(ts_run: Run) -> None:
    """From TS application code (standalone operations), with either encoding."""
    order_id = ts_run.summary["orderId"]
    for key, encoding in (
        ("standaloneJson", "json/protobuf"),
        ("standaloneBinary", "binary/protobuf"),
    ):
        report = ts_run.summary[key]
        assert report["requestEncoding"] == encoding
        assert report["requestMessageType"] == "payments.v1.ProcessPaymentRequest"
        assert report["ok"], report
        assert report["resultType"] == "payments.v1.ProcessPaymentResponse"
        assert report["result"]["statusName"] == "PAYMENT_STATUS_SETTLED"
        suffix = encoding.split("/")[0]
        request = decoded(ts_run, f"{order_id}-standalone-{suffix}")
        assert request.customer_id == CUSTOMER_ID
        assert request.amount == payments_pb2.Money(currency="EUR", amount_minor=500)


# --- conformance vectors --------------------------------------------------------------


def test_vectors(ts_project: TsProject) -> None:
    """The TS converter against the shared wire vectors (tests/interop/vectors/,
    written by tests/interop/make_vectors.py): same metadata and binary bytes,
    the same JSON value with lowerCamelCase keys; and a json/protobuf payload
    with a field the message lacks (from a newer contract) still decodes: the TS
    SDK's ProtobufJsonPayloadConverter ignores unknown fields. src/vectors.ts
    says how."""
    files = sorted(VECTORS_DIR.glob("*.json"))
    assert files, f"no wire vectors in {VECTORS_DIR}"
    proc = subprocess.run(
        [ts_project.node, ts_project.script("vectors.js"), str(VECTORS_DIR)],
        check=False,
        cwd=TS_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout, proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    assert report["failures"] == [], "\n".join(report["failures"])
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert [v["file"] for v in report["vectors"]] == [f.name for f in files]
    assert all(v["binaryBytesIdentical"] for v in report["vectors"])
    assert all(v["unknownJsonFieldIgnored"] for v in report["vectors"])
