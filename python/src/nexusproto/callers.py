"""What generated callers use: per-call options, and request checks before anything is sent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TypedDict, TypeVar

import temporalio.common
import temporalio.workflow
from google.protobuf.message import Message
from temporalio.exceptions import ApplicationError

from nexusproto import validation

M = TypeVar("M", bound=Message)


class WorkflowCallOptions(TypedDict, total=False):
    """Per-call options of `<Service>NexusClient` methods: those of
    `temporalio.workflow.NexusClient.start_operation`, passed through as given.

    A schedule-to-close timeout the contract sets applies unless the call sets one.
    `event_groups` needs temporalio 1.34 or newer.
    """

    schedule_to_close_timeout: timedelta | None
    schedule_to_start_timeout: timedelta | None
    start_to_close_timeout: timedelta | None
    cancellation_type: temporalio.workflow.NexusOperationCancellationType
    headers: Mapping[str, str] | None
    summary: str | None
    event_groups: Sequence[temporalio.workflow.EventGroup] | None


class StandaloneCallOptions(TypedDict, total=False):
    """Per-call options of `<Service>StandaloneClient` methods: those of
    `temporalio.client.NexusClient.start_operation`, passed through as given.

    Without `id`, the operation gets a fresh one. A schedule-to-close timeout the
    contract sets applies unless the call sets one.
    """

    id: str
    id_reuse_policy: temporalio.common.NexusOperationIDReusePolicy
    id_conflict_policy: temporalio.common.NexusOperationIDConflictPolicy
    schedule_to_close_timeout: timedelta | None
    schedule_to_start_timeout: timedelta | None
    start_to_close_timeout: timedelta | None
    search_attributes: temporalio.common.TypedSearchAttributes | None
    summary: str | None
    headers: Mapping[str, str] | None
    rpc_metadata: Mapping[str, str | bytes]
    rpc_timeout: timedelta | None


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
