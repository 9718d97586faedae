"""A call's outcome as a plain record: what came back, or the chain of errors.

Shared by the tests whose callers run in other processes (the interop peers'
Python side, the contract-evolution teams): the record travels as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import nexusrpc
from google.protobuf import json_format


@dataclass
class CallResult:
    """What one call of a Python caller saw (plain fields: it travels as JSON)."""

    call: str
    result: dict[str, Any] | None = None  # proto JSON; None for None
    result_type: str = ""
    # The exception chain, outermost first, as "Type: message".
    error: list[str] = field(default_factory=list)
    handler_error_type: str = ""


def describe_failure(result: CallResult, err: BaseException) -> CallResult:
    cause: BaseException | None = err
    while cause is not None:
        result.error.append(f"{type(cause).__name__}: {cause}")
        if isinstance(cause, nexusrpc.HandlerError) and not result.handler_error_type:
            result.handler_error_type = cause.type.name
        cause = cause.__cause__
    return result


def describe_result(result: CallResult, value: Any) -> CallResult:
    result.result_type = type(value).__name__
    if value is not None:
        result.result = json_format.MessageToDict(value)
    return result
