"""The reliability scenarios: real faults against the generated code, and what they lose.

Each scenario is an async function taking a working directory and a `Size`, and
returning a `Row` of the report. It starts its own dev server (on a SQLite file)
and its worker processes (`cluster.py`), injects its faults with SIGKILL by pid,
and stops everything it started before returning. A broken promise (a lost or
duplicated operation, a failed caller workflow, a retry storm) raises
`ScenarioError` with what was seen; `make reliability` (run.py) and the reduced
runs in `make test` (tests/test_reliability.py) call the same functions.

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
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceStandaloneClient
from temporalio import common, workflow
from temporalio.client import (
    Client,
    NexusOperationFailureError,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.converter import DataConverter

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


FULL = Size("full", 200, 200, 120, 120, 1000, 3, 6, 8.0)
REDUCED = Size("reduced", 24, 24, 20, 20, 100, 1, 3, 5.0)


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


async def until(
    probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60.0
) -> T:
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


def expect_all(
    outcomes: Sequence[team.Outcome], ops: Sequence[team.Op]
) -> tuple[int, list[str]]:
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


def fail_if(problems: Sequence[str], scenario: str) -> None:
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""  # noqa: PLR2004
        raise ScenarioError(f"{scenario}: {shown}{more}")


async def with_cluster(workdir: Path, body: Callable[[Cluster], Awaitable[Row]]) -> Row:
    cluster = await Cluster.start(workdir)
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
        handles = []
        points: dict[str, int] = {}

        def new_ops(count: int) -> list[team.Op]:
            made = [
                team.Op("refund", key("rf"), f"wait={rng.uniform(0.5, 4):.2f}")
                for _ in range(count)
            ]
            ops.extend(made)
            return made

        per_kill = max(size.workflow_run_ops // (size.kills + 1), 1)
        handles += await start_batches(orders, endpoint, new_ops(per_kill))
        kinds = ["after the start, before the answer", "while workflows run", "before the start"]
        for index in range(size.kills):
            point = kinds[index % len(kinds)]
            points[point] = points.get(point, 0) + 1
            if point == "before the start":
                payments.kill()
                handles += await start_batches(orders, endpoint, new_ops(per_kill))
                await asyncio.sleep(rng.uniform(0.5, 2))
            elif point == "after the start, before the answer":
                await in_flight(
                    payments, "started", HOLD_AFTER_START * 0.6, "a started, unanswered refund"
                )
                payments.kill()
            else:
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                payments.kill()
            await payments.start()
            progress(f"payments worker killed {point}, restarted")
            if point != "before the start":
                handles += await start_batches(orders, endpoint, new_ops(per_kill))
        remaining = size.workflow_run_ops - len(ops)
        if remaining > 0:
            handles += await start_batches(orders, endpoint, new_ops(remaining))

        outcomes = await results(handles, timeout=240)
        progress("every caller workflow ended")
        completed, lost = expect_all(outcomes, ops)
        executions = await refund_executions(
            await cluster.client("payments"), [op.key for op in ops]
        )
        duplicated = duplicated_refunds(executions)
        fail_if(lost + duplicated, "handler killed during workflow-run operations")
        records = payments.records()
        attempts = sum(1 for r in records if r["e"] == "attempt")
        starts_by_key = count_by(records, "started", "key")
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
                f"{attempts} start attempts for {len(ops)} operations; "
                f"{sum(1 for n in starts_by_key.values() if n > 1)} refunds were started "
                "again by a retried start and joined their existing workflow",
                f"{len(handles)} caller workflows, none failed",
            ],
        )

    return await with_cluster(workdir, body)



# --- 2. handler worker killed during sync operations ----------------------------------

SLOW_SECONDS = 1.5


async def handler_killed_sync(workdir: Path, size: Size) -> Row:
    """Payments in flight (some slow) while the payments worker is killed."""
    rng = random.Random(2)

    async def body(cluster: Cluster) -> Row:
        payments, _, endpoint = await standard_cluster(
            cluster, {team.SLOW_ENV: str(SLOW_SECONDS)}
        )
        orders = await cluster.client("orders")
        ops: list[team.Op] = []
        handles = []
        points: dict[str, int] = {}

        def new_ops(count: int) -> list[team.Op]:
            made = [
                team.Op("pay", key("slow" if rng.random() < 0.7 else "ok"))  # noqa: PLR2004
                for _ in range(count)
            ]
            ops.extend(made)
            return made

        per_kill = max(size.sync_ops // (size.kills + 1), 1)
        handles += await start_batches(orders, endpoint, new_ops(per_kill))
        kinds = ["while handlers run", "before the start"]
        for index in range(size.kills):
            point = kinds[index % len(kinds)]
            points[point] = points.get(point, 0) + 1
            if point == "before the start":
                payments.kill()
                handles += await start_batches(orders, endpoint, new_ops(per_kill))
                await asyncio.sleep(rng.uniform(0.5, 2))
            else:
                await in_flight(payments, "run", SLOW_SECONDS * 0.6, "a payment being handled")
                payments.kill()
            await payments.start()
            progress(f"payments worker killed {point}, restarted")
            if point != "before the start":
                handles += await start_batches(orders, endpoint, new_ops(per_kill))
        remaining = size.sync_ops - len(ops)
        if remaining > 0:
            handles += await start_batches(orders, endpoint, new_ops(remaining))

        outcomes = await results(handles, timeout=240)
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
                f"{len(handles)} caller workflows, none failed",
            ],
            {"rerun": rerun},
        )

    return await with_cluster(workdir, body)


# --- 3. caller worker killed ----------------------------------------------------------


async def caller_killed(workdir: Path, size: Size) -> Row:
    """Caller workflows waiting on outstanding operations while the orders worker dies."""
    rng = random.Random(3)

    async def body(cluster: Cluster) -> Row:
        payments, orders_worker, endpoint = await standard_cluster(
            cluster, {team.SLOW_ENV: "2"}
        )
        orders = await cluster.client("orders")
        ops = [
            team.Op("refund", key("rf"), f"wait={rng.uniform(2, 5):.2f}")
            if index % 2
            else team.Op("pay", key("slow"))
            for index in range(size.caller_ops)
        ]
        handles = await start_batches(orders, endpoint, ops)
        kills = max(size.kills // 2, 1)
        for _ in range(kills):
            # Wait until operations are outstanding (started, not all answered).
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
            f"{orders_worker.kills} SIGKILLs of the orders worker while its "
            f"{len(handles)} workflows waited on {len(ops)} outstanding operations, "
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
        payments, orders_worker, endpoint = await standard_cluster(
            cluster, {team.SLOW_ENV: "2"}
        )
        orders = await cluster.client("orders")
        ops = [
            team.Op("refund", key("rf"), f"wait={rng.uniform(1, 4):.2f}")
            if index % 2
            else team.Op("pay", key("slow" if index % 4 else "ok"))
            for index in range(size.server_ops)
        ]
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


SCENARIOS: dict[str, Callable[[Path, Size], Awaitable[Row]]] = {
    "handler-killed-workflow-run": handler_killed_workflow_run,
    "handler-killed-sync": handler_killed_sync,
    "caller-killed": caller_killed,
    "server-restarted": server_restarted,
}
