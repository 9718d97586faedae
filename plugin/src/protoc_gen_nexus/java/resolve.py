"""The Java naming pass: the contract's model with every Java name decided.

Packages and message classes are those protoc-gen-java gives the same files
(`java_package`, `java_multiple_files`, `java_outer_classname`); the names this
plugin declares are built from the service's and operations' proto names and
checked against each other and against the classes protoc-gen-java declares in
the same package. What Java cannot express is a located GenerationError, never
Java that does not compile.
"""

from collections.abc import Iterator

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import model as contract
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.java import model, naming
from protoc_gen_nexus.java.parameters import Parameters
from protoc_gen_nexus.java.writer import JavaIdent
from protoc_gen_nexus.other_languages import refuse_kinds_not_generated
from protoc_gen_nexus.resolve import resolve as resolve_contract

_SIGNED = frozenset(["int32", "int64", "sint32", "sint64", "sfixed32", "sfixed64"])
_UNSIGNED = {
    "uint32": "unsigned int",
    "fixed32": "unsigned int",
    "uint64": "unsigned long",
    "fixed64": "unsigned long",
}
HANDLER = "Handler"
IMPLEMENTATION = "Implementation"
CALLER = "Caller"
SERVICE_NAME = "SERVICE_NAME"
DEFAULT_ENDPOINT = "DEFAULT_ENDPOINT"
TIMEOUTS = "TIMEOUTS"


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The Java model of every file protoc asked for that holds a Nexus service."""
    packages = _Packages(request)
    classes: dict[tuple[str, str], str] = {}
    files = []
    for file in resolve_contract(request, parameters):
        services = []
        for service in file.services:
            resolved = _service(file, service, packages)
            key = (resolved.package, resolved.class_name)
            other = classes.setdefault(key, f"{file.proto_path}, service {service.proto_name}")
            if other != f"{file.proto_path}, service {service.proto_name}":
                raise GenerationError(
                    f"service {service.proto_name} generates the Java class "
                    f"{_qualified(*key)}, as {other} does; rename one of the services or "
                    "give their files different java_package options",
                    service.location,
                )
            services.append(resolved)
        files.append(model.File(file, tuple(services)))
    return files


def _qualified(package: str, name: str) -> str:
    return f"{package}.{name}" if package else name


class _Packages:
    """The Java package and outer class of each file of the request, as
    protoc-gen-java decides them, and the top-level classes it declares per package."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest) -> None:
        self._files = {file.name: file for file in request.proto_file}
        self._outer: dict[str, str] = {}
        self._by_package: dict[str, dict[str, str]] | None = None

    def package(self, proto_file: str) -> str:
        file = self._files[proto_file]
        return file.options.java_package or file.package

    def multiple_files(self, proto_file: str) -> bool:
        return self._files[proto_file].options.java_multiple_files

    def outer_class(self, proto_file: str) -> str:
        found = self._outer.get(proto_file)
        if found is None:
            file = self._files[proto_file]
            found = file.options.java_outer_classname
            if not found:
                found = naming.default_outer_class(proto_file)
                if found in set(_file_type_names(file)):
                    found += "OuterClass"
            self._outer[proto_file] = found
        return found

    def classes(self, package: str) -> dict[str, str]:
        """Top-level classes protoc-gen-java declares in `package`, with the file of each."""
        if self._by_package is None:
            self._by_package = {}
            for name, file in self._files.items():
                declared = self._by_package.setdefault(self.package(name), {})
                declared.setdefault(self.outer_class(name), name)
                if file.options.java_multiple_files:
                    for message in file.message_type:
                        declared.setdefault(message.name, name)
                    for enum in file.enum_type:
                        declared.setdefault(enum.name, name)
        return self._by_package.get(package, {})


def _file_type_names(file: descriptor_pb2.FileDescriptorProto) -> Iterator[str]:
    """Every message, enum and service name of a file, nested ones too: an outer class
    named like one of them gets `OuterClass` appended."""

    def messages(items: object) -> Iterator[str]:
        for message in items:  # type: ignore[attr-defined]
            yield message.name
            yield from (enum.name for enum in message.enum_type)
            yield from messages(message.nested_type)

    yield from messages(file.message_type)
    yield from (enum.name for enum in file.enum_type)
    yield from (service.name for service in file.service)


def _java_package(package: str, proto_file: str, location: Location) -> str:
    if package and not all(naming.is_identifier(part) for part in package.split(".")):
        raise GenerationError(
            f"the Java package {package!r} of {proto_file} is not a Java package name (each "
            "part must be an identifier and no keyword); set option java_package in it",
            location,
        )
    return package


class _Names:
    """The names one generated class declares, checked as they are taken."""

    def __init__(self, class_name: str) -> None:
        self._taken: dict[str, str] = {class_name: "the generated class"}

    def take(self, name: str, owner: str, location: Location) -> str:
        other = self._taken.setdefault(name, owner)
        if other != owner:
            raise GenerationError(
                f"{owner} and {other} both generate the Java name {name}; rename one of them",
                location,
            )
        return name

    def declared(self) -> tuple[str, ...]:
        return tuple(self._taken)


