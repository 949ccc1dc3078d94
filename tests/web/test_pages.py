"""The browser's pages in process: structure, filters, errors, audiences, ETags."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from modelcatalog.api import CatalogState, create_app
from modelcatalog.catalog.lifecycle import frozen_clock
from modelcatalog.settings import Settings
from modelcatalog.web import page_routes
from tests.api.catalogs import (
    BETA,
    DEFAULT,
    IMAGE,
    RETIRING,
    SLASHED,
    SUCCESSOR,
    snapshot_of,
    write_catalog,
)
from tests.api.conftest import BETA_KEY, bearer
from tests.web.html import structure

pytestmark = pytest.mark.anyio

PAGES = [
    "/",
    "/?q=qwen&type=text&cap=reasoning&sort=-input-price",
    "/?per_page=25&page=1&deprecated=no&privacy=private",
    f"/models/{DEFAULT}",
    f"/models/{DEFAULT}?input_tokens=1000&output_tokens=200",
    f"/models/{IMAGE}",
    f"/models/{SLASHED}",
    f"/models/{RETIRING}",
    f"/compare?ids={DEFAULT},{RETIRING},{IMAGE}",
    "/compare",
    "/changes",
    "/models/no-such-model",
    "/?sort=cheapest",
]


def ids_on(page: str) -> list[str]:
    """The model ids of a catalog page's result rows, in order."""
    return re.findall(r'name="ids" value="([^"]+)"', page)


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_is_a_labelled_html5_document(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code < 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = structure(response.text)
    assert page.doctype.lower() == "doctype html"
    assert page.lang == "en"
    assert len(page.titles) == 1 and page.titles[0]
    assert [level for level, _ in page.headings].count(1) == 1
    assert page.unlabelled() == []
    assert page.duplicate_ids() == []
    assert page.external == []
    assert page.unclosed == []


async def test_the_catalog_lists_what_the_api_lists(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/api/v1/models", params={"type": "all"})).json()["data"]
    page = await client.get("/", params={"per_page": "200"})
    assert ids_on(page.text) == [m["id"] for m in listed]
    assert BETA not in page.text


async def test_filters_search_and_sort(client: httpx.AsyncClient) -> None:
    tts = await client.get("/", params={"type": "tts"})
    listed = (await client.get("/api/v1/models", params={"type": "tts"})).json()["data"]
    assert ids_on(tts.text) == [m["id"] for m in listed]
    found = await client.get("/", params={"q": "  GPT-4O "})  # an alias, in any case
    assert ids_on(found.text) == [DEFAULT]
    text = (await client.get("/api/v1/models")).json()["data"]
    prices = {m["id"]: m["model_spec"]["pricing"]["input"]["usd"] for m in text}
    dearest = await client.get("/", params={"type": "text", "sort": "-input-price"})
    assert ids_on(dearest.text) == sorted(prices, key=lambda i: -prices[i])
    coders = await client.get("/", params={"cap": ["code", "function-calling"]})
    assert ids_on(coders.text) and all(
        m["model_spec"]["capabilities"]["optimizedForCode"]
        for m in text
        if m["id"] in ids_on(coders.text)
    )


async def test_counts_say_what_choosing_a_value_would_show(client: httpx.AsyncClient) -> None:
    page = (await client.get("/", params={"type": "text"})).text
    counted = re.search(r'value="tts"> tts <span class="count">\((\d+)\)', page)
    assert counted is not None
    tts = await client.get("/", params={"type": "tts"})
    assert int(counted.group(1)) == len(ids_on(tts.text))


async def test_pages_link_the_next_page_and_a_filtered_view_is_a_link(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/", params={"per_page": "25", "type": "text"})
    everything = await client.get("/", params={"per_page": "200"})
    assert len(ids_on(first.text)) <= 25
    if len(ids_on(everything.text)) > 25:
        assert 'rel="next"' in first.text


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"type": "bogus"}, "type"),
        ({"cap": "telepathy"}, "cap"),
        ({"q": "x" * 201}, "q"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1000000000000"}, "page"),
        ({"page": "99"}, "page"),
        ({"per_page": "7"}, "per_page"),
        ({"beta": "maybe"}, "beta"),
        ({"sort": ["name", "created"]}, "sort"),
    ],
)
async def test_a_bad_parameter_is_a_400_page_naming_it(
    client: httpx.AsyncClient, query: dict[str, str], parameter: str
) -> None:
    response = await client.get("/", params=query)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>400: Invalid request parameters</h1>" in response.text
    assert f"<code>{parameter}</code>" in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("ids", ["", DEFAULT, f"{DEFAULT},{DEFAULT}", ",".join("abcde")])
async def test_compare_takes_two_to_four_models(client: httpx.AsyncClient, ids: str) -> None:
    response = await client.get("/compare", params={"ids": ids})
    assert response.status_code == 400
    assert "<code>ids</code>" in response.text


