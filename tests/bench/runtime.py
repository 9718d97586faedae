"""Runtime benchmark: the generated client and handler against the raw SDK, through a dev server.

Setup: one local dev server (tests/support/temporal.py, as the test suite starts
it); a handler worker in namespace "payments" serving the four variants'
handlers (runtime_workflows.py describes the variants) behind one Nexus
endpoint; a caller worker in namespace "orders" running the caller workflows in
the default workflow sandbox. Everything but the server runs in this process,
in one event loop, the same for every variant.

Latency: `SequentialCalls` workflows call the operation one call after another,
each round once through every variant in an order rotated from round to round,
and read a monotonic clock (time.perf_counter_ns, outside the sandbox's
restrictions) just before each call and just after its result. That is the
latency workflow code sees: the caller's own code (the generated client's
validation included), the workflow task completion that schedules the
operation, the server dispatching the Nexus task, the handler (its validation
included), the result's way back and the next workflow activation. Workflow
time (`workflow.now()`) would not do: it only moves with workflow tasks.
Interleaving operation by operation, in one workflow, makes every variant see
the same state of the machine, the server and the workers: the dev server's
latency drifts between modes under sustained load (how long a workflow task
waits for the caller worker's next poll), which would bias a comparison of
variants run one after another. Calls that ran during a replay are left out
(counted; none are expected, as the worker keeps the workflow cached). A
warm-up workflow comes first, unmeasured.

Throughput: W `ConcurrentCalls` workflows started together, each starting K
operations at once and awaiting them all; operations per second is W*K over
the wall time from starting the first workflow to the last result, interleaved
the same way; the median over rounds is reported.

Validation: the micro-benchmark times `nexusproto.validation.violations` and
`nexusproto.checked_request` (what the generated client runs before sending)
on the demo's valid ProcessPaymentRequest in a loop (timeit, best-of rounds).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
import timeit
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import measure
from measure import BUILD_DIR, GEN_DIR, REPO, TESTS_DIR, tool

RUNTIME_GEN = BUILD_DIR / "runtime-gen"
PROTO = measure.BENCH_DIR / "proto"
WORKFLOW_TIMEOUT = timedelta(minutes=10)
CHECKED = "nexusproto.checked_request(request)"
REFERENCE = "protovalidate.collect_violations(request) (reference)"


def generate_contract() -> None:
    """Generate the benchmark contract (nxbenchpay.proto) into build/bench/runtime-gen."""
    RUNTIME_GEN.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            tool("protoc"),
            f"--descriptor_set_in={measure.validate_set()}",
            f"-I{PROTO}",
            f"-I{REPO / 'proto'}",
            f"--python_out={RUNTIME_GEN}",
            f"--nexus-python_out={RUNTIME_GEN}",
            "nxbenchpay/v1/nxbenchpay.proto",
        ],
        env=measure.tool_env(),
        check=True,
    )
    for path in (str(RUNTIME_GEN), str(GEN_DIR), str(TESTS_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)


@dataclass
class RuntimeResult:
    workflows: int
    rounds_per_workflow: int
    concurrent_workflows: int
    concurrent_per_workflow: int
    throughput_rounds: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    traced_workflows: int = 0
    """Latency workflows of the pass with tracing and metrics on (0: no such pass)."""
    traced_latencies: dict[str, list[float]] = field(default_factory=dict)
    traced_spans: int = 0
    traced_metric_lines: list[str] = field(default_factory=list)
    replayed: int = 0
    throughput: dict[str, list[float]] = field(default_factory=dict)
    micro: dict[str, float] = field(default_factory=dict)
    server: str = ""


def micro_benchmark() -> dict[str, float]:
    """Microseconds per call of the validation step, on the demo's valid payment."""
    import nexusproto
    import protovalidate
    from nexusproto import validation
    from payments.v1 import payments_pb2
    from runtime_workflows import payment

    request = payment()
    response = payments_pb2.ProcessPaymentResponse(
        transaction_id="tx-order-1", status=payments_pb2.PAYMENT_STATUS_SETTLED
    )
    cases: dict[str, Callable[[], object]] = {
        CHECKED: lambda: nexusproto.checked_request(
            request, service="payments.v1.PaymentService", operation="ProcessPayment"
        ),
        "nexusproto.validation.violations(request)": lambda: validation.violations(request),
        "nexusproto.validation.violations(response)": lambda: validation.violations(response),
        REFERENCE: lambda: protovalidate.collect_violations(request),
    }
    found = {}
    for name, case in cases.items():
        timer = timeit.Timer(case)
        number, _ = timer.autorange()
        number = max(number, 2000)
        best = min(timer.repeat(repeat=7, number=number)) / number
        found[name] = best * 1e6
    return found


