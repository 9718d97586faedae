"""Fakes built wrongly; never run, only type-checked.

tests/generation/test_typecheck.py runs mypy --strict on this file and compares its errors
with bad_fake.expected, and checks that pyright strict reports the same lines.
"""

from payments.v1 import payments_pb2
from payments.v1.payments_nexus_testing import PaymentServiceFake


def fakes() -> list[PaymentServiceFake]:
    return [
        PaymentServiceFake(process_payment=payments_pb2.RefundPaymentResponse()),
        PaymentServiceFake(process_payment=lambda request: request.no_such_field),
        PaymentServiceFake(check_health=lambda request: payments_pb2.HealthStatus()),
        PaymentServiceFake(charge=payments_pb2.ProcessPaymentResponse()),
        PaymentServiceFake(process_payment=payments_pb2.ProcessPaymentResponse()),
    ]
