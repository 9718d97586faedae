"""protoc-gen-nexus-go on small inline contracts: names, options and located errors.

Whatever Go cannot express is a located error in CodeGeneratorResponse.error,
never a traceback and never broken Go.
"""

from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2
from support.protoc import capture_request, option_include_dir, write_protos

from protoc_gen_nexus.go.plugin import run

GO_PACKAGE = 'option go_package = "example.com/shop/v1;shopv1";\n'
HEADER = """\
syntax = "proto3";
package shop.v1;
import "google/protobuf/empty.proto";
import "nexusannotations/v1/options.proto";
import "nexusproto/v1/options.proto";
message Order { string id = 1; int64 number = 2; bool rush = 3; repeated string tags = 4; }
message Receipt { string id = 1; }
"""


def request(tmp_path: Path, text: str, parameter: str = "") -> plugin_pb2.CodeGeneratorRequest:
    root = write_protos(tmp_path / "src", {"shop/v1/shop.proto": text})
    return capture_request(
        tmp_path, ["shop/v1/shop.proto"], include=[root, option_include_dir()], parameter=parameter
    )


def generate(tmp_path: Path, text: str, parameter: str = "") -> dict[str, str]:
    response = run(request(tmp_path, text, parameter))
    assert not response.error, response.error
    return {file.name: file.content for file in response.file}


def error_of(tmp_path: Path, text: str, parameter: str = "") -> str:
    response = run(request(tmp_path, text, parameter))
    assert response.error
    assert not response.file
    assert "Traceback" not in response.error
    return response.error


SERVICE = """
service Shop {
  option (nexusannotations.v1.service).name = "shop";
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "place"; }
}
"""


def test_output_goes_beside_protoc_gen_go_by_import_path_or_source(tmp_path: Path) -> None:
    assert list(generate(tmp_path, HEADER + GO_PACKAGE + SERVICE)) == [
        "example.com/shop/v1/shop_nexus.pb.go"
    ]
    relative = generate(tmp_path, HEADER + GO_PACKAGE + SERVICE, "paths=source_relative")
    assert list(relative) == ["shop/v1/shop_nexus.pb.go"]
    module = generate(tmp_path, HEADER + GO_PACKAGE + SERVICE, "module=example.com")
    assert list(module) == ["shop/v1/shop_nexus.pb.go"]


def test_m_mapping_wins_over_go_package_and_names_the_package(tmp_path: Path) -> None:
    files = generate(tmp_path, HEADER + GO_PACKAGE + SERVICE, "Mshop/v1/shop.proto=example.org/x/shoppb")
    (content,) = files.values()
    assert list(files) == ["example.org/x/shoppb/shop_nexus.pb.go"]
    assert "\npackage shoppb\n" in content
    assert 'ShopServiceName = "shop"' in content
    assert 'ShopPlaceOperationName = "place"' in content


def test_tag_filters_select_what_the_python_plugin_selects(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "public"; }
  rpc Audit(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "internal"; }
}
service Plain { rpc Ping(Order) returns (Receipt); }
"""
    (content,) = generate(tmp_path, HEADER + GO_PACKAGE + service, "exclude-operation-tags=internal").values()
    assert "ShopPlaceOperationName" in content
    assert "Audit" not in content
    assert "Plain" not in content
    (everything,) = generate(tmp_path, HEADER + GO_PACKAGE + service, "all-services=true").values()
    assert "PlainPingOperationName" in everything
    assert "ShopAuditOperationName" in everything


def test_workflow_id_from_string_and_integer_fields(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = {
      workflow_type: "PlaceWorkflow" id_template: "order-{id}-{number}"
    };
  }
}
"""
    (content,) = generate(tmp_path, HEADER + GO_PACKAGE + service).values()
    assert 'ID:           "order-" + request.GetId() + "-" + strconv.FormatInt(int64(request.GetNumber()), 10),' in content
    assert '\t"strconv"\n' in content


