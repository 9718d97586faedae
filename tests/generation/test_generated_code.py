"""The generated modules of the example contracts (`make generate`) as users get them."""

import subprocess
import sys
from pathlib import Path

import nexusrpc
import pytest
from support.protoc import BIN, REPO
from support.typecheck import mypy_strict, pyright_strict

GEN = REPO / "gen"
NEXUS_MODULES = sorted([*GEN.rglob("*_nexus.py"), *GEN.rglob("*_nexus_testing.py")])


def test_payment_service_definition_is_exact() -> None:
    from payments.v1 import payments_pb2
    from payments.v1.payments_nexus import PaymentService

    definition = nexusrpc.get_service_definition(PaymentService)
    assert definition is not None
    assert definition.name == "payments.v1.PaymentService"
    operations = {
        op.method_name: (name, op.input_type, op.output_type)
        for name, op in definition.operation_definitions.items()
    }
    assert operations == {
        "process_payment": (
            "ProcessPayment",
            payments_pb2.ProcessPaymentRequest,
            payments_pb2.ProcessPaymentResponse,
        ),
        "refund_payment": (
            "refund-payment",
            payments_pb2.RefundPaymentRequest,
            payments_pb2.RefundPaymentResponse,
        ),
        # google.protobuf.Empty is no payload at all, as the Go generators send it.
        "check_health": ("CheckHealth", type(None), payments_pb2.HealthStatus),
        "reset_ledger": ("ResetLedger", type(None), type(None)),
    }


def test_annotated_service_name_is_used() -> None:
    from orders.v1 import orders_pb2
    from orders.v1.orders_nexus import OrderService

    definition = nexusrpc.get_service_definition(OrderService)
    assert definition is not None
    assert definition.name == "orders"
    op = definition.operation_definitions["place-order"]
    assert (op.method_name, op.input_type, op.output_type) == (
        "place_order",
        orders_pb2.PlaceOrderRequest,
        orders_pb2.PlaceOrderResponse,
    )


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_generated_modules_exist() -> None:
    assert sorted(p.relative_to(GEN).as_posix() for p in NEXUS_MODULES) == [
        "orders/v1/carts_nexus.py",
        "orders/v1/carts_nexus_testing.py",
        "orders/v1/orders_nexus.py",
        "orders/v1/orders_nexus_testing.py",
        "payments/v1/payments_nexus.py",
        "payments/v1/payments_nexus_testing.py",
    ]


def test_ruff_check_and_format() -> None:
    config = REPO / "tests" / "ruff.toml"
    check = _run(BIN / "ruff", "check", "--no-cache", "--config", config, *NEXUS_MODULES)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(BIN / "ruff", "format", "--check", "--diff", "--no-cache", "--config", config, *NEXUS_MODULES)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    result = mypy_strict(NEXUS_MODULES, cwd=GEN, search_path=GEN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_strict(tmp_path: Path) -> None:
    result, report = pyright_strict(NEXUS_MODULES, config_dir=tmp_path, extra_paths=[GEN])
    assert report["summary"]["filesAnalyzed"] == len(NEXUS_MODULES), result.stdout
    assert report["generalDiagnostics"] == [], result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module", ["payments.v1.payments_nexus", "orders.v1.orders_nexus", "orders.v1.carts_nexus"]
)
def test_module_imports_in_a_fresh_interpreter(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=GEN,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
