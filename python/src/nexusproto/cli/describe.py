"""`nexusproto describe`: the services of the loaded contracts, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from google.protobuf.message import Message

from nexusproto import messages
from nexusproto.contracts import Operation, Service, WorkflowBinding


def overview(services: Sequence[Service]) -> str:
    """One block per service: its operations with their kinds and message types."""
    if not services:
        return "no Nexus services found\n"
    lines: list[str] = []
    for service in services:
        endpoint = service.default_endpoint or "none"
        lines.append(
            f"{service.name}  ({service.module}.{service.class_name}; default endpoint: {endpoint})"
        )
        width = max((len(op.name) for op in service.operations), default=0)
        for op in service.operations:
            lines.append(
                f"  {op.name.ljust(width)}  {_kind_word(op).ljust(12)}  "
                f"{_type(op.input_type)} -> {_type(op.output_type)}"
            )
        lines.append("")
    lines.append("`nexusproto describe SERVICE`: fields, rules, defaults and request templates.")
    return "\n".join(lines) + "\n"


def service_text(service: Service, operations: Sequence[Operation]) -> str:
    lines = [service.name]
    lines += [f"  {line}" for line in service.doc.splitlines()]
    lines.append(f"  python: {service.module}.{service.class_name}")
    if service.proto_name and service.proto_name != service.name:
        lines.append(f"  proto: {service.proto_name}")
    lines.append(f"  default endpoint: {service.default_endpoint or 'none (calls must name one)'}")
    for op in operations:
        lines.append("")
        lines += _operation_lines(op)
    return "\n".join(lines) + "\n"


def _operation_lines(op: Operation) -> list[str]:
    lines = [f"  {op.name} ({op.method_name})"]
    lines += [f"    {line}" for line in op.doc.splitlines()]
    lines.append(f"    kind: {_kind_text(op)}")
    timeout = f"{_duration(op.timeout)} (schedule-to-close)" if op.timeout else "none"
    lines.append(f"    default timeout: {timeout}")
    lines += _payload_lines(
        "request", op.input_type, "validated before it is sent" if op.validates_request else ""
    )
    lines += _payload_lines(
        "response", op.output_type, "validated by the handler" if op.validates_response else ""
    )
    if op.input_type is not None:
        template = json.dumps(messages.json_template(op.input_type))
        lines.append(f"    request template: {template}")
    return lines


def _payload_lines(side: str, cls: type[Message] | None, note: str) -> list[str]:
    if cls is None:
        return [f"    {side}: none (google.protobuf.Empty, no payload)"]
    described = messages.describe(cls)
    lines = [f"    {side}: {described.full_name}" + (f", {note}" if note else "")]
    lines += _message_lines(described, "      ")
    return lines


def _message_lines(message: messages.MessageDescription, indent: str) -> Iterator[str]:
    for rule in messages.rule_lines(message.rules):
        yield f"{indent}(message) {rule}"
    for oneof, rules in message.oneof_rules:
        yield f"{indent}(oneof {oneof}) {', '.join(messages.rule_lines(rules))}"
    for field in message.fields:
        kind = "repeated " if field.repeated else "optional " if field.optional else ""
        text = f"{indent}{field.name}: {kind}{field.type}"
        if field.oneof:
            text += f" (oneof {field.oneof})"
        if field.enum_values:
            text += f" {{{', '.join(field.enum_values)}}}"
        field_rules = messages.rule_lines(field.rules)
        if field_rules:
            text += f"  [{', '.join(field_rules)}]"
        yield text
        if field.fields is not None:
            yield from _message_lines(field.fields, indent + "  ")


def _kind_word(op: Operation) -> str:
    if op.kind == "workflow_run":
        return "workflow-run"
    if op.kind == "async_update":
        return "async/update"
    if op.kind == "activity":
        return "activity"
    if op.binding is not None and op.binding.kind != "workflow-run":
        return f"sync/{op.binding.kind}"
    return "sync"


def _kind_text(op: Operation) -> str:
    binding = op.binding
    if op.kind == "workflow_run":
        text = "workflow-run"
        if binding is not None and binding.kind == "workflow-run":
            text += f", starts workflow {binding.workflow_type or '(unknown type)'}"
            text += _binding_details(binding)
        return text + "; the result is the workflow's"
    if op.kind == "activity":
        return _activity_text(op)
    if op.kind == "async_update" and binding is not None:
        workflow = f"workflow {binding.workflow_type}" if binding.workflow_type else "a workflow"
        text = f'asynchronous, update "{binding.name}" of {workflow}'
        text += _binding_details(binding)
        return text + "; answered once accepted, the result is the update's"
    if binding is None or binding.kind == "workflow-run":
        return "sync"
    workflow = f"workflow {binding.workflow_type}" if binding.workflow_type else "a workflow"
    text = f'sync, {binding.kind} "{binding.name}" of {workflow}'
    return text + _binding_details(binding)


def _activity_text(op: Operation) -> str:
    activity = op.activity
    if activity is None:
        return "activity-backed; the result is the activity's"
    details = []
    if activity.id_template:
        details.append(f"ID {activity.id_template}")
    if activity.task_queue:
        details.append(f"task queue {activity.task_queue}")
    text = f"activity-backed, starts activity {activity.activity_type}"
    text += f" ({'; '.join(details)})" if details else ""
    return text + "; the result is the activity's"


def _binding_details(binding: WorkflowBinding) -> str:
    details = []
    if binding.id_template:
        details.append(f"ID {binding.id_template}")
    if binding.starts_workflow:
        details.append("started when none runs")
    if binding.task_queue:
        details.append(f"task queue {binding.task_queue}")
    return f" ({'; '.join(details)})" if details else ""


def _type(cls: type[Message] | None) -> str:
    return "(none)" if cls is None else str(cls.DESCRIPTOR.full_name)


def _duration(value: timedelta) -> str:
    """Proto JSON's duration form: `60s`, `1.5s`."""
    seconds = value.total_seconds()
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds:g}s"


