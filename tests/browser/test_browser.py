"""The browser's pages in Chromium: load, filter, search, sort, open, quote, compare, feed.

Each test fails on a console error or a failed request (the ``page`` fixture).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import feedparser  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import REPLACEMENT, REPRICED, RETIRED

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]


def result_ids(page: Page) -> list[str]:
    values = page.locator('table.models input[name="ids"]').evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )
    return [str(v) for v in values]


def test_the_catalog_loads_with_every_model_on_pages(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title(re.compile(r"Model catalog \(\d+ models\)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Model catalog")
    assert 0 < len(result_ids(page)) <= 50


def test_a_filter_applies_when_it_is_ticked(page: Page) -> None:
    page.goto("/")
    page.get_by_label("tts", exact=False).first.check()
    page.wait_for_url(re.compile(r"type=tts"))
    ids = result_ids(page)
    assert ids and all(
        page.locator(f'tr:has(input[value="{i}"]) td').nth(1).inner_text() == "tts" for i in ids
    )


def test_search_finds_by_name_and_alias(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Search id, name, description, traits and aliases").fill("opus")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=opus"))
    assert REPRICED in result_ids(page)


def test_sorting_by_price_orders_the_rows(page: Page) -> None:
    page.goto("/?type=text")
    page.get_by_label("Sort by").select_option("-input-price")
    page.wait_for_url(re.compile(r"sort=-input-price"))
    prices = page.locator("table.models tbody tr td:nth-child(4)").all_inner_texts()
    values = [float(re.sub(r"[$,]", "", p.split()[0])) for p in prices]
    assert values == sorted(values, reverse=True)


def test_opening_a_model_and_quoting_with_the_api(page: Page) -> None:
    page.goto("/?q=opus")
    page.get_by_role("link", name=re.compile("Claude Opus")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Claude Opus")
    page.get_by_label("Input tokens").fill("100000")
    page.get_by_label("Output tokens").fill("100000")
    with page.expect_response(re.compile(r"/api/v1/models/.+/quote$")) as answered:
        page.get_by_role("button", name="Quote").click()
    assert answered.value.status == 200
    total = page.locator("#quote-result tfoot")
    # $5 (repriced) and $30 per million tokens in and out, below the extended context tier.
    expect(total).to_contain_text("$3.5")


def test_the_calculator_works_without_javascript(new_page: NewPage) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"/models/{REPRICED}")
    page.get_by_label("Input tokens").fill("100000")
    page.get_by_role("button", name="Quote").click()
    page.wait_for_url(re.compile(r"input_tokens=100000"))
    expect(page.locator("#quote-result tfoot")).to_contain_text("$0.5")


def test_comparing_two_models_from_the_catalog(page: Page) -> None:
    page.goto("/?type=text")
    boxes = page.locator('table.models input[name="ids"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare selected (2 to 4)").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    expect(page.locator("table.compare thead th")).to_have_count(3)
    assert page.locator("tr.differs").count() > 0


def test_the_changelog_and_the_feed(page: Page) -> None:
    page.goto("/changes")
    expect(page.locator("#v2")).to_contain_text("1 repriced")
    expect(page.locator("#v3")).to_contain_text(RETIRED)
    # As a feed reader fetches it (a browser showing the XML would also ask for a favicon).
    page.get_by_role("link", name="Subscribe to the Atom feed").wait_for()
    response = page.request.get("/changes.atom")
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo and feed.entries[0].title == "Catalog version 3: 1 deprecated"


def test_a_model_page_shows_its_history_and_replacement(page: Page) -> None:
    page.goto(f"/models/{REPRICED}")
    expect(page.locator("svg.chart")).to_be_visible()
    page.goto(f"/models/{RETIRED}")
    page.get_by_role("link", name=REPLACEMENT).click()
    page.wait_for_url(re.compile(REPLACEMENT))


@pytest.mark.parametrize("path", ["/", f"/models/{REPRICED}", "/changes", "/compare"])
def test_pages_fit_a_360_pixel_screen(new_page: NewPage, path: str) -> None:
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360, f"{path} is {overflow} px wide"


def test_dark_mode_follows_the_system(new_page: NewPage) -> None:
    dark = new_page(color_scheme="dark")
    dark.goto("/")
    light = new_page(color_scheme="light")
    light.goto("/")
    script = "getComputedStyle(document.body).backgroundColor"
    assert dark.evaluate(script) != light.evaluate(script)
    channels = [int(c) for c in re.findall(r"\d+", dark.evaluate(script))[:3]]
    assert max(channels) < 64


def test_the_keyboard_reaches_the_search_and_the_results(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    reached: set[str] = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "q" in reached and "cmp-1" in reached
