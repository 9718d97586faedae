"""How a plain subclass of a generated `<Service>Handler` becomes a Nexus service handler.

The SDKs check handler classes strictly: `nexusrpc.handler.service_handler`
reads the service definition from the class's own `__dict__`, and every
operation method must carry an operation decorator whose input and output
types equal the definition's. A subclass that merely overrides methods has
neither. `ServiceHandler.__init_subclass__` closes that gap, once per
subclass, when the class statement runs:

1. It finds the generated base (the class declared with `service=...`) and,
   for each operation of its service definition, the method that implements
   it: the subclass's override, or the base's generated default (workflow-run
   operations have one; plain operations are abstract).
2. A missing override is a TypeError right there, naming the service, the
   operation and the signature to write.
3. Each implementation is wrapped in a method with the exact types of the
   definition that validates the request (and, for plain operations, the
   response) when the messages carry buf.validate rules, adapts
   `google.protobuf.Empty` (no request argument, `None` result), and is
   decorated with `nexusrpc.handler.sync_operation`,
   `temporalio.nexus.workflow_run_operation`, or (asynchronous updates and
   activity-backed operations) `temporalio.nexus.temporal_operation`.
4. `nexusrpc.handler.service_handler(service=...)` is applied to the subclass.

The wrapper also records per-operation metrics on the SDK's Nexus metric
meter when the worker's runtime has metrics configured (`nexusproto.metrics`).

A subclass meant to be subclassed again passes `abstract=True` and is left
alone; its own subclasses are bound as above.
"""

from __future__ import annotations

import abc
import inspect
import time
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import nexusrpc
import temporalio.nexus
from google.protobuf import empty_pb2

from nexusproto import metrics, validation
from nexusproto.description import Kind

__all__ = ["ServiceHandler", "activity", "async_update", "operation", "workflow_run"]

F = TypeVar("F", bound=Callable[..., Any])

_SPEC = "__nexusproto_operation__"
_IMPLEMENTATION = "__nexusproto_implementation__"
_KIND = "__nexusproto_kind__"


@dataclass(frozen=True)
class _OperationSpec:
    kind: Kind
    validate_request: bool
    validate_response: bool


def operation(
    *, validate_request: bool = False, validate_response: bool = False
) -> Callable[[F], F]:
    """Marks a generated base method as a plain (synchronous) Nexus operation.

    The flags are set by the generator: true only when the message carries
    buf.validate rules and validation is not switched off in the contract.
    """

    def mark(method: F) -> F:
        setattr(method, _SPEC, _OperationSpec("sync", validate_request, validate_response))
        return method

    return mark


def workflow_run(*, validate_request: bool = False) -> Callable[[F], F]:
    """Marks a generated base method as a workflow-run operation with a default body."""
    return _marker("workflow_run", validate_request)


def async_update(*, validate_request: bool = False) -> Callable[[F], F]:
    """Marks a generated base method as an update answered once accepted, whose
    operation completes when the update does."""
    return _marker("async_update", validate_request)


def activity(*, validate_request: bool = False) -> Callable[[F], F]:
    """Marks a generated base method as an activity-backed operation."""
    return _marker("activity", validate_request)


def _marker(kind: Kind, validate_request: bool) -> Callable[[F], F]:
    def mark(method: F) -> F:
        setattr(method, _SPEC, _OperationSpec(kind, validate_request, False))
        return method

    return mark


