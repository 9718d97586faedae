"""Operations that outlive a request, from the contract, on the session's dev server.

The fixture contract tests/fixtures/proto/longrunning declares `Apply` and `Close`
as asynchronous updates of a `LedgerWorkflow` (`workflow_update.asynchronous`),
`Read` as a synchronous one, and `Export` and `Compact` as activity-backed
operations. The payments team serves it with a subclass of the generated
`LedgerServiceHandler` that overrides nothing but counts `Apply` starts
(`support.ledgers`); the orders team calls it from a workflow
(`LedgerServiceNexusClient`) and from application code
(`LedgerServiceStandaloneClient`). A Nexus request lasts about
10 s on the server; the update and the activity here take longer.

This module is imported again inside the workflow sandbox: no import-time side
effects beyond what `support.long_running` (passed through) does once.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import pytest
    from support.ledgers import LedgerCaller, Ledgers, LedgerWorkflow
    from support.long_running import longrunning_nexus, longrunning_pb2
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import Client, NexusOperationFailureError
    from temporalio.exceptions import ApplicationError, CancelledError
    from temporalio.worker import Worker

UPDATE_SECONDS = 30
"""Three times the server's Nexus request deadline."""
ACTIVITY_SECONDS = 12
MAINTENANCE_QUEUE = "ledger-maintenance"
TEST_TIMEOUT = 150


# --- the payments team: the ledger workflow, the activities, the handler ---------------


@dataclass
class Activities:
    """The activities, recording what they saw."""

    cancelled: list[str]
    compacted: list[int]

    @activity.defn(name="ExportLedger")
    async def export_ledger(
        self, request: longrunning_pb2.ExportRequest
    ) -> longrunning_pb2.ExportResult:
        attempt = activity.info().attempt
        if attempt <= request.failures:
            raise ApplicationError(f"disk busy on attempt {attempt}")
        deadline = time.monotonic() + request.seconds
        try:
            while time.monotonic() < deadline:
                activity.heartbeat()
                await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            self.cancelled.append(request.ledger_id)
            raise
        return longrunning_pb2.ExportResult(
            location=f"exports/{request.ledger_id}", attempt=attempt
        )

    @activity.defn(name="CompactLedgers")
    async def compact_ledgers(self) -> None:
        self.compacted.append(1)


# --- the test's two teams ----------------------------------------------------------


@dataclass
class Teams:
    server: DevServer
    payments: Client
    orders: Client
    endpoint: str
    payments_queue: str
    orders_queue: str
    apply_starts: collections.Counter[str]
    activities: Activities

    def standalone(self) -> Any:
        return longrunning_nexus.LedgerServiceStandaloneClient(self.orders, self.endpoint)

    async def call_from_workflow(self, operation: str, request: Any) -> Any:
        return await self.orders.execute_workflow(
            LedgerCaller.run,
            args=[self.endpoint, operation, request],
            id=unique_name(f"ledger-caller-{operation}"),
            task_queue=self.orders_queue,
            execution_timeout=timedelta(seconds=TEST_TIMEOUT),
        )


@asynccontextmanager
async def teams(server: DevServer) -> AsyncIterator[Teams]:
    payments = await connect(server, "payments")
    orders = await connect(server, "orders")
    payments_queue = unique_task_queue("ledgers")
    orders_queue = unique_task_queue("ledger-callers")
    endpoint = await create_nexus_endpoint(
        orders, target_namespace="payments", task_queue=payments_queue
    )
    apply_starts: collections.Counter[str] = collections.Counter()
    handler = Ledgers(lambda ledger_id: apply_starts.update([ledger_id]))
    activities = Activities([], [])
    async with (
        Worker(
            payments,
            task_queue=payments_queue,
            workflows=[LedgerWorkflow],
            activities=[activities.export_ledger],
            nexus_service_handlers=[handler],
        ),
        Worker(payments, task_queue=MAINTENANCE_QUEUE, activities=[activities.compact_ledgers]),
        Worker(orders, task_queue=orders_queue, workflows=[LedgerCaller]),
    ):
        yield Teams(
            server,
            payments,
            orders,
            endpoint.spec.name,
            payments_queue,
            orders_queue,
            apply_starts,
            activities,
        )


