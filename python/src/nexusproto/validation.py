"""protovalidate checks of Nexus payloads, and how their failures read.

Generated code calls these only for messages that carry `buf.validate` rules
(the plugin knows at generation time), so messages without rules cost nothing.
Every violation is reported, each as `field.path: message [rule id]`.
"""

from __future__ import annotations

from typing import Any

import nexusrpc
from google.protobuf.message import Message
from temporalio import workflow

# Workflows validate too (generated callers run in the workflow sandbox). The
# sandbox re-imports modules per workflow run, which protovalidate's native
# core does not survive; passing it through shares the host's stateless copy.
# The validator imports its descriptor module when it is created, so that
# happens inside the block as well.
with workflow.unsafe.imports_passed_through():
    import protovalidate

    _validator = protovalidate.Validator()


def violations(message: Message) -> list[str]:
    """Every rule `message` breaks, as `field.path: message [rule id]`; empty when valid."""
    return [_describe(violation.proto) for violation in _validator.collect_violations(message)]


def _describe(violation: Any) -> str:
    # A rule on the whole message (a message-level CEL expression) has no field.
    field = violation.field
    path = _field_path(field.elements) if field is not None else ""
    text = f"{path}: {violation.message}" if path else str(violation.message)
    return f"{text} [{violation.rule_id}]" if violation.rule_id else text


def _field_path(elements: Any) -> str:
    out = ""
    for element in elements:
        name = element.field_name
        out += f".{name}" if out else name
        # The subscript oneof holds a list index or a map key.
        subscript = element.subscript
        if subscript is not None:
            value = subscript.value
            shown = (
                repr(value)
                if isinstance(value, str)
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            )
            out += f"[{shown}]"
    return out


def summary(message: Message, found: list[str]) -> str:
    return f"{message.DESCRIPTOR.full_name}: " + "; ".join(found)


def check_request(message: Message, *, service: str, operation: str) -> None:
    """Raise a non-retryable BAD_REQUEST HandlerError when the request breaks its rules."""
    found = violations(message)
    if found:
        raise nexusrpc.HandlerError(
            f"invalid request to {service}/{operation}: {summary(message, found)}",
            type=nexusrpc.HandlerErrorType.BAD_REQUEST,
            retryable_override=False,
        )


def check_response(message: Message, *, service: str, operation: str) -> None:
    """Raise a non-retryable INTERNAL HandlerError when the handler's answer breaks its rules.

    This is a bug in the handler, not in the caller's request: retrying would
    give the same answer, so the caller gets the field list at once instead.
    """
    found = violations(message)
    if found:
        raise nexusrpc.HandlerError(
            f"handler of {service}/{operation} returned an invalid response: "
            f"{summary(message, found)}",
            type=nexusrpc.HandlerErrorType.INTERNAL,
            retryable_override=False,
        )
