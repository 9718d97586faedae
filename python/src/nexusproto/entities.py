"""Operations bound to a long-lived workflow: an update, a signal or a query of it.

The generated handler bodies of `workflow_update`, `workflow_signal` and
`workflow_query` operations call these (`start_workflow_update` for an update
declared `asynchronous`). Each reaches the workflow in the
handler's own namespace through the Temporal client the SDK gives a Nexus
handler, and turns what Temporal answers into what a Nexus caller can act on:

- no workflow with that ID (never started, or already closed, for updates and
  signals): a non-retryable `NOT_FOUND` handler error naming the ID;
- an update the workflow rejects (its validator, or no such update) or fails,
  a query it fails or does not define: a failed operation carrying the
  workflow's own message, which no retry changes.

An update's ID is the operation's idempotency key: a start the caller's side
retries (after a timeout or a crashed handler worker) reaches the update it
already sent, and the workflow runs it once.

An asynchronous update answers the start as soon as the workflow accepts it
and completes the operation through Temporal's completion callback when the
update finishes (`temporalio.nexus.TemporalNexusClient.start_workflow_update`,
experimental in the SDK; the server needs `history.enableUpdateCallbacks`).
The SDK cannot cancel an accepted update: cancelling such an operation is
refused with NOT_IMPLEMENTED unless the handler overrides `cancel_workflow_update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, overload

import nexusrpc
import nexusrpc.handler
import temporalio.client
import temporalio.common
import temporalio.nexus
import temporalio.service
from google.protobuf.message import Message

from nexusproto.workflows import idempotency_key

__all__ = [
    "NoArgWorkflowHandler",
    "WorkflowHandler",
    "WorkflowStart",
    "query_workflow",
    "signal_workflow",
    "start_workflow_update",
    "update_workflow",
]

T = TypeVar("T", bound=Message)


@dataclass(frozen=True)
class WorkflowStart:
    """How an update or signal starts its workflow when none runs with the ID."""

    workflow_type: str
    task_queue: str = ""
    """Unset: the handler worker's own task queue."""


@overload
async def update_workflow(
    ctx: nexusrpc.handler.StartOperationContext,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: type[T],
    start: WorkflowStart | None = None,
) -> T: ...


@overload
async def update_workflow(
    ctx: nexusrpc.handler.StartOperationContext,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: None,
    start: WorkflowStart | None = None,
) -> None: ...


async def update_workflow(
    ctx: nexusrpc.handler.StartOperationContext,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: type[T] | None,
    start: WorkflowStart | None = None,
) -> T | None:
    """Runs `update` of workflow `workflow_id` with the request and returns its result.

    With `start`, a workflow that does not run is started with the request as
    its argument and receives the update in the same call (update-with-start);
    concurrent first calls start one workflow.
    """
    client = temporalio.nexus.client()
    arguments = _arguments(request)
    update_id = idempotency_key(ctx)
    with _reaching(workflow_id, f"update {update!r}"):
        if start is None:
            handle = client.get_workflow_handle(workflow_id)
            return await handle.execute_update(  # type: ignore[no-any-return]
                update, args=arguments, id=update_id, result_type=result_type
            )
        operation: temporalio.client.WithStartWorkflowOperation[Any, Any] = (
            temporalio.client.WithStartWorkflowOperation(
                start.workflow_type,
                args=arguments,
                id=workflow_id,
                task_queue=_task_queue(start),
                id_conflict_policy=temporalio.common.WorkflowIDConflictPolicy.USE_EXISTING,
            )
        )
        return await client.execute_update_with_start_workflow(  # type: ignore[no-any-return]
            update,
            args=arguments,
            start_workflow_operation=operation,
            id=update_id,
            result_type=result_type,
        )


@overload
async def start_workflow_update(
    ctx: temporalio.nexus.TemporalStartOperationContext,
    client: temporalio.nexus.TemporalNexusClient,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: type[T],
    start: WorkflowStart | None = None,
) -> temporalio.nexus.TemporalOperationResult[T]: ...


@overload
async def start_workflow_update(
    ctx: temporalio.nexus.TemporalStartOperationContext,
    client: temporalio.nexus.TemporalNexusClient,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: None,
    start: WorkflowStart | None = None,
) -> temporalio.nexus.TemporalOperationResult[None]: ...


