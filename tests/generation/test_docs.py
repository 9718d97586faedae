"""protoc-gen-nexus-docs: the Markdown catalogue of the Nexus services in a contract.

The example contracts' catalogue is committed in proto/catalogue (`make generate`
writes it with buf); here the plugin runs on requests captured from the real
protoc, in process, and as the console script protoc starts.
"""

import re
import subprocess
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from support.golden import EXAMPLES
from support.profiles import examples as example_count
from support.protoc import (
    BIN,
    PROTO_DIR,
    REPO,
    capture_request,
    option_include_dir,
    run_protoc,
    validate_set,
    write_protos,
)

from protoc_gen_nexus.docs import plugin as docs_plugin
from protoc_gen_nexus.docs.markdown import cell, code, escape
from protoc_gen_nexus.docs.plugin import run

CATALOGUE = REPO / "proto" / "catalogue"


def pages_of(request: plugin_pb2.CodeGeneratorRequest) -> dict[str, str]:
    response = run(request)
    assert not response.error, response.error
    return {file.name: file.content for file in response.file}


def error_of(request: plugin_pb2.CodeGeneratorRequest) -> str:
    response = run(request)
    assert response.error
    assert not response.file
    return response.error


def inline(
    tmp_path: Path,
    sources: dict[str, str],
    files: list[str] | None = None,
    parameter: str = "",
) -> plugin_pb2.CodeGeneratorRequest:
    root = write_protos(tmp_path / "src", sources)
    return capture_request(
        tmp_path,
        files if files is not None else sorted(sources),
        include=[root, option_include_dir()],
        parameter=parameter,
    )


def read_catalogue(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text() for path in root.rglob("*.md")}


def table_rows(page: str) -> list[list[str]]:
    """Every table row of a page, split into cells at unescaped pipes."""
    return [
        re.split(r"(?<!\\)\|", line)[1:-1]
        for line in page.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]


def row_of(page: str, first_cell: str) -> list[str]:
    (row,) = [row for row in table_rows(page) if row[0].strip() == first_cell]
    return [part.strip() for part in row]


def unescape(markdown: str) -> str:
    """What a backslash-escaped text renders as: the escaped characters themselves."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


# The golden catalogue ------------------------------------------------------------


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return pages_of(capture_request(tmp_path_factory.mktemp("docs"), EXAMPLES))


def test_catalogue_of_the_examples_matches_proto_catalogue(examples: dict[str, str]) -> None:
    assert sorted(examples) == [
        "README.md",
        "orders/v1/carts.md",
        "orders/v1/orders.md",
        "payments/v1/payments.md",
    ]
    committed = read_catalogue(CATALOGUE)
    assert committed == examples, "proto/catalogue is out of date: run make generate"


def test_committed_catalogue_is_what_git_has() -> None:
    """`make generate` rewrote proto/catalogue; it must be what the repository holds, so a
    contract change comes with its catalogue."""
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO, capture_output=True, text=True
    )
    if inside.returncode != 0:
        pytest.skip("not a git work tree")
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "proto/catalogue"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert not changed, "review and commit the regenerated catalogue (git add proto/catalogue):\n" + changed


def test_protoc_runs_the_console_script_in_any_file_order(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [f"--descriptor_set_in={validate_set(tmp_path)}", f"-I{PROTO_DIR}", f"--nexus-docs_out={out}"]
    result = run_protoc(args + list(reversed(EXAMPLES)))
    assert result.returncode == 0, result.stderr
    assert (BIN / "protoc-gen-nexus-docs").exists()
    assert read_catalogue(out) == read_catalogue(CATALOGUE)


def test_example_pages_show_wire_names_kinds_tags_and_defaults(examples: dict[str, str]) -> None:
    payments = examples["payments/v1/payments.md"]
    assert "## payments.v1.PaymentService\n" in payments
    assert "Moves money for orders." in payments  # the service's comment
    assert "- Default endpoint: `payments`" in payments
    assert row_of(payments, "[`refund-payment`](#payments.v1.PaymentService.RefundPayment)")[1] == (
        "workflow run"
    )
    assert (
        "- Kind: workflow run: starts workflow `RefundPaymentWorkflow` with ID "
        "`refund-{transaction_id}`; ID reuse policy `REJECT_DUPLICATE`" in payments
    )
    assert "- Schedule-to-close timeout: `60s`" in payments
    assert "- Tags: `internal`" in payments  # ResetLedger's operation tag
    assert row_of(payments, "[`CheckHealth`](#payments.v1.PaymentService.CheckHealth)")[2] == (
        "no payload"
    )
    carts = examples["orders/v1/carts.md"]
    assert (
        "- Kind: update `add_item` of workflow `CartWorkflow` with ID `cart-{cart_id}`; "
        "starts `CartWorkflow` when none runs with that ID (update-with-start)" in carts
    )
    assert "- Kind: query `get` of workflow `CartWorkflow`" in carts
    assert "- Kind: signal `checkout` of workflow `CartWorkflow`" in carts


# Selection: the generator's own -------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "present", "absent"),
    [
        ("", ["orders.v1.OrderService", "ResetLedger"], ["OrderAdmin", "Archive"]),
        ("all-services=true", ["orders.v1.OrderAdmin", "Archive"], []),
        ("include-service-tags=public", ["payments.v1.PaymentService"], ["carts", "orders.v1"]),
        ("exclude-operation-tags=internal", ["CheckHealth"], ["ResetLedger"]),
        (
            "include-operation-tags=public",
            ["ProcessPayment", "CheckHealth"],
            ["ResetLedger", "carts", "orders.v1"],
        ),
    ],
)
def test_selection_is_the_generators(
    tmp_path: Path, parameter: str, present: list[str], absent: list[str]
) -> None:
    pages = pages_of(capture_request(tmp_path, EXAMPLES, parameter=parameter))
    text = "\n".join(pages.values())
    for name in present:
        assert name in text, (parameter, name)
    for name in absent:
        assert name not in text, (parameter, name)
    if parameter.startswith("include"):
        assert sorted(pages) == ["README.md", "payments/v1/payments.md"]


# Rules in plain words ------------------------------------------------------------

RULES = """\
syntax = "proto3";
package rules.v1;
import "buf/validate/validate.proto";
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/timestamp.proto";
import "nexusannotations/v1/options.proto";

