"""The TypeScript naming pass: the contract's model with every TypeScript name decided.

Message modules, types and schemas are those protoc-gen-es gives the same files;
the names this plugin declares are built from the service's name and checked
against each other and against TypeScript's reserved words. What TypeScript
output cannot express is a located GenerationError, never broken TypeScript.
"""

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import model as contract
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.other_languages import refuse_kinds_not_generated
from protoc_gen_nexus.resolve import resolve as resolve_contract
from protoc_gen_nexus.ts import model, naming
from protoc_gen_nexus.ts.parameters import Parameters
from protoc_gen_nexus.ts.writer import TsIdent

_TEMPLATE_KINDS = frozenset(
    [
        "string",
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
# protobuf-es ships the well-known types; protoc-gen-es imports them from here.
WKT_MODULE = "@bufbuild/protobuf/wkt"
FILE_NAMES = ("payloadConverter", "messageTypes")
"""Top-level names of every definition file, whatever its services."""


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The TypeScript model of every file protoc asked for that holds a Nexus service."""
    messages = _message_descriptors(request)
    clashes = _EsClashes(request)
    return [
        _file(file, messages, clashes, parameters) for file in resolve_contract(request, parameters)
    ]


class _EsClashes:
    """Types of one file that protoc-gen-es would give the same name (`Outer.Inner` and
    `Outer_Inner`): it renames all but the first (`Outer_Inner$1`), so generated code
    cannot know which name it gets. Computed per file, when first asked."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest) -> None:
        self._files = {file.name: file for file in request.proto_file}
        self._by_file: dict[str, dict[str, list[str]]] = {}

    def others(self, proto_file: str, qualname: str) -> list[str]:
        names = self._by_file.get(proto_file)
        if names is None:
            names = self._by_file[proto_file] = self._names(self._files[proto_file])
        return [other for other in names[naming.message_type(qualname)] if other != qualname]

    @staticmethod
    def _names(file: descriptor_pb2.FileDescriptorProto) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}

        def add(qualname: str) -> None:
            found.setdefault(naming.message_type(qualname), []).append(qualname)

        def messages(items: object, outer: str) -> None:
            for message in items:  # type: ignore[attr-defined]
                qualname = f"{outer}.{message.name}" if outer else message.name
                add(qualname)
                for enum in message.enum_type:
                    add(f"{qualname}.{enum.name}")
                messages(message.nested_type, qualname)

        messages(file.message_type, "")
        for enum in file.enum_type:
            add(enum.name)
        return found


def _message_descriptors(
    request: plugin_pb2.CodeGeneratorRequest,
) -> dict[str, descriptor_pb2.DescriptorProto]:
    found: dict[str, descriptor_pb2.DescriptorProto] = {}

    def add(prefix: str, items: object) -> None:
        for message in items:  # type: ignore[attr-defined]
            name = f"{prefix}.{message.name}" if prefix else message.name
            found[name] = message
            add(name, message.nested_type)

    for file in request.proto_file:
        add(file.package, file.message_type)
    return found


class _Names:
    """The top-level names one file's output declares, checked as they are taken."""

    def __init__(self) -> None:
        self._taken: dict[str, str] = dict.fromkeys(FILE_NAMES, "the generated file itself")

    def declared(self) -> frozenset[str]:
        return frozenset(self._taken)

    def take(self, name: str, owner: str, location: Location) -> str:
        if name in naming.RESERVED:
            raise GenerationError(
                f"{owner} generates the TypeScript name {name}, which is a reserved word "
                "or a global the generated code uses; rename it",
                location,
            )
        other = self._taken.setdefault(name, owner)
        if other != owner:
            raise GenerationError(
                f"{owner} and {other} both generate the TypeScript name {name}; rename one of them",
                location,
            )
        return name


def _file(
    file: contract.File,
    messages: dict[str, descriptor_pb2.DescriptorProto],
    clashes: _EsClashes,
    parameters: Parameters,
) -> model.File:
    stem = naming.output_stem(file.proto_path)
    definition_path = stem + ".ts"
    names = _Names()
    services = tuple(
        _service(service, names, definition_path, messages, clashes, parameters)
        for service in file.services
    )
    return model.File(
        contract=file,
        definition_path=definition_path,
        handler_path=stem + "_handler.ts",
        client_path=stem + "_client.ts",
        definition_module=naming.relative_module(
            definition_path, stem, parameters.import_extension
        ),
        services=services,
        runtime=parameters.runtime,
        declared=names.declared(),
    )


def _service(
    service: contract.Service,
    names: _Names,
    definition_path: str,
    messages: dict[str, descriptor_pb2.DescriptorProto],
    clashes: _EsClashes,
    parameters: Parameters,
) -> model.Service:
    upper = naming.upper_camel(service.proto_name)
    lower = naming.lower_camel(service.proto_name)
    owner = f"service {service.proto_name}"

    def take(name: str) -> str:
        return names.take(name, owner, service.location)

    definition = take(lower)
    return model.Service(
        contract=service,
        definition=definition,
        endpoint_constant=(
            take(f"{naming.constant_case(service.proto_name)}_DEFAULT_ENDPOINT")
            if service.default_endpoint
            else ""
        ),
        contract_constant=take(f"{lower}Contract"),
        workflow_client=take(f"{upper}WorkflowClient"),
        handlers=take(f"{upper}Handlers"),
        bindings=take(f"{lower}Bindings"),
        handler_factory=take(f"{lower}Handler"),
        standalone_client=take(f"{upper}StandaloneClient"),
        operations=_operations(service, definition_path, messages, clashes, parameters),
    )


def _operations(
    service: contract.Service,
    definition_path: str,
    messages: dict[str, descriptor_pb2.DescriptorProto],
    clashes: _EsClashes,
    parameters: Parameters,
) -> tuple[model.Operation, ...]:
    members: dict[str, contract.Operation] = {}
    resolved = []
    for operation in service.operations:
        key = naming.lower_camel(operation.method_name)
        start = "start" + key[:1].upper() + key[1:]
        owner = f"{service.proto_name}.{operation.method_name}"
        refuse_kinds_not_generated(operation, owner, "protoc-gen-nexus-ts", "TypeScript")
        if key in naming.RESERVED_MEMBERS:
            raise GenerationError(
                f"{owner} generates the member {key}, which a TypeScript object or class "
                "cannot declare; rename the method",
                operation.location,
            )
        for member in (key, start):
            other = members.setdefault(member, operation)
            if other is not operation:
                raise GenerationError(
                    f"{owner} and {service.proto_name}.{other.method_name} both generate the "
                    f"TypeScript member {member}; rename one of them",
                    operation.location,
                )
        resolved.append(
            model.Operation(
                contract=operation,
                key=key,
                start_method=start,
                input=_message(operation.input, definition_path, clashes, operation, parameters),
                output=_message(operation.output, definition_path, clashes, operation, parameters),
                workflow_id=_workflow_id(operation, messages),
            )
        )
    return tuple(resolved)


def _message(
    message: contract.Message,
    definition_path: str,
    clashes: _EsClashes,
    operation: contract.Operation,
    parameters: Parameters,
) -> model.Message:
    if message.is_empty:
        return model.Message(message, None, None)
    others = clashes.others(message.proto_file, message.qualname)
    if others:
        raise GenerationError(
            f"{message.full_name} and {', '.join(others)} of {message.proto_file} are both "
            f"named {naming.message_type(message.qualname)} by protoc-gen-es, which renames "
            "one of them; rename one, so that the message of operation "
            f"{operation.name} has a name of its own",
            operation.location,
        )
    if message.proto_file.startswith("google/protobuf/"):
        module = WKT_MODULE
    else:
        module = naming.relative_module(
            definition_path, naming.pb_module(message.proto_file), parameters.import_extension
        )
    return model.Message(
        message,
        TsIdent(module, naming.message_type(message.qualname)),
        TsIdent(module, naming.message_schema(message.qualname)),
    )


def _workflow_id(
    operation: contract.Operation, messages: dict[str, descriptor_pb2.DescriptorProto]
) -> tuple[model.TemplateTerm, ...] | None:
    binding = operation.workflow_run or operation.entity
    if binding is None or not binding.id_template:
        return None
    kinds = {field.name: field for field in operation.input.fields}
    descriptor = messages.get(operation.input.full_name)
    in_oneof = {
        field.name
        for field in (descriptor.field if descriptor is not None else ())
        if field.HasField("oneof_index") and not field.proto3_optional
    }
    terms: list[model.TemplateTerm] = []
    for part in binding.id_template:
        if part.literal:
            terms.append(model.TemplateTerm(literal=part.literal))
        if part.field is None:
            continue
        field = kinds[part.field]
        if field.repeated or field.kind not in _TEMPLATE_KINDS:
            raise GenerationError(
                f"id_template field {part.field!r} is a "
                f"{'repeated ' if field.repeated else ''}{field.kind} field; TypeScript output "
                "builds workflow IDs from string, integer and enum fields only (as the "
                "Python output formats them); use one of those",
                operation.location,
            )
        if part.field in in_oneof:
            raise GenerationError(
                f"id_template field {part.field!r} is a member of a oneof, which protobuf-es "
                "holds as a case and a value; use a field outside the oneof",
                operation.location,
            )
        terms.append(model.TemplateTerm(property=naming.field_property(part.field)))
    return tuple(terms)
