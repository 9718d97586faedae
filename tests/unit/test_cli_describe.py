"""`nexusproto describe` on the example contracts in gen/, and `nexusproto.messages`
(fields, rules, templates) on a message built for the purpose. No server."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    message_factory,
    timestamp_pb2,
)
from google.protobuf.message import Message
from nexusproto import messages
from nexusproto.cli import main
from nexusproto.cli.describe import _message_lines
from nexusproto.contracts import load
from payments.v1 import payments_pb2

REPO = Path(__file__).resolve().parents[2]
GEN = REPO / "gen"


def describe(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["describe", "--contracts", str(GEN), *args], stdout=out)
    return status, out.getvalue()


OVERVIEW = """\
carts  (orders.v1.carts_nexus.CartService; default endpoint: carts)
  AddItem      sync/update   orders.v1.AddItemRequest -> orders.v1.Cart
  RemoveItem   sync/update   orders.v1.RemoveItemRequest -> orders.v1.Cart
  ApplyCoupon  sync/signal   orders.v1.ApplyCouponRequest -> (none)
  Checkout     sync/signal   orders.v1.CheckoutRequest -> (none)
  GetCart      sync/query    orders.v1.GetCartRequest -> orders.v1.Cart

orders  (orders.v1.orders_nexus.OrderService; default endpoint: none)
  place-order  sync          orders.v1.PlaceOrderRequest -> orders.v1.PlaceOrderResponse

payments.v1.PaymentService  (payments.v1.payments_nexus.PaymentService; default endpoint: payments)
  ProcessPayment  sync          payments.v1.ProcessPaymentRequest -> payments.v1.ProcessPaymentResponse
  refund-payment  workflow-run  payments.v1.RefundPaymentRequest -> payments.v1.RefundPaymentResponse
  CheckHealth     sync          (none) -> payments.v1.HealthStatus
  ResetLedger     sync          (none) -> (none)

`nexusproto describe SERVICE`: fields, rules, defaults and request templates.
"""

PAYMENT_SERVICE = """\
payments.v1.PaymentService
  Moves money for orders. Callers reach it through the "payments" endpoint.
  python: payments.v1.payments_nexus.PaymentService
  default endpoint: payments

  ProcessPayment (process_payment)
    Charges a customer and answers at once with the transaction.
    kind: sync
    default timeout: 60s (schedule-to-close)
    request: payments.v1.ProcessPaymentRequest, validated before it is sent
      customer_id: string  [string.uuid = true]
      order_id: string
      amount: payments.v1.Money  [required = true]
        currency: string  [string.pattern = "^[A-Z]{3}$"]
        amount_minor: int64  [int64.gt = 0]
    response: payments.v1.ProcessPaymentResponse, validated by the handler
      transaction_id: string  [string.min_len = 1]
      status: payments.v1.PaymentStatus {PAYMENT_STATUS_UNSPECIFIED, PAYMENT_STATUS_SETTLED, PAYMENT_STATUS_DECLINED, PAYMENT_STATUS_REFUNDED}
    request template: {"customerId": "", "orderId": "", "amount": {"currency": "", "amountMinor": 0}}

  refund-payment (refund_payment)
    Refunds a transaction. Refunds wait on the bank, so each runs as a
    workflow and the caller gets the result when it completes.
    kind: workflow-run, starts workflow RefundPaymentWorkflow (ID refund-{transaction_id}); the result is the workflow's
    default timeout: 60s (schedule-to-close)
    request: payments.v1.RefundPaymentRequest, validated before it is sent
      transaction_id: string  [string.min_len = 1]
      amount: payments.v1.Money
        currency: string  [string.pattern = "^[A-Z]{3}$"]
        amount_minor: int64  [int64.gt = 0]
      reason: string
    response: payments.v1.RefundPaymentResponse
      refund_id: string
      status: payments.v1.PaymentStatus {PAYMENT_STATUS_UNSPECIFIED, PAYMENT_STATUS_SETTLED, PAYMENT_STATUS_DECLINED, PAYMENT_STATUS_REFUNDED}
    request template: {"transactionId": "", "amount": {"currency": "", "amountMinor": 0}, "reason": ""}

  CheckHealth (check_health)
    Tells whether payments accepts new charges.
    kind: sync
    default timeout: 60s (schedule-to-close)
    request: none (google.protobuf.Empty, no payload)
    response: payments.v1.HealthStatus
      accepting_charges: bool

  ResetLedger (reset_ledger)
    Forgets every transaction. For the payments team's own tests only.
    kind: sync
    default timeout: 60s (schedule-to-close)
    request: none (google.protobuf.Empty, no payload)
    response: none (google.protobuf.Empty, no payload)
