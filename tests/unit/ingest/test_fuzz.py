"""Fuzz the two ways in a producer controls: the HTTP ingest API and the raw topic (issue 14).

Derandomized (the same cases every run) and sized for CI: a few thousand
cases in all. The worker's side is :meth:`Runtime.process_raw`, exactly what
the pipeline agent runs per record; the end-to-end version with Kafka and a
worker process is tests/integration/test_ingest_fuzz.py.

* API: never a 5xx; every accepted id is what the worker makes of the
  published payload (a classified article with that id).
* Raw topic: every payload becomes a classified article or a dead letter,
  never an exception and never an ``internal_error`` (that would be content
  getting past validation); both encode to their topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsmon.config import Settings
from newsmon.runtime import Runtime
from newsmon.streams.records import ClassifiedArticle, DeadLetter, dumps
from newsmon.web import ingest_api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app
from tests.unit.ingest.fakes import FakeProducer
from tests.unit.ingest.fuzz_strategies import HUGE, raw_payloads, request_bodies

TOKEN = "unit-test-token-0123456789abcdef0123"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    from newsmon.classify import Classifier
    from newsmon.rules.model import RuleSet

    # No Redis command is sent (process_raw is CPU only); the URL names a port nobody uses.
    rt = Runtime(Settings(redis_url="redis://127.0.0.1:1/0"), Classifier.load(), RuleSet.empty(), {})
    yield rt


def processed(rt: Runtime, payload: bytes) -> ClassifiedArticle | DeadLetter:
    res = rt.process_raw(payload, topic="raw", partition=0, offset=0)
    # Whatever comes out must be publishable to its topic.
    (res.encode() if isinstance(res, ClassifiedArticle) else dumps(res))
    return res


@pytest.mark.timeout(600)
def test_fuzz__ingest_api_never_5xx_and_every_accepted_id_is_classified_by_the_worker(runtime: Runtime) -> None:
    loop = asyncio.new_event_loop()
    prod = FakeProducer()
    ctx = WebContext(api_token=TOKEN, extras={ingest_api.SETTINGS_EXTRA: Settings(), ingest_api.PRODUCER_EXTRA: prod})
    client = TestClient(TestServer(build_web_app(ctx, modules=[ingest_api.add_routes])), loop=loop)
    loop.run_until_complete(client.start_server())
    statuses: dict[int, int] = {}

    async def post(body: bytes) -> tuple[int, dict]:
        resp = await client.post(ingest_api.PATH, data=body, headers=AUTH)
        status = resp.status
        out = await resp.json() if resp.content_type == "application/json" else {}
        return status, out

    @settings(FUZZ, max_examples=800)
    @given(request_bodies())
    @example(HUGE[0])
    @example(HUGE[1])
    @example(HUGE[2])
    @example(b"[" + HUGE[0] + b"," + HUGE[0] + b"]")
    def check(body: bytes) -> None:
        before = len(prod.sent)
        status, out = loop.run_until_complete(post(body))
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (status, out, body[:300])
        sent = prod.sent[before:]
        accepted = [a["id"] for a in out.get("accepted", [])] if status == 202 else []
        assert [key.decode() for _, _, key in sent if key] == accepted
        for _, payload, key in sent:
            res = processed(runtime, payload)
            assert isinstance(res, ClassifiedArticle), (res, payload[:300])
            assert res.article.id.encode() == key

    try:
        check()
    finally:
        loop.run_until_complete(client.close())
        loop.close()
    # The cases reach every kind of answer, not only one.
    assert {202, 400, 422} <= set(statuses), statuses


@pytest.mark.timeout(600)
@settings(FUZZ, max_examples=1200)
@given(raw_payloads)
@example(HUGE[1])
@example(HUGE[2])
def test_fuzz__raw_topic_record_is_classified_or_dead_lettered_with_a_content_reason(
    runtime: Runtime, payload: bytes
) -> None:
    res = processed(runtime, payload)
    if isinstance(res, DeadLetter):
        assert res.reason and res.reason != "internal_error", (res.reason, res.detail, payload[:300])
        assert res.stage == "normalize"


@settings(FUZZ, max_examples=200)
@given(st.binary(max_size=64))
def test_fuzz__garbage_bytes_never_classify(runtime: Runtime, payload: bytes) -> None:
    # Random bytes are almost never a JSON object with a body; this keeps the raw strategy honest.
    res = processed(runtime, payload)
    assert isinstance(res, DeadLetter) or payload.lstrip().startswith(b"{")
