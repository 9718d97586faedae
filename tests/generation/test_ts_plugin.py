"""protoc-gen-nexus-ts on small inline contracts: names, options and located errors.

Whatever TypeScript output cannot express is a located error in
CodeGeneratorResponse.error, never a traceback and never broken TypeScript.
"""

from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2
from support.protoc import capture_request, option_include_dir, write_protos

from protoc_gen_nexus.ts.plugin import run

HEADER = """\
syntax = "proto3";
package shop.v1;
import "google/protobuf/empty.proto";
import "nexusannotations/v1/options.proto";
import "nexusproto/v1/options.proto";
message Order { string id = 1; int64 number = 2; bool rush = 3; repeated string tags = 4;
  oneof via { string email = 5; string phone = 6; } string constructor = 7; }
message Receipt { string id = 1; }
"""
SERVICE = """
service Shop {
  option (nexusannotations.v1.service).name = "shop";
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "place"; }
}
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


def test_three_files_beside_protoc_gen_es_output(tmp_path: Path) -> None:
    files = generate(tmp_path, HEADER + SERVICE)
    assert sorted(files) == [
        "shop/v1/shop_nexus.ts",
        "shop/v1/shop_nexus_client.ts",
        "shop/v1/shop_nexus_handler.ts",
    ]
    definition = files["shop/v1/shop_nexus.ts"]
    assert "from './shop_pb';" in definition
    assert "place: nexus.operation<Order, Receipt>({ name: 'place' })," in definition
    assert "export const shop = nexus.service('shop', {" in definition
    # Handler and client import the definition by its own names.
    assert "import { shop, shopContract } from './shop_nexus';" in files["shop/v1/shop_nexus_handler.ts"]


def test_import_extension_as_protoc_gen_es(tmp_path: Path) -> None:
    files = generate(tmp_path, HEADER + SERVICE, "import_extension=js")
    assert "from './shop_pb.js';" in files["shop/v1/shop_nexus.ts"]
    assert "from './shop_nexus.js';" in files["shop/v1/shop_nexus_client.ts"]


def test_runtime_package_can_be_renamed(tmp_path: Path) -> None:
    files = generate(tmp_path, HEADER + SERVICE, "runtime=@acme/nexus-runtime")
    assert "from '@acme/nexus-runtime';" in files["shop/v1/shop_nexus.ts"]
    assert "from '@acme/nexus-runtime/handler';" in files["shop/v1/shop_nexus_handler.ts"]


def test_empty_is_void_and_sends_nothing(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);
}
"""
    files = generate(tmp_path, HEADER + service, "all-services=true")
    definition = files["shop/v1/shop_nexus.ts"]
    assert "ping: nexus.operation<void, void>({ name: 'Ping' })," in definition
    assert "async ping(options?: WorkflowCallOptions): Promise<void> {" in definition
    assert "shopContract.ping, undefined, options);" in definition
    assert "EmptySchema" not in definition


def test_message_names_that_clash_are_imported_under_an_alias(tmp_path: Path) -> None:
    """A message named like a generated declaration, a parameter or a namespace
    import is imported as `Name$1`, never shadowing or shadowed."""
    text = HEADER.replace("message Receipt", "message shopContract { string id = 1; }\nmessage nexus { string id = 1; }\nmessage Receipt")
    service = """
service Shop {
  rpc Place(shopContract) returns (nexus);
}
"""
    files = generate(tmp_path, text + service, "all-services=true")
    definition = files["shop/v1/shop_nexus.ts"]
    assert "shopContract as shopContract$1" in definition
    assert "nexus as nexus$1" in definition
    assert "place: nexus.operation<shopContract$1, nexus$1>" in definition


def test_tag_filters_select_what_the_python_plugin_selects(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service).tags = "public";
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "public"; }
  rpc Wipe(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "internal"; }
}
"""
    files = generate(tmp_path, HEADER + service, "include-service-tags=public,exclude-operation-tags=internal")
    definition = files["shop/v1/shop_nexus.ts"]
    assert "place:" in definition
    assert "wipe" not in definition


def test_workflow_id_from_the_template_and_the_default(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = {
      workflow_type: "PlaceWorkflow" id_template: "order-{id}-`${number}`" id_conflict_policy: ID_CONFLICT_POLICY_USE_EXISTING
    };
  }
  rpc Redo(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "RedoWorkflow" };
  }
}
"""
    handler = generate(tmp_path, HEADER + service, "all-services=true")["shop/v1/shop_nexus_handler.ts"]
    # Literal text escaped inside the template literal; fields by their protobuf-es names.
    assert "workflowId: `order-${request.id}-\\`\\$${request.number}\\``," in handler
    assert "idConflictPolicy: 'USE_EXISTING'," in handler
    assert "workflowId: defaultWorkflowId(ctx) }," in handler
    # The team may define place; the contract's binding serves it otherwise.
    assert "handlers.place?.bind(handlers) ?? shopBindings.place" in handler
    assert "place?(" in handler


