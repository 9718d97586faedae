"""One Nexus service and its operations, resolved into the model.

`Context` carries what every step needs (the request's options and messages,
the selection parameters, the file being resolved and its source locations), so the
functions here take it and the element at hand, nothing else.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from google.protobuf import descriptor_pb2

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.options import (
    NEXUS_OPERATION,
    NEXUS_SERVICE,
    NEXUSPROTO_OPERATION,
    NEXUSPROTO_SERVICE,
    OptionReader,
)
from protoc_gen_nexus.parameters import Selection
from protoc_gen_nexus.resolve import entities
from protoc_gen_nexus.resolve.activity import activity_binding
from protoc_gen_nexus.resolve.descriptors import (
    FILE_SERVICE,
    METHOD_OPTIONS,
    SERVICE_METHOD,
    SERVICE_OPTIONS,
    MessageIndex,
    SourceInfo,
)
from protoc_gen_nexus.resolve.durations import positive_duration
from protoc_gen_nexus.resolve.selection import is_nexus_service, selected, tags_of
from protoc_gen_nexus.resolve.validation import RuleDetector, validated
from protoc_gen_nexus.resolve.workflow_run import workflow_run

# What Temporal accepts as an endpoint name.
_ENDPOINT_NAME = re.compile(r"^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Context:
    options: OptionReader
    messages: MessageIndex
    has_rules: RuleDetector
    selection: Selection
    file: descriptor_pb2.FileDescriptorProto
    source: SourceInfo


@dataclass(frozen=True)
class _ServiceSettings:
    """What a service's `(nexusproto.v1.service)` option gives its operations."""

    default_endpoint: str = ""
    default_timeout: timedelta | None = None
    validate: bool = True


def resolve_services(context: Context) -> tuple[model.Service, ...]:
    services = []
    for index, service in enumerate(context.file.service):
        resolved = _service(context, index, service)
        if resolved is not None:
            services.append(resolved)
    return tuple(services)


def _service(
    context: Context, index: int, service: descriptor_pb2.ServiceDescriptorProto
) -> model.Service | None:
    options, selection = context.options, context.selection
    if not (selection.all_services or is_nexus_service(service, options)):
        return None
    annotation = options.get(service.options, NEXUS_SERVICE)
    tags = tags_of(annotation)
    if not selected(tags, selection.include_service_tags, selection.exclude_service_tags):
        return None
    path = (FILE_SERVICE, index)
    location = context.source.location(*path)
    package = context.file.package
    full_name = f"{package}.{service.name}" if package else service.name
    name = annotation.name if annotation is not None and annotation.name else full_name
    _check_wire_name(name, "service", location, "(nexusannotations.v1.service).name")
    settings = _service_settings(context, service, path)

    operations = []
    for method_index, method in enumerate(service.method):
        operation = _operation(
            context, service, path + (SERVICE_METHOD, method_index), method, settings
        )
        if operation is not None:
            operations.append(operation)
    if not operations:
        return None
    operations = entities.infer_workflow_types(service.name, operations)
    _check_wire_names_unique(service.name, operations)
    return model.Service(
        proto_name=service.name,
        full_name=full_name,
        name=name,
        comment=context.source.comment(*path),
        location=location,
        operations=tuple(operations),
        default_endpoint=settings.default_endpoint,
        tags=tags,
    )


def _service_settings(
    context: Context, service: descriptor_pb2.ServiceDescriptorProto, path: tuple[int, ...]
) -> _ServiceSettings:
    ours = context.options.get(service.options, NEXUSPROTO_SERVICE)
    if ours is None:
        return _ServiceSettings()
    number = context.options.extension_number(NEXUSPROTO_SERVICE)
    location = context.source.location(*path, SERVICE_OPTIONS, number)
    endpoint = ours.default_endpoint
    if endpoint and not _ENDPOINT_NAME.fullmatch(endpoint):
        raise GenerationError(
            f"(nexusproto.v1.service).default_endpoint {endpoint!r} is not a "
            "Nexus endpoint name: use letters, digits and '-', starting with a letter "
            "and not ending with '-'",
            location,
        )
    timeout = None
    if ours.HasField("default_schedule_to_close_timeout"):
        timeout = positive_duration(
            ours.default_schedule_to_close_timeout,
            "(nexusproto.v1.service).default_schedule_to_close_timeout",
            location,
        )
    return _ServiceSettings(
        default_endpoint=endpoint,
        default_timeout=timeout,
        validate=ours.validate if ours.HasField("validate") else True,
    )


