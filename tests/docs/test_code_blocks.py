"""The code blocks of the documentation site and the README cannot drift from the code.

Complete programs and contracts are not written into pages: they are files under
docs/examples (or the repository's own tested code) included with `--8<--`, and
the tests beside this one compile, type-check or run them. What stays inline is a
fragment, and each kind of fragment is held to what can be checked on its own:
Python must compile, YAML and JSON must parse, a `make` target must exist, a
`nexusproto` subcommand must exist.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support.protoc import BIN, REPO

DOCS = REPO / "docs"
PAGES = sorted((DOCS / "content").rglob("*.md"))
EXAMPLES = DOCS / "examples"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>.*)$")
TITLE = re.compile(r'\btitle="([^"]*)"')
INCLUDE = re.compile(r'^\s*-{2}8<-{2}\s+"(?P<path>[^"]+)"\s*$')
PYTHON = {"python", "py"}
SHELL = {"sh", "shell", "bash", "console"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    title: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"

    @property
    def includes(self) -> list[str]:
        found = [INCLUDE.match(line) for line in self.text.splitlines() if line.strip()]
        return [match["path"] for match in found if match]

    @property
    def is_include(self) -> bool:
        lines = [line for line in self.text.splitlines() if line.strip()]
        return bool(lines) and len(self.includes) == len(lines)


def blocks_of(page: Path) -> Iterator[Block]:
    """The fenced blocks of a Markdown page, indented ones (in admonitions, tabs) too."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = (
            opening["indent"],
            opening["fence"],
            opening["info"].strip(),
        )
        opened_on = index + 1
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(
                lines[index][len(indent) :]
                if lines[index].startswith(indent)
                else lines[index]
            )
            index += 1
        title = TITLE.search(info)
        yield Block(
            page=page,
            line=opened_on,
            language=info.split()[0].lstrip(".").lower() if info.split() else "",
            title=title[1] if title else None,
            text="\n".join(body) + "\n",
        )
        index += 1


def all_blocks() -> list[Block]:
    return [block for page in [*PAGES, REPO / "README.md"] for block in blocks_of(page)]


def problems_of(
    block: Block, make_targets: set[str], subcommands: set[str]
) -> list[str]:
    """Why a block cannot stand in the docs as it is (empty: it can)."""
    if block.title is not None:
        if not block.is_include:
            return [
                f'titled "{block.title}" is a whole file: keep it under docs/examples '
                "and include it with --8<--"
            ]
        return [
            problem for path in block.includes for problem in _include_problems(path)
        ]
    if block.includes:
        return [
            problem for path in block.includes for problem in _include_problems(path)
        ]
    if block.language in SHELL:
        return _shell_problems(block.text, make_targets, subcommands)
    check = FRAGMENT_CHECKS.get(block.language)
    return check(block.text) if check else []


def _include_problems(include: str) -> list[str]:
    """A missing file, or a `file:section` whose start or end marker is missing: the
    snippets extension would show an empty block without a warning."""
    path, _, section = include.partition(":")
    source = REPO / path
    if not source.is_file():
        return [f"includes a missing file {path}"]
    text = source.read_text(encoding="utf-8")
    return [
        f"includes {path}:{section}, which has no {edge}:{section} marker"
        for edge in ("start", "end")
        if section and f"--8<-- [{edge}:{section}]" not in text
    ]


def _python_problems(text: str) -> list[str]:
    try:
        tree = ast.parse(text, feature_version=(3, 10))
    except SyntaxError:
        try:  # a fragment of workflow or test code may await at top level
            compile(text, "<block>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as error:
            return [f"is not valid Python: {error.msg} (line {error.lineno})"]
        return []
    imports = any(isinstance(node, ast.Import | ast.ImportFrom) for node in tree.body)
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    if imports and any(isinstance(node, definitions) for node in tree.body):
        return [
            "imports and defines at top level: a complete module belongs under "
            "docs/examples, included with --8<--"
        ]
    return []


def _whole_file(kind: str, declaration: str) -> Callable[[str], list[str]]:
    pattern = re.compile(declaration, re.MULTILINE)

    def problems(text: str) -> list[str]:
        if pattern.search(text):
            return [
                f"is a whole {kind} file: keep it under docs/examples and include it"
            ]
        return []

    return problems


def _parse_problems(
    kind: str, parse: Callable[[str], object]
) -> Callable[[str], list[str]]:
    def problems(text: str) -> list[str]:
        try:
            parse(text)
        except ValueError as error:  # JSONDecodeError; YAMLError is wrapped below
            return [f"is not valid {kind}: {error}"]
        return []

    return problems


def _load_yaml(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


FRAGMENT_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "python": _python_problems,
    "py": _python_problems,
    "proto": _whole_file(".proto", r"^\s*syntax\s*="),
    "go": _whole_file("Go", r"^\s*package\s+\w"),
    "java": _whole_file("Java", r"^\s*package\s+[\w.]+;"),
    "yaml": _parse_problems("YAML", _load_yaml),
    "yml": _parse_problems("YAML", _load_yaml),
    "json": _parse_problems("JSON", json.loads),
}


def _shell_problems(
    text: str, make_targets: set[str], subcommands: set[str]
) -> list[str]:
    found = []
    for line in text.splitlines():
        command = line.strip().removeprefix("$ ")
        command = re.sub(
            r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+", "", command
        )  # VAR=value make ...
        words = command.split("#", 1)[0].split()
        if words[:1] == ["make"]:
            found += [
                f"names `make {word}`, which the Makefile does not define"
                for word in words[1:]
                if not word.startswith("-")
                and "=" not in word
                and word not in make_targets
            ]
        named = words[1] if words[:1] == ["nexusproto"] and len(words) > 1 else "-"
        if not named.startswith("-") and named not in subcommands:
            found.append(f"names `nexusproto {named}`, which is not a subcommand")
    return found


@pytest.fixture(scope="module")
def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))


