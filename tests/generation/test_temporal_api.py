"""The plugin on a real, large contract: Temporal's own WorkflowService.

`temporal/api/workflowservice/v1/service.proto` has 100+ RPCs and imports nearly
sixty files, directly or not; it marks the RPCs it exposes over Nexus with
`option (nexusannotations.v1.operation).tags = "exposed"`. No .proto file is
needed: the temporalio wheel embeds each file's FileDescriptorProto in its
`_pb2` modules, so the CodeGeneratorRequest protoc would send is rebuilt from
those (without source info, so without comments). temporalio publishes the
messages of `temporal/api/X/v1/Y.proto` as `temporalio.api.X.v1.Y_pb2`, hence
`module-map=temporal.api=temporalio.api`.

`service_pb2` imports `google.api.annotations_pb2`, which comes from the
googleapis-common-protos package (pinned in tests/requirements.txt).
"""

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import descriptor, descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from nexusannotations.v1 import options_pb2 as nexusannotations
from protoc_gen_nexus.python import naming
from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.python.plugin import run
from support.protoc import BIN, REPO
from support.typecheck import mypy_strict, pyright_strict
from temporalio.api.workflowservice.v1 import service_pb2

SERVICE_PROTO = "temporal/api/workflowservice/v1/service.proto"
OUTPUT = "temporal/api/workflowservice/v1/service_nexus.py"
MODULE_MAP = "module-map=temporal.api=temporalio.api"
EXPOSED = f"include-operation-tags=exposed,{MODULE_MAP}"
SERVICE = service_pb2.DESCRIPTOR.services_by_name["WorkflowService"]
# Written beside each other under names that shadow nothing in temporalio.
EXPOSED_MODULE = "wfs_nexus"
ALL_MODULE = "wfs_all_nexus"


def import_closure(root: descriptor.FileDescriptor) -> list[descriptor.FileDescriptor]:
    """`root` and every file it imports, transitively, each after its imports (as protoc)."""
    ordered: list[descriptor.FileDescriptor] = []
    seen: set[str] = set()

    def visit(file: descriptor.FileDescriptor) -> None:
        if file.name in seen:
            return
        seen.add(file.name)
        for dependency in file.dependencies:
            visit(dependency)
        ordered.append(file)

    visit(root)
    return ordered


def request_for(parameter: str) -> plugin_pb2.CodeGeneratorRequest:
    request = plugin_pb2.CodeGeneratorRequest(file_to_generate=[SERVICE_PROTO], parameter=parameter)
    for file in import_closure(service_pb2.DESCRIPTOR):
        request.proto_file.append(descriptor_pb2.FileDescriptorProto.FromString(file.serialized_pb))
    return request


def operation_options(
    method: descriptor.MethodDescriptor,
) -> nexusannotations.OperationOptions | None:
    options = method.GetOptions()
    if not options.HasExtension(nexusannotations.operation):
        return None
    return options.Extensions[nexusannotations.operation]


def exposed_methods() -> list[descriptor.MethodDescriptor]:
    """The RPCs tagged "exposed", read from temporalio's own descriptors."""
    return [
        method
        for method in SERVICE.methods
        if (options := operation_options(method)) is not None and "exposed" in options.tags
    ]


def generate(parameter: str) -> tuple[str, float]:
    """The one generated module's text, and how long the plugin took."""
    request = request_for(parameter)
    start = time.perf_counter()
    response = run(request)
    elapsed = time.perf_counter() - start
    assert not response.error, response.error
    assert [file.name for file in response.file] == [OUTPUT, OUTPUT.replace(".py", "_testing.py")]
    return response.file[0].content, elapsed


@dataclass(frozen=True)
class Generated:
    exposed: str
    all: str
    all_seconds: float
    directory: Path

    def path(self, module: str) -> Path:
        return self.directory / f"{module}.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    directory = tmp_path_factory.mktemp("temporal_api")
    exposed, _ = generate(EXPOSED)
    everything, seconds = generate(MODULE_MAP)
    (directory / f"{EXPOSED_MODULE}.py").write_text(exposed)
    (directory / f"{ALL_MODULE}.py").write_text(everything)
    return Generated(exposed, everything, seconds, directory)


def operation_names(source: str) -> list[str]:
    return re.findall(r'nexusrpc\.Operation\(name="([^"]+)"\)', source)


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.module is not None
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_the_contract_is_as_large_as_claimed() -> None:
    files = import_closure(service_pb2.DESCRIPTOR)
    assert len(files) > 50
    assert files[-1].name == SERVICE_PROTO
    position = {file.name: index for index, file in enumerate(files)}
    for file in files:
        assert all(position[dep.name] < position[file.name] for dep in file.dependencies)
    assert len(SERVICE.methods) > 100
    # Nexus only through operation options: no service-level annotation.
    assert not SERVICE.GetOptions().HasExtension(nexusannotations.service)
    assert 0 < len(exposed_methods()) < len(SERVICE.methods)


def test_module_map_names_temporalios_modules() -> None:
    """What the mapping assumes: each file's messages live where it sends imports."""
    parameters = parse_parameters(MODULE_MAP)
    for file in import_closure(service_pb2.DESCRIPTOR):
        module = parameters.python_module(naming.pb2_module(file.name))
        if file.name.startswith("temporal/"):
            assert module.startswith("temporalio.api."), module
        else:
            # google/api, google/protobuf and nexusannotations are not remapped.
            assert module == naming.pb2_module(file.name)
        assert importlib.import_module(module).DESCRIPTOR is file, file.name


