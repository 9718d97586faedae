"""Property-based tests: random contracts in, a located error or working Python out.

Hypothesis builds random `CodeGeneratorRequest`s directly in Python (no protoc
in the loop): files with and without a package, in dotted and keyword
directories, nested and recursive messages, fields, messages, services and
methods named after Python keywords, builtins, the names generated code uses
and the classes it generates, methods that differ only in case or by a `Start`
prefix, comments full of quotes, backslashes and control characters (and not
UTF-8), and the Nexus options as real extension bytes, with their own source
locations. Half the contracts are tame (hard names, nothing the plugin must
refuse); the other half have one kind of problem each (`PROBLEMS`).

For every request, `plugin.run` must either return an error that is not a bug
report and that starts with the file and `line:col` of the offending element,
or files that compile and behave. A model of the contract (`expect`) says
which of the two is due, and what the generated code must hold:

* `test_random_contracts`: every example, in-process. Generated modules are
  executed with stand-in `_pb2` modules; their service definitions, handler
  bases (bound by a subclass, workflow-run defaults run against a fake
  context) and both callers (driven against fake clients) must carry exactly
  the contract's names, types, options and docstrings.
* `test_random_contracts_import_with_real_messages`: fewer, tame examples, with
  `_pb2` modules from the real protoc (fed the request's descriptors) and the
  generated modules imported in a fresh interpreter.
* `test_random_contract_type_checks`: one tame example (ten when fuzzing)
  through `mypy --strict`.

Profiles: the default, `ci`, is bounded and repeatable (`make test`);
`HYPOTHESIS_PROFILE=fuzz` (`make fuzz`) runs FUZZ_EXAMPLES (3000) random
examples and keeps failures in `.venv/hypothesis/` to replay them first.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import json
import keyword
import os
import string
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import nexusproto
import nexusrpc
import temporalio.common
import temporalio.workflow
from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    message_factory,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf.compiler import plugin_pb2
from hypothesis import Phase, assume, given, note, settings
from hypothesis import strategies as st
from nexusannotations.v1 import options_pb2 as annotations_pb2
from nexusproto.v1 import options_pb2 as nexusproto_pb2
from nexusproto.validate_descriptors import validate_descriptor_set
from protoc_gen_nexus.python import naming
from protoc_gen_nexus.python.plugin import run
from protoc_gen_nexus.go import plugin as go_plugin

from support.profiles import FUZZ_EXAMPLES, examples
from support.protoc import BIN, run_protoc
from support.toolchains import require_go
from support.typecheck import PYTHON_TARGET

# Examples per test: (ci, fuzz), from support.profiles. The fuzz counts scale
# with FUZZ_EXAMPLES.
_FUZZ = FUZZ_EXAMPLES
_examples = examples


# The contract model -----------------------------------------------------------

WELL_KNOWN = {
    "google.protobuf.Empty": ("google/protobuf/empty.proto", empty_pb2.Empty),
    "google.protobuf.Timestamp": ("google/protobuf/timestamp.proto", timestamp_pb2.Timestamp),
    "google.protobuf.Duration": ("google/protobuf/duration.proto", duration_pb2.Duration),
    "google.protobuf.Any": ("google/protobuf/any.proto", any_pb2.Any),
    "google.protobuf.Struct": ("google/protobuf/struct.proto", struct_pb2.Struct),
    "google.protobuf.StringValue": ("google/protobuf/wrappers.proto", wrappers_pb2.StringValue),
}
EMPTY = "google.protobuf.Empty"  # travels as no payload: None in generated signatures
ANNOTATIONS_FILE = "nexusannotations/v1/options.proto"
NEXUSPROTO_FILE = "nexusproto/v1/options.proto"
VALIDATE_FILE = "buf/validate/validate.proto"

# Enum numbers of nexusproto.v1.IdReusePolicy / IdConflictPolicy and the
# temporalio members they stand for.
REUSE = {
    1: "ALLOW_DUPLICATE",
    2: "ALLOW_DUPLICATE_FAILED_ONLY",
    3: "REJECT_DUPLICATE",
    4: "TERMINATE_IF_RUNNING",
}
CONFLICT = {1: "FAIL", 2: "USE_EXISTING", 3: "TERMINATE_EXISTING"}

MAX_DURATION_SECONDS = 315_576_000_000  # google.protobuf.Duration's range


@dataclass
class FieldSpec:
    name: str
    kind: str  # "string", "int64", "bool", "repeated", or a message's full name
    rules: bool = False  # carries (buf.validate.field).string.min_len


@dataclass
class MessageSpec:
    name: str
    fields: list[FieldSpec] = field(default_factory=list)
    nested: list[MessageSpec] = field(default_factory=list)


@dataclass
class Duration:
    seconds: int
    nanos: int


@dataclass
class Annotation:
    name: str
    tags: list[str]


@dataclass
class WorkflowRunSpec:
    workflow_type: str
    id_template: str
    task_queue: str
    reuse: int
    conflict: int


@dataclass
class OperationOptions:
    workflow_run: WorkflowRunSpec | None
    timeout: Duration | None
    validate: bool | None
    location: bool  # SourceCodeInfo holds the option's own location


@dataclass
class ServiceOptions:
    default_endpoint: str
    timeout: Duration | None
    validate: bool | None
    location: bool  # SourceCodeInfo holds the option's own location


@dataclass
class MethodSpec:
    name: str
    input: str
    output: str
    client_streaming: bool
    server_streaming: bool
    comment: str | None
    annotation: Annotation | None
    options: OperationOptions | None


@dataclass
class ServiceSpec:
    name: str
    comment: str | None
    annotation: Annotation | None
    options: ServiceOptions | None
    methods: list[MethodSpec]


@dataclass
class FileSpec:
    name: str
    package: str
    messages: list[MessageSpec]
    services: list[ServiceSpec]
    dependencies: list[str]
    source_info: bool


@dataclass
class ParameterSpec:
    all_services: str | None = None
    include_service_tags: list[str] = field(default_factory=list)
    exclude_service_tags: list[str] = field(default_factory=list)
    include_operation_tags: list[str] = field(default_factory=list)
    exclude_operation_tags: list[str] = field(default_factory=list)
    module_prefix: str | None = None
    module_map: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        items = []
        if self.all_services is not None:
            items.append(f"all-services={self.all_services}")
        for key in (
            "include_service_tags",
            "exclude_service_tags",
            "include_operation_tags",
            "exclude_operation_tags",
        ):
            items += [f"{key.replace('_', '-')}={tag}" for tag in getattr(self, key)]
        if self.module_prefix is not None:
            items.append(f"module-prefix={self.module_prefix}")
        items += [f"module-map={source}={target}" for source, target in self.module_map]
        return ",".join(items)


@dataclass
class Case:
    files: list[FileSpec]  # user files, each after the files it imports
    to_generate: list[str]
    parameters: ParameterSpec


def _full(package: str, name: str) -> str:
    return f"{package}.{name}" if package else name


def _walk(messages: list[MessageSpec], prefix: str) -> Iterator[tuple[str, MessageSpec]]:
    """(qualname, message) of every message, nested ones included."""
    for message in messages:
        qualname = f"{prefix}.{message.name}" if prefix else message.name
        yield qualname, message
        yield from _walk(message.nested, qualname)


def _messages_of(file: FileSpec) -> Iterator[tuple[str, str, MessageSpec]]:
    """(full name, qualname, message) of every message of a file."""
    for qualname, message in _walk(file.messages, ""):
        yield _full(file.package, qualname), qualname, message


# Strategies -----------------------------------------------------------------

# fmt: off
SOFT_KEYWORDS = ["_", "case", "match", "type"]
BUILTINS = ["int", "str", "object", "type", "id", "list", "bytes", "print", "getattr", "len"]
# Parameters and locals of generated methods, and names generated code imports.
GENERATED_LOCALS = [
    "self", "ctx", "request", "client", "endpoint", "handle", "checked", "options", "summary",
    "headers", "schedule_to_close_timeout", "result_type", "task_queue", "typing_extensions",
    "Unpack",
]
MODULE_ALIASES = [
    "nexusrpc", "nexusproto", "abc", "datetime", "workflow", "nexus", "common",
    "temporalio_client", "collections_abc", "empty_pb2", "timestamp_pb2", "temporalio",
]
HOSTILE_IDENTIFIERS = (
    list(keyword.kwlist) + SOFT_KEYWORDS + BUILTINS + GENERATED_LOCALS + MODULE_ALIASES
)
# Names the plugin must refuse: no Python name left after the leading `_`s.
UNUSABLE_METHOD_NAMES = ["_", "__", "_1Go", "__2"]
# Names of generated classes, and names that differ only in case.
SERVICE_NAMES = [
    "PaymentService", "PaymentServiceHandler", "PaymentServiceNexusClient",
    "PaymentServiceStandaloneClient", "Foo", "foo", "FOO", "FooHandler", "FooNexusClient",
    "FooStandaloneClient", "ServiceHandler", "Operation", "self_", "client_",
]
# StartX beside X, snake and Camel spellings, names of what generated code imports.
METHOD_NAMES = [
    "ProcessPayment", "StartProcessPayment", "process_payment", "processPayment",
    "start_process_payment", "GetItem", "getItem", "get_item", "GETITEM", "GetHTTPStatus",
    "Get_HTTP_Status", "Get2FA", "Start", "start", "X", "x", "__init__", "_Private", "__Go",
    "Nexusrpc", "Nexusproto", "Abc", "Datetime", "Workflow", "Nexus", "Common", "Str", "Int",
    "Id", "Self", "Request", "Client", "Handle", "Ctx", "Options", "EmptyPb2", "TimestampPb2",
    "TemporalioClient", "CollectionsAbc", "TypingExtensions", "Temporalio", "Class", "None",
    "True", "Match", "Type", "Init",
]
MESSAGE_NAMES = ["Order", "Receipt", "Req", "Resp", "Item", "Empty", "Timestamp", "Message"]
FIELD_NAMES = ["id", "customer_id", "amount", "note", "Id", "ID"]
# A comment character that request_of turns into bytes that are not UTF-8, as a
# .proto file saved in Latin-1 has them: protoc passes comments on unchecked.
NOT_UTF8_MARKER = "\U0010fffe"
NOT_UTF8 = b"caf\xe9"  # as long as the marker's UTF-8
# Text that is hard to put in a docstring or a string literal.
PIECES = [
    '"""', '"', "'", "'''", "\\", "\\\\", "\t", "\n", "\r\n", "\r", " ", "  ", "\x00",
    "\x07", "\x1b", "\x7f", "\x85", "\xa0", "\u2028", "\u200b", "\ufeff", "é", "日本語",
    "\U0001f600", "\U000e0001", "\U000f0000", "\U0010fffd", "{", "}", "\\N{BULLET}", "\\u0041",
    "\\x41", "#", "x" * 120, "    indented", "\f", "\v", "'''\"\"\"", '\\"', "*/", "//", '""""',
]
TAGS = ["public", "internal", "a", "b"]
WELL_KNOWN_NAMES = sorted(WELL_KNOWN)
FILE_DIRS = [
    "", "shop/v1/", "acme/payments/v1/", "orders/", "my-dir/", "shop/v2/", "dotted.dir/",
    "match/type/",
]
# Directories whose `_pb2` modules Python cannot import by name.
UNIMPORTABLE_DIRS = ["class/v1/", "async/", "None/", "1up/"]
FILE_STEMS = [
    "shop", "payments", "orders", "my-file", "orders_v1", "common", "x", "dotted.name", "class",
    "match", "abc",
]
PACKAGES = ["", "shop.v1", "payments.v1", "acme", "class.v1", "match.type", "None", "a.b.c"]
TOP_LEVEL_MAPPABLE = ["shop", "acme", "orders", "my_dir", "class", "None"]
ENDPOINTS = ["payments", "a", "a-b-c", "A1"]
BAD_ENDPOINTS = ["a-", "-a", "1a", " payments", "payments\n", "a\n", "pay_ments", "päy"]
# fmt: on

