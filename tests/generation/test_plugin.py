"""The plugin run in-process on requests captured from the real protoc."""

from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.python import plugin
from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.python.plugin import run
from protoc_gen_nexus.model import TemplatePart
from protoc_gen_nexus.python.resolve import resolve
from support.protoc import PROTO_DIR, capture_request, option_include_dir, write_protos

EXAMPLES = ["payments/v1/payments.proto", "orders/v1/orders.proto"]


def generate(request: plugin_pb2.CodeGeneratorRequest) -> dict[str, str]:
    response = run(request)
    assert not response.error, response.error
    return {file.name: file.content for file in response.file}


def error_of(request: plugin_pb2.CodeGeneratorRequest) -> str:
    response = run(request)
    assert response.error
    assert not response.file
    return response.error


def inline(tmp_path: Path, text: str, parameter: str = "", name: str = "shop/v1/shop.proto") -> plugin_pb2.CodeGeneratorRequest:
    root = write_protos(tmp_path / "src", {name: text})
    return capture_request(
        tmp_path, [name], include=[root, option_include_dir()], parameter=parameter
    )


HEADER = """\
syntax = "proto3";
package shop.v1;
import "google/protobuf/empty.proto";
import "nexusannotations/v1/options.proto";
import "nexusproto/v1/options.proto";
message Order { string id = 1; string customer_id = 2; }
message Receipt { string id = 1; }
"""


def test_example_contracts_give_one_nexus_module_per_file_with_services(tmp_path: Path) -> None:
    files = generate(capture_request(tmp_path, EXAMPLES))
    assert sorted(files) == [
        "orders/v1/orders_nexus.py",
        "orders/v1/orders_nexus_testing.py",
        "payments/v1/payments_nexus.py",
        "payments/v1/payments_nexus_testing.py",
    ]
    # OrderAdmin has no Nexus annotation, so it is not a Nexus service.
    assert "OrderAdmin" not in files["orders/v1/orders_nexus.py"]
    assert "class OrderService:" in files["orders/v1/orders_nexus.py"]


def test_response_declares_proto3_optional_and_editions(tmp_path: Path) -> None:
    response = run(capture_request(tmp_path, EXAMPLES))
    features = response.supported_features
    assert features & plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    assert features & plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
    assert response.maximum_edition >= 1000  # EDITION_2023


def test_non_default_option_values_are_read(tmp_path: Path) -> None:
    """Fails if extensions are silently dropped: these values are not the defaults."""
    files = resolve(capture_request(tmp_path, EXAMPLES), parse_parameters(""))
    payments, orders = sorted(files, key=lambda f: f.proto_path, reverse=True)
    order_service = orders.services[0]
    assert order_service.name == "orders"
    assert order_service.operations[0].name == "place-order"
    service = payments.services[0]
    assert service.name == "payments.v1.PaymentService"
    assert service.default_endpoint == "payments"
    by_attribute = {op.attribute: op for op in service.operations}
    # The service's default timeout, decided onto every operation.
    assert {op.schedule_to_close_timeout for op in service.operations} == {timedelta(seconds=60)}
    refund = by_attribute["refund_payment"]
    assert refund.name == "refund-payment"
    assert refund.workflow_run is not None
    assert refund.workflow_run.workflow_type == "RefundPaymentWorkflow"
    assert refund.workflow_run.id_template == (
        TemplatePart("refund-", "transaction_id"),
    )
    assert refund.workflow_run.id_reuse_policy == "REJECT_DUPLICATE"
    assert refund.workflow_run.id_conflict_policy == "USE_EXISTING"
    # Validation decided once: rules on both ProcessPayment messages; a workflow-run
    # handler answers with a handle, so its response is never checked; no rules.
    process = by_attribute["process_payment"]
    assert (process.validate_request, process.validate_response) == (True, True)
    assert (refund.validate_request, refund.validate_response) == (True, False)
    health = by_attribute["check_health"]
    assert (health.validate_request, health.validate_response) == (False, False)
    assert health.input.is_empty
    assert (process.start_method, process.timeout_constant) == (
        "start_process_payment",
        "PROCESS_PAYMENT_TIMEOUT",
    )
    assert (service.handler_class, service.workflow_client_class) == (
        "PaymentServiceHandler",
        "PaymentServiceNexusClient",
    )


