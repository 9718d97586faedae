"""The contracts of the workflows a file's operations reach, as Python Protocols.

Every workflow the contract starts or reaches is described as a
`WorkflowContract`: the methods its class must define, with their types, for
the generated Protocol the team's workflow class is checked against.
"""

import dataclasses
import keyword
import unicodedata

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.python import model, naming


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
