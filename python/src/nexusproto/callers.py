"""What generated callers use: request checks before anything is sent."""

from __future__ import annotations

import uuid
from typing import TypeVar

from google.protobuf.message import Message
from temporalio.exceptions import ApplicationError

from nexusproto import validation

M = TypeVar("M", bound=Message)


class InvalidRequestError(ApplicationError):
    """A request broke its buf.validate rules, so it was not sent.

    Non-retryable: raised in a workflow and not caught, it fails the workflow
    at once (a plain exception would fail the workflow task and retry it
    forever). `violations` lists each broken rule as `field.path: message [rule id]`.
    """

    def __init__(
        self, service: str, operation: str, request: Message, violations: list[str]
    ) -> None:
        super().__init__(
            f"invalid request to {service}/{operation}: {validation.summary(request, violations)}",
            type="InvalidRequest",
            non_retryable=True,
        )
        self.violations = violations


def checked_request(request: M, *, service: str, operation: str) -> M:
    """`request` itself when it keeps its rules; otherwise raise InvalidRequestError."""
    found = validation.violations(request)
    if found:
        raise InvalidRequestError(service, operation, request, found)
    return request


def new_operation_id() -> str:
    """A fresh ID for a standalone operation started without one."""
    return str(uuid.uuid4())