def test_workflow_id_without_template_is_the_retry_safe_default(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "PlaceWorkflow" };
  }
}
"""
    (content,) = generate(tmp_path, HEADER + GO_PACKAGE + service).values()
    assert "nexusproto.DefaultWorkflowID(ShopServiceName, ShopPlaceOperationName, options.RequestID)" in content


ERRORS = {
    "no import path": (
        HEADER + SERVICE,
        "",
        "shop/v1/shop.proto:9:1: no Go import path for shop/v1/shop.proto: set option go_package",
    ),
    "keyword package": (
        HEADER + 'option go_package = "example.com/shop;func";\n' + SERVICE,
        "",
        "Go package name 'func' of shop/v1/shop.proto is not a Go identifier",
    ),
    "one Go method": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc place_order(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc PlaceOrder(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "shop/v1/shop.proto:12:3: Shop.PlaceOrder and Shop.place_order both generate the Go method PlaceOrder",
    ),
    "start twin": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc StartPlace(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "Shop.StartPlace and Shop.Place both generate the Go method StartPlace",
    ),
    "message of the same name": (
        HEADER + GO_PACKAGE + "message ShopNexusClient {}\n" + SERVICE,
        "",
        "service Shop generates the Go name ShopNexusClient, which protoc-gen-go declares "
        "for a message or enum of shop/v1/shop.proto in the same Go package",
    ),
    "bool in template": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{rush}" };
  }
}
""",
        "",
        "id_template field 'rush' is a bool field; Go output builds workflow IDs from "
        "string, integer and enum fields only",
    ),
    "repeated in template": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{tags}" };
  }
}
""",
        "",
        "id_template field 'tags' is a repeated string field",
    ),
    "asynchronous update": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_update = {
      id_template: "o-{id}" update: "place" workflow_type: "W" asynchronous: true
    };
  }
}
""",
        "",
        "Shop.Place is an asynchronous update (workflow_update.asynchronous), which "
        "protoc-gen-nexus-go does not generate yet",
    ),
    "activity": (
        HEADER + GO_PACKAGE + """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).activity = {
      activity_type: "Place" start_to_close_timeout: {seconds: 5}
    };
  }
}
""",
        "",
        "Shop.Place is an activity-backed operation (activity), which protoc-gen-nexus-go "
        "does not generate yet",
    ),
    "unknown parameter": (HEADER + GO_PACKAGE + SERVICE, "module-prefix=x", "unknown parameter 'module-prefix'"),
    "M twice": (
        HEADER + GO_PACKAGE + SERVICE,
        "Mshop/v1/shop.proto=a.com/x,Mshop/v1/shop.proto=b.com/y",
        "Mshop/v1/shop.proto is given twice, as 'a.com/x' and 'b.com/y'",
    ),
    "all-services": (HEADER + GO_PACKAGE + SERVICE, "all-services=yes", "all-services must be true or false"),
    "bad paths": (HEADER + GO_PACKAGE + SERVICE, "paths=absolute", "paths must be import or source_relative"),
    "module outside": (
        HEADER + GO_PACKAGE + SERVICE,
        "module=example.org",
        "module=example.org: the Go import path example.com/shop/v1 of shop/v1/shop.proto is not inside that module",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_what_go_cannot_express_is_a_located_error(tmp_path: Path, case: str) -> None:
    text, parameter, expected = ERRORS[case]
    assert expected in error_of(tmp_path, text, parameter)


def test_the_contract_model_is_language_neutral(tmp_path: Path) -> None:
    """A method name Python cannot use is the Python naming pass's error alone: the
    neutral model, the catalogue and the Go output take the contract as it is."""
    from protoc_gen_nexus.docs.plugin import run as docs_run
    from protoc_gen_nexus.parameters import parse_parameters
    from protoc_gen_nexus.python.plugin import run as python_run
    from protoc_gen_nexus.resolve import resolve

    text = HEADER + GO_PACKAGE + "service Shop {\n  rpc _1Go(Order) returns (Receipt) {\n"
    text += '    option (nexusannotations.v1.operation).name = "one-go";\n  }\n}\n'
    captured = request(tmp_path, text)
    (file,) = resolve(captured, parse_parameters(""))
    (operation,) = file.services[0].operations
    assert (operation.method_name, operation.name, operation.kind) == ("_1Go", "one-go", "sync")
    assert "gives no usable Python name" in python_run(captured).error
    assert not docs_run(captured).error
    (content,) = generate(tmp_path, text).values()
    assert 'ShopX1GoOperationName = "one-go"' in content