"""


def test_overview_of_every_service_found() -> None:
    assert describe() == (0, OVERVIEW)


def test_one_service_in_full() -> None:
    assert describe("payments.v1.PaymentService") == (0, PAYMENT_SERVICE)


def test_one_operation_by_its_python_names() -> None:
    status, text = describe("PaymentService/check_health")
    assert status == 0
    header, _, operation = PAYMENT_SERVICE.partition("\n\n")
    check_health = "\n\n".join(
        block for block in operation.split("\n\n") if block.startswith("  CheckHealth")
    )
    assert text == f"{header}\n\n{check_health}\n"


def test_entity_bindings_and_a_service_without_defaults() -> None:
    status, carts = describe("carts")
    assert status == 0
    assert [line.strip() for line in carts.splitlines() if "kind:" in line] == [
        'kind: sync, update "add_item" of workflow CartWorkflow (ID cart-{cart_id}; '
        "started when none runs)",
        'kind: sync, update "remove_item" of workflow CartWorkflow (ID cart-{cart_id})',
        'kind: sync, signal "apply_coupon" of workflow CartWorkflow (ID cart-{cart_id}; '
        "started when none runs)",
        'kind: sync, signal "checkout" of workflow CartWorkflow (ID cart-{cart_id})',
        'kind: sync, query "get" of workflow CartWorkflow (ID cart-{cart_id})',
    ]
    assert "  proto: orders.v1.CartService\n" in carts
    assert "      quantity: int32  [int32.lte = 99, int32.gt = 0]\n" in carts
    _, orders = describe("orders")
    assert "  default endpoint: none (calls must name one)\n" in orders
    assert "    default timeout: none\n" in orders


def test_json_gives_the_same_as_data() -> None:
    status, text = describe("payments.v1.PaymentService", "--format", "json")
    assert status == 0
    [service] = json.loads(text)["services"]
    assert {k: v for k, v in service.items() if k != "operations"} == {
        "name": "payments.v1.PaymentService",
        "pythonName": "PaymentService",
        "module": "payments.v1.payments_nexus",
        "protoName": "payments.v1.PaymentService",
        "doc": 'Moves money for orders. Callers reach it through the "payments" endpoint.',
        "defaultEndpoint": "payments",
    }
    process, refund, health, reset = service["operations"]
    assert {k: process[k] for k in ("name", "pythonName", "kind", "workflow")} == {
        "name": "ProcessPayment",
        "pythonName": "process_payment",
        "kind": "sync",
        "workflow": None,
    }
    assert process["defaultTimeout"] == "60s"
    assert (process["validatesRequest"], process["validatesResponse"]) == (True, True)
    assert process["requestTemplate"] == {
        "customerId": "",
        "orderId": "",
        "amount": {"currency": "", "amountMinor": 0},
    }
    request = process["request"]
    assert request["type"] == "payments.v1.ProcessPaymentRequest"
    customer, order, amount = request["fields"]
    assert customer == {
        "name": "customer_id",
        "jsonName": "customerId",
        "type": "string",
        "repeated": False,
        "optional": False,
        "oneof": None,
        "rules": {"string": {"uuid": True}},
        "enumValues": None,
        "message": None,
    }
    assert amount["rules"] == {"required": True}
    assert [f["rules"] for f in amount["message"]["fields"]] == [
        {"string": {"pattern": "^[A-Z]{3}$"}},
        {"int64": {"gt": "0"}},
    ]
    assert process["response"]["fields"][1]["enumValues"] == [
        "PAYMENT_STATUS_UNSPECIFIED",
        "PAYMENT_STATUS_SETTLED",
        "PAYMENT_STATUS_DECLINED",
        "PAYMENT_STATUS_REFUNDED",
    ]
    assert refund["kind"] == "workflow-run"
    assert refund["workflow"] == {
        "binding": "workflow-run",
        "workflowType": "RefundPaymentWorkflow",
        "name": None,
        "idTemplate": "refund-{transaction_id}",
        "taskQueue": None,
        "startsWorkflow": False,
    }
    assert (health["request"], health["requestTemplate"]) == (None, None)
    assert health["response"]["type"] == "payments.v1.HealthStatus"
    assert (reset["request"], reset["response"]) == (None, None)


def test_json_of_every_service_and_of_one_operation() -> None:
    _, everything = describe("--format", "json")
    assert [s["name"] for s in json.loads(everything)["services"]] == [
        "carts",
        "orders",
        "payments.v1.PaymentService",
    ]
    _, one = describe("carts/GetCart", "--format", "json")
    [service] = json.loads(one)["services"]
    [operation] = service["operations"]
    assert operation["workflow"]["binding"] == "query"
    assert operation["workflow"]["name"] == "get"


def test_every_request_template_parses_back() -> None:
    for service in load([GEN]).services:
        for operation in service.operations:
            if operation.input_type is not None:
                template = json.dumps(messages.json_template(operation.input_type))
                messages.parse_json(template, operation.input_type)


def test_unknown_name_exits_64_with_close_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert describe("payments.v1.PaymentServce") == (64, "")
    assert capsys.readouterr().err == (
        "nexusproto: unknown service 'payments.v1.PaymentServce'; did you mean "
        "payments.v1.PaymentService?\n"
    )


def test_python_dash_m_nexusproto() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nexusproto", "describe", "--contracts", str(GEN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, OVERVIEW, "")


# --- nexusproto.messages on every kind of field ---------------------------------------


def _rules(options: str, extension: str, fill: Any) -> bytes:
    """Options holding buf.validate rules, serialized (built from protovalidate's descriptors)."""
    pool = messages._rules_pool()
    cls = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"google.protobuf.{options}")
    )
    built = cls()
    found: Any = pool.FindExtensionByName(extension)
    fill(built.Extensions[found])
    data: bytes = built.SerializeToString()
    return data