class ServiceHandler(abc.ABC):  # noqa: B024 - the generated subclasses declare the abstract methods
    """Base of every generated `<Service>Handler`; see the module documentation."""

    _nexusproto_service: typing.ClassVar[type[Any] | None] = None

    def __init_subclass__(
        cls, *, service: type[Any] | None = None, abstract: bool = False, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if service is not None:
            if nexusrpc.get_service_definition(service) is None:
                raise TypeError(f"{service!r} is not a @nexusrpc.service definition")
            cls._nexusproto_service = service
            return
        if not abstract:
            _bind(cls)


def _generated_base(cls: type[ServiceHandler]) -> type[ServiceHandler]:
    for klass in cls.__mro__:
        if "_nexusproto_service" in vars(klass) and issubclass(klass, ServiceHandler):
            return klass
    raise TypeError(
        f"{cls.__name__} derives from ServiceHandler but from no generated handler base"
    )


def _bind(cls: type[ServiceHandler]) -> None:
    base = _generated_base(cls)
    service = base._nexusproto_service
    assert service is not None
    definition = nexusrpc.get_service_definition(service)
    assert definition is not None

    missing: list[str] = []
    for op in definition.operation_definitions.values():
        declared = vars(base).get(op.method_name)
        spec: _OperationSpec | None = getattr(declared, _SPEC, None)
        if declared is None or spec is None:
            raise TypeError(
                f"{base.__name__} declares no operation method {op.method_name!r}; "
                "regenerate the module with the same protoc-gen-nexus-python version"
            )
        found = getattr(cls, op.method_name)
        implementation = getattr(found, _IMPLEMENTATION, found)
        # An implementation may say how it answers (a test fake answering a
        # workflow-run operation at once); otherwise the contract decides.
        spec = getattr(implementation, _SPEC, None) or spec
        if getattr(implementation, "__isabstractmethod__", False):
            missing.append(
                f"operation {op.name!r}: async def {op.method_name}{_signature(declared)}"
            )
            continue
        if not inspect.iscoroutinefunction(implementation):
            raise TypeError(
                f"{cls.__name__}.{op.method_name} must be an async def, implementing "
                f"operation {op.name!r} of Nexus service {definition.name!r}: "
                f"async def {op.method_name}{_signature(declared)}"
            )
        setattr(cls, op.method_name, _wrap(definition.name, op, spec, implementation))

    if missing:
        raise TypeError(
            f"{cls.__name__} must implement every operation of Nexus service "
            f"{definition.name!r} that has no default; missing:\n  "
            + "\n  ".join(missing)
            + f"\n(pass abstract=True in the class statement, as in "
            f"`class {cls.__name__}({base.__name__}, abstract=True)`, for a class "
            "meant to be subclassed again)"
        )
    nexusrpc.handler.service_handler(service=service)(cls)


def _wrap(
    service_name: str,
    op: nexusrpc.OperationDefinition[Any, Any],
    spec: _OperationSpec,
    implementation: Callable[..., Awaitable[Any]],
) -> Callable[..., Any]:
    takes_request = not carries_no_payload(op.input_type)
    returns_empty = carries_no_payload(op.output_type)
    check_request = spec.validate_request
    check_response = spec.validate_response

    kind = spec.kind

    def checked_request(input: Any, meter: Any) -> None:
        try:
            _check_request_type(input, op, service_name, takes_request)
            if check_request:
                validation.check_request(input, service=service_name, operation=op.name)
        except nexusrpc.HandlerError:
            if meter is not None:
                metrics.request_invalid(meter)
            raise

    if spec.kind == "sync":

        def checked_response(result: Any) -> Any:
            if returns_empty:
                # google.protobuf.Empty travels as no payload; an Empty message
                # returned anyway is the same answer.
                if result is None or isinstance(result, empty_pb2.Empty):
                    return None
                _wrong_response_type(result, op, service_name)
            if not isinstance(result, op.output_type):
                _wrong_response_type(result, op, service_name)
            if check_response:
                validation.check_response(result, service=service_name, operation=op.name)
            return result

        async def run(self: Any, ctx: Any, input: Any, meter: Any) -> Any:
            checked_request(input, meter)
            result = await (
                implementation(self, ctx, input) if takes_request else implementation(self, ctx)
            )
            try:
                return checked_response(result)
            except nexusrpc.HandlerError:
                if meter is not None:
                    metrics.response_invalid(meter)
                raise

        start_annotations: dict[str, Any] = {
            "ctx": nexusrpc.handler.StartOperationContext,
            "input": op.input_type,
            "return": op.output_type,
        }
        decorate: Callable[[Any], Any] = nexusrpc.handler.sync_operation(name=op.name)
    elif spec.kind == "workflow_run":

        async def run(self: Any, ctx: Any, input: Any, meter: Any) -> Any:
            checked_request(input, meter)
            if takes_request:
                return await implementation(self, ctx, input)
            return await implementation(self, ctx)

        start_annotations = {
            "ctx": temporalio.nexus.WorkflowRunOperationContext,
            "input": op.input_type,
            "return": temporalio.nexus.WorkflowHandle[op.output_type],  # type: ignore[name-defined]
        }
        decorate = temporalio.nexus.workflow_run_operation(name=op.name)
    else:
        return _wrap_temporal(op, implementation, checked_request, takes_request, kind)

    async def start(self: Any, ctx: Any, input: Any) -> Any:
        return await _measured(kind, lambda meter: run(self, ctx, input, meter))

    decorated: Callable[..., Any] = decorate(
        _described(start, start_annotations, op, implementation, kind)
    )
    return decorated


def _wrap_temporal(
    op: nexusrpc.OperationDefinition[Any, Any],
    implementation: Callable[..., Awaitable[Any]],
    checked_request: Callable[[Any, Any], None],
    takes_request: bool,
    kind: Kind,
) -> Callable[..., Any]:
    """An asynchronous update or activity-backed operation: the SDK's `temporal_operation`,
    whose start method also takes the `TemporalNexusClient` that starts what backs it."""

    async def run(self: Any, ctx: Any, client: Any, input: Any, meter: Any) -> Any:
        checked_request(input, meter)
        if takes_request:
            return await implementation(self, ctx, client, input)
        return await implementation(self, ctx, client)

    async def start(self: Any, ctx: Any, client: Any, input: Any) -> Any:
        return await _measured(kind, lambda meter: run(self, ctx, client, input, meter))

    annotations = {
        "ctx": temporalio.nexus.TemporalStartOperationContext,
        "client": temporalio.nexus.TemporalNexusClient,
        "input": op.input_type,
        "return": temporalio.nexus.TemporalOperationResult[op.output_type],  # type: ignore[name-defined]
    }
    described = _described(start, annotations, op, implementation, kind)
    return temporalio.nexus.temporal_operation(name=op.name)(described)


async def _measured(kind: Kind, run: Callable[[Any], Awaitable[Any]]) -> Any:
    """`run(meter)`, counted on the SDK's Nexus metric meter when metrics are configured."""
    meter = metrics.meter()
    if meter is None:  # no metrics configured: nothing else to do
        return await run(None)
    metrics.started(meter, kind)
    began = time.perf_counter()
    try:
        result = await run(meter)
    except BaseException as error:
        metrics.failed(meter, kind, error)
        if kind == "sync":
            metrics.sync_latency(meter, time.perf_counter() - began, "failed")
        raise
    metrics.succeeded(meter, kind)
    if kind == "sync":
        metrics.sync_latency(meter, time.perf_counter() - began, "succeeded")
    return result


def _described(
    start: Callable[..., Any],
    annotations: dict[str, Any],
    op: nexusrpc.OperationDefinition[Any, Any],
    implementation: Callable[..., Awaitable[Any]],
    kind: Kind,
) -> Callable[..., Any]:
    """`start` with the definition's types and the implementation's name and documentation."""
    start.__annotations__ = annotations
    start.__name__ = op.method_name
    start.__qualname__ = f"{getattr(implementation, '__qualname__', op.method_name)}"
    start.__doc__ = implementation.__doc__
    setattr(start, _IMPLEMENTATION, implementation)
    setattr(start, _KIND, kind)
    return start


def service_of(cls: type[Any]) -> type[Any]:
    """The service definition class of a generated handler base or a subclass of one."""
    service = _generated_base(cls)._nexusproto_service
    assert service is not None
    return service


def operation_kind(cls: type[Any], method_name: str) -> Kind:
    """How `cls` answers an operation: at once, or by starting a workflow, an update
    answered once accepted, or an activity."""
    method = getattr(cls, method_name)
    kind = getattr(method, _KIND, None)
    if kind is None:  # not bound (an abstract class): what the contract declares
        kind = getattr(vars(_generated_base(cls)).get(method_name), _SPEC).kind
    return kind  # type: ignore[no-any-return]


def answered_at_once(
    cls: type[Any], method_name: str, implementation: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    """`implementation`, marked to be bound as a sync operation even where the
    contract declares a workflow-run one (its request still validated)."""
    declared: _OperationSpec = getattr(vars(_generated_base(cls))[method_name], _SPEC)
    setattr(implementation, _SPEC, _OperationSpec("sync", declared.validate_request, False))
    return implementation


def carries_no_payload(payload_type: Any) -> bool:
    """Whether an operation side carries no payload: None (generated) or Empty (older code)."""
    return payload_type in (None, type(None), empty_pb2.Empty)


def _wrong_response_type(
    result: Any, op: nexusrpc.OperationDefinition[Any, Any], service_name: str
) -> typing.NoReturn:
    expected = "None" if carries_no_payload(op.output_type) else op.output_type.__name__
    raise nexusrpc.HandlerError(
        f"handler of {service_name}/{op.name} returned {type(result).__name__}, not {expected}",
        type=nexusrpc.HandlerErrorType.INTERNAL,
        retryable_override=False,
    )


def _check_request_type(
    request: Any,
    op: nexusrpc.OperationDefinition[Any, Any],
    service_name: str,
    takes_request: bool,
) -> None:
    """A caller in another language can send no value (`binary/null`) or another type.

    That is the caller's mistake, so it is a non-retryable BAD_REQUEST; left to user
    code it would fail as a retryable internal error until the caller's timeout.
    An operation taking `google.protobuf.Empty` ignores its request, so anything goes.
    """
    if takes_request and not isinstance(request, op.input_type):
        raise nexusrpc.HandlerError(
            f"request to {service_name}/{op.name} must be a "
            f"{op.input_type.DESCRIPTOR.full_name} message, not {type(request).__name__}",
            type=nexusrpc.HandlerErrorType.BAD_REQUEST,
            retryable_override=False,
        )


def _signature(method: Callable[..., Any]) -> str:
    hints = typing.get_type_hints(method)
    params = []
    for name in inspect.signature(method).parameters:
        params.append(f"{name}: {_type_name(hints[name])}" if name in hints else name)
    returned = f" -> {_type_name(hints['return'])}" if "return" in hints else ""
    return f"({', '.join(params)}){returned}"


def _type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin is not None:
        args = ", ".join(_type_name(arg) for arg in typing.get_args(annotation))
        return f"{_type_name(origin)}[{args}]"
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation)
