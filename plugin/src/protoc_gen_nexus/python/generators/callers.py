"""`<Service>NexusClient` (workflow code) and `<Service>StandaloneClient` (application code).

Both take the request message (none for `google.protobuf.Empty`), check it
against its buf.validate rules before anything is sent, apply the contract's
default endpoint and timeout, and pass the SDK's per-call options through as
typed keyword arguments (`**options: Unpack[nexusproto.WorkflowCallOptions]`).
"""

from dataclasses import dataclass

from protoc_gen_nexus.python import model
from protoc_gen_nexus.python.generators.shared import (
    NEXUSPROTO,
    TEMPORAL_CLIENT,
    TEMPORAL_WORKFLOW,
    TYPING_EXTENSIONS,
    payload_type,
    quoted,
    timedelta_value,
)
from protoc_gen_nexus.python.writer import PythonFile


@dataclass(frozen=True)
class _Flavour:
    """What differs between the workflow and the standalone client."""

    class_name: str
    doc: str
    options_type: str
    handle_module: str
    result: str


def workflow_client_class(out: PythonFile, service: model.Service) -> None:
    flavour = _Flavour(
        class_name=service.workflow_client_class,
        doc=(
            f"Calls {service.class_name} from workflow code, through a Nexus endpoint.\n\n"
            "Create it inside the workflow, as in\n"
            f"``client = {service.workflow_client_class}({_endpoint_example(service)})``."
        ),
        options_type="WorkflowCallOptions",
        handle_module=out.module(TEMPORAL_WORKFLOW),
        result="await handle",
    )
    with out.block(f"class {flavour.class_name}:"):
        out.docstring(flavour.doc)
        _timeout_constants(out, service)
        out.blank()
        with out.block(f"def __init__(self, {_endpoint_parameter(service)}) -> None:"):
            out.bracketed(
                f"self._client = {out.module(TEMPORAL_WORKFLOW)}.create_nexus_client(",
                [f"service={service.class_name}", "endpoint=endpoint"],
                "",
            )
        for operation in service.operations:
            _operation_pair(out, service, operation, flavour)


def standalone_client_class(out: PythonFile, service: model.Service) -> None:
    client_module = out.module(TEMPORAL_CLIENT)
    flavour = _Flavour(
        class_name=service.standalone_client_class,
        doc=(
            f"Calls {service.class_name} from application code, outside workflows.\n\n"
            "Each call is a standalone Nexus operation, as in\n"
            f"``{service.standalone_client_class}(client{_endpoint_example(service, ', ')})``."
        ),
        options_type="StandaloneCallOptions",
        handle_module=client_module,
        result="await handle.result()",
    )
    with out.block(f"class {flavour.class_name}:"):
        out.docstring(flavour.doc)
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
        for operation in service.operations:
            _operation_pair(out, service, operation, flavour)


def _endpoint_parameter(service: model.Service) -> str:
    if service.default_endpoint:
        return f"endpoint: str = {quoted(service.default_endpoint)}"
    return "endpoint: str"


def _endpoint_example(service: model.Service, prefix: str = "") -> str:
    return "" if service.default_endpoint else f'{prefix}endpoint="..."'


def _timeout_constants(out: PythonFile, service: model.Service) -> None:
    """Class constants for the contract's default timeouts, the calls' defaults."""
    timed = [op for op in service.operations if op.schedule_to_close_timeout is not None]
    if timed:
        out.blank()
    for operation in timed:
        assert operation.schedule_to_close_timeout is not None
        value = timedelta_value(out, operation.schedule_to_close_timeout)
        out.line(f"{operation.timeout_constant} = {value}")


def _operation_pair(
    out: PythonFile, service: model.Service, operation: model.Operation, flavour: _Flavour
) -> None:
    options = (
        f"**options: {out.ref_name(TYPING_EXTENSIONS, 'Unpack')}"
        f"[{out.ref_name(NEXUSPROTO, flavour.options_type)}]"
    )
    parameters = ["self"]
    arguments = []
    if not operation.input.is_empty:
        parameters.append(f"request: {payload_type(out, operation.input)}")
        arguments.append("request")
    parameters.append(options)
    arguments.append("**options")

    # op(): start, then wait for the result.
    out.blank()
    returns = payload_type(out, operation.output)
    out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {returns}:")
    with out.indented():
        out.docstring(operation.comment or f"Operation {operation.name}.")
        out.bracketed(f"handle = await self.{operation.start_method}(", arguments, "")
        out.line(flavour.result if operation.output.is_empty else f"return {flavour.result}")

    # start_op(): defaults, validation, then start.
    out.blank()
    handle = f"{flavour.handle_module}.NexusOperationHandle[{payload_type(out, operation.output)}]"
    out.bracketed(f"async def {operation.start_method}(", parameters, f" -> {handle}:")
    with out.indented():
        out.docstring(f"Starts {operation.attribute} and returns its handle.")
        if operation.schedule_to_close_timeout is not None:
            out.bracketed(
                "options.setdefault(",
                ['"schedule_to_close_timeout"', f"self.{operation.timeout_constant}"],
                "",
            )
        if flavour.options_type == "StandaloneCallOptions":
            out.line(f'options.setdefault("id", {out.ref_name(NEXUSPROTO, "new_operation_id")}())')
        out.bracketed(
            "return await self._client.start_operation(",
            [
                f"{service.class_name}.{operation.attribute}",
                _sent(out, service, operation),
                "**options",
            ],
            "",
        )


def _sent(out: PythonFile, service: model.Service, operation: model.Operation) -> str:
    """The request argument; a validated request is named first when it does not fit inline."""
    if operation.input.is_empty:
        return "None"
    if not operation.validate_request:
        return "request"
    checked = out.ref_name(NEXUSPROTO, "checked_request")
    arguments = [
        "request",
        f"service={quoted(service.name)}",
        f"operation={quoted(operation.name)}",
    ]
    inline = f"{checked}({', '.join(arguments)})"
    with out.indented():
        if out.fits(inline + ","):
            return inline
    out.bracketed(f"checked = {checked}(", arguments, "")
    return "checked"
