"""Overrides that break the generated signatures; never imported, only type-checked.

tests/generation/test_typecheck.py runs mypy --strict on this file and compares its errors
with bad_handler.expected, and checks that pyright strict reports the same lines.
Each broken signature is kept on one line, where both checkers report it.
"""

import nexusrpc
from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceHandler


class HealthyBase(PaymentServiceHandler, abstract=True):
    async def check_health(
        self, ctx: nexusrpc.handler.StartOperationContext
    ) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus(accepting_charges=True)

    async def reset_ledger(self, ctx: nexusrpc.handler.StartOperationContext) -> None:
        return None


class WrongRequestType(HealthyBase):
    async def process_payment(self, ctx: nexusrpc.handler.StartOperationContext, request: payments_pb2.RefundPaymentRequest) -> payments_pb2.ProcessPaymentResponse:
        return payments_pb2.ProcessPaymentResponse(transaction_id="txn-1")


class WrongReturnType(HealthyBase):
    async def process_payment(self, ctx: nexusrpc.handler.StartOperationContext, request: payments_pb2.ProcessPaymentRequest) -> payments_pb2.RefundPaymentResponse:
        return payments_pb2.RefundPaymentResponse(refund_id="refund-1")


class RequestForEmptyInput(HealthyBase):
    async def process_payment(self, ctx: nexusrpc.handler.StartOperationContext, request: payments_pb2.ProcessPaymentRequest) -> payments_pb2.ProcessPaymentResponse:
        return payments_pb2.ProcessPaymentResponse(transaction_id="txn-1")

    async def check_health(self, ctx: nexusrpc.handler.StartOperationContext, request: payments_pb2.ProcessPaymentRequest) -> payments_pb2.HealthStatus:
        return payments_pb2.HealthStatus()


class MissingOverride(HealthyBase):
    pass


missing = MissingOverride()
