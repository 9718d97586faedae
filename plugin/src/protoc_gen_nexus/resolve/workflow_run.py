"""`(nexusproto.v1.operation).workflow_run`: the workflow an operation starts, checked.

The ID template is parsed here, once, into literal text and request fields;
the policies become Temporal's enum member names, read from the option enum's
own value names in the request (`ID_REUSE_POLICY_REJECT_DUPLICATE` ->
`REJECT_DUPLICATE`), so no table can drift from `options.proto`.
"""

import string
from typing import Any

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError, Location


def workflow_run(option: Any, input_type: model.Message, location: Location) -> model.WorkflowRun:
    workflow_type = option.workflow_type.strip()
    if not workflow_type or workflow_type != option.workflow_type:
        raise GenerationError(
            "(nexusproto.v1.operation).workflow_run needs workflow_type, the name of the "
            "workflow to start, without surrounding whitespace",
            location,
        )
    template = option.id_template
    return model.WorkflowRun(
        workflow_type=workflow_type,
        id_template=(
            id_template(template, input_type, location, "workflow_run") if template else ()
        ),
        task_queue=option.task_queue.strip(),
        id_reuse_policy=_policy(option, "id_reuse_policy", location),
        id_conflict_policy=_policy(option, "id_conflict_policy", location),
    )


def _policy(option: Any, field: str, location: Location) -> str:
    """The Temporal enum member for a policy; empty when unset (the SDK default)."""
    value = getattr(option, field)
    if not value:
        return ""
    enum = option.DESCRIPTOR.fields_by_name[field].enum_type
    member = enum.values_by_number.get(value)
    if member is None:
        raise GenerationError(f"unknown workflow_run.{field} value {value}", location)
    prefix = enum.values_by_number[0].name.removesuffix("UNSPECIFIED")
    return str(member.name).removeprefix(prefix)


def id_template(
    template: str, input_type: model.Message, location: Location, binding: str
) -> tuple[model.TemplatePart, ...]:
    """`refund-{transaction_id}` as parts, each field checked against the request.

    `binding` is the option field holding the template, for the messages.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise GenerationError(
            f"{binding}.id_template {template!r} is not a valid template ({error}); "
            'write request fields in braces, as in "charge-{customer_id}", and double '
            "braces for literal ones",
            location,
        ) from None
    parts = []
    for literal, field, spec, conversion in parsed:
        if field is not None:
            if spec or conversion:
                raise GenerationError(
                    f"{binding}.id_template {template!r}: write {{{field}}} without a "
                    "conversion or format spec",
                    location,
                )
            if field not in input_type.field_names:
                known = ", ".join(input_type.field_names) or "none"
                raise GenerationError(
                    f"{binding}.id_template {template!r} names field {field!r}, which "
                    f"{input_type.full_name} does not have (its fields: {known})",
                    location,
                )
        parts.append(model.TemplatePart(literal, field))
    return tuple(parts)
