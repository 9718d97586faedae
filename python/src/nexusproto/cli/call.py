"""`nexusproto call`: one standalone Nexus operation, from proto JSON to proto JSON.

The request goes through the generated `<Service>StandaloneClient` (see
`nexusproto.contracts.start_standalone`), so the CLI calls exactly as
application code does: the contract's default endpoint and timeout, the same
validation, the same payload encoding.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import nexusrpc
import temporalio.exceptions
from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.client import Client, NexusOperationFailureError
from temporalio.common import NexusOperationExecutionStatus
from temporalio.envconfig import ClientConfigProfile
from temporalio.service import RPCError, RPCStatusCode

from nexusproto import callers, configuration, messages, validation
from nexusproto.configuration import ClientOptions
from nexusproto.contracts import Operation, Service, start_standalone
from nexusproto.messages import DataError

OK = 0
INVALID_REQUEST = 2
HANDLER_ERROR = 3
OPERATION_FAILED = 4
TIMED_OUT = 5
CANNOT_CONNECT = 6
REFUSED = 7
USAGE = 64

DEFAULT_ADDRESS = "localhost:7233"
"""Where the `temporal` CLI and the SDKs look when nothing is configured."""
CONNECT_TIMEOUT = timedelta(seconds=10)
DEFAULT_OPTIONS = ClientOptions()
"""nexusproto's converter, no interceptors, no plugins."""


