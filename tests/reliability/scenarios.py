"""The reliability scenarios: real faults against the generated code, and what they lose.

Each scenario is an async function taking a working directory and a `Size`, and
returning a `Row` of the report. It starts its own dev server (on a SQLite file)
and its worker processes (`cluster.py`), injects its faults with SIGKILL by pid,
and stops everything it started before returning. A broken promise (a lost or
duplicated operation, a failed caller workflow, a retry storm) raises
`ScenarioError` with what was seen; `make reliability` (run.py) and the reduced
runs in `make test` (tests/e2e/test_reliability.py) call the same functions.

Counting:
- lost: an operation whose caller got no result (an error, or nothing by the
  scenario's deadline);
- duplicated: a refund with more than one workflow execution (counted through the
  client by workflow ID), or a payment booked more than once in the ledger;
- handler re-runs (sync operations): user code run more than once for one
  operation, which Nexus allows (a start is retried when no answer came back);
  the handler's idempotency key keeps them from booking twice.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import team
from cluster import Cluster, ScenarioError, WorkerProcess, count_by
from payments.v1.payments_nexus import PaymentServiceStandaloneClient
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    NexusOperationFailureError,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.common import RawValue
from temporalio.service import RPCError, RPCStatusCode

T = TypeVar("T")

PER_WORKFLOW = 20
"""Operations one caller workflow has outstanding at once (the server's default
limit is 30 per workflow)."""


@dataclass(frozen=True)
class Size:
    """How big a run is: `FULL` for `make reliability`, `REDUCED` for `make test`."""

    name: str
    workflow_run_ops: int
    sync_ops: int
    caller_ops: int
    server_ops: int
    load_ops: int
    load_rounds: int
    kills: int
    failing_timeout_seconds: float
    update_ops: int
    update_seconds: int
    """How long each asynchronous update of scenario 9 runs in its workflow."""


FULL = Size("full", 200, 200, 120, 120, 1000, 3, 6, 8.0, 40, 30)
REDUCED = Size("reduced", 24, 24, 20, 20, 100, 1, 3, 5.0, 8, 12)


@dataclass
class Row:
    scenario: str
    operations: int
    completed: int
    lost: int
    duplicated: int
    faults: str
    """What was done to the system: kills, restarts, at which points."""
    notes: list[str] = field(default_factory=list)
    """Measured figures and observations, one sentence each."""
    figures: dict[str, Any] = field(default_factory=dict)


# --- helpers --------------------------------------------------------------------------

_started = time.monotonic()


def progress(text: str) -> None:
    """A progress line on stderr, with the seconds since the scenarios began."""
    print(f"[{time.monotonic() - _started:7.1f}s] {text}", file=sys.stderr, flush=True)


def key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise ScenarioError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


def chunks(ops: Sequence[team.Op], size: int = PER_WORKFLOW) -> list[list[team.Op]]:
    return [list(ops[index : index + size]) for index in range(0, len(ops), size)]


async def start_batches(
    orders: Client, endpoint: str, ops: Sequence[team.Op], *, variant: str = team.GENERATED
) -> list[WorkflowHandle[Any, list[team.Outcome]]]:
    return [
        await orders.start_workflow(
            team.PaymentsBatch.run,
            team.Batch(endpoint, chunk, variant),
            id=key("batch"),
            task_queue="orders",
            execution_timeout=timedelta(minutes=10),
        )
        for chunk in chunks(ops)
    ]


async def results(
    handles: Sequence[WorkflowHandle[Any, list[team.Outcome]]], timeout: float
) -> list[team.Outcome]:
    """Every batch's outcomes; a batch workflow that failed is a scenario failure."""
    try:
        done = await asyncio.wait_for(
            asyncio.gather(*(handle.result() for handle in handles)), timeout
        )
    except asyncio.TimeoutError:
        raise ScenarioError(f"caller workflows still running after {timeout:.0f} s") from None
    return [outcome for batch in done for outcome in batch]


def mixed_ops(
    rng: random.Random, count: int, *, refund_seconds: tuple[float, float], quick_payments: bool
) -> list[team.Op]:
    """Alternating refunds (each waiting a while in its workflow) and slow payments
    (every other one quick, with `quick_payments`)."""
    return [
        team.Op("refund", key("rf"), f"wait={rng.uniform(*refund_seconds):.2f}")
        if index % 2
        else team.Op("pay", key("ok" if quick_payments and not index % 4 else "slow"))
        for index in range(count)
    ]


def expect_all(outcomes: Sequence[team.Outcome], ops: Sequence[team.Op]) -> tuple[int, list[str]]:
    """(completed, problems): each op answered once, with the value its key implies."""
    by_key = {outcome.key: outcome for outcome in outcomes}
    problems = []
    completed = 0
    for op in ops:
        outcome = by_key.get(op.key)
        if outcome is None:
            problems.append(f"{op.key}: no outcome")
        elif outcome.error:
            problems.append(f"{op.key}: {outcome.error}")
        elif op.kind == "refund" and outcome.value != f"refund-{op.key}":
            problems.append(f"{op.key}: refund answered {outcome.value!r}")
        elif op.kind == "pay" and not outcome.value.startswith("tx-"):
            problems.append(f"{op.key}: payment answered {outcome.value!r}")
        else:
            completed += 1
    return completed, problems


async def workflow_runs(payments: Client, ids: Sequence[str]) -> dict[str, int]:
    """Executions per workflow ID, through the client (visibility), every run counted."""
    wanted = set(ids)
    counts = dict.fromkeys(ids, 0)
    async for execution in payments.list_workflows("WorkflowType = 'RefundPaymentWorkflow'"):
        if execution.id in wanted:
            counts[execution.id] += 1
    return counts


async def refund_executions(payments: Client, keys: Sequence[str]) -> dict[str, int]:
    """Executions per refund, waiting until visibility shows at least one of each."""
    ids = [f"refund-{k}" for k in keys]

    async def complete() -> dict[str, int] | None:
        counts = await workflow_runs(payments, ids)
        return counts if all(counts.values()) else None

    return await until(complete, "every refund workflow in visibility", timeout=60)


def duplicated_refunds(executions: dict[str, int]) -> list[str]:
    return [f"{wid}: {n} executions" for wid, n in executions.items() if n != 1]


def booked_twice(records: Sequence[dict[str, Any]]) -> list[str]:
    charges = count_by(records, "charge", "key")
    return [f"{k}: booked {n} times" for k, n in charges.items() if n > 1]


