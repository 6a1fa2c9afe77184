"""Reads need a token whenever the web server binds beyond loopback (issue 14, row 8).

/metrics, /healthz, /readyz and the static dashboard page (no data in it) stay open;
everything else that reads state (alerts, dead letters, silences, the dashboard JSON)
needs ``Authorization: Bearer`` with the read token or the API token.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from newsmon.config import ConfigError, Settings
from newsmon.web.server import build_web_app, is_loopback, web_context
from newsmon.web.service import OpsService

API = "A" * 8 + "api-token-0123456789abcdefgh"
READ = "R" * 8 + "read-token-0123456789abcdefg"
READS = ["/api/alerts", "/api/dead-letters", "/api/v1/dashboard", "/api/silences", "/api/silences?state=all"]
OPEN = ["/metrics", "/healthz", "/readyz", "/", "/static/dashboard.js"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"])
def test_is_loopback__loopback_addresses(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.5", "192.168.1.2", "example.com", "localhost.evil"])
def test_is_loopback__anything_else_is_not(host):
    assert not is_loopback(host)


def test_web_context__beyond_loopback_without_any_token_refused_at_start():
    with pytest.raises(ConfigError, match="NEWSMON_WEB_HOST") as err:
        web_context(Settings(web_host="0.0.0.0"))
    assert "NEWSMON_API_READ_TOKEN" in str(err.value)


def test_worker_ops__beyond_loopback_without_any_token_refused_before_serving():
    app, rt = SimpleNamespace(should_stop=False), SimpleNamespace(settings=Settings(), redis=None)
    with pytest.raises(ConfigError, match="NEWSMON_WEB_HOST"):
        OpsService(app, rt, Settings(web_host="0.0.0.0"))
    OpsService(app, rt, Settings(web_host="0.0.0.0", web_port=0))  # no web server: nothing to protect
    OpsService(app, rt, Settings(web_host="127.0.0.1"))


def test_read_token__same_policy_as_the_api_token():
    with pytest.raises(ConfigError, match="NEWSMON_API_READ_TOKEN"):
        Settings.from_env({"NEWSMON_API_READ_TOKEN": "short"})
    with pytest.raises(ConfigError, match="NEWSMON_API_READ_TOKEN"):
        Settings.from_env({"NEWSMON_API_READ_TOKEN": "REPLACE_ME_WITH_A_LONG_RANDOM_TOKEN"})


async def test_reads__beyond_loopback_need_the_read_or_api_token():
    ctx = web_context(Settings(web_host="0.0.0.0", api_token=API, api_read_token=READ))
    assert ctx.reads_need_token
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        for path in READS:
            assert (await client.get(path)).status == 401, path
            assert (await client.get(path, headers=bearer("wrong" * 8))).status == 401, path
            # Past the check the handler runs (no runtime here: 503), so the token was accepted.
            assert (await client.get(path, headers=bearer(READ))).status != 401, path
            assert (await client.get(path, headers=bearer(API))).status != 401, path
        for path in OPEN:
            assert (await client.get(path)).status != 401, path
        # The read token is not enough to change anything.
        r = await client.post("/api/silences", json={}, headers=bearer(READ))
        assert r.status == 401


async def test_reads__with_only_the_api_token_set_it_opens_reads_too():
    ctx = web_context(Settings(web_host="0.0.0.0", api_token=API))
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        assert (await client.get("/api/alerts")).status == 401
        assert (await client.get("/api/alerts", headers=bearer(API))).status != 401


async def test_reads__on_loopback_stay_open():
    ctx = web_context(Settings(web_host="127.0.0.1"))
    assert not ctx.reads_need_token
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        for path in READS:
            assert (await client.get(path)).status != 401, path