async def test_compare_marks_the_fields_that_differ(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare", params={"ids": f"{DEFAULT},{SUCCESSOR}"})
    assert response.status_code == 200
    rows = re.findall(r'<tr( class="differs")?><th scope="row"><code>([^<]+)</code>', response.text)
    differing = {path for marked, path in rows if marked}
    assert "id" in differing and "object" not in differing
    assert "model_spec.pricing.input.usd" in {path for _, path in rows}


@pytest.mark.parametrize("path", [f"/models/{BETA}", f"/models/no-such-{BETA}"])
async def test_a_missing_model_is_the_apis_404(client: httpx.AsyncClient, path: str) -> None:
    model_id = path.removeprefix("/models/")
    api = await client.get(f"/api/v1/models/{model_id}")
    page = await client.get(path)
    assert page.status_code == api.status_code == 404
    assert f"<h1>404: {api.json()['error']}</h1>" in page.text


async def test_a_removed_model_is_the_apis_410_and_links_its_replacement(tmp_path: Path) -> None:
    settings = Settings.load()
    after_removal = frozen_clock(datetime(2027, 3, 1, tzinfo=UTC))
    state = CatalogState(snapshot_of(write_catalog(tmp_path)), after_removal)
    app = create_app(settings, state, groups=[page_routes])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        api = await c.get(f"/api/v1/models/{RETIRING}")
        page = await c.get(f"/models/{RETIRING}")
    assert page.status_code == api.status_code == 410
    assert api.json()["error"] in page.text
    assert f'href="/models/{SUCCESSOR}"' in page.text


async def test_a_deprecated_model_shows_the_apis_warning_and_its_timeline(
    client: httpx.AsyncClient,
) -> None:
    api = await client.get(f"/api/v1/models/{RETIRING}")
    page = await client.get(f"/models/{RETIRING}")
    warning = api.headers["x-venice-model-deprecation-warning"]
    assert warning in page.text
    assert f'<a href="/models/{SUCCESSOR}">{SUCCESSOR}</a>' in page.text
    assert "2027-02-01" in page.text


async def test_the_model_page_shows_every_price_of_the_record(client: httpx.AsyncClient) -> None:
    record = (await client.get(f"/api/v1/models/{DEFAULT}")).json()
    page = (await client.get(f"/models/{DEFAULT}")).text
    pricing = record["model_spec"]["pricing"]
    for name, label in (("input", "Input"), ("output", "Output")):
        usd = pricing[name]["usd"]
        assert re.search(rf"<th scope=\"row\">{label}</th><td>\$[0-9.,]+</td>", page)
        assert f"${usd:g}" in page or f"${usd}" in page


async def test_the_calculator_quotes_what_the_quote_api_quotes(client: httpx.AsyncClient) -> None:
    usage = {"input_tokens": "123456", "output_tokens": "7890"}
    api = await client.post(
        f"/api/v1/models/{DEFAULT}/quote", json={k: int(v) for k, v in usage.items()}
    )
    page = await client.get(f"/models/{DEFAULT}", params=usage)
    assert page.status_code == 200
    body = api.json()
    assert f"<td>${body['usd']}</td><td>{body['diem']}</td></tr></tfoot>" in page.text
    for item in body["items"]:
        assert f"${item['usd']}" in page.text


@pytest.mark.parametrize(
    ("usage", "status"),
    [({"input_tokens": "-5"}, 400), ({"input_tokens": "1.5"}, 400), ({"images": "1"}, 422)],
)
async def test_a_usage_the_api_refuses_is_refused_alike(
    client: httpx.AsyncClient, usage: dict[str, str], status: int
) -> None:
    page = await client.get(f"/models/{DEFAULT}", params=usage)
    assert page.status_code == status
    assert 'class="error" role="alert"' in page.text
    if status == 422:
        api = await client.post(f"/api/v1/models/{DEFAULT}/quote", json={"images": 1})
        assert api.status_code == 422
        assert api.json()["error"].replace("'", "&#39;") in page.text


async def test_beta_models_are_for_beta_keys(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/", params={"per_page": "200"})
    keyed = await client.get("/", params={"per_page": "200"}, headers=bearer(BETA_KEY))
    assert BETA not in anonymous.text and BETA in ids_on(keyed.text)
    assert (await client.get(f"/models/{BETA}", headers=bearer(BETA_KEY))).status_code == 200
    compared = await client.get("/compare", params={"ids": f"{DEFAULT},{BETA}"})
    assert compared.status_code == 404
    assert keyed.headers["cache-control"].startswith("private")
    assert anonymous.headers["cache-control"].startswith("public")


async def test_the_catalog_has_an_etag_and_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/", params={"type": "text"})
    etag = first.headers["etag"]
    again = await client.get("/", params={"type": "text"}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await client.get("/", params={"type": "tts"}, headers={"if-none-match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    assert "Authorization" in first.headers["vary"]


async def test_a_file_catalog_says_it_has_no_history(client: httpx.AsyncClient) -> None:
    changes = await client.get("/changes")
    assert changes.status_code == 200 and "keep no history" in changes.text
    model = await client.get(f"/models/{DEFAULT}")
    assert "keep no history" in model.text


@pytest.mark.parametrize("name", ["style.css", "enhance.js"])
async def test_assets_are_served_by_the_service(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status_code == 200 and response.headers["etag"]
    assert (await client.get("/static/other.css")).status_code == 404
