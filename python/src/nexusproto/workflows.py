"""Keys derived from the Nexus request ID: what makes a retried start harmless.

The caller's side (the server, for workflow callers and standalone operations)
gives every operation one request ID and sends it again with each retry of the
start: after a handler worker died mid-call, after a timeout, after a retryable
error. A handler that keys its side effect on it runs any number of times and
acts once.
"""

from __future__ import annotations

import nexusrpc.handler


def idempotency_key(ctx: nexusrpc.handler.StartOperationContext) -> str:
    """`service/operation/request-id`: the same for every attempt of one operation start.

    Pass it where the side effect is deduplicated (a payment provider's
    idempotency key, a unique database column), so that a start retried after a
    crash does not act twice. Sync operations need it: the server retries their
    start when no answer came back, even if the handler had run to the end.
    """
    return f"{ctx.service}/{ctx.operation}/{ctx.request_id}"


def default_workflow_id(ctx: nexusrpc.handler.StartOperationContext) -> str:
    """A workflow ID for a workflow-run operation whose contract sets no template.

    It is the operation's idempotency key, so a retried start finds the
    workflow it already started instead of starting a second one.
    """
    return idempotency_key(ctx)
