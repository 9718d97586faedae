"""The documentation site, built strictly and opened in a real browser.

The site is built again here with warnings as errors, served over HTTP from a
local port, and opened in headless Chromium (Debian's, or the Chrome a CI runner has, driven by
Playwright):
starting from the landing page, the test follows the navigation the browser
shows to every page of mkdocs.yml's nav, clicks through to the tutorial, searches,
and writes a screenshot of the landing page to build/docs-screenshots/ for review.

Without Chromium the browser tests skip; NEXUSPROTO_REQUIRE_BROWSER=1 (CI) makes
that a failure. `make browser` installs Debian's chromium where apt can.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from mkdocs.config import load_config
from playwright.sync_api import sync_playwright
from support.protoc import BIN, REPO

CONFIG = REPO / "docs" / "mkdocs.yml"
SCREENSHOTS = REPO / "build" / "docs-screenshots"
# A blank or failed render is a few kilobytes; the landing page is far more.
RENDERED_BYTES = 10_000
# Chromium as root in a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def site_nav() -> list[Any]:
    """mkdocs.yml's nav, read by MkDocs itself (the file uses its tags, as `!relative`)."""
    return list(load_config(config_file=str(CONFIG))["nav"])


def nav_pages(nav: list[Any]) -> list[str]:
    """The Markdown files mkdocs.yml's nav lists, in order."""
    pages: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


def page_path(markdown: str) -> str:
    """The URL path MkDocs serves a page at (directory URLs)."""
    stem = markdown.removesuffix(".md")
    if stem in {"index", "README"} or stem.endswith(("/index", "/README")):
        stem = stem.rpartition("/")[0]
    return f"/{stem}/" if stem else "/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-f", str(CONFIG), "-d", str(out)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    found = (
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
    )
    chromium = next((path for path in found if path), None)
    if chromium is None:
        message = "Chromium is not installed (make browser installs Debian's)"
        if os.environ.get("NEXUSPROTO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def test_the_site_builds_with_every_nav_page(site: Path) -> None:
    nav = site_nav()
    missing = [
        page
        for page in nav_pages(nav)
        if not (site / page_path(page).strip("/") / "index.html").is_file()
    ]
    assert not missing, missing


def test_the_navigation_reaches_every_page(browser: Any, base_url: str) -> None:
    """Breadth-first over the links of the site's navigation, as a reader clicks."""
    nav = site_nav()
    expected = {page_path(page) for page in nav_pages(nav)}
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    seen: set[str] = set()
    queue = ["/"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base_url + path)
        assert response is not None and response.ok, (
            f"{path}: {response and response.status}"
        )
        assert page.locator("article h1").count() >= 1, f"{path} has no heading"
        for href in page.locator(
            "nav.md-nav--primary a.md-nav__link[href]"
        ).evaluate_all("links => links.map(link => link.href)"):
            target = urlparse(urljoin(page.url, href))
            if target.netloc == urlparse(base_url).netloc:
                queue.append(target.path)
    assert expected <= seen, (
        f"pages the navigation never reaches: {sorted(expected - seen)}"
    )
    assert not errors, errors


def test_a_reader_clicks_to_the_tutorial_and_searches(
    browser: Any, base_url: str
) -> None:
    page = browser.new_page()
    page.goto(base_url + "/")
    page.locator(
        "nav.md-nav--primary a.md-nav__link", has_text="Tutorial"
    ).first.click()
    page.wait_for_url("**/tutorial/")
    assert page.locator("article h1").first.inner_text().strip()

    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("workflow")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert results.count() >= 1


def test_the_landing_page_screenshot(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "/")
    page.wait_for_load_state("networkidle")
    assert "make demo" in page.locator("article").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "landing.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > RENDERED_BYTES
