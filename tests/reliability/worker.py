"""One worker process of the reliability scenarios; the scenarios kill and restart it.

    python worker.py ROLE --target HOST:PORT --namespace NS --task-queue TQ [--journal FILE]

ROLE is `payments` (the generated handler and the refund workflow),
`raw-payments` (the hand-written raw-SDK handler and the refund workflow),
`ledgers` (the generated handler of the long-running fixture contract and its
ledger workflow, `support.ledgers`) or `orders` (the caller workflows). The process connects (waiting for the server
while it is down), records `ready` in its journal once its worker polls, and
runs until SIGTERM or SIGINT, which shut the worker down gracefully and exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent, HERE.parents[1] / "gen"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import nexusproto.process  # noqa: E402
import team  # noqa: E402
from support.ledgers import LedgerCaller, Ledgers, LedgerWorkflow  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

CONNECT_DEADLINE_SECONDS = 60.0


async def connect(target: str, namespace: str) -> Client:
    deadline = time.monotonic() + CONNECT_DEADLINE_SECONDS
    while True:
        try:
            return await Client.connect(target, namespace=namespace)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def build_worker(role: str, client: Client, task_queue: str, journal: team.Journal) -> Worker:
    if role == "orders":
        return Worker(
            client, task_queue=task_queue, workflows=[*team.CALLER_WORKFLOWS, LedgerCaller]
        )
    if role == "ledgers":
        ledgers = Ledgers(lambda ledger_id: journal.record("apply-start", ledger=ledger_id))
        return Worker(
            client,
            task_queue=task_queue,
            nexus_service_handlers=[ledgers],
            workflows=[LedgerWorkflow],
        )
    ledger = team.Ledger(journal, os.environ.get(team.JOURNAL_ENV))
    handler: object
    if role == "payments":
        handler = team.Payments(journal, ledger)
    elif role == "raw-payments":
        handler = team.RawPaymentsHandler(journal, ledger)
    else:
        raise SystemExit(f"unknown role {role!r}")
    return Worker(
        client,
        task_queue=task_queue,
        nexus_service_handlers=[handler],
        workflows=team.HANDLER_WORKFLOWS,
        interceptors=[team.StartJournal(journal)],
        # Nexus handlers run on the event loop; room for a burst of them.
        max_concurrent_nexus_tasks=1000,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role")
    parser.add_argument("--target", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--task-queue", required=True)
    args = parser.parse_args()

    journal = team.Journal(os.environ.get(team.JOURNAL_ENV))
    client = await connect(args.target, args.namespace)
    worker = build_worker(args.role, client, args.task_queue, journal)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async with worker:
        journal.record("ready", role=args.role)
        await stop.wait()
    journal.record("stopped", role=args.role)


if __name__ == "__main__":
    nexusproto.process.run(main())