def test_comments_become_docstrings(tmp_path: Path) -> None:
    content = generate(capture_request(tmp_path, EXAMPLES))["payments/v1/payments_nexus.py"]
    assert '"""Charges a customer and answers at once with the transaction."""' in content
    assert '"""Moves money for orders.' in content


@pytest.mark.parametrize(
    ("parameter", "present", "absent"),
    [
        ("exclude-operation-tags=internal", ["process_payment"], ["reset_ledger"]),
        ("include-operation-tags=internal", ["reset_ledger"], ["process_payment"]),
        ("include-service-tags=public", ["class PaymentService"], []),
    ],
)
def test_tag_filters(tmp_path: Path, parameter: str, present: list[str], absent: list[str]) -> None:
    files = generate(capture_request(tmp_path, EXAMPLES, parameter=parameter))
    content = files["payments/v1/payments_nexus.py"]
    for text in present:
        assert text in content
    for text in absent:
        assert text not in content


def test_service_tag_filters_drop_whole_files(tmp_path: Path) -> None:
    files = generate(capture_request(tmp_path, EXAMPLES, parameter="exclude-service-tags=public"))
    assert list(files) == ["orders/v1/orders_nexus.py", "orders/v1/orders_nexus_testing.py"]
    files = generate(capture_request(tmp_path, EXAMPLES, parameter="include-service-tags=public"))
    assert list(files) == ["payments/v1/payments_nexus.py", "payments/v1/payments_nexus_testing.py"]


def test_service_with_every_operation_excluded_is_not_emitted(tmp_path: Path) -> None:
    request = capture_request(
        tmp_path, EXAMPLES, parameter="include-operation-tags=none-has-this"
    )
    assert generate(request) == {}


def test_all_services_makes_unannotated_services_nexus_services(tmp_path: Path) -> None:
    files = generate(capture_request(tmp_path, EXAMPLES, parameter="all-services=true"))
    content = files["orders/v1/orders_nexus.py"]
    assert '@nexusrpc.service(name="orders.v1.OrderAdmin")' in content
    assert 'nexusrpc.Operation(name="Archive")' in content


def test_module_map_applies_to_every_message_import(tmp_path: Path) -> None:
    files = generate(
        capture_request(tmp_path, EXAMPLES, parameter="module-prefix=gen")
    )
    content = files["payments/v1/payments_nexus.py"]
    assert "from gen.payments.v1 import payments_pb2\n" in content
    orders = generate(
        capture_request(tmp_path, EXAMPLES, parameter="module-map=orders=acme.orders")
    )["orders/v1/orders_nexus.py"]
    assert "from acme.orders.v1 import orders_pb2\n" in orders


def test_output_does_not_depend_on_file_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    forward = generate(capture_request(tmp_path / "a", EXAMPLES))
    backward = generate(capture_request(tmp_path / "b", list(reversed(EXAMPLES))))
    assert forward == backward


