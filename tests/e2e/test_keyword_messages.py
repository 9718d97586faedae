"""Messages named with Python keywords (`message class`, `Outer.None`) work end to end.

The fixture contract tests/fixtures/proto/keywords/v1/keywords.proto is
generated with real protoc, mypy-protobuf and this plugin (test_fixtures.py
diffs, lints and type-checks it under mypy and pyright strict); here a plain
subclass of its handler base serves its sync and workflow-run operations and
its generated workflow client calls them, through a Nexus endpoint on the dev
server, with the keyword-named classes as payloads.

The workflows import the generated module when they run (it is generated into
a temporary directory put on sys.path by the fixture), since the workflow
sandbox imports this module again.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    import pytest
    from support.protoc import REPO, option_include_dir, run_protoc
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )


@pytest.fixture(scope="module")
def keywords_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("keywords")
    result = run_protoc(
        [
            f"-I{REPO / 'tests' / 'fixtures' / 'proto'}",
            f"-I{option_include_dir()}",
            f"--python_out={out}",
            f"--nexus-python_out={out}",
            "keywords/v1/keywords.proto",
        ]
    )
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out))
    from keywords.v1 import keywords_nexus  # type: ignore[import-not-found]

    return keywords_nexus


def _generated() -> Any:
    with workflow.unsafe.imports_passed_through():
        from keywords.v1 import keywords_nexus, keywords_pb2  # type: ignore[import-not-found]
    return keywords_nexus, keywords_pb2


@workflow.defn(name="StoreWorkflow")
class StoreWorkflow:
    """What the generated `store` body starts; answers with the stored `class`."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        _, pb2 = _generated()
        stored = getattr(pb2, "class")(id=f"stored-{request.id}")
        setattr(stored, "def", getattr(request, "def"))
        return stored


@dataclass
class Answers:
    looked_up: str
    stored_id: str
    stored_def: str


@workflow.defn
class CallArchive:
    @workflow.run
    async def run(self, endpoint: str) -> Answers:
        nexus_module, pb2 = _generated()
        archive = nexus_module.ArchiveNexusClient(endpoint=endpoint)
        request = getattr(pb2, "class")(id="c-1")
        setattr(request, "def", "d-7")
        found = await archive.lookup(request)
        stored = await archive.store(request)
        return Answers(found.id, stored.id, getattr(stored, "def"))


def test_keyword_named_messages_round_trip(dev_server: DevServer, keywords_module: Any) -> None:
    pb2 = sys.modules["keywords.v1.keywords_pb2"]

    class Archive(keywords_module.ArchiveHandler):  # type: ignore[misc]
        async def lookup(self, ctx: Any, request: Any) -> Any:
            return getattr(pb2.Outer, "None")(id=f"found-{request.id}")

    async def scenario() -> tuple[Answers, str]:
        payments = await connect(dev_server, "payments")
        orders = await connect(dev_server, "orders")
        handler_queue, caller_queue = unique_task_queue("kw-h"), unique_task_queue("kw-c")
        endpoint = await create_nexus_endpoint(
            orders, target_namespace="payments", task_queue=handler_queue
        )
        async with (
            Worker(
                payments,
                task_queue=handler_queue,
                nexus_service_handlers=[Archive()],
                workflows=[StoreWorkflow],
            ),
            Worker(orders, task_queue=caller_queue, workflows=[CallArchive]),
        ):
            answers = await orders.execute_workflow(
                CallArchive.run,
                endpoint.spec.name,
                id=unique_name("kw"),
                task_queue=caller_queue,
            )
        # The generated body took the workflow ID from the keyword field `def`.
        description = await payments.get_workflow_handle("store-d-7").describe()
        return answers, description.workflow_type

    answers, workflow_type = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert answers == Answers("found-c-1", "stored-c-1", "d-7")
    assert workflow_type == "StoreWorkflow"