identifiers = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,10}\Z")
hostile_identifiers = st.sampled_from(HOSTILE_IDENTIFIERS)
accepted_hostile_identifiers = st.sampled_from(
    [n for n in HOSTILE_IDENTIFIERS if not keyword.iskeyword(n) and n != "_"]
)
texts = st.text(st.characters(codec="utf-8", exclude_characters=[NOT_UTF8_MARKER]), max_size=12)
pieces = st.lists(st.one_of(st.sampled_from(PIECES), texts), max_size=6).map("".join)
comments = st.lists(st.one_of(st.sampled_from([*PIECES, NOT_UTF8_MARKER]), texts), max_size=6).map(
    "".join
)
hostile_text = st.one_of(texts, pieces, hostile_identifiers, st.sampled_from(SERVICE_NAMES))


# Kinds of problems a contract can have. A hostile contract has one kind, so
# that one problem does not hide another and each gets its turn.
PROBLEMS = [
    "names",
    "streaming",
    "durations",
    "templates",
    "workflow_type",
    "policies",
    "endpoints",
    "operation_names",
    "directories",
    "parameters",
]


class _Dice:
    """Weighted choices that shrink towards "no": plain ones, and problems.

    A problem makes the contract (likely) wrong; a tame contract (`problem` None)
    has none, only names that are hard on Python, so its code gets generated.
    """

    def __init__(self, draw: st.DrawFn, problem: str | None) -> None:
        self.draw = draw
        self.problem = problem
        self.tame = problem is None

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def hostile(self, problem: str, percent: int) -> bool:
        assert problem in PROBLEMS
        return problem == self.problem and self.chance(percent)


def _unique(name: str, taken: set[str], scope: str = "") -> str:
    while _full(scope, name) in taken:
        name += "X"
    taken.add(_full(scope, name))
    return name


def _identifier(dice: _Dice, pool: list[str], hostile: int = 30, refused: bool = False) -> str:
    """A proto identifier: from `pool`, random, or (chance `hostile`) a name Python minds.

    With `refused` (names the plugin refuses: keyword messages, `_` methods), a
    keyword or `_` only in contracts whose problem is their names.
    """
    if dice.chance(hostile):
        names = hostile_identifiers
        if refused and dice.problem != "names":
            names = accepted_hostile_identifiers
        return dice.draw(st.one_of(names, st.sampled_from(pool)))
    return dice.draw(st.one_of(st.sampled_from(pool), identifiers))


def _method_names(dice: _Dice) -> list[str]:
    """Method names of one service, with Start/case/snake variants of one another."""
    names: list[str] = []
    for _ in range(dice.draw(st.integers(1, 4))):
        if names and dice.hostile("names", 60):
            base = dice.draw(st.sampled_from(names))
            variant = dice.draw(
                st.sampled_from(
                    ["trailing_", "Start", "start_", "lower", "upper", "swap", "snake", "Class"]
                )
            )
            name = {
                "Start": "Start" + base,
                "start_": "start_" + base,
                "lower": base.lower(),
                "upper": base.upper(),
                "swap": base.swapcase(),
                "snake": naming.snake_case(base),
                # Distinct methods (`foo`, `foo_`) whose timeout constants are not.
                "trailing_": base + "_",
                # A keyword's renaming (`class_`) against a trailing `_` of its own.
                "Class": "Class" if base != "Class" else "Class_",
            }[variant]
        elif dice.hostile("names", 10):
            name = dice.draw(st.sampled_from(UNUSABLE_METHOD_NAMES))
        else:
            name = _identifier(dice, METHOD_NAMES, hostile=20, refused=True)
        if name not in names:
            names.append(name)
    return names


def _duration(dice: _Dice) -> Duration:
    if dice.hostile("durations", 40):
        return Duration(
            dice.draw(
                st.sampled_from(
                    [
                        0,
                        1,
                        60,
                        MAX_DURATION_SECONDS,
                        MAX_DURATION_SECONDS + 1,
                        10**13,
                        2**63 - 1,
                        -1,
                    ]
                )
            ),
            dice.draw(st.sampled_from([0, 1, 500, 999, 1000, 999_999_999, 10**9, 2**31 - 1, -1])),
        )
    return Duration(
        dice.draw(st.integers(1, 100_000)),
        dice.draw(st.sampled_from([0, 0, 1000, 500_000_000, 999_999_999])),
    )


