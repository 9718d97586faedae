"""`nexusproto.contracts`: generated modules found, read back and named (no server).

The contracts are the example ones in gen/ (`make generate`); what each operation
is read from is listed in the module's documentation.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from nexusproto.contracts import (
    ContractError,
    Contracts,
    UnknownNameError,
    WorkflowBinding,
    load,
    start_standalone,
)
from orders.v1 import carts_pb2, orders_pb2
from payments.v1 import payments_pb2

GEN = Path(__file__).resolve().parents[2] / "gen"


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return load([GEN])


@pytest.fixture
def restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`load` puts directories on sys.path; tests with directories of their own undo it."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def test_a_directory_gives_every_generated_service(contracts: Contracts) -> None:
    assert [
        (s.name, s.module, s.class_name, s.proto_name) for s in contracts.services
    ] == [
        ("carts", "orders.v1.carts_nexus", "CartService", "orders.v1.CartService"),
        ("orders", "orders.v1.orders_nexus", "OrderService", "orders.v1.OrderService"),
        (
            "payments.v1.PaymentService",
            "payments.v1.payments_nexus",
            "PaymentService",
            "payments.v1.PaymentService",
        ),
    ]
    assert [s.default_endpoint for s in contracts.services] == [
        "carts",
        None,
        "payments",
    ]


CART = "CartWorkflow"


@pytest.mark.parametrize(
    ("name", "method", "kind", "binding", "timeout", "validates", "types"),
    [
        (
            "payments.v1.PaymentService/ProcessPayment",
            "process_payment",
            "sync",
            None,
            60,
            (True, True),
            (payments_pb2.ProcessPaymentRequest, payments_pb2.ProcessPaymentResponse),
        ),
        (
            "payments.v1.PaymentService/refund-payment",
            "refund_payment",
            "workflow_run",
            WorkflowBinding(
                "workflow-run",
                "RefundPaymentWorkflow",
                id_template="refund-{transaction_id}",
            ),
            60,
            (True, False),
            (payments_pb2.RefundPaymentRequest, payments_pb2.RefundPaymentResponse),
        ),
        (
            "payments.v1.PaymentService/CheckHealth",
            "check_health",
            "sync",
            None,
            60,
            (False, False),
            (None, payments_pb2.HealthStatus),
        ),
        (
            "payments.v1.PaymentService/ResetLedger",
            "reset_ledger",
            "sync",
            None,
            60,
            (False, False),
            (None, None),
        ),
        (
            "carts/AddItem",
            "add_item",
            "sync",
            WorkflowBinding(
                "update", CART, "add_item", "cart-{cart_id}", starts_workflow=True
            ),
            30,
            (True, True),
            (carts_pb2.AddItemRequest, carts_pb2.Cart),
        ),
        (
            "carts/RemoveItem",
            "remove_item",
            "sync",
            # No workflow type of its own: that of the operations on the same IDs.
            WorkflowBinding("update", CART, "remove_item", "cart-{cart_id}"),
            30,
            (True, True),
            (carts_pb2.RemoveItemRequest, carts_pb2.Cart),
        ),
        (
            "carts/ApplyCoupon",
            "apply_coupon",
            "sync",
            WorkflowBinding(
                "signal", CART, "apply_coupon", "cart-{cart_id}", starts_workflow=True
            ),
            30,
            (True, False),
            (carts_pb2.ApplyCouponRequest, None),
        ),
        (
            "carts/GetCart",
            "get_cart",
            "sync",
            WorkflowBinding("query", CART, "get", "cart-{cart_id}"),
            30,
            (True, True),
            (carts_pb2.GetCartRequest, carts_pb2.Cart),
        ),
        (
            "orders/place-order",
            "place_order",
            "sync",
            None,
            None,
            (True, False),
            (orders_pb2.PlaceOrderRequest, orders_pb2.PlaceOrderResponse),
        ),
    ],
)
def test_what_an_operation_is_read_as(
    contracts: Contracts,
    name: str,
    method: str,
    kind: str,
    binding: WorkflowBinding | None,
    timeout: int | None,
    validates: tuple[bool, bool],
    types: tuple[type | None, type | None],
) -> None:
    op = contracts.operation(name)
    assert op.qualified_name == name
    assert op.method_name == method
    assert op.kind == kind
    assert op.binding == binding
    assert op.timeout == (timedelta(seconds=timeout) if timeout else None)
    assert (op.validates_request, op.validates_response) == validates
    assert (op.input_type, op.output_type) == types


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("payments.v1.PaymentService", "payments.v1.PaymentService"),
        ("PaymentService", "payments.v1.PaymentService"),
        ("payments.v1.payments_nexus.PaymentService", "payments.v1.PaymentService"),
        ("carts", "carts"),
        ("CartService", "carts"),
        ("orders.v1.CartService", "carts"),  # the proto name
    ],
)
def test_services_by_wire_python_or_proto_name(
    contracts: Contracts, name: str, service: str
) -> None:
    assert contracts.service(name).name == service


@pytest.mark.parametrize(
    "name",
    [
        "payments.v1.PaymentService/refund-payment",
        "PaymentService/refund_payment",
        "payments.v1.payments_nexus.PaymentService/refund-payment",
    ],
)
def test_operations_by_wire_or_python_name(contracts: Contracts, name: str) -> None:
    assert contracts.operation(name).qualified_name == (
        "payments.v1.PaymentService/refund-payment"
    )


@pytest.mark.parametrize(
    ("name", "message", "matches"),
    [
        (
            "payments.v1.PaymentServce/ProcessPayment",
            "unknown service 'payments.v1.PaymentServce'; did you mean "
            "payments.v1.PaymentService?",
            ["payments.v1.PaymentService"],
        ),
        ("Carts", "unknown service 'Carts'; did you mean carts?", ["carts"]),
        (
            "PaymentService/ProcesPayment",
            "service payments.v1.PaymentService has no operation 'ProcesPayment'; "
            "did you mean ProcessPayment?",
            ["ProcessPayment"],
        ),
        (
            "carts/get-cart",  # close to the Python name: the wire name is offered
            "service carts has no operation 'get-cart'; did you mean GetCart?",
            ["GetCart"],
        ),
        (
            "shipping.v1.ShippingService",
            "unknown service 'shipping.v1.ShippingService'; known services: carts, "
            "orders, payments.v1.PaymentService",
            [],
        ),
        (
            "carts/Explode",
            "service carts has no operation 'Explode'; it has AddItem, RemoveItem, "
            "ApplyCoupon, Checkout, GetCart",
            [],
        ),
    ],
)
def test_unknown_names_list_the_close_matches(
    contracts: Contracts, name: str, message: str, matches: list[str]
) -> None:
    with pytest.raises(UnknownNameError) as caught:
        contracts.find(name)
    assert str(caught.value) == message
    assert caught.value.matches == matches


def test_a_service_name_alone_is_not_an_operation(contracts: Contracts) -> None:
    service, operation = contracts.find("carts")
    assert (service.name, operation) == ("carts", None)
    with pytest.raises(UnknownNameError, match="names a service, not an operation"):
        contracts.operation("carts")


def test_module_names_and_packages() -> None:
    # gen/ is on sys.path (tests/conftest.py): modules load by name.
    assert [s.name for s in load(["payments.v1.payments_nexus"]).services] == [
        "payments.v1.PaymentService"
    ]
    assert [s.name for s in load(["orders"]).services] == ["carts", "orders"]


@pytest.mark.usefixtures("restore_sys_path")
def test_sources_that_cannot_be_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken" / "v1"
    broken.mkdir(parents=True)
    (broken / "shop_nexus.py").write_text("raise RuntimeError('half-written file')\n")
    cases = [
        (str(tmp_path / "absent"), "no such directory"),
        ("no_such_contracts.v1", "no such directory, and no module of that name"),
        (str(broken / "shop_nexus.py"), "is not a directory"),
        (
            str(tmp_path),
            "cannot import contract module broken.v1.shop_nexus: RuntimeError: "
            "half-written file",
        ),
    ]
    for source, message in cases:
        with pytest.raises(ContractError) as caught:
            load([source])
        assert message in str(caught.value), source


@pytest.mark.usefixtures("restore_sys_path")
def test_the_same_service_in_two_modules_is_ambiguous(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "v1"
    mirror.mkdir(parents=True)
    shutil.copy(
        GEN / "payments" / "v1" / "payments_nexus.py", mirror / "payments_nexus.py"
    )
    contracts = load([GEN, tmp_path])
    with pytest.raises(UnknownNameError) as caught:
        contracts.service("payments.v1.PaymentService")
    assert str(caught.value) == (
        "service payments.v1.PaymentService is defined by more than one module "
        "(mirror.v1.payments_nexus, payments.v1.payments_nexus); load only one of them"
    )


def test_no_endpoint_anywhere_is_an_error_before_any_client_is_used(
    contracts: Contracts,
) -> None:
    service, operation = contracts.find("orders/place-order")
    assert operation is not None
    with pytest.raises(ContractError, match="service orders has no default endpoint"):
        asyncio.run(
            start_standalone(
                object(), service, operation, orders_pb2.PlaceOrderRequest()
            )
        )


def _payments_module_without_description(root: Path, package_name: str) -> Path:
    """gen/'s payments module as a release before descriptions generated it: the same
    module up to its `NEXUS_CONTRACT`, in a package of its own (one per test: an
    imported module stays in sys.modules)."""
    text = (GEN / "payments" / "v1" / "payments_nexus.py").read_text()
    package = root / package_name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "payments_nexus.py").write_text(text[: text.index("NEXUS_CONTRACT = ")])
    return package / "payments_nexus.py"


@pytest.mark.usefixtures("restore_sys_path")
def test_a_module_without_its_description_says_to_regenerate(tmp_path: Path) -> None:
    _payments_module_without_description(tmp_path, "legacy")
    with pytest.raises(ContractError) as refused:
        load([tmp_path])
    message = str(refused.value)
    assert message.startswith("legacy.payments_nexus was generated by an older protoc-gen-nexus")
    assert "does not describe its contract (NEXUS_CONTRACT)" in message
    assert "regenerate it with protoc-gen-nexus-python 0." in message, message


@pytest.mark.usefixtures("restore_sys_path")
def test_a_description_of_another_format_is_refused(tmp_path: Path) -> None:
    module = _payments_module_without_description(tmp_path, "future")
    text = (GEN / "payments" / "v1" / "payments_nexus.py").read_text()
    description = text[text.index("NEXUS_CONTRACT = ") :].replace("format=1,", "format=99,", 1)
    module.write_text(module.read_text() + description)
    with pytest.raises(ContractError, match="has format 99, which this nexusproto"):
        load([tmp_path])


def test_what_is_read_is_the_generators_description(contracts: Contracts) -> None:
    """The runtime takes the module's word: a description saying otherwise is believed."""
    import payments.v1.payments_nexus as generated

    described = generated.NEXUS_CONTRACT.services[0]
    service = contracts.service(described.name)
    assert service.definition is described.definition
    assert service.standalone_client is described.standalone_client
    assert service.default_endpoint == described.default_endpoint
    assert [(op.name, op.method_name, op.start_method, op.kind) for op in service.operations] == [
        (op.name, op.python_name, op.start_method, op.kind) for op in described.operations
    ]
