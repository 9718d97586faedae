"""`<Service>NexusClient` (workflow code) and `<Service>StandaloneClient` (application code).

Both take the request message (none for `google.protobuf.Empty`), check it
against its buf.validate rules before anything is sent, apply the contract's
default endpoint and timeout, and pass the SDK's per-call options through.
"""

from datetime import timedelta

from protoc_gen_nexus_python import model
from protoc_gen_nexus_python.generators.shared import (
    DATETIME,
    EMPTY_PB2,
    MAPPING,
    NEXUSPROTO,
    TEMPORAL_CLIENT,
    TEMPORAL_WORKFLOW,
    message_type,
    quoted,
)
from protoc_gen_nexus_python.writer import PythonFile


def workflow_client_class(out: PythonFile, service: model.Service) -> None:
    workflow = out.module(TEMPORAL_WORKFLOW)
    with out.block(f"class {service.class_name}NexusClient:"):
        out.docstring(
            f"Calls {service.class_name} from workflow code, through a Nexus endpoint.\n"
            "\n"
            "Create it inside the workflow, as in\n"
            f"``client = {service.class_name}NexusClient({_endpoint_example(service)})``."
        )
        _timeout_constants(out, service)
        out.blank()
        with out.block(f"def __init__(self, {_endpoint_parameter(service)}) -> None:"):
            out.bracketed(
                f"self._client = {workflow}.create_nexus_client(",
                [f"service={service.class_name}", "endpoint=endpoint"],
                "",
            )
        cancellation = f"{workflow}.NexusOperationCancellationType"
        options = [
            ("schedule_to_start_timeout", _optional(out, "timedelta"), "None"),
            ("start_to_close_timeout", _optional(out, "timedelta"), "None"),
            ("cancellation_type", f"{cancellation} | None", "None"),
            ("summary", "str | None", "None"),
            ("headers", f"{out.ref_name(MAPPING, 'Mapping')}[str, str] | None", "None"),
        ]
        for operation in service.operations:
            handle = f"{workflow}.NexusOperationHandle[{message_type(out, operation.output)}]"
            _operation_pair(out, service, operation, options, handle, standalone=False)


def standalone_client_class(out: PythonFile, service: model.Service) -> None:
    client_module = out.module(TEMPORAL_CLIENT)
    with out.block(f"class {service.class_name}StandaloneClient:"):
        out.docstring(
            f"Calls {service.class_name} from application code, outside workflows.\n"
            "\n"
            "Each call is a standalone Nexus operation, as in\n"
            f"``{service.class_name}StandaloneClient(client{_endpoint_example(service, ', ')})``."
        )
        _timeout_constants(out, service)
        out.blank()
        out.bracketed(
            "def __init__(",
            ["self", f"client: {client_module}.Client", _endpoint_parameter(service)],
            " -> None:",
        )
        with out.indented():
            out.bracketed(
                "self._client = client.create_nexus_client(",
                [service.class_name, "endpoint"],
                "",
            )
        options = [
            ("id", "str | None", "None"),
            ("schedule_to_start_timeout", _optional(out, "timedelta"), "None"),
            ("start_to_close_timeout", _optional(out, "timedelta"), "None"),
            ("summary", "str | None", "None"),
            ("headers", f"{out.ref_name(MAPPING, 'Mapping')}[str, str] | None", "None"),
        ]
        for operation in service.operations:
            handle = f"{client_module}.NexusOperationHandle[{message_type(out, operation.output)}]"
            _operation_pair(out, service, operation, options, handle, standalone=True)


def _optional(out: PythonFile, name: str) -> str:
    return f"{out.ref_name(DATETIME, name)} | None"


def _endpoint_parameter(service: model.Service) -> str:
    if service.default_endpoint:
        return f"endpoint: str = {quoted(service.default_endpoint)}"
    return "endpoint: str"


def _endpoint_example(service: model.Service, prefix: str = "") -> str:
    return "" if service.default_endpoint else f'{prefix}endpoint="..."'


def _timeout(service: model.Service, operation: model.Operation) -> timedelta | None:
    return operation.schedule_to_close_timeout or service.default_schedule_to_close_timeout