def _service(file: contract.File, service: contract.Service, packages: _Packages) -> model.Service:
    where = service.location
    package = _java_package(packages.package(file.proto_path), file.proto_path, where)
    if not naming.is_identifier(service.proto_name):
        raise GenerationError(
            f"service {service.proto_name} cannot name a Java interface (a Java keyword); "
            "rename the service",
            where,
        )
    class_name = service.proto_name + "Nexus"
    declaring = packages.classes(package).get(class_name)
    if declaring is not None:
        raise GenerationError(
            f"service {service.proto_name} generates the Java class "
            f"{_qualified(package, class_name)}, which protoc-gen-java declares for "
            f"{declaring}; rename the service or the "
            "message (or java_outer_classname)",
            where,
        )
    names = _Names(class_name)
    owner = f"service {service.proto_name}"
    definition = names.take(service.proto_name, f"{owner} (its @Service interface)", where)
    handler = names.take(HANDLER, f"{owner} (its handler)", where)
    implementation = names.take(IMPLEMENTATION, f"{owner} (its @ServiceImpl class)", where)
    caller = names.take(CALLER, f"{owner} (its caller)", where)
    names.take(SERVICE_NAME, owner, where)
    names.take(TIMEOUTS, owner, where)
    if service.default_endpoint:
        names.take(DEFAULT_ENDPOINT, owner, where)
    operations = _operations(service, packages, names)
    workflows = _workflows(operations, names)
    return model.Service(
        contract=service,
        package=package,
        class_name=class_name,
        output_path=naming.output_path(package, class_name),
        definition=definition,
        handler=handler,
        implementation=implementation,
        caller=caller,
        operations=operations,
        workflows=workflows,
        declared=names.declared(),
        package_classes=tuple(sorted(packages.classes(package))),
    )


def _operations(
    service: contract.Service, packages: _Packages, names: _Names
) -> tuple[model.Operation, ...]:
    methods: dict[str, contract.Operation] = {}
    resolved = []
    for operation in service.operations:
        owner = f"{service.proto_name}.{operation.method_name}"
        refuse_kinds_not_generated(operation, owner, "protoc-gen-nexus-java", "Java")
        method = naming.method_name(operation.method_name)
        start = naming.start_method_name(operation.method_name)
        for taken in (method, start):
            other = methods.setdefault(taken, operation)
            if other is not operation:
                raise GenerationError(
                    f"{owner} and {service.proto_name}.{other.method_name} both generate the "
                    f"Java method {taken}; rename one of them",
                    operation.location,
                )
        constant = naming.constant_name(operation.method_name)
        name_constant = names.take(f"{constant}_OPERATION", owner, operation.location)
        workflow_constant = ""
        if operation.workflow_run is not None:
            workflow_constant = names.take(f"{constant}_WORKFLOW", owner, operation.location)
        elif operation.entity is not None:
            workflow_constant = names.take(f"{constant}_ENTITY", owner, operation.location)
        resolved.append(
            model.Operation(
                contract=operation,
                method=method,
                start_method=start,
                name_constant=name_constant,
                workflow_constant=workflow_constant,
                input=_message(operation.input, packages, operation.location),
                output=_message(operation.output, packages, operation.location),
                workflow_id=_workflow_id(operation),
            )
        )
    return tuple(resolved)


def _message(message: contract.Message, packages: _Packages, location: Location) -> model.Message:
    if message.is_empty:
        return model.Message(message, None)
    for part in message.qualname.split("."):
        if not naming.is_identifier(part):
            raise GenerationError(
                f"message {message.full_name} ({message.proto_file}) is named {part!r}, a "
                "Java keyword: protoc-gen-java's class would not compile; rename the message",
                location,
            )
    package = _java_package(packages.package(message.proto_file), message.proto_file, location)
    name = message.qualname
    if not packages.multiple_files(message.proto_file):
        name = f"{packages.outer_class(message.proto_file)}.{name}"
    return model.Message(message, JavaIdent(package, name))


def _workflow_id(operation: contract.Operation) -> tuple[model.TemplateTerm, ...] | None:
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
        kind = field.kind
        if field.repeated or (
            kind not in ("string", "enum") and kind not in _SIGNED and kind not in _UNSIGNED
        ):
            raise GenerationError(
                f"id_template field {part.field!r} is a "
                f"{'repeated ' if field.repeated else ''}{kind} field; Java output "
                "builds workflow IDs from string, integer and enum fields only (as the "
                "Python output formats them); use one of those",
                operation.location,
            )
        getter = naming.getter(part.field)
        if kind == "enum":
            terms.append(model.TemplateTerm(getter=getter + "Value", format="enum"))
        else:
            format_ = "" if kind == "string" else _UNSIGNED.get(kind, "number")
            terms.append(model.TemplateTerm(getter=getter, format=format_))
    return tuple(terms)


def _workflows(
    operations: tuple[model.Operation, ...], names: _Names
) -> tuple[model.Workflow, ...]:
    by_type: dict[str, list[model.Operation]] = {}
    for operation in operations:
        run = operation.contract.workflow_run
        if run is not None:
            by_type.setdefault(run.workflow_type, []).append(operation)
    workflows = []
    for workflow_type, bound in by_type.items():
        signatures = {(op.input.contract.full_name, op.output.contract.full_name) for op in bound}
        if len(signatures) != 1:
            continue  # no one method fits: the team declares its own workflow interface
        first = bound[0]
        interface = names.take(
            naming.type_name(workflow_type), f"workflow {workflow_type}", first.contract.location
        )
        workflows.append(
            model.Workflow(workflow_type, interface, first.input, first.output, tuple(bound))
        )
    return tuple(workflows)