def _shape_message() -> type[Message]:
    """shape.v1.Shape: scalars with rules, a list, a map, a oneof with a rule, itself,
    well-known types, an enum, a proto3 optional field, and a message-level CEL rule."""
    field_type = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(
        name="shape/v1/shape.proto",
        package="shape.v1",
        syntax="proto3",
        dependency=[
            "google/protobuf/timestamp.proto",
            "google/protobuf/duration.proto",
        ],
    )
    color = file.enum_type.add(name="Color")
    color.value.add(name="COLOR_UNSPECIFIED", number=0)
    color.value.add(name="COLOR_RED", number=1)
    shape = file.message_type.add(name="Shape")
    entry = shape.nested_type.add(name="LabelsEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=field_type.TYPE_STRING, label=1)
    entry.field.add(name="value", number=2, type=field_type.TYPE_INT32, label=1)
    rows: list[tuple[str, int, int, str, dict[str, Any]]] = [
        ("display_name", field_type.TYPE_STRING, 1, "", {}),
        ("tags", field_type.TYPE_STRING, 3, "", {}),
        ("labels", field_type.TYPE_MESSAGE, 3, ".shape.v1.Shape.LabelsEntry", {}),
        ("circle", field_type.TYPE_DOUBLE, 1, "", {"oneof_index": 0}),
        ("square", field_type.TYPE_INT64, 1, "", {"oneof_index": 0}),
        ("parent", field_type.TYPE_MESSAGE, 1, ".shape.v1.Shape", {}),
        ("created", field_type.TYPE_MESSAGE, 1, ".google.protobuf.Timestamp", {}),
        ("ttl", field_type.TYPE_MESSAGE, 1, ".google.protobuf.Duration", {}),
        ("color", field_type.TYPE_ENUM, 1, ".shape.v1.Color", {}),
        (
            "note",
            field_type.TYPE_STRING,
            1,
            "",
            {"oneof_index": 1, "proto3_optional": True},
        ),
    ]
    for number, (name, kind, label, type_name, extra) in enumerate(rows, start=1):
        typed = {"type_name": type_name} if type_name else {}
        shape.field.add(
            name=name, number=number, type=kind, label=label, **typed, **extra
        )
    shape.field[0].options.MergeFromString(
        _rules(
            "FieldOptions",
            "buf.validate.field",
            lambda rules: getattr(rules.string, "in").extend(["a", "b"]),
        )
    )
    shape.field[7].options.MergeFromString(
        _rules(
            "FieldOptions",
            "buf.validate.field",
            lambda rules: setattr(rules.duration.gt, "seconds", 5),
        )
    )
    shape.oneof_decl.add(name="size").options.MergeFromString(
        _rules(
            "OneofOptions",
            "buf.validate.oneof",
            lambda rules: setattr(rules, "required", True),
        )
    )
    shape.oneof_decl.add(name="_note")

    def cel(rules: Any) -> None:
        rule = rules.cel.add()
        rule.id = "named"
        rule.expression = "this.display_name != ''"

    shape.options.MergeFromString(_rules("MessageOptions", "buf.validate.message", cel))
    pool = descriptor_pool.DescriptorPool()
    for dependency in (timestamp_pb2, duration_pb2):
        pool.Add(
            descriptor_pb2.FileDescriptorProto.FromString(
                dependency.DESCRIPTOR.serialized_pb
            )
        )
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("shape.v1.Shape"))


