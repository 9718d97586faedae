"""The fixture contracts in tests/fixtures/proto: every proto shape users write.

Hostile names (keywords, builtins, names of generated classes and imports),
hostile comments, well-known types, proto3 optional, editions 2023, a file
without a package, messages from other files and packages, nested messages,
and a service emptied by the tag filter. They are generated with real protoc
(messages, mypy-protobuf stubs and this plugin), diffed against golden files,
linted, type-checked and imported.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.python.resolve import resolve
from support.protoc import BIN, REPO, capture_request, option_include_dir, run_protoc
from support.typecheck import mypy_strict, pyright_strict
from support.golden import EXAMPLES, read_tree

FIXTURES = REPO / "tests" / "fixtures" / "proto"
GOLDEN = REPO / "tests" / "golden" / "fixtures"
PARAMETER = "exclude-operation-tags=internal"
PROTOS = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.proto"))


def _generate(out: Path, protos: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    result = run_protoc(
        [
            f"-I{FIXTURES}",
            f"-I{option_include_dir()}",
            f"--python_out={out}",
            f"--mypy_out=quiet:{out}",
            f"--nexus-python_out={out}",
            f"--nexus-python_opt={PARAMETER}",
            *protos,
        ]
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    _generate(out, PROTOS)
    return out


def test_generated_modules_match_golden_files(generated: Path) -> None:
    produced = read_tree(generated)
    if os.environ.get("UPDATE_GOLDEN"):
        for name, content in produced.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    assert produced == read_tree(GOLDEN), "fixture output differs from tests/golden/fixtures (make golden)"


def test_service_emptied_by_tags_and_plain_services_are_not_generated(generated: Path) -> None:
    assert not (generated / "tagged/v1/tagged_nexus.py").exists()
    assert not (generated / "tagged/v1/tagged_nexus_testing.py").exists()
    assert not (generated / "common/v1/ids_nexus.py").exists()
    assert "class Plain" not in (generated / "hostile/v1/hostile_nexus.py").read_text()
    assert "audit" not in (generated / "shop/v1/api_nexus.py").read_text()


def test_output_is_independent_of_file_order(tmp_path: Path, generated: Path) -> None:
    _generate(tmp_path, list(reversed(PROTOS)))
    assert read_tree(tmp_path) == read_tree(generated)


def _nexus_files(generated: Path) -> list[str]:
    return sorted(str(p) for pattern in ("*_nexus.py", "*_nexus_testing.py") for p in generated.rglob(pattern))


def test_ruff(generated: Path) -> None:
    config = REPO / "tests" / "ruff.toml"
    for args in (["check"], ["format", "--check", "--diff"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *args, "--no-cache", "--config", str(config), *_nexus_files(generated)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict(generated: Path) -> None:
    result = mypy_strict(_nexus_files(generated), cwd=generated, search_path=generated)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_strict(generated: Path, tmp_path: Path) -> None:
    files = _nexus_files(generated)
    result, report = pyright_strict(files, config_dir=tmp_path, extra_paths=[generated])
    assert report["summary"]["filesAnalyzed"] == len(files), result.stdout
    assert report["generalDiagnostics"] == [], json.dumps(report["generalDiagnostics"], indent=1)


EXPECTED_DEFINITIONS = {
    "hostile.v1.hostile_nexus": (
        "PaymentService",
        "hostile.v1.PaymentService",
        {
            "Class": "class_",
            "Async": "async_",
            "Match": "match",
            "Type": "type_",
            "Int": "int_",
            "Object": "object_",
            "Self": "self",
            "Request": "request",
            "Workflow": "workflow",
            "Datetime": "datetime",
            "Nexusrpc": "nexusrpc",
        },
    ),
    "wkt.v1.wkt_nexus": ("Clock", "clock", {"Now": "now", "Describe": "describe", "Echo": "echo"}),
    "editions.v1.editions_nexus": ("Oracle", "editions.v1.Oracle", {"Consult": "consult"}),
    "nopackage_nexus": ("Echo", "Echo", {"Send": "send"}),
    "keywords.v1.keywords_nexus": (
        "Archive",
        "keywords.v1.Archive",
        {"Lookup": "lookup", "Store": "store"},
    ),
    "shop.v1.api_nexus": (
        "Checkout",
        "shop.v1.Checkout",
        {"AddLine": "add_line", "Pay": "pay", "Lookup": "lookup"},
    ),
}


def test_modules_import_and_define_the_contract(generated: Path) -> None:
    script = (
        "import importlib, json, sys\n"
        "import nexusrpc\n"
        "out = {}\n"
        "for module, cls in json.loads(sys.argv[1]).items():\n"
        "    d = nexusrpc.get_service_definition(getattr(importlib.import_module(module), cls))\n"
        "    out[module] = [d.name, {n: o.method_name for n, o in d.operation_definitions.items()}]\n"
        "print(json.dumps(out))\n"
    )
    wanted = {module: cls for module, (cls, _, _) in EXPECTED_DEFINITIONS.items()}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(wanted)],
        cwd=generated,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    for module, (_, name, operations) in EXPECTED_DEFINITIONS.items():
        assert found[module] == [name, operations], module


def test_hostile_handler_subclass_binds(generated: Path) -> None:
    """The renamed methods are what a subclass overrides; the runtime binds them."""
    script = (
        "from hostile.v1 import hostile_nexus as h\n"
        "from hostile.v1 import hostile_pb2 as pb\n"
        "from google.protobuf import empty_pb2\n"
        "class Impl(h.PaymentServiceHandler):\n"
        + "".join(
            f"    async def {attr}(self, ctx, *request): return None\n"
            for attr in EXPECTED_DEFINITIONS["hostile.v1.hostile_nexus"][2].values()
        )
        + "import nexusrpc\n"
        "print(nexusrpc.get_service_definition(Impl).name)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=generated, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "hostile.v1.PaymentService"


_CONTRACT_FACTS = """\
import json, sys
from nexusproto import contracts
facts = {}
for service in contracts.load(["."]).services:
    facts[service.name] = {
        "class": service.class_name,
        "endpoint": service.default_endpoint or "",
        "operations": {
            op.name: [
                op.method_name,
                op.kind,
                op.timeout.total_seconds() if op.timeout else None,
                [op.binding.kind, op.binding.workflow_type, op.binding.name] if op.binding else None,
                [op.activity.activity_type, op.activity.task_queue] if op.activity else None,
                op.validates_request,
                op.validates_response,
            ]
            for op in service.operations
        },
    }
