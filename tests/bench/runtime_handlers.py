"""The runtime benchmark's handler side: one handler per variant (see runtime_workflows.py).

The raw ones are plain `nexusrpc` handlers written by hand; the generated ones are
plain subclasses of the generated handler bases. All answer the same way.
"""

import nexusrpc
import nexusrpc.handler
import protovalidate
from nxbenchpay.v1.nxbenchpay_nexus import UnvalidatedPaymentsHandler, ValidatedPaymentsHandler
from payments.v1 import payments_pb2
from runtime_workflows import RawPayments, RawValidatedPayments


def settle(request: payments_pb2.ProcessPaymentRequest) -> payments_pb2.ProcessPaymentResponse:
    return payments_pb2.ProcessPaymentResponse(
        transaction_id=f"tx-{request.order_id}", status=payments_pb2.PAYMENT_STATUS_SETTLED
    )


@nexusrpc.handler.service_handler(service=RawPayments)
class RawHandler:
    @nexusrpc.handler.sync_operation
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        return settle(input)


@nexusrpc.handler.service_handler(service=RawValidatedPayments)
class RawValidatedHandler:
    @nexusrpc.handler.sync_operation
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        input: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        if protovalidate.collect_violations(input):
            raise nexusrpc.HandlerError(
                "invalid request", type=nexusrpc.HandlerErrorType.BAD_REQUEST
            )
        response = settle(input)
        if protovalidate.collect_violations(response):
            raise nexusrpc.HandlerError("invalid response", type=nexusrpc.HandlerErrorType.INTERNAL)
        return response


class GeneratedHandler(UnvalidatedPaymentsHandler):
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        return settle(request)


class GeneratedValidatedHandler(ValidatedPaymentsHandler):
    async def process_payment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: payments_pb2.ProcessPaymentRequest,
    ) -> payments_pb2.ProcessPaymentResponse:
        return settle(request)
