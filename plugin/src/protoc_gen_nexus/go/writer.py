"""GoFile: the one place that writes Go source.

As protogen's `GeneratedFile`: generators refer to `GoIdent`s, never write an
import; the file names each imported package (its own name, or a numbered one
when that is taken by another import or a name the file declares) and renders
one import block sorted by path, as gofmt leaves it. Lines are written already
formatted the way gofmt formats them (tabs, one statement per line), so
`gofmt -l` finds nothing to change.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from protoc_gen_nexus.go.naming import KEYWORDS, go_sanitized

PREDECLARED = frozenset(
    [
        "any",
        "append",
        "bool",
        "byte",
        "cap",
        "clear",
        "close",
        "comparable",
        "complex",
        "complex128",
        "complex64",
        "copy",
        "delete",
        "error",
        "false",
        "float32",
        "float64",
        "imag",
        "int",
        "int16",
        "int32",
        "int64",
        "int8",
        "iota",
        "len",
        "make",
        "max",
        "min",
        "new",
        "nil",
        "panic",
        "print",
        "println",
        "real",
        "recover",
        "rune",
        "string",
        "true",
        "uint",
        "uint16",
        "uint32",
        "uint64",
        "uint8",
        "uintptr",
    ]
)


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


@dataclass(frozen=True, order=True)
class GoImport:
    path: str
    name: str
    """The package's own name, as its `package` clause says."""


@dataclass(frozen=True)
class GoIdent:
    """A name declared in a Go package: `GoIdent(NEXUS, "NoValue")`; no package: local."""

    package: GoImport | None
    name: str


class GoFile:
    def __init__(
        self, import_path: str, imports: Iterable[GoImport], declared: Iterable[str]
    ) -> None:
        """`import_path` is the file's own package (its identifiers are written bare);
        `declared` holds every package-level name the file declares, which imports avoid."""
        self._own = import_path
        taken = set(KEYWORDS) | PREDECLARED | set(declared)
        self._names: dict[str, str] = {}
        for imported in sorted(set(imports)):
            if imported.path == import_path or imported.path in self._names:
                continue
            base = go_sanitized(imported.name)
            name, number = base, 1
            while name in taken:
                number += 1
                name = f"{base}{number}"
            taken.add(name)
            self._names[imported.path] = name
        self._used: set[str] = set()
        self._lines: list[str] = []
        self._depth = 0

    def ident(self, ident: GoIdent) -> str:
        """How the body refers to `ident`: qualified by its package's name unless local."""
        if ident.package is None or ident.package.path == self._own:
            return ident.name
        self._used.add(ident.package.path)
        return f"{self._names[ident.package.path]}.{ident.name}"

    def _import(self, path: str) -> str:
        """An import spec, named only where the name is not the path's last element."""
        name = self._names[path]
        if name == path.rpartition("/")[2]:
            return f'\t"{path}"'
        return f'\t{name} "{path}"'

    def line(self, text: str = "") -> None:
        self._lines.append("\t" * self._depth + text if text else "")

    def open(self, text: str) -> None:
        """A line ending in `{` (or `(`), after which the body is indented."""
        self.line(text)
        self._depth += 1

    def close(self, text: str = "}") -> None:
        self._depth -= 1
        self.line(text)

    def dedent(self) -> None:
        """End an indented run whose last line closed it (`handler.Op),`)."""
        self._depth -= 1

    def comment(self, text: str) -> None:
        """A `//` comment, one line per line of `text`; blank lines stay `//`. Go source
        holds no NUL and no byte order mark, so control characters are written as
        escapes (`\\x00`), as a Go string would show them."""
        for line in text.splitlines() or [""]:
            # gofmt turns doubled quotes into typographic ones in doc comments.
            line = _CONTROL.sub(_escaped, line).replace("``", "\u201c").replace("''", "\u201d")
            self.line(f"// {line}".rstrip() if line.strip() else "//")

    def render(self, header: list[str], package: str) -> str:
        out = [*header, "", f"package {package}", ""]
        standard = sorted(path for path in self._used if "." not in path.partition("/")[0])
        others = sorted(path for path in self._used if path not in standard)
        if self._used:
            out.append("import (")
            out.extend(self._import(path) for path in standard)
            if standard and others:
                out.append("")
            out.extend(self._import(path) for path in others)
            out += [")", ""]
        body = self._lines
        while body and not body[-1]:
            body = body[:-1]
        return "\n".join(out + body) + "\n"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string_literal(text: str) -> str:
    """`text` as a Go interpreted string literal: printable characters as they are,
    everything else escaped, so the literal is valid Go and reads back exactly."""
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char.isprintable() and char != "\ufeff":
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def doc_text(text: str, after_paragraph: bool = False) -> str:
    """`text` as gofmt leaves a doc comment: gofmt reformats doc comments (Go 1.19),
    turning indented lines into code blocks or lists and heading-like lines into
    `# Heading`s. Proto comments are prose, so their lines lose their indentation
    and runs of blank lines become one; a line gofmt would read as a heading is
    written as the heading it would become (`GoFile.comment` writes doubled quotes
    as the typographic ones gofmt makes of them). `after_paragraph`: the text follows
    another paragraph of the same comment, so its first line may be a heading too."""
    lines: list[str] = [""] if after_paragraph else []
    for line in text.splitlines():
        line = line.strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    first = 1 if after_paragraph else 0
    return "\n".join(
        f"# {line}" if _is_old_heading(lines, index) else line
        for index, line in enumerate(lines)
        if index >= first
    )


_NOT_IN_HEADING = set(';:!?+*/=[]{}_^°&§~%#@<">\\')


def _is_old_heading(lines: list[str], index: int) -> bool:
    """go/doc/comment's rule for a pre-Go 1.19 heading: a lone line between blank
    ones, capitalised, ending in a letter or digit, with little punctuation."""
    if index <= 0 or lines[index - 1] or index + 2 >= len(lines) or lines[index + 1]:
        return False
    line = lines[index]
    if not (line[0].isalpha() and line[0].isupper()) or not line[-1].isalnum():
        return False
    if _NOT_IN_HEADING.intersection(line):
        return False
    for after in line.split("'")[1:]:
        if after != "s" and not after.startswith("s "):
            return False
    return all(after and not after.startswith(" ") for after in line.split(".")[1:])


def wrap(text: str, width: int) -> str:
    """`text` as lines of at most `width` characters, broken between words only
    (a word longer than `width` gets a line of its own)."""
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