def run(server: DevServer, scenario: Callable[[Teams], Awaitable[None]]) -> None:
    async def body() -> None:
        async with teams(server) as t:
            await scenario(t)

    asyncio.run(asyncio.wait_for(body(), timeout=TEST_TIMEOUT))


def _apply(ledger_id: str, entry: str, seconds: int = UPDATE_SECONDS) -> Any:
    return longrunning_pb2.ApplyRequest(ledger_id=ledger_id, seconds=seconds, entry=entry)


# --- asynchronous updates --------------------------------------------------------------


def test_a_30_second_update_completes_once_from_a_workflow_and_from_application_code(
    dev_server: DevServer,
) -> None:
    from_workflow, from_app = unique_name("wf"), unique_name("app")

    async def scenario(t: Teams) -> None:
        started = time.monotonic()
        by_workflow, by_app = await asyncio.gather(
            t.call_from_workflow("apply", _apply(from_workflow, "paid")),
            t.standalone().apply(_apply(from_app, "refunded")),
        )
        elapsed = time.monotonic() - started
        assert elapsed >= UPDATE_SECONDS, elapsed
        assert list(by_workflow.entries) == ["paid"]
        assert list(by_app.entries) == ["refunded"]
        # One start each, and the update applied once.
        assert t.apply_starts == {from_workflow: 1, from_app: 1}
        for ledger_id, entry in ((from_workflow, "paid"), (from_app, "refunded")):
            handle = t.payments.get_workflow_handle(f"ledger-{ledger_id}")
            assert await handle.query(LedgerWorkflow.entries) == [entry]

    run(dev_server, scenario)


def test_the_caller_workflow_sees_a_started_operation_then_its_completion(
    dev_server: DevServer,
) -> None:
    ledger_id = unique_name("events")

    async def scenario(t: Teams) -> None:
        handle = await t.orders.start_workflow(
            LedgerCaller.run,
            args=[t.endpoint, "apply", _apply(ledger_id, "one", seconds=12)],
            id=unique_name("ledger-caller-events"),
            task_queue=t.orders_queue,
            execution_timeout=timedelta(seconds=TEST_TIMEOUT),
        )
        result = await handle.result()
        assert list(result.entries) == ["one"]
        kinds = [event.event_type for event in (await handle.fetch_history()).events]
        nexus = [
            kind
            for kind in kinds
            if kind
            in (
                EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
                EventType.EVENT_TYPE_NEXUS_OPERATION_STARTED,
                EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
                EventType.EVENT_TYPE_NEXUS_OPERATION_FAILED,
            )
        ]
        assert nexus == [
            EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
            EventType.EVENT_TYPE_NEXUS_OPERATION_STARTED,
            EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
        ]

    run(dev_server, scenario)


def test_a_synchronous_and_an_empty_asynchronous_update_of_the_same_workflow(
    dev_server: DevServer,
) -> None:
    """`Read` (the synchronous binding) answers within the request; `Close` (asynchronous,
    Empty both ways, no start) reaches a ledger that runs and ends it."""

    async def scenario(t: Teams) -> None:
        ledger = await t.payments.start_workflow(
            LedgerWorkflow.run,
            _apply("main", ""),
            id="ledger-main",
            task_queue=t.payments_queue,
        )
        client = t.standalone()
        read = await client.read(_apply("main", "", seconds=0))
        assert read.ledger_id == "main"
        assert await client.close() is None
        final = await ledger.result()
        assert final.ledger_id == "main"

    run(dev_server, scenario)


def test_cancelling_an_asynchronous_update(dev_server: DevServer) -> None:
    """Temporal cannot cancel an accepted update: the SDK refuses the handler's cancel,
    and the operation still completes with the update's result."""
    ledger_id = unique_name("cancel-update")

    async def scenario(t: Teams) -> None:
        handle = await t.standalone().start_apply(_apply(ledger_id, "kept", seconds=8))
        await handle.cancel()
        result = await handle.result()
        assert list(result.entries) == ["kept"]

    run(dev_server, scenario)


# --- activity-backed operations --------------------------------------------------------