def _template(dice: _Dice, fields: list[str]) -> str:
    parts = []
    for _ in range(dice.draw(st.integers(0, 4))):
        if fields and dice.chance(50):
            parts.append("{" + dice.draw(st.sampled_from(fields)) + "}")
        elif not dice.hostile("templates", 30):
            parts.append(
                dice.draw(
                    st.one_of(
                        st.sampled_from(["-", "order-", "{{", "}}", "\\", '"', "{{x}}"]),
                        texts.map(lambda s: s.replace("{", "{{").replace("}", "}}")),
                    )
                )
            )
        else:
            parts.append(
                dice.draw(
                    st.sampled_from(
                        [
                            "{missing}",
                            "{",
                            "}",
                            "{}",
                            "{0}",
                            "{a.b}",
                            "{a[0]}",
                            "{x!r}",
                            "{x:>4}",
                            "{x:}",
                            "{x!}",
                        ]
                    ).map(lambda s, f=fields: s.replace("x", f[0]) if f else s)
                )
            )
    return "".join(parts)


OPTION_PROBLEMS = ("durations", "templates", "workflow_type", "policies")


def _operation_options(dice: _Dice, input_fields: list[str]) -> OperationOptions:
    workflow_run = None
    if dice.chance(70) or dice.problem in OPTION_PROBLEMS[1:]:
        workflow_type = "Wf"
        if dice.hostile("workflow_type", 30):
            workflow_type = dice.draw(st.one_of(st.sampled_from(["", " Wf", "Wf\n"]), hostile_text))
        elif dice.chance(30):
            workflow_type = dice.draw(texts.map(lambda text: text.strip() or "Wf"))

        def policy(known: list[int], unknown: list[int]) -> int:
            if dice.hostile("policies", 20):
                return dice.draw(st.sampled_from(unknown))
            return dice.draw(st.sampled_from(known)) if dice.chance(50) else 0

        workflow_run = WorkflowRunSpec(
            workflow_type,
            _template(dice, input_fields) if dice.chance(70) else "",
            dice.draw(st.one_of(st.just(""), st.just("queue"), hostile_text)),
            policy(list(REUSE), [5, -1, 1000]),
            policy(list(CONFLICT), [4, 99, -2]),
        )
    return OperationOptions(
        workflow_run,
        _duration(dice) if dice.chance(30) or dice.problem == "durations" else None,
        dice.draw(st.sampled_from([None, True, False])),
        not dice.chance(15),
    )


def _annotation(dice: _Dice) -> Annotation:
    name = ""
    if dice.chance(40):
        if dice.hostile("operation_names", 30):
            name = dice.draw(hostile_text)
        else:
            name = dice.draw(
                st.one_of(
                    st.sampled_from(["buy", "Buy", "orders", "x-y", "svc/v1", "op.name"]),
                    hostile_text.map(str.strip),
                )
            )
    return Annotation(name, dice.draw(st.lists(st.sampled_from(TAGS), max_size=2)))


def _comment(dice: _Dice) -> str | None:
    if not dice.chance(60):
        return None
    return dice.draw(comments) if dice.chance(70) else dice.draw(texts)


@st.composite
def cases(draw: st.DrawFn, tame: bool = False) -> Case:
    # Half the contracts are tame: names still hard on Python, but nothing that
    # makes the plugin refuse the contract, so generated code gets tested.
    problem = None if tame or not draw(st.booleans()) else draw(st.sampled_from(PROBLEMS))
    dice = _Dice(draw, problem)
    taken: set[str] = set()  # full names of packages and symbols
    packages: set[str] = set()
    all_messages: dict[str, list[str]] = {}  # full name -> field names
    files: list[FileSpec] = []
    paths: set[str] = set()

    def file_name() -> str:
        directory = draw(
            st.sampled_from(UNIMPORTABLE_DIRS if dice.hostile("directories", 40) else FILE_DIRS)
        )
        name = directory + draw(st.sampled_from(FILE_STEMS)) + ".proto"
        # Files whose Python modules would clash (my-file / my_file) are not generated.
        while naming.pb2_module(name) in {naming.pb2_module(p) for p in paths}:
            name = name[: -len(".proto")] + "2.proto"
        paths.add(name)
        return name

    def package() -> str:
        pkg = draw(st.sampled_from(PACKAGES))
        parts = pkg.split(".") if pkg else []
        for index in range(len(parts)):
            prefix = ".".join(parts[: index + 1])
            if prefix in taken and prefix not in packages:
                return ""
            packages.add(prefix)
            taken.add(prefix)
        return pkg

    def messages(pkg: str, scope: str, depth: int, count: int) -> list[MessageSpec]:
        result = []
        for _ in range(count):
            name = _unique(
                _identifier(dice, MESSAGE_NAMES, hostile=10),
                taken,
                _full(pkg, scope) if scope else pkg,
            )
            qualname = f"{scope}.{name}" if scope else name
            message = MessageSpec(name)
            if depth < 2 and dice.chance(20):
                message.nested = messages(pkg, qualname, depth + 1, draw(st.integers(1, 2)))
            result.append(message)
        return result

    def add_fields(pkg: str, specs: list[MessageSpec], known: list[str]) -> None:
        for qualname, message in _walk(specs, ""):
            seen = {nested.name for nested in message.nested}
            folded = set()
            for _ in range(draw(st.integers(0, 4))):
                name = _identifier(dice, FIELD_NAMES, hostile=40)
                if name in seen or name.replace("_", "").lower() in folded:
                    continue
                seen.add(name)
                folded.add(name.replace("_", "").lower())
                kind = draw(
                    st.sampled_from(["string", "string", "int64", "bool", "repeated", "message"])
                )
                if kind == "message" or dice.chance(15):  # maybe itself, or a cycle
                    kind = draw(st.sampled_from(known + ["google.protobuf.Timestamp"]))
                message.fields.append(FieldSpec(name, kind, kind == "string" and dice.chance(20)))
            all_messages[_full(pkg, qualname)] = [f.name for f in message.fields]

    def recursive_messages(pkg: str) -> list[MessageSpec]:
        """Messages that hold one another in a ring, one of them also a message with rules."""
        ring = [
            MessageSpec(_unique(f"Node{i}", taken, pkg)) for i in range(draw(st.integers(1, 3)))
        ]
        ruled = MessageSpec(_unique("Ruled", taken, pkg), [FieldSpec("value", "string", True)])
        for index, message in enumerate(ring):
            message.fields.append(FieldSpec("next", _full(pkg, ring[(index + 1) % len(ring)].name)))
        holder = draw(st.sampled_from(ring))
        holder.fields.insert(draw(st.integers(0, 1)), FieldSpec("ruled", _full(pkg, ruled.name)))
        for message in [*ring, ruled]:
            all_messages[_full(pkg, message.name)] = [f.name for f in message.fields]
        return [*ring, ruled]

    # An optional file of shared messages, then one or two files with services.
    common: FileSpec | None = None
    if dice.chance(40):
        pkg = package()
        common = FileSpec(file_name(), pkg, [], [], [], source_info=True)
        common.messages = messages(pkg, "", 0, draw(st.integers(1, 2)))
        add_fields(pkg, common.messages, [full for full, _, _ in _messages_of(common)])
        files.append(common)

    for _ in range(draw(st.integers(1, 2))):
        pkg = package()
        # Without source info (buf images can lack it) errors have no line numbers.
        spec = FileSpec(
            file_name(),
            pkg,
            [],
            [],
            [],
            source_info=not dice.chance(40 if dice.problem == "names" else 15),
        )
        spec.messages = messages(pkg, "", 0, draw(st.integers(0, 3)))
        if dice.chance(15):
            spec.messages += recursive_messages(pkg)
        local = [full for full, _, _ in _messages_of(spec)]
        shared = [full for full, _, _ in _messages_of(common)] if common else []
        add_fields(pkg, spec.messages, local + shared)
        types_ = local + shared
        for _ in range(0 if dice.chance(10) else draw(st.integers(1, 3))):
            service_name = _unique(_identifier(dice, SERVICE_NAMES), taken, pkg)
            methods = []
            for method_name in _method_names(dice):
                input_type, output_type = (
                    draw(st.sampled_from(types_))
                    if types_ and not dice.chance(25)
                    else draw(st.sampled_from(WELL_KNOWN_NAMES))
                    for _ in range(2)
                )
                methods.append(
                    MethodSpec(
                        method_name,
                        input_type,
                        output_type,
                        dice.hostile("streaming", 10),
                        dice.hostile("streaming", 10),
                        _comment(dice),
                        _annotation(dice) if dice.chance(50) else None,
                        _operation_options(dice, all_messages.get(input_type, []))
                        if dice.chance(40) or dice.problem in OPTION_PROBLEMS
                        else None,
                    )
                )
            service_options = None
            # Names-problem contracts often get a default timeout: its class constant
            # is one more generated name that can collide (`Foo`/`Foo_`).
            if dice.chance(30) or dice.problem in ("endpoints", "durations", "names"):
                if dice.hostile("endpoints", 50):
                    endpoint = (
                        draw(st.sampled_from(BAD_ENDPOINTS))
                        if dice.chance(70)
                        else draw(hostile_text)
                    )
                else:
                    endpoint = draw(st.sampled_from(["", *ENDPOINTS]))
                service_options = ServiceOptions(
                    endpoint,
                    _duration(dice)
                    if dice.chance(40) or dice.problem in ("durations", "names")
                    else None,
                    draw(st.sampled_from([None, True, False])),
                    not dice.chance(15),
                )
            spec.services.append(
                ServiceSpec(
                    service_name,
                    _comment(dice),
                    _annotation(dice) if dice.chance(70) else None,
                    service_options,
                    methods,
                )
            )
        files.append(spec)

    for spec in files:
        deps = [ANNOTATIONS_FILE, NEXUSPROTO_FILE]
        if common is not None and spec is not common:
            deps.append(common.name)
        used = {m.input for s in spec.services for m in s.methods}
        used |= {m.output for s in spec.services for m in s.methods}
        used |= {f.kind for _, _, msg in _messages_of(spec) for f in msg.fields}
        deps += sorted({WELL_KNOWN[t][0] for t in used if t in WELL_KNOWN})
        if any(f.rules for _, _, msg in _messages_of(spec) for f in msg.fields):
            deps.append(VALIDATE_FILE)
        spec.dependencies = deps

    to_generate = [f.name for f in files if f is not common]
    if common is not None and dice.chance(30):
        to_generate.insert(0, common.name)

    parameters = ParameterSpec()
    if dice.chance(20):
        parameters.all_services = draw(st.sampled_from(["true", "false"]))
    elif dice.hostile("parameters", 20):
        parameters.all_services = "yes"
    if dice.chance(25):
        for key in (
            "include_service_tags",
            "exclude_service_tags",
            "include_operation_tags",
            "exclude_operation_tags",
        ):
            setattr(parameters, key, draw(st.lists(st.sampled_from(TAGS), max_size=2)))
    if dice.chance(15):
        parameters.module_prefix = draw(st.sampled_from(["gen", "acme.protos", "_gen", "match"]))
    elif dice.hostile("parameters", 20):
        parameters.module_prefix = draw(st.sampled_from(["class", "my-gen", "x.None"]))
    if dice.chance(15):
        parameters.module_map = [
            (
                draw(st.sampled_from(TOP_LEVEL_MAPPABLE)),
                draw(st.sampled_from(["mapped", "mapped.deep"])),
            )
        ]
    elif dice.hostile("parameters", 20):
        parameters.module_map = [(draw(st.sampled_from(TOP_LEVEL_MAPPABLE)), "async.x")]
    return Case(files, to_generate, parameters)


