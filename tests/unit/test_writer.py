import ast

from protoc_gen_nexus.python.writer import (
    Ident,
    Module,
    PythonFile,
    docstring_lines,
    string_literal,
)


def render(out: PythonFile) -> str:
    return out.render(["header"], "Doc.")


def test_imports_are_grouped_sorted_and_only_those_used() -> None:
    modules = [Module("nexusrpc"), Module("datetime"), Module("payments.v1.payments_pb2"), Module("unused")]
    out = PythonFile(modules, [])
    out.line(f"x = {out.ref(Ident(Module('payments.v1.payments_pb2'), 'Money'))}")
    out.line(f"y = {out.ref(Ident(Module('nexusrpc'), 'Operation'))}")
    out.line(f"z = {out.ref(Ident(Module('datetime'), 'timedelta'))}")
    assert render(out) == (
        "# header\n"
        '"""Doc."""\n'
        "\n"
        "import datetime\n"
        "\n"
        "import nexusrpc\n"
        "from payments.v1 import payments_pb2\n"
        "\n"
        "x = payments_pb2.Money\n"
        "y = nexusrpc.Operation\n"
        "z = datetime.timedelta\n"
    )


def test_aliases_avoid_defined_names_keywords_builtins_and_each_other() -> None:
    a = Module("a.v1.payments_pb2")
    b = Module("b.v1.payments_pb2")
    defined = Module("nexusrpc")
    shadowing = Module("x.type")
    out = PythonFile([a, b, defined, shadowing], ["nexusrpc"])
    assert out.module(a) == "payments_pb2"
    assert out.module(b) == "v1_payments_pb2"
    assert out.module(defined) == "nexusrpc_2"
    assert out.module(shadowing) == "x_type"
    imports = render(out)
    assert "import nexusrpc as nexusrpc_2\n" in imports
    assert "from b.v1 import payments_pb2 as v1_payments_pb2\n" in imports
    assert "from x import type as x_type\n" in imports


def test_aliases_do_not_depend_on_declaration_order() -> None:
    modules = [Module("b.v1.m_pb2"), Module("a.v1.m_pb2")]
    first = PythonFile(modules, [])
    second = PythonFile(list(reversed(modules)), [])
    assert [first.module(m) for m in modules] == [second.module(m) for m in modules]


def test_bracketed_stays_on_one_line_when_it_fits_and_explodes_otherwise() -> None:
    out = PythonFile([], [])
    out.bracketed("f(", ["a", "b"], "")
    out.bracketed("g(", ["x" * 50, "y" * 50], " = 1")
    assert out.render([], "")[:-1].splitlines()[-5:] == [
        "f(a, b)",
        "g(",
        "    " + "x" * 50 + ",",
        "    " + "y" * 50 + ",",
        ") = 1",
    ]


HOSTILE = [
    'ends with a quote"',
    'has """ inside',
    "trailing backslash \\",
    "tab\there",
    "non-ASCII: 支払い — ünïcödé",
    "\\N{BULLET} looks like an escape",
    "control \x07 char",
    '"starts with a quote',
    "line one\n\n   indented line\n",
]


def test_docstrings_of_hostile_comments_parse_back_to_the_text() -> None:
    for text in HOSTILE:
        source = "\n".join(["def f():", *docstring_lines(text, "    ")]) + "\n"
        tree = ast.parse(source)
        function = tree.body[0]
        assert isinstance(function, ast.FunctionDef)
        doc = ast.get_docstring(function, clean=False)
        assert doc is not None
        expected = text.expandtabs(4).strip()
        assert doc.replace("\n    ", "\n").strip() == expected, text


def test_string_literal_round_trips() -> None:
    for text in [*HOSTILE, "plain", "{braces}"]:
        assert ast.literal_eval(string_literal(text)) == text
