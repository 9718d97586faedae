"""What generated workflow-run operations use to start their workflow."""

from __future__ import annotations

import nexusrpc.handler


def default_workflow_id(ctx: nexusrpc.handler.StartOperationContext) -> str:
    """A workflow ID for a workflow-run operation whose contract sets no template.

    It is derived from the Nexus request ID, which stays the same when the
    caller's side retries one start, so a retried start finds the workflow it
    already started instead of starting a second one.
    """
    return f"{ctx.service}/{ctx.operation}/{ctx.request_id}"
