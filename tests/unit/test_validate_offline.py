"""protovalidate rules in the example contracts, built without network.

`make generate` compiles proto/ against the descriptors of buf/validate/validate.proto
that `nexusproto.validate_descriptors` takes from the protovalidate wheel; conftest.py
puts gen/ on sys.path.
"""

import subprocess
import sys
from pathlib import Path

import protovalidate
from google.protobuf import descriptor_pb2
from google.protobuf.message import Message
from nexusproto.validate_descriptors import VALIDATE_PROTO, validate_descriptor_set
from payments.v1 import payments_pb2

PROTOC = Path(sys.executable).parent / "protoc"
GOOD_CUSTOMER = "2f1c6a3e-8d4b-4a7e-9c1f-5b6d7e8f9a0b"


def violations(message: Message) -> dict[str, str]:
    """Dotted field path -> rule id, for each violation."""
    found = {}
    for violation in protovalidate.Validator().collect_violations(message):
        path = violation.proto.field
        assert path is not None, violation.proto
        found[".".join(e.field_name for e in path.elements)] = violation.proto.rule_id
    return found


def test_payments_module_imports_validate_module() -> None:
    file = payments_pb2.DESCRIPTOR
    assert VALIDATE_PROTO in [dep.name for dep in file.dependencies]
    request = file.message_types_by_name["ProcessPaymentRequest"]
    assert request.fields_by_name["customer_id"].GetOptions().ListFields()


def test_bad_process_payment_request_has_violations() -> None:
    request = payments_pb2.ProcessPaymentRequest(
        customer_id="not-a-uuid",
        order_id="o-1",
        amount=payments_pb2.Money(currency="eur", amount_minor=0),
    )
    assert violations(request) == {
        "customer_id": "string.uuid",
        "amount.currency": "string.pattern",
        "amount.amount_minor": "int64.gt",
    }
    no_amount = payments_pb2.ProcessPaymentRequest(customer_id=GOOD_CUSTOMER)
    assert violations(no_amount) == {"amount": "required"}


def test_good_process_payment_request_has_none() -> None:
    request = payments_pb2.ProcessPaymentRequest(
        customer_id=GOOD_CUSTOMER,
        order_id="o-1",
        amount=payments_pb2.Money(currency="EUR", amount_minor=1250),
    )
    assert violations(request) == {}


def test_refund_needs_transaction_id() -> None:
    refund = payments_pb2.RefundPaymentRequest
    assert violations(refund()) == {"transaction_id": "string.min_len"}
    assert violations(refund(transaction_id="t-1")) == {}


def test_descriptor_set_lets_protoc_compile_rules(tmp_path: Path) -> None:
    out = tmp_path / "validate.binpb"
    module = "nexusproto.validate_descriptors"
    subprocess.run([sys.executable, "-m", module, str(out)], check=True)
    written = out.read_bytes()
    assert written == validate_descriptor_set().SerializeToString(deterministic=True)
    names = [f.name for f in descriptor_pb2.FileDescriptorSet.FromString(written).file]
    assert names == [
        "google/protobuf/descriptor.proto",
        "google/protobuf/duration.proto",
        "google/protobuf/field_mask.proto",
        "google/protobuf/timestamp.proto",
        VALIDATE_PROTO,
    ]

    src = tmp_path / "src"
    (src / "shop").mkdir(parents=True)
    (src / "shop" / "item.proto").write_text(
        'syntax = "proto3";\n'
        "package shop;\n"
        'import "buf/validate/validate.proto";\n'
        "message Item {\n"
        "  string sku = 1 [(buf.validate.field).string.min_len = 3];\n"
        "  int32 count = 2 [(buf.validate.field).int32 = {gt: 0, lte: 100}];\n"
        "}\n"
    )
    image = tmp_path / "image.binpb"
    result = subprocess.run(
        [
            str(PROTOC),
            f"--descriptor_set_in={out}",
            f"-I{src}",
            "--include_imports",
            f"--descriptor_set_out={image}",
            "shop/item.proto",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    files = descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes()).file
    item = next(f for f in files if f.name == "shop/item.proto")
    assert list(item.dependency) == [VALIDATE_PROTO]
    assert all(field.options.ByteSize() for field in item.message_type[0].field)
