"""The alerting HTTP API (newsmon.web.api) with aiohttp's test client against the real Redis."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from newsmon.channels.log import LogChannel
from newsmon.config import Settings
from newsmon.rules.model import build_ruleset, load_rules_text
from newsmon.runtime import Runtime
from newsmon.web import api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app

from .test_alerting_chain import ANY, article

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest_asyncio.fixture
async def rt(settings: Settings, redis) -> AsyncIterator[Runtime]:
    rules = build_ruleset(load_rules_text("rules:\n" + ANY.replace("[webhook]", "[log]"), "t.yaml"))
    runtime = Runtime(settings, None, rules, {"log": LogChannel("log")})  # type: ignore[arg-type]
    yield runtime
    await runtime.redis.aclose()


@pytest_asyncio.fixture
async def client(rt: Runtime) -> AsyncIterator[TestClient]:
    app = build_web_app(WebContext(runtime=rt, api_token=TOKEN), modules=[api.add_routes])
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_api__silence_create_list_mute_and_expire(client, rt):
    body = {"matchers": {"region": "middle-east"}, "duration": "1h", "author": "ana", "comment": "known"}
    r = await client.post("/api/silences", json=body, headers=AUTH)
    assert r.status == 201
    sid = (await r.json())["silence"]["id"]
    listed = (await (await client.get("/api/silences")).json())["silences"]
    assert [s["id"] for s in listed] == [sid] and listed[0]["author"] == "ana"
    (d,) = (await rt.decide_many([article(1)]))[0]
    assert d.outcome == "silenced"
    r = await client.delete(f"/api/silences/{sid}", headers=AUTH)
    assert r.status == 200 and (await r.json())["silence"]["active"] is False
    assert (await (await client.get("/api/silences")).json())["silences"] == []
    assert len((await (await client.get("/api/silences?state=all")).json())["silences"]) == 1
    (d,) = (await rt.decide_many([article(1)]))[0]
    assert d.outcome == "created"
    assert (await client.delete("/api/silences/si_nope", headers=AUTH)).status == 404


async def test_api__silence_errors_name_the_field(client):
    cases = [
        ({"matchers": {}, "duration": "1h", "author": "a", "comment": "c"}, "matchers"),
        ({"matchers": {"planet": "x"}, "duration": "1h", "author": "a", "comment": "c"}, "matchers.planet"),
        ({"matchers": {"rule": "r"}, "author": "a", "comment": "c"}, "until"),
        ({"matchers": {"rule": "r"}, "until": time.time() - 5, "author": "a", "comment": "c"}, "until"),
        ({"matchers": {"rule": "r"}, "duration": "soon", "author": "a", "comment": "c"}, "duration"),
        ({"matchers": {"rule": "r"}, "duration": "1h", "comment": "c"}, "author"),
        ({"matchers": {"rule": "r"}, "duration": "1h", "author": "a"}, "comment"),
    ]
    for body, field in cases:
        r = await client.post("/api/silences", json=body, headers=AUTH)
        assert r.status == 422, body
        assert (await r.json())["field"] == field
    r = await client.post("/api/silences", data=b"{not json", headers=AUTH)
    assert r.status == 400 and (await r.json())["field"] == "body"
    # Without the token the middleware refuses before the handler runs.
    r = await client.post("/api/silences", json=cases[0][0])
    assert r.status == 401


async def test_api__acknowledgement_is_recorded_and_listed(client, rt):
    (d,) = (await rt.decide_many([article(1)]))[0]
    assert d.outcome == "created"
    aid = d.alert.alert_id
    r = await client.post(f"/api/alerts/{aid}/ack", json={"by": "ana", "comment": "on it"}, headers=AUTH)
    assert r.status == 201
    ack = (await r.json())["ack"]
    assert ack["by"] == "ana" and abs(ack["at"] - time.time()) < 10
    again = await client.post(f"/api/alerts/{aid}/ack", json={"by": "bo"}, headers=AUTH)
    assert again.status == 200 and (await again.json())["ack"]["by"] == "ana"
    alerts = (await (await client.get("/api/alerts")).json())["alerts"]
    (a,) = [x for x in alerts if x["alert_id"] == aid]
    assert a["ack"]["by"] == "ana" and [e["event"] for e in a["events"]] == ["created", "acked"]
    assert a["rule"] == "me" and a["status"] == "acked"
    r = await client.post("/api/alerts/al_unknown/ack", json={"by": "ana"}, headers=AUTH)
    assert r.status == 404 and (await r.json())["field"] == "alert_id"
    r = await client.post(f"/api/alerts/{aid}/ack", json={"comment": "x"}, headers=AUTH)
    assert r.status == 422 and (await r.json())["field"] == "by"
    assert (await client.get("/api/alerts?limit=0")).status == 400


async def test_api__dead_letters_per_channel(client, rt):
    from newsmon.alerting.store import Claimed

    (d,) = (await rt.decide_many([article(1)]))[0]
    (c,) = await rt.store.claim(rt.keys.shard_of(d.alert.story_id), "log", 10, 30)
    assert isinstance(c, Claimed)
    await rt.store.dead(c, "permanent: HTTP 404")
    body = await (await client.get("/api/dead-letters?channel=log")).json()
    (entry,) = body["dead_letters"]["log"]
    assert entry["alert_id"] == d.alert.alert_id and "HTTP 404" in entry["error"]
    r = await client.get("/api/dead-letters?channel=nope")
    assert r.status == 400 and (await r.json())["field"] == "channel"