# Contracts a proto author can get wrong, each with where the error points and what it
# says (the text after HEADER; HEADER ends on line 8, so the service starts on line 9).
CONTRACT_ERRORS = {
    "streaming method": (
        "service Shop {\n"
        "  option (nexusannotations.v1.service) = {};\n"
        "  rpc Watch(Order) returns (stream Receipt);\n"
        "}\n",
        "10:3",
        ["Shop.Watch is a streaming method", "exclude-operation-tags"],
    ),
    "one operation name twice": (
        "service Shop {\n"
        '  rpc Buy(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "buy"; }\n'
        '  rpc Purchase(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "buy"; }\n'
        "}\n",
        "10:3",
        ["Shop.Purchase and Shop.Buy (line 9) both have the Nexus operation name 'buy'"],
    ),
    # `Foo` and `Foo_` are the methods `foo` and `foo_`, but both clients would get two
    # `FOO_TIMEOUT` constants and `foo()` would use `Foo_`'s timeout.
    "one timeout constant twice": (
        "service Shop {\n"
        "  option (nexusproto.v1.service).default_schedule_to_close_timeout = {seconds: 5};\n"
        "  rpc Foo(Order) returns (Receipt);\n"
        "  rpc Foo_(Order) returns (Receipt);\n"
        "}\n",
        "11:3",
        [
            "Shop.Foo_ and Shop.Foo (line 10) both generate the Python name 'FOO_TIMEOUT' "
            "(default-timeout constant); rename one of the methods"
        ],
    ),
    "id_template naming a missing field": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_run = {\n"
        '      workflow_type: "Buy"\n'
        '      id_template: "buy-{customer}"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["names field 'customer', which shop.v1.Order does not have (its fields: id, customer_id)"],
    ),
    "workflow_run without workflow_type": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).workflow_run = {id_template: "x"};\n'
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_run needs workflow_type"],
    ),
    "two workflow bindings on one operation": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).workflow_run = {workflow_type: "Buy"};\n'
        '    option (nexusproto.v1.operation).workflow_query = {id_template: "x" query: "q"};\n'
        "  }\n"
        "}\n",
        "10:5",
        ["sets both workflow_run and workflow_query; an operation is bound to one"],
    ),
    "update without id_template": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).workflow_update = {update: "buy" workflow_type: "W"};\n'
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_update needs id_template"],
    ),
    "update without its name": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).workflow_update = {id_template: "o-{id}"};\n'
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_update needs update, the update's name on the workflow"],
    ),
    "query answering Empty": (
        "service Shop {\n"
        "  rpc Look(Order) returns (google.protobuf.Empty) {\n"
        "    option (nexusproto.v1.operation).workflow_query = {\n"
        '      id_template: "o-{id}" query: "look" workflow_type: "W"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_query answers with the query's result: the method must return a message"],
    ),
    "signal answering a message": (
        "service Shop {\n"
        "  rpc Poke(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_signal = {\n"
        '      id_template: "o-{id}" signal: "poke" workflow_type: "W"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["must return google.protobuf.Empty, not shop.v1.Receipt"],
    ),
    "signal id_template naming a missing field": (
        "service Shop {\n"
        "  rpc Poke(Order) returns (google.protobuf.Empty) {\n"
        "    option (nexusproto.v1.operation).workflow_signal = {\n"
        '      id_template: "o-{order}" signal: "poke" workflow_type: "W"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_signal.id_template 'o-{order}' names field 'order', which shop.v1.Order"],
    ),
    "start without workflow_type": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_update = {\n"
        '      id_template: "o-{id}" update: "buy" start: {task_queue: "q"}\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["workflow_update.start needs workflow_type"],
    ),
    "no way to know the workflow type": (
        "service Shop {\n"
        "  rpc Look(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).workflow_query = {id_template: "o-{id}" query: "look"};\n'
        "  }\n"
        "}\n",
        "9:3",
        [
            "Shop.Look: which workflow type does it reach? no start and no operation with the "
            "same id_template names it. Set workflow_type"
        ],
    ),
    "one workflow handler with two signatures": (
        "service Shop {\n"
        "  rpc Look(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_query = {\n"
        '      id_template: "o-{id}" query: "look" workflow_type: "W"\n'
        "    };\n"
        "  }\n"
        "  rpc Peek(Receipt) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_query = {\n"
        '      id_template: "o-{id}" query: "look" workflow_type: "W"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "14:3",
        ["operations Look and Peek reach the same workflow method 'look' with different request"],
    ),
    "keyword message alias taken by a service class": (
        "message None {}\n"
        "service NoneMessage {\n"
        "  rpc Buy(None) returns (Receipt) { option (nexusannotations.v1.operation) = {}; }\n"
        "}\n",
        "9:1",
        [
            "service NoneMessage generates the Python class 'NoneMessage', the name generated "
            "code gives message shop.v1.None; rename one of them"
        ],
    ),
    "negative timeout": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).schedule_to_close_timeout = {seconds: -5};\n"
        "  }\n"
        "}\n",
        "10:5",
        ["schedule_to_close_timeout must be a positive duration"],
    ),
    "activity without its type": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {start_to_close_timeout: {seconds: 5}};\n"
        "  }\n"
        "}\n",
        "10:5",
        ["(nexusproto.v1.operation).activity needs activity_type"],
    ),
    "activity without a timeout": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        '    option (nexusproto.v1.operation).activity = {activity_type: "Buy"};\n'
        "  }\n"
        "}\n",
        "10:5",
        [
            "activity needs schedule_to_close_timeout or start_to_close_timeout: Temporal "
            "starts no activity without one"
        ],
    ),
    "activity with a negative heartbeat": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {\n"
        '      activity_type: "Buy" start_to_close_timeout: {seconds: 5}\n'
        "      heartbeat_timeout: {seconds: -1}\n"
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["activity.heartbeat_timeout must be a positive duration"],
    ),
    "retry policy backing off below 1": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {\n"
        '      activity_type: "Buy" start_to_close_timeout: {seconds: 5}\n'
        "      retry_policy: {backoff_coefficient: 0.5}\n"
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["activity.retry_policy.backoff_coefficient is 0.5; it must be at least 1"],
    ),
    "retry policy with a maximum below the initial interval": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {\n"
        '      activity_type: "Buy" start_to_close_timeout: {seconds: 5}\n'
        "      retry_policy: {initial_interval: {seconds: 10} maximum_interval: {seconds: 2}}\n"
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["retry_policy.maximum_interval is shorter than initial_interval"],
    ),
    "retry policy with negative attempts": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {\n"
        '      activity_type: "Buy" start_to_close_timeout: {seconds: 5}\n'
        "      retry_policy: {maximum_attempts: -2}\n"
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["retry_policy.maximum_attempts is -2; use 0 for no limit"],
    ),
    "activity ID naming a missing field": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).activity = {\n"
        '      activity_type: "Buy" start_to_close_timeout: {seconds: 5} id_template: "b-{sku}"\n'
        "    };\n"
        "  }\n"
        "}\n",
        "10:5",
        ["activity.id_template 'b-{sku}' names field 'sku', which shop.v1.Order does not have"],
    ),
    "an update and an activity on one operation": (
        "service Shop {\n"
        "  rpc Buy(Order) returns (Receipt) {\n"
        "    option (nexusproto.v1.operation).workflow_update = {\n"
        '      id_template: "o-{id}" update: "buy" workflow_type: "W" asynchronous: true\n'
        "    };\n"
        '    option (nexusproto.v1.operation).activity = {activity_type: "Buy"};\n'
        "  }\n"
        "}\n",
        "10:5",
        ["sets both workflow_update and activity; an operation is bound to one workflow "
         "handler or activity at most"],
    ),
    "padded operation name": (
        "service Shop {\n"
        '  rpc Buy(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = " buy"; }\n'
        "}\n",
        "9:3",
        ["operation name ' buy' is empty or has surrounding whitespace"],
    ),
}


