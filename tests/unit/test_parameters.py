import pytest

from protoc_gen_nexus.errors import GenerationError
from protoc_gen_nexus.parameters import parse_parameters


def test_empty_parameter_gives_defaults() -> None:
    parameters = parse_parameters("")
    assert not parameters.all_services
    assert parameters.include_service_tags == frozenset()
    assert parameters.python_module("payments.v1.payments_pb2") == "payments.v1.payments_pb2"


def test_every_key_is_read_and_tags_repeat() -> None:
    parameters = parse_parameters(
        "all-services=true, include-service-tags=a,include-service-tags=b,"
        "exclude-service-tags=c,include-operation-tags=d,exclude-operation-tags=e,"
        "module-prefix=gen,module-map=temporal.api=temporalio.api"
    )
    assert parameters.all_services
    assert parameters.include_service_tags == {"a", "b"}
    assert parameters.exclude_service_tags == {"c"}
    assert parameters.include_operation_tags == {"d"}
    assert parameters.exclude_operation_tags == {"e"}
    assert parameters.module_prefix == "gen"


def test_module_map_longest_prefix_wins_on_component_boundaries() -> None:
    parameters = parse_parameters(
        "module-map=temporal=t,module-map=temporal.api=temporalio.api,module-prefix=gen"
    )
    assert parameters.python_module("temporal.api.common.v1.message_pb2") == (
        "temporalio.api.common.v1.message_pb2"
    )
    assert parameters.python_module("temporal.other_pb2") == "t.other_pb2"
    # "temporalx" is not below "temporal": the prefix applies instead.
    assert parameters.python_module("temporalx.a_pb2") == "gen.temporalx.a_pb2"
    # Well-known types are protobuf's own modules, never prefixed.
    assert parameters.python_module("google.protobuf.empty_pb2") == "google.protobuf.empty_pb2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour=blue", "unknown parameter 'colour'"),
        ("all-services", "needs a value"),
        ("all-services=yes", "must be true or false"),
        ("all-services=true,all-services=false", "given twice"),
        ("module-prefix=gen-code", "dotted Python module path"),
        ("module-map=temporal.api", "module-map=FROM=TO"),
        ("module-map=a=b,module-map=a=c", "maps 'a' twice"),
        ("include-service-tags=", "needs a value"),
    ],
)
def test_bad_parameters_are_errors_that_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(GenerationError, match=message):
        parse_parameters(text)