def runs_per_key(records: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, int]:
    runs = count_by(records, "run", "key")
    return {k: runs.get(k, 0) for k in keys}


def one_request_id_per_key(records: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, set[str]] = {}
    for record in records:
        if record["e"] == "run":
            seen.setdefault(record["key"], set()).add(record["rid"])
    return [f"{k}: {len(rids)} request IDs" for k, rids in seen.items() if len(rids) > 1]


def histogram(counts: dict[str, int]) -> str:
    tally: dict[int, int] = {}
    for n in counts.values():
        tally[n] = tally.get(n, 0) + 1
    return ", ".join(f"{ops} ran {n}x" for n, ops in sorted(tally.items()))


async def in_flight(
    process: WorkerProcess, event: str, younger_than: float, what: str
) -> dict[str, Any]:
    """Wait for a journal record of the running process newer than `younger_than` s."""

    async def found() -> dict[str, Any] | None:
        now = time.time()
        for record in reversed(process.records()):
            if (
                record["e"] == event
                and record["pid"] == process.pid
                and now - record["t"] < younger_than
            ):
                return record
        return None

    return await until(found, what, timeout=60)


class BlockedWatch:
    """Samples the caller workflows' pending operations for why they are blocked.

    After a handler worker dies with starts in flight, their attempts time out;
    after several consecutive failures the server's circuit breaker for the
    endpoint opens and holds every start to it for a while. This records it.
    """

    def __init__(self, handles: list[WorkflowHandle[Any, Any]]) -> None:
        self.handles = handles
        self.reasons: dict[str, float] = {}
        """Each blocked reason seen, with the seconds it was seen for (sampled)."""
        self._task = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        interval = 1.0
        while True:
            seen: set[str] = set()
            for handle in list(self.handles):
                try:
                    description = await handle.describe()
                except RPCError:
                    continue
                for pending in description.raw_description.pending_nexus_operations:
                    if pending.blocked_reason:
                        seen.add(pending.blocked_reason)
            for reason in seen:
                self.reasons[reason] = self.reasons.get(reason, 0.0) + interval
            await asyncio.sleep(interval)

    def stop(self) -> str:
        self._task.cancel()
        if not self.reasons:
            return "no operation was blocked by the server"
        return "; ".join(
            f"pending operations blocked for about {seconds:.0f} s: {reason!r}"
            for reason, seconds in self.reasons.items()
        )


def fail_if(problems: Sequence[str], scenario: str) -> None:
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""  # noqa: PLR2004
        raise ScenarioError(f"{scenario}: {shown}{more}")


async def with_cluster(
    workdir: Path, body: Callable[[Cluster], Awaitable[Row]], *, persistent: bool = True
) -> Row:
    cluster = await Cluster.start(workdir, persistent=persistent)
    try:
        row = await body(cluster)
    except BaseException:
        cluster.stop(check=False)
        raise
    cluster.stop()  # every worker must exit cleanly
    return row


async def standard_cluster(
    cluster: Cluster, payments_env: dict[str, str] | None = None
) -> tuple[WorkerProcess, WorkerProcess, str]:
    endpoint = await cluster.endpoint("payments", "payments")
    payments = await cluster.worker("payments", "payments", env=payments_env)
    orders = await cluster.worker("orders", "orders")
    return payments, orders, endpoint


BEFORE_START = "before the start"


