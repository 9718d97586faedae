"""The examples of the how-to pages on setting up, serving, calling and the command line.

- docs/examples/set-up: generate.sh builds an image with the real protoc and generates
  from it with the real buf (offline) and buf.gen.yaml; protoc.sh does the same with
  protoc alone; both outputs agree, the catalogue is written, and the generated
  modules pass mypy --strict.
- docs/examples/long-running: the ledger team type-checks against the generated
  fixture contract, and serves it on the dev server (an asynchronous update, a
  synchronous one, an activity retried once).
- docs/examples/cli: the scripts run against gen/ and a dev server of their own, where
  the demo's payments worker serves the contract's default endpoint.
- Every `--8<-- "file:section"` the pages include names a section that exists
  (a missing section would be included as nothing).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from pathlib import Path

import support.long_running  # noqa: F401 - generates the fixture contract onto sys.path
from orders_payments.payments_team import payments_worker
from support.protoc import (
    REPO,
    option_include_dir,
    run_protoc,
    run_tool,
    tool_environment,
    validate_set,
)
from support.temporal import (
    DevServer,
    cli_environment,
    connect,
    create_nexus_endpoint,
    start_dev_server,
    unique_task_queue,
)
from support.typecheck import mypy_strict

EXAMPLES = REPO / "docs" / "examples"
SET_UP = EXAMPLES / "set-up"
LONG_RUNNING = EXAMPLES / "long-running"
CLI = EXAMPLES / "cli"
PAGES = [
    REPO / "docs" / "content" / "how-to" / f"{name}.md"
    for name in ("set-up", "handlers", "entities", "long-running", "callers", "cli")
]
TIMEOUT_SECONDS = 120
EXPORT_FAILURES = 1
INVALID_FIELDS = 3

if str(LONG_RUNNING) not in sys.path:
    sys.path.insert(0, str(LONG_RUNNING))

import ledger_team  # noqa: E402
from longrunning.v1 import longrunning_pb2  # noqa: E402
from longrunning.v1.longrunning_nexus import LedgerServiceStandaloneClient  # noqa: E402

# --- the pages are written -----------------------------------------------------------


def test_the_pages_are_written() -> None:
    """Their includes (files and sections) are checked for every page by
    test_code_blocks.py."""
    for page in PAGES:
        assert "To be written" not in page.read_text(encoding="utf-8"), page


# --- docs/examples/set-up ----------------------------------------------------------------


def test_set_up_generates_offline_with_buf_and_with_protoc(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SET_UP, project)

    with_buf = run_tool(
        ["sh", project / "generate.sh"], project, timeout=TIMEOUT_SECONDS
    )
    assert with_buf.returncode == 0, with_buf.stderr
    with_protoc = run_tool(
        ["sh", project / "protoc.sh"], project, timeout=TIMEOUT_SECONDS
    )
    assert with_protoc.returncode == 0, with_protoc.stderr

    gen, gen_protoc = project / "gen", project / "gen-protoc"
    for name in (
        "billing_pb2.py",
        "billing_pb2.pyi",
        "billing_nexus.py",
        "billing_nexus_testing.py",
    ):
        assert (gen / "billing" / "v1" / name).is_file(), name
        assert (gen_protoc / "billing" / "v1" / name).is_file(), name
    for tree in (gen, gen_protoc):
        assert (tree / "buf" / "validate" / "validate_pb2.py").is_file()
        assert not (tree / "nexusproto").exists() and not (tree / "google").exists()
    for name in ("billing_nexus.py", "billing_nexus_testing.py"):
        assert (gen / "billing" / "v1" / name).read_text() == (
            gen_protoc / "billing" / "v1" / name
        ).read_text(), f"buf and protoc generate {name} differently"

    nexus = (gen / "billing" / "v1" / "billing_nexus.py").read_text()
    for name in (
        "class BillingServiceHandler(",
        "class BillingServiceNexusClient",
        "class BillingServiceStandaloneClient",
        "class RefundChargeWorkflowContract",
        'id=f"refund-{request.charge_id}"',
    ):
        assert name in nexus, name
    index = (project / "catalogue" / "README.md").read_text()
    assert "billing.v1.BillingService" in index
    page = (project / "catalogue" / "billing" / "v1" / "billing.md").read_text()
    assert "ChargeCard" in page and "RefundChargeWorkflow" in page

    checked = mypy_strict(
        ["billing/v1/billing_nexus.py", "billing/v1/billing_nexus_testing.py"],
        cwd=gen,
        search_path=gen,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The generated module imports with only the installed packages beside it.
    imported = run_tool(
        [
            sys.executable,
            "-c",
            "from billing.v1 import billing_nexus; print(billing_nexus.BillingService)",
        ],
        tmp_path,
        env=tool_environment(PYTHONPATH=str(gen)),
    )
    assert imported.returncode == 0, imported.stderr


# --- docs/examples/long-running ------------------------------------------------------------


def test_long_running_example_type_checks(tmp_path: Path) -> None:
    generated = run_protoc(
        [
            f"--descriptor_set_in={validate_set(tmp_path)}",
            f"-I{REPO / 'tests' / 'fixtures' / 'proto'}",
            f"-I{option_include_dir()}",
            f"--python_out={tmp_path}",
            f"--mypy_out={tmp_path}",
            f"--nexus-python_out={tmp_path}",
            "longrunning/v1/longrunning.proto",
        ]
    )
    assert generated.returncode == 0, generated.stderr
    shutil.copy(LONG_RUNNING / "ledger_team.py", tmp_path / "ledger_team.py")
    checked = mypy_strict(["ledger_team.py"], cwd=tmp_path, search_path=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_long_running_example_serves_its_operations(dev_server: DevServer) -> None:
    async def scenario() -> None:
        client = await connect(dev_server, "default")
        task_queue = unique_task_queue("ledgers")
        endpoint = await create_nexus_endpoint(
            client, target_namespace="default", task_queue=task_queue
        )
        ledger_id = uuid.uuid4().hex[:12]
        async with ledger_team.ledger_worker(client, task_queue):
            ledgers = LedgerServiceStandaloneClient(client, endpoint=endpoint.spec.name)
            applied = await ledgers.apply(
                longrunning_pb2.ApplyRequest(
                    ledger_id=ledger_id, seconds=1, entry="opening balance"
                )
            )
            assert list(applied.entries) == ["opening balance"]
            read = await ledgers.read(longrunning_pb2.ApplyRequest(ledger_id=ledger_id))
            assert list(read.entries) == ["opening balance"]
            exported = await ledgers.export(
                longrunning_pb2.ExportRequest(
                    ledger_id=ledger_id, seconds=1, failures=EXPORT_FAILURES
                )
            )
            assert exported.attempt == EXPORT_FAILURES + 1
            assert exported.location == f"exports/{ledger_id}.csv"

    asyncio.run(asyncio.wait_for(scenario(), timeout=TIMEOUT_SECONDS))


# --- docs/examples/cli ---------------------------------------------------------------------


def test_cli_describe_runs_against_the_generated_modules(tmp_path: Path) -> None:
    (tmp_path / "gen").symlink_to(REPO / "gen")
    described = run_tool(["sh", CLI / "describe.sh"], tmp_path, timeout=TIMEOUT_SECONDS)
    assert described.returncode == 0, described.stderr
    assert "payments.v1.PaymentService" in described.stdout
    assert "request template:" in described.stdout
    assert '"GetCart"' in described.stdout


def test_cli_call_and_result_run_against_a_server(tmp_path: Path) -> None:
    """The scripts call the contract's default endpoint, `payments`, so they get a
    server of their own, where that name is free."""
    (tmp_path / "gen").symlink_to(REPO / "gen")
    shutil.copy(CLI / "refund.json", tmp_path / "refund.json")
    (tmp_path / "server").mkdir()
    server = start_dev_server(tmp_path / "server")
    env = {
        **cli_environment(server.target, tmp_path / "absent.toml", namespace="orders"),
        "PATH": tool_environment()["PATH"],
    }

    async def run(script: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            "sh",
            str(CLI / script),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def scenario() -> tuple[tuple[int, str, str], tuple[int, str, str]]:
        payments = await connect(server, "payments")
        orders = await connect(server, "orders")
        task_queue = unique_task_queue("payments")
        await create_nexus_endpoint(
            orders, target_namespace="payments", task_queue=task_queue, name="payments"
        )
        async with payments_worker(payments, task_queue, say=lambda _: None):
            return await run("call.sh"), await run("invalid.sh")

    try:
        called, invalid = asyncio.run(
            asyncio.wait_for(scenario(), timeout=TIMEOUT_SECONDS)
        )
    finally:
        server.stop()

    status, out, err = called
    assert status == 0, err
    assert '"transactionId": "tx-' in out
    assert '"status": "PAYMENT_STATUS_SETTLED"' in out
    assert '"status": "PAYMENT_STATUS_REFUNDED"' in out
    assert '"acceptingCharges": true' in out

    status, out, err = invalid
    assert status == 0 and "exit status 2" in out, out + err
    violations = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    assert len(violations) == INVALID_FIELDS, err
    page = (REPO / "docs" / "content" / "how-to" / "cli.md").read_text(encoding="utf-8")
    for line in [*violations, err.splitlines()[0]]:
        assert line in page, f"cli.md no longer shows what the command prints: {line}"
