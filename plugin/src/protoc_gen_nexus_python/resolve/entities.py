"""Operations bound to a long-lived workflow, and the contracts of the workflows reached.

`workflow_update`, `workflow_signal` and `workflow_query` are checked here
(one binding per operation, a required ID template and handler name, the
payloads each kind can carry), then every workflow the contract reaches is
described as a `WorkflowContract`: the methods its class must define, with
their types, for the generated Protocol the team's workflow class is checked
against.
"""

import dataclasses
import keyword
import unicodedata
from typing import Any

from protoc_gen_nexus_python import model, naming
from protoc_gen_nexus_python.errors import GenerationError, Location
from protoc_gen_nexus_python.resolve.workflow_run import id_template

BINDINGS = ("workflow_run", "workflow_update", "workflow_signal", "workflow_query")
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
            "is bound to one workflow handler at most: keep one",
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
    return model.WorkflowEntity(
        kind=kind,
        handler_name=handler_name,
        id_template=id_template(option.id_template, input_type, location, field),
        workflow_type=declared or (start.workflow_type if start else ""),
        start=start,
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


def workflow_contracts(
    services: tuple[model.Service, ...], taken: set[str]
) -> tuple[model.WorkflowContract, ...]:
    """One contract per workflow type the file's operations start or reach, in order.

    `taken` holds the module's other names; a contract class never takes one.
    """
    members: dict[str, dict[str, model.ContractMember]] = {}
    unchecked: dict[str, list[str]] = {}
    for service in services:
        for operation in service.operations:
            for workflow_type, member in _members(operation):
                found = members.setdefault(workflow_type, {})
                skipped = unchecked.setdefault(workflow_type, [])
                reason = _unchecked(member, found.get(member.name))
                if reason:
                    if member.kind == "run":  # a run no signature fits: none at all
                        found.pop("run", None)
                    if reason not in skipped:
                        skipped.append(reason)
                    continue
                if member.kind == "run" and _RUN_UNCHECKED in skipped:
                    continue
                other = found.get(member.name)
                found[member.name] = member if other is None else _merged(other, member)
    contracts = []
    for workflow_type, found in members.items():
        class_name = naming.workflow_contract_class(workflow_type, taken)
        taken.add(class_name)
        contracts.append(
            model.WorkflowContract(
                workflow_type=workflow_type,
                class_name=class_name,
                members=tuple(found.values()),
                unchecked=tuple(unchecked[workflow_type]),
            )
        )
    return tuple(contracts)


def _members(operation: model.Operation) -> list[tuple[str, model.ContractMember]]:
    """What the operation needs from the workflow(s) it reaches, by workflow type."""
    run = operation.workflow_run
    if run is not None:
        started = model.ContractMember(
            "run", "run", (operation.input,), (operation.output,), (operation,)
        )
        return [(run.workflow_type, started)]
    entity = operation.entity
    if entity is None:
        return []
    found = []
    if entity.start is not None:
        # The update or signal waits for its own answer, not for the run's result.
        started = model.ContractMember("run", "run", (operation.input,), (), (operation,))
        found.append((entity.start.workflow_type, started))
    outputs = () if entity.kind == "signal" else (operation.output,)
    handler = model.ContractMember(
        entity.kind, entity.handler_name, (operation.input,), outputs, (operation,)
    )
    found.append((entity.workflow_type, handler))
    return found


def _unchecked(member: model.ContractMember, other: model.ContractMember | None) -> str:
    """Why no Protocol member can stand for `member`, or nothing when one can."""
    if not _is_method_name(member.name):
        return f"{member.name!r} (no Python method name)"
    if member.kind != "run" and member.name == "run":
        return "'run' (a handler named like the run method)"
    if member.kind == "run" and other is not None:
        inputs = {message.is_empty for message in other.inputs + member.inputs}
        if len(inputs) > 1:
            return _RUN_UNCHECKED
    return ""


_RUN_UNCHECKED = "'run' (started both with and without an argument)"


def _merged(first: model.ContractMember, second: model.ContractMember) -> model.ContractMember:
    """Two operations that need the same method: a run started by several operations
    takes any of their requests and may return any of their results; a handler must
    be the same to both."""
    if first.kind == second.kind == "run":
        return dataclasses.replace(
            first,
            inputs=_union(first.inputs, second.inputs),
            outputs=_union(first.outputs, second.outputs),
            operations=first.operations + second.operations,
        )
    if first.kind != second.kind:
        _clash(first, second, f"kinds ({first.kind} and {second.kind})")
    if _names(first.inputs) != _names(second.inputs) or (
        _names(first.outputs) != _names(second.outputs)
    ):
        _clash(first, second, "request or response messages")
    return dataclasses.replace(first, operations=first.operations + second.operations)


def _names(messages: tuple[model.Message, ...]) -> list[str]:
    return [message.full_name for message in messages]


def _union(
    first: tuple[model.Message, ...], second: tuple[model.Message, ...]
) -> tuple[model.Message, ...]:
    known = set(_names(first))
    return first + tuple(message for message in second if message.full_name not in known)


def _clash(first: model.ContractMember, second: model.ContractMember, what: str) -> None:
    raise GenerationError(
        f"operations {first.operations[0].method_name} and "
        f"{second.operations[0].method_name} reach the same workflow method {first.name!r} "
        f"with different {what}; one workflow method has one signature: use one message, "
        "or another handler",
        second.operations[0].location,
    )


def _is_method_name(name: str) -> bool:
    """Whether a method can carry this exact name: Python NFKC-normalizes the
    identifiers it reads (`ºk` becomes `ok`), so the name must be normal already."""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and unicodedata.normalize("NFKC", name) == name
    )
