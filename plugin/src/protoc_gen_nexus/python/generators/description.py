"""`NEXUS_CONTRACT`: the module's description of its own contract, for tools to read.

What the generator decided (names, kinds, bindings, defaults, validation) as a
`nexusproto.description.ContractDescription`, so that `nexusproto describe`,
`call` and `nexusproto.contracts` read it rather than work it out again. Every
call is written exploded, with trailing commas, which ruff keeps as it is.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from protoc_gen_nexus.model import template_text
from protoc_gen_nexus.python import model
from protoc_gen_nexus.python.generators.shared import quoted, timedelta_value
from protoc_gen_nexus.python.writer import Module, PythonFile

DESCRIPTION = Module("nexusproto.description")
FORMAT = 1
"""`nexusproto.description.FORMAT` of the runtime that reads what this writes."""
CONSTANT = "NEXUS_CONTRACT"


def contract_description(out: PythonFile, file: model.File) -> None:
    description = out.module(DESCRIPTION)
    with _call(out, f"{CONSTANT} = {description}.ContractDescription", last=True):
        out.line(f"format={FORMAT},")
        out.line("services=(")
        with out.indented():
            for service in file.services:
                _service(out, description, service)
        out.line("),")


def _service(out: PythonFile, description: str, service: model.Service) -> None:
    with _call(out, f"{description}.ServiceDescription"):
        out.line(f"name={quoted(service.name)},")
        out.line(f"proto_name={quoted(service.contract.full_name)},")
        out.line(f"definition={service.class_name},")
        out.line(f"handler={service.handler_class},")
        out.line(f"standalone_client={service.standalone_client_class},")
        if service.default_endpoint:
            out.line(f"default_endpoint={quoted(service.default_endpoint)},")
        out.line("operations=(")
        with out.indented():
            for operation in service.operations:
                _operation(out, description, operation)
        out.line("),")


def _operation(out: PythonFile, description: str, operation: model.Operation) -> None:
    with _call(out, f"{description}.OperationDescription"):
        out.line(f"name={quoted(operation.name)},")
        out.line(f"python_name={quoted(operation.attribute)},")
        out.line(f"start_method={quoted(operation.start_method)},")
        # How the handler answers: updates, signals and queries answer at once.
        answers = operation.kind if operation.outlives_request else "sync"
        out.line(f"kind={quoted(answers)},")
        if operation.validate_request:
            out.line("validates_request=True,")
        if operation.validate_response:
            out.line("validates_response=True,")
        if operation.schedule_to_close_timeout is not None:
            out.line(f"timeout={timedelta_value(out, operation.schedule_to_close_timeout)},")
        _workflow(out, description, operation)
        activity = operation.activity
        if activity is not None:
            with _call(out, f"activity={description}.ActivityBinding"):
                out.line(f"activity_type={quoted(activity.activity_type)},")
                if activity.id_template:
                    out.line(f"id_template={quoted(template_text(activity.id_template))},")
                if activity.task_queue:
                    out.line(f"task_queue={quoted(activity.task_queue)},")


def _workflow(out: PythonFile, description: str, operation: model.Operation) -> None:
    run, entity = operation.workflow_run, operation.entity
    if run is None and entity is None:
        return
    with _call(out, f"workflow={description}.WorkflowBinding"):
        if run is not None:
            out.line('kind="workflow-run",')
            out.line(f"workflow_type={quoted(run.workflow_type)},")
            template, task_queue = run.id_template, run.task_queue
        else:
            assert entity is not None
            out.line(f"kind={quoted(entity.kind)},")
            out.line(f"workflow_type={quoted(entity.workflow_type)},")
            out.line(f"name={quoted(entity.handler_name)},")
            template = entity.id_template
            task_queue = entity.start.task_queue if entity.start is not None else ""
        if template:
            out.line(f"id_template={quoted(template_text(template))},")
        if task_queue:
            out.line(f"task_queue={quoted(task_queue)},")
        if entity is not None and entity.start is not None:
            out.line("starts_workflow=True,")


@contextmanager
def _call(out: PythonFile, head: str, *, last: bool = False) -> Iterator[None]:
    """`head(` ... `),` (or `)` when `last`), its arguments written inside, indented."""
    out.line(f"{head}(")
    with out.indented():
        yield
    out.line(")" if last else "),")
