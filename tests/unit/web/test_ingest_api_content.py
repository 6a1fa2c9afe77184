"""The ingest API answers every content problem with a per-item reason, never a 5xx (issue 14 rows 4, 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from newsmon.config import Settings
from newsmon.web import ingest_api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app
from tests.unit.ingest.fakes import FakeProducer

TOKEN = "unit-test-token-0123456789abcdef0123"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
GOOD = {"title": "Harbour reopens", "body": "The harbour reopened on Monday after the storm.", "language": "en"}


def with_nested_extra(article: dict[str, str], depth: int) -> bytes:
    """``article`` plus an ``extra`` field nested ``depth`` arrays deep (orjson cannot encode past 254)."""
    return orjson.dumps(article)[:-1] + b',"extra":' + b"[" * depth + b'"x"' + b"]" * depth + b"}"


@pytest_asyncio.fixture
async def api() -> AsyncIterator[tuple[TestClient, FakeProducer]]:
    prod = FakeProducer()
    ctx = WebContext(api_token=TOKEN, extras={ingest_api.SETTINGS_EXTRA: Settings(), ingest_api.PRODUCER_EXTRA: prod})
    app = build_web_app(ctx, modules=[ingest_api.add_routes])
    async with TestClient(TestServer(app)) as c:
        yield c, prod


@pytest.mark.parametrize("depth", [254, 300, 1000])
async def test_ingest_api__deeply_nested_extra_field_alone_is_422_not_500(api, depth: int) -> None:
    client, prod = api
    body = with_nested_extra(GOOD, depth)
    resp = await client.post(ingest_api.PATH, data=body, headers=AUTH)
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"] == "too_deep"
    assert prod.sent == []


async def test_ingest_api__deeply_nested_item_is_rejected_alone_beside_a_good_article(api) -> None:
    client, prod = api
    body = b"[" + with_nested_extra(GOOD, 500) + b"," + orjson.dumps(GOOD) + b"]"
    resp = await client.post(ingest_api.PATH, data=body, headers=AUTH)
    assert resp.status == 202, await resp.text()
    out = await resp.json()
    assert [a["index"] for a in out["accepted"]] == [1]
    assert [(r["index"], r["reason"]) for r in out["rejected"]] == [(0, "too_deep")]
    assert len(prod.sent) == 1


@pytest.mark.parametrize(
    ("url", "why"),
    [("http://example.org:99999/a", "port out of range"), ("http://[::1/a", "broken IPv6 host")],
)
async def test_ingest_api__url_that_cannot_be_parsed_is_422_naming_url(api, url: str, why: str) -> None:
    client, _ = api
    resp = await client.post(ingest_api.PATH, data=orjson.dumps({**GOOD, "url": url}), headers=AUTH)
    assert resp.status == 422, why
    out = await resp.json()
    assert out["field"] == "url"


async def test_ingest_api__whole_body_nested_past_the_parser_limit_is_400(api) -> None:
    client, _ = api
    resp = await client.post(ingest_api.PATH, data=b"[" * 5000 + b"]" * 5000, headers=AUTH)
    assert resp.status == 400


@pytest.mark.parametrize(
    ("extra", "field"), [({"language": "<script>"}, "language"), ({"published": 1e297}, "published")]
)
async def test_ingest_api__untrusted_language_or_published_is_422_naming_the_field(api, extra, field: str) -> None:
    client, prod = api
    resp = await client.post(ingest_api.PATH, data=orjson.dumps({**GOOD, **extra}), headers=AUTH)
    assert resp.status == 422
    out = await resp.json()
    assert out["error"] == "invalid_field" and out["field"] == field and prod.sent == []
