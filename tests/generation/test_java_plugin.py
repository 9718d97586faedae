"""protoc-gen-nexus-java on small inline contracts: packaging, names, options and
located errors.

Whatever Java cannot express is a located error in CodeGeneratorResponse.error,
never a traceback and never Java that does not compile.
"""

import re
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2
from protoc_gen_nexus.java.plugin import run
from protoc_gen_nexus.java.writer import JavaFile, JavaIdent, javadoc, string_literal

from support.protoc import capture_request, option_include_dir, write_protos

HEADER = """\
syntax = "proto3";
package shop.v1;
import "google/protobuf/empty.proto";
import "nexusannotations/v1/options.proto";
import "nexusproto/v1/options.proto";
message Order { string id = 1; int64 number = 2; bool rush = 3; repeated string tags = 4;
  uint64 serial = 5; Kind kind = 6; string class = 7; }
enum Kind { KIND_UNSPECIFIED = 0; }
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


def flat(content: str) -> str:
    """The code with line breaks inside statements gone, to look for whole expressions."""
    return re.sub(r"\(\s+", "(", re.sub(r"\s+", " ", content))


def error_of(tmp_path: Path, text: str, parameter: str = "") -> str:
    response = run(request(tmp_path, text, parameter))
    assert response.error
    assert not response.file
    assert "Traceback" not in response.error
    return response.error


def test_one_class_per_service_in_the_proto_package_by_default(tmp_path: Path) -> None:
    files = generate(tmp_path, HEADER + SERVICE + "service Till {\n"
                     "  option (nexusannotations.v1.service) = {};\n"
                     "  rpc Open(Order) returns (Receipt);\n}\n")
    assert sorted(files) == ["shop/v1/ShopNexus.java", "shop/v1/TillNexus.java"]
    content = files["shop/v1/ShopNexus.java"]
    assert "\npackage shop.v1;\n" in content
    # Not java_multiple_files: the messages are nested in the outer class Shop... which
    # protoc-gen-java renames ShopOuterClass, since service Shop has its name.
    assert "import shop.v1.ShopOuterClass.Order;\n" in content
    assert 'public static final String SERVICE_NAME = "shop";' in content
    assert 'public static final String PLACE_OPERATION = "place";' in content
    assert "@Service(name = SERVICE_NAME)\n  public interface Shop {" in content
    assert "@Operation(name = PLACE_OPERATION)\n    Receipt place(Order request);" in content


@pytest.mark.parametrize(
    ("options", "path", "message_import"),
    [
        ('option java_package = "com.example.shop";', "com/example/shop/ShopNexus.java",
         "import com.example.shop.ShopOuterClass.Order;"),
        ('option java_outer_classname = "ShopProtos";', "shop/v1/ShopNexus.java",
         "import shop.v1.ShopProtos.Order;"),
        ('option java_package = "com.example.shop";\noption java_multiple_files = true;',
         "com/example/shop/ShopNexus.java", None),
    ],
)
def test_java_package_multiple_files_and_outer_classname_as_protoc_gen_java(
    tmp_path: Path, options: str, path: str, message_import: str | None
) -> None:
    (name, content), = generate(tmp_path, HEADER + options + "\n" + SERVICE).items()
    assert name == path
    if message_import is None:
        # Top-level classes of the same package: no import at all.
        assert "import com.example" not in content
        assert "Receipt place(Order request);" in content
    else:
        assert message_import in content


def test_empty_is_no_parameter_and_void_everywhere(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert "Void ping();" in content  # the definition
    assert "default void ping(OperationContext context, OperationStartDetails details)" in content
    assert "public OperationHandler<Void, Void> ping() {" in content
    assert "public void ping() {\n      stub(PING_OPERATION).ping();" in content
    assert "NexusOperationHandle<Void> startPing() {" in content
    assert "Empty" not in content.replace("google.protobuf.Empty", "")


def test_tag_filters_select_what_the_python_plugin_selects(tmp_path: Path) -> None:
    service = """
