"""A correct handler for the generated PaymentServiceHandler.

Type-checked by tests/generation/test_typecheck.py (mypy --strict and pyright strict must
report nothing) and imported there, so the runtime accepts it too.
"""

import nexusrpc
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceHandler
from temporalio import nexus


class HealthyBase(PaymentServiceHandler, abstract=True):
    """Shared by several handlers; not registered itself."""

    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        return None


class Payments(HealthyBase):
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        return payments_pb2.ProcessPaymentResponse(
            transaction_id=f"txn-{request.order_id}",
            status=payments_pb2.PAYMENT_STATUS_SETTLED,
        )

    async def refund_payment(
        self,
        ctx: nexus.WorkflowRunOperationContext,
        request: payments_pb2.RefundPaymentRequest,
    ) -> nexus.WorkflowHandle[payments_pb2.RefundPaymentResponse]:
        # The generated default starts RefundPaymentWorkflow; this one adds a queue.
        return await ctx.start_workflow(
            "RefundPaymentWorkflow",
            request,
            id=f"refund-{request.transaction_id}",
            task_queue="refunds",
            result_type=payments_pb2.RefundPaymentResponse,
        )


handler: PaymentServiceHandler = Payments()