@pytest.fixture(scope="module")
def subcommands() -> set[str]:
    shown = subprocess.run(
        [str(BIN / "nexusproto"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    choices = re.search(r"\{([\w,-]+)\}", shown)
    assert choices, shown
    return set(choices[1].split(","))


def test_the_pages_have_code_to_check() -> None:
    blocks = all_blocks()
    assert PAGES, "docs/content has no pages"
    assert any(block.is_include for block in blocks)
    assert any(block.language in PYTHON for block in blocks)


@pytest.mark.parametrize(
    "page", [*PAGES, REPO / "README.md"], ids=lambda page: str(page.relative_to(REPO))
)
def test_every_inline_block_holds(
    page: Path, make_targets: set[str], subcommands: set[str]
) -> None:
    found = [
        f"{block.where}: ```{block.language} block {problem}"
        for block in blocks_of(page)
        for problem in problems_of(block, make_targets, subcommands)
    ]
    assert not found, "\n".join(found)


def test_every_example_file_is_shown_and_checked() -> None:
    """An example no page includes is dead; one no test names is unchecked."""
    included = {path.split(":")[0] for block in all_blocks() for path in block.includes}
    tests = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (REPO / "tests" / "docs").glob("test_*.py")
    )
    examples = sorted(
        path
        for path in EXAMPLES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    unshown = [path for path in examples if str(path.relative_to(REPO)) not in included]
    unchecked = sorted(
        {path.relative_to(EXAMPLES).parts[0] for path in examples}
        - set(re.findall(r"examples/([\w-]+)", tests))
    )
    assert not unshown, f"files under docs/examples that no page includes: {unshown}"
    assert not unchecked, (
        f"directories of docs/examples that no test in tests/docs names: {unchecked}"
    )


# --- the checks themselves catch what they are for ------------------------------------


def _block(language: str, text: str, title: str | None = None) -> Block:
    return Block(
        page=REPO / "docs" / "content" / "x.md",
        line=1,
        language=language,
        title=title,
        text=text,
    )


@pytest.mark.parametrize(
    ("block", "complaint"),
    [
        (_block("python", "def broken(:\n"), "not valid Python"),
        (
            _block("python", "import os\n\ndef main() -> None:\n    print(os.sep)\n"),
            "complete module",
        ),
        (_block("proto", 'syntax = "proto3";\npackage a.v1;\n'), "whole .proto"),
        (_block("go", "package main\n"), "whole Go file"),
        (_block("yaml", "a: [\n"), "not valid YAML"),
        (_block("sh", "make no-such-target\n"), "does not define"),
        (_block("sh", "nexusproto no-such-command x\n"), "not a subcommand"),
        (_block("python", "print(1)\n", title="x.py"), "is a whole file"),
        (
            _block("python", '--8<-- "docs/examples/missing.py"\n', title="x.py"),
            "missing file",
        ),
        (
            _block("python", '--8<-- "tests/docs/test_code_blocks.py:no-such"\n'),
            "has no start:no-such marker",
        ),
    ],
)
def test_the_checks_refuse_what_they_are_for(
    block: Block, complaint: str, make_targets: set[str], subcommands: set[str]
) -> None:
    assert any(
        complaint in problem
        for problem in problems_of(block, make_targets, subcommands)
    )


@pytest.mark.parametrize(
    "block",
    [
        _block("python", "result = await client.process_payment(request)\n"),
        _block("python", "from payments.v1 import payments_nexus\n"),
        _block("proto", "rpc Charge(ChargeRequest) returns (ChargeResponse);\n"),
        _block("sh", "make test\nnexusproto describe payments\n"),
        _block("yaml", "version: v2\n"),
    ],
)
def test_the_checks_let_fragments_through(
    block: Block, make_targets: set[str], subcommands: set[str]
) -> None:
    assert problems_of(block, make_targets, subcommands) == []