class CallError(Exception):
    """A failure the person calling can act on: one line, and the exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CallSettings:
    data: str | None
    """The request as given: JSON, `@file`, `-` (stdin), or None."""
    endpoint: str | None
    operation_id: str | None
    timeout: timedelta | None
    wait: bool
    address: str | None
    namespace: str | None
    profile: str | None
    client: ClientOptions = DEFAULT_OPTIONS
    """Converter (codec included), interceptors (tracing's included) and plugins."""


def client_options(
    *,
    data_converter: str | None = None,
    interceptors: Sequence[str] = (),
    plugins: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> ClientOptions:
    """The converter, interceptors and plugins the command connects with: those the
    options name, else those of `NEXUSPROTO_DATA_CONVERTER`, `NEXUSPROTO_INTERCEPTORS`
    and `NEXUSPROTO_PLUGINS` (see `nexusproto.configuration`)."""
    try:
        return configuration.from_environment(
            environ,
            data_converter=data_converter,
            interceptors=interceptors or None,
            plugins=plugins or None,
        )
    except configuration.ConfigurationError as error:
        raise CallError(USAGE, str(error)) from None


# --- trace context ------------------------------------------------------------------------


def traced(
    options: ClientOptions, environ: Mapping[str, str]
) -> tuple[ClientOptions, contextlib.AbstractContextManager[object]]:
    """The options `call` connects with, and the trace context it runs in.

    With OpenTelemetry installed (nexusproto's `opentelemetry` extra), the call
    carries the trace context to the handler: `nexusproto.tracing.TracingInterceptor`
    is added unless one is given, and the call continues the trace that
    `TRACEPARENT` (and `TRACESTATE`) name in the environment, as a script or a CI
    job passes it on. Spans are recorded only where a tracer provider is set up
    (a `--plugin` can do that); the context goes on either way.
    """
    try:
        import opentelemetry.propagate

        from nexusproto.tracing import TracingInterceptor
    except ImportError:
        return options, contextlib.nullcontext()
    if not any(isinstance(i, TracingInterceptor) for i in options.interceptors):
        options = dataclasses.replace(
            options, interceptors=(*options.interceptors, TracingInterceptor())
        )
    carrier = {
        key.lower(): value for key in ("TRACEPARENT", "TRACESTATE") if (value := environ.get(key))
    }
    if not carrier:
        return options, contextlib.nullcontext()
    context = opentelemetry.propagate.extract(carrier)
    return options, _attached(context)


@contextlib.contextmanager
def _attached(context: Any) -> Iterator[None]:
    import opentelemetry.context

    token = opentelemetry.context.attach(context)
    try:
        yield
    finally:
        opentelemetry.context.detach(token)


# --- the request --------------------------------------------------------------------------


def read_data(spec: str | None, stdin: TextIO | None = None) -> str | None:
    """`--data`: the JSON itself, `@path` for a file's content, or `-` for standard input."""
    if spec is None:
        return None
    if spec == "-":
        return (stdin or sys.stdin).read()
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise CallError(USAGE, f"cannot read --data file {path}: {error.strerror}") from None
    return spec


def request_of(operation: Operation, data: str | None) -> Message | None:
    """The request message `data` (proto JSON) holds; None for an `Empty` request."""
    target = operation.qualified_name
    if operation.input_type is None:
        if data is not None and data.strip() not in ("", "{}"):
            raise CallError(
                USAGE,
                f"{target} takes no request (google.protobuf.Empty); leave out --data",
            )
        return None
    full_name = operation.input_type.DESCRIPTOR.full_name
    if data is None:
        raise CallError(
            USAGE,
            f"{target} needs a {full_name}: pass --data JSON, --data @FILE or --data - "
            "(`nexusproto describe` shows a template)",
        )
    try:
        return messages.parse_json(data, operation.input_type)
    except DataError as error:
        raise CallError(USAGE, f"invalid --data for {target}: {error}") from None


def violations_of(operation: Operation, request: Message | None) -> list[str]:
    """The rules `request` breaks, checked as the generated caller checks them."""
    if request is None or not operation.validates_request:
        return []
    return validation.violations(request)


# --- the connection -----------------------------------------------------------------------


def connect_settings(
    *,
    address: str | None = None,
    namespace: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`Client.connect` keyword arguments from Temporal's environment configuration.

    As the `temporal` CLI reads it: the profile (`profile`, else
    `TEMPORAL_PROFILE`, else "default") of the config file
    (`TEMPORAL_CONFIG_FILE`, else the default location), overridden by
    `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
    `TEMPORAL_TLS_*` and `TEMPORAL_GRPC_META_*`; then by `address` and `namespace`.
    """
    try:
        loaded = ClientConfigProfile.load(profile=profile, override_env_vars=environ)
        settings: dict[str, Any] = dict(loaded.to_client_connect_config())
    except (RuntimeError, OSError, ValueError) as error:
        raise CallError(
            USAGE, f"cannot read the Temporal environment configuration: {_one_line(error)}"
        ) from None
    if address:
        settings["target_host"] = address
    settings.setdefault("target_host", DEFAULT_ADDRESS)
    if namespace:
        settings["namespace"] = namespace
    settings.setdefault("namespace", "default")
    return settings


async def connect(settings: dict[str, Any], options: ClientOptions = DEFAULT_OPTIONS) -> Client:
    """A client with `options`: by default the evolving-contract converter (see the
    package documentation), no interceptors, no plugins."""
    try:
        # Not Client.connect's own connect_timeout, which temporalio 1.29 lacks.
        return await asyncio.wait_for(
            Client.connect(**settings, **options.connect_arguments()),
            timeout=CONNECT_TIMEOUT.total_seconds(),
        )
    except asyncio.TimeoutError:
        raise CallError(
            CANNOT_CONNECT,
            f"cannot connect to Temporal at {settings['target_host']}: no answer within "
            f"{CONNECT_TIMEOUT.total_seconds():g}s",
        ) from None
    except (RuntimeError, OSError, ValueError) as error:
        raise CallError(
            CANNOT_CONNECT,
            f"cannot connect to Temporal at {settings['target_host']}: {_connect_reason(error)} "
            "(set the address with --address, TEMPORAL_ADDRESS or a profile)",
        ) from None


def _connect_reason(error: Exception) -> str:
    text = str(error)
    found = re.search(r'message: "([^"]+)"', text)
    if found:
        return found.group(1)
    return _one_line(text.removeprefix("Failed client connect: "))


# --- the call -----------------------------------------------------------------------------


async def call(
    service: Service,
    operation: Operation,
    settings: CallSettings,
    *,
    stdout: TextIO,
    stderr: TextIO,
    stdin: TextIO | None = None,
) -> int:
    """Run `nexusproto call`; raises CallError for every failure a person can cause."""
    request = request_of(operation, read_data(settings.data, stdin))
    found = violations_of(operation, request)
    if found:  # before connecting: no server needed to learn this
        return _invalid(operation, request, found, stderr)
    endpoint = settings.endpoint or service.default_endpoint
    if not endpoint:
        raise CallError(
            USAGE,
            f"service {service.name} has no default endpoint in its contract; "
            "name one with --endpoint",
        )
    client = await connect(
        connect_settings(
            address=settings.address, namespace=settings.namespace, profile=settings.profile
        ),
        settings.client,
    )
    options: callers.StandaloneCallOptions = {
        "id": settings.operation_id or callers.new_operation_id()
    }
    if settings.timeout is not None:
        options["schedule_to_close_timeout"] = settings.timeout
    try:
        handle = await start_standalone(
            client, service, operation, request, endpoint=endpoint, **options
        )
    except callers.InvalidRequestError as error:  # the generated caller's own check
        return _invalid(operation, request, error.violations, stderr)
    except RPCError as error:
        raise _rpc_failure(error, f"cannot start {operation.qualified_name}", client) from None
    if not settings.wait:
        print(handle.operation_id, file=stdout)
        return OK
    print(f"operation ID: {handle.operation_id}", file=stderr, flush=True)
    return await _wait(client, handle, stdout=stdout, stderr=stderr)


async def result(
    operation: Operation,
    operation_id: str,
    settings: CallSettings,
    *,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Run `nexusproto result`: wait for an operation started before (by `call
    --no-wait`, or by any standalone caller) and print its result as `call` does."""
    client = await connect(
        connect_settings(
            address=settings.address, namespace=settings.namespace, profile=settings.profile
        ),
        settings.client,
    )
    handle = client.get_nexus_operation_handle(operation_id, operation=operation.definition)
    return await _wait(client, handle, stdout=stdout, stderr=stderr)


async def _wait(client: Client, handle: Any, *, stdout: TextIO, stderr: TextIO) -> int:
    """The operation's result printed as proto JSON, or the CallError saying why not."""
    attempts = _Attempts(handle, stderr)
    watching = asyncio.create_task(attempts.watch())
    try:
        result = await handle.result()
    except NexusOperationFailureError as error:
        raise await _operation_failure(error.cause, handle, attempts) from None
    except KeyError as error:  # the SDK's "Unknown payload encoding ..."
        reason = error.args[0] if error.args else error
        raise CallError(
            USAGE,
            f"cannot read the result of operation {handle.operation_id}: {_one_line(reason)} "
            "(are payloads encrypted? pass the teams' converter with --data-converter)",
        ) from None
    except RPCError as error:
        raise _rpc_failure(error, "cannot get the result", client) from None
    finally:
        watching.cancel()
    print(_as_json(result), file=stdout)
    return OK


def _invalid(
    operation: Operation, request: Message | None, violations: list[str], stderr: TextIO
) -> int:
    message = request.DESCRIPTOR.full_name if request is not None else "request"
    print(
        f"nexusproto: invalid {message} for {operation.qualified_name}, nothing sent:",
        file=stderr,
    )
    for violation in violations:
        print(f"  {violation}", file=stderr)
    return INVALID_REQUEST


class _Attempts:
    """Failed attempts of a running operation, reported as they happen.

    A retryable handler error (as UNAVAILABLE, or an unexpected exception in the
    handler) is retried until the schedule-to-close timeout, and the server's
    record of it is replaced by the timeout once that fires. Asking the server
    while waiting shows the person calling why nothing comes back, and keeps the
    last such failure for the timeout's message.
    """

    def __init__(self, handle: Any, stderr: TextIO) -> None:
        self._handle = handle
        self._stderr = stderr
        self._reported: object = None
        self.last: str | None = None

    async def watch(self) -> None:
        delay = 0.25
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
            await self.check()

    async def check(self) -> None:
        try:
            described = await self._handle.describe()
        except RPCError:
            return
        failure = described.last_attempt_failure
        if (
            described.status != NexusOperationExecutionStatus.RUNNING  # the result tells
            or failure is None
            or isinstance(failure, temporalio.exceptions.TimeoutError)
        ):
            return
        when = described.last_attempt_complete_time
        if when == self._reported:
            return
        self._reported = when
        self.last = _failure_text(failure)
        print(f"attempt {described.attempt} failed, retrying: {self.last}", file=self._stderr)


def _as_json(result: Any) -> str:
    if result is None:  # google.protobuf.Empty travels as no payload
        return "{}"
    text: str = json_format.MessageToJson(
        result, indent=2, always_print_fields_with_no_presence=True
    )
    return text


def _rpc_failure(error: RPCError, doing: str, client: Client) -> CallError:
    if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return CallError(
            CANNOT_CONNECT,
            f"{doing}: Temporal at {client.service_client.config.target_host} "
            f"does not answer: {_one_line(error.message)}",
        )
    return CallError(
        REFUSED,
        f"{doing}: the server refused it ({error.status.name}): {_one_line(error.message)}",
    )


def _failure_text(failure: BaseException) -> str:
    if isinstance(failure, nexusrpc.HandlerError):
        kind = getattr(failure, "raw_error_type", None) or failure.type.name
        return f"handler error {kind}: {_message(failure)}"
    if isinstance(failure, temporalio.exceptions.ApplicationError) and failure.type:
        return f"{failure.type}: {_message(failure)}"
    return _message(failure)


async def _operation_failure(cause: BaseException, handle: Any, attempts: _Attempts) -> CallError:
    operation = f"operation {handle.operation_id}"
    if isinstance(cause, nexusrpc.HandlerError):
        return CallError(HANDLER_ERROR, _failure_text(cause))
    if isinstance(cause, temporalio.exceptions.TimeoutError):
        return CallError(
            TIMED_OUT, f"{operation} timed out{await _timeout_details(handle, attempts)}"
        )
    if isinstance(cause, temporalio.exceptions.CancelledError):
        return CallError(OPERATION_FAILED, f"{operation} was canceled: {_message(cause)}")
    if isinstance(cause, temporalio.exceptions.TerminatedError):
        return CallError(OPERATION_FAILED, f"{operation} was terminated: {_message(cause)}")
    return CallError(OPERATION_FAILED, f"{operation} failed: {_failure_text(cause)}")


async def _timeout_details(handle: Any, attempts: _Attempts) -> str:
    """How long it had, and the last failed attempt seen (see `_Attempts`)."""
    try:
        described = await handle.describe()
    except RPCError:
        described = None
    text = ""
    if described is not None and described.schedule_to_close_timeout:
        text = f" after {_seconds(described.schedule_to_close_timeout)} (schedule-to-close)"
    if attempts.last is not None:
        text += f"; last failed attempt: {attempts.last}"
    elif described is not None and described.blocked_reason:
        text += f"; {_one_line(described.blocked_reason)}"
    else:
        text += "; no attempt failed (is a worker polling the endpoint's task queue?)"
    return text


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g}s"


def _message(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error)
    cause = error.__cause__
    if cause is not None and (getattr(cause, "message", None) or str(cause)) not in text:
        text += f" (cause: {getattr(cause, 'message', None) or cause})"
    return _one_line(str(text))


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> timedelta:
    """`30s`, `1m30s`, `2h`, `500ms`, or a number of seconds; raises ValueError."""
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        parts = _DURATION.findall(text)
        if not parts or "".join(number + unit for number, unit in parts) != text:
            raise ValueError(f"{text!r} is not a duration (as in 30s, 1m30s, 2h, 500ms)") from None
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{text!r}: a timeout must be a positive, finite duration")
    return timedelta(seconds=seconds)