def test_an_activity_longer_than_the_request_deadline_completes(dev_server: DevServer) -> None:
    from_workflow, from_app = unique_name("export-wf"), unique_name("export-app")

    async def scenario(t: Teams) -> None:
        started = time.monotonic()
        by_workflow, by_app = await asyncio.gather(
            t.call_from_workflow(
                "export",
                longrunning_pb2.ExportRequest(
                    ledger_id=from_workflow, seconds=ACTIVITY_SECONDS, failures=1
                ),
            ),
            t.standalone().export(
                longrunning_pb2.ExportRequest(
                    ledger_id=from_app, seconds=ACTIVITY_SECONDS, failures=1
                )
            ),
        )
        assert time.monotonic() - started >= ACTIVITY_SECONDS
        # The contract's retry policy retried the failed first attempt.
        assert by_workflow == longrunning_pb2.ExportResult(
            location=f"exports/{from_workflow}", attempt=2
        )
        assert by_app == longrunning_pb2.ExportResult(location=f"exports/{from_app}", attempt=2)
        # Empty both ways, on the contract's other task queue.
        assert await t.standalone().compact() is None
        assert t.activities.compacted == [1]

    run(dev_server, scenario)


def test_cancelling_an_activity_backed_operation(dev_server: DevServer) -> None:
    ledger_id = unique_name("cancel-export")

    async def scenario(t: Teams) -> None:
        handle = await t.standalone().start_export(
            longrunning_pb2.ExportRequest(ledger_id=ledger_id, seconds=60)
        )
        await asyncio.sleep(2)
        await handle.cancel()
        with pytest.raises(NexusOperationFailureError) as failure:
            await handle.result()
        assert isinstance(failure.value.cause, CancelledError), failure.value.cause
        assert t.activities.cancelled == [ledger_id]

    run(dev_server, scenario)


# --- what nexusproto describe shows -----------------------------------------------------


def test_describe_shows_the_new_kinds() -> None:
    import io
    import json

    from nexusproto.cli import main
    from support.long_running import OUT

    overview = io.StringIO()
    assert main(["describe", "--contracts", str(OUT)], stdout=overview) == 0
    lines = {line.split()[0]: line.split()[1] for line in overview.getvalue().splitlines()[1:6]}
    assert lines == {
        "Apply": "async/update",
        "Close": "async/update",
        "Read": "sync/update",
        "Export": "activity",
        "Compact": "activity",
    }
    detail = io.StringIO()
    name = "longrunning.v1.LedgerService/Export"
    assert main(["describe", "--contracts", str(OUT), name, "--format", "json"], stdout=detail) == 0
    (operation,) = json.loads(detail.getvalue())["services"][0]["operations"]
    assert operation["kind"] == "activity"
    assert operation["activity"] == {
        "activityType": "ExportLedger",
        "idTemplate": "export-{ledger_id}",
        "taskQueue": None,
    }


# --- the generated test double ----------------------------------------------------------


def test_the_generated_fake_answers_or_starts_what_backs_the_operation() -> None:
    """In `nexusproto.testing.environment`, `LedgerServiceFake` answers `Apply` as told
    (at once, no workflow) and, given nothing, starts the activity behind `Export`."""
    from longrunning.v1.longrunning_nexus_testing import LedgerServiceFake
    from nexusproto import testing

    answer = longrunning_pb2.Ledger(ledger_id="faked", entries=["from the fake"])
    request = _apply("faked", "ignored", seconds=0)

    async def body() -> None:
        fake = LedgerServiceFake(apply=answer)
        activities = Activities([], [])
        async with testing.environment(
            handlers={"ledgers": fake}, activities=[activities.export_ledger]
        ) as env:
            client = longrunning_nexus.LedgerServiceStandaloneClient(env.client)
            assert await client.apply(request) == answer
            exported = await client.export(
                longrunning_pb2.ExportRequest(ledger_id="faked", seconds=1)
            )
        assert fake.calls["apply"] == [request]
        assert exported == longrunning_pb2.ExportResult(location="exports/faked", attempt=1)

    asyncio.run(asyncio.wait_for(body(), timeout=TEST_TIMEOUT))
