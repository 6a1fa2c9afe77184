"""The HTTP ingest API against the real Kafka broker: validation, ids, token, back-pressure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from newsmon.config import Settings
from newsmon.kafka_util import ensure_topics
from newsmon.web import ingest_api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app
from tests.integration.conftest import consume_all

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = {"title": "Quake hits coastal city", "body": "A strong earthquake struck the coastal city overnight.",
           "url": "https://example.org/quake?utm_source=x", "source": "Example Wire"}  # fmt: skip


@pytest_asyncio.fixture
async def client(settings: Settings, kafka_up: None) -> AsyncIterator[TestClient]:
    await ensure_topics(settings, [settings.topic_raw])
    ctx = WebContext(api_token=TOKEN, extras={ingest_api.SETTINGS_EXTRA: settings})
    app = build_web_app(ctx, modules=[ingest_api.add_routes])
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_ingest_api__single_article_is_published_and_its_id_returned(
    client: TestClient, settings: Settings
) -> None:
    resp = await client.post(ingest_api.PATH, json=ARTICLE, headers=AUTH)
    assert resp.status == 202, await resp.text()
    body = await resp.json()
    assert body["rejected"] == [] and len(body["accepted"]) == 1
    aid = body["accepted"][0]["id"]
    (raw,) = [orjson.loads(v) for v in await consume_all(settings, settings.topic_raw, expect=1)]
    assert raw["title"] == ARTICLE["title"] and raw["ingested_at"] > 0
    from newsmon.ingest.normalize import normalize_raw, validate_raw

    assert normalize_raw(validate_raw(raw)).id == aid


async def test_ingest_api__batch_answers_accepted_and_rejected_with_field_names(
    client: TestClient, settings: Settings
) -> None:
    batch = [
        ARTICLE,
        {"title": "no body"},
        {"body": "Fine text here.", "url": "ftp://example.org/x"},
        {"body": "Another fine article about the harvest.", "published": "yesterday"},
        {"body": "Second accepted article about rail strikes."},
    ]
    resp = await client.post(ingest_api.PATH, json={"articles": batch}, headers=AUTH)
    assert resp.status == 202
    body = await resp.json()
    assert [a["index"] for a in body["accepted"]] == [0, 4]
    rej = {r["index"]: r for r in body["rejected"]}
    assert rej[1]["reason"] == "missing_field" and rej[1]["field"] == "body"
    assert rej[2]["field"] == "url"
    assert rej[3]["field"] == "published"
    assert len(await consume_all(settings, settings.topic_raw, expect=2)) == 2


async def test_ingest_api__invalid_single_article_is_422_naming_the_field(client: TestClient) -> None:
    resp = await client.post(ingest_api.PATH, json={"body": 42}, headers=AUTH)
    assert resp.status == 422
    body = await resp.json()
    assert body["error"] == "invalid_field" and body["field"] == "body"


async def test_ingest_api__bad_json_and_empty_batch_are_400(client: TestClient) -> None:
    resp = await client.post(ingest_api.PATH, data=b"{not json", headers=AUTH)
    assert resp.status == 400 and (await resp.json())["error"] == "invalid_json"
    resp = await client.post(ingest_api.PATH, json=[], headers=AUTH)
    assert resp.status == 400


async def test_ingest_api__without_token_is_401(client: TestClient) -> None:
    resp = await client.post(ingest_api.PATH, json=ARTICLE)
    assert resp.status == 401


async def test_ingest_api__over_the_in_flight_bound_answers_429_with_retry_after(
    client: TestClient, settings: Settings
) -> None:
    service = client.app[ingest_api.SERVICE_KEY]
    # Simulate articles still waiting for Kafka from other requests.
    service.inflight = settings.ingest_max_inflight - 1
    resp = await client.post(ingest_api.PATH, json=[ARTICLE, ARTICLE], headers=AUTH)
    assert resp.status == 429 and resp.headers["Retry-After"].isdigit()
    service.inflight = 0
    resp = await client.post(ingest_api.PATH, json=[ARTICLE, ARTICLE], headers=AUTH)
    assert resp.status == 202 and service.inflight == 0


async def test_ingest_api__batch_over_the_limit_is_413(client: TestClient, settings: Settings) -> None:
    resp = await client.post(ingest_api.PATH, json=[ARTICLE] * (settings.ingest_max_batch + 1), headers=AUTH)
    assert resp.status == 413