enum Colour { COLOUR_UNSPECIFIED = 0; COLOUR_RED = 1; COLOUR_BLUE = 2; }

message Request {
  option (buf.validate.message) = {
    cel: {id: "request.sane", message: "must be sane", expression: "true"}
    oneof: {fields: ["email", "phone"], required: true}
  };
  string name = 1 [(buf.validate.field).string.min_len = 1];
  string code = 2 [(buf.validate.field).string = {min_len: 2, max_len: 64}];
  int32 quantity = 3 [(buf.validate.field).int32 = {gt: 0, lte: 99}];
  Inner inner = 4 [(buf.validate.field).required = true];
  string id = 5 [(buf.validate.field).string.uuid = true];
  string slug = 6 [(buf.validate.field).string.pattern = "^[a-z|]+$"];
  string kind = 7 [(buf.validate.field).string = {in: ["a", "b"]}];
  repeated string labels = 8 [(buf.validate.field).repeated = {min_items: 1, items: {string: {min_len: 1}}}];
  map<string, int64> counts = 9 [(buf.validate.field).map.max_pairs = 10];
  Colour colour = 10 [(buf.validate.field).enum = {defined_only: true, not_in: [1]}];
  double ratio = 11 [(buf.validate.field).double = {gt: 10, lt: 5}];
  float share = 12 [(buf.validate.field).float.gte = 0.1];
  google.protobuf.Duration wait = 13 [(buf.validate.field).duration.lte = {seconds: 30}];
  google.protobuf.Timestamp due = 14 [(buf.validate.field).timestamp.gt_now = true];
  string note = 15 [(buf.validate.field).cel = {
    id: "note.short", message: "note must be short", expression: "size(this) < 10"
  }];
  bool agreed = 16 [(buf.validate.field).bool.const = true];
  string email = 17 [(buf.validate.field).string.email = true];
  string phone = 18 [
    (buf.validate.field).string.min_len = 5,
    (buf.validate.field).ignore = IGNORE_IF_ZERO_VALUE
  ];
  oneof choice {
    option (buf.validate.oneof).required = true;
    string a = 19;
    string b = 20;
  }
  uint64 big = 21 [(buf.validate.field).uint64.const = 5];
  bytes raw = 22 [(buf.validate.field).bytes = {max_len: 16, prefix: "\\x00A"}];
  string plain = 23;
  google.protobuf.Timestamp since = 24 [(buf.validate.field).timestamp.gte = {seconds: 0}];
  google.protobuf.Any payload = 25 [(buf.validate.field).any = {
    in: ["type.googleapis.com/a.B", "type.googleapis.com/c.D"]
  }];
  string header = 26 [(buf.validate.field).string = {
    well_known_regex: KNOWN_REGEX_HTTP_HEADER_NAME, strict: false
  }];
  int64 level = 27 [(buf.validate.field).int64 = {in: [1, 2, 3]}];
  repeated string tags = 28 [(buf.validate.field).repeated.unique = true];
}

