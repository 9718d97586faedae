"""A contract evolves: what `nexus-contract breaking` calls safe is safe, and what it
reports breaks at run time the way its finding says.

tests/e2e/evolution/v1 is the stock team's contract as callers first built
against it; v2 adds a field to a request and to a response, an operation and a
service, and renames a method keeping its wire name. The breaking variants
below are edits of v1, each with the rule the check must report and what an
old caller then sees. Each version is generated into a module tree of its own
and served or called from a process of its own (tests/e2e/evolution/team.py)
on the session's dev server, as teams deployed at different times are.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from protoc_gen_nexus import contract
from support.protoc import nexus_contract, option_include_dir, run_protoc, validate_set
from support.temporal import DevServer, connect, create_nexus_endpoint, unique_name

EVOLUTION = Path(__file__).parent / "evolution"
TEAM = EVOLUTION / "team.py"
CONTRACT = "stock/v1/stock.proto"
V1 = (EVOLUTION / "v1" / CONTRACT).read_text()

HANDLER_NAMESPACE = "payments"
CALLER_NAMESPACE = "orders"
READY_SECONDS = 60


@dataclass(frozen=True)
class Variant:
    edits: tuple[tuple[str, str], ...]
    added: str
    rule: str
    call: str
    """The call of a v1 caller that shows the break."""
    sees: str
    """What that caller sees: the handler error type, or text of the error."""


VARIANTS = {
    "service wire name changed": Variant(
        (('service).name = "ledger"', 'service).name = "ledgers"'),),
        "",
        "NEXUS_SERVICE_NO_DELETE",
        "Record",
        "NOT_FOUND",
    ),
    "operation deleted": Variant(
        (("  rpc Audit(AuditRequest) returns (google.protobuf.Empty);\n", ""),),
        "",
        "NEXUS_OPERATION_NO_DELETE",
        "Audit",
        "NOT_FOUND",
    ),
    "input type changed": Variant(
        (("rpc Quote(QuoteRequest)", "rpc Quote(PriceRequest)"),),
        "message PriceRequest {\n  string product_id = 1;\n}\n",
        "NEXUS_OPERATION_SAME_INPUT",
        "Quote",
        "BAD_REQUEST",
    ),
    "Empty input became a message": Variant(
        (("rpc Count(google.protobuf.Empty)", "rpc Count(CountRequest)"),),
        "message CountRequest {\n  string sku = 1;\n}\n",
        "NEXUS_OPERATION_SAME_INPUT",
        "Count",
        "BAD_REQUEST",
    ),
    "output type changed": Variant(
        (("returns (RestockResponse)", "returns (RestockResult)"),),
        "message RestockResult {\n  string sku = 1;\n  int32 on_hand = 2;\n}\n",
        "NEXUS_OPERATION_SAME_OUTPUT",
        "Restock",
        "the payload is a stock.v1.RestockResult message where the contract names "
        "stock.v1.RestockResponse",
    ),
    "output changed to a message the caller knows": Variant(
        (
            (
                "rpc Price(QuoteRequest) returns (QuoteResponse)",
                "rpc Price(QuoteRequest) returns (CountResponse)",
            ),
        ),
        "",
        "NEXUS_OPERATION_SAME_OUTPUT",
        "Price",
        "the payload is a stock.v1.CountResponse message where the contract names "
        "stock.v1.QuoteResponse",
    ),
    "new validation rule": Variant(
        (
            (
                "  int32 quantity = 2;\n}\n\nmessage ReserveResponse",
                "  int32 quantity = 2 [(buf.validate.field).int32.gt = 0];\n}\n\n"
                "message ReserveResponse",
            ),
        ),
        "",
        "NEXUS_VALIDATION_NO_NEW_RULES",
        "Reserve nothing",
        "BAD_REQUEST",
    ),
}


def _apply(*variants: Variant) -> str:
    text = V1
    for variant in variants:
        for old, new in variant.edits:
            assert old in text, old
            text = text.replace(old, new)
        text += "\n" + variant.added if variant.added else ""
    return text


def _contract_dir(root: Path, text: str) -> Path:
    (root / CONTRACT).parent.mkdir(parents=True, exist_ok=True)
    (root / CONTRACT).write_text(text)
    return root


def _check(new: Path, old: Path) -> tuple[int, list[dict[str, Any]]]:
    """Exit status and findings of `nexus-contract breaking` on two directories."""
    result = nexus_contract(
        "breaking", str(new), "--against", str(old), "--error-format", "json"
    )
    assert result.returncode != contract.UNREADABLE, result.stderr
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


# The check.


def test_the_safe_evolution_reports_nothing() -> None:
    assert _check(EVOLUTION / "v2", EVOLUTION / "v1") == (0, [])


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_breaking_variant_reports_its_rule(tmp_path: Path, name: str) -> None:
    variant = VARIANTS[name]
    status, findings = _check(_contract_dir(tmp_path, _apply(variant)), EVOLUTION / "v1")
    assert [finding["rule"] for finding in findings] == [variant.rule]
    warning = variant.rule == contract.VALIDATION_RULE
    assert findings[0]["warning"] == warning
    assert status == (0 if warning else contract.BREAKING)


def test_all_variants_at_once_report_every_rule(tmp_path: Path) -> None:
    status, findings = _check(_contract_dir(tmp_path, _apply(*VARIANTS.values())), EVOLUTION / "v1")
    assert status == contract.BREAKING
    reported = sorted(finding["rule"] for finding in findings)
    assert reported == sorted(variant.rule for variant in VARIANTS.values())


# The teams, in processes of their own.


def _generate(root: Path, out: Path, scratch: Path) -> Path:
    out.mkdir(parents=True)
    result = run_protoc(
        [
            f"--descriptor_set_in={validate_set(scratch)}",
            f"-I{root}",
            f"-I{option_include_dir()}",
            f"--python_out={out}",
            f"--nexus-python_out={out}",
            CONTRACT,
            "buf/validate/validate.proto",
        ]
    )
    assert result.returncode == 0, result.stderr
    return out


def _team(*args: str) -> list[str]:
    return [sys.executable, str(TEAM), *args]


@dataclass
class Handlers:
    """Endpoint name of each handler team's worker."""

    endpoints: dict[str, str]
    trees: dict[str, Path]


