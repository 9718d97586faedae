"""Property test of the bindings: random updates (synchronous or asynchronous), signals,
queries, runs and activities.

Each example starts from the request protoc builds for proto/orders/v1/carts.proto
and rebinds the five operations of `CartService` at random (`workflow_run`,
`workflow_update` with or without `asynchronous`, `workflow_signal`,
`workflow_query`, `activity` or nothing), with hostile handler names, workflow and
activity types, ID templates, start options, timeouts and retry policies, as real
extension bytes. The plugin must answer with a located error that is not a bug report, or
with a module that ruff leaves as it is, whose handler binds, whose generated
bodies send exactly the contract's names and IDs, and whose Protocols have a
member for every handler a Python method can stand for. Tame examples (every
binding valid) must generate.
"""

from __future__ import annotations

import ast
import copy
import functools
import keyword
import subprocess
import sys
import tempfile
import types
import unicodedata
from pathlib import Path
from dataclasses import dataclass
from typing import Any

from google.protobuf.compiler import plugin_pb2
from hypothesis import event, given, settings
from hypothesis import strategies as st
from nexusproto.v1 import options_pb2
from orders.v1 import carts_pb2
from payments.v1 import payments_pb2
from protoc_gen_nexus.python.plugin import run
from support.profiles import FUZZ_EXAMPLES, examples
from support.protoc import BIN, REPO, capture_request

CARTS = "orders/v1/carts.proto"
OUTPUT = "orders/v1/carts_nexus.py"

# The methods of CartService: request message, and whether the response is Empty.
METHODS = {
    "AddItem": (carts_pb2.AddItemRequest, False),
    "RemoveItem": (carts_pb2.RemoveItemRequest, False),
    "ApplyCoupon": (carts_pb2.ApplyCouponRequest, True),
    "Checkout": (carts_pb2.CheckoutRequest, True),
    "GetCart": (carts_pb2.GetCartRequest, False),
}
ATTRIBUTES = {
    "AddItem": "add_item",
    "RemoveItem": "remove_item",
    "ApplyCoupon": "apply_coupon",
    "Checkout": "checkout",
    "GetCart": "get_cart",
}
CALLS = {
    "update": "update_workflow",
    "async_update": "start_workflow_update",
    "signal": "signal_workflow",
    "query": "query_workflow",
}
"""The runtime call of each entity binding's generated body."""
LEADING = {"async_update": 2}
"""Arguments before the workflow ID (`ctx, client`); 1 (`ctx`) for the others."""

HOSTILE_NAMES = [
    "add_item", "get", "run", "typing", "nexusproto", "nexusrpc", "request", "ctx", "self",
    "class", "None", "a-b", 'say "hi"', "it's", "{x}", "back\\slash", "new\nline", "tab\tbed",
    "ünïcödé", "支払い", " pad", "", "_", "__init__",
]  # fmt: skip
names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=10))


@dataclass(frozen=True)
class Binding:
    kind: str  # "", "run", "update", "async_update", "signal", "query", "activity"
    name: str = ""
    """The update's, signal's or query's name, or the activity type."""
    workflow_type: str = ""
    template: str = ""
    start: tuple[str, str] | None = None  # (workflow type, task queue)
    timeout: int = 0
    """An activity's start-to-close timeout in seconds (0: none, which is an error)."""
    retry: tuple[float, int] | None = None
    """An activity's retry policy: (backoff coefficient, maximum attempts)."""


@st.composite
def templates(draw: st.DrawFn, fields: list[str], tame: bool) -> str:
    """A workflow ID template: literal text (braces doubled when tame) and fields."""
    pieces = ["cart-"] if tame else []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            candidates = fields if tame else [*fields, "nope", "cart_id!r", "sku:>4", ""]
            pieces.append("{" + draw(st.sampled_from(candidates)) + "}")
        else:
            text = draw(st.one_of(st.sampled_from(["cart-", "/", '"', "'", "\\", " "]), names))
            pieces.append(text.replace("{", "{{").replace("}", "}}") if tame else text)
    return "".join(pieces)


def _tame_text(text: str) -> str:
    """A non-empty name without surrounding whitespace, as a valid contract has."""
    return text.strip() or "x"


