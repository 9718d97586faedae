"""The ledger team: a workflow per ledger, two activities, and the handler of
longrunning.v1.LedgerService, whose operations all have generated bodies."""

from __future__ import annotations

import asyncio

from longrunning.v1 import longrunning_pb2
from longrunning.v1.longrunning_nexus import LedgerServiceHandler, LedgerWorkflowContract
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker


# --8<-- [start:workflow]
@workflow.defn(name="LedgerWorkflow")
class LedgerWorkflow:
    """One ledger. `apply` may take longer than a Nexus request lasts."""

    @workflow.init
    def __init__(self, request: longrunning_pb2.ApplyRequest) -> None:
        # The first update arrives with the start: set the state up here.
        self._ledger = longrunning_pb2.Ledger(ledger_id=request.ledger_id)
        self._closed = False

    @workflow.run
    async def run(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        await workflow.wait_condition(
            lambda: self._closed and workflow.all_handlers_finished()
        )
        return self._ledger

    @workflow.update
    async def apply(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        await asyncio.sleep(request.seconds)  # a durable timer: minutes are fine
        self._ledger.entries.append(request.entry)
        return self._ledger

    @workflow.update
    async def close(self) -> None:
        self._closed = True

    @workflow.update
    def read(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        return self._ledger


# --8<-- [end:workflow]


# --8<-- [start:activities]
@activity.defn(name="ExportLedger")
async def export_ledger(request: longrunning_pb2.ExportRequest) -> longrunning_pb2.ExportResult:
    attempt = activity.info().attempt
    if attempt <= request.failures:
        raise ApplicationError(f"storage busy (attempt {attempt})")  # retried by the policy
    for _ in range(request.seconds):
        activity.heartbeat()  # a cancelled operation is noticed here
        await asyncio.sleep(1)
    return longrunning_pb2.ExportResult(
        location=f"exports/{request.ledger_id}.csv", attempt=attempt
    )


@activity.defn(name="CompactLedgers")
async def compact_ledgers() -> None:
    activity.logger.info("compacting every ledger")


# --8<-- [end:activities]


# --8<-- [start:handler]
_: type[LedgerWorkflowContract] = LedgerWorkflow  # type checkers hold it to the contract


class Ledgers(LedgerServiceHandler):
    """Every operation of LedgerService is bound in the contract: nothing to write."""


def ledger_worker(client: Client, task_queue: str) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        nexus_service_handlers=[Ledgers()],
        workflows=[LedgerWorkflow],
        activities=[export_ledger],
    )


def maintenance_worker(client: Client) -> Worker:
    # Compact's contract names its own task queue for the activity.
    return Worker(client, task_queue="ledger-maintenance", activities=[compact_ledgers])


# --8<-- [end:handler]
