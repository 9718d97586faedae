"""`<Service>Handler`: the base class a team subclasses to implement a contract.

Plain operations are abstract methods; workflow-run operations have a
default body that starts the bound workflow, activity-backed operations one
that starts the bound activity, and operations bound to a long-lived workflow
one that updates (at once, or answered once accepted), signals or queries it.
The runtime base (`nexusproto.ServiceHandler`) turns a subclass into a
registered handler.
"""

from protoc_gen_nexus.python import model, naming
from protoc_gen_nexus.python.generators.shared import (
    ABC,
    NEXUSPROTO,
    NEXUSRPC,
    TEMPORAL_COMMON,
    TEMPORAL_NEXUS,
    payload_type,
    quoted,
    timedelta_value,
)
from protoc_gen_nexus.python.writer import (
    PythonFile,
    preferred_quote,
    string_body,
    string_literal,
)


def handler_class(out: PythonFile, service: model.Service) -> None:
    base = out.ref_name(NEXUSPROTO, "ServiceHandler")
    header = f"class {service.handler_class}({base}, service={service.class_name}):"
    with out.block(header):
        out.docstring(
            f"Handler of {service.class_name}: subclass it and implement the operations.\n"
            "\n"
            "Register an instance of the subclass on a worker, as in\n"
            "``Worker(client, task_queue=..., nexus_service_handlers=[handler])``.\n"
            "Plain operations must be overridden; operations bound to a workflow\n"
            "or an activity start, update, signal or query it unless overridden."
        )
        for operation in service.operations:
            out.blank()
            if operation.workflow_run is not None:
                _workflow_run_operation(out, operation, operation.workflow_run)
            elif operation.activity is not None:
                _activity_operation(out, operation, operation.activity)
            elif operation.entity is not None and operation.entity.asynchronous:
                _async_update_operation(out, operation, operation.entity)
            elif operation.entity is not None:
                _entity_operation(out, operation, operation.entity)
            else:
                _sync_operation(out, operation)


def _parameters(out: PythonFile, operation: model.Operation, context: str) -> list[str]:
    parameters = ["self", f"ctx: {context}"]
    if not operation.input.is_empty:
        parameters.append(f"request: {payload_type(out, operation.input)}")
    return parameters


def _sync_signature(out: PythonFile, operation: model.Operation) -> None:
    """Decorator and `async def` line of an operation answered at once."""
    flags = []
    if operation.validate_request:
        flags.append("validate_request=True")
    if operation.validate_response:
        flags.append("validate_response=True")
    out.bracketed(f"@{out.ref_name(NEXUSPROTO, 'operation')}(", flags, "")
    if operation.entity is None:
        out.line(f"@{out.ref_name(ABC, 'abstractmethod')}")
    context = out.ref_name(NEXUSRPC, "handler.StartOperationContext")
    returns = payload_type(out, operation.output)
    out.bracketed(
        f"async def {operation.attribute}(",
        _parameters(out, operation, context),
        f" -> {returns}:",
    )


def _sync_operation(out: PythonFile, operation: model.Operation) -> None:
    _sync_signature(out, operation)
    with out.indented():
        out.docstring(operation.comment or f"Operation {operation.name}.")


_ENTITY_CALLS = {
    "update": "update_workflow",
    "signal": "signal_workflow",
    "query": "query_workflow",
}


def _entity_operation(
    out: PythonFile, operation: model.Operation, entity: model.WorkflowEntity
) -> None:
    _sync_signature(out, operation)
    with out.indented():
        doc = operation.comment or f"Operation {operation.name}."
        reach = f"{entity.kind.capitalize()} {quoted(entity.handler_name)} of workflow "
        reach += entity.workflow_type
        if entity.start is not None:
            reach += " (started when none runs)"
        out.docstring(f"{doc}\n\n{reach};\noverride to reach it differently.")
        arguments = [
            "ctx",
            _workflow_id(out, entity.id_template),
            quoted(entity.handler_name),
            "None" if operation.input.is_empty else "request",
        ]
        if entity.kind != "signal":
            arguments.append(f"result_type={payload_type(out, operation.output)}")
        if entity.start is not None:
            arguments.append(f"start={_workflow_start(out, entity.start)}")
        call = out.ref_name(NEXUSPROTO, _ENTITY_CALLS[entity.kind])
        returned = "await" if entity.kind == "signal" else "return await"
        out.bracketed(f"{returned} {call}(", arguments, "")


