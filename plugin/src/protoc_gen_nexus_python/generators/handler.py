"""`<Service>Handler`: the base class a team subclasses to implement a contract.

Plain operations are abstract methods; workflow-run operations have a
default body that starts the bound workflow. The runtime base
(`nexusproto.ServiceHandler`) turns a subclass into a registered handler.
"""

from protoc_gen_nexus_python import model, naming
from protoc_gen_nexus_python.generators.shared import (
    ABC,
    NEXUSPROTO,
    NEXUSRPC,
    TEMPORAL_COMMON,
    TEMPORAL_NEXUS,
    payload_type,
    quoted,
)
from protoc_gen_nexus_python.writer import PythonFile, string_literal


def handler_class(out: PythonFile, service: model.Service) -> None:
    base = out.ref_name(NEXUSPROTO, "ServiceHandler")
    header = f"class {service.handler_class}({base}, service={service.class_name}):"
    with out.block(header):
        out.docstring(
            f"Handler of {service.class_name}: subclass it and implement the operations.\n"
            "\n"
            "Register an instance of the subclass on a worker, as in\n"
            "``Worker(client, task_queue=..., nexus_service_handlers=[handler])``.\n"
            "Plain operations must be overridden; workflow-run operations start\n"
            "their workflow unless overridden."
        )
        for operation in service.operations:
            out.blank()
            if operation.workflow_run is None:
                _sync_operation(out, operation)
            else:
                _workflow_run_operation(out, operation, operation.workflow_run)


def _parameters(out: PythonFile, operation: model.Operation, context: str) -> list[str]:
    parameters = ["self", f"ctx: {context}"]
    if not operation.input.is_empty:
        parameters.append(f"request: {payload_type(out, operation.input)}")
    return parameters


def _sync_operation(out: PythonFile, operation: model.Operation) -> None:
    flags = []
    if operation.validate_request:
        flags.append("validate_request=True")
    if operation.validate_response:
        flags.append("validate_response=True")
    out.bracketed(f"@{out.ref_name(NEXUSPROTO, 'operation')}(", flags, "")
    out.line(f"@{out.ref_name(ABC, 'abstractmethod')}")
    context = out.ref_name(NEXUSRPC, "handler.StartOperationContext")
    returns = payload_type(out, operation.output)
    out.bracketed(
        f"async def {operation.attribute}(",
        _parameters(out, operation, context),
        f" -> {returns}:",
    )
    with out.indented():
        out.docstring(operation.comment or f"Operation {operation.name}.")


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
    arguments.append(f"id={_workflow_id(out, binding)}")
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


def _workflow_id(out: PythonFile, binding: model.WorkflowRun) -> str:
    if not binding.id_template:
        return f"{out.ref_name(NEXUSPROTO, 'default_workflow_id')}(ctx)"
    if all(part.field is None for part in binding.id_template):
        return string_literal("".join(part.literal for part in binding.id_template))
    text = ""
    for part in binding.id_template:
        text += string_literal(part.literal)[1:-1].replace("{", "{{").replace("}", "}}")
        if part.field is not None:
            text += "{" + naming.attribute_access("request", part.field, quote="'") + "}"
    return f'f"{text}"'