@pytest.mark.parametrize("case", list(CONTRACT_ERRORS))
def test_contract_errors_name_the_place_and_the_fix(tmp_path: Path, case: str) -> None:
    body, place, texts = CONTRACT_ERRORS[case]
    error = error_of(inline(tmp_path, HEADER + body))
    assert error.startswith(f"shop/v1/shop.proto:{place}: "), error
    for text in texts:
        assert text in error


def test_entity_operations_take_the_workflow_type_of_their_id_template(tmp_path: Path) -> None:
    """A query naming no workflow type reaches the workflow an update with the same
    ID template starts; a different template would need its own type."""
    request = inline(
        tmp_path,
        HEADER
        + "service Shop {\n"
        + "  rpc Buy(Order) returns (Receipt) {\n"
        + "    option (nexusproto.v1.operation).workflow_update = {\n"
        + '      id_template: "o-{id}" update: "buy" start: {workflow_type: "OrderFlow"}\n'
        + "    };\n"
        + "  }\n"
        + "  rpc Look(Order) returns (Receipt) {\n"
        + '    option (nexusproto.v1.operation).workflow_query = {id_template: "o-{id}" query: "look"};\n'
        + "  }\n"
        + "  rpc Poke(google.protobuf.Empty) returns (google.protobuf.Empty) {\n"
        + "    option (nexusproto.v1.operation).workflow_signal = {\n"
        + '      id_template: "singleton" signal: "poke-it" workflow_type: "order-flow"\n'
        + "    };\n"
        + "  }\n"
        + "}\n",
    )
    content = generate(request)["shop/v1/shop_nexus.py"]
    assert "class OrderFlowContract(typing.Protocol):" in content
    assert "Query \"look\" of workflow OrderFlow;" in content
    assert "    def look(self, request: shop_pb2.Order, /) -> shop_pb2.Receipt: ..." in content
    # Another type whose class name is taken gets a number; a signal name that is no
    # Python name is listed as unchecked; Empty travels as no argument.
    assert "class OrderFlowContract2(typing.Protocol):" in content
    assert "Not checked here: 'poke-it' (no Python method name)." in content
    assert 'await nexusproto.signal_workflow(ctx, "singleton", "poke-it", None)\n' in content