def _operation(
    context: Context,
    service: descriptor_pb2.ServiceDescriptorProto,
    path: tuple[int, ...],
    method: descriptor_pb2.MethodDescriptorProto,
    settings: _ServiceSettings,
) -> model.Operation | None:
    options, selection = context.options, context.selection
    annotation = options.get(method.options, NEXUS_OPERATION)
    tags = tags_of(annotation)
    if not selected(tags, selection.include_operation_tags, selection.exclude_operation_tags):
        return None
    location = context.source.location(*path)
    if method.client_streaming or method.server_streaming:
        raise GenerationError(
            f"{service.name}.{method.name} is a streaming method; Nexus operations take one "
            "message and return one. Make it unary, move it to a service that is not a Nexus "
            "service, or exclude it with a tag (exclude-operation-tags)",
            location,
        )
    name = annotation.name if annotation is not None and annotation.name else method.name
    _check_wire_name(name, "operation", location, "(nexusannotations.v1.operation).name")
    input_type = context.messages.resolve(method.input_type, context.has_rules)
    output_type = context.messages.resolve(method.output_type, context.has_rules)

    run = None
    entity = None
    activity = None
    timeout = None
    validate = settings.validate
    ours = options.get(method.options, NEXUSPROTO_OPERATION)
    if ours is not None:
        number = options.extension_number(NEXUSPROTO_OPERATION)
        option_location = context.source.location(*path, METHOD_OPTIONS, number)
        binding = entities.binding_of(ours, option_location)
        if binding == "workflow_run":
            run = workflow_run(ours.workflow_run, input_type, option_location)
        elif binding == "activity":
            activity = activity_binding(ours.activity, input_type, option_location)
        elif binding is not None:
            entity = entities.workflow_entity(
                binding, getattr(ours, binding), input_type, output_type, option_location
            )
        if ours.HasField("schedule_to_close_timeout"):
            timeout = positive_duration(
                ours.schedule_to_close_timeout,
                "(nexusproto.v1.operation).schedule_to_close_timeout",
                option_location,
            )
        if ours.HasField("validate"):
            validate = ours.validate

    return model.Operation(
        method_name=method.name,
        name=name,
        input=input_type,
        output=output_type,
        comment=context.source.comment(*path),
        location=location,
        workflow_run=run,
        entity=entity,
        schedule_to_close_timeout=timeout or settings.default_timeout,
        validate_request=validated(validate, input_type.has_validation_rules),
        # A handler that starts a workflow or activity answers with a handle or token,
        # not a response; an asynchronous update's result arrives by callback.
        validate_response=(
            run is None
            and activity is None
            and not (entity is not None and entity.asynchronous)
            and validated(validate, output_type.has_validation_rules)
        ),
        tags=tags,
        activity=activity,
    )


def _check_wire_names_unique(service_name: str, operations: list[model.Operation]) -> None:
    by_wire: dict[str, model.Operation] = {}
    for operation in operations:
        other = by_wire.setdefault(operation.name, operation)
        if other is not operation:
            raise GenerationError(
                f"{service_name}.{operation.method_name} and {service_name}.{other.method_name}"
                f"{other.location.on_line()} both have the Nexus operation name "
                f"{operation.name!r}; give one a distinct (nexusannotations.v1.operation).name",
                operation.location,
            )


def _check_wire_name(name: str, what: str, location: Location, option: str) -> None:
    if name != name.strip() or not name:
        raise GenerationError(
            f"{what} name {name!r} is empty or has surrounding whitespace; fix {option}",
            location,
        )
