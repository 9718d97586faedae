"""TsFile: the one place that writes TypeScript source.

Generators refer to `TsIdent`s and never write an import: the file collects the
names it uses, gives each imported name a local name that no declaration of
the file, no other import and no reserved word takes (the name itself, else
`name$1`, `name$2`, ...), and renders one import statement per module, sorted,
with `type` on names used only as types. `string_literal` and `doc` are the only
ways text from a .proto file reaches the output.
"""

import re
from dataclasses import dataclass

from protoc_gen_nexus.ts.naming import RESERVED


@dataclass(frozen=True, order=True)
class TsIdent:
    """A name exported by a module: `TsIdent("nexus-rpc", "nexus", namespace=True)` is
    `import * as nexus from 'nexus-rpc'`; module "" is a name the file declares."""

    module: str
    name: str
    namespace: bool = False


WIDTH = 100
"""The column generated lines stay within where they can be broken."""


class TsFile:
    def __init__(self, declared: set[str], own_module: str = "") -> None:
        """`declared`: every top-level name the generated files of one .proto file declare,
        which other imports avoid; names imported from `own_module` (the definition file,
        which declares them) keep their names."""
        self._own_module = own_module
        self._taken = set(RESERVED) | declared
        self._local: dict[tuple[str, str], str] = {}
        self._value_use: set[tuple[str, str]] = set()
        self._lines: list[str] = []
        self._depth = 0

    def ident(self, ident: TsIdent, *, type_only: bool = False) -> str:
        """How the body refers to `ident`; `type_only` when the use is a type position."""
        if not ident.module:
            return ident.name
        key = (ident.module, "*" if ident.namespace else ident.name)
        local = self._local.get(key)
        if local is None and ident.module == self._own_module:
            local = self._local[key] = ident.name
        if local is None:
            local, number = ident.name, 0
            while local in self._taken:
                number += 1
                local = f"{ident.name}${number}"
            self._taken.add(local)
            self._local[key] = local
        if not type_only:
            self._value_use.add(key)
        return local

    def type(self, ident: TsIdent) -> str:
        return self.ident(ident, type_only=True)

    def line(self, text: str = "") -> None:
        self._lines.append("  " * self._depth + text if text else "")

    def items(self, head: str, items: list[str], tail: str) -> None:
        """`head` + items joined by ", " + `tail` on one line when it fits in WIDTH columns,
        else one item a line, each with a trailing comma, between `head` and `tail` (the
        layout prettier gives a call, a parameter list or an import). A `tail` ending in
        `{` opens a block, as `open` does."""
        one_line = f"{head}{', '.join(items)}{tail}"
        if len("  " * self._depth + one_line) <= WIDTH or not items:
            self.line(one_line)
        else:
            self.open(head.rstrip())
            for item in items:
                self.line(item + ",")
            self.close(tail.lstrip())
        if tail.endswith("{"):
            self._depth += 1

    def open(self, text: str) -> None:
        """A line ending in `{` (or `(`, `[`), after which the body is indented."""
        self.line(text)
        self._depth += 1

    def close(self, text: str = "}") -> None:
        self._depth -= 1
        self.line(text)

    def doc(self, text: str) -> None:
        """A TSDoc comment, one line per line of `text` (paragraphs kept)."""
        lines = doc_lines(text)
        if not lines:
            return
        if len(lines) == 1 and len("  " * self._depth + f"/** {lines[0]} */") <= WIDTH:
            self.line(f"/** {lines[0]} */")
            return
        self.line("/**")
        for line in lines:
            self.line(f" * {line}".rstrip())
        self.line(" */")

    def _imports(self) -> list[str]:
        by_module: dict[str, list[tuple[str, str]]] = {}
        for (module, name), local in self._local.items():
            by_module.setdefault(module, []).append((name, local))
        out = []
        for module in sorted(by_module, key=lambda m: (m.startswith("."), m)):
            names = by_module[module]
            namespaces = [(n, lo) for n, lo in names if n == "*"]
            for _, local in namespaces:
                out.append(f"import * as {local} from {string_literal(module)};")
            named = sorted((n, lo) for n, lo in names if n != "*")
            if not named:
                continue
            all_types = all((module, n) not in self._value_use for n, _ in named)
            parts = []
            for name, local in named:
                spelled = name if name == local else f"{name} as {local}"
                if not all_types and (module, name) not in self._value_use:
                    spelled = "type " + spelled
                parts.append(spelled)
            keyword = "import type" if all_types else "import"
            source = f" }} from {string_literal(module)};"
            if len(f"{keyword} {{ {', '.join(parts)}{source}") <= WIDTH:
                out.append(f"{keyword} {{ {', '.join(parts)}{source}")
            else:
                out += [f"{keyword} {{", *(f"  {part}," for part in parts), source.lstrip()]
        return out

    def render(self, header: list[str]) -> str:
        body = self._lines
        while body and not body[-1]:
            body = body[:-1]
        imports = self._imports()
        return "\n".join([*header, "", *imports, *([""] if imports else []), *body]) + "\n"


_ESCAPES = {"'": "\\'", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped_char(char: str, escapes: dict[str, str]) -> str:
    escaped = escapes.get(char)
    if escaped is not None:
        return escaped
    if char.isprintable() and char not in "\ufeff\u2028\u2029":
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\u{{{code:x}}}"


def string_literal(text: str) -> str:
    """`text` as a single-quoted TypeScript string literal that reads back exactly."""
    return "'" + "".join(_escaped_char(char, _ESCAPES) for char in text) + "'"


_TEMPLATE_ESCAPES = {"`": "\\`", "\\": "\\\\", "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def template_text(text: str) -> str:
    """`text` as literal text inside a template literal (backquotes, `${`, escapes)."""
    return "".join(_escaped_char(char, _TEMPLATE_ESCAPES) for char in text)


_AT = re.compile(r"(?<!\\)@")


def doc_lines(text: str) -> list[str]:
    """Comment text as TSDoc lines: `*/` cannot end the comment early, `@` cannot start a
    TSDoc tag, and control characters are shown as escapes; runs of blank lines become one."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _AT.sub("\\@", raw.rstrip().replace("*/", "*\\/"))
        line = "".join(
            char if char.isprintable() or char == " " else _escaped_char(char, {}) for char in line
        )
        if line.strip() or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def wrap(text: str, width: int = 90) -> str:
    """`text` as lines of at most `width` characters, broken between words only."""
    if len(text) <= width and "\n" not in text:
        return text
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)