@st.composite
def bindings(draw: st.DrawFn, method: str, tame: bool) -> Binding:
    request, empty_response = METHODS[method]
    kinds = ["", "run", "update", "signal" if empty_response or not tame else "update"]
    kinds.append("query" if not empty_response or not tame else "signal")
    kinds += ["async_update", "activity"]
    kind = draw(st.sampled_from(kinds))
    if not kind:
        return Binding("")
    fields = [field.name for field in request.DESCRIPTOR.fields]
    name, workflow_type = draw(names), draw(names)
    template = draw(templates(fields, tame))
    if kind == "activity":
        timeout = draw(st.sampled_from([5, 60] if tame else [0, 5, -1]))
        retry = draw(
            st.one_of(
                st.none(),
                st.tuples(
                    st.sampled_from([0.0, 1.5, 2.0] if tame else [0.0, 0.5, 2.0]),
                    st.sampled_from([0, 3] if tame else [0, 3, -1]),
                ),
            )
        )
        if tame:
            name = _tame_text(name)
            template = draw(st.sampled_from(["", template]))
        return Binding(kind, name, template=template, timeout=timeout, retry=retry)
    start = None
    if kind in ("update", "async_update", "signal") and draw(st.booleans()):
        start = (draw(names), draw(st.one_of(st.just(""), names)))
    if tame:
        # One handler name per operation, so no two need one method with two signatures.
        name = f"{_tame_text(name)}{method}"
        workflow_type = _tame_text(workflow_type)
        if start is not None:
            start = (_tame_text(start[0]), start[1].strip())
    return Binding(kind, name, workflow_type, template, start)


@st.composite
def contracts(draw: st.DrawFn) -> tuple[bool, dict[str, Binding]]:
    tame = draw(st.booleans())
    return tame, {method: draw(bindings(method, tame)) for method in METHODS}


@functools.cache
def base_request() -> plugin_pb2.CodeGeneratorRequest:
    """protoc's request for carts.proto, captured once (not a fixture: Hypothesis
    would print it with every failing example)."""
    with tempfile.TemporaryDirectory() as directory:
        return capture_request(Path(directory), [CARTS])


def _with_bindings(
    base: plugin_pb2.CodeGeneratorRequest, chosen: dict[str, Binding]
) -> plugin_pb2.CodeGeneratorRequest:
    request = copy.deepcopy(base)
    (file,) = [f for f in request.proto_file if f.name == CARTS]
    for method in file.service[0].method:
        binding = chosen[method.name]
        method.options.ClearExtension(options_pb2.operation)
        if not binding.kind:
            continue
        ours = method.options.Extensions[options_pb2.operation]
        if binding.kind == "run":
            ours.workflow_run.workflow_type = binding.workflow_type
            ours.workflow_run.id_template = binding.template
            continue
        if binding.kind == "activity":
            activity = ours.activity
            activity.activity_type = binding.name
            activity.id_template = binding.template
            if binding.timeout:
                activity.start_to_close_timeout.seconds = binding.timeout
            if binding.retry is not None:
                policy = activity.retry_policy
                policy.backoff_coefficient, policy.maximum_attempts = binding.retry
            continue
        handler = "update" if binding.kind == "async_update" else binding.kind
        option = getattr(ours, f"workflow_{handler}")
        option.SetInParent()
        option.id_template = binding.template
        setattr(option, handler, binding.name)
        option.workflow_type = binding.workflow_type
        if binding.kind == "async_update":
            option.asynchronous = True
        if binding.start is not None:
            option.start.workflow_type, option.start.task_queue = binding.start
    return request


def _sample(request_type: Any) -> Any:
    """A request with a distinct value in every field (nested Money included)."""
    message = request_type()
    for field in request_type.DESCRIPTOR.fields:
        if field.message_type is not None:
            getattr(message, field.name).CopyFrom(payments_pb2.Money(currency="EUR", amount_minor=7))
        elif field.type == field.TYPE_STRING:
            setattr(message, field.name, f"<{field.name}>")
        else:
            setattr(message, field.name, 42)
    return message


