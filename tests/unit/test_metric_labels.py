"""`nexusproto.metrics`: nothing is recorded outside a Nexus worker, and how failures are labelled."""

from __future__ import annotations

import asyncio

import nexusrpc
from nexusproto import metrics
from temporalio.service import RPCError, RPCStatusCode


def test_no_meter_outside_an_operation() -> None:
    assert metrics.meter() is None


def test_failure_kinds() -> None:
    not_found = nexusrpc.HandlerError("x", type=nexusrpc.HandlerErrorType.NOT_FOUND)
    assert metrics.failure_kind(not_found) == "NOT_FOUND"
    failed = nexusrpc.OperationError("x", state=nexusrpc.OperationErrorState.FAILED)
    assert metrics.failure_kind(failed) == "OPERATION_FAILED"
    canceled = nexusrpc.OperationError("x", state=nexusrpc.OperationErrorState.CANCELED)
    assert metrics.failure_kind(canceled) == "OPERATION_CANCELED"
    assert metrics.failure_kind(asyncio.CancelledError()) == "CANCELLED"
    assert metrics.failure_kind(ValueError("x")) == "INTERNAL"
    unavailable = RPCError("x", RPCStatusCode.UNAVAILABLE, b"")
    assert metrics.failure_kind(unavailable) == "UNAVAILABLE"


class _BrokenMeter:
    def create_counter(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("exporter gone")


def test_a_metric_that_cannot_be_recorded_never_fails_the_operation() -> None:
    metrics.started(_BrokenMeter(), "sync")  # type: ignore[arg-type]
    metrics.failed(_BrokenMeter(), "sync", ValueError("x"))  # type: ignore[arg-type]
