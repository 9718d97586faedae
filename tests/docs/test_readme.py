"""The README is the front door: short, the two commands first, and every link into
the documentation site (and the rest of the repository) lands on a file and heading
that exist. The site's own links are checked by `mkdocs build --strict`; the README
is not part of the site, so this test checks its links the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from markdown.extensions.toc import slugify
from support.protoc import REPO

README = REPO / "README.md"
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)(?:\s+\{#(?P<id>[\w-]+)\})?\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")

# What a newcomer reads in a few minutes; the site holds the rest.
MOST_BYTES = 8_000


def _outside_fences(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors_of(page: Path) -> set[str]:
    """The anchors MkDocs (Python-Markdown's toc) gives the headings of a page."""
    found = set()
    for line in _outside_fences(page.read_text(encoding="utf-8")):
        heading = HEADING.match(line)
        if heading:
            found.add(heading["id"] or slugify(heading["title"].replace("`", ""), "-"))
    return found


def relative_links(page: Path) -> list[str]:
    text = "\n".join(_outside_fences(page.read_text(encoding="utf-8")))
    return [
        match["target"]
        for match in LINK.finditer(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", match["target"])
    ]


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors_of(resolved):
            broken.append(
                f"{target}: no heading with anchor #{anchor} in {path or page.name}"
            )
    return broken


def test_the_readme_is_short_and_leads_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) <= MOST_BYTES, (
        f"README.md is {len(text.encode())} bytes: move detail into docs/content"
    )
    headings = [line for line in _outside_fences(text) if line.startswith("## ")]
    assert headings[0] == "## The two commands"
    commands = text.split("## The two commands", 1)[1]
    assert "make demo" in commands and "make test" in commands


def test_every_readme_link_lands() -> None:
    assert not broken_links(README), "\n".join(broken_links(README))


def test_the_readme_links_into_each_part_of_the_site() -> None:
    targets = {target.partition("#")[0] for target in relative_links(README)}
    for part in ("tutorial.md", "how-to/", "reference/"):
        assert any(target.startswith(f"docs/content/{part}") for target in targets), (
            part
        )


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[gone](docs/content/no-such-page.md)", "no such file"),
        ("[gone](docs/content/index.md#no-such-heading)", "no heading with anchor"),
    ],
)
def test_a_broken_link_is_found(tmp_path: Path, link: str, problem: str) -> None:
    page = tmp_path / "README.md"
    page.write_text(f"# Title\n\nSee {link}.\n", encoding="utf-8")
    (tmp_path / "docs" / "content").mkdir(parents=True)
    (tmp_path / "docs" / "content" / "index.md").write_text("# Home\n\n## Present\n")
    found = broken_links(page)
    assert len(found) == 1 and problem in found[0]


def test_anchors_follow_the_site(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Run the demo against a real cluster\n\n```sh\n# not a heading\n```\n"
        "## The `nexusproto` command {#cli}\n"
    )
    assert anchors_of(page) == {"run-the-demo-against-a-real-cluster", "cli"}


def test_the_readme_names_the_option_protos_module_buf_users_depend_on() -> None:
    """How buf users depend on the option protos: the module's name as its buf.yaml
    declares it, and the page on depending on it."""
    module = REPO / "python" / "src" / "nexusproto" / "proto" / "buf.yaml"
    (name,) = [
        m["name"] for m in yaml.safe_load(module.read_text(encoding="utf-8"))["modules"]
    ]
    text = README.read_text(encoding="utf-8")
    assert f"`{name}`" in text
    assert "docs/content/how-to/buf-module.md" in relative_links(README)