# From the model to a CodeGeneratorRequest ----------------------------------


def _library_files() -> dict[str, descriptor_pb2.FileDescriptorProto]:
    files: dict[str, descriptor_pb2.FileDescriptorProto] = {}
    for file in validate_descriptor_set().file:
        files[file.name] = file
    for module in (
        empty_pb2,
        timestamp_pb2,
        duration_pb2,
        any_pb2,
        struct_pb2,
        wrappers_pb2,
        annotations_pb2,
        nexusproto_pb2,
    ):
        files.setdefault(
            module.DESCRIPTOR.name,
            descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb),
        )
    return files


LIBRARY_FILES = _library_files()


def _library_order() -> list[str]:
    ordered: list[str] = []

    def add(name: str) -> None:
        if name in ordered:
            return
        for dependency in LIBRARY_FILES[name].dependency:
            add(dependency)
        ordered.append(name)

    for name in sorted(LIBRARY_FILES):
        add(name)
    return ordered


LIBRARY_ORDER = _library_order()


def _field_rules_bytes() -> bytes:
    """FieldOptions with `(buf.validate.field).string.min_len = 1`, as bytes.

    No `_pb2` module of validate.proto is installed, so the extension is set
    through a pool built from the descriptors protovalidate ships.
    """
    pool = descriptor_pool.DescriptorPool()
    for file in validate_descriptor_set().file:
        pool.Add(file)
    options_class = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("google.protobuf.FieldOptions")
    )
    options = options_class()
    options.Extensions[pool.FindExtensionByName("buf.validate.field")].string.min_len = 1
    return options.SerializeToString()


FIELD_RULES = _field_rules_bytes()
SCALARS = {
    "string": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
    "int64": descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    "bool": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
    "repeated": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
}


def _set_duration(target: Any, value: Duration) -> None:
    target.SetInParent()
    target.seconds = value.seconds
    target.nanos = value.nanos


def service_line(index: int) -> int:
    return 100 * (index + 1)


def method_line(service: int, method: int) -> int:
    return service_line(service) + 10 * (method + 1)


def _message_proto(message: MessageSpec, out: descriptor_pb2.DescriptorProto) -> None:
    out.name = message.name
    for number, spec in enumerate(message.fields, start=1):
        proto_field = out.field.add(name=spec.name, number=number)
        proto_field.label = (
            descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
            if spec.kind == "repeated"
            else descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
        )
        if spec.kind in SCALARS:
            proto_field.type = SCALARS[spec.kind]
        else:
            proto_field.type = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
            proto_field.type_name = "." + spec.kind
        proto_field.json_name = _json_name(spec.name)
        if spec.rules:
            proto_field.options.MergeFromString(FIELD_RULES)
    for nested in message.nested:
        _message_proto(nested, out.nested_type.add())


def _json_name(name: str) -> str:
    out, upper = "", False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out, upper = out + ch.upper(), False
        else:
            out += ch
    return out


def file_proto(spec: FileSpec) -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name=spec.name, syntax="proto3")
    if spec.package:
        file.package = spec.package
    file.dependency.extend(spec.dependencies)
    for message in spec.messages:
        _message_proto(message, file.message_type.add())
    info = file.source_code_info

    def locate(path: list[int], line: int, column: int, comment: str | None = None) -> None:
        location = info.location.add(path=path, span=[line, column, line, column + 10])
        if comment is not None:
            location.leading_comments = comment

    for s_index, service in enumerate(spec.services):
        proto_service = file.service.add(name=service.name)
        locate([6, s_index], service_line(s_index), 0, service.comment)
        if service.annotation is not None:
            ext = proto_service.options.Extensions[annotations_pb2.service]
            ext.SetInParent()
            ext.name = service.annotation.name
            ext.tags.extend(service.annotation.tags)
        if service.options is not None:
            ours = proto_service.options.Extensions[nexusproto_pb2.service]
            ours.SetInParent()
            ours.default_endpoint = service.options.default_endpoint
            if service.options.timeout is not None:
                _set_duration(ours.default_schedule_to_close_timeout, service.options.timeout)
            if service.options.validate is not None:
                ours.validate = service.options.validate
            if service.options.location:
                locate([6, s_index, 3, 8245], service_line(s_index) + 5, 2)
        for m_index, method in enumerate(service.methods):
            proto_method = proto_service.method.add(
                name=method.name,
                input_type="." + method.input,
                output_type="." + method.output,
            )
            if method.client_streaming:
                proto_method.client_streaming = True
            if method.server_streaming:
                proto_method.server_streaming = True
            path = [6, s_index, 2, m_index]
            locate(path, method_line(s_index, m_index), 2, method.comment)
            if method.annotation is not None:
                ext = proto_method.options.Extensions[annotations_pb2.operation]
                ext.SetInParent()
                ext.name = method.annotation.name
                ext.tags.extend(method.annotation.tags)
            if method.options is not None:
                ours_op = proto_method.options.Extensions[nexusproto_pb2.operation]
                ours_op.SetInParent()
                run_spec = method.options.workflow_run
                if run_spec is not None:
                    wr = ours_op.workflow_run
                    wr.SetInParent()
                    wr.workflow_type = run_spec.workflow_type
                    wr.id_template = run_spec.id_template
                    wr.task_queue = run_spec.task_queue
                    wr.id_reuse_policy = run_spec.reuse  # type: ignore[assignment]
                    wr.id_conflict_policy = run_spec.conflict  # type: ignore[assignment]
                if method.options.timeout is not None:
                    _set_duration(ours_op.schedule_to_close_timeout, method.options.timeout)
                if method.options.validate is not None:
                    ours_op.validate = method.options.validate
                if method.options.location:
                    locate(path + [4, 8246], method_line(s_index, m_index) + 5, 4)
    if not spec.source_info:
        file.ClearField("source_code_info")
    return file