def test_streaming_method_excluded_by_tag_is_fine(tmp_path: Path) -> None:
    request = inline(
        tmp_path,
        HEADER
        + "service Shop {\n"
        + "  rpc Buy(Order) returns (Receipt) { option (nexusannotations.v1.operation) = {}; }\n"
        + "  rpc Watch(Order) returns (stream Receipt) {\n"
        + '    option (nexusannotations.v1.operation).tags = "stream";\n'
        + "  }\n"
        + "}\n",
        parameter="exclude-operation-tags=stream",
    )
    assert list(generate(request)) == ["shop/v1/shop_nexus.py", "shop/v1/shop_nexus_testing.py"]


@pytest.mark.parametrize(
    ("first", "second", "python_name"),
    [("GetItem", "get_item", "get_item"), ("ProcessPayment", "StartProcessPayment", "start_process_payment")],
)
def test_methods_that_give_one_python_name_are_an_error(
    tmp_path: Path, first: str, second: str, python_name: str
) -> None:
    request = inline(
        tmp_path,
        HEADER
        + "service Shop {\n"
        + "  option (nexusannotations.v1.service) = {};\n"
        + f"  rpc {first}(Order) returns (Receipt);\n"
        + f"  rpc {second}(Order) returns (Receipt);\n"
        + "}\n",
    )
    error = error_of(request)
    assert error.startswith("shop/v1/shop.proto:11:3: ")
    assert f"both generate the Python name {python_name!r}" in error


def test_methods_differing_by_a_trailing_underscore_without_timeouts_are_fine(
    tmp_path: Path,
) -> None:
    """No timeout, no constant: `foo` and `foo_` share no name, so both generate."""
    request = inline(
        tmp_path,
        HEADER
        + "service Shop {\n"
        + "  option (nexusannotations.v1.service) = {};\n"
        + "  rpc Foo(Order) returns (Receipt);\n"
        + "  rpc Foo_(Order) returns (Receipt);\n"
        + "}\n",
    )
    content = generate(request)["shop/v1/shop_nexus.py"]
    assert "async def foo(" in content and "async def foo_(" in content
    assert "_TIMEOUT" not in content


