"""Writes the shared wire vectors in tests/interop/vectors/ (format: tests/interop/README.md).

One JSON file per example message: its canonical field values as proto JSON,
and the exact payload the Temporal Python SDK's default data converter makes
of it, as json/protobuf and as binary/protobuf. The Go and TypeScript interop
tests check that their SDKs' converters produce the same payloads and read
these ones back.

    .venv/bin/python tests/interop/make_vectors.py           # rewrite the files
    .venv/bin/python tests/interop/make_vectors.py --check   # exit 1 if any is stale

Run after `make generate` (it imports the generated messages from gen/).
tests/interop/test_go.py checks that the files are current.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VECTORS_DIR = HERE / "vectors"
GEN_DIR = HERE.parent.parent / "gen"
if str(GEN_DIR) not in sys.path:
    sys.path.insert(0, str(GEN_DIR))

from google.protobuf import empty_pb2, json_format  # noqa: E402
from google.protobuf.message import Message  # noqa: E402
from orders.v1 import orders_pb2  # noqa: E402
from payments.v1 import payments_pb2  # noqa: E402
from temporalio.api.common.v1 import Payload  # noqa: E402
from temporalio.converter import (  # noqa: E402
    BinaryProtoPayloadConverter,
    DefaultPayloadConverter,
)

FORMAT_VERSION = 1

CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"


def _examples() -> list[tuple[Message, str]]:
    """Each example message and what its values exercise."""
    eur = payments_pb2.Money(currency="EUR", amount_minor=1999)
    return [
        (
            payments_pb2.ProcessPaymentRequest(
                customer_id=CUSTOMER_ID, order_id="order-1", amount=eur
            ),
            "snake_case fields (customer_id, amount_minor) as lowerCamelCase keys; "
            "int64 as a JSON string; a nested message",
        ),
        (
            payments_pb2.ProcessPaymentResponse(
                transaction_id="tx-order-1",
                status=payments_pb2.PAYMENT_STATUS_SETTLED,
            ),
            "an enum as its value name",
        ),
        (
            payments_pb2.RefundPaymentRequest(
                transaction_id="tx-order-1",
                amount=payments_pb2.Money(currency="EUR", amount_minor=500),
                reason="Rückgabe: café fermé",
            ),
            "non-ASCII text (Python's JSON escapes it as \\u sequences, Go's writes "
            "UTF-8: the same JSON value, different bytes)",
        ),
        (
            payments_pb2.RefundPaymentResponse(
                refund_id="refund-of-tx-order-1",
                status=payments_pb2.PAYMENT_STATUS_REFUNDED,
            ),
            "an enum as its value name",
        ),
        (
            payments_pb2.HealthStatus(accepting_charges=True),
            "a bool",
        ),
        (
            empty_pb2.Empty(),
            "no fields: JSON {} and zero bytes of binary data, still with messageType "
            "(what a Go nexus.NoValue, i.e. nil, becomes is another payload: "
            "encoding binary/null, no messageType, no data)",
        ),
        (
            orders_pb2.PlaceOrderRequest(
                order_id="order-1",
                customer_id=CUSTOMER_ID,
                total=eur,
            ),
            "a message of another package (orders.v1) holding payments.v1.Money",
        ),
    ]


def _payload_json(payload: Payload) -> dict[str, Any]:
    out: dict[str, Any] = {
        "metadata": {
            key: value.decode() for key, value in sorted(payload.metadata.items())
        },
    }
    encoding = payload.metadata.get("encoding", b"").decode()
    if encoding.startswith("json/"):
        out["data"] = payload.data.decode()
    out["data_base64"] = base64.b64encode(payload.data).decode()
    return out


def vector(message: Message, note: str) -> dict[str, Any]:
    """The vector of one message (the content of its file, as JSON data)."""
    [json_payload] = DefaultPayloadConverter().to_payloads([message])
    binary_payload = BinaryProtoPayloadConverter().to_payload(message)
    assert binary_payload is not None
    if json_payload.metadata["encoding"] != b"json/protobuf":
        raise AssertionError(
            f"the default converter chose {json_payload.metadata['encoding']!r} "
            f"for {message.DESCRIPTOR.full_name}, not json/protobuf"
        )
    for payload in (json_payload, binary_payload):
        [back] = DefaultPayloadConverter().from_payloads([payload], [type(message)])
        if back != message:
            raise AssertionError(f"{message.DESCRIPTOR.full_name} does not round-trip")
    return {
        "format": FORMAT_VERSION,
        "message_type": message.DESCRIPTOR.full_name,
        "note": note,
        "proto_json": json_format.MessageToDict(message),
        "payloads": {
            "json/protobuf": _payload_json(json_payload),
            "binary/protobuf": _payload_json(binary_payload),
        },
    }


def render(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """File name -> content, for every example message."""
    return {
        f"{message.DESCRIPTOR.full_name}.json": render(vector(message, note))
        for message, note in _examples()
    }


def stale_files(directory: Path = VECTORS_DIR) -> list[str]:
    """Names of vector files that are missing, differ, or are not expected."""
    expected = expected_files()
    present = {path.name for path in directory.glob("*.json")}
    stale = [
        name
        for name, content in expected.items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != content
    ]
    return sorted(stale + sorted(present - expected.keys()))


def write(directory: Path = VECTORS_DIR, log: Callable[[str], None] = print) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files()
    for path in directory.glob("*.json"):
        if path.name not in expected:
            path.unlink()
            log(f"removed {path}")
    for name, content in expected.items():
        (directory / name).write_text(content, encoding="utf-8")
        log(f"wrote {directory / name}")


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        stale = stale_files()
        if stale:
            print(
                "stale wire vectors in tests/interop/vectors: "
                + ", ".join(stale)
                + "\nrun: .venv/bin/python tests/interop/make_vectors.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