def test_comments_cannot_end_the_tsdoc(tmp_path: Path) -> None:
    service = """
// Ends here? */ alert(1); /* and @deprecated
service Shop {
  rpc Place(Order) returns (Receipt);
}
"""
    definition = generate(tmp_path, HEADER + service, "all-services=true")["shop/v1/shop_nexus.ts"]
    assert "Ends here? *\\/ alert(1); /* and \\@deprecated" in definition
    assert "*/ alert" not in definition


ERRORS = {
    "one member": (
        """
service Shop {
  rpc place_order(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc PlaceOrder(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "shop/v1/shop.proto:12:3: Shop.PlaceOrder and Shop.place_order both generate the "
        "TypeScript member placeOrder",
    ),
    "start twin": (
        """
service Shop {
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc StartPlace(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "Shop.StartPlace and Shop.Place both generate the TypeScript member startPlace",
    ),
    "constructor method": (
        """
service Shop {
  rpc Constructor(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
}
""",
        "",
        "Shop.Constructor generates the member constructor, which a TypeScript object or class "
        "cannot declare",
    ),
    "reserved service name": (
        """
service Object {
  option (nexusannotations.v1.service).name = "o";
  rpc Place(Order) returns (Receipt);
}
""",
        "",
        "service Object generates the TypeScript name object, which is a reserved word",
    ),
    "two services, one name": (
        """
service Shop { option (nexusannotations.v1.service).name = "a"; rpc Place(Order) returns (Receipt); }
service shop { option (nexusannotations.v1.service).name = "b"; rpc Place(Order) returns (Receipt); }
""",
        "",
        "service shop and service Shop both generate the TypeScript name shop",
    ),
    "bool in template": (
        """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{rush}" };
  }
}
""",
        "all-services=true",
        "id_template field 'rush' is a bool field; TypeScript output builds workflow IDs from "
        "string, integer and enum fields only",
    ),
    "oneof in template": (
        """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{email}" };
  }
}
""",
        "all-services=true",
        "id_template field 'email' is a member of a oneof",
    ),
    "protoc-gen-es renames the message": (
        """
message Outer { message Inner { string id = 1; } }
message Outer_Inner { string id = 1; }
service Shop {
  rpc Place(Outer.Inner) returns (Receipt);
}
""",
        "all-services=true",
        "shop.v1.Outer.Inner and Outer_Inner of shop/v1/shop.proto are both named Outer_Inner "
        "by protoc-gen-es, which renames one of them",
    ),
    "asynchronous update": (
        """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_update = {
      id_template: "o-{id}" update: "place" workflow_type: "W" asynchronous: true
    };
  }
}
""",
        "all-services=true",
        "shop/v1/shop.proto:11:3: Shop.Place is an asynchronous update "
        "(workflow_update.asynchronous), which protoc-gen-nexus-ts does not generate yet",
    ),
    "activity": (
        """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).activity = {
      activity_type: "Place" start_to_close_timeout: {seconds: 5}
    };
  }
}
""",
        "all-services=true",
        "Shop.Place is an activity-backed operation (activity), which protoc-gen-nexus-ts "
        "does not generate yet",
    ),
    "unknown parameter": (SERVICE, "target=js", "unknown parameter 'target'"),
    "bad import_extension": (SERVICE, "import_extension=mjs", "import_extension must be none, js or ts"),
    "import_extension twice": (SERVICE, "import_extension=js,import_extension=ts", "parameter import_extension is given twice"),
    "relative runtime": (SERVICE, "runtime=./runtime", "runtime must name a package"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_what_typescript_cannot_express_is_a_located_error(tmp_path: Path, case: str) -> None:
    text, parameter, expected = ERRORS[case]
    assert expected in error_of(tmp_path, HEADER + text, parameter)


def test_constructor_field_in_a_template_is_read_as_protobuf_es_names_it(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{constructor}" };
  }
}
"""
    handler = generate(tmp_path, HEADER + service, "all-services=true")["shop/v1/shop_nexus_handler.ts"]
    assert "workflowId: `o-${request.constructor$}` }," in handler