@dataclass
class _Telemetry:
    """What the telemetry pass connects with, and what it recorded."""

    runtime: Any
    interceptors: list[Any]
    provider: Any
    exporter: Any
    prometheus: str

    def spans(self) -> int:
        self.provider.force_flush()
        return len(self.exporter.get_finished_spans())

    def metric_lines(self) -> list[str]:
        """The exported samples of nexusproto's per-operation metrics."""
        with urllib.request.urlopen(f"http://{self.prometheus}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        return [
            line
            for line in text.splitlines()
            if line.startswith("nexusproto_") and not line.startswith("#")
        ]


def _telemetry() -> _Telemetry:
    """Tracing (the SDK's OpenTelemetry interceptor and nexusproto's standalone one, a
    batching span processor) and metrics (the SDK runtime's Prometheus exporter), as a
    team turns them on in production."""
    from nexusproto.tracing import TracingInterceptor as StandaloneTracing
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
        InMemorySpanExporter,
    )
    from temporalio.contrib.opentelemetry import TracingInterceptor as SdkTracing
    from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("nexusproto-bench")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    return _Telemetry(
        runtime,
        [SdkTracing(tracer), StandaloneTracing(tracer)],
        provider,
        exporter,
        address,
    )


async def _bench(result: RuntimeResult, log: Callable[[str], None]) -> None:
    from support.temporal import start_dev_server

    log_dir = BUILD_DIR / "temporal"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = await asyncio.to_thread(start_dev_server, log_dir)
    result.server = server.target
    try:
        await _pass(server, result, result.latencies, result.throughput, None, log)
        if result.traced_workflows:
            telemetry = _telemetry()
            await _pass(server, result, result.traced_latencies, None, telemetry, log)
            result.traced_spans = telemetry.spans()
            result.traced_metric_lines = telemetry.metric_lines()
            log(
                f"runtime, tracing and metrics on: {result.traced_spans} spans, "
                f"{len(result.traced_metric_lines)} nexusproto metric samples exported"
            )
    finally:
        await asyncio.to_thread(server.stop)


