"""Per-operation metrics of the generated handlers, through the SDK's Nexus metric meter.

The wrapper that binds each operation of a generated `<Service>Handler`
(`nexusproto.handler`) records these on `temporalio.nexus.metric_meter()`,
which the SDK already labels `nexus_service`, `nexus_operation` and
`task_queue`; the worker's runtime telemetry exports them (Prometheus,
OpenTelemetry or a `MetricBuffer`). There is no metrics stack of our own.

| name | kind | unit | extra labels |
|---|---|---|---|
| `nexusproto_operation_started` | counter | | `operation_kind` |
| `nexusproto_operation_succeeded` | counter | | `operation_kind` |
| `nexusproto_operation_failed` | counter | | `operation_kind`, `failure` |
| `nexusproto_request_invalid` | counter | | |
| `nexusproto_response_invalid` | counter | | |
| `nexusproto_sync_operation_latency` | histogram | duration | `outcome` |

Without configured metrics the runtime's meter is the SDK's no-op meter;
`meter()` then answers None and the wrapper records nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import nexusrpc
import temporalio.common
import temporalio.nexus

__all__ = [
    "OPERATION_FAILED",
    "OPERATION_STARTED",
    "OPERATION_SUCCEEDED",
    "REQUEST_INVALID",
    "RESPONSE_INVALID",
    "SYNC_OPERATION_LATENCY",
    "failure_kind",
]

OPERATION_STARTED = "nexusproto_operation_started"
OPERATION_SUCCEEDED = "nexusproto_operation_succeeded"
OPERATION_FAILED = "nexusproto_operation_failed"
REQUEST_INVALID = "nexusproto_request_invalid"
RESPONSE_INVALID = "nexusproto_response_invalid"
SYNC_OPERATION_LATENCY = "nexusproto_sync_operation_latency"

_NOOP = temporalio.common.MetricMeter.noop
_logger = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., None])


def _never_raises(record: _F) -> _F:
    """A metric that cannot be recorded is logged; it never changes the operation's answer."""

    @functools.wraps(record)
    def safe(*args: Any, **kwargs: Any) -> None:
        try:
            record(*args, **kwargs)
        except Exception:
            _logger.warning("could not record metric (%s)", record.__name__, exc_info=True)

    return safe  # type: ignore[return-value]


# Older SDKs of the supported range may lack these; then nothing is recorded.
_in_operation = getattr(temporalio.nexus, "in_operation", None)
_metric_meter = getattr(temporalio.nexus, "metric_meter", None)


def meter() -> temporalio.common.MetricMeter | None:
    """The current operation's meter, or None when nothing would be recorded
    (no metrics configured, or not running in a Temporal Nexus worker)."""
    if _in_operation is None or _metric_meter is None or not _in_operation():
        return None
    found: temporalio.common.MetricMeter = _metric_meter()
    return None if found is _NOOP else found


@_never_raises
def started(meter: temporalio.common.MetricMeter, kind: str) -> None:
    meter.create_counter(
        OPERATION_STARTED, "Nexus operation starts received by a generated handler"
    ).add(1, {"operation_kind": kind})


@_never_raises
def succeeded(meter: temporalio.common.MetricMeter, kind: str) -> None:
    meter.create_counter(
        OPERATION_SUCCEEDED,
        "Nexus operation starts answered with a result (sync) or a started workflow",
    ).add(1, {"operation_kind": kind})


@_never_raises
def failed(meter: temporalio.common.MetricMeter, kind: str, error: BaseException) -> None:
    meter.create_counter(
        OPERATION_FAILED, "Nexus operation starts that failed, by failure kind"
    ).add(1, {"operation_kind": kind, "failure": failure_kind(error)})


@_never_raises
def request_invalid(meter: temporalio.common.MetricMeter) -> None:
    meter.create_counter(
        REQUEST_INVALID, "Requests refused by validation (buf.validate rules or wrong type)"
    ).add(1)


@_never_raises
def response_invalid(meter: temporalio.common.MetricMeter) -> None:
    meter.create_counter(
        RESPONSE_INVALID,
        "Handler responses refused by validation (buf.validate rules or wrong type)",
    ).add(1)


@_never_raises
def sync_latency(meter: temporalio.common.MetricMeter, seconds: float, outcome: str) -> None:
    meter.create_histogram_timedelta(
        SYNC_OPERATION_LATENCY,
        "Time a sync operation's handler took, validation included",
        "duration",
    ).record(timedelta(seconds=seconds), {"outcome": outcome})


def failure_kind(error: BaseException) -> str:
    """The `failure` label: the handler error type the caller meets (`BAD_REQUEST`,
    `INTERNAL`, `NOT_FOUND`, ...), `OPERATION_FAILED` / `OPERATION_CANCELED` for an
    operation error, `CANCELLED` when the task itself was cancelled."""
    if isinstance(error, nexusrpc.HandlerError):
        return error.type.name
    if isinstance(error, nexusrpc.OperationError):
        return f"OPERATION_{error.state.name}"
    if isinstance(error, asyncio.CancelledError):
        return "CANCELLED"
    return _sdk_handler_error_type(error)


def _sdk_handler_error_type(error: BaseException) -> str:
    # The SDK turns any other exception into a handler error (an RPC error's
    # status picks the type; anything else is INTERNAL). Use its own mapping
    # where this SDK version has it.
    try:
        from temporalio.worker._nexus import _exception_to_handler_error

        converted: Any = _exception_to_handler_error(error)
        return str(converted.type.name)
    except Exception:
        return nexusrpc.HandlerErrorType.INTERNAL.name
