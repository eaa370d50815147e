"""The web view in a real browser: Debian's chromium, driven by Playwright, on loopback.

Never ``playwright install``: the tests launch the system's ``/usr/bin/chromium``
(``apt-get install chromium``; tests/run.sh installs it). Screenshots of the pages are
written under the test's temporary directory (``LINEAGE_SCREENSHOTS=DIR`` keeps them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.server import create_app
from tests.conftest import need

from .test_server import running
from .test_web import MIX, web_store  # noqa: F401 - the store fixture

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    need(exe is not None, "Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -e '.[browser]')")
        raise
    # Playwright gives every launch a fresh temporary profile (--user-data-dir).
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def site(web_store: Path) -> Iterator[str]:  # noqa: F811 - the fixture imported above
    app = create_app(web_store, timeout=60, max_rows=200, workers=1)
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kept = os.environ.get("LINEAGE_SCREENSHOTS")
    folder = Path(kept) if kept else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    # A dialog means card text ran as script; a console error may be a CSP violation.
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on("console", lambda m: problems.append(f"console: {m.text}")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield tab
    context.close()
    assert problems == []


def test_home_search_finds_a_model(page, shots):
    page.goto("/")
    assert page.title().startswith("Home")
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    page.fill("#home-search", "owl mega")
    page.press("#home-search", "Enter")
    page.wait_for_url("**/models?q=owl+mega")
    link = page.get_by_role("link", name="nightowl/Owl-Mega-7B", exact=True)
    assert link.count() == 1
    page.screenshot(path=str(shots / "search.png"), full_page=True)
    link.click()
    page.wait_for_url("**/model/nightowl/Owl-Mega-7B")
    assert page.inner_text("#model-id").startswith("nightowl/Owl-Mega-7B")


def test_a_click_on_a_diagram_node_opens_its_page(page, shots):
    page.goto(f"/model/{MIX}")
    diagram = page.locator("#diagram svg")
    assert diagram.is_visible()
    page.screenshot(path=str(shots / "model.png"), full_page=False)
    node = page.locator('#diagram svg a[href="/model/webtest/Base-Model"]')
    assert node.count() == 1
    node.click()
    page.wait_for_url("**/model/webtest/Base-Model")
    assert page.inner_text("#model-id").startswith("webtest/Base-Model")
    # and from there, the unresolved name's node opens the bare-name page
    page.goto(f"/model/{MIX}")
    page.locator('#diagram svg a[href*="tiny-sft-7b"]').click()
    page.wait_for_url("**/model?iri=*")
    assert page.inner_text("#model-id").startswith("/data/ckpt/tiny-sft-7b")


def test_card_markup_never_runs(page):
    page.goto("/model/webtest/Evil-Model")
    assert "<script>alert(\"card\")</script>" in page.inner_text("main")
    assert page.locator("main img").count() == 0  # the card's <img onerror> is text


def test_named_query_form_results_and_share_link(page, shots):
    page.goto("/queries")
    page.get_by_role("link", name="ancestors", exact=True).click()
    page.fill('input[name="model"]', MIX)
    page.click('#params button[type="submit"]')
    page.wait_for_selector("#results")
    assert "/queries/ancestors?model=webtest%2FMix-7B&run=1" in page.url
    rows = page.locator("#results tbody tr").count()
    assert rows >= 2
    page.screenshot(path=str(shots / "query.png"), full_page=True)
    share = page.get_attribute("#share", "href")
    assert share is not None
    page.goto(share)  # the shared link gives the same answer
    assert page.locator("#results tbody tr").count() == rows
    page.locator('#results a[href="/model/webtest/Base-Model"]').first.click()
    page.wait_for_url("**/model/webtest/Base-Model")


def test_sparql_page_runs_its_script_under_the_policy(page):
    page.goto("/query")
    page.click('#form button[type="submit"]')
    page.wait_for_selector("#out table")
    assert "rows" in page.inner_text("#note")
    page.locator('#out a[href^="model/"]').first.click()
    page.wait_for_url("**/model/**")
    assert page.locator("#model-id").count() == 1
