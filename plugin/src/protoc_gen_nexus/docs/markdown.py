"""The one place that turns text from a contract into GitHub-flavoured Markdown.

Everything a proto author wrote (comments, names, option values) goes through
`escape`, so it renders as the literal text whatever it holds: pipes cannot
break a table, backticks cannot open code, HTML stays text, and a comment line
starting with `#` or `-` does not become a heading or a list. The other
functions build on it and never let unescaped text through.
"""

import posixpath
import re
from collections.abc import Iterable
from urllib.parse import quote

# Markdown gives these a meaning wherever they stand (`$` is GitHub's maths).
_SPECIAL_ANYWHERE = frozenset("\\`*[]<>|&~$")
# These open a block (heading, quote, list, setext underline) at a line start.
_SPECIAL_AT_LINE_START = frozenset("#>-+=")
_ORDERED_LIST_ITEM = re.compile(r"^(\d+)([.)])")


def escape(text: str) -> str:
    """`text` as Markdown that renders as exactly that text; its line breaks stay soft ones."""
    return "\n".join(_escape_line(line) for line in text.expandtabs(4).splitlines())


def _escape_line(line: str) -> str:
    out = []
    for index, char in enumerate(line):
        if char in _SPECIAL_ANYWHERE or (char == "_" and not _inside_word(line, index)):
            out.append("\\" + char)
        else:
            out.append(char)
    escaped = "".join(out)
    body = escaped.lstrip(" ")
    indent = escaped[: len(escaped) - len(body)]
    if body[:1] in _SPECIAL_AT_LINE_START:
        return indent + "\\" + body
    # `1. text` would start a numbered list.
    return indent + _ORDERED_LIST_ITEM.sub(r"\1\\\2", body, count=1)


def _inside_word(line: str, index: int) -> bool:
    """An underscore between letters or digits never starts or ends emphasis."""
    return 0 < index < len(line) - 1 and line[index - 1].isalnum() and line[index + 1].isalnum()


def paragraphs(text: str) -> list[str]:
    """The paragraphs of `text` (split at blank lines), each escaped, its lines without
    surrounding blanks (an indented line would start a code block)."""
    blocks = re.split(r"\n[ \t]*\n", text.strip())
    return [
        escape("\n".join(line.strip() for line in block.splitlines()))
        for block in blocks
        if block.strip()
    ]


def prose(text: str) -> str:
    """`text` as a block of paragraphs; empty when there is no text."""
    return "\n\n".join(paragraphs(text))


def cell(text: str) -> str:
    """`text` for a table cell, which must stay on one line."""
    return "<br><br>".join(one_line(block) for block in paragraphs(text))


def summary(text: str) -> str:
    """The first paragraph of `text`, on one line, for overview tables."""
    found = paragraphs(text)
    return one_line(found[0]) if found else ""


def code(text: str) -> str:
    """`text` in code style, on one line: a code span when nothing in it needs
    escaping there, else an HTML code element around the escaped text (inside a
    table, a code span cannot hold `|`; no span can hold a line break)."""
    if text and not (set(text) & set("`|\r\n")) and text == text.strip():
        return f"`{text}`"
    return f"<code>{one_line(escape(text))}</code>"


def link(label: str, target: str) -> str:
    """A link whose `label` is Markdown already (escaped or code)."""
    return f"[{label}]({target})"


def href(from_page: str, to_page: str, anchor: str) -> str:
    """The link from `from_page` to `anchor` on `to_page` (both relative to the output root)."""
    fragment = "#" + quote(anchor, safe="")
    if to_page == from_page:
        return fragment
    path = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return quote(path, safe="/") + (fragment if anchor else "")


def anchor(name: str) -> str:
    """An explicit link target; GitHub keeps it (prefixed with `user-content-`) and follows it."""
    return f'<a id="{quote(name, safe="")}"></a>'


def heading(level: int, text: str) -> str:
    return f"{'#' * level} {one_line(escape(text))}"


def one_line(markdown: str) -> str:
    """Escaped text with its line breaks made spaces, for places that end at a line break."""
    return " ".join(markdown.splitlines())


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table from cells that are Markdown already (built with `cell`, `code`, `link`)."""
    columns = list(header)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def banner(text: str) -> str:
    """An HTML comment, invisible when rendered: fixed text of ours, never the contract's."""
    return f"<!-- {text} -->"
