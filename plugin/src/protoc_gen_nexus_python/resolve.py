"""Turns a CodeGeneratorRequest into the model, deciding every name and option.

Every problem a proto author can cause is raised here as a GenerationError
with a location, so the generators only ever see a valid model.
"""

import keyword
import re
import string
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus_python import model, naming
from protoc_gen_nexus_python.errors import GenerationError, Location
from protoc_gen_nexus_python.options import (
    NEXUS_OPERATION,
    NEXUS_SERVICE,
    NEXUSPROTO_OPERATION,
    NEXUSPROTO_SERVICE,
    VALIDATE_FIELD,
    VALIDATE_MESSAGE,
    VALIDATE_ONEOF,
    OptionReader,
)
from protoc_gen_nexus_python.parameters import Parameters

# Field numbers in descriptor.proto, for paths into SourceCodeInfo.
_FILE_SERVICE = 6
_SERVICE_METHOD = 2
_METHOD_OPTIONS = 4
_SERVICE_OPTIONS = 3
_NEXUSPROTO_SERVICE_NUMBER = 8245
_NEXUSPROTO_OPERATION_NUMBER = 8246

# What Temporal accepts as an endpoint name.
_ENDPOINT_NAME = re.compile(r"^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$")

_ID_REUSE_POLICIES = {
    1: "ALLOW_DUPLICATE",
    2: "ALLOW_DUPLICATE_FAILED_ONLY",
    3: "REJECT_DUPLICATE",
    4: "TERMINATE_IF_RUNNING",
}
_ID_CONFLICT_POLICIES = {1: "FAIL", 2: "USE_EXISTING", 3: "TERMINATE_EXISTING"}


class _SourceInfo:
    """Locations and comments of one file, by descriptor path."""

    def __init__(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        self.file_name = file.name
        self._by_path: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location] = {}
        # Only services are ever looked up; keeping just their locations skips
        # the many of messages and fields (and keeps `location`'s scan short).
        for location in file.source_code_info.location:
            path = location.path
            if path and path[0] == _FILE_SERVICE:
                self._by_path.setdefault(tuple(path), location)

    def location(self, *path: int) -> Location:
        """The location of `path`, or of the first element found below it."""
        found = self._by_path.get(path)
        if found is None:
            below = [p for p in self._by_path if p[: len(path)] == path]
            found = self._by_path[min(below)] if below else None
        if found is None or len(found.span) < 2:
            return Location(self.file_name)
        return Location(self.file_name, found.span[0] + 1, found.span[1] + 1)

    def comment(self, *path: int) -> str:
        found = self._by_path.get(path)
        if found is None:
            return ""
        text: str | bytes = found.leading_comments
        if isinstance(text, bytes):
            # protoc passes comments on as the file has them, and protobuf hands
            # one that is not UTF-8 (a Latin-1 file, say) over as bytes.
            text = text.decode("utf-8", errors="replace")
        return textwrap.dedent(text).strip()


class _MessageIndex:
    """Every message in the request, by full name."""

    def __init__(
        self,
        files: list[descriptor_pb2.FileDescriptorProto],
        options: OptionReader,
        parameters: Parameters,
    ) -> None:
        self._options = options
        self._parameters = parameters
        self._found: dict[
            str, tuple[descriptor_pb2.FileDescriptorProto, str, descriptor_pb2.DescriptorProto]
        ] = {}
        self._has_rules: dict[str, bool] = {}
        for file in files:
            prefix = f".{file.package}." if file.package else "."
            for message, qualname in _walk_messages(file.message_type, ""):
                self._found[prefix + qualname] = (file, qualname, message)

    def resolve(self, type_name: str) -> model.Message:
        file, qualname, message = self._found[type_name]
        return model.Message(
            full_name=type_name.lstrip("."),
            python_module=self._parameters.python_module(naming.pb2_module(file.name)),
            qualname=qualname,
            field_names=tuple(field.name for field in message.field),
            has_validation_rules=self._has_rules_at(type_name),
        )

    def _has_rules_at(self, type_name: str) -> bool:
        if type_name not in self._has_rules:
            self._has_rules[type_name] = self._rules_in(type_name, set())
        return self._has_rules[type_name]

    def _rules_in(self, type_name: str, visiting: set[str]) -> bool:
        if type_name in self._has_rules:
            return self._has_rules[type_name]
        if type_name in visiting or type_name not in self._found:
            return False
        visiting.add(type_name)
        _, _, message = self._found[type_name]
        found = (
            self._options.get(message.options, VALIDATE_MESSAGE) is not None
            or any(
                self._options.get(o.options, VALIDATE_ONEOF) is not None for o in message.oneof_decl
            )
            or any(self._options.get(f.options, VALIDATE_FIELD) is not None for f in message.field)
            or any(
                self._rules_in(f.type_name, visiting)
                for f in message.field
                if f.type == descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
            )
        )
        # Only "yes" is kept from below the top of a search: a message still on
        # the search path counts as "no" there just to end a cycle, so a "no"
        # that depends on it is not the message's own answer.
        if found:
            self._has_rules[type_name] = True
        return found