@pytest.fixture(scope="module")
def handlers(dev_server: DevServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Handlers]:
    scratch = tmp_path_factory.mktemp("evolution")
    broken = _contract_dir(scratch / "broken-proto", _apply(*VARIANTS.values()))
    trees = {
        "v1": _generate(EVOLUTION / "v1", scratch / "v1", scratch),
        "v2": _generate(EVOLUTION / "v2", scratch / "v2", scratch),
        "broken": _generate(broken, scratch / "broken", scratch),
    }
    # v1 without nexusproto.converter: the SDK's default refuses unknown fields.
    served = {"v1": "v1", "v2": "v2", "broken": "broken", "v1-plain": "v1"}
    task_queues = {name: unique_name(f"stock-{name}") for name in served}
    processes: list[subprocess.Popen[str]] = []

    async def create_endpoints() -> dict[str, str]:
        client = await connect(dev_server)
        endpoints = {}
        for name, task_queue in task_queues.items():
            endpoint = await create_nexus_endpoint(
                client,
                target_namespace=HANDLER_NAMESPACE,
                task_queue=task_queue,
                name=unique_name("stock"),
            )
            endpoints[name] = endpoint.spec.name
        return endpoints

    endpoints = asyncio.run(create_endpoints())
    try:
        for name, version in served.items():
            task_queue = task_queues[name]
            args = ["serve", str(trees[version]), "--address", dev_server.target]
            args += ["--namespace", HANDLER_NAMESPACE, "--task-queue", task_queue]
            if name.endswith("-plain"):
                args.append("--plain-converter")
            processes.append(
                subprocess.Popen(
                    _team(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
            )
        for name, process in zip(served, processes, strict=True):
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip() == "ready", (
                f"{name} handler: {line}{process.stderr and process.stderr.read()}"
            )
        yield Handlers(endpoints, trees)
    finally:
        for process in processes:
            process.kill()  # by its own id: SIGKILL, as a crashed deploy
            process.wait()


def _call(
    handlers: Handlers, dev_server: DevServer, caller: str, handler: str, *extra: str
) -> dict[str, dict[str, Any]]:
    """What a `caller` team's process sees calling the `handler` team's endpoint."""
    args = ["call", str(handlers.trees[caller]), "--address", dev_server.target]
    args += ["--namespace", CALLER_NAMESPACE, "--endpoint", handlers.endpoints[handler], *extra]
    result = subprocess.run(_team(*args), capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {record["call"]: record for record in records}


def _ok(record: dict[str, Any]) -> dict[str, Any] | None:
    assert not record["error"], record
    return record["result"]  # type: ignore[no-any-return]


def test_v1_callers_reach_v2_handlers(handlers: Handlers, dev_server: DevServer) -> None:
    seen = _call(handlers, dev_server, "v1", "v2")
    # v2 answers with a warehouse v1 does not know: the converter drops it.
    assert _ok(seen["Reserve"]) == {"reservationId": "applex2"}
    assert _ok(seen["Reserve from a workflow"]) == {"reservationId": "applex2"}
    assert _ok(seen["Reserve nothing"]) == {"reservationId": "applex0"}
    assert _ok(seen["Restock"])["onHand"] == 15  # type: ignore[index]
    assert _ok(seen["Count"]) == {"items": 3}
    assert _ok(seen["Audit"]) is None
    assert _ok(seen["Quote"]) == {"priceMinor": "250"}
    assert _ok(seen["Price"]) == {}
    assert _ok(seen["Record"]) == {"entries": 1}


def test_v2_callers_reach_v1_handlers(handlers: Handlers, dev_server: DevServer) -> None:
    seen = _call(handlers, dev_server, "v2", "v1")
    # `hold` in v2 is "Reserve" on the wire. v1 ignores the note it does not
    # know and answers without a warehouse.
    assert _ok(seen["Reserve"]) == {"reservationId": "applex2"}
    assert _ok(seen["Reserve from a workflow"]) == {"reservationId": "applex2"}
    assert _ok(seen["Restock"])["onHand"] == 15  # type: ignore[index]
    for call in ("Reserve nothing", "Count", "Audit", "Quote", "Price", "Record"):
        _ok(seen[call])


def test_unknown_fields_need_the_evolving_converter(
    handlers: Handlers, dev_server: DevServer
) -> None:
    """With the SDK's default converter, a field from the newer side is an error
    on the older one, whichever side that is."""
    caller_side = _call(handlers, dev_server, "v1", "v2", "--plain-converter")
    assert "Failed parsing" in " ".join(caller_side["Reserve"]["error"])
    handler_side = _call(handlers, dev_server, "v2", "v1-plain")
    assert handler_side["Reserve"]["handler_error_type"] == "BAD_REQUEST", handler_side["Reserve"]
    # Messages without new fields still pass both ways.
    assert _ok(caller_side["Count"]) == {"items": 3}
    _ok(handler_side["Quote"])


def test_old_callers_of_a_breaking_change_fail_as_the_check_predicts(
    handlers: Handlers, dev_server: DevServer
) -> None:
    seen = _call(handlers, dev_server, "v1", "broken")
    for name, variant in VARIANTS.items():
        record = seen[variant.call]
        assert record["error"], f"{name}: {variant.call} succeeded: {record}"
        observed = record["handler_error_type"] or " ".join(record["error"])
        assert variant.sees in observed, f"{name}: {record}"
    # A new rule refuses only the requests that break it.
    assert _ok(seen["Reserve"]) == {"reservationId": "applex2"}


def test_without_the_converter_a_changed_output_arrives_as_the_wrong_type(
    handlers: Handlers, dev_server: DevServer
) -> None:
    """What nexusproto.converter refuses above, the SDK's default converter hands over:
    the SDK decodes by the payload's own message type."""
    seen = _call(handlers, dev_server, "v1", "broken", "--plain-converter")
    assert seen["Price"]["error"] == [] and seen["Price"]["result_type"] == "CountResponse"
    # An output type the caller does not know fails there too, less clearly.
    assert "Unknown Protobuf type stock.v1.RestockResult" in " ".join(seen["Restock"]["error"])