def _timeout_constant(operation: model.Operation) -> str:
    return f"{operation.attribute.upper().rstrip('_')}_TIMEOUT"


def _timeout_constants(out: PythonFile, service: model.Service) -> None:
    """Class constants for the contract's default timeouts; defaults name them."""
    for operation in service.operations:
        timeout = _timeout(service, operation)
        if timeout is not None:
            out.blank()
            out.line(f"{_timeout_constant(operation)} = {_timedelta(out, timeout)}")


def _timedelta(out: PythonFile, value: timedelta) -> str:
    parts = []
    seconds = value.days * 86400 + value.seconds
    if seconds:
        parts.append(f"seconds={seconds}")
    if value.microseconds:
        parts.append(f"microseconds={value.microseconds}")
    return f"{out.ref_name(DATETIME, 'timedelta')}({', '.join(parts)})"


def _operation_pair(
    out: PythonFile,
    service: model.Service,
    operation: model.Operation,
    options: list[tuple[str, str, str]],
    handle: str,
    *,
    standalone: bool,
) -> None:
    timeout = _timeout(service, operation)
    timeout_default = f"{_timeout_constant(operation)}" if timeout is not None else "None"
    all_options = [
        options[0] if standalone else None,
        ("schedule_to_close_timeout", _optional(out, "timedelta"), timeout_default),
        *options[1 if standalone else 0 :],
    ]
    keyword_options = [option for option in all_options if option is not None]
    parameters = ["self"]
    if not operation.input.is_empty:
        parameters.append(f"request: {message_type(out, operation.input)}")
    parameters.append("*")
    parameters += [
        f"{name}: {annotation} = {default}" for name, annotation, default in keyword_options
    ]
    forwarded = [f"{name}={name}" for name, _, _ in keyword_options]
    arguments = ["request"] if not operation.input.is_empty else []
    doc = operation.comment or f"Operation {operation.name}."

    # op(): start, then wait for the result.
    out.blank()
    returns = "None" if operation.output.is_empty else message_type(out, operation.output)
    out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {returns}:")
    with out.indented():
        out.docstring(doc)
        out.bracketed(
            f"handle = await self.start_{operation.attribute}(", arguments + forwarded, ""
        )
        result = "await handle.result()" if standalone else "await handle"
        if operation.output.is_empty:
            out.line(result)
        else:
            out.line(f"return {result}")

    # start_op(): validate, then start.
    out.blank()
    out.bracketed(f"async def start_{operation.attribute}(", parameters, f" -> {handle}:")
    with out.indented():
        out.docstring(f"Starts {operation.attribute} and returns its handle.")
        if not standalone:
            # The SDK's default, spelled here because the full default does not
            # fit on a parameter line.
            with out.block("if cancellation_type is None:"):
                workflow = out.module(TEMPORAL_WORKFLOW)
                out.line(
                    f"cancellation_type = {workflow}.NexusOperationCancellationType.WAIT_COMPLETED"
                )
        if operation.input.is_empty:
            sent = f"{out.ref_name(EMPTY_PB2, 'Empty')}()"
        elif operation.validate and operation.input.has_validation_rules:
            sent = (
                f"{out.ref_name(NEXUSPROTO, 'checked_request')}(request, "
                f"service={quoted(service.name)}, operation={quoted(operation.name)})"
            )
            if not out.fits(f"    {sent},"):
                out.bracketed(
                    "checked = " + out.ref_name(NEXUSPROTO, "checked_request") + "(",
                    [
                        "request",
                        f"service={quoted(service.name)}",
                        f"operation={quoted(operation.name)}",
                    ],
                    "",
                )
                sent = "checked"
        else:
            sent = "request"
        call_options = forwarded
        if standalone:
            call_options = [
                f"id={out.ref_name(NEXUSPROTO, 'new_operation_id')}() if id is None else id"
                if option == "id=id"
                else option
                for option in forwarded
            ]
        out.bracketed(
            "return await self._client.start_operation(",
            [f"{service.class_name}.{operation.attribute}", sent, *call_options],
            "",
        )