def _ruff_formatted(source: str) -> str:
    result = subprocess.run(
        [str(BIN / "ruff"), "format", "--config", str(REPO / "tests" / "ruff.toml"), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _calls_in(method: ast.AsyncFunctionDef) -> list[ast.Call]:
    return [node for node in ast.walk(method) if isinstance(node, ast.Call)]


def check_generated(source: str, chosen: dict[str, Binding]) -> None:
    assert _ruff_formatted(source) == source
    tree = ast.parse(source)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    handler = classes["CartServiceHandler"]
    methods = {n.name: n for n in handler.body if isinstance(n, ast.AsyncFunctionDef)}

    # A module of its own in sys.modules: the SDKs read annotations through it.
    module = types.ModuleType("carts_nexus_under_test")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, OUTPUT, "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    namespace = module.__dict__
    plain = {
        ATTRIBUTES[method]: _answer
        for method, binding in chosen.items()
        if binding.kind in ("",)
    }
    type("Bound", (namespace["CartServiceHandler"],), plain)  # binds, or raises TypeError

    protocol_members = {
        member.name
        for node in classes.values()
        if any(isinstance(base, ast.Attribute) and base.attr == "Protocol" for base in node.bases)
        for member in node.body
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for method, binding in chosen.items():
        if binding.kind == "activity":
            _check_activity(methods[ATTRIBUTES[method]], method, binding)
        if binding.kind in ("", "run", "activity"):
            continue
        (call,) = [
            c for c in _calls_in(methods[ATTRIBUTES[method]])
            if isinstance(c.func, ast.Attribute) and c.func.attr == CALLS[binding.kind]
        ]  # fmt: skip
        request = _sample(METHODS[method][0])
        fields = {field.name: getattr(request, field.name) for field in request.DESCRIPTOR.fields}
        at = LEADING.get(binding.kind, 1)
        workflow_id = eval(compile(ast.Expression(call.args[at]), "<id>", "eval"), {"request": request})
        assert workflow_id == binding.template.format(**fields)
        assert ast.literal_eval(call.args[at + 1]) == binding.name
        keywords = {k.arg: k.value for k in call.keywords}
        if binding.start is None:
            assert "start" not in keywords
        else:
            start = keywords["start"]
            if isinstance(start, ast.Name):  # too long for the call: a local before it
                (start,) = [
                    node.value
                    for node in ast.walk(methods[ATTRIBUTES[method]])
                    if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == start.id
                ]
            assert isinstance(start, ast.Call)
            assert ast.literal_eval(start.args[0]) == binding.start[0]
            given_queue = {k.arg: ast.literal_eval(k.value) for k in start.keywords}
            assert given_queue.get("task_queue", "") == binding.start[1].strip()
        normal = unicodedata.normalize("NFKC", binding.name) == binding.name
        if binding.name.isidentifier() and not keyword.iskeyword(binding.name) and normal:
            if binding.name != "run":
                assert binding.name in protocol_members, binding.name


def _check_activity(method: ast.AsyncFunctionDef, name: str, binding: Binding) -> None:
    """The generated body starts the contract's activity with its ID, timeout and policy."""
    (call,) = [
        c for c in _calls_in(method)
        if isinstance(c.func, ast.Attribute) and c.func.attr == "start_activity"
    ]  # fmt: skip
    assert ast.literal_eval(call.args[0]) == binding.name
    keywords = {k.arg: k.value for k in call.keywords}
    request = _sample(METHODS[name][0])
    if binding.template:
        fields = {field.name: getattr(request, field.name) for field in request.DESCRIPTOR.fields}
        activity_id = eval(compile(ast.Expression(keywords["id"]), "<id>", "eval"), {"request": request})
        assert activity_id == binding.template.format(**fields)
    else:
        assert ast.unparse(keywords["id"]) == "nexusproto.idempotency_key(ctx)"
    assert ast.unparse(keywords["start_to_close_timeout"]) == (
        f"datetime.timedelta(seconds={binding.timeout})"
    )
    if binding.retry is None:
        assert "retry_policy" not in keywords
        return
    policy = keywords["retry_policy"]
    if isinstance(policy, ast.Name):  # too long for the call: a local before it
        (policy,) = [
            node.value
            for node in ast.walk(method)
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == policy.id
        ]
    assert isinstance(policy, ast.Call)
    given = {k.arg: ast.literal_eval(k.value) for k in policy.keywords}
    backoff, attempts = binding.retry
    assert given.get("backoff_coefficient", 0.0) == backoff
    assert given.get("maximum_attempts", 0) == attempts


async def _answer(self: Any, ctx: Any, request: Any = None) -> Any:
    return None


def check_error(error: str) -> None:
    assert "this is a bug in" not in error, error
    assert error.startswith(f"{CARTS}:"), error
    assert "Traceback" not in error


@settings(max_examples=examples(60, FUZZ_EXAMPLES // 3))
@given(case=contracts())
def test_random_bindings_give_a_located_error_or_working_code(
    case: tuple[bool, dict[str, Binding]],
) -> None:
    tame, chosen = case
    response = run(_with_bindings(base_request(), chosen))
    if response.error:
        event("located error")
        assert not tame, response.error
        check_error(response.error)
        return
    event("generated (tame)" if tame else "generated (hostile)")
    (content,) = [file.content for file in response.file if file.name == OUTPUT]
    check_generated(content, chosen)