print(json.dumps(facts))
"""


def _decided(service: Any) -> dict[str, Any]:
    """What the generator decided about a service, in the form `_CONTRACT_FACTS` prints."""
    operations = {}
    for op in service.operations:
        binding = None
        if op.workflow_run is not None:
            binding = ["workflow-run", op.workflow_run.workflow_type, ""]
        elif op.entity is not None:
            binding = [op.entity.kind, op.entity.workflow_type, op.entity.handler_name]
        activity = None
        if op.activity is not None:
            activity = [op.activity.activity_type, op.activity.task_queue]
        timeout = op.schedule_to_close_timeout
        # How the handler answers: update, signal and query operations answer at once.
        answered = op.kind if op.kind in ("workflow_run", "async_update", "activity") else "sync"
        operations[op.name] = [
            op.attribute,
            answered,
            timeout.total_seconds() if timeout else None,
            binding,
            activity,
            op.validate_request,
            op.validate_response,
        ]
    return {"class": service.class_name, "endpoint": service.default_endpoint, "operations": operations}


def _read_back_equals_decided(tree: Path, request: Any, parameter: str) -> None:
    decided = {
        service.name: _decided(service)
        for file in resolve(request, parse_parameters(parameter))
        for service in file.services
    }
    result = subprocess.run(
        [sys.executable, "-c", _CONTRACT_FACTS], cwd=tree, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    read_back = json.loads(result.stdout)
    assert set(read_back) == set(decided)
    for name, facts in decided.items():
        assert read_back[name] == facts, name


def test_the_runtime_reads_back_what_the_generator_decided(
    generated: Path, tmp_path: Path
) -> None:
    """`nexusproto describe` and `call` read contracts from generated modules
    (nexusproto.contracts), re-deriving a few facts from names and options; for
    every fixture (keywords, hostile names, entity bindings) and the example
    contracts they must agree with the resolver's model."""
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "examples").mkdir()
    fixtures = capture_request(
        tmp_path / "fixtures", PROTOS, include=[FIXTURES, option_include_dir()], parameter=PARAMETER
    )
    _read_back_equals_decided(generated, fixtures, PARAMETER)
    examples = capture_request(tmp_path / "examples", EXAMPLES)
    _read_back_equals_decided(REPO / "gen", examples, "")
