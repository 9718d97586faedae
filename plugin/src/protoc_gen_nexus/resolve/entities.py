"""Operations bound to a long-lived workflow: updates, signals and queries.

`workflow_update`, `workflow_signal` and `workflow_query` are checked here (one
binding per operation, a required ID template and handler name, the payloads
each kind can carry), and an operation naming no workflow type takes the one
its ID template shares with another operation.
"""

import dataclasses
from typing import Any

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.resolve.workflow_run import id_template

BINDINGS = ("workflow_run", "workflow_update", "workflow_signal", "workflow_query", "activity")
"""The fields of `(nexusproto.v1.operation)` that say what a generated body does."""

_HANDLER_FIELD: dict[str, model.EntityKind] = {
    "workflow_update": "update",
    "workflow_signal": "signal",
    "workflow_query": "query",
}


def binding_of(option: Any, location: Location) -> str | None:
    """The one binding field set on an operation, if any; two are an error.

    Options are read with the contract's own copy of options.proto, which may
    predate the bindings: then none is set.
    """
    known = option.DESCRIPTOR.fields_by_name
    found = [name for name in BINDINGS if name in known and option.HasField(name)]
    if len(found) > 1:
        raise GenerationError(
            f"(nexusproto.v1.operation) sets both {found[0]} and {found[1]}; an operation "
            "is bound to one workflow handler or activity at most: keep one",
            location,
        )
    return found[0] if found else None


def workflow_entity(
    field: str,
    option: Any,
    input_type: model.Message,
    output_type: model.Message,
    location: Location,
) -> model.WorkflowEntity:
    """The binding in `option` (the message of `field`), checked against the payloads."""
    kind = _HANDLER_FIELD[field]
    handler_name = getattr(option, kind)
    if not handler_name or handler_name != handler_name.strip():
        raise GenerationError(
            f"{field} needs {kind}, the {kind}'s name on the workflow, without surrounding "
            "whitespace",
            location,
        )
    if not option.id_template:
        raise GenerationError(
            f"{field} needs id_template, the workflow ID built from request fields, as in "
            '"cart-{cart_id}": it names the workflow the operation reaches',
            location,
        )
    if kind == "signal" and not output_type.is_empty:
        raise GenerationError(
            f"{field} answers once the signal is accepted, with no value: the method must "
            f"return google.protobuf.Empty, not {output_type.full_name}",
            location,
        )
    if kind == "query" and output_type.is_empty:
        raise GenerationError(
            f"{field} answers with the query's result: the method must return a message, "
            "not google.protobuf.Empty",
            location,
        )
    start = None
    if kind != "query" and option.HasField("start"):
        start_type = option.start.workflow_type
        if not start_type or start_type != start_type.strip():
            raise GenerationError(
                f"{field}.start needs workflow_type, the workflow to start when none runs "
                "with the ID, without surrounding whitespace",
                location,
            )
        start = model.WorkflowStart(start_type, option.start.task_queue.strip())
    declared = option.workflow_type.strip()
    # A contract's own copy of options.proto may predate `asynchronous`.
    asynchronous = "asynchronous" in option.DESCRIPTOR.fields_by_name and option.asynchronous
    return model.WorkflowEntity(
        kind=kind,
        handler_name=handler_name,
        id_template=id_template(option.id_template, input_type, location, field),
        workflow_type=declared or (start.workflow_type if start else ""),
        start=start,
        asynchronous=bool(asynchronous),
    )


def infer_workflow_types(
    service_name: str, operations: list[model.Operation]
) -> list[model.Operation]:
    """Entity operations naming no workflow type take the one of the service's
    other operations with the same ID template: the same ID is the same workflow."""
    by_template: dict[tuple[model.TemplatePart, ...], set[str]] = {}
    for operation in operations:
        template, workflow_type = _target(operation)
        if template and workflow_type:
            by_template.setdefault(template, set()).add(workflow_type)
    resolved = []
    for operation in operations:
        entity = operation.entity
        if entity is not None and not entity.workflow_type:
            known = sorted(by_template.get(entity.id_template, ()))
            if len(known) != 1:
                reason = (
                    f"the operations with the same id_template name {' and '.join(known)}"
                    if known
                    else "no start and no operation with the same id_template names it"
                )
                raise GenerationError(
                    f"{service_name}.{operation.method_name}: which workflow type does it "
                    f"reach? {reason}. Set workflow_type in its binding, so the generated "
                    "workflow contract can check that workflow",
                    operation.location,
                )
            entity = dataclasses.replace(entity, workflow_type=known[0])
            operation = dataclasses.replace(operation, entity=entity)
        resolved.append(operation)
    return resolved


def _target(operation: model.Operation) -> tuple[tuple[model.TemplatePart, ...], str]:
    if operation.entity is not None:
        return operation.entity.id_template, operation.entity.workflow_type
    if operation.workflow_run is not None:
        return operation.workflow_run.id_template, operation.workflow_run.workflow_type
    return (), ""
