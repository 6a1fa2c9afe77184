"""The assembled web app without services: probes, metrics format, dashboard page and its headers."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from newsmon.ops.monitor import WorkerStatus
from newsmon.web.context import WebContext
from newsmon.web.health import check_ready
from newsmon.web.server import build_web_app


class FakeRedis:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def ping(self) -> bool:
        if self.fail:
            raise ConnectionError("Connection refused")
        return True


def runtime(fail_redis: bool = False, rules: int = 2) -> SimpleNamespace:
    return SimpleNamespace(
        redis=FakeRedis(fail_redis), rules=SimpleNamespace(rules=[object()] * rules, version="v1"), channels={}
    )


def ready_status() -> WorkerStatus:
    s = WorkerStatus(interval_s=1.0)
    s.streams_started = True
    s.kafka_ok_at = time.time()
    return s


async def test_ready__all_checks_hold():
    ok, checks = await check_ready(WebContext(runtime=runtime(), extras={"status": ready_status()}))
    assert ok, checks
    assert checks["rules"]["count"] == 2


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ("redis_down", "redis"),
        ("streams_not_started", "kafka"),
        ("kafka_stale", "kafka"),
        ("stopping", "shutdown"),
    ],
)
async def test_ready__each_failure_names_its_check(change, failing):
    status = ready_status()
    rt = runtime(fail_redis=change == "redis_down")
    if change == "streams_not_started":
        status.streams_started = False
    if change == "kafka_stale":
        status.kafka_ok_at = time.time() - 600
        status.kafka_error = "KafkaConnectionError: no brokers"
    if change == "stopping":
        status.stopping = lambda: True
    ok, checks = await check_ready(WebContext(runtime=rt, extras={"status": status}))
    assert not ok
    assert [name for name, c in checks.items() if not c["ok"]] == [failing]


async def test_app__probes_metrics_and_dashboard_page():
    ctx = WebContext(runtime=runtime(fail_redis=True), extras={"status": ready_status()})
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        r = await client.get("/healthz")
        assert r.status == 200
        r = await client.get("/readyz")
        body = await r.json()
        assert r.status == 503 and body["reasons"][0].startswith("redis: ConnectionError")
        r = await client.get("/metrics")
        text = await r.text()
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        assert "# TYPE newsmon_articles_in_total counter" in text
        r = await client.get("/")
        page = await r.text()
        assert r.status == 200 and "/static/dashboard.js" in page
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "http" not in csp
        r = await client.get("/static/dashboard.js")
        assert r.status == 200
        r = await client.get("/static/../server.py")
        assert r.status in (403, 404)


def test_dashboard_assets__no_remote_urls_and_no_html_injection():
    from newsmon.web.dashboard import STATIC_DIR

    for name in ("dashboard.html", "dashboard.js", "dashboard.css"):
        text = (STATIC_DIR / name).read_text()
        assert "://" not in text.replace("http://www.w3.org/2000/svg", ""), name
    js = (STATIC_DIR / "dashboard.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink
