"""One team's process, built from one version of the stock contract.

    team.py serve TREE --address A --namespace NS --task-queue TQ [--plain-converter]
    team.py call TREE --address A --namespace NS --endpoint EP [--plain-converter]

TREE is a module tree generated from tests/e2e/evolution/v1, v2 or a breaking
variant; every version has the same module names (`stock.v1.stock_nexus`), so
each lives in a process of its own, as teams deployed at different times do.

`serve` runs the handlers of every service the tree holds, implemented for
whichever version it is (v2 renamed `reserve` to `hold`, for one), and prints
"ready" once the worker polls. `call` makes every call its version's callers
can make with the generated standalone clients and prints one JSON record per
call (support/outcomes.py), Reserve made from a workflow too. Both use `nexusproto.converter` unless told to use
the SDK's default converter, to show what it changes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import importlib
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import nexusproto.converter
import nexusrpc
import nexusproto.process
from temporalio import workflow
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support

from support.outcomes import CallResult, describe_failure, describe_result  # noqa: E402


def _contract(tree: str) -> tuple[Any, Any]:
    sys.path.insert(0, tree)
    return (
        importlib.import_module("stock.v1.stock_nexus"),
        importlib.import_module("stock.v1.stock_pb2"),
    )


def _has_field(message_class: Any, name: str) -> bool:
    return name in message_class.DESCRIPTOR.fields_by_name


async def _connect(options: argparse.Namespace) -> Client:
    converter = (
        DataConverter.default if options.plain_converter else nexusproto.converter.data_converter
    )
    return await Client.connect(
        options.address, namespace=options.namespace, data_converter=converter
    )


# The handlers. Each version's contract names some operations differently and
# has some the others lack; one implementation per wire operation serves them all.


def _implementations(nexus: Any, pb2: Any) -> dict[str, Callable[..., Awaitable[Any]]]:
    # A breaking variant changes Price's output to another message both sides know.
    price_type = (
        nexusrpc.get_service_definition(nexus.StockService)
        .operation_definitions["Price"]
        .output_type
    )

    async def reserve(self: Any, ctx: Any, request: Any) -> Any:
        reservation = f"{request.sku}x{request.quantity}"
        if _has_field(pb2.ReserveRequest, "note") and request.note:
            reservation += f" ({request.note})"
        response = pb2.ReserveResponse(reservation_id=reservation)
        if _has_field(pb2.ReserveResponse, "warehouse"):
            response.warehouse = "north"
        return response

    async def count(self: Any, ctx: Any, *request: Any) -> Any:
        return pb2.CountResponse(items=3)

    async def audit(self: Any, ctx: Any, request: Any) -> None:
        return None

    async def quote(self: Any, ctx: Any, request: Any) -> Any:
        return pb2.QuoteResponse(price_minor=250)

    async def price(self: Any, ctx: Any, request: Any) -> Any:
        return price_type()

    async def release(self: Any, ctx: Any, request: Any) -> None:
        return None

    async def record(self: Any, ctx: Any, request: Any) -> Any:
        return pb2.RecordResponse(entries=1)

    async def locate(self: Any, ctx: Any, request: Any) -> Any:
        return pb2.LocateResponse(warehouse="north")

    return {
        "reserve": reserve,
        "hold": reserve,
        "count": count,
        "audit": audit,
        "quote": quote,
        "price": price,
        "release": release,
        "record": record,
        "locate": locate,
    }


def _handlers(nexus: Any, pb2: Any) -> list[Any]:
    """An instance of a subclass of every generated handler base in the module."""
    implementations = _implementations(nexus, pb2)
    handlers = []
    for name, base in vars(nexus).items():
        if not (name.endswith("ServiceHandler") and isinstance(base, type)):
            continue
        needed = {method: implementations[method] for method in base.__abstractmethods__}
        handlers.append(type(name.removesuffix("Handler"), (base,), needed)())
    return handlers


_served_pb2: Any = None
"""The served version's messages, for the workflow (run unsandboxed)."""


@workflow.defn(name="RestockWorkflow")
class RestockWorkflow:
    @workflow.run
    async def run(self, request: Any) -> Any:
        # The breaking variants change Restock's output to RestockResult.
        output = getattr(_served_pb2, "RestockResult", None) or _served_pb2.RestockResponse
        return output(sku=request.sku, on_hand=request.quantity + 10)


