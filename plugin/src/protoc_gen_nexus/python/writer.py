"""PythonFile: the one place that writes Python source.

Generators never write an import or quote a string themselves. They declare
the modules they use, then refer to `Ident`s; the file picks import aliases
that avoid every name the file defines, keywords and builtins, and renders
the imports, grouped and sorted, in front of the body. Output is formatted
the way `ruff format` formats it, so that the check passes unchanged.
"""

import builtins
import keyword
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


@dataclass(frozen=True, order=True)
class Module:
    path: str

    @property
    def is_stdlib(self) -> bool:
        return self.path.partition(".")[0] in sys.stdlib_module_names


@dataclass(frozen=True)
class Ident:
    """A name defined in a module: `Ident(Module("payments.v1.payments_pb2"), "Money")`."""

    module: Module
    name: str


class PythonFile:
    def __init__(self, modules: Iterable[Module], defined_names: Iterable[str]) -> None:
        """Declare every module the body will use and every name it defines.

        Aliases are fixed here, before any line is written, so that the
        generators can measure lines; a module used but not declared is a bug.
        """
        self._taken = set(_RESERVED) | set(defined_names)
        self._aliases: dict[Module, str] = {}
        for module in sorted(set(modules)):
            alias = self._pick_alias(module)
            self._aliases[module] = alias
            self._taken.add(alias)
        self._used: set[Module] = set()
        self._refs: dict[tuple[str, str], str] = {}
        self._lines: list[str] = []
        self._depth = 0
        self._indent = ""

    def _pick_alias(self, module: Module) -> str:
        parts = module.path.split(".")
        candidates = ["_".join(parts[-n:]) for n in range(1, len(parts) + 1)]
        for candidate in candidates:
            if candidate not in self._taken:
                return candidate
        suffix = 2
        while f"{candidates[-1]}_{suffix}" in self._taken:
            suffix += 1
        return f"{candidates[-1]}_{suffix}"

    # References

    def module(self, module: Module) -> str:
        self._used.add(module)
        return self._aliases[module]

    def ref(self, ident: Ident) -> str:
        return self.ref_name(ident.module, ident.name)

    def ref_name(self, module: Module, name: str) -> str:
        # Hot: every annotation names a message or a library type. Strings hash
        # once and stay cached; a module is marked used the first time.
        key = (module.path, name)
        found = self._refs.get(key)
        if found is None:
            found = self._refs[key] = f"{self.module(module)}.{name}"
        return found

    # Body

    @property
    def indent(self) -> str:
        return self._indent

    def _set_depth(self, depth: int) -> None:
        self._depth = depth
        self._indent = INDENT * depth

    def line(self, text: str = "") -> None:
        self._lines.append(self._indent + text if text else "")

    def blank(self, count: int = 1) -> None:
        self._lines.extend([""] * count)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.line(header)
        with self.indented():
            yield

    @contextmanager
    def indented(self) -> Iterator[None]:
        self._set_depth(self._depth + 1)
        try:
            yield
        finally:
            self._set_depth(self._depth - 1)

    def fits(self, text: str) -> bool:
        return len(self._indent) + display_width(text) <= LINE_LENGTH

    def bracketed(self, head: str, items: list[str], tail: str, close: str = ")") -> None:
        """`head(a, b)tail` on one line when it fits, else one item a line with a trailing comma.

        The trailing comma makes ruff keep the exploded form as written.
        """
        open_ = head[-1]
        assert open_ in "([{"
        joined = f"{head}{', '.join(items)}{close}{tail}"
        if self.fits(joined):
            self.line(joined)
            return
        self.line(head)
        self._set_depth(self._depth + 1)
        indent = self._indent
        self._lines.extend([f"{indent}{item}," for item in items])
        self._set_depth(self._depth - 1)
        self._closing_line(close + tail)

    def _closing_line(self, text: str) -> None:
        """The line after exploded items, split where ruff splits it when it is too long.

        ruff breaks a too-long `) -> A[B]:` (a long message name in
        `NexusOperationHandle[...]`), or the same ending in a stub's `: ...`, inside
        its last subscript, and leaves other closing lines as they are.
        """
        end = next((end for end in ("]:", "]: ...") if text.endswith(end)), "")
        open_at = _last_subscript(text[: len(text) - len(end) + 2]) if end else -1
        if self.fits(text) or open_at < 0:
            self.line(text)
            return
        self.line(text[: open_at + 1])
        with self.indented():
            self.line(text[open_at + 1 : len(text) - len(end)])
        self.line(end)

    def docstring(self, text: str) -> None:
        for line in docstring_lines(text, self.indent):
            self._lines.append(line)

    # Output

    def render(self, header_comments: list[str], module_doc: str) -> str:
        out = [f"# {comment}".rstrip() for comment in header_comments]
        out.extend(docstring_lines(module_doc, ""))
        imports = self._render_imports()
        if imports:
            out.append("")
            out.extend(imports)
        body = list(self._lines)
        while body and not body[0]:
            body.pop(0)
        while body and not body[-1]:
            body.pop()
        if body:
            out.extend(["", ""] if body[0].startswith(("class ", "@", "def ")) else [""])
            out.extend(body)
        return "\n".join(out) + "\n"

    def _render_imports(self) -> list[str]:
        """Imports as isort (and ruff's `I` rules) lays them out: stdlib, then the rest."""
        groups: list[list[str]] = []
        for stdlib in (True, False):
            modules = sorted(m for m in self._used if m.is_stdlib == stdlib)
            lines = [
                f"import {m.path}"
                if self._aliases[m] == m.path
                else f"import {m.path} as {self._aliases[m]}"
                for m in modules
                if "." not in m.path
            ]
            by_parent: dict[str, list[tuple[str, str]]] = {}
            for module in modules:
                if "." in module.path:
                    parent, _, name = module.path.rpartition(".")
                    by_parent.setdefault(parent, []).append((name, self._aliases[module]))
            for parent in sorted(by_parent):
                statements = []
                plain = sorted(name for name, alias in by_parent[parent] if alias == name)
                if plain:
                    statements.append((plain[0], _from_import(parent, plain)))
                for name, alias in by_parent[parent]:
                    if alias != name:
                        statements.append((name, [f"from {parent} import {name} as {alias}"]))
                for _, statement in sorted(statements):
                    lines.extend(statement)
            if lines:
                groups.append(lines)
        return [line for group in _joined(groups) for line in group]