# --- JSON ------------------------------------------------------------------------------


def as_json(selected: Sequence[tuple[Service, Sequence[Operation]]]) -> str:
    """`{"services": [...]}`: every service with the operations selected of it."""
    return json.dumps({"services": [_service_json(s, ops) for s, ops in selected]}, indent=2) + "\n"


def _service_json(service: Service, operations: Sequence[Operation]) -> dict[str, Any]:
    return {
        "name": service.name,
        "pythonName": service.class_name,
        "module": service.module,
        "protoName": service.proto_name,
        "doc": service.doc,
        "defaultEndpoint": service.default_endpoint,
        "operations": [_operation_json(op) for op in operations],
    }


_JSON_KINDS = {
    "sync": "sync",
    "workflow_run": "workflow-run",
    "async_update": "async-update",
    "activity": "activity",
}


def _operation_json(op: Operation) -> dict[str, Any]:
    binding = op.binding
    return {
        "name": op.name,
        "pythonName": op.method_name,
        "doc": op.doc,
        "kind": _JSON_KINDS[op.kind],
        "workflow": None
        if binding is None
        else {
            "binding": binding.kind,
            "workflowType": binding.workflow_type or None,
            "name": binding.name or None,
            "idTemplate": binding.id_template or None,
            "taskQueue": binding.task_queue or None,
            "startsWorkflow": binding.starts_workflow,
        },
        "activity": None
        if op.activity is None
        else {
            "activityType": op.activity.activity_type,
            "idTemplate": op.activity.id_template or None,
            "taskQueue": op.activity.task_queue or None,
        },
        "defaultTimeout": _duration(op.timeout) if op.timeout else None,
        "request": _message_json(op.input_type),
        "validatesRequest": op.validates_request,
        "response": _message_json(op.output_type),
        "validatesResponse": op.validates_response,
        "requestTemplate": messages.json_template(op.input_type)
        if op.input_type is not None
        else None,
    }


def _message_json(cls: type[Message] | None) -> dict[str, Any] | None:
    return None if cls is None else _description_json(messages.describe(cls))


def _description_json(message: messages.MessageDescription) -> dict[str, Any]:
    return {
        "type": message.full_name,
        "rules": messages.rules_json(message.rules),
        "oneofRules": {name: messages.rules_json(rules) for name, rules in message.oneof_rules},
        "fields": [
            {
                "name": field.name,
                "jsonName": field.json_name,
                "type": field.type,
                "repeated": field.repeated,
                "optional": field.optional,
                "oneof": field.oneof,
                "rules": messages.rules_json(field.rules),
                "enumValues": list(field.enum_values) or None,
                "message": _description_json(field.fields) if field.fields is not None else None,
            }
            for field in message.fields
        ],
    }