def _walk_messages(
    messages: Any, outer: str
) -> Iterator[tuple[descriptor_pb2.DescriptorProto, str]]:
    for message in messages:
        qualname = f"{outer}.{message.name}" if outer else message.name
        yield message, qualname
        yield from _walk_messages(message.nested_type, qualname)


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The model of every file protoc asked for that holds at least one Nexus service."""
    files = list(request.proto_file)
    options = OptionReader(files)
    messages = _MessageIndex(files, options, parameters)
    by_name = {file.name: file for file in files}
    resolved = []
    for name in request.file_to_generate:
        file = _resolve_file(by_name[name], options, messages, parameters)
        if file.services:
            resolved.append(file)
    return resolved


def _resolve_file(
    file: descriptor_pb2.FileDescriptorProto,
    options: OptionReader,
    messages: _MessageIndex,
    parameters: Parameters,
) -> model.File:
    if not file.service:
        # Messages only: nothing to generate, and no source locations to index.
        return model.File(
            proto_path=file.name,
            output_path=naming.nexus_output_path(file.name),
            services=(),
        )
    source = _SourceInfo(file)
    services = []
    for index, service in enumerate(file.service):
        resolved = _resolve_service(file, index, service, source, options, messages, parameters)
        if resolved is not None:
            services.append(resolved)
    _check_class_names(services)
    return model.File(
        proto_path=file.name,
        output_path=naming.nexus_output_path(file.name),
        services=tuple(services),
    )


def _is_nexus_service(
    service: descriptor_pb2.ServiceDescriptorProto, options: OptionReader
) -> bool:
    if options.get(service.options, NEXUS_SERVICE) is not None:
        return True
    if options.get(service.options, NEXUSPROTO_SERVICE) is not None:
        return True
    return any(
        options.get(method.options, NEXUS_OPERATION) is not None
        or options.get(method.options, NEXUSPROTO_OPERATION) is not None
        for method in service.method
    )


def _selected(tags: tuple[str, ...], include: frozenset[str], exclude: frozenset[str]) -> bool:
    if include and not include.intersection(tags):
        return False
    return not exclude.intersection(tags)


def _resolve_service(
    file: descriptor_pb2.FileDescriptorProto,
    index: int,
    service: descriptor_pb2.ServiceDescriptorProto,
    source: _SourceInfo,
    options: OptionReader,
    messages: _MessageIndex,
    parameters: Parameters,
) -> model.Service | None:
    if not (parameters.all_services or _is_nexus_service(service, options)):
        return None
    path = (_FILE_SERVICE, index)
    location = source.location(*path)
    annotations = options.get(service.options, NEXUS_SERVICE)
    ours = options.get(service.options, NEXUSPROTO_SERVICE)
    tags = tuple(annotations.tags) if annotations is not None else ()
    if not _selected(tags, parameters.include_service_tags, parameters.exclude_service_tags):
        return None
    full_name = f"{file.package}.{service.name}" if file.package else service.name
    name = annotations.name if annotations is not None and annotations.name else full_name
    _check_wire_name(name, "service", location, "(nexusannotations.v1.service).name")

    default_timeout = None
    validate_service = True
    default_endpoint = ""
    if ours is not None:
        option_location = source.location(*path, _SERVICE_OPTIONS, _NEXUSPROTO_SERVICE_NUMBER)
        default_endpoint = ours.default_endpoint
        if default_endpoint and not _ENDPOINT_NAME.fullmatch(default_endpoint):
            raise GenerationError(
                f"(nexusproto.v1.service).default_endpoint {default_endpoint!r} is not a "
                "Nexus endpoint name: use letters, digits and '-', starting with a letter "
                "and not ending with '-'",
                option_location,
            )
        if ours.HasField("default_schedule_to_close_timeout"):
            default_timeout = _timeout(
                ours.default_schedule_to_close_timeout,
                "(nexusproto.v1.service).default_schedule_to_close_timeout",
                option_location,
            )
        if ours.HasField("validate"):
            validate_service = ours.validate

    operations = []
    for method_index, method in enumerate(service.method):
        operation = _resolve_operation(
            service,
            path + (_SERVICE_METHOD, method_index),
            method,
            source,
            options,
            messages,
            parameters,
            validate_service,
        )
        if operation is not None:
            operations.append(operation)
    if not operations:
        return None
    _check_operation_names(service.name, operations)
    return model.Service(
        proto_name=service.name,
        full_name=full_name,
        name=name,
        class_name=naming.class_identifier(service.name),
        comment=source.comment(*path),
        tags=tags,
        location=location,
        operations=tuple(operations),
        default_endpoint=default_endpoint,
        default_schedule_to_close_timeout=default_timeout,
    )


def _resolve_operation(
    service: descriptor_pb2.ServiceDescriptorProto,
    path: tuple[int, ...],
    method: descriptor_pb2.MethodDescriptorProto,
    source: _SourceInfo,
    options: OptionReader,
    messages: _MessageIndex,
    parameters: Parameters,
    validate_service: bool,
) -> model.Operation | None:
    location = source.location(*path)
    annotations = options.get(method.options, NEXUS_OPERATION)
    ours = options.get(method.options, NEXUSPROTO_OPERATION)
    tags = tuple(annotations.tags) if annotations is not None else ()
    if not _selected(tags, parameters.include_operation_tags, parameters.exclude_operation_tags):
        return None
    if method.client_streaming or method.server_streaming:
        raise GenerationError(
            f"{service.name}.{method.name} is a streaming method; Nexus operations take one "
            "message and return one. Make it unary, move it to a service that is not a Nexus "
            "service, or exclude it with a tag (exclude-operation-tags)",
            location,
        )
    name = annotations.name if annotations is not None and annotations.name else method.name
    _check_wire_name(name, "operation", location, "(nexusannotations.v1.operation).name")
    attribute = naming.safe_identifier(naming.snake_case(method.name).lstrip("_"))
    if not attribute.isidentifier():  # empty, or a digit first (`_1Go` -> `1go`)
        raise GenerationError(
            f"method name {method.name!r} gives no usable Python name; rename the method",
            location,
        )
    input_type = messages.resolve(method.input_type)
    output_type = messages.resolve(method.output_type)
    for message in (input_type, output_type):
        keywords = [part for part in message.qualname.split(".") if keyword.iskeyword(part)]
        if keywords:
            raise GenerationError(
                f"{service.name}.{method.name} uses message {message.full_name}, whose name "
                f"part {keywords[0]!r} is a Python keyword, so Python code cannot refer to it "
                f"(protoc's own {message.python_module} cannot either); rename the message",
                location,
            )
        unusable = [
            part
            for part in message.python_module.split(".")
            if not part.isidentifier() or keyword.iskeyword(part)
        ]
        if unusable:
            raise GenerationError(
                f"{service.name}.{method.name} uses message {message.full_name} from module "
                f"{message.python_module}, which Python code cannot import: {unusable[0]!r} "
                "is not a module name. Rename the directory, or map the module elsewhere "
                "with module-map",
                location,
            )

    workflow_run = None
    timeout = None
    validate = validate_service
    if ours is not None:
        option_location = source.location(*path, _METHOD_OPTIONS, _NEXUSPROTO_OPERATION_NUMBER)
        if ours.HasField("workflow_run"):
            workflow_run = _workflow_run(ours.workflow_run, input_type, option_location)
        if ours.HasField("schedule_to_close_timeout"):
            timeout = _timeout(
                ours.schedule_to_close_timeout,
                "(nexusproto.v1.operation).schedule_to_close_timeout",
                option_location,
            )
        if ours.HasField("validate"):
            validate = ours.validate

    return model.Operation(
        method_name=method.name,
        name=name,
        attribute=attribute,
        input=input_type,
        output=output_type,
        comment=source.comment(*path),
        tags=tags,
        location=location,
        workflow_run=workflow_run,
        schedule_to_close_timeout=timeout,
        validate=validate,
    )


def _check_wire_name(name: str, what: str, location: Location, option: str) -> None:
    if name != name.strip() or not name:
        raise GenerationError(
            f"{what} name {name!r} is empty or has surrounding whitespace; fix {option}",
            location,
        )


# google.protobuf.Duration's documented range: about 10,000 years, nanos below a second.
_MAX_DURATION_SECONDS = 315_576_000_000
_MAX_DURATION_NANOS = 999_999_999


def _timeout(duration: Any, option: str, location: Location) -> timedelta:
    if (
        duration.seconds < 0
        or duration.nanos < 0
        or (duration.seconds == 0 and duration.nanos == 0)
    ):
        raise GenerationError(f"{option} must be a positive duration", location)
    if duration.seconds > _MAX_DURATION_SECONDS or duration.nanos > _MAX_DURATION_NANOS:
        raise GenerationError(
            f"{option} is outside google.protobuf.Duration's range (seconds up to "
            f"{_MAX_DURATION_SECONDS}, nanos up to {_MAX_DURATION_NANOS})",
            location,
        )
    value = timedelta(seconds=duration.seconds, microseconds=duration.nanos // 1000)
    if not value:
        # Python's timedelta counts microseconds; zero would mean no timeout at all.
        raise GenerationError(f"{option} must be at least one microsecond", location)
    return value


def _workflow_run(option: Any, input_type: model.Message, location: Location) -> model.WorkflowRun:
    workflow_type = option.workflow_type.strip()
    if not workflow_type or workflow_type != option.workflow_type:
        raise GenerationError(
            "(nexusproto.v1.operation).workflow_run needs workflow_type, the name of the "
            "workflow to start, without surrounding whitespace",
            location,
        )
    template = option.id_template
    if template:
        _check_id_template(template, input_type, location)
    reuse = _policy(option.id_reuse_policy, _ID_REUSE_POLICIES, "id_reuse_policy", location)
    conflict = _policy(
        option.id_conflict_policy, _ID_CONFLICT_POLICIES, "id_conflict_policy", location
    )
    return model.WorkflowRun(
        workflow_type=workflow_type,
        id_template=template,
        task_queue=option.task_queue.strip(),
        id_reuse_policy=reuse,
        id_conflict_policy=conflict,
    )


def _policy(value: int, names: dict[int, str], option: str, location: Location) -> str:
    """The Temporal enum member for a policy value; empty when unset (the SDK default)."""
    if not value:
        return ""
    if value not in names:
        raise GenerationError(f"unknown workflow_run.{option} value {value}", location)
    return names[value]


def _check_id_template(template: str, input_type: model.Message, location: Location) -> None:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise GenerationError(
            f"workflow_run.id_template {template!r} is not a valid template ({error}); "
            'write request fields in braces, as in "charge-{customer_id}", and double '
            "braces for literal ones",
            location,
        ) from None
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion:
            raise GenerationError(
                f"workflow_run.id_template {template!r}: write {{{field}}} without a "
                "conversion or format spec",
                location,
            )
        if field not in input_type.field_names:
            known = ", ".join(input_type.field_names) or "none"
            raise GenerationError(
                f"workflow_run.id_template {template!r} names field {field!r}, which "
                f"{input_type.full_name} does not have (its fields: {known})",
                location,
            )


def _on_line(location: Location) -> str:
    """` (line N)` for naming the other element of a clash; nothing when no line is known."""
    return f" (line {location.line})" if location.line else ""


def _check_operation_names(service_name: str, operations: list[model.Operation]) -> None:
    """Two operations may share neither a wire name nor any generated Python name."""
    by_wire: dict[str, model.Operation] = {}
    by_python: dict[str, model.Operation] = {}
    for operation in operations:
        other = by_wire.get(operation.name)
        if other is not None:
            raise GenerationError(
                f"{service_name}.{operation.method_name} and {service_name}.{other.method_name}"
                f"{_on_line(other.location)} both have the Nexus operation name "
                f"{operation.name!r}; give one a distinct (nexusannotations.v1.operation).name",
                operation.location,
            )
        by_wire[operation.name] = operation
        for python_name in (operation.attribute, f"start_{operation.attribute}"):
            other = by_python.get(python_name)
            if other is not None and other is not operation:
                raise GenerationError(
                    f"{service_name}.{operation.method_name} and {service_name}."
                    f"{other.method_name}{_on_line(other.location)} both generate the "
                    f"Python name {python_name!r}; rename one of the methods",
                    operation.location,
                )
            by_python[python_name] = operation


GENERATED_CLASS_SUFFIXES = ("", "Handler", "NexusClient", "StandaloneClient")


def _check_class_names(services: list[model.Service]) -> None:
    seen: dict[str, model.Service] = {}
    for service in services:
        for suffix in GENERATED_CLASS_SUFFIXES:
            name = service.class_name + suffix
            other = seen.get(name)
            if other is not None:
                raise GenerationError(
                    f"services {service.proto_name} and {other.proto_name}"
                    f"{_on_line(other.location)} both generate the Python class {name!r}; "
                    "rename one of them or move it to another file",
                    service.location,
                )
            seen[name] = service