def request_of(case: Case) -> plugin_pb2.CodeGeneratorRequest:
    request = plugin_pb2.CodeGeneratorRequest(parameter=case.parameters.text())
    request.file_to_generate.extend(case.to_generate)
    for name in LIBRARY_ORDER:
        request.proto_file.append(LIBRARY_FILES[name])
    for spec in case.files:
        request.proto_file.append(file_proto(spec))
    request.compiler_version.major = 36
    data = request.SerializeToString()
    marker = NOT_UTF8_MARKER.encode()
    assert len(marker) == len(NOT_UTF8)
    if marker in data:
        request = plugin_pb2.CodeGeneratorRequest.FromString(data.replace(marker, NOT_UTF8))
    return request


def _is_valid_descriptor_set(request: plugin_pb2.CodeGeneratorRequest) -> bool:
    """The request holds files protoc could have sent (names resolve, no duplicates)."""
    pool = descriptor_pool.DescriptorPool()
    try:
        for file in request.proto_file:
            pool.Add(file)
    except Exception as error:  # noqa: BLE001 - any rejection means "not a valid input"
        note(f"descriptor pool rejects the request: {error}")
        return False
    return True


# The model's expectations --------------------------------------------------


@dataclass
class ExpectedOperation:
    attribute: str
    name: str
    method_name: str
    input: str
    output: str
    comment: str
    workflow_run: WorkflowRunSpec | None
    timeout: timedelta | None
    validate_request: bool
    validate_response: bool
    input_fields: list[str]
    line: int


@dataclass
class ExpectedService:
    class_name: str
    name: str
    comment: str
    default_endpoint: str
    operations: list[ExpectedOperation]


@dataclass
class ExpectedError:
    file: str
    line: int  # 0: no location known
    column: int
    text: str


@dataclass
class Expected:
    errors: list[ExpectedError]
    parameter_error: str = ""
    files: dict[str, list[ExpectedService]] = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)  # proto file -> Python module
    contracts: dict[str, list[str]] = field(default_factory=dict)  # output path -> Protocol classes


def _doc(text: str | None) -> str:
    text = (text or "").replace(NOT_UTF8_MARKER, NOT_UTF8.decode(errors="replace"))
    return textwrap.dedent(text).strip()


def _importable(module: str) -> bool:
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in module.split("."))


def _expected_module(proto_name: str, parameters: ParameterSpec) -> str:
    stem = proto_name[: -len(".proto")].replace("-", "_")
    module = stem.replace("/", ".") + "_pb2"
    best = None
    for source, target in parameters.module_map:
        if (module == source or module.startswith(source + ".")) and (
            best is None or len(source) > len(best[0])
        ):
            best = (source, target)
    if best is not None:
        return best[1] + module[len(best[0]) :]
    if parameters.module_prefix and not module.startswith("google.protobuf."):
        return f"{parameters.module_prefix}.{module}"
    return module


def nexus_testing_path(nexus_path: str) -> str:
    return nexus_path.removesuffix("_nexus.py") + "_nexus_testing.py"


def expected_output_path(proto_name: str) -> str:
    """Beside the `_pb2.py` protoc's Python generator writes for the same file."""
    stem = proto_name[: -len(".proto")].replace("-", "_")
    return stem.replace(".", "/") + "_nexus.py"


def _parameter_error(parameters: ParameterSpec) -> str:
    if parameters.all_services not in (None, "true", "false"):
        return "all-services must be true or false"
    for value in [parameters.module_prefix] + [t for _, t in parameters.module_map]:
        if value is not None and not _importable(value):
            return "module"
    return ""


def _timeout(
    value: Duration, where: ExpectedError, errors: list[ExpectedError]
) -> timedelta | None:
    if (
        value.seconds < 0
        or value.nanos < 0
        or (value.seconds == 0 and value.nanos == 0)
        or value.seconds > MAX_DURATION_SECONDS
        or value.nanos > 999_999_999
        or (value.seconds == 0 and value.nanos < 1000)
    ):
        errors.append(where)
        return None
    return timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def _is_endpoint_name(name: str) -> bool:
    """Letters, digits and '-', starting with a letter and not ending with '-'."""
    return (
        name.isascii()
        and name[0].isalpha()
        and name[-1] != "-"
        and all(ch.isalnum() or ch == "-" for ch in name)
    )


def _template_error(template: str, fields: list[str]) -> str:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return "is not a valid template"
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            return "without a conversion or format spec"
        if name not in fields:
            return "names field"
    return ""


def _selected(tags: list[str], include: list[str], exclude: list[str]) -> bool:
    return (not include or bool(set(include) & set(tags))) and not set(exclude) & set(tags)


