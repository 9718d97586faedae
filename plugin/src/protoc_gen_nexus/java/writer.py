"""JavaFile: the one place that writes Java source.

As protogen's `GeneratedFile` for Go: generators refer to `JavaIdent`s and never
write an import. The file decides once, for every class it uses, whether the
body names it by its simple name (imported, or visible without an import) or
fully qualified: a simple name is taken by at most one class, never by one the
file declares, and a `java.lang` class is qualified where a class of the file's
own package would shadow it. `string_literal` and `javadoc` are the two escaping
functions: one for Java strings, one for comments.
"""

from collections.abc import Iterable
from dataclasses import dataclass

JAVA_LANG = "java.lang"
_INDENT = "  "
_WIDTH = 100


@dataclass(frozen=True, order=True)
class JavaIdent:
    """A class: `JavaIdent("payments.v1", "Payments.Money")` (nested names keep their dots)."""

    package: str
    name: str

    @property
    def simple(self) -> str:
        """The name a single-type import makes visible: the innermost class's."""
        return self.name.rpartition(".")[2]

    @property
    def qualified(self) -> str:
        return f"{self.package}.{self.name}" if self.package else self.name


class JavaFile:
    def __init__(
        self,
        package: str,
        classes: Iterable[JavaIdent],
        declared: Iterable[str],
        package_classes: Iterable[str],
    ) -> None:
        """`classes` are all the classes the body may name; `declared` every type and
        field name the file declares; `package_classes` the top-level classes of the
        file's package (which shadow `java.lang`)."""
        self._package = package
        taken: dict[str, JavaIdent | None] = dict.fromkeys(declared)
        shadowing = set(package_classes)
        self._simple: set[JavaIdent] = set()

        def priority(ident: JavaIdent) -> tuple[int, str, str]:
            rank = 0 if ident.package == JAVA_LANG else 1 if ident.package == package else 2
            return rank, ident.package, ident.name

        for ident in sorted(set(classes), key=priority):
            if not ident.package:
                # The default package: nothing can be imported from it, its classes are
                # named as they are (only a file of that package uses them).
                taken.setdefault(ident.name.partition(".")[0], ident)
                continue
            if taken.get(ident.simple, ident) != ident:
                continue  # the simple name belongs to another class: qualify this one
            if ident.package == JAVA_LANG and ident.simple in shadowing:
                continue
            taken[ident.simple] = ident
            self._simple.add(ident)
        self._used: set[str] = set()
        self._lines: list[str] = []
        self._depth = 0

    def name(self, ident: JavaIdent) -> str:
        """How the body names `ident`: its simple name (imported if need be), or fully
        qualified."""
        if ident in self._simple:
            if "." in ident.name or ident.package not in (JAVA_LANG, self._package):
                self._used.add(ident.qualified)
            return ident.simple
        return ident.qualified

    def declaration(self, head: str, parameters: list[str], tail: str = " {") -> None:
        """`head(parameters)tail`, opening a body: on one line when it fits, else one
        parameter a line; a `throws` clause in `tail` gets a line of its own then."""
        one = f"{head}({', '.join(parameters)}){tail}"
        throws = tail.strip().startswith("throws")
        if self.fits(one) or not parameters:
            self.open(one)
            return
        if throws and self.fits(f"{head}({', '.join(parameters)})"):
            self.line(f"{head}({', '.join(parameters)})")
            self.indent()
            self.line(tail.strip())
            self.dedent()
            self._depth += 1
            return
        self.line(f"{head}(")
        self.indent()
        for index, parameter in enumerate(parameters):
            end = "," if index < len(parameters) - 1 else ")"
            if index == len(parameters) - 1 and not tail.strip().startswith("throws"):
                end += tail
            self.line(parameter + end)
        if tail.strip().startswith("throws"):
            self.line(tail.strip())
        self.dedent()
        self._depth += 1

    def call(self, head: str, arguments: list[str], tail: str = ";") -> None:
        """A statement `head(arguments)tail`: on one line when it fits, else the
        arguments on the next line, or one a line."""
        one = f"{head}({', '.join(arguments)}){tail}"
        if self.fits(one):
            self.line(one)
            return
        self.line(f"{head}(")
        self.indent()
        joined = f"{', '.join(arguments)}){tail}"
        if self.fits(joined):
            self.line(joined)
        else:
            for index, argument in enumerate(arguments):
                self.line(argument + ("," if index < len(arguments) - 1 else f"){tail}"))
        self.dedent()

    def fits(self, text: str) -> bool:
        """Whether `text` fits on a line at the current indentation."""
        return len(_INDENT * self._depth) + len(text) <= _WIDTH

    def line(self, text: str = "") -> None:
        self._lines.append(_INDENT * self._depth + text if text else "")

    def open(self, text: str) -> None:
        """A line ending in `{`, after which the body is indented."""
        self.line(text)
        self._depth += 1

    def close(self, text: str = "}") -> None:
        """End a body; a blank line just before the brace goes."""
        self._depth -= 1
        while self._lines and not self._lines[-1]:
            self._lines.pop()
        self.line(text)

    def indent(self) -> None:
        """Continuation lines of a statement, indented once more."""
        self._depth += 2

    def dedent(self) -> None:
        self._depth -= 2

    def doc(self, paragraphs: Iterable[str]) -> None:
        """A Javadoc comment of paragraphs (already escaped with `javadoc`): paragraphs
        after the first, and lines after a blank one, start with `<p>`; lines too long
        for the page are wrapped between words."""
        lines: list[str] = []
        for paragraph in paragraphs:
            if not paragraph:
                continue
            after_blank = bool(lines)
            if lines:
                lines.append("")
            for text in paragraph.splitlines():
                if not text:
                    lines.append("")
                    after_blank = True
                    continue
                lines.append("<p>" + text if after_blank else text)
                after_blank = False
        if not lines:
            return
        if len(lines) == 1 and self.fits(f"/** {lines[0]} */"):
            self.line(f"/** {lines[0]} */")
            return
        width = _WIDTH - len(_INDENT * self._depth) - 3
        self.line("/**")
        for text in lines:
            for wrapped in wrap(text, width).splitlines() or [""]:
                self.line(f" * {wrapped}".rstrip())
        self.line(" */")

    def render(self, header: list[str]) -> str:
        out = list(header)
        if self._package:
            out += [f"package {self._package};", ""]
        if self._used:
            out += [f"import {name};" for name in sorted(self._used)]
            out.append("")
        body = self._lines
        while body and not body[-1]:
            body = body[:-1]
        return "\n".join(out + body) + "\n"


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def string_literal(text: str) -> str:
    """`text` as a Java string literal that reads back exactly. Control characters are
    octal escapes, never `\\uXXXX`: javac turns those into the character before it
    reads the literal, so an escaped line break would end it."""
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


_JAVADOC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "\\": "&#92;", "*": "&#42;"}


def javadoc(text: str) -> str:
    """Proto comment text as Javadoc prose: HTML's special characters, `@` (a tag),
    `*` (`*/` would end the comment) and `\\` (javac reads `\\u` escapes even in
    comments) as entities; control characters dropped; lines stripped, and runs of
    blank lines made one."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = "".join(
            _JAVADOC.get(char, char)
            for char in raw.strip()
            if ord(char) >= 0x20 and ord(char) != 0x7F
        )
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def wrap(text: str, width: int = 92) -> str:
    """`text` as lines of at most `width` characters, broken between words only."""
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