async def serve(options: argparse.Namespace) -> None:
    global _served_pb2
    nexus, _served_pb2 = _contract(options.tree)
    client = await _connect(options)
    worker = Worker(
        client,
        task_queue=options.task_queue,
        nexus_service_handlers=_handlers(nexus, _served_pb2),
        workflows=[RestockWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    async with worker:
        print("ready", flush=True)
        await asyncio.Event().wait()


# The callers: every call a version's generated standalone clients can make, and
# Reserve from a workflow through the generated workflow client.


def _reserve(client_class: type) -> str:
    return "hold" if hasattr(client_class, "hold") else "reserve"


def _reserve_request(pb2: Any) -> Any:
    request = pb2.ReserveRequest(sku="apple", quantity=2)
    if _has_field(pb2.ReserveRequest, "note"):
        request.note = "fragile"
    return request


def _calls(nexus: Any, pb2: Any) -> dict[str, tuple[str, str, Any]]:
    """call name -> (client class, method, the request (None: takes none))."""
    reserve = _reserve(nexus.StockServiceStandaloneClient)
    return {
        "Reserve": ("StockServiceStandaloneClient", reserve, _reserve_request(pb2)),
        "Reserve nothing": (
            "StockServiceStandaloneClient",
            reserve,
            pb2.ReserveRequest(sku="apple", quantity=0),
        ),
        "Restock": (
            "StockServiceStandaloneClient",
            "restock",
            pb2.RestockRequest(sku=f"pear-{uuid.uuid4().hex[:8]}", quantity=5),
        ),
        "Count": ("StockServiceStandaloneClient", "count", None),
        "Audit": ("StockServiceStandaloneClient", "audit", pb2.AuditRequest(note="weekly")),
        "Quote": ("StockServiceStandaloneClient", "quote", pb2.QuoteRequest(sku="apple")),
        "Price": ("StockServiceStandaloneClient", "price", pb2.QuoteRequest(sku="apple")),
        "Record": ("LedgerServiceStandaloneClient", "record", pb2.RecordRequest(entry="in")),
    }


_calling: tuple[Any, Any] = (None, None)
"""The caller's version's modules, for the workflow (run unsandboxed)."""


@workflow.defn(name="ReserveFromWorkflow")
class ReserveFromWorkflow:
    @workflow.run
    async def run(self, endpoint: str) -> Any:
        nexus, pb2 = _calling
        client = nexus.StockServiceNexusClient(endpoint)
        return await getattr(client, _reserve(type(client)))(_reserve_request(pb2))


async def _from_workflow(client: Client, endpoint: str) -> Any:
    task_queue = f"evolution-caller-{uuid.uuid4().hex[:12]}"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ReserveFromWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        return await client.execute_workflow(
            ReserveFromWorkflow.run,
            endpoint,
            id=task_queue,
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )


async def call(options: argparse.Namespace) -> None:
    global _calling
    nexus, pb2 = _calling = _contract(options.tree)
    client = await _connect(options)
    # One endpoint reaches every service of the handler team's worker.
    calls: dict[str, Callable[[], Awaitable[Any]]] = {}
    for name, (client_class, method, request) in _calls(nexus, pb2).items():
        bound = getattr(getattr(nexus, client_class)(client, options.endpoint), method)
        calls[name] = functools.partial(bound, *(() if request is None else (request,)))
    if not options.plain_converter:
        # Without the converter an unknown field fails the workflow task, which is
        # retried until the workflow times out: not a call to wait for here.
        calls["Reserve from a workflow"] = functools.partial(
            _from_workflow, client, options.endpoint
        )
    for name, make_call in calls.items():
        outcome = CallResult(name)
        try:
            value = await asyncio.wait_for(make_call(), timeout=40)
        except Exception as error:  # noqa: BLE001 - the record is the point
            describe_failure(outcome, error)
        else:
            describe_result(outcome, value)
        print(json.dumps(dataclasses.asdict(outcome)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("serve", "call"):
        sub = commands.add_parser(command)
        sub.add_argument("tree")
        sub.add_argument("--address", required=True)
        sub.add_argument("--namespace", required=True)
        sub.add_argument("--plain-converter", action="store_true")
        if command == "serve":
            sub.add_argument("--task-queue", required=True)
        else:
            sub.add_argument("--endpoint", required=True)
    options = parser.parse_args()
    nexusproto.process.run(serve(options) if options.command == "serve" else call(options))


if __name__ == "__main__":
    main()