def expect(case: Case) -> Expected:
    parameters = case.parameters
    parameter_error = _parameter_error(parameters)
    if parameter_error:
        return Expected([], parameter_error=parameter_error)
    expected = Expected([])
    messages: dict[str, tuple[str, str, list[str], MessageSpec]] = {}
    for spec in case.files:
        expected.modules[spec.name] = _expected_module(spec.name, parameters)
        for full, qualname, message in _messages_of(spec):
            messages[full] = (
                expected.modules[spec.name],
                qualname,
                [f.name for f in message.fields],
                message,
            )
    for full, (proto, _) in WELL_KNOWN.items():
        messages[full] = (_expected_module(proto, parameters), full.rsplit(".", 1)[1], [], None)  # type: ignore[assignment]

    def has_rules(full: str) -> bool:
        seen: set[str] = set()
        stack = [full]
        while stack:
            name = stack.pop()
            if name in seen or messages.get(name, (0, 0, 0, None))[3] is None:
                continue
            seen.add(name)
            message = messages[name][3]
            if any(f.rules for f in message.fields):
                return True
            stack += [f.kind for f in message.fields]
        return False

    by_name = {spec.name: spec for spec in case.files}
    all_services = parameters.all_services == "true"
    errors = expected.errors
    for proto_name in case.to_generate:
        spec = by_name[proto_name]
        with_lines = spec.source_info

        def at(
            line: int, column: int, text: str, f: str = spec.name, ok: bool = with_lines
        ) -> ExpectedError:
            return ExpectedError(f, line + 1 if ok else 0, column + 1 if ok else 0, text)

        services: list[tuple[int, ExpectedService]] = []
        for s_index, service in enumerate(spec.services):
            is_nexus = (
                all_services
                or service.annotation is not None
                or service.options is not None
                or any(m.annotation is not None or m.options is not None for m in service.methods)
            )
            if not is_nexus:
                continue
            tags = service.annotation.tags if service.annotation else []
            if not _selected(
                tags, parameters.include_service_tags, parameters.exclude_service_tags
            ):
                continue
            s_line = service_line(s_index)
            full_name = _full(spec.package, service.name)
            name = (
                service.annotation.name
                if service.annotation and service.annotation.name
                else full_name
            )
            if not name or name != name.strip():
                errors.append(at(s_line, 0, "is empty or has surrounding whitespace"))
            validate_service = True
            default_timeout = None
            endpoint = ""
            if service.options is not None:
                endpoint = service.options.default_endpoint
                o_ok = with_lines and service.options.location
                if endpoint and not _is_endpoint_name(endpoint):
                    errors.append(at(s_line + 5, 2, "is not a Nexus endpoint name", ok=o_ok))
                if service.options.timeout is not None:
                    default_timeout = _timeout(
                        service.options.timeout,
                        at(s_line + 5, 2, "default_schedule_to_close_timeout", ok=o_ok),
                        errors,
                    )
                if service.options.validate is not None:
                    validate_service = service.options.validate
            operations: list[ExpectedOperation] = []
            for m_index, method in enumerate(service.methods):
                m_line = method_line(s_index, m_index)
                m_tags = method.annotation.tags if method.annotation else []
                if not _selected(
                    m_tags, parameters.include_operation_tags, parameters.exclude_operation_tags
                ):
                    continue
                if method.client_streaming or method.server_streaming:
                    errors.append(at(m_line, 2, "is a streaming method"))
                op_name = (
                    method.annotation.name
                    if method.annotation and method.annotation.name
                    else method.name
                )
                if not op_name or op_name != op_name.strip():
                    errors.append(at(m_line, 2, "is empty or has surrounding whitespace"))
                attribute = naming.safe_identifier(naming.snake_case(method.name).lstrip("_"))
                if not attribute.isidentifier():
                    errors.append(at(m_line, 2, "gives no usable Python name"))
                for type_name in (method.input, method.output):
                    module, qualname, _, _ = messages[type_name]
                    if not _importable(module):
                        errors.append(at(m_line, 2, "cannot import"))
                timeout = None
                validate = validate_service
                run_spec = None
                if method.options is not None:
                    o_line, o_col, o_ok = m_line + 5, 4, with_lines and method.options.location
                    run_spec = method.options.workflow_run
                    if run_spec is not None:
                        if (
                            not run_spec.workflow_type
                            or run_spec.workflow_type != run_spec.workflow_type.strip()
                        ):
                            errors.append(at(o_line, o_col, "needs workflow_type", ok=o_ok))
                        template_error = _template_error(
                            run_spec.id_template, messages[method.input][2]
                        )
                        if run_spec.id_template and template_error:
                            errors.append(at(o_line, o_col, template_error, ok=o_ok))
                        if run_spec.reuse and run_spec.reuse not in REUSE:
                            errors.append(at(o_line, o_col, "id_reuse_policy", ok=o_ok))
                        if run_spec.conflict and run_spec.conflict not in CONFLICT:
                            errors.append(at(o_line, o_col, "id_conflict_policy", ok=o_ok))
                    if method.options.timeout is not None:
                        timeout = _timeout(
                            method.options.timeout,
                            at(o_line, o_col, "schedule_to_close_timeout", ok=o_ok),
                            errors,
                        )
                    if method.options.validate is not None:
                        validate = method.options.validate
                operations.append(
                    ExpectedOperation(
                        attribute=attribute,
                        name=op_name,
                        method_name=method.name,
                        input=method.input,
                        output=method.output,
                        comment=_doc(method.comment) if with_lines else "",
                        workflow_run=run_spec,
                        timeout=timeout or default_timeout,
                        validate_request=validate and has_rules(method.input),
                        validate_response=validate and has_rules(method.output),
                        input_fields=messages[method.input][2],
                        line=m_line,
                    )
                )
            if not operations:
                continue
            wire: dict[str, int] = {}
            python: dict[str, int] = {}
            for index, operation in enumerate(operations):
                line = operation.line
                if operation.name in wire:
                    errors.append(at(line, 2, "both have the Nexus operation name"))
                wire[operation.name] = index
                client_names = {operation.attribute, f"start_{operation.attribute}"}
                if operation.timeout is not None:
                    # The callers' class constant; a renamed keyword's `_` goes.
                    client_names.add(operation.attribute.upper().rstrip("_") + "_TIMEOUT")
                for python_name in client_names:
                    if python.get(python_name, index) != index:
                        errors.append(at(line, 2, "both generate the Python name"))
                    python[python_name] = index
            services.append(
                (
                    s_line,
                    ExpectedService(
                        class_name=naming.class_identifier(service.name),
                        name=name,
                        comment=_doc(service.comment) if with_lines else "",
                        default_endpoint=endpoint,
                        operations=operations,
                    ),
                )
            )
        # A message named with a keyword is referred to by a module-level alias
        # (`class` -> `ClassMessage`); it shares the module with the classes.
        aliases: dict[str, str] = {}
        for _, expected_service in services:
            for operation in expected_service.operations:
                for type_name in (operation.input, operation.output):
                    parts = messages[type_name][1].split(".")
                    if not any(keyword.iskeyword(part) for part in parts):
                        continue
                    alias = "".join(part[:1].upper() + part[1:] for part in parts) + "Message"
                    if aliases.setdefault(alias, type_name) != type_name:
                        errors.append(at(operation.line, 2, "both generate the Python name"))
        classes: set[str] = set()
        for s_line, expected_service in services:
            for suffix in ("", "Handler", "NexusClient", "StandaloneClient"):
                name = expected_service.class_name + suffix
                if name in aliases:
                    errors.append(at(s_line, 0, "the name generated code gives message"))
                if name in classes:
                    errors.append(at(s_line, 0, "both generate the Python class"))
                classes.add(name)
        # One Protocol per workflow type the operations start, numbered clear of
        # every other module-level name (the test doubles' classes included).
        taken = classes | set(aliases) | {
            expected_service.class_name + suffix
            for _, expected_service in services
            for suffix in ("Fake", "FakeAnswers")
        }
        contracts: list[str] = []
        workflow_types = dict.fromkeys(
            operation.workflow_run.workflow_type
            for _, expected_service in services
            for operation in expected_service.operations
            if operation.workflow_run is not None
        )
        for workflow_type in workflow_types:
            contracts.append(naming.workflow_contract_class(workflow_type, taken))
            taken.add(contracts[-1])
        if services:
            expected.files[expected_output_path(spec.name)] = [s for _, s in services]
            expected.contracts[expected_output_path(spec.name)] = contracts
    return expected


# Checks of the generated code ----------------------------------------------


def _squash(text: str) -> str:
    """Text without its whitespace: docstrings may re-indent, expand tabs, strip ends."""
    return "".join(text.split())


def check_error(case: Case, expected: Expected, error: str) -> None:
    assert "this is a bug in" not in error, error
    if expected.parameter_error:
        assert expected.parameter_error in error, (expected.parameter_error, error)
        return
    assert expected.errors, f"the plugin reports an error the contract does not have:\n{error}"
    assert "(line 0)" not in error, error
    for candidate in expected.errors:
        prefix = (
            f"{candidate.file}:{candidate.line}:{candidate.column}: "
            if candidate.line
            else f"{candidate.file}: "
        )
        if error.startswith(prefix) and candidate.text in error:
            return
    raise AssertionError(
        "the error names no expected problem at its location:\n"
        f"{error}\nexpected one of:\n"
        + "\n".join(f"  {e.file}:{e.line}:{e.column}: ...{e.text}..." for e in expected.errors)
    )


def _docstring_of(body: list[ast.stmt], index: int) -> str | None:
    if index < len(body):
        statement = body[index]
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            return statement.value.value
    return None


def _defined_names(body: list[ast.stmt]) -> list[str]:
    """Every name a module or class body binds, in order, repeats included."""
    names: list[str] = []
    for statement in body:
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(statement.name)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.append(statement.target.id)
        elif isinstance(statement, ast.Assign):
            names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names += [alias.asname or alias.name.split(".")[0] for alias in statement.names]
    return names


def check_defined_once(tree: ast.Module) -> None:
    """No module-level name and no class member is bound twice (the second would win)."""
    scopes = {"<module>": tree.body} | {
        node.name: node.body for node in tree.body if isinstance(node, ast.ClassDef)
    }
    for scope, body in scopes.items():
        names = _defined_names(body)
        repeated = sorted({name for name in names if names.count(name) > 1})
        assert not repeated, f"{scope} binds {repeated} more than once"


def check_source(
    path: str, source: str, services: list[ExpectedService], contracts: list[str]
) -> None:
    """Names and docstrings as written, read back by Python's own parser."""
    tree = ast.parse(compile(source, path, "exec", flags=ast.PyCF_ONLY_AST))
    check_defined_once(tree)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    expected_classes = {
        s.class_name + suffix
        for s in services
        for suffix in ("", "Handler", "NexusClient", "StandaloneClient")
    }
    assert set(classes) == expected_classes | set(contracts)
    assert len(set(contracts)) == len(contracts)
    for service in services:
        node = classes[service.class_name]
        docstring = ast.get_docstring(node, clean=False) or ""
        assert _squash(docstring) == _squash(service.comment or f"Nexus service {service.name}."), (
            docstring,
            service.comment,
        )
        for index, statement in enumerate(node.body):
            if isinstance(statement, ast.AnnAssign):
                assert isinstance(statement.target, ast.Name)
                operation = next(
                    o for o in service.operations if o.attribute == statement.target.id
                )
                doc = _docstring_of(node.body, index + 1)
                if operation.comment:
                    assert doc is not None and _squash(doc) == _squash(operation.comment), (
                        doc,
                        operation.comment,
                    )
                else:
                    assert doc is None


class _FakeHandle:
    def __init__(self, value: Any) -> None:
        self.value = value

    async def result(self) -> Any:
        return self.value

    def __await__(self) -> Any:
        return self.result().__await__()