async def _pass(
    server: Any,
    result: RuntimeResult,
    latencies: dict[str, list[float]],
    throughput: dict[str, list[float]] | None,
    telemetry: _Telemetry | None,
    log: Callable[[str], None],
) -> None:
    """Latency (and throughput, when asked) of every variant, on workers of their own:
    plain clients, or (with `telemetry`) clients and workers with tracing and metrics on."""
    from runtime_handlers import (
        GeneratedHandler,
        GeneratedValidatedHandler,
        RawHandler,
        RawValidatedHandler,
    )
    from runtime_workflows import (
        VARIANTS,
        Calls,
        ConcurrentCalls,
        Rounds,
        SequentialCalls,
    )
    from support.temporal import create_nexus_endpoint, unique_name, unique_task_queue
    from temporalio.client import Client
    from temporalio.worker import Worker

    label = "runtime, tracing and metrics on" if telemetry else "runtime"
    workflows = result.traced_workflows if telemetry else result.workflows
    options: dict[str, Any] = (
        {"runtime": telemetry.runtime, "interceptors": telemetry.interceptors} if telemetry else {}
    )
    payments_client = await Client.connect(server.target, namespace="payments", **options)
    orders_client = await Client.connect(server.target, namespace="orders", **options)
    handler_queue = unique_task_queue("bench-handlers")
    caller_queue = unique_task_queue("bench-callers")
    endpoint = (
        await create_nexus_endpoint(
            orders_client, target_namespace="payments", task_queue=handler_queue
        )
    ).spec.name
    async with (
        Worker(
            payments_client,
            task_queue=handler_queue,
            nexus_service_handlers=[
                RawHandler(),
                RawValidatedHandler(),
                GeneratedHandler(),
                GeneratedValidatedHandler(),
            ],
        ),
        Worker(
            orders_client,
            task_queue=caller_queue,
            workflows=[SequentialCalls, ConcurrentCalls],
        ),
    ):

        async def sequential(rounds: int, record: bool = True) -> None:
            found = await orders_client.execute_workflow(
                SequentialCalls.run,
                Rounds(list(VARIANTS), endpoint, rounds),
                id=unique_name("bench-seq"),
                task_queue=caller_queue,
                execution_timeout=WORKFLOW_TIMEOUT,
            )
            if not record:
                return
            for variant, samples in found.nanoseconds.items():
                latencies.setdefault(variant, []).extend(ns / 1e9 for ns in samples)
            result.replayed += found.replayed

        async def concurrent(variant: str) -> float:
            started = time.perf_counter()
            done = await asyncio.gather(
                *(
                    orders_client.execute_workflow(
                        ConcurrentCalls.run,
                        Calls(variant, endpoint, result.concurrent_per_workflow),
                        id=unique_name("bench-conc"),
                        task_queue=caller_queue,
                        execution_timeout=WORKFLOW_TIMEOUT,
                    )
                    for _ in range(result.concurrent_workflows)
                )
            )
            elapsed = time.perf_counter() - started
            if sum(done) != result.concurrent_workflows * result.concurrent_per_workflow:
                raise RuntimeError(f"{variant}: some operations returned no transaction")
            return sum(done) / elapsed

        # Warm-up, unmeasured: every variant's client, handler and workflows once.
        await sequential(3, record=False)
        if throughput is not None:
            for variant in VARIANTS:
                await concurrent(variant)
        log(f"{label}: warmed up against the dev server at {server.target}")

        for workflow_index in range(workflows):
            await sequential(result.rounds_per_workflow)
            log(
                f"  {label}, latency workflow {workflow_index + 1}/{workflows}: "
                + ", ".join(f"{v} {statistics.median(latencies[v]) * 1000:.1f}ms" for v in VARIANTS)
            )
        if throughput is None:
            return
        for round_index in range(result.throughput_rounds):
            shift = round_index % len(VARIANTS)
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                throughput.setdefault(variant, []).append(await concurrent(variant))
            log(
                f"  {label}, throughput round {round_index + 1}/{result.throughput_rounds}: "
                + ", ".join(f"{v} {throughput[v][-1]:.0f}/s" for v in VARIANTS)
            )


def run(
    *,
    workflows: int,
    traced_workflows: int,
    rounds_per_workflow: int,
    concurrent_workflows: int,
    concurrent_per_workflow: int,
    throughput_rounds: int,
    log: Callable[[str], None],
) -> RuntimeResult:
    generate_contract()
    result = RuntimeResult(
        workflows=workflows,
        traced_workflows=traced_workflows,
        rounds_per_workflow=rounds_per_workflow,
        concurrent_workflows=concurrent_workflows,
        concurrent_per_workflow=concurrent_per_workflow,
        throughput_rounds=throughput_rounds,
    )
    result.micro = micro_benchmark()
    log(
        "validation micro-benchmark: "
        + ", ".join(f"{name} {us:.2f}µs" for name, us in result.micro.items())
    )
    asyncio.run(_bench(result, log))
    return result