async def kill_repeatedly(
    payments: WorkerProcess,
    orders: Client,
    endpoint: str,
    new_ops: Callable[[int], list[team.Op]],
    *,
    total: int,
    kills: int,
    points: dict[str, Callable[[], Awaitable[None]] | None],
    rng: random.Random,
) -> tuple[list[WorkflowHandle[Any, list[team.Outcome]]], dict[str, int], BlockedWatch]:
    """Start `total` operations in waves while the payments worker is killed `kills`
    times, at each point of `points` in turn (its function waits for the moment;
    BEFORE_START kills first and starts the next wave while the worker is down),
    restarting it each time. Returns the caller workflows, the kills per point and
    the watch of blocked operations (running until stopped)."""
    per_kill = max(total // (kills + 1), 1)
    started = per_kill
    handles = await start_batches(orders, endpoint, new_ops(per_kill))
    watch = BlockedWatch(handles)
    done: dict[str, int] = {}
    names = list(points)
    for index in range(kills):
        point = names[index % len(names)]
        done[point] = done.get(point, 0) + 1
        wait = points[point]
        if wait is None:
            payments.kill()
            handles += await start_batches(orders, endpoint, new_ops(per_kill))
            await asyncio.sleep(rng.uniform(0.5, 2))
        else:
            await wait()
            payments.kill()
        await payments.start()
        progress(f"payments worker killed {point}, restarted")
        if wait is not None:
            handles += await start_batches(orders, endpoint, new_ops(per_kill))
        started += per_kill
    if total > started:
        handles += await start_batches(orders, endpoint, new_ops(total - started))
    return handles, done, watch


# --- 1. handler worker killed during workflow-run operations --------------------------

HOLD_AFTER_START = 1.5


async def handler_killed_workflow_run(workdir: Path, size: Size) -> Row:
    """Refunds in flight while the payments worker is killed at three points."""
    rng = random.Random(1)

    async def body(cluster: Cluster) -> Row:
        payments, _, endpoint = await standard_cluster(
            cluster, {team.HOLD_AFTER_START_ENV: str(HOLD_AFTER_START)}
        )
        orders = await cluster.client("orders")
        ops: list[team.Op] = []

        def new_ops(count: int) -> list[team.Op]:
            made = [
                team.Op("refund", key("rf"), f"wait={rng.uniform(0.5, 4):.2f}")
                for _ in range(count)
            ]
            ops.extend(made)
            return made

        async def started_unanswered() -> None:
            await in_flight(
                payments, "started", HOLD_AFTER_START * 0.6, "a started, unanswered refund"
            )

        async def workflows_running() -> None:
            await asyncio.sleep(rng.uniform(0.5, 2.0))

        handles, points, watch = await kill_repeatedly(
            payments,
            orders,
            endpoint,
            new_ops,
            total=size.workflow_run_ops,
            kills=size.kills,
            points={
                "after the start, before the answer": started_unanswered,
                "while workflows run": workflows_running,
                BEFORE_START: None,
            },
            rng=rng,
        )

        last_kill = time.monotonic()
        outcomes = await results(handles, timeout=240)
        recovery = time.monotonic() - last_kill
        blocked = watch.stop()
        progress("every caller workflow ended")
        completed, lost = expect_all(outcomes, ops)
        executions = await refund_executions(
            await cluster.client("payments"), [op.key for op in ops]
        )
        duplicated = duplicated_refunds(executions)
        fail_if(lost + duplicated, "handler killed during workflow-run operations")
        records = payments.records()
        attempts = sum(1 for r in records if r["e"] == "attempt")
        retried = sum(1 for n in runs_per_key(records, [op.key for op in ops]).values() if n > 1)
        return Row(
            "1. handler worker killed during workflow-run operations",
            len(ops),
            completed,
            len(lost),
            len(duplicated),
            f"{payments.kills} SIGKILLs of the payments worker ("
            + ", ".join(f"{n}x {p}" for p, n in points.items())
            + f"), {payments.starts - 1} restarts",
            [
                f"{attempts} start attempts for {len(ops)} operations: {retried} starts were "
                "retried after a kill, and every refund has exactly one workflow execution",
                f"{len(handles)} caller workflows, none failed; the last operation "
                f"completed {recovery:.0f} s after the last restart; {blocked}",
            ],
        )

    return await with_cluster(workdir, body)


# --- 2. handler worker killed during sync operations ----------------------------------

SLOW_SECONDS = 1.5


async def handler_killed_sync(workdir: Path, size: Size) -> Row:
    """Payments in flight (some slow) while the payments worker is killed."""
    rng = random.Random(2)

    async def body(cluster: Cluster) -> Row:
        payments, _, endpoint = await standard_cluster(cluster, {team.SLOW_ENV: str(SLOW_SECONDS)})
        orders = await cluster.client("orders")
        ops: list[team.Op] = []

        def new_ops(count: int) -> list[team.Op]:
            made = [
                team.Op("pay", key("slow" if rng.random() < 0.7 else "ok"))  # noqa: PLR2004
                for _ in range(count)
            ]
            ops.extend(made)
            return made

        async def handlers_running() -> None:
            await in_flight(payments, "run", SLOW_SECONDS * 0.6, "a payment being handled")

        handles, points, watch = await kill_repeatedly(
            payments,
            orders,
            endpoint,
            new_ops,
            total=size.sync_ops,
            kills=size.kills,
            points={"while handlers run": handlers_running, BEFORE_START: None},
            rng=rng,
        )

        last_kill = time.monotonic()
        outcomes = await results(handles, timeout=240)
        recovery = time.monotonic() - last_kill
        blocked = watch.stop()
        progress("every caller workflow ended")
        completed, lost = expect_all(outcomes, ops)
        records = payments.records()
        duplicated = booked_twice(records)
        # Every run of one operation carried the same request ID, so the idempotency
        # key held; and the caller got the transaction of the one booking.
        charges = {r["key"]: r["tx"] for r in records if r["e"] == "charge"}
        mismatched = [
            f"{o.key}: answered {o.value}, booked {charges.get(o.key)}"
            for o in outcomes
            if not o.error and charges.get(o.key) != o.value
        ]
        fail_if(
            lost + duplicated + one_request_id_per_key(records) + mismatched,
            "handler killed during sync operations",
        )
        runs = runs_per_key(records, [op.key for op in ops])
        rerun = sum(1 for n in runs.values() if n > 1)
        return Row(
            "2. handler worker killed during sync operations",
            len(ops),
            completed,
            len(lost),
            len(duplicated),
            f"{payments.kills} SIGKILLs of the payments worker ("
            + ", ".join(f"{n}x {p}" for p, n in points.items())
            + f"), {payments.starts - 1} restarts",
            [
                f"handler runs per operation: {histogram(runs)}; {rerun} of {len(ops)} "
                f"operations ({100 * rerun / len(ops):.0f} %) ran more than once, every "
                "re-run with the operation's own request ID, none booked twice",
                f"{len(handles)} caller workflows, none failed; the last operation "
                f"completed {recovery:.0f} s after the last restart; {blocked}",
            ],
            {"rerun": rerun, "recovery_seconds": recovery},
        )

    return await with_cluster(workdir, body)


# --- 3. caller worker killed ----------------------------------------------------------


async def caller_killed(workdir: Path, size: Size) -> Row:
    """Caller workflows waiting on outstanding operations while the orders worker dies."""
    rng = random.Random(3)

    async def body(cluster: Cluster) -> Row:
        payments, orders_worker, endpoint = await standard_cluster(cluster, {team.SLOW_ENV: "2"})
        orders = await cluster.client("orders")
        ops = mixed_ops(rng, size.caller_ops, refund_seconds=(2, 5), quick_payments=False)
        kills = max(size.kills // 2, 1)
        handles = []
        per_wave = -(-len(ops) // kills)
        for wave in range(kills):
            # A wave of caller workflows; once its operations reach the handler (and
            # are outstanding: slow payments, refunds that wait), the worker dies.
            handles += await start_batches(
                orders, endpoint, ops[wave * per_wave : (wave + 1) * per_wave]
            )
            await in_flight(payments, "run", 1.5, "operations reaching the handler")
            orders_worker.kill()
            await asyncio.sleep(rng.uniform(0.5, 2))
            await orders_worker.start()
            progress("orders worker killed with operations outstanding, restarted")

        outcomes = await results(handles, timeout=240)
        progress("every caller workflow ended")
        completed, lost = expect_all(outcomes, ops)
        records = payments.records()
        attempts = count_by(records, "attempt", "rid")
        runs = runs_per_key(records, [op.key for op in ops])
        started_twice = [f"{k}: started {n} times" for k, n in runs.items() if n != 1]
        retried = [f"request {rid}: {n} start attempts" for rid, n in attempts.items() if n > 1]
        refunds = [op.key for op in ops if op.kind == "refund"]
        executions = await refund_executions(await cluster.client("payments"), refunds)
        duplicated = duplicated_refunds(executions) + booked_twice(records)
        fail_if(lost + started_twice + retried + duplicated, "caller worker killed")
        return Row(
            "3. caller worker killed",
            len(ops),
            completed,
            len(lost),
            len(duplicated),
            f"{orders_worker.kills} SIGKILLs of the orders worker, each while a new wave "
            f"of its {len(handles)} workflows waited on outstanding operations, "
            f"{orders_worker.starts - 1} restarts",
            [
                f"every operation was started exactly once ({sum(attempts.values())} start "
                f"attempts for {len(ops)} operations): the restarted worker replayed the "
                "workflows and picked up the results",
            ],
        )

    return await with_cluster(workdir, body)


# --- 4. server restarted ----------------------------------------------------------------


async def server_restarted(workdir: Path, size: Size) -> Row:
    """Both kinds of operations in flight while the dev server is killed and restarted."""
    rng = random.Random(4)

    async def body(cluster: Cluster) -> Row:
        payments, orders_worker, endpoint = await standard_cluster(cluster, {team.SLOW_ENV: "2"})
        orders = await cluster.client("orders")
        ops = mixed_ops(rng, size.server_ops, refund_seconds=(1, 4), quick_payments=True)
        half = len(ops) // 2
        handles = await start_batches(orders, endpoint, ops[:half])
        restarts = max(size.kills // 3, 1)
        for index in range(restarts):
            await in_flight(payments, "run", 1.5, "operations reaching the handler")
            cluster.server.kill()
            await asyncio.sleep(rng.uniform(1, 3))
            await cluster.server.start()
            progress("server killed with operations in flight, restarted on its database")
            if index == 0:
                # The clients reconnect by themselves; new work is accepted again.
                handles += await start_batches(orders, endpoint, ops[half:])

        outcomes = await results(handles, timeout=300)
        progress("every caller workflow ended")
        completed, lost = expect_all(outcomes, ops)
        records = payments.records()
        refunds = [op.key for op in ops if op.kind == "refund"]
        executions = await refund_executions(await cluster.client("payments"), refunds)
        duplicated = duplicated_refunds(executions) + booked_twice(records)
        fail_if(lost + duplicated + one_request_id_per_key(records), "server restarted")
        runs = runs_per_key(records, [op.key for op in ops if op.kind == "pay"])
        if payments.kills or orders_worker.kills:
            raise ScenarioError("server restarted: a worker was restarted, not only the server")
        return Row(
            "4. server restarted",
            len(ops),
            completed,
            len(lost),
            len(duplicated),
            f"{cluster.server.kills} SIGKILLs of the dev server, each restarted on its "
            "database file and port; the worker processes kept running and reconnected",
            [f"payment handler runs per operation: {histogram(runs)}"],
        )

    return await with_cluster(workdir, body)


# --- 5. load -------------------------------------------------------------------------

STANDALONE_SHARE = 5
"""One operation in this many goes through a standalone client, the rest through workflows."""


@dataclass
class LoadRun:
    variant: str
    operations: int
    seconds: float
    latencies: list[float]
    """Seconds from call to result, of every operation not ended in a replay."""

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def standalone_call(client: Client, endpoint: str, variant: str, op: team.Op) -> team.Outcome:
    """One operation from application code, timed here; failures reported, not raised."""
    outcome = team.Outcome(op.key)
    started = time.perf_counter()
    try:
        if variant == team.GENERATED:
            payments = PaymentServiceStandaloneClient(client, endpoint=endpoint)
            if op.kind == "pay":
                outcome.value = (
                    await payments.process_payment(team.payment_request(op.key))
                ).transaction_id
            else:
                outcome.value = (await payments.refund_payment(team.refund_request(op))).refund_id
        else:
            raw = client.create_nexus_client(team.RawPaymentService, endpoint)
            if op.kind == "pay":
                paid = await raw.execute_operation(
                    team.RawPaymentService.process_payment,
                    team.payment_request(op.key),
                    id=str(uuid.uuid4()),
                    schedule_to_close_timeout=timedelta(seconds=60),
                )
                outcome.value = paid.transaction_id
            else:
                refunded = await raw.execute_operation(
                    team.RawPaymentService.refund_payment,
                    team.refund_request(op),
                    id=str(uuid.uuid4()),
                    schedule_to_close_timeout=timedelta(seconds=60),
                )
                outcome.value = refunded.refund_id
    except NexusOperationFailureError as err:
        outcome.error = team.failure_chain(err)
    outcome.latency_ns = int((time.perf_counter() - started) * 1e9)
    return outcome


async def load_round(
    orders: Client, variant: str, endpoint: str, count: int
) -> tuple[LoadRun, list[team.Op], list[team.Outcome]]:
    ops = [
        team.Op("pay", key("ok")) if index % 2 else team.Op("refund", key("rf"))
        for index in range(count)
    ]
    standalone = ops[::STANDALONE_SHARE]
    in_workflows = [op for index, op in enumerate(ops) if index % STANDALONE_SHARE]
    started = time.perf_counter()
    handles = await start_batches(orders, endpoint, in_workflows, variant=variant)
    direct = await asyncio.gather(
        *(standalone_call(orders, endpoint, variant, op) for op in standalone)
    )
    outcomes = [*direct, *await results(handles, timeout=300)]
    seconds = time.perf_counter() - started
    latencies = [o.latency_ns / 1e9 for o in outcomes if o.latency_ns >= 0]
    return LoadRun(variant, len(ops), seconds, latencies), ops, outcomes


async def load(workdir: Path, size: Size) -> Row:
    """Bursts of mixed operations against one handler process: generated, then raw."""

    async def body(cluster: Cluster) -> Row:
        endpoints = {
            team.GENERATED: await cluster.endpoint("payments", "payments"),
            team.RAW: await cluster.endpoint("raw-payments", "raw-payments"),
        }
        handlers = {
            team.GENERATED: await cluster.worker("payments", "payments"),
            team.RAW: await cluster.worker("raw-payments", "raw-payments"),
        }
        await cluster.worker("orders", "orders")
        orders = await cluster.client("orders")

        # Warm-up, unmeasured: every code path of both variants once.
        for variant, endpoint in endpoints.items():
            _, warm_ops, warm = await load_round(orders, variant, endpoint, 20)
            fail_if(expect_all(warm, warm_ops)[1], f"load warm-up ({variant})")
        memory = {v: {"after warm-up": h.memory_kib()[0]} for v, h in handlers.items()}

        runs: dict[str, list[LoadRun]] = {team.GENERATED: [], team.RAW: []}
        all_ops: list[team.Op] = []
        lost: list[str] = []
        variants = (team.GENERATED, team.RAW)
        for index in range(size.load_rounds):
            # Both bursts at once, each against its own handler process: they meet
            # the same server, caller worker and machine, which drift from round to
            # round more than the variants differ.
            done = await asyncio.gather(
                *(load_round(orders, v, endpoints[v], size.load_ops) for v in variants)
            )
            for variant, (run, ops, outcomes) in zip(variants, done, strict=True):
                runs[variant].append(run)
                all_ops += ops
                lost += expect_all(outcomes, ops)[1]
                progress(
                    f"load round {index + 1} {variant}: {run.operations} operations in "
                    f"{run.seconds:.1f} s, {run.throughput:.0f}/s, p99 "
                    f"{run.percentile(0.99) * 1000:.0f} ms"
                )
            for variant, handler in handlers.items():
                memory[variant][f"after round {index + 1}"] = handler.memory_kib()[0]
        peak = {v: h.memory_kib()[1] for v, h in handlers.items()}

        records = [r for h in handlers.values() for r in h.records()]
        refunds = [op.key for op in all_ops if op.kind == "refund"]
        executions = await refund_executions(await cluster.client("payments"), refunds)
        duplicated = duplicated_refunds(executions) + booked_twice(records)
        fail_if(lost + duplicated, "load")
        pays = [op.key for op in all_ops if op.kind == "pay"]
        rerun = sum(1 for n in runs_per_key(records, pays).values() if n > 1)

        def median(variant: str, measure: Callable[[LoadRun], float]) -> float:
            return statistics.median(measure(run) for run in runs[variant])

        figures = {
            variant: {
                "throughput": median(variant, lambda run: run.throughput),
                "p50": median(variant, lambda run: run.percentile(0.50)),
                "p95": median(variant, lambda run: run.percentile(0.95)),
                "p99": median(variant, lambda run: run.percentile(0.99)),
            }
            for variant in runs
        }
        generated, raw = figures[team.GENERATED], figures[team.RAW]
        # Ratios of the two variants within each round (they ran together), median over rounds.
        paired = list(zip(runs[team.GENERATED], runs[team.RAW], strict=True))
        throughput_ratio = statistics.median(g.throughput / r.throughput for g, r in paired)
        p99_ratio = statistics.median(g.percentile(0.99) / r.percentile(0.99) for g, r in paired)

        def growth_per_operation(variant: str) -> float:
            """Bytes of RSS per operation from the end of round 1 to the end."""
            rounds = memory[variant]
            grown = rounds[f"after round {size.load_rounds}"] - rounds["after round 1"]
            return grown * 1024 / max(size.load_ops * (size.load_rounds - 1), 1)

        def rss(variant: str) -> str:
            rounds = memory[variant]
            return (
                f"{rounds['after warm-up'] / 1024:.0f} MiB after warm-up, peak "
                f"{peak[variant] / 1024:.0f} MiB, "
                + ", ".join(
                    f"{kib / 1024:.0f} MiB {when}"
                    for when, kib in rounds.items()
                    if when != "after warm-up"
                )
                + f" ({growth_per_operation(variant):+.0f} bytes per operation after round 1)"
            )

        total = len(all_ops)
        in_workflows = size.load_ops - -(-size.load_ops // STANDALONE_SHARE)
        return Row(
            "5. load",
            total,
            total - len(lost),
            len(lost),
            len(duplicated),
            f"{size.load_rounds} rounds, each a burst of {size.load_ops} operations per "
            "variant, both variants at the same time, all started at once (half sync, "
            "half workflow-run; "
            f"{100 // STANDALONE_SHARE} % from standalone clients, the rest from "
            f"{-(-in_workflows // PER_WORKFLOW)} caller "
            "workflows) against one handler process per variant; no faults",
            [
                f"generated: {generated['throughput']:.0f} operations/s, p50 "
                f"{generated['p50'] * 1000:.0f} ms, p95 {generated['p95'] * 1000:.0f} ms, "
                f"p99 {generated['p99'] * 1000:.0f} ms (medians over rounds)",
                f"raw SDK: {raw['throughput']:.0f} operations/s, p50 {raw['p50'] * 1000:.0f} "
                f"ms, p95 {raw['p95'] * 1000:.0f} ms, p99 {raw['p99'] * 1000:.0f} ms",
                f"generated / raw, median over rounds of the ratio within a round: "
                f"throughput {throughput_ratio:.3f}, p99 {p99_ratio:.3f}",
                f"RSS of the generated handler's process: {rss(team.GENERATED)}",
                f"RSS of the raw handler's process: {rss(team.RAW)}",
                f"{rerun} payments ran more than once",
            ],
            {
                "throughput_ratio": throughput_ratio,
                "p99_ratio": p99_ratio,
                "figures": figures,
                "memory_kib": memory,
                "peak_kib": peak,
                "bytes_per_operation": {v: growth_per_operation(v) for v in handlers},
                "rounds": {
                    v: [(r.seconds, r.throughput, r.percentile(0.99)) for r in rs]
                    for v, rs in runs.items()
                },
            },
        )

    # In memory: nothing restarts the server here, and the file's I/O is not the
    # generated code's to measure.
    return await with_cluster(workdir, body, persistent=False)


# --- 6. cancellation ---------------------------------------------------------------


async def handler_workflow_status(
    payments: Client, workflow_id: str, wanted: WorkflowExecutionStatus | None, wait: float
) -> WorkflowExecutionStatus | None:
    """The status once it is `wanted` (waiting up to `wait` s), else the last one seen."""
    deadline = time.monotonic() + wait
    while True:
        try:
            status = (await payments.get_workflow_handle(workflow_id).describe()).status
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            status = None  # not started yet
        if status == wanted or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.1)


async def cancellation(workdir: Path, size: Size) -> Row:
    """Each cancellation type from a workflow, a standalone cancel, and a sync cancel."""

    async def body(cluster: Cluster) -> Row:
        payments_worker, _, endpoint = await standard_cluster(cluster, {team.SLOW_ENV: "2"})
        orders = await cluster.client("orders")
        payments = await cluster.client("payments")
        problems: list[str] = []
        notes: list[str] = []
        completed = 0
        # (cancellation type, seconds the caller stays open after it heard, the
        # handler workflow's status then). TRY_CANCEL sends the cancel without
        # waiting: a caller that ends at once may end before it is delivered (seen
        # every time so far, but not promised, so not required).
        cases = [
            ("ABANDON", 0.0, WorkflowExecutionStatus.RUNNING),
            ("TRY_CANCEL", 0.0, WorkflowExecutionStatus.RUNNING),
            ("TRY_CANCEL", 3.0, WorkflowExecutionStatus.CANCELED),
            ("WAIT_REQUESTED", 0.0, WorkflowExecutionStatus.CANCELED),
            ("WAIT_COMPLETED", 0.0, WorkflowExecutionStatus.CANCELED),
        ]
        for name, linger, wanted in cases:
            case = team.CancelCase(endpoint, key("rf"), name, linger_seconds=linger)
            outcome = await orders.execute_workflow(
                team.CancelOperation.run,
                case,
                id=key("cancel"),
                task_queue="orders",
                execution_timeout=timedelta(minutes=2),
            )
            workflow_id = f"refund-{case.key}"
            # WAIT_COMPLETED promises the handler's workflow ended before the caller
            # hears of it: look at once. A workflow that must stay RUNNING is looked
            # at after 3 s; one that must be cancelled may take up to 10 s.
            immediately = name == "WAIT_COMPLETED"
            if wanted == WorkflowExecutionStatus.RUNNING:
                await asyncio.sleep(3)
            wait = 0.0 if immediately or wanted == WorkflowExecutionStatus.RUNNING else 10.0
            status = await handler_workflow_status(payments, workflow_id, wanted, wait)
            if status == WorkflowExecutionStatus.RUNNING:
                await payments.get_workflow_handle(workflow_id).terminate("left running")
            caller_ok = outcome.error.startswith("NexusOperationError") and (
                "CancelledError" in outcome.error
            )
            # TRY_CANCEL from a caller that ends at once promises no delivery either way.
            promised = name != "TRY_CANCEL" or linger > 0
            if (promised and status != wanted) or not caller_ok or not outcome.started_async:
                problems.append(
                    f"{name}: handler workflow {status.name if status else None} (wanted "
                    f"{wanted.name}), caller saw {outcome.error!r}"
                )
            else:
                completed += 1
            stayed = f", caller open {linger:.0f} s longer" if linger else ""
            notes.append(
                f"{name}{stayed}: the caller saw NexusOperationError caused by "
                f"CancelledError; the handler's workflow was "
                f"{status.name if status else None}"
                + (" when the caller heard of it" if immediately else "")
            )

        # A standalone operation (application code): handle.cancel().
        standalone = PaymentServiceStandaloneClient(orders, endpoint=endpoint)
        refund_key = key("rf")
        handle = await standalone.start_refund_payment(
            team.refund_request(team.Op("refund", refund_key, team.HOLD))
        )
        await handler_workflow_status(
            payments, f"refund-{refund_key}", WorkflowExecutionStatus.RUNNING, 10
        )
        await handle.cancel()
        try:
            await asyncio.wait_for(handle.result(), 30)
            error = "completed"
        except NexusOperationFailureError as err:
            error = team.failure_chain(err)
        status = await handler_workflow_status(
            payments, f"refund-{refund_key}", WorkflowExecutionStatus.CANCELED, 10
        )
        if status != WorkflowExecutionStatus.CANCELED or "CancelledError" not in error:
            problems.append(f"standalone cancel: handler workflow {status}, caller saw {error!r}")
        else:
            completed += 1
        notes.append(
            f"standalone handle.cancel(): result() raised {error!r}; the handler's workflow "
            f"was {status.name if status else None}"
        )

        # A sync operation cancelled while its handler runs: there is no started
        # operation to cancel, so the handler is never told; what the caller sees
        # depends on the cancellation type.
        sync_cases = {"ABANDON": "CancelledError", "WAIT_COMPLETED": "completed"}
        for name, expected in sync_cases.items():
            sync_key = key("slow")
            started = time.monotonic()
            outcome = await orders.execute_workflow(
                team.CancelOperation.run,
                team.CancelCase(endpoint, sync_key, name, kind="pay"),
                id=key("cancel-sync"),
                task_queue="orders",
                execution_timeout=timedelta(minutes=2),
            )
            elapsed = time.monotonic() - started

            async def charged(sync_key: str = sync_key) -> bool | None:
                booked = any(
                    r["e"] == "charge" and r["key"] == sync_key for r in payments_worker.records()
                )
                return True if booked else None

            await until(charged, "the cancelled payment's handler to finish", 15)
            runs = runs_per_key(payments_worker.records(), [sync_key])[sync_key]
            notes.append(
                f"sync payment, {name}, cancelled 0.5 s into its 2 s handler: the caller "
                f"saw {outcome.error!r} after {elapsed:.1f} s; the handler was not "
                f"interrupted and booked the payment (ran {runs}x)"
            )
            if expected not in outcome.error or runs != 1:
                problems.append(
                    f"sync cancel {name}: caller saw {outcome.error!r}, handler ran {runs}x"
                )
            else:
                completed += 1
        fail_if(problems, "cancellation")
        return Row(
            "6. cancellation",
            len(cases) + 1 + len(sync_cases),
            completed,
            0,
            0,
            "a caller workflow cancels a started refund once per cancellation type; "
            "application code cancels a standalone refund; a workflow cancels a sync "
            "payment while its handler runs",
            notes,
        )

    return await with_cluster(workdir, body)


# --- 7. failing handler code --------------------------------------------------------


async def failing_handlers(workdir: Path, size: Size) -> Row:
    """Exceptions from user code and from the generated code: who retries, how often."""

    async def body(cluster: Cluster) -> Row:
        payments_worker, _, endpoint = await standard_cluster(cluster)
        orders = await cluster.client("orders")
        problems: list[str] = []
        notes: list[str] = []

        def attempts_so_far() -> int:
            return sum(1 for r in payments_worker.records() if r["e"] == "attempt")

        async def call(order_key: str, timeout: float) -> tuple[str, float, int]:
            started = time.monotonic()
            error = await orders.execute_workflow(
                team.FailingPayment.run,
                team.Attempt(endpoint, order_key, timeout),
                id=key("fail"),
                task_queue="orders",
                execution_timeout=timedelta(minutes=2),
            )
            elapsed = time.monotonic() - started
            runs = runs_per_key(payments_worker.records(), [order_key])[order_key]
            return error, elapsed, runs

        # A plain exception: retried (retryable INTERNAL) until schedule-to-close.
        timeout = size.failing_timeout_seconds
        error, elapsed, runs = await call(key("raise"), timeout)
        if "TimeoutError(SCHEDULE_TO_CLOSE)" not in error or runs < 2:  # noqa: PLR2004
            problems.append(f"plain exception: {runs} attempts, caller saw {error!r}")
        notes.append(
            f"RuntimeError in the handler: {runs} attempts in {elapsed:.1f} s, until the "
            f"caller's {timeout:.0f} s schedule-to-close timeout: {error!r}"
        )

        single = {
            "non-retryable HandlerError": (
                "handlererror",
                "HandlerError(BAD_REQUEST, retryable=False)",
            ),
            "OperationError": ("operror", "ApplicationError(OperationError, non_retryable=True)"),
            "response breaking the contract (the generated check)": (
                "badresponse",
                "HandlerError(INTERNAL, retryable=False)",
            ),
        }
        for what, (prefix, expected) in single.items():
            error, elapsed, runs = await call(key(prefix), 60)
            if expected not in error or runs != 1:
                problems.append(f"{what}: {runs} attempts, caller saw {error!r}")
            notes.append(f"{what}: {runs} attempt, failed the caller in {elapsed:.1f} s: {error!r}")

        # An invalid request can only come from a caller that skips the generated
        # client's check (another language, the raw SDK): refused before user code.
        invalid = team.payment_request(key("ok"))
        invalid.amount.currency = "eur"
        raw = orders.create_nexus_client(team.RawPaymentService, endpoint)
        before = attempts_so_far()
        started = time.monotonic()
        handle = await raw.start_operation(
            team.RawPaymentService.process_payment,
            invalid,
            id=str(uuid.uuid4()),
            schedule_to_close_timeout=timedelta(seconds=60),
        )
        try:
            await handle.result()
            error = "completed"
        except NexusOperationFailureError as err:
            error = team.failure_chain(err)
        elapsed = time.monotonic() - started
        attempts = attempts_so_far() - before
        runs = runs_per_key(payments_worker.records(), [invalid.order_id])[invalid.order_id]
        if "HandlerError(BAD_REQUEST, retryable=False)" not in error or attempts != 1 or runs:
            problems.append(f"invalid request: {attempts} attempts, {runs} runs, {error!r}")
        notes.append(
            f"request breaking buf.validate rules (raw caller): {attempts} attempt, user code "
            f"never ran, failed in {elapsed:.1f} s: {error!r}"
        )

        # A second refund of a completed transaction: the contract's REJECT_DUPLICATE.
        refund = team.Op("refund", key("rf"))
        [first] = await results(await start_batches(orders, endpoint, [refund]), 60)
        before = attempts_so_far()
        started = time.monotonic()
        [second] = await results(await start_batches(orders, endpoint, [refund]), 60)
        elapsed = time.monotonic() - started
        attempts = attempts_so_far() - before
        if (
            first.error
            or "HandlerError(INTERNAL, retryable=False)" not in second.error
            or attempts != 1
        ):
            problems.append(f"duplicate refund: {attempts} attempts, caller saw {second.error!r}")
        notes.append(
            f"second refund of a completed transaction (REJECT_DUPLICATE): {attempts} attempt, "
            f"refused in {elapsed:.1f} s: {second.error!r}"
        )
        fail_if(problems, "failing handler code")
        return Row(
            "7. failing handler code",
            6,
            6,
            0,
            0,
            "handlers raising a plain exception, a non-retryable HandlerError, an "
            "OperationError, returning a response that breaks the contract; a raw caller "
            "sending an invalid request; a refund the contract refuses",
            notes,
        )

    return await with_cluster(workdir, body)


# --- 8. hostile payloads --------------------------------------------------------------

DEEP_JSON = 20_000
DEEP_BINARY = 500


def hostile_payloads() -> dict[str, Payload]:
    valid = team.payment_request("hostile").SerializeToString()
    process = b"payments.v1.ProcessPaymentRequest"
    deep_json = (
        b'{"orderId": "x", "amount": '
        + b'{"currency": ' * DEEP_JSON
        + b'"EUR"'
        + b"}" * DEEP_JSON
        + b"}"
    )
    # Field 15 as a group holding itself: an unknown field nested past the limit.
    start_group, end_group = bytes([(15 << 3) | 3]), bytes([(15 << 3) | 4])
    deep_binary = start_group * DEEP_BINARY + end_group * DEEP_BINARY
    return {
        "wrong message type": Payload(
            metadata={
                "encoding": b"json/protobuf",
                "messageType": b"payments.v1.RefundPaymentRequest",
            },
            data=b'{"transactionId": "tx-1"}',
        ),
        "plain JSON": Payload(metadata={"encoding": b"json/plain"}, data=b'{"orderId": "o-1"}'),
        "no payload (binary/null)": Payload(metadata={"encoding": b"binary/null"}),
        "truncated binary protobuf": Payload(
            metadata={"encoding": b"binary/protobuf", "messageType": process}, data=valid[:-5]
        ),
        "malformed JSON protobuf": Payload(
            metadata={"encoding": b"json/protobuf", "messageType": process},
            data=b'{"orderId": ',
        ),
        "unknown encoding": Payload(metadata={"encoding": b"binary/zstd"}, data=valid),
        f"JSON nested {DEEP_JSON} deep": Payload(
            metadata={"encoding": b"json/protobuf", "messageType": process}, data=deep_json
        ),
        f"binary protobuf nested {DEEP_BINARY} deep": Payload(
            metadata={"encoding": b"binary/protobuf", "messageType": process}, data=deep_binary
        ),
    }


async def hostile(workdir: Path, size: Size) -> Row:
    """Payloads no generated caller sends, straight to the generated handler."""

    async def body(cluster: Cluster) -> Row:
        payments_worker, _, endpoint = await standard_cluster(cluster)
        orders = await cluster.client("orders")
        raw = orders.create_nexus_client("payments.v1.PaymentService", endpoint)
        valid = PaymentServiceStandaloneClient(orders, endpoint=endpoint)
        pid = payments_worker.pid
        problems: list[str] = []
        notes: list[str] = []
        completed = 0

        payloads = hostile_payloads()
        for what, payload in payloads.items():
            started = time.monotonic()
            handle = await raw.start_operation(
                "ProcessPayment",
                RawValue(payload),
                id=str(uuid.uuid4()),
                schedule_to_close_timeout=timedelta(seconds=60),
            )
            try:
                await asyncio.wait_for(handle.result(), 30)
                error = "completed"
            except NexusOperationFailureError as err:
                error = team.failure_chain(err)
            except asyncio.TimeoutError:
                error = "no answer within 30 s"
            elapsed = time.monotonic() - started
            # The server's count: the SDK refuses an undecodable payload before any
            # interceptor sees it, so the handler's journal cannot.
            attempts = (await handle.describe()).attempt
            follow_up = await valid.process_payment(team.payment_request(key("ok")))
            if (
                "HandlerError(BAD_REQUEST, retryable=False)" not in error
                or attempts != 1
                or not follow_up.transaction_id
            ):
                problems.append(f"{what}: {attempts} attempts, {error!r}")
            else:
                completed += 1
            cause = error.split(" > ")[-1]
            notes.append(
                f"{what}: {attempts} attempt, BAD_REQUEST (non-retryable) in "
                f"{elapsed:.2f} s; innermost cause {cause!r}"
            )

        # Over the server's payload size limit: refused by the server itself.
        oversized = team.payment_request("x" * (3 * 1024 * 1024))
        try:
            await valid.start_process_payment(oversized)
            problems.append("a 3 MiB request was accepted")
        except RPCError as err:
            completed += 1
            notes.append(
                f"3 MiB request: refused by the server at start, nothing reached the handler "
                f"({err.status.name if err.status else ''}: {err.message})"
            )
        if any(
            r["e"] == "run" and not r["key"].startswith("ok-") for r in payments_worker.records()
        ):
            problems.append("user code ran for a hostile payload")
        if payments_worker.pid != pid or payments_worker.kills:
            problems.append("the payments worker was replaced")
        fail_if(problems, "hostile payloads")
        return Row(
            "8. hostile payloads",
            len(payloads) + 1,
            completed,
            0,
            0,
            "payloads no generated caller sends, from a raw client straight to the generated "
            "handler, each followed by a valid request to the same worker process",
            [*notes, "user code never ran for them; one worker process served every request"],
        )

    return await with_cluster(workdir, body)


# --- 9. handler worker killed during asynchronous updates ------------------------------


async def handler_killed_async_updates(workdir: Path, size: Size) -> Row:
    """Asynchronous updates (`workflow_update.asynchronous`) of the long-running fixture
    contract, half from caller workflows and half from application code, each running
    `update_seconds` in its ledger workflow, while the worker serving both the handler
    and the ledger workflows is killed twice and restarted."""
    from support.ledgers import LedgerCaller, LedgerWorkflow
    from support.long_running import longrunning_nexus, longrunning_pb2

    async def body(cluster: Cluster) -> Row:
        endpoint = await cluster.endpoint("ledgers", "ledgers")
        ledgers = await cluster.worker("ledgers", "ledgers")
        await cluster.worker("orders", "orders")
        orders = await cluster.client("orders")
        standalone = longrunning_nexus.LedgerServiceStandaloneClient(orders, endpoint)
        ids = [key("ledger") for _ in range(size.update_ops)]
        requests = {
            ledger_id: longrunning_pb2.ApplyRequest(
                ledger_id=ledger_id, seconds=size.update_seconds, entry=f"entry-{ledger_id}"
            )
            for ledger_id in ids
        }
        from_workflows, from_app = ids[: len(ids) // 2], ids[len(ids) // 2 :]
        callers = [
            await orders.start_workflow(
                LedgerCaller.run,
                args=[endpoint, "apply", requests[ledger_id]],
                id=key("ledger-caller"),
                task_queue="orders",
                execution_timeout=timedelta(minutes=10),
            )
            for ledger_id in from_workflows
        ]
        handles = [await standalone.start_apply(requests[i]) for i in from_app]
        progress(f"{len(ids)} asynchronous updates started")

        await until(lambda: _started_updates(ledgers, ids), "every update's start", timeout=120)
        kills = 0
        for pause in (size.update_seconds / 3, size.update_seconds / 3):
            await asyncio.sleep(pause)
            ledgers.kill()
            kills += 1
            await asyncio.sleep(2)
            await ledgers.start()
            progress("ledgers worker killed while the updates run, restarted")

        deadline = size.update_seconds + 180
        outcomes: dict[str, Any] = {}

        async def settle(ledger_id: str, waiting: Awaitable[Any]) -> None:
            try:
                outcomes[ledger_id] = await asyncio.wait_for(waiting, timeout=deadline)
            except Exception as error:  # noqa: BLE001 - each failure is counted as lost
                outcomes[ledger_id] = error

        await asyncio.gather(
            *(
                settle(i, handle.result())
                for i, handle in zip(from_workflows, callers, strict=True)
            ),
            *(settle(i, handle.result()) for i, handle in zip(from_app, handles, strict=True)),
        )
        lost = [
            f"{ledger_id}: {outcome!r}"
            for ledger_id, outcome in outcomes.items()
            if not isinstance(outcome, longrunning_pb2.Ledger)
            or list(outcome.entries) != [requests[ledger_id].entry]
        ]
        payments = await cluster.client("payments")
        applied = {
            ledger_id: await payments.get_workflow_handle(f"ledger-{ledger_id}").query(
                LedgerWorkflow.entries
            )
            for ledger_id in ids
        }
        duplicated = [f"{i}: applied {len(e)} times" for i, e in applied.items() if len(e) > 1]
        fail_if(lost + duplicated, "handler worker killed during asynchronous updates")
        starts = count_by(ledgers.records(), "apply-start", "ledger")
        retried = sum(1 for n in starts.values() if n > 1)
        return Row(
            "9. handler worker killed during asynchronous updates",
            len(ids),
            len(ids) - len(lost),
            len(lost),
            len(duplicated),
            f"{kills} SIGKILLs of the worker serving the handler and the ledger workflows "
            f"while {len(ids)} updates of {size.update_seconds} s ran, {kills} restarts",
            [
                f"{len(from_workflows)} from caller workflows, {len(handles)} from application "
                "code; each answered once the workflow accepted it and completed by "
                "Temporal's callback when the update finished",
                f"{sum(starts.values())} start attempts for {len(ids)} operations ({retried} "
                "retried); every ledger holds its entry exactly once",
            ],
        )

    return await with_cluster(workdir, body)


async def _started_updates(process: WorkerProcess, ids: Sequence[str]) -> bool | None:
    started = count_by(process.records(), "apply-start", "ledger")
    return True if all(ledger_id in started for ledger_id in ids) else None


SCENARIOS: dict[str, Callable[[Path, Size], Awaitable[Row]]] = {
    "handler-killed-workflow-run": handler_killed_workflow_run,
    "handler-killed-sync": handler_killed_sync,
    "caller-killed": caller_killed,
    "server-restarted": server_restarted,
    "load": load,
    "cancellation": cancellation,
    "failing-handlers": failing_handlers,
    "hostile-payloads": hostile,
    "handler-killed-async-updates": handler_killed_async_updates,
}