def test_fields_rules_and_template_of_every_kind_of_field() -> None:
    shape = _shape_message()
    described = messages.describe(shape)
    assert list(_message_lines(described, "")) == [
        '(message) cel[0].id = "named"',
        "(message) cel[0].expression = \"this.display_name != ''\"",
        "(oneof size) required = true",
        'display_name: string  [string.in = ["a", "b"]]',
        "tags: repeated string",
        "labels: map<string, int32>",
        "circle: double (oneof size)",
        "square: int64 (oneof size)",
        "parent: shape.v1.Shape",  # itself: not expanded again
        "created: google.protobuf.Timestamp",
        'ttl: google.protobuf.Duration  [duration.gt = "5s"]',
        "color: shape.v1.Color {COLOR_UNSPECIFIED, COLOR_RED}",
        "note: optional string",
    ]
    template = messages.json_template(shape)
    assert template == {
        "displayName": "",
        "tags": [""],
        "labels": {"": 0},
        "circle": 0,  # the first field of the oneof only
        "parent": {},
        "created": "1970-01-01T00:00:00Z",
        "ttl": "0s",
        "color": "COLOR_UNSPECIFIED",
        "note": "",
    }
    parsed = messages.parse_json(json.dumps(template), shape)
    assert parsed.WhichOneof("size") == "circle"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ('{"orderId": ', "malformed JSON at line 1 column 13: Expecting value"),
        (
            "[1]",
            "the request must be a JSON object (a payments.v1.ProcessPaymentRequest), not an array",
        ),
        (
            '{"amount": {"amountMinor": "ten"}}',
            "not a payments.v1.ProcessPaymentRequest: amount.amountMinor: ",
        ),
        (
            '{"amount": {"cents": 5}}',
            "not a payments.v1.ProcessPaymentRequest: amount.cents: unknown field of "
            "payments.v1.Money (fields: currency, amountMinor)",
        ),
        (
            '{"orderID": "o-1"}',
            "not a payments.v1.ProcessPaymentRequest: orderID: unknown field of "
            "payments.v1.ProcessPaymentRequest (fields: customerId, orderId, amount)",
        ),
        ('{"orderId": 7}', "not a payments.v1.ProcessPaymentRequest: orderId: "),
    ],
)
def test_parse_errors_name_the_field(data: str, error: str) -> None:
    """Exact where the text is ours; a prefix up to the field path where the rest is
    protobuf's wording, which its versions change."""
    with pytest.raises(messages.DataError) as caught:
        messages.parse_json(data, payments_pb2.ProcessPaymentRequest)
    if error.endswith(": "):
        assert str(caught.value).startswith(error)
        assert len(str(caught.value)) > len(error)
    else:
        assert str(caught.value) == error


def test_proto_field_names_parse_too() -> None:
    parsed = messages.parse_json(
        '{"customer_id": "c", "amount": {"amount_minor": "12"}}',
        payments_pb2.ProcessPaymentRequest,
    )
    assert (parsed.customer_id, parsed.amount.amount_minor) == ("c", 12)


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    """`nexusproto describe | head`: the pipe closes before the description is written
    (44 KB of JSON, more than a pipe holds); the command ends quietly with 141, as a
    shell reports for a program SIGPIPE ended."""
    from nexusproto.cli import BROKEN_PIPE

    command = [sys.executable, "-m", "nexusproto", "describe", "--contracts", str(GEN)]
    process = subprocess.Popen(
        [*command, "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == BROKEN_PIPE
    assert "Traceback" not in errors, errors
