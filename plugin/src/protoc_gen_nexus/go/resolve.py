"""The Go naming pass: the contract's model with every Go name decided.

Import paths and message types are those protoc-gen-go gives the same files
(`go_package`, `M` mappings); the names this plugin declares are built from
the service's Go name and checked against each other and against the types
protoc-gen-go declares in the same package. What Go cannot express is a
located GenerationError, never broken Go.
"""

import re
from collections.abc import Iterator

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import model as contract
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.go import model, naming
from protoc_gen_nexus.go.parameters import Parameters
from protoc_gen_nexus.go.writer import GoIdent, GoImport
from protoc_gen_nexus.other_languages import refuse_kinds_not_generated
from protoc_gen_nexus.resolve import resolve as resolve_contract

_INTEGER_KINDS = frozenset(
    [
        "int32",
        "int64",
        "sint32",
        "sint64",
        "sfixed32",
        "sfixed64",
        "uint32",
        "uint64",
        "fixed32",
        "fixed64",
        "enum",
    ]
)
# Methods of every protoc-gen-go message: a field of the same Go name gets a `_`.
_MESSAGE_METHODS = frozenset(
    [
        "Reset",
        "String",
        "ProtoMessage",
        "Marshal",
        "Unmarshal",
        "ExtensionRangeArray",
        "ExtensionMap",
        "Descriptor",
    ]
)


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The Go model of every file protoc asked for that holds a Nexus service."""
    packages = _Packages(request, parameters)
    return [_file(file, packages, parameters) for file in resolve_contract(request, parameters)]


class _Packages:
    """Go import paths and package names of the request's files, and the names
    protoc-gen-go declares in each package."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> None:
        self._files = {file.name: file for file in request.proto_file}
        self._mapped = parameters.import_paths
        self._declared: dict[str, dict[str, str]] = {}
        self._by_import_path: dict[str, list[str]] | None = None
        self._imports: dict[str, GoImport] = {}

    def _go_package(self, proto_file: str) -> str:
        return self._mapped.get(proto_file) or self._files[proto_file].options.go_package

    def of(self, proto_file: str, location: Location) -> GoImport:
        """The Go package of a file's generated code, decided once per file."""
        found = self._imports.get(proto_file)
        if found is None:
            found = self._imports[proto_file] = self._import_of(proto_file, location)
        return found

    def _import_of(self, proto_file: str, location: Location) -> GoImport:
        go_package = self._go_package(proto_file)
        if not go_package:
            raise GenerationError(
                f"no Go import path for {proto_file}: set option go_package in it, or pass "
                f"M{proto_file}=IMPORT_PATH to protoc-gen-nexus-go (and to protoc-gen-go)",
                location,
            )
        path, package = naming.import_path_and_package(go_package)
        if not package.isidentifier() or package in naming.KEYWORDS:
            raise GenerationError(
                f"Go package name {package!r} of {proto_file} is not a Go identifier; fix "
                "its go_package (PATH;NAME) or M mapping",
                location,
            )
        return GoImport(path, package)

    def declared(self, import_path: str) -> dict[str, str]:
        """Names protoc-gen-go declares in the package, with the file declaring each
        (computed for the packages generated into, once each)."""
        if self._by_import_path is None:
            self._by_import_path = {}
            for name in self._files:
                go_package = self._go_package(name)
                if go_package:
                    path = naming.import_path_and_package(go_package)[0]
                    self._by_import_path.setdefault(path, []).append(name)
        found = self._declared.get(import_path)
        if found is None:
            found = self._declared[import_path] = {}
            for name in self._by_import_path.get(import_path, ()):
                for declared in _declared_types(self._files[name]):
                    found.setdefault(declared, name)
        return found