message Inner { string x = 1; }

service Rules {
  option (nexusannotations.v1.service) = {};
  rpc Check(Request) returns (Inner);
}
"""


@pytest.fixture(scope="module")
def rules_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp_path = tmp_path_factory.mktemp("rules")
    return pages_of(inline(tmp_path, {"rules/v1/rules.proto": RULES}))["rules/v1/rules.md"]


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("name", "at least 1 character"),
        ("code", "at least 2 characters; at most 64 characters"),
        ("quantity", "greater than 0; at most 99"),
        ("inner", "required"),
        ("id", "a UUID"),
        ("slug", r"matches the regular expression <code>^\[a-z\|\]+\$</code>"),
        ("kind", 'one of `"a"`, `"b"`'),
        ("labels", "at least 1 item; each item: at least 1 character"),
        ("counts", "at most 10 entries"),
        ("colour", "a value the enum defines; none of `COLOUR_RED`"),
        ("ratio", "greater than 10.0 or less than 5.0"),
        ("share", "at least 0.1"),
        ("wait", "at most 30s"),
        ("due", "in the future"),
        ("note", "custom rule `note.short`: note must be short"),
        ("agreed", "exactly true"),
        ("email", "an email address"),
        ("phone", "checked only when set; at least 5 characters"),
        ("big", "exactly 5"),
        ("raw", r'at most 16 bytes; starts with `"\x00A"`'),
        ("plain", ""),
        ("since", "at least 1970-01-01T00:00:00Z"),
        ("payload", "a message of type `type.googleapis.com/a.B` or `type.googleapis.com/c.D`"),
        ("header", "an HTTP header name (not strictly checked)"),
        ("level", "one of 1, 2, 3"),
        ("tags", "no duplicate items"),
    ],
)
def test_rules_in_plain_words(rules_page: str, field: str, words: str) -> None:
    assert row_of(rules_page, f"`{field}`")[4] == words


def test_message_and_oneof_rules_in_plain_words(rules_page: str) -> None:
    assert (
        "Rules of the message:\n\n- custom rule `request.sane`: must be sane\n"
        "- exactly one of `email`, `phone`\n- exactly one of `a`, `b`"
        in rules_page
    )
    assert row_of(rules_page, "`a`")[2] == "`string` (oneof `choice`)"
    assert row_of(rules_page, "`counts`")[2] == r"map\<`string`, `int64`\>"
    assert row_of(rules_page, "`wait`")[2] == "`google.protobuf.Duration`"  # well-known: no link


# Escaping --------------------------------------------------------------------------

HOSTILE = """\
syntax = "proto3";
package hostile.v1;
import "nexusannotations/v1/options.proto";

// Pipes | in | text, `backticks`, <script>alert(1)</script>, &amp; and $x$.
// # not a heading
// - not a list
// 1. not a numbered list
// *not emphasis* _nor this_ [not a link](http://example.com)
//
//     indented, not code
service Hostile {
  option (nexusannotations.v1.service) = {name: "odd | service `name`"};
  // Also | here, with a line
  // break and </td> in a table.
  rpc Get(Request) returns (Request) {
    option (nexusannotations.v1.operation).name = "get|`x`\\nnext";
  }
}

// A | message.
message Request {
  // The | id: `a` <b>bold</b>
  //
  // --- second paragraph ---
  string id = 1 [json_name = "i|d`"];
}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    return pages_of(inline(tmp_path, {"hostile/v1/hostile.proto": HOSTILE}))


def test_hostile_comments_and_names_keep_every_table_whole(hostile: dict[str, str]) -> None:
    for name, page in hostile.items():
        lines = page.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("|---"):
                columns = line.count("|") - 1
                for row in lines[index + 1 :]:
                    if not row.startswith("|"):
                        break
                    assert len(re.split(r"(?<!\\)\|", row)) - 2 == columns, (name, row)