def _temporal_signature(out: PythonFile, operation: model.Operation, marker: str) -> None:
    """Decorator and `async def` line of an operation that starts an update or an
    activity whose completion the caller awaits (a `temporal_operation`)."""
    flags = ["validate_request=True"] if operation.validate_request else []
    out.bracketed(f"@{out.ref_name(NEXUSPROTO, marker)}(", flags, "")
    context = out.ref_name(TEMPORAL_NEXUS, "TemporalStartOperationContext")
    parameters = [
        "self",
        f"ctx: {context}",
        f"client: {out.ref_name(TEMPORAL_NEXUS, 'TemporalNexusClient')}",
    ]
    if not operation.input.is_empty:
        parameters.append(f"request: {payload_type(out, operation.input)}")
    result = out.ref_name(TEMPORAL_NEXUS, "TemporalOperationResult")
    output = payload_type(out, operation.output)
    out.bracketed(f"async def {operation.attribute}(", parameters, f" -> {result}[{output}]:")


def _async_update_operation(
    out: PythonFile, operation: model.Operation, entity: model.WorkflowEntity
) -> None:
    _temporal_signature(out, operation, "async_update")
    with out.indented():
        doc = operation.comment or f"Operation {operation.name}."
        reach = f"Update {quoted(entity.handler_name)} of workflow {entity.workflow_type}"
        if entity.start is not None:
            reach += " (started when none runs)"
        out.docstring(
            f"{doc}\n\n{reach},\nanswered once the workflow accepts it; the operation "
            "completes when the\nupdate does. Override to reach it differently."
        )
        arguments = [
            "ctx",
            "client",
            _workflow_id(out, entity.id_template),
            quoted(entity.handler_name),
            "None" if operation.input.is_empty else "request",
            f"result_type={payload_type(out, operation.output)}",
        ]
        if entity.start is not None:
            arguments.append(f"start={_workflow_start(out, entity.start)}")
        call = out.ref_name(NEXUSPROTO, "start_workflow_update")
        out.bracketed(f"return await {call}(", arguments, "")


def _activity_operation(
    out: PythonFile, operation: model.Operation, binding: model.ActivityBinding
) -> None:
    _temporal_signature(out, operation, "activity")
    with out.indented():
        doc = operation.comment or f"Operation {operation.name}."
        argument = "no argument" if operation.input.is_empty else "the request as its argument"
        out.docstring(
            f"{doc}\n\nStarts activity {binding.activity_type} with {argument};\n"
            "its result is the operation's. Override to start it differently."
        )
        arguments = [quoted(binding.activity_type)]
        if not operation.input.is_empty:
            arguments.append("request")
        arguments.append(f"id={_workflow_id(out, binding.id_template, default='idempotency_key')}")
        if binding.task_queue:
            arguments.append(f"task_queue={quoted(binding.task_queue)}")
        if not operation.output.is_empty:
            arguments.append(f"result_type={payload_type(out, operation.output)}")
        for name in ("schedule_to_close_timeout", "start_to_close_timeout", "heartbeat_timeout"):
            value = getattr(binding, name)
            if value is not None:
                arguments.append(f"{name}={timedelta_value(out, value)}")
        if binding.retry_policy is not None:
            arguments.append(f"retry_policy={_retry_policy(out, binding.retry_policy)}")
        out.bracketed("return await client.start_activity(", arguments, "")


def _retry_policy(out: PythonFile, policy: model.RetryPolicy) -> str:
    """The `retry_policy=` argument's value."""
    arguments = []
    if policy.initial_interval is not None:
        arguments.append(f"initial_interval={timedelta_value(out, policy.initial_interval)}")
    if policy.backoff_coefficient is not None:
        arguments.append(f"backoff_coefficient={policy.backoff_coefficient!r}")
    if policy.maximum_interval is not None:
        arguments.append(f"maximum_interval={timedelta_value(out, policy.maximum_interval)}")
    if policy.maximum_attempts:
        arguments.append(f"maximum_attempts={policy.maximum_attempts}")
    if policy.non_retryable_error_types:
        names = ", ".join(quoted(name) for name in policy.non_retryable_error_types)
        arguments.append(f"non_retryable_error_types=[{names}]")
    return _argument_value(
        out, "retry_policy", out.ref_name(TEMPORAL_COMMON, "RetryPolicy"), arguments
    )