def test_bad_parameter_is_an_error_response(tmp_path: Path) -> None:
    error = error_of(capture_request(tmp_path, EXAMPLES, parameter="all_services=true"))
    assert "unknown parameter 'all_services'" in error
    assert "all-services=true|false" in error


def test_unexpected_exception_becomes_a_bug_report_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = capture_request(tmp_path, EXAMPLES)

    def broken(file: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(plugin, "generate_file", broken)
    error = error_of(request)
    assert error.startswith("this is a bug in protoc-gen-nexus-python")
    assert "please report it" in error
    assert "RuntimeError: boom" in error


def test_proto3_optional_and_editions_files_are_accepted(tmp_path: Path) -> None:
    editions = """\
edition = "2023";
package ed.v1;
import "nexusannotations/v1/options.proto";
message In { string id = 1; }
message Out { string id = 1; }
service Ed {
  option (nexusannotations.v1.service) = {};
  rpc Do(In) returns (Out);
}
"""
    optional = HEADER.replace("string customer_id = 2;", "optional string customer_id = 2;")
    optional += "service Shop { rpc Buy(Order) returns (Receipt) { option (nexusannotations.v1.operation) = {}; } }\n"
    root = write_protos(tmp_path / "src", {"ed/v1/ed.proto": editions, "shop/v1/shop.proto": optional})
    from support.protoc import BIN, run_protoc

    result = run_protoc(
        [
            f"-I{root}",
            f"-I{option_include_dir()}",
            f"--plugin=protoc-gen-nexus-python={BIN / 'protoc-gen-nexus-python'}",
            f"--nexus-python_out={tmp_path}",
            "ed/v1/ed.proto",
            "shop/v1/shop.proto",
        ]
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ed/v1/ed_nexus.py").exists()
    assert (tmp_path / "shop/v1/shop_nexus.py").exists()


@pytest.mark.parametrize("endpoint", ["pay ments", " payments", "pay_ments", "-payments", "payments-"])
def test_default_endpoint_must_be_an_endpoint_name(tmp_path: Path, endpoint: str) -> None:
    request = inline(
        tmp_path,
        HEADER
        + "service Shop {\n"
        + f'  option (nexusproto.v1.service).default_endpoint = "{endpoint}";\n'
        + "  rpc Buy(Order) returns (Receipt);\n"
        + "}\n",
    )
    error = error_of(request)
    assert error.startswith("shop/v1/shop.proto:9:3: ")
    assert "is not a Nexus endpoint name" in error


def test_message_named_like_a_keyword_gets_an_alias(tmp_path: Path) -> None:
    """Refused before; now bound once for type checkers and once for run time."""
    request = inline(
        tmp_path,
        HEADER
        + "message None {}\n"
        + "service Shop {\n"
        + "  rpc Buy(None) returns (Receipt) { option (nexusannotations.v1.operation) = {}; }\n"
        + "}\n",
    )
    content = generate(request)["shop/v1/shop_nexus.py"]
    assert "    NoneMessage = shop_pb2._r_None  # pyright: ignore[reportPrivateUsage]\n" in content
    assert '    NoneMessage = getattr(shop_pb2, "None")\n' in content
    assert "    buy: nexusrpc.Operation[\n        NoneMessage,\n        shop_pb2.Receipt,\n" in content


def test_module_prefix_leaves_well_known_types_alone(tmp_path: Path) -> None:
    fixtures = PROTO_DIR.parent / "tests" / "fixtures" / "proto"
    request = capture_request(
        tmp_path,
        ["wkt/v1/wkt.proto"],
        include=[fixtures, option_include_dir()],
        parameter="module-prefix=gen",
    )
    content = generate(request)["wkt/v1/wkt_nexus.py"]
    assert "from gen.wkt.v1 import wkt_pb2\n" in content
    assert "from google.protobuf import any_pb2, struct_pb2, timestamp_pb2, wrappers_pb2\n" in content
