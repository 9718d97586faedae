"""`nexus-contract breaking`: each rule on real descriptor sets from protoc, both exit statuses.

The first slice of the contract evolution check: rules on descriptor sets and buf
images. Directory and git inputs, the repository's CI wiring and the old/new
process tests are still to come.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.protoc import BIN, option_include_dir, run_protoc, validate_set, write_protos

V1 = """\
syntax = "proto3";
package shop.v1;
import "buf/validate/validate.proto";
import "google/protobuf/empty.proto";
import "nexusannotations/v1/options.proto";
import "nexusproto/v1/options.proto";
message Item { string sku = 1; }
message Order { string id = 1; Item item = 2; }
message Receipt { string id = 1; }
service Shop {
  option (nexusannotations.v1.service).name = "shop";
  option (nexusproto.v1.service).default_endpoint = "shop";
  rpc Buy(Order) returns (Receipt) { option (nexusannotations.v1.operation).name = "buy"; }
  rpc Ping(google.protobuf.Empty) returns (Receipt);
}
"""


def _image(tmp_path: Path, name: str, text: str) -> Path:
    root = write_protos(tmp_path / name, {"shop/v1/shop.proto": text})
    out = tmp_path / f"{name}.binpb"
    result = run_protoc(
        [
            f"--descriptor_set_in={validate_set(tmp_path)}",
            f"-I{root}",
            f"-I{option_include_dir()}",
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            "shop/v1/shop.proto",
        ]
    )
    assert result.returncode == 0, result.stderr
    return out


def check(tmp_path: Path, new: str, *args: str) -> tuple[int, list[str]]:
    before = _image(tmp_path, "v1", V1)
    after = _image(tmp_path, "v2", new)
    result = subprocess.run(
        [str(BIN / "nexus-contract"), "breaking", str(after), "--against", str(before), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


SAFE = {
    "unchanged": V1,
    "field, operation and service added": V1.replace(
        "message Receipt { string id = 1; }", "message Receipt { string id = 1; string note = 2; }"
    ).replace(
        "rpc Ping(", "rpc Refund(Order) returns (Receipt);\n  rpc Ping("
    ) + 'service Extra { option (nexusannotations.v1.service) = {}; rpc Go(Order) returns (Receipt); }\n',
    "method renamed, wire name kept": V1.replace("rpc Buy(Order)", "rpc Purchase(Order)"),
}


@pytest.mark.parametrize("change", list(SAFE))
def test_safe_changes_report_nothing(tmp_path: Path, change: str) -> None:
    assert check(tmp_path, SAFE[change]) == (0, [])


BREAKING = {
    "service deleted": (
        V1[: V1.index("service Shop")],
        "NEXUS_SERVICE_NO_DELETE",
        "Nexus service 'shop' is gone",
    ),
    "service wire name changed": (
        V1.replace('service).name = "shop"', 'service).name = "shops"'),
        "NEXUS_SERVICE_NO_DELETE",
        "'shop'",
    ),
    "service no longer annotated": (
        V1.replace('  option (nexusannotations.v1.service).name = "shop";\n', ""),
        "NEXUS_SERVICE_NO_DELETE",
        "no longer selected",
    ),
    "operation deleted": (
        V1.replace("  rpc Ping(google.protobuf.Empty) returns (Receipt);\n", ""),
        "NEXUS_OPERATION_NO_DELETE",
        "operation 'Ping' of service 'shop' is gone",
    ),
    "operation wire name changed": (
        V1.replace('operation).name = "buy"', 'operation).name = "purchase"'),
        "NEXUS_OPERATION_NO_DELETE",
        "operation 'buy'",
    ),
    "input changed": (
        V1.replace("rpc Buy(Order)", "rpc Buy(Item)"),
        "NEXUS_OPERATION_SAME_INPUT",
        "the input changed from shop.v1.Order to shop.v1.Item",
    ),
    "Empty input became a message": (
        V1.replace("rpc Ping(google.protobuf.Empty)", "rpc Ping(Order)"),
        "NEXUS_OPERATION_SAME_INPUT",
        "from google.protobuf.Empty to shop.v1.Order",
    ),
    "output became Empty": (
        V1.replace("rpc Buy(Order) returns (Receipt)", "rpc Buy(Order) returns (google.protobuf.Empty)"),
        "NEXUS_OPERATION_SAME_OUTPUT",
        "from shop.v1.Receipt to google.protobuf.Empty",
    ),
}


@pytest.mark.parametrize("change", list(BREAKING))
def test_breaking_changes_name_the_rule_and_the_place(tmp_path: Path, change: str) -> None:
    new, rule, text = BREAKING[change]
    status, lines = check(tmp_path, new)
    assert status == 100, lines
    assert len(lines) == 1, lines
    assert f": {rule}: " in lines[0] and text in lines[0], lines[0]
    assert lines[0].startswith("shop/v1/shop.proto:"), lines[0]


WARNINGS = {
    "new rule on a nested request field": (
        V1.replace("string sku = 1;", "string sku = 1 [(buf.validate.field).string.min_len = 3];"),
        "NEXUS_VALIDATION_NO_NEW_RULES",
        "shop.v1.Order.item.sku",
    ),
    "default endpoint changed": (
        V1.replace('default_endpoint = "shop"', 'default_endpoint = "shop-eu"'),
        "NEXUS_DEFAULT_ENDPOINT_SAME",
        "from 'shop' to 'shop-eu'",
    ),
}


@pytest.mark.parametrize("change", list(WARNINGS))
def test_warnings_report_without_failing_unless_asked(tmp_path: Path, change: str) -> None:
    new, rule, text = WARNINGS[change]
    status, lines = check(tmp_path, new)
    assert status == 0 and len(lines) == 1, lines
    assert f": warning: {rule}: " in lines[0] and text in lines[0], lines[0]
    assert check(tmp_path, new, "--warnings-as-errors")[0] == 100


def test_json_format(tmp_path: Path) -> None:
    new = V1.replace("rpc Buy(Order)", "rpc Buy(Item)")
    status, lines = check(tmp_path, new, "--error-format", "json")
    assert status == 100
    (finding,) = [json.loads(line) for line in lines]
    assert finding["rule"] == "NEXUS_OPERATION_SAME_INPUT" and finding["warning"] is False


def test_unreadable_input_is_a_clear_error(tmp_path: Path) -> None:
    before = _image(tmp_path, "v1", V1)
    junk = tmp_path / "junk.binpb"
    junk.write_bytes(b"\xff\xff not a descriptor set")
    result = subprocess.run(
        [str(BIN / "nexus-contract"), "breaking", str(junk), "--against", str(before)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "junk.binpb: not a readable descriptor set or buf image" in result.stderr
    assert "Traceback" not in result.stderr