async def start_workflow_update(
    ctx: temporalio.nexus.TemporalStartOperationContext,
    client: temporalio.nexus.TemporalNexusClient,
    workflow_id: str,
    update: str,
    request: Message | None,
    *,
    result_type: type[T] | None,
    start: WorkflowStart | None = None,
) -> temporalio.nexus.TemporalOperationResult[T] | temporalio.nexus.TemporalOperationResult[None]:
    """Sends `update` to workflow `workflow_id` and answers once the workflow accepts it;
    the operation completes with the update's result.

    With `start`, a workflow that does not run is started first with the request as
    its argument (concurrent first calls start one workflow). An update that is
    already finished when accepted (a retried start) answers with its result at once.
    """
    arguments = _arguments(request)
    with _reaching(workflow_id, f"update {update!r}"):
        if start is not None:
            await client.client.start_workflow(
                start.workflow_type,
                args=arguments,
                id=workflow_id,
                task_queue=_task_queue(start),
                id_conflict_policy=temporalio.common.WorkflowIDConflictPolicy.USE_EXISTING,
            )
        return await client.start_workflow_update(
            workflow_id,
            update,
            args=arguments,
            wait_for_stage=temporalio.client.WorkflowUpdateStage.ACCEPTED,
            update_id=idempotency_key(ctx),
            result_type=result_type,
        )


async def signal_workflow(
    ctx: nexusrpc.handler.StartOperationContext,
    workflow_id: str,
    signal: str,
    request: Message | None,
    *,
    start: WorkflowStart | None = None,
) -> None:
    """Sends `signal` to workflow `workflow_id`; returns once Temporal accepted it.

    With `start`, a workflow that does not run is started with the request as
    its argument and receives the signal first (signal-with-start).
    """
    del ctx  # same signature as the others; a signal has no ID to key on
    client = temporalio.nexus.client()
    arguments = _arguments(request)
    with _reaching(workflow_id, f"signal {signal!r}"):
        if start is None:
            await client.get_workflow_handle(workflow_id).signal(signal, args=arguments)
            return
        await client.start_workflow(
            start.workflow_type,
            args=arguments,
            id=workflow_id,
            task_queue=_task_queue(start),
            start_signal=signal,
            start_signal_args=arguments,
        )


async def query_workflow(
    ctx: nexusrpc.handler.StartOperationContext,
    workflow_id: str,
    query: str,
    request: Message | None,
    *,
    result_type: type[T],
) -> T:
    """Runs `query` of workflow `workflow_id` and returns its result.

    A closed workflow still answers queries, with its final state.
    """
    del ctx
    handle = temporalio.nexus.client().get_workflow_handle(workflow_id)
    with _reaching(workflow_id, f"query {query!r}"):
        result: T = await handle.query(query, args=_arguments(request), result_type=result_type)
    return result


def _arguments(request: Message | None) -> list[Message]:
    """The workflow handler's arguments: the request, or none for google.protobuf.Empty."""
    return [] if request is None else [request]


@contextmanager
def _reaching(workflow_id: str, what: str) -> Iterator[None]:
    """Temporal's answers as errors a Nexus caller can act on: NOT_FOUND when no
    such workflow runs, a failed operation for what the workflow refused or failed."""
    try:
        yield
    except temporalio.client.WorkflowUpdateFailedError as failure:
        raise _failed(f"{what} of workflow {workflow_id!r}", failure.cause) from None
    except temporalio.client.WorkflowQueryFailedError as failure:
        raise _failed(f"{what} of workflow {workflow_id!r}", failure) from None
    except temporalio.service.RPCError as error:
        if error.status == temporalio.service.RPCStatusCode.NOT_FOUND:
            raise _not_found(workflow_id, error) from None
        raise  # the SDK's own classification (retryable unless it says otherwise)


def _task_queue(start: WorkflowStart) -> str:
    return start.task_queue or temporalio.nexus.info().task_queue


def _failed(what: str, cause: BaseException) -> nexusrpc.OperationError:
    """The workflow refused or failed the call: retrying the same request gets the same."""
    message = getattr(cause, "message", None) or str(cause)
    return nexusrpc.OperationError(
        f"{what} failed: {message}", state=nexusrpc.OperationErrorState.FAILED
    )


def _not_found(workflow_id: str, error: temporalio.service.RPCError) -> nexusrpc.HandlerError:
    return nexusrpc.HandlerError(
        f"no running workflow with ID {workflow_id!r}: {error.message}",
        type=nexusrpc.HandlerErrorType.NOT_FOUND,
        retryable_override=False,
    )


# The members of a generated workflow contract (a typing.Protocol) that stand
# for update and signal handlers. Temporal's `@workflow.update` makes the
# method an object called with the workflow as first argument; a signal
# handler is a plain method; either may be async. One alias accepts each form.
_Arg = TypeVar("_Arg")
_Result = TypeVar("_Result")

WorkflowHandler: TypeAlias = (
    Callable[[_Arg], Awaitable[_Result] | _Result]
    | Callable[[Any, _Arg], Awaitable[_Result] | _Result]
)
"""An update or signal handler of a workflow taking `_Arg` and returning `_Result`."""

NoArgWorkflowHandler: TypeAlias = (
    Callable[[], Awaitable[_Result] | _Result] | Callable[[Any], Awaitable[_Result] | _Result]
)
"""An update or signal handler of a workflow taking no argument."""