service Shop {
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "public"; }
  rpc Audit(Order) returns (Receipt) { option (nexusannotations.v1.operation).tags = "internal"; }
}
service Plain { rpc Ping(Order) returns (Receipt); }
"""
    files = generate(tmp_path, HEADER + service, "exclude-operation-tags=internal")
    assert list(files) == ["shop/v1/ShopNexus.java"]
    assert "PLACE_OPERATION" in files["shop/v1/ShopNexus.java"]
    assert "AUDIT_OPERATION" not in files["shop/v1/ShopNexus.java"]
    everything = generate(tmp_path, HEADER + service, "all-services=true")
    assert sorted(everything) == ["shop/v1/PlainNexus.java", "shop/v1/ShopNexus.java"]


def test_workflow_run_binding_is_generated_complete(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = {
      workflow_type: "place-order" task_queue: "orders"
      id_template: "order-{number}-{id}-{serial}-{kind}-{class}"
      id_reuse_policy: ID_REUSE_POLICY_REJECT_DUPLICATE
      id_conflict_policy: ID_CONFLICT_POLICY_FAIL
    };
  }
  rpc Quick(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "quick" };
  }
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert (
        "      new WorkflowRun(\n"
        '          "place-order",\n'
        '          "orders",\n'
        "          WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,\n"
        "          WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL);"
    ) in content
    # Numbers start from a string, unsigned ones are written unsigned, enums by number,
    # and a field named like Object.getClass has protoc-gen-java's trailing underscore.
    assert (
        'PLACE_WORKFLOW.start(Receipt.class, "order-" + request.getNumber() + "-" + '
        'request.getId() + "-" + Long.toUnsignedString(request.getSerial()) + "-" + '
        'request.getKindValue() + "-" + request.getClass_(), request);' in flat(content)
    )
    assert (
        "QUICK_WORKFLOW.start(Receipt.class, WorkflowRun.defaultWorkflowId(context, details), "
        "request);" in flat(content)
    )
    assert "@WorkflowInterface\n  public interface PlaceOrder {" in content
    assert '@WorkflowMethod(name = "place-order")\n    Receipt run(Order request);' in content
    assert "return Operations.workflowRun(Order.class, Checks.NONE, handler::place);" in content


def test_a_template_starting_with_a_number_starts_from_a_string(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "{number}{serial}" };
  }
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert (
        "String.valueOf(request.getNumber()) + Long.toUnsignedString(request.getSerial())"
        in flat(content)
    )


def test_keywords_and_object_methods_get_a_trailing_underscore(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Class(Order) returns (Receipt);
  rpc ToString(google.protobuf.Empty) returns (Receipt);
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert "Receipt class_(Order request);" in content
    assert "Receipt toString_();" in content
    assert "public NexusOperationHandle<Receipt> startClass(Order request)" in content


def test_updates_signals_and_queries_reach_their_workflow(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Add(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_update = {
      id_template: "shop-{id}" update: "add" start: {workflow_type: "ShopWorkflow" task_queue: "shops"}
    };
  }
  rpc Reset(google.protobuf.Empty) returns (google.protobuf.Empty) {
    option (nexusproto.v1.operation).workflow_update = {
      workflow_type: "ShopWorkflow" id_template: "main" update: "reset"
    };
  }
  rpc Poke(Order) returns (google.protobuf.Empty) {
    option (nexusproto.v1.operation).workflow_signal = { workflow_type: "ShopWorkflow" id_template: "shop-{number}" signal: "poke" };
  }
  rpc Look(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_query = { workflow_type: "ShopWorkflow" id_template: "shop-{id}" query: "look" };
  }
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert (
        'public static final WorkflowEntity ADD_ENTITY = new WorkflowEntity("ShopWorkflow", "shops");'
        in content
    )
    assert 'public static final WorkflowEntity POKE_ENTITY = new WorkflowEntity("", "");' in content
    code = flat(content)
    assert (
        'return ADD_ENTITY.update(context, details, "shop-" + request.getId(), "add", '
        "Receipt.class, request);" in code
    )
    # Empty in and out: no argument, the result dropped, the method void.
    assert "default void reset(OperationContext context, OperationStartDetails details)" in code
    assert 'RESET_ENTITY.update(context, details, "main", "reset", Void.class);' in code
    assert 'POKE_ENTITY.signal("shop-" + request.getNumber(), "poke", request);' in code
    assert 'return LOOK_ENTITY.query("shop-" + request.getId(), "look", Receipt.class, request);' in code
    # On the wire they are sync operations: the response checked as any sync one's.
    assert "return Operations.sync(Order.class, Checks.NONE, handler::look);" in code


def test_timeouts_default_per_operation(tmp_path: Path) -> None:
    service = """
service Shop {
  option (nexusannotations.v1.service) = {};
  option (nexusproto.v1.service).default_endpoint = "shop-endpoint";
  option (nexusproto.v1.service).default_schedule_to_close_timeout = {seconds: 90};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).schedule_to_close_timeout = {nanos: 1500000};
  }
  rpc Open(Order) returns (Receipt);
}
"""
    (content,) = generate(tmp_path, HEADER + service).values()
    assert 'public static final String DEFAULT_ENDPOINT = "shop-endpoint";' in content
    assert "Map.entry(PLACE_OPERATION, Duration.ofNanos(1500000))," in content
    assert "Map.entry(OPEN_OPERATION, Duration.ofSeconds(90)));" in content
    assert "return new Caller(Calls.withEndpoint(options, DEFAULT_ENDPOINT));" in content
    assert "Calls.forOperation(options, operation, TIMEOUTS)" in content
    without = generate(tmp_path, HEADER + SERVICE)["shop/v1/ShopNexus.java"]
    assert "public static Caller newCaller() {" not in without
    assert 'Calls.withEndpoint(options, "")' in without


ERRORS = {
    "one Java method": (
        HEADER + """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc place_order(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc PlaceOrder(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "shop/v1/shop.proto:14:3: Shop.PlaceOrder and Shop.place_order both generate the Java "
        "method placeOrder; rename one of them",
    ),
    "start twin": (
        HEADER + """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "a"; }
  rpc StartPlace(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "b"; }
}
""",
        "",
        "Shop.StartPlace and Shop.Place both generate the Java method startPlace",
    ),
    "nested name": (
        HEADER + """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "caller" };
  }
}
""",
        "",
        "workflow caller and service Shop (its caller) both generate the Java name Caller",
    ),
    "message of the same name": (
        HEADER + "option java_multiple_files = true;\nmessage ShopNexus {}\n" + SERVICE,
        "",
        "shop/v1/shop.proto:13:1: service Shop generates the Java class shop.v1.ShopNexus, "
        "which protoc-gen-java declares for shop/v1/shop.proto",
    ),
    "outer class of the same name": (
        HEADER + 'option java_outer_classname = "ShopNexus";\n' + SERVICE,
        "",
        "service Shop generates the Java class shop.v1.ShopNexus, which protoc-gen-java "
        "declares for shop/v1/shop.proto",
    ),
    "keyword package": (
        HEADER + 'option java_package = "com.example.import";\n' + SERVICE,
        "",
        "the Java package 'com.example.import' of shop/v1/shop.proto is not a Java package "
        "name (each part must be an identifier and no keyword); set option java_package",
    ),
    "keyword message": (
        HEADER + "message int { string id = 1; }\nservice Shop {\n"
        "  option (nexusannotations.v1.service) = {};\n  rpc Place(int) returns (Receipt);\n}\n",
        "",
        "shop/v1/shop.proto:13:3: message shop.v1.int (shop/v1/shop.proto) is named 'int', a "
        "Java keyword",
    ),
    "bool in template": (
        HEADER + """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{rush}" };
  }
}
""",
        "",
        "id_template field 'rush' is a bool field; Java output builds workflow IDs from "
        "string, integer and enum fields only",
    ),
    "repeated in template": (
        HEADER + """
service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Place(Order) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_run = { workflow_type: "W" id_template: "o-{tags}" };
  }
}
""",
        "",
        "id_template field 'tags' is a repeated string field",
    ),
    "unknown parameter": (HEADER + SERVICE, "paths=source_relative", "unknown parameter 'paths'"),
    "all-services": (HEADER + SERVICE, "all-services=yes", "all-services must be true or false"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_what_java_cannot_express_is_a_located_error(tmp_path: Path, case: str) -> None:
    text, parameter, expected = ERRORS[case]
    assert expected in error_of(tmp_path, text, parameter)


# The writer ------------------------------------------------------------------------


def test_string_literals_read_back_exactly_and_never_use_unicode_escapes() -> None:
    assert string_literal('a"b\\c\nd\te\x00\x7f\u2028支') == '"a\\"b\\\\c\\nd\\te\\000\\177\u2028支"'
    assert string_literal("\\u000a") == '"\\\\u000a"'


def test_javadoc_cannot_end_the_comment_or_start_a_tag() -> None:
    assert javadoc("ends */ here\n@param x\n\n\n\\u002a/ <b>&") == (
        "ends &#42;/ here\n&#64;param x\n\n&#92;u002a/ &lt;b&gt;&amp;"
    )


def test_simple_names_never_collide_and_java_lang_is_not_shadowed() -> None:
    mine = JavaIdent("shop.v1", "Outer.String")
    theirs = JavaIdent("io.nexusrpc", "Service")
    other = JavaIdent("com.example", "Service")
    string = JavaIdent("java.lang", "String")
    java = JavaFile("shop.v1", [mine, theirs, other, string], ["Handler"], ["Object"])
    assert java.name(string) == "String"
    assert java.name(mine) == "shop.v1.Outer.String"  # java.lang wins the simple name
    assert {java.name(theirs), java.name(other)} == {"Service", "io.nexusrpc.Service"}
    shadowed = JavaFile("shop.v1", [JavaIdent("java.lang", "Object")], [], ["Object"])
    assert shadowed.name(JavaIdent("java.lang", "Object")) == "java.lang.Object"
    declared = JavaFile("shop.v1", [JavaIdent("com.example", "Handler")], ["Handler"], [])
    assert declared.name(JavaIdent("com.example", "Handler")) == "com.example.Handler"
    java.line("x")
    assert java.render([]).startswith("package shop.v1;\n\nimport ")


def test_two_files_generating_one_java_class_is_a_located_error(tmp_path: Path) -> None:
    """Two proto packages sharing a java_package, each with a service Shop."""
    java_package = 'option java_package = "com.example.shop";\n'
    other = HEADER.replace("package shop.v1;", "package shop.v2;")
    root = write_protos(
        tmp_path / "src",
        {
            "shop/v1/shop.proto": HEADER + java_package + SERVICE,
            "shop/v2/shop.proto": other + java_package.replace("Shop", "ShopV2") + SERVICE,
        },
    )
    captured = capture_request(
        tmp_path,
        ["shop/v1/shop.proto", "shop/v2/shop.proto"],
        include=[root, option_include_dir()],
    )
    response = run(captured)
    assert not response.file
    assert response.error.startswith("shop/v2/shop.proto:")
    assert (
        "service Shop generates the Java class com.example.shop.ShopNexus, as "
        "shop/v1/shop.proto, service Shop does; rename one of the services or give their "
        "files different java_package options"
    ) in response.error
