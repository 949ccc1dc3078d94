"""Pages of a store-backed service: the changelog, its Atom feed, price history."""

from __future__ import annotations

import feedparser  # type: ignore[import-untyped]
import httpx
import pytest

from tests.web.conftest import REPLACEMENT, REPRICED, RETIRED
from tests.web.html import structure

pytestmark = pytest.mark.anyio


async def test_changes_list_each_version_with_what_it_changed(
    store_client: httpx.AsyncClient,
) -> None:
    response = await store_client.get("/changes")
    assert response.status_code == 200
    page = response.text
    assert page.index('id="v3"') < page.index('id="v2"') < page.index('id="v1"')
    version_2 = page[page.index('id="v2"') : page.index('id="v1"')]
    assert "1 repriced" in version_2 and REPRICED in version_2
    assert "<code>model_spec.pricing.input.usd</code>: 6 → 5" in version_2
    version_3 = page[page.index('id="v3"') : page.index('id="v2"')]
    assert "1 deprecated" in version_3 and REPLACEMENT in version_3
    assert "The first version" in page
    assert structure(page).unlabelled() == []


async def test_changes_page_through_older_versions(store_client: httpx.AsyncClient) -> None:
    older = await store_client.get("/changes", params={"before": "3"})
    assert 'id="v3"' not in older.text and 'id="v2"' in older.text
    for bad in ("0", "x", "9" * 30):
        refused = await store_client.get("/changes", params={"before": bad})
        assert refused.status_code == 400 and "<code>before</code>" in refused.text


async def test_the_feed_is_valid_atom_with_an_entry_per_version(
    store_client: httpx.AsyncClient,
) -> None:
    response = await store_client.get("/changes.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "Catalog version 3: 1 deprecated"
    assert titles[1] == "Catalog version 2: 1 repriced"
    assert feed.entries[1].link == "http://catalog.test/changes?before=3#v2"
    assert "model_spec.pricing.input.usd" in feed.entries[1].summary
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    again = await store_client.get(
        "/changes.atom", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304


async def test_a_file_catalogs_feed_is_valid_and_empty(client: httpx.AsyncClient) -> None:
    feed = feedparser.parse((await client.get("/changes.atom")).content)
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []


async def test_a_repriced_model_has_a_chart_and_a_table_of_its_prices(
    store_client: httpx.AsyncClient,
) -> None:
    page = (await store_client.get(f"/models/{REPRICED}")).text
    assert '<svg class="chart"' in page and '<title id="chart-title">' in page
    assert '<td>2</td><th scope="row">input</th><td>6</td><td>5</td>' in page
    steady = (await store_client.get(f"/models/{RETIRED}")).text
    assert "No price change since it entered the store" in steady


async def test_a_retired_model_links_its_replacement(store_client: httpx.AsyncClient) -> None:
    page = (await store_client.get(f"/models/{RETIRED}")).text
    assert f'Replaced by <a href="/models/{REPLACEMENT}">{REPLACEMENT}</a>' in page