def test_hostile_comments_render_as_their_text(hostile: dict[str, str]) -> None:
    page = hostile["hostile/v1/hostile.md"]
    assert "<script>" not in page and "<b>" not in page and "</td>" not in page
    assert (
        r"Pipes \| in \| text, \`backticks\`, \<script\>alert(1)\</script\>, \&amp; and \$x\$."
        in page
    )
    for line in (
        r"\# not a heading",
        r"\- not a list",
        r"1\. not a numbered list",
        r"\*not emphasis\* \_nor this\_ \[not a link\](http://example.com)",
        "",  # the blank line of the comment stays a paragraph break
        "indented, not code",  # no leading blanks: not a code block
    ):
        assert f"\n{line}\n" in page, line
    field = row_of(page, "`id`")
    assert field[1] == r"<code>i\|d\`</code>"
    assert field[3] == r"The \| id: \`a\` \<b\>bold\</b\><br><br>\--- second paragraph ---"
    operation = row_of(page, r"[<code>get\|\`x\` next</code>](#hostile.v1.Hostile.Get)")
    assert operation[4] == r"Also \| here, with a line break and \</td\> in a table."
    assert "\n### get\\|\\`x\\` next\n" in page  # a heading stays on one line
    index = hostile["README.md"]
    assert r"[<code>odd \| service \`name\`</code>](hostile/v1/hostile.md#hostile.v1.Hostile)" in index


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("a|b", r"a\|b"),
        ("snake_case_name", "snake_case_name"),  # inside a word `_` is never emphasis
        ("_private", r"\_private"),
        ("# title", r"\# title"),
        ("  > quote", r"  \> quote"),
        ("2) item", r"2\) item"),
        ("x <y> & z", r"x \<y\> \& z"),
        ("~~gone~~ $math$", r"\~\~gone\~\~ \$math\$"),
        ("line\n===", "line\n\\==="),
    ],
)
def test_escape(text: str, markdown: str) -> None:
    assert escape(text) == markdown


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("payments.v1.Money", "`payments.v1.Money`"),
        ("a|b", r"<code>a\|b</code>"),
        ("x`y", r"<code>x\`y</code>"),
        (" padded", "<code> padded</code>"),
        ("two\nlines", "<code>two lines</code>"),
    ],
)
def test_code(text: str, markdown: str) -> None:
    assert code(text) == markdown


@settings(max_examples=example_count(300, 5000))
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_any_text_escapes_to_one_line_of_itself_in_a_cell(text: str) -> None:
    """In a table cell any text stays one line, opens no table column, and reads back
    as itself, blanks at line ends and line breaks aside."""
    markdown = cell(text)
    assert "\n" not in markdown and "\r" not in markdown
    assert not re.search(r"(?<!\\)\|", markdown)
    # Paragraph breaks are ours; a `<br>` in the text itself is escaped and reads back.
    words = " ".join(" ".join(map(unescape, markdown.split("<br><br>"))).split())
    assert words == " ".join(text.expandtabs(4).split())


# Links to nested and imported messages ---------------------------------------------

MONEY = """\
syntax = "proto3";
package common.v1;
import "nexusannotations/v1/options.proto";

// An amount of money.
message Money {
  string currency = 1;
  message Cents { int64 value = 1; }
}

service Rates {
  option (nexusannotations.v1.service) = {};
  rpc Get(Money) returns (Money);
}
"""

SHOP = """\
syntax = "proto3";
package shop.v1;
import "common/v1/money.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/timestamp.proto";
import "nexusannotations/v1/options.proto";

message Order {
  message Line { string sku = 1; }
  common.v1.Money total = 1;
  Line first = 2;
  map<string, common.v1.Money> prices = 3;
  google.protobuf.Timestamp at = 4;
  common.v1.Money.Cents cents = 5;
}

service Shop {
  option (nexusannotations.v1.service) = {};
  rpc Buy(Order) returns (google.protobuf.Empty);
}
"""


