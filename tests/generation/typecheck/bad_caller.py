"""Calls that break the generated client signatures; never run, only type-checked.

tests/generation/test_typecheck.py runs mypy --strict on this file and compares its errors
with bad_caller.expected, and checks that pyright strict reports the same lines.
Each broken call is kept on one line, where both checkers report it.
"""

from datetime import timedelta

from payments.v1 import payments_pb2
from payments.v1.payments_nexus import PaymentServiceNexusClient, PaymentServiceStandaloneClient
from temporalio.client import Client


async def in_a_workflow() -> None:
    payments = PaymentServiceNexusClient()
    await payments.process_payment(payments_pb2.RefundPaymentRequest())
    await payments.check_health(payments_pb2.ProcessPaymentRequest())
    await payments.process_payment(payments_pb2.ProcessPaymentRequest(), schedule_to_close_timeout=30)
    await payments.process_payment(payments_pb2.ProcessPaymentRequest(), retry=True)
    refund: payments_pb2.ProcessPaymentResponse = await payments.refund_payment(payments_pb2.RefundPaymentRequest())
    del refund


async def from_an_application(client: Client) -> None:
    payments = PaymentServiceStandaloneClient(client)
    await payments.process_payment(payments_pb2.RefundPaymentRequest(), id="op-1")
    await payments.process_payment(payments_pb2.ProcessPaymentRequest(), id=42)
    await payments.process_payment(payments_pb2.ProcessPaymentRequest(), cancellation_type=None)
    await payments.start_process_payment(payments_pb2.ProcessPaymentRequest(), schedule_to_close_timeout=timedelta(1), summary=3)