def _declared_types(file: descriptor_pb2.FileDescriptorProto) -> Iterator[str]:
    def messages(items: object, outer: str) -> Iterator[str]:
        for message in items:  # type: ignore[attr-defined]
            qualname = f"{outer}.{message.name}" if outer else message.name
            yield naming.message_type(qualname)
            for enum in message.enum_type:
                yield naming.message_type(f"{qualname}.{enum.name}")
            yield from messages(message.nested_type, qualname)

    yield from messages(file.message_type, "")
    for enum in file.enum_type:
        yield naming.go_camel_case(enum.name)


def _file(file: contract.File, packages: _Packages, parameters: Parameters) -> model.File:
    location = file.services[0].location
    own = packages.of(file.proto_path, location)
    prefix = naming.output_prefix(file.proto_path, own.path, parameters.source_relative)
    if parameters.module:
        if not prefix.startswith(parameters.module + "/"):
            raise GenerationError(
                f"module={parameters.module}: the Go import path {own.path} of "
                f"{file.proto_path} is not inside that module",
                location,
            )
        prefix = prefix[len(parameters.module) + 1 :]
    names = _Names(file.proto_path, packages.declared(own.path))
    services = tuple(_service(service, packages, names) for service in file.services)
    workflows = _workflows(services, names)
    return model.File(
        contract=file,
        output_path=naming.output_path(prefix),
        import_path=own.path,
        package=own.name,
        services=services,
        workflows=workflows,
        declared=names.declared(),
    )


class _Names:
    """The package-level names one file declares, checked as they are taken."""

    def __init__(self, proto_file: str, declared_by_protoc_gen_go: dict[str, str]) -> None:
        self._proto_file = proto_file
        self._protoc_gen_go = declared_by_protoc_gen_go
        self._taken: dict[str, str] = {}

    def declared(self) -> tuple[str, ...]:
        """Every package-level name the file declares, in the order taken."""
        return tuple(self._taken)

    def take(self, name: str, owner: str, location: Location) -> str:
        declaring = self._protoc_gen_go.get(name)
        if declaring is not None:
            raise GenerationError(
                f"{owner} generates the Go name {name}, which protoc-gen-go declares for a "
                f"message or enum of {declaring} in the same Go package; rename one of them",
                location,
            )
        other = self._taken.setdefault(name, owner)
        if other != owner:
            raise GenerationError(
                f"{owner} and {other} both generate the Go name {name}; rename one of them",
                location,
            )
        return name


def _service(service: contract.Service, packages: _Packages, names: _Names) -> model.Service:
    go_name = naming.go_camel_case(service.proto_name)
    owner = f"service {service.proto_name}"
    where = service.location

    def take(name: str) -> str:
        return names.take(name, owner, where)

    operations = _operations(service, go_name, packages, names)
    return model.Service(
        contract=service,
        go_name=go_name,
        name_constant=take(f"{go_name}ServiceName"),
        endpoint_constant=take(f"{go_name}DefaultEndpoint") if service.default_endpoint else "",
        handler=take(f"{go_name}NexusHandler"),
        unimplemented=take(f"Unimplemented{go_name}NexusHandler"),
        must_embed=f"mustEmbedUnimplemented{go_name}NexusHandler",
        constructor=take(f"New{go_name}NexusService"),
        workflow_client=take(f"{go_name}NexusClient"),
        workflow_client_constructor=take(f"New{go_name}NexusClient"),
        standalone_client=take(f"{go_name}StandaloneClient"),
        standalone_client_constructor=take(f"New{go_name}StandaloneClient"),
        operations=operations,
    )