def test_exposed_operations_and_only_those(generated: Generated) -> None:
    expected = [method.name for method in exposed_methods()]
    assert operation_names(generated.exposed) == expected
    assert "class WorkflowService:" in generated.exposed
    assert 'nexusrpc.service(name="temporal.api.workflowservice.v1.WorkflowService")' in (
        generated.exposed
    )
    for method in SERVICE.methods:
        if method.name not in expected:
            assert f"def {naming.snake_case(method.name)}(" not in generated.exposed


@pytest.mark.parametrize("which", ["exposed", "all"])
def test_message_imports_point_at_temporalio(generated: Generated, which: str) -> None:
    modules = imported_modules(getattr(generated, which))
    messages = {module for module in modules if module.endswith("_pb2")}
    assert messages == {"temporalio.api.workflowservice.v1.request_response_pb2"}
    assert not [module for module in modules if module.startswith("temporal.")]


def test_every_operation_without_a_tag_filter(generated: Generated) -> None:
    assert operation_names(generated.all) == [method.name for method in SERVICE.methods]
    compile(generated.all, f"{ALL_MODULE}.py", "exec")
    # A quadratic step would show long before this; the plugin takes well under 1 s.
    assert generated.all_seconds < 10, generated.all_seconds
    # One service in the file: all-services=true selects the same one.
    assert generate(f"all-services=true,{MODULE_MAP}")[0] == generated.all


def test_output_is_deterministic(generated: Generated) -> None:
    """In-process, and across processes whose string hashes differ."""
    assert generate(MODULE_MAP)[0] == generated.all
    request = request_for(MODULE_MAP).SerializeToString()
    outputs = []
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "protoc_gen_nexus.python"],
            input=request,
            capture_output=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        )
        response = plugin_pb2.CodeGeneratorResponse.FromString(result.stdout)
        assert not response.error, response.error
        outputs.append(response.file[0].content)
    assert outputs == [generated.all, generated.all]


_DEFINITIONS = """\
import json, sys
import nexusrpc

def described(cls):
    return [f"{cls.__module__}.{cls.__qualname__}", cls.DESCRIPTOR.full_name]

out = {}
for module in sys.argv[1:]:
    service = __import__(module).WorkflowService
    definition = nexusrpc.get_service_definition(service)
    out[module] = {
        "name": definition.name,
        "operations": [
            [name, op.method_name, described(op.input_type), described(op.output_type)]
            for name, op in definition.operation_definitions.items()
        ],
    }
print(json.dumps(out))
"""


def expected_definition(methods: list[descriptor.MethodDescriptor]) -> dict[str, object]:
    def described(message: descriptor.Descriptor) -> list[str]:
        module = parse_parameters(MODULE_MAP).python_module(naming.pb2_module(message.file.name))
        qualname = message.full_name[len(message.file.package) + 1 :]
        return [f"{module}.{qualname}", message.full_name]

    operations = []
    for method in methods:
        options = operation_options(method)
        name = options.name if options is not None and options.name else method.name
        operations.append(
            [
                name,
                naming.snake_case(method.name),
                described(method.input_type),
                described(method.output_type),
            ]
        )
    return {"name": "temporal.api.workflowservice.v1.WorkflowService", "operations": operations}


def test_generated_modules_define_the_service_with_temporalio_types(
    generated: Generated,
) -> None:
    """Imported in a fresh interpreter, as an application would."""
    result = subprocess.run(
        [sys.executable, "-c", _DEFINITIONS, EXPOSED_MODULE, ALL_MODULE],
        cwd=generated.directory,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    definitions = json.loads(result.stdout)
    assert definitions[EXPOSED_MODULE] == expected_definition(exposed_methods())
    assert definitions[ALL_MODULE] == expected_definition(list(SERVICE.methods))


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_ruff(generated: Generated) -> None:
    # tests/ruff.toml leaves out E501: the 123-operation module has lines no
    # formatter can shorten (a parameter annotated with a 60-character name).
    config = REPO / "tests" / "ruff.toml"
    files = [generated.path(EXPOSED_MODULE), generated.path(ALL_MODULE)]
    check = _run(
        BIN / "ruff", "check", "--no-cache", "--config", config, *files, cwd=generated.directory
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(
        BIN / "ruff",
        "format",
        "--check",
        "--diff",
        "--no-cache",
        "--config",
        config,
        *files,
        cwd=generated.directory,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


TYPE_CHECKED = [f"{EXPOSED_MODULE}.py", f"{ALL_MODULE}.py"]


def test_mypy_strict(generated: Generated) -> None:
    result = mypy_strict(TYPE_CHECKED, cwd=generated.directory)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_strict(generated: Generated) -> None:
    result, report = pyright_strict(
        TYPE_CHECKED, config_dir=generated.directory, cwd=generated.directory
    )
    assert report["summary"]["filesAnalyzed"] == len(TYPE_CHECKED), result.stdout
    assert report["generalDiagnostics"] == [], result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