def test_imported_messages_link_to_the_page_documenting_them(tmp_path: Path) -> None:
    pages = pages_of(inline(tmp_path, {"common/v1/money.proto": MONEY, "shop/v1/shop.proto": SHOP}))
    shop, common = pages["shop/v1/shop.md"], pages["common/v1/money.md"]
    money = "[`common.v1.Money`](../../common/v1/money.md#common.v1.Money)"
    assert row_of(shop, "`total`")[2] == money
    assert row_of(shop, "`prices`")[2] == rf"map\<`string`, {money}\>"
    cents = "[`common.v1.Money.Cents`](../../common/v1/money.md#common.v1.Money.Cents)"
    assert row_of(shop, "`cents`")[2] == cents
    assert row_of(shop, "`first`")[2] == "[`Order.Line`](#shop.v1.Order.Line)"
    assert row_of(shop, "`at`")[2] == "`google.protobuf.Timestamp`"
    assert '<a id="shop.v1.Order.Line"></a>\n\n### Order.Line' in shop
    assert '<a id="common.v1.Money"></a>' not in shop  # documented once, on its own page
    assert '<a id="common.v1.Money.Cents"></a>' in common  # used by shop only, homed there
    assert "- Output: no payload" in shop


@pytest.mark.parametrize("money", [MONEY, MONEY[: MONEY.index("service")]])
def test_imported_messages_without_a_page_are_documented_where_used(
    tmp_path: Path, money: str
) -> None:
    """Outside the run, or in a file without Nexus services: the page using it documents it."""
    pages = pages_of(
        inline(
            tmp_path,
            {"common/v1/money.proto": money, "shop/v1/shop.proto": SHOP},
            files=["shop/v1/shop.proto"] if money == MONEY else None,
        )
    )
    assert sorted(pages) == ["README.md", "shop/v1/shop.md"]
    shop = pages["shop/v1/shop.md"]
    assert row_of(shop, "`total`")[2] == "[`common.v1.Money`](#common.v1.Money)"
    assert (
        '<a id="common.v1.Money"></a>\n\n### Money\n\n'
        "Full name `common.v1.Money` in `common/v1/money.proto`.\n\nAn amount of money." in shop
    )


# Errors: located, never a traceback ------------------------------------------------


# A streaming method: tests/generation/test_toolchain.py runs both plugins on it.


def test_bad_parameter_is_an_error_response(tmp_path: Path) -> None:
    error = error_of(capture_request(tmp_path, EXAMPLES, parameter="all_services=true"))
    assert "unknown parameter 'all_services'" in error


def test_page_that_would_overwrite_the_index_is_a_located_error(tmp_path: Path) -> None:
    proto = MONEY.replace("package common.v1;", "package readme;")
    assert error_of(inline(tmp_path, {"README.proto": proto})).startswith(
        "README.proto: the catalogue page of README.proto would be README.md"
    )


def test_unexpected_exception_becomes_a_bug_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = capture_request(tmp_path, EXAMPLES)

    def broken(*args: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(docs_plugin, "file_page", broken)
    error = error_of(request)
    assert error.startswith("this is a bug in protoc-gen-nexus-docs")
    assert "RuntimeError: boom" in error


def test_console_script_answers_anything_but_a_request_with_usage() -> None:
    result = subprocess.run(
        [str(BIN / "protoc-gen-nexus-docs")], input=b"\xff not a request", capture_output=True
    )
    assert result.returncode == 0
    response = plugin_pb2.CodeGeneratorResponse.FromString(result.stdout)
    assert response.error.startswith("protoc-gen-nexus-docs reads a CodeGeneratorRequest on stdin")


# Operations that outlive a request ------------------------------------------------


def test_asynchronous_updates_and_activities_are_shown_with_their_settings(
    tmp_path: Path,
) -> None:
    fixtures = REPO / "tests" / "fixtures" / "proto"
    request = capture_request(
        tmp_path,
        ["longrunning/v1/longrunning.proto"],
        include=[fixtures, option_include_dir()],
    )
    text = "\n".join(pages_of(request).values())
    assert "asynchronous update `apply` of workflow `LedgerWorkflow`" in text
    assert "answered once the workflow accepts it" in text
    assert (
        "activity: starts activity `ExportLedger` with ID `export-{ledger_id}`; "
        "start-to-close timeout `60s`; heartbeat timeout `20s`; retry policy: initial "
        "interval `1s`, backoff `1.5`, maximum interval `5s`, at most 5 attempts, not "
        "retrying `LedgerMissing`; the caller gets the activity's result"
    ) in unescape(text)
    assert (
        "activity: starts activity `CompactLedgers` with an ID made from the Nexus request ID "
        "on task queue `ledger-maintenance`"
    ) in unescape(text)
    for operation, kind in (("Apply", "async update"), ("Read", "update"), ("Export", "activity")):
        link = f"[`{operation}`](#longrunning.v1.LedgerService.{operation})"
        assert f"| {link} | {kind} |" in text, operation
