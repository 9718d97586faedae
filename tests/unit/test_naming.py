import pytest

from protoc_gen_nexus.python.naming import nexus_output_path, pb2_module, safe_identifier, snake_case


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ProcessPayment", "process_payment"),
        ("GetHTTPStatus", "get_http_status"),
        ("HTTPGet", "http_get"),
        ("GetV2Thing", "get_v2_thing"),
        ("already_snake", "already_snake"),
        ("X", "x"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


def test_keywords_and_builtins_get_a_trailing_underscore() -> None:
    assert safe_identifier("class") == "class_"
    assert safe_identifier("None") == "None_"
    assert safe_identifier("async") == "async_"
    assert safe_identifier("type") == "type_"
    assert safe_identifier("str") == "str_"
    assert safe_identifier("object") == "object_"
    # Soft keywords that are not builtins are ordinary names.
    assert safe_identifier("match") == "match"
    assert safe_identifier("case") == "case"
    assert safe_identifier("process") == "process"


def test_module_paths_follow_protoc() -> None:
    assert pb2_module("payments/v1/payments.proto") == "payments.v1.payments_pb2"
    assert pb2_module("my-team/v1/card-payments.proto") == "my_team.v1.card_payments_pb2"
    assert nexus_output_path("payments/v1/payments.proto") == "payments/v1/payments_nexus.py"