def _last_subscript(text: str) -> int:
    """Index of the `[` that the `]` before the final `:` of `text` closes, or -1."""
    depth = 0
    for index in range(len(text) - 2, -1, -1):
        if text[index] == "]":
            depth += 1
        elif text[index] == "[":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _from_import(parent: str, names: list[str]) -> list[str]:
    line = f"from {parent} import {', '.join(names)}"
    if display_width(line) <= LINE_LENGTH:
        return [line]
    return [f"from {parent} import (", *(f"{INDENT}{name}," for name in names), ")"]


def _joined(groups: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = []
    for group in groups:
        if out:
            out.append([""])
        out.append(group)
    return out


def display_width(text: str) -> int:
    """Columns `text` takes as ruff counts them: two for a wide (CJK) character,
    none for a combining mark, one otherwise."""
    if text.isascii():  # nearly every line: no per-character lookups
        return len(text)
    return sum(
        2
        if unicodedata.east_asian_width(ch) in ("W", "F")
        else 0
        if unicodedata.combining(ch)
        else 1
        for ch in text
    )


def string_literal(text: str) -> str:
    """A Python string literal of `text`, as ruff would write it."""
    quote = preferred_quote(text)
    return f"{quote}{string_body(text, quote)}{quote}"


def preferred_quote(text: str) -> str:
    """Ruff's choice: double quotes, unless the text holds more of them than single ones."""
    return "'" if text.count('"') > text.count("'") else '"'


def string_body(text: str, quote: str) -> str:
    """`text` escaped for a literal delimited by `quote`."""
    body = (
        text.replace("\\", "\\\\")
        .replace(quote, "\\" + quote)
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return "".join(
        ch
        if ch.isprintable() or ch == " "
        else f"\\u{ord(ch):04x}"
        if ord(ch) < 0x10000
        else f"\\U{ord(ch):08x}"
        for ch in body
    )


def docstring_lines(text: str, indent: str) -> list[str]:
    """Lines of a triple-quoted docstring holding `text`, escaped and formatted like ruff.

    Backslashes and quotes are escaped, so a comment can never end the string
    early or smuggle in an escape; tabs become spaces and trailing blanks are
    dropped, as ruff would do to the docstring anyway.
    """
    lines = [_docstring_text(line).rstrip() for line in text.expandtabs(4).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    lines[0] = lines[0].lstrip()
    # A quote right before the closing quotes would end the string early,
    # unless it is escaped already (as the last of an escaped `"""` is).
    body = lines[-1][:-1]
    if lines[-1].endswith('"') and (len(body) - len(body.rstrip("\\"))) % 2 == 0:
        lines[-1] = body + '\\"'
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}" if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def _docstring_text(line: str) -> str:
    line = line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if line.isprintable():
        # Nearly every line: nothing to escape, so skip the per-character pass.
        return line
    return "".join(
        ch
        if ch.isprintable() or ch == " "
        else f"\\x{ord(ch):02x}"
        if ord(ch) < 256
        else f"\\u{ord(ch):04x}"
        if ord(ch) < 0x10000
        else f"\\U{ord(ch):08x}"
        for ch in line
    )