def _workflow_start(out: PythonFile, start: model.WorkflowStart) -> str:
    """The `start=` argument's value."""
    arguments = [quoted(start.workflow_type)]
    if start.task_queue:
        arguments.append(f"task_queue={quoted(start.task_queue)}")
    return _argument_value(out, "start", out.ref_name(NEXUSPROTO, "WorkflowStart"), arguments)


def _argument_value(out: PythonFile, name: str, call: str, arguments: list[str]) -> str:
    """The value of keyword argument `name`, `call(arguments)`: inline when it fits on
    the argument's line, else a local of that name assigned just before."""
    inline = f"{call}({', '.join(arguments)})"
    with out.indented():
        fits = out.fits(f"{name}={inline},")
    if fits:
        return inline
    out.bracketed(f"{name} = {call}(", arguments, "")
    return name


def _workflow_run_operation(
    out: PythonFile, operation: model.Operation, binding: model.WorkflowRun
) -> None:
    flags = ["validate_request=True"] if operation.validate_request else []
    out.bracketed(f"@{out.ref_name(NEXUSPROTO, 'workflow_run')}(", flags, "")
    context = out.ref_name(TEMPORAL_NEXUS, "WorkflowRunOperationContext")
    output = payload_type(out, operation.output)
    handle = f"{out.ref_name(TEMPORAL_NEXUS, 'WorkflowHandle')}[{output}]"
    out.bracketed(
        f"async def {operation.attribute}(",
        _parameters(out, operation, context),
        f" -> {handle}:",
    )
    with out.indented():
        _start_workflow_body(out, operation, binding, output)


def _start_workflow_body(
    out: PythonFile, operation: model.Operation, binding: model.WorkflowRun, output: str
) -> None:
    doc = operation.comment or f"Operation {operation.name}."
    out.docstring(
        f"{doc}\n\nStarts workflow {binding.workflow_type} with the request as its\n"
        "argument; override to start it differently."
    )
    arguments = [quoted(binding.workflow_type)]
    if not operation.input.is_empty:
        arguments.append("request")
    arguments.append(f"id={_workflow_id(out, binding.id_template)}")
    if binding.task_queue:
        arguments.append(f"task_queue={quoted(binding.task_queue)}")
    if not operation.output.is_empty:
        arguments.append(f"result_type={output}")
    if binding.id_reuse_policy:
        policy = out.ref_name(TEMPORAL_COMMON, f"WorkflowIDReusePolicy.{binding.id_reuse_policy}")
        arguments.append(f"id_reuse_policy={policy}")
    if binding.id_conflict_policy:
        policy = out.ref_name(
            TEMPORAL_COMMON, f"WorkflowIDConflictPolicy.{binding.id_conflict_policy}"
        )
        arguments.append(f"id_conflict_policy={policy}")
    out.bracketed("return await ctx.start_workflow(", arguments, "")


def _workflow_id(
    out: PythonFile,
    template: tuple[model.TemplatePart, ...],
    *,
    default: str = "default_workflow_id",
) -> str:
    """The ID a template builds from the request; with no template, `default(ctx)`, an
    ID derived from the Nexus request ID (the same for every retry of one start)."""
    if not template:
        return f"{out.ref_name(NEXUSPROTO, default)}(ctx)"
    if all(part.field is None for part in template):
        return string_literal("".join(part.literal for part in template))
    # Ruff picks the f-string's quotes from its literal text; the field access
    # inside takes the other kind, which Python before 3.12 requires.
    quote = preferred_quote("".join(part.literal for part in template))
    inner = "'" if quote == '"' else '"'
    text = ""
    for part in template:
        text += string_body(part.literal, quote).replace("{", "{{").replace("}", "}}")
        if part.field is not None:
            text += "{" + naming.attribute_access("request", part.field, quote=inner) + "}"
    return f"f{quote}{text}{quote}"
