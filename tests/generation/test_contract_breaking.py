"""`nexus-contract breaking`: each rule on real descriptor sets from protoc, both exit
statuses, every input form (file, directory, git reference) and output format, and
the repository's `buf breaking` configuration.

What the findings predict at run time is shown with real processes in
tests/e2e/test_contract_evolution.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from protoc_gen_nexus import contract

from support.protoc import (
    BIN,
    REPO,
    nexus_contract,
    option_include_dir,
    run_protoc,
    validate_set,
    write_protos,
)

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
  rpc Track(Receipt) returns (Receipt) {
    option (nexusproto.v1.operation).workflow_update = {
      id_template: "order-{id}" update: "track" workflow_type: "OrderFlow"
    };
  }
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
    result = nexus_contract("breaking", str(after), "--against", str(before), *args)
    return result.returncode, result.stdout.splitlines()


SAFE = {
    "unchanged": V1,
    "field, operation and service added": V1.replace(
        "message Receipt { string id = 1; }",
        "message Receipt { string id = 1; string note = 2; }",
    ).replace("rpc Ping(", "rpc Refund(Order) returns (Receipt);\n  rpc Ping(")
    + "service Extra { option (nexusannotations.v1.service) = {}; rpc Go(Order) returns (Receipt); }\n",
    "method renamed, wire name kept": V1.replace("rpc Buy(Order)", "rpc Purchase(Order)"),
    # Options other than buf.validate rules are not rules: deprecating is the
    # first step of removing a field, and must not read as a tightened request.
    "request field deprecated": V1.replace("string sku = 1;", "string sku = 1 [deprecated = true];"),
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
    "synchronous update made asynchronous": (
        V1.replace('workflow_type: "OrderFlow"', 'workflow_type: "OrderFlow" asynchronous: true'),
        "NEXUS_OPERATION_SAME_COMPLETION",
        "operation 'Track' of service 'shop': changed from a synchronous update to an "
        "asynchronous update; its result now arrives after the start answered",
    ),
    "synchronous operation backed by an activity": (
        V1.replace(
            "rpc Ping(google.protobuf.Empty) returns (Receipt);",
            "rpc Ping(google.protobuf.Empty) returns (Receipt) {\n"
            "    option (nexusproto.v1.operation).activity = {\n"
            '      activity_type: "Ping" start_to_close_timeout: {seconds: 5}\n'
            "    };\n"
            "  }",
        ),
        "NEXUS_OPERATION_SAME_COMPLETION",
        "changed from a synchronous operation to an activity-backed operation",
    ),
    "output became Empty": (
        V1.replace(
            "rpc Buy(Order) returns (Receipt)",
            "rpc Buy(Order) returns (google.protobuf.Empty)",
        ),
        "NEXUS_OPERATION_SAME_OUTPUT",
        "from shop.v1.Receipt to google.protobuf.Empty",
    ),
}


@pytest.mark.parametrize("change", list(BREAKING))
def test_breaking_changes_name_the_rule_and_the_place(tmp_path: Path, change: str) -> None:
    new, rule, text = BREAKING[change]
    status, lines = check(tmp_path, new)
    assert status == contract.BREAKING, lines
    assert len(lines) == 1, lines
    assert f": {rule}: " in lines[0] and text in lines[0], lines[0]
    assert lines[0].startswith("shop/v1/shop.proto:"), lines[0]


WARNINGS = {
    "new rule on a nested request field": (
        V1.replace(
            "string sku = 1;",
            "string sku = 1 [(buf.validate.field).string.min_len = 3];",
        ),
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
    assert check(tmp_path, new, "--warnings-as-errors")[0] == contract.BREAKING


def test_validation_warnings_can_be_turned_off(tmp_path: Path) -> None:
    new = V1.replace("string sku = 1;", "string sku = 1 [(buf.validate.field).string.min_len = 3];")
    assert check(tmp_path, new, "--no-warn-validation", "--warnings-as-errors") == (
        0,
        [],
    )


def test_json_format(tmp_path: Path) -> None:
    new = V1.replace("rpc Buy(Order)", "rpc Buy(Item)")
    status, lines = check(tmp_path, new, "--error-format", "json")
    assert status == contract.BREAKING
    (finding,) = [json.loads(line) for line in lines]
    assert finding["rule"] == "NEXUS_OPERATION_SAME_INPUT" and finding["warning"] is False
    assert finding["location"] == {
        "file": "shop/v1/shop.proto",
        "line": 13,
        "column": 3,
    }


def test_github_actions_format_annotates_the_line(tmp_path: Path) -> None:
    new = V1.replace("rpc Buy(Order)", "rpc Buy(Item)").replace(
        'default_endpoint = "shop"', 'default_endpoint = "shop-eu"'
    )
    status, lines = check(tmp_path, new, "--error-format", "github-actions")
    assert status == contract.BREAKING
    assert sorted(lines) == [
        "::error file=shop/v1/shop.proto,line=13,col=3,title=NEXUS_OPERATION_SAME_INPUT::"
        "operation 'buy' of service 'shop': the input changed from shop.v1.Order to "
        "shop.v1.Item; payloads of one are not the other's. Add a new operation instead",
        "::warning file=shop/v1/shop.proto,line=10,col=1,title=NEXUS_DEFAULT_ENDPOINT_SAME::"
        "service 'shop': the default endpoint changed from 'shop' to 'shop-eu'; callers "
        "generated from either version call different endpoints",
    ]


def test_unreadable_input_is_a_clear_error(tmp_path: Path) -> None:
    before = _image(tmp_path, "v1", V1)
    junk = tmp_path / "junk.binpb"
    junk.write_bytes(b"\xff\xff not a descriptor set")
    result = nexus_contract("breaking", str(junk), "--against", str(before))
    assert result.returncode == contract.UNREADABLE
    assert "junk.binpb: not a readable descriptor set, buf image or directory" in result.stderr


def test_directories_are_compiled_and_findings_name_paths_from_the_caller(
    tmp_path: Path,
) -> None:
    write_protos(tmp_path / "old" / "proto", {"shop/v1/shop.proto": V1})
    write_protos(
        tmp_path / "new" / "proto",
        {"shop/v1/shop.proto": V1.replace("rpc Buy(Order)", "rpc Buy(Item)")},
    )
    result = nexus_contract("breaking", "new/proto", "--against", "old/proto", cwd=tmp_path)
    assert result.returncode == contract.BREAKING, result.stderr
    assert result.stdout.startswith("new/proto/shop/v1/shop.proto:13:3: NEXUS_OPERATION_SAME_INPUT")


def test_a_directory_that_does_not_compile_shows_protoc_errors(tmp_path: Path) -> None:
    write_protos(tmp_path / "old", {"shop/v1/shop.proto": V1})
    write_protos(
        tmp_path / "new",
        {"shop/v1/shop.proto": V1.replace("message Item {", "message Item")},
    )
    result = nexus_contract("breaking", "new", "--against", "old", cwd=tmp_path)
    assert result.returncode == contract.UNREADABLE
    assert "new: protoc cannot compile it" in result.stderr
    assert "shop/v1/shop.proto:7:" in result.stderr


def _git(repository: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repository,
        check=True,
        capture_output=True,
    )


def _repository(tmp_path: Path, *versions: str) -> Path:
    """A git repository with one commit per version of proto/shop/v1/shop.proto."""
    repository = tmp_path / "contracts"
    repository.mkdir(parents=True)
    _git(repository, "init", "-q", "-b", "main")
    for number, text in enumerate(versions):
        write_protos(repository / "proto", {"shop/v1/shop.proto": text})
        _git(repository, "add", "proto")
        _git(repository, "commit", "-q", "-m", f"version {number + 1}")
    return repository


def test_git_references_are_read_like_buf_reads_them(tmp_path: Path) -> None:
    repository = _repository(tmp_path, V1, V1.replace("rpc Buy(Order)", "rpc Buy(Item)"))
    _git(repository, "tag", "v1", "HEAD~1")
    for against in (".git#ref=HEAD~1,subdir=proto", ".git#tag=v1,subdir=proto/"):
        result = nexus_contract("breaking", "proto", "--against", against, cwd=repository)
        assert result.returncode == contract.BREAKING, result.stderr
        assert result.stdout.startswith("proto/shop/v1/shop.proto:13:3: NEXUS_OPERATION_SAME_INPUT")
    # Something gone is located where it was: in the older commit's file.
    deleted = _repository(tmp_path / "d", V1, V1[: V1.index("service Shop")])
    result = nexus_contract(
        "breaking",
        ".git#branch=main,subdir=proto",
        "--against",
        ".git#ref=HEAD~1,subdir=proto",
        cwd=deleted,
    )
    assert result.stdout.startswith("proto/shop/v1/shop.proto:10:1: NEXUS_SERVICE_NO_DELETE")


@pytest.mark.parametrize(
    ("against", "message"),
    [
        (".git#ref=HEAD~5,subdir=proto", "git cannot read it"),
        (".git#ref=HEAD,subdir=nowhere", "git cannot read it"),
        (".git#commit=HEAD", "unknown git option 'commit=HEAD'"),
        (
            "https://example.com/contracts.git#branch=main",
            "only local git repositories",
        ),
    ],
)
def test_git_references_that_cannot_be_read(tmp_path: Path, against: str, message: str) -> None:
    repository = _repository(tmp_path, V1)
    result = nexus_contract("breaking", "proto", "--against", against, cwd=repository)
    assert result.returncode == contract.UNREADABLE
    assert message in result.stderr


def test_build_writes_an_image_buf_breaking_reads(tmp_path: Path) -> None:
    """`nexus-contract build` gives buf an image of a commit it cannot build offline
    (buf/validate comes from the runtime), and the repository's buf.yaml makes a JSON
    name change breaking: payloads travel as proto JSON."""
    renamed = V1.replace("string sku = 1;", "string stock_keeping_unit = 1;")
    repository = _repository(tmp_path, V1, renamed)
    for ref, image in (("HEAD~1", "old.binpb"), ("HEAD", "new.binpb")):
        result = nexus_contract(
            "build",
            f".git#ref={ref},subdir=proto",
            "-o",
            str(tmp_path / image),
            cwd=repository,
        )
        assert result.returncode == 0, result.stderr

    def buf_breaking(config: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(BIN / "buf"),
                "breaking",
                "new.binpb",
                "--against",
                "old.binpb",
                "--config",
                config,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )

    ours = buf_breaking(str(REPO / "buf.yaml"))
    assert ours.returncode == contract.BREAKING
    assert 'changed option "json_name" from "sku" to "stockKeepingUnit"' in ours.stdout
    wire_only = buf_breaking('{"version": "v2", "breaking": {"use": ["WIRE"]}}')
    assert wire_only.returncode == 0, wire_only.stdout


OLD_OPTIONS_FIELDS = ("workflow_update", "workflow_signal", "workflow_query", "activity")


def test_contracts_compiled_with_an_older_options_proto(tmp_path: Path) -> None:
    """A commit from before the entity bindings carries an options.proto without
    them; reading it must not assume today's fields."""
    options = (option_include_dir() / "nexusproto" / "v1" / "options.proto").read_text()
    older = "\n".join(
        line
        for line in options.splitlines()
        if not any(f" {field} = " in line for field in OLD_OPTIONS_FIELDS)
    )
    assert older != options
    # The contract of that commit could not use the bindings either.
    plain = V1[: V1.index("  rpc Track(")] + "}\n"
    root = write_protos(
        tmp_path / "old",
        {"shop/v1/shop.proto": plain, "nexusproto/v1/options.proto": older},
    )
    write_protos(tmp_path / "new", {"shop/v1/shop.proto": plain})
    result = nexus_contract("breaking", "new", "--against", str(root), cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


TAGGED = (
    V1
    + """\
service Internal {
  option (nexusannotations.v1.service) = { name: "internal" tags: "internal" };
  rpc Reset(Order) returns (Receipt);
}
"""
)


def test_generation_parameters_select_the_services_checked(tmp_path: Path) -> None:
    """A service generation leaves out (here by tag) is no contract of the teams':
    deleting it breaks nobody."""
    before = _image(tmp_path, "tagged", TAGGED)
    after = _image(tmp_path, "untagged", V1)
    everything = nexus_contract("breaking", str(after), "--against", str(before))
    assert everything.returncode == contract.BREAKING
    assert "Nexus service 'internal' is gone" in everything.stdout
    selected = nexus_contract(
        "breaking",
        str(after),
        "--against",
        str(before),
        "--parameter",
        "exclude-service-tags=internal",
    )
    assert (selected.returncode, selected.stdout) == (0, "")


def test_buf_images_are_read(tmp_path: Path) -> None:
    """An image from `buf build -o` (a module without buf/validate, which buf could
    not fetch offline) carries buf's own fields besides the files."""
    plain = V1.replace('import "buf/validate/validate.proto";\n', "")

    def build(name: str, text: str) -> Path:
        module = write_protos(tmp_path / name, {"shop/v1/shop.proto": text})
        for option in ("nexusannotations", "nexusproto"):
            source = option_include_dir() / option / "v1" / "options.proto"
            write_protos(module, {f"{option}/v1/options.proto": source.read_text()})
        (module / "buf.yaml").write_text("version: v2\n")
        image = tmp_path / f"{name}.binpb"
        result = subprocess.run(
            [str(BIN / "buf"), "build", str(module), "-o", str(image)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return image

    before = build("v1", plain)
    after = build("v2", plain.replace("rpc Buy(Order)", "rpc Buy(Item)"))
    result = nexus_contract("breaking", str(after), "--against", str(before))
    assert result.returncode == contract.BREAKING
    assert result.stdout.startswith("shop/v1/shop.proto:12:3: NEXUS_OPERATION_SAME_INPUT")