class _FakeNexusClient:
    def __init__(self, service: Any, endpoint: Any) -> None:
        self.service = service
        self.endpoint = endpoint
        self.calls: list[tuple[Any, Any, dict[str, Any]]] = []

    async def start_operation(self, operation: Any, arg: Any, **options: Any) -> _FakeHandle:
        self.calls.append((operation, arg, options))
        return _FakeHandle(RESULT)


class _FakeClient:
    def __init__(self) -> None:
        self.created: list[_FakeNexusClient] = []

    def create_nexus_client(self, service: Any, endpoint: Any) -> _FakeNexusClient:
        self.created.append(_FakeNexusClient(service, endpoint))
        return self.created[-1]


class _Checked:
    def __init__(self, request: Any, service: str, operation: str) -> None:
        self.request, self.service, self.operation = request, service, operation


class _FakeContext:
    service, operation, request_id = "svc", "op", "rid"

    def __init__(self) -> None:
        self.started: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    async def start_workflow(self, *args: Any, **kwargs: Any) -> Any:
        self.started.append((args, kwargs))
        return RESULT


RESULT = object()


class _StubFinder:
    """`__import__` for generated code: stand-in classes for the request's `_pb2` modules."""

    def __init__(self, modules: dict[str, types.ModuleType]) -> None:
        self.modules = modules
        self.real = __import__

    def __call__(
        self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        if name in self.modules:
            return self.modules[name]
        if fromlist and any(f"{name}.{item}" in self.modules for item in fromlist):
            assert all(f"{name}.{item}" in self.modules for item in fromlist), (name, fromlist)
            return types.SimpleNamespace(
                **{item: self.modules[f"{name}.{item}"] for item in fromlist}
            )
        assert not name.endswith("_pb2") and not any(
            str(item).endswith("_pb2") and not name.startswith("google.protobuf")
            for item in fromlist or ()
        ), f"generated code imports {name} {fromlist}, which the request does not make"
        return self.real(name, globals, locals, fromlist, level)


def stub_modules(
    case: Case, expected: Expected
) -> tuple[dict[str, types.ModuleType], dict[str, type]]:
    modules: dict[str, types.ModuleType] = {}
    classes: dict[str, type] = {name: cls for name, (_, cls) in WELL_KNOWN.items()}
    classes[EMPTY] = type(None)
    for spec in case.files:
        path = expected.modules[spec.name]
        module = modules.setdefault(path, types.ModuleType(path))
        for full, qualname, _ in _messages_of(spec):
            owner: Any = module
            for part in qualname.split(".")[:-1]:
                owner = getattr(owner, part)
            cls = type(
                qualname.rsplit(".", 1)[-1], (), {"__qualname__": qualname, "__module__": path}
            )
            setattr(owner, qualname.rsplit(".", 1)[-1], cls)
            classes[full] = cls
    return modules, classes


_counter = iter(range(10**9))


def exec_generated(source: str, path: str, finder: _StubFinder) -> types.ModuleType:
    name = f"_fuzz_generated_{next(_counter)}"
    module = types.ModuleType(name)
    module.__dict__["__builtins__"] = dict(vars(builtins), __import__=finder)
    module.__file__ = path
    sys.modules[name] = module
    try:
        exec(compile(source, path, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def _request_for(operation: ExpectedOperation) -> Any:
    """A stand-in request: each field holds a text naming it, for the workflow ID."""
    return types.SimpleNamespace(**{name: f"<{name}>" for name in operation.input_fields})


def check_behaviour(
    module: types.ModuleType, services: list[ExpectedService], classes: dict[str, type]
) -> None:
    """Import-time and call-time behaviour of one generated module, against fakes."""
    for service in services:
        definition_class = vars(module)[service.class_name]
        definition = nexusrpc.get_service_definition(definition_class)
        assert definition is not None
        assert definition.name == service.name
        actual = {
            name: (op.method_name, op.input_type, op.output_type)
            for name, op in definition.operation_definitions.items()
        }
        assert actual == {
            op.name: (op.attribute, classes[op.input], classes[op.output])
            for op in service.operations
        }
        handler = vars(module)[service.class_name + "Handler"]
        for op in service.operations:
            method = vars(handler)[op.attribute]
            spec = method.__nexusproto_operation__
            assert spec.kind == ("sync" if op.workflow_run is None else "workflow_run")
            assert spec.validate_request == op.validate_request
            if op.workflow_run is None:
                assert spec.validate_response == op.validate_response
                assert getattr(method, "__isabstractmethod__", False)
            else:
                assert not getattr(method, "__isabstractmethod__", False)

        async def implementation(self: Any, ctx: Any, request: Any = None) -> Any:
            return None

        plain = {
            op.attribute: implementation for op in service.operations if op.workflow_run is None
        }
        type(f"{service.class_name}Impl", (handler,), plain)  # binds, or raises TypeError
        asyncio.run(_drive(module, service, handler, classes))


async def _drive(
    module: types.ModuleType, service: ExpectedService, handler: type, classes: dict[str, type]
) -> None:
    definition_class = vars(module)[service.class_name]
    checked: list[_Checked] = []

    def checked_request(request: Any, *, service: str, operation: str) -> Any:
        checked.append(_Checked(request, service, operation))
        return checked[-1]

    with mock.patch.object(nexusproto, "checked_request", checked_request):
        # Workflow-run defaults start their workflow.
        for op in service.operations:
            if op.workflow_run is None:
                continue
            ctx = _FakeContext()
            request = _request_for(op)
            args = (ctx,) if op.input == EMPTY else (ctx, request)
            assert await vars(handler)[op.attribute](None, *args) is RESULT
            [(positional, options)] = ctx.started
            run_spec = op.workflow_run
            assert positional == (
                (run_spec.workflow_type,)
                if op.input == EMPTY
                else (run_spec.workflow_type, request)
            )
            if run_spec.id_template:
                workflow_id = run_spec.id_template.format(**vars(request))
            else:
                workflow_id = "svc/op/rid"
            assert options.pop("id") == workflow_id
            if op.output != EMPTY:
                assert options.pop("result_type") is classes[op.output]
            if run_spec.task_queue.strip():
                assert options.pop("task_queue") == run_spec.task_queue.strip()
            if run_spec.reuse:
                assert (
                    options.pop("id_reuse_policy")
                    == temporalio.common.WorkflowIDReusePolicy[REUSE[run_spec.reuse]]
                )
            if run_spec.conflict:
                assert (
                    options.pop("id_conflict_policy")
                    == temporalio.common.WorkflowIDConflictPolicy[CONFLICT[run_spec.conflict]]
                )
            assert options == {}

        # Both callers send the request to the right operation with the contract's options.
        client = _FakeClient()
        standalone_class = vars(module)[service.class_name + "StandaloneClient"]
        endpoint = service.default_endpoint or "given-endpoint"
        standalone = (
            standalone_class(client)
            if service.default_endpoint
            else standalone_class(client, "given-endpoint")
        )
        [nexus_client] = client.created
        assert nexus_client.service is definition_class
        assert nexus_client.endpoint == endpoint

        workflow_clients: list[_FakeNexusClient] = []

        def create_nexus_client(*, service: Any, endpoint: str) -> _FakeNexusClient:
            workflow_clients.append(_FakeNexusClient(service, endpoint))
            return workflow_clients[-1]

        with mock.patch.object(temporalio.workflow, "create_nexus_client", create_nexus_client):
            workflow_class = vars(module)[service.class_name + "NexusClient"]
            in_workflow = (
                workflow_class()
                if service.default_endpoint
                else workflow_class(endpoint="given-endpoint")
            )
        [workflow_nexus] = workflow_clients
        assert workflow_nexus.service is definition_class
        assert workflow_nexus.endpoint == endpoint

        for caller, fake in ((standalone, nexus_client), (in_workflow, workflow_nexus)):
            for op in service.operations:
                request = _request_for(op)
                checked.clear()
                call = getattr(caller, op.attribute)
                result = await (call() if op.input == EMPTY else call(request))
                assert result is (None if op.output == EMPTY else RESULT)
                operation, sent, options = fake.calls.pop()
                assert operation is getattr(definition_class, op.attribute)
                if op.input == EMPTY:
                    assert sent is None
                elif op.validate_request:
                    [record] = checked
                    assert sent is record and record.request is request
                    assert (record.service, record.operation) == (service.name, op.name)
                else:
                    assert sent is request and not checked
                if op.timeout is not None:
                    assert options.pop("schedule_to_close_timeout") == op.timeout
                if fake is nexus_client:
                    operation_id = options.pop("id")
                    assert isinstance(operation_id, str) and operation_id
                assert options == {}


def generate(
    case: Case,
) -> tuple[plugin_pb2.CodeGeneratorRequest, plugin_pb2.CodeGeneratorResponse]:
    request = request_of(case)
    assume(_is_valid_descriptor_set(request))
    note(f"parameter: {request.parameter!r}")
    for spec in case.files:
        note(f"{spec}")
    response = run(request)
    note(f"error: {response.error}")
    return request, response


def check_response(
    case: Case, response: plugin_pb2.CodeGeneratorResponse, behaviour: bool = True
) -> Expected:
    expected = expect(case)
    if response.error:
        assert not response.file
        check_error(case, expected, response.error)
        return expected
    assert not expected.parameter_error, "the plugin accepts " + case.parameters.text()
    assert not expected.errors, (
        "the plugin generates code for a contract with problems: "
        + "; ".join(f"{e.file}:{e.line}: {e.text}" for e in expected.errors)
    )
    generated = {file.name: file.content for file in response.file}
    assert len(generated) == len(response.file), "two generated files share a name"
    # Beside each `_nexus.py`, its test doubles: compiled and checked for names bound
    # twice here; what they do is the kit's own tests' business.
    testing = {path for path in generated if path.endswith("_nexus_testing.py")}
    assert sorted(testing) == sorted(nexus_testing_path(path) for path in expected.files)
    for path in testing:
        check_defined_once(ast.parse(compile(generated.pop(path), path, "exec", ast.PyCF_ONLY_AST)))
    assert sorted(generated) == sorted(expected.files), (sorted(generated), sorted(expected.files))
    if behaviour:
        modules, classes = stub_modules(case, expected)
        finder = _StubFinder(modules)
    for path, source in generated.items():
        note(f"--- {path}\n{source}")
        check_source(path, source, expected.files[path], expected.contracts[path])
        if behaviour:
            check_behaviour(exec_generated(source, path, finder), expected.files[path], classes)
    return expected


@settings(max_examples=_examples(150, _FUZZ))
@given(case=cases())
def test_random_contracts(case: Case) -> None:
    _, response = generate(case)
    check_response(case, response)


# With the real protoc and a fresh interpreter ------------------------------

_IMPORT_CHECK = r"""
import importlib, json, sys
import nexusrpc
def full_name(payload_type):
    if payload_type is type(None):
        return "google.protobuf.Empty"  # no payload
    return payload_type.DESCRIPTOR.full_name
out = {}
for module_name, classes in json.loads(sys.argv[1]).items():
    module = importlib.import_module(module_name)
    for class_name in classes:
        definition = nexusrpc.get_service_definition(getattr(module, class_name))
        out[module_name + ":" + class_name] = [definition.name, {
            name: [op.method_name, full_name(op.input_type), full_name(op.output_type)]
            for name, op in definition.operation_definitions.items()
        }]
        handler = getattr(module, class_name + "Handler")
        async def implementation(self, ctx, request=None):
            return None
        plain = {
            op.method_name: implementation
            for op in definition.operation_definitions.values()
            if getattr(getattr(handler, op.method_name), "__isabstractmethod__", False)
        }
        type(class_name + "Impl", (handler,), plain)
print(json.dumps(out))
"""


def _real_modules(
    case: Case,
    request: plugin_pb2.CodeGeneratorRequest,
    response: plugin_pb2.CodeGeneratorResponse,
    root: Path,
    stubs: bool = False,
) -> None:
    """`_pb2` modules from protoc's own Python generator, and the generated `_nexus` files.

    With `stubs`, mypy-protobuf's `.pyi` files too, as `make generate` writes them.
    """
    descriptor_set = descriptor_pb2.FileDescriptorSet(file=request.proto_file)
    set_path = root / "set.binpb"
    set_path.write_bytes(descriptor_set.SerializeToString())
    target = root / "out"
    target.mkdir(parents=True, exist_ok=True)
    user = [spec.name for spec in case.files]
    stub_out = [f"--mypy_out={target}"] if stubs else []
    result = run_protoc(
        [
            f"--descriptor_set_in={set_path}",
            f"--python_out={target}",
            *stub_out,
            VALIDATE_FILE,
            *user,
        ]
    )
    note(result.stderr)
    assume(result.returncode == 0)  # protoc checks more than a descriptor pool does
    for file in response.file:
        path = target / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.content)


@settings(max_examples=_examples(8, max(50, _FUZZ // 20)))
@given(case=cases(tame=True))
def test_random_contracts_import_with_real_messages(case: Case, tmp_path_factory: Any) -> None:
    # protoc's own _pb2 modules import one another without prefix or mapping.
    case.parameters.module_map = []
    case.parameters.module_prefix = None
    _, response = generate(case)
    expected = check_response(case, response, behaviour=False)
    assume(not response.error and response.file)
    request = request_of(case)
    root = tmp_path_factory.mktemp("fuzz")
    _real_modules(case, request, response, root)

    def module_name(path: str) -> str:
        return path[: -len(".py")].replace("/", ".")

    wanted = {
        module_name(path): [s.class_name for s in services]
        for path, services in expected.files.items()
    }
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHECK, json.dumps(wanted)],
        cwd=root / "out",
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=str(root / "out")),
    )
    assert result.returncode == 0, result.stderr
    definitions = json.loads(result.stdout)
    for path, services in expected.files.items():
        for service in services:
            name, operations = definitions[f"{module_name(path)}:{service.class_name}"]
            assert name == service.name
            assert operations == {
                op.name: [op.attribute, op.input, op.output] for op in service.operations
            }


# No shrinking: each example is a mypy run of seconds.
@settings(max_examples=_examples(1, 10), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(case=cases(tame=True))
def test_random_contract_type_checks(case: Case, tmp_path_factory: Any) -> None:
    case.parameters = ParameterSpec()
    _, response = generate(case)
    expected = check_response(case, response, behaviour=False)
    assume(not response.error and response.file)
    request = request_of(case)
    root = tmp_path_factory.mktemp("fuzz")
    _real_modules(case, request, response, root, stubs=True)
    out = root / "out"
    # Errors in the generated modules only: --follow-imports=silent still reads
    # the _pb2 stubs they import, but leaves their own findings to their makers.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"--python-version={PYTHON_TARGET}",
            "--follow-imports=silent",
            "--explicit-package-bases",
            "--cache-dir",
            str(root / "mypy-cache"),
            *[str(out / p) for p in expected.files],
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(out), "PATH": str(BIN)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no issues found in {len(expected.files)} source file" in result.stdout, result.stdout


# protoc-gen-nexus-go on the same random contracts --------------------------------


def _go_request(case: Case, request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorRequest:
    """The request as a Go team passes it: the same selection parameters (Go has no
    module-prefix or module-map) and an import path per file, as `M` options."""
    selection = [
        item
        for item in case.parameters.text().split(",")
        if item and not item.startswith("module-")
    ]
    mappings = [
        f"M{file.name}=fuzz.test/{file.name.removesuffix('.proto')}"
        for file in request.proto_file
        if not file.options.go_package
    ]
    go_request = plugin_pb2.CodeGeneratorRequest()
    go_request.CopyFrom(request)
    go_request.parameter = ",".join(selection + mappings)
    return go_request


@settings(max_examples=_examples(100, _FUZZ))
@given(case=cases())
def test_random_contracts_give_located_errors_or_gofmt_clean_go(
    case: Case, tmp_path_factory: Any
) -> None:
    """Whatever the contract, protoc-gen-nexus-go answers with a located error (or a
    parameter error) or with Go that gofmt parses and leaves as it is."""
    gofmt = Path(require_go()).with_name("gofmt")
    request, _ = generate(case)
    response = go_plugin.run(_go_request(case, request))
    note(f"go error: {response.error}")
    if response.error:
        assert "this is a bug in" not in response.error, response.error
        assert not response.file
        names = [file.name for file in request.proto_file]
        located = any(response.error.startswith(f"{name}:") for name in names)
        assert located or expect(case).parameter_error, response.error
        return
    root = tmp_path_factory.mktemp("go")
    for file in response.file:
        path = root / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.content)
    result = subprocess.run(
        [str(gofmt), "-d", "-e", str(root)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