def _operations(
    service: contract.Service, service_go_name: str, packages: _Packages, names: _Names
) -> tuple[model.Operation, ...]:
    methods: dict[str, contract.Operation] = {}
    resolved = []
    for operation in service.operations:
        go_name = naming.go_camel_case(operation.method_name)
        owner = f"{service.proto_name}.{operation.method_name}"
        refuse_kinds_not_generated(operation, owner, "protoc-gen-nexus-go", "Go")
        # Each operation adds `X` and `StartX` to the clients and `X` to the handler.
        for method in (go_name, "Start" + go_name):
            other = methods.setdefault(method, operation)
            if other is not operation:
                raise GenerationError(
                    f"{owner} and {service.proto_name}.{other.method_name} both generate the "
                    f"Go method {method}; rename one of them",
                    operation.location,
                )

        def take(name: str, owner: str = owner, operation: contract.Operation = operation) -> str:
            return names.take(name, owner, operation.location)

        prefix = service_go_name + go_name
        lower = prefix[:1].lower() + prefix[1:]
        has_timeout = operation.schedule_to_close_timeout is not None
        input_type = _message(operation.input, packages, operation.location)
        resolved.append(
            model.Operation(
                contract=operation,
                go_name=go_name,
                name_constant=take(f"{prefix}OperationName"),
                timeout_constant=take(f"{prefix}Timeout") if has_timeout else "",
                reference=take(f"{prefix}Operation"),
                call_contract=take(f"{lower}Call"),
                input=input_type,
                output=_message(operation.output, packages, operation.location),
                workflow_id=_workflow_id(operation),
            )
        )
    return tuple(resolved)


def _message(message: contract.Message, packages: _Packages, location: Location) -> model.Message:
    if message.is_empty:
        return model.Message(message, None)
    package = packages.of(message.proto_file, location)
    return model.Message(message, GoIdent(package, naming.message_type(message.qualname)))


def _workflow_id(operation: contract.Operation) -> model.Template | None:
    binding = operation.workflow_run or operation.entity
    if binding is None or not binding.id_template:
        return None
    kinds = {field.name: field for field in operation.input.fields}
    terms: list[model.TemplateTerm] = []
    for part in binding.id_template:
        if part.literal:
            terms.append(model.TemplateTerm(literal=part.literal))
        if part.field is None:
            continue
        field = kinds[part.field]
        if field.repeated or (field.kind != "string" and field.kind not in _INTEGER_KINDS):
            raise GenerationError(
                f"id_template field {part.field!r} is a "
                f"{'repeated ' if field.repeated else ''}{field.kind} field; Go output "
                "builds workflow IDs from string, integer and enum fields only (as the "
                "Python output formats them); use one of those",
                operation.location,
            )
        unsigned = field.kind.startswith(("uint", "fixed"))
        format_ = "" if field.kind == "string" else "FormatUint" if unsigned else "FormatInt"
        getter = f"Get{_field_go_name(part.field)}"
        terms.append(model.TemplateTerm(getter=getter, format=format_))
    return model.Template(tuple(terms))


def _field_go_name(field: str) -> str:
    name = naming.go_camel_case(field)
    return name + "_" if name in _MESSAGE_METHODS else name


_WORDS = re.compile(r"[^0-9A-Za-z]+")


def _workflows(services: tuple[model.Service, ...], names: _Names) -> tuple[model.Workflow, ...]:
    by_type: dict[str, list[model.Operation]] = {}
    for service in services:
        for operation in service.operations:
            run = operation.contract.workflow_run
            if run is not None:
                by_type.setdefault(run.workflow_type, []).append(operation)
    workflows = []
    for workflow_type, operations in by_type.items():
        words = [word for word in _WORDS.split(workflow_type) if word]
        go_name = "".join(word[:1].upper() + word[1:] for word in words)
        if not go_name or not go_name[0].isalpha():
            go_name = "Workflow" + go_name
        first = operations[0]
        owner = f"workflow {workflow_type}"
        signatures = {
            (op.input.contract.full_name, op.output.contract.full_name) for op in operations
        }
        one_signature = len(signatures) == 1
        workflows.append(
            model.Workflow(
                workflow_type=workflow_type,
                name_constant=names.take(f"{go_name}Name", owner, first.contract.location),
                function_type=(
                    names.take(f"{go_name}Func", owner, first.contract.location)
                    if one_signature
                    else ""
                ),
                register=(
                    names.take(f"Register{go_name}", owner, first.contract.location)
                    if one_signature
                    else ""
                ),
                input=first.input,
                output=first.output,
                operations=tuple(operations),
            )
        )
    return tuple(workflows)
