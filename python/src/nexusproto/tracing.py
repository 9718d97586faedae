"""Trace context for standalone Nexus calls (docs: how-to/observability.md).

The SDK's `temporalio.contrib.opentelemetry.TracingInterceptor` traces Nexus
operations started from workflows and the handler side: it puts the W3C trace
context in the Nexus headers and the handler's span continues it. A start from
application code (`client.create_nexus_client(...)`, which the generated
`<Service>StandaloneClient` uses) has no such hook in the SDK, so the handler's
span starts a new trace. `TracingInterceptor` here closes that gap: a
`temporalio.client.Interceptor` whose `start_nexus_operation` opens a CLIENT span
`StartNexusOperation:<service>/<operation>` under the current span and injects
its context (`traceparent`, `tracestate`) into the operation's Nexus headers.
Headers the caller set explicitly are kept.

    from temporalio.contrib.opentelemetry import TracingInterceptor as SdkTracing
    from nexusproto.tracing import TracingInterceptor as StandaloneTracing

    client = await Client.connect(..., interceptors=[SdkTracing(), StandaloneTracing()])

Needs `opentelemetry-api` (the `opentelemetry` extra of nexusproto).
"""

from __future__ import annotations

from typing import Any

import opentelemetry.propagate
import opentelemetry.trace
import temporalio.client
from opentelemetry.propagators.textmap import TextMapPropagator

__all__ = ["TracingInterceptor"]


class TracingInterceptor(temporalio.client.Interceptor):
    """Carries the current trace context on standalone Nexus operation starts.

    `tracer` defaults to `opentelemetry.trace.get_tracer("nexusproto.tracing")`
    and `propagator` to the global one (`opentelemetry.propagate.get_global_textmap()`,
    W3C trace context and baggage unless configured otherwise).
    """

    def __init__(
        self,
        tracer: opentelemetry.trace.Tracer | None = None,
        *,
        propagator: TextMapPropagator | None = None,
    ) -> None:
        self._tracer = tracer
        self._propagator = propagator

    @property
    def tracer(self) -> opentelemetry.trace.Tracer:
        return self._tracer or opentelemetry.trace.get_tracer(__name__)

    @property
    def propagator(self) -> TextMapPropagator:
        return self._propagator or opentelemetry.propagate.get_global_textmap()

    def intercept_client(
        self, next: temporalio.client.OutboundInterceptor
    ) -> temporalio.client.OutboundInterceptor:
        return _Outbound(next, self)


class _Outbound(temporalio.client.OutboundInterceptor):
    def __init__(self, next: temporalio.client.OutboundInterceptor, root: TracingInterceptor):
        super().__init__(next)
        self._root = root

    async def start_nexus_operation(
        self, input: temporalio.client.StartNexusOperationInput
    ) -> temporalio.client.NexusOperationHandle[Any]:
        with self._root.tracer.start_as_current_span(
            f"StartNexusOperation:{input.service}/{input.operation}",
            kind=opentelemetry.trace.SpanKind.CLIENT,
            attributes={"temporalNexusOperationId": input.id},
        ):
            carrier: dict[str, str] = {}
            self._root.propagator.inject(carrier)
            input.headers = {**carrier, **input.headers}
            return await super().start_nexus_operation(input)
