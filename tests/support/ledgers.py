"""The ledger team of the long-running fixture contract: its workflow, handler and caller.

Shared by tests/e2e/test_long_running.py and the reliability scenario that kills
the handler worker while asynchronous updates run (tests/reliability). The
workflow sandbox imports this module again; the generated contract comes from
`support.long_running`, passed through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from support.long_running import longrunning_nexus, longrunning_pb2
    from temporalio.exceptions import ApplicationError


@workflow.defn(name="LedgerWorkflow")
class LedgerWorkflow:
    """One ledger; an update appends an entry after `seconds` (a durable timer)."""

    @workflow.init
    def __init__(self, request: longrunning_pb2.ApplyRequest) -> None:
        self.ledger = longrunning_pb2.Ledger(ledger_id=request.ledger_id)
        self.closed = False

    @workflow.run
    async def run(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        await workflow.wait_condition(lambda: self.closed)
        return self.ledger

    @workflow.update(name="apply")
    async def apply(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        await asyncio.sleep(request.seconds)
        self.ledger.entries.append(request.entry)
        return self.ledger

    @workflow.update(name="close")
    async def close(self) -> None:
        self.closed = True

    @workflow.update(name="read")
    def read(self, request: longrunning_pb2.ApplyRequest) -> longrunning_pb2.Ledger:
        return self.ledger

    @workflow.query(name="entries")
    def entries(self) -> list[str]:
        return list(self.ledger.entries)


# The generated workflow contract holds: the updates' names and types match.
_: type[longrunning_nexus.LedgerWorkflowContract] = LedgerWorkflow


class Ledgers(longrunning_nexus.LedgerServiceHandler):
    """The generated handler as is; `on_apply` hears of every `Apply` start."""

    def __init__(self, on_apply: Callable[[str], None]) -> None:
        self._on_apply = on_apply

    async def apply(self, ctx: Any, client: Any, request: longrunning_pb2.ApplyRequest) -> Any:
        self._on_apply(request.ledger_id)
        return await super().apply(ctx, client, request)


@workflow.defn
class LedgerCaller:
    """Calls one operation of the contract through the generated workflow caller."""

    @workflow.run
    async def run(self, endpoint: str, operation: str, request: Any) -> Any:
        ledgers = longrunning_nexus.LedgerServiceNexusClient(endpoint=endpoint)
        if operation == "apply":
            return await ledgers.apply(request)
        if operation == "export":
            return await ledgers.export(request)
        raise ApplicationError(f"unknown operation {operation}", non_retryable=True)
