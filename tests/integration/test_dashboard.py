"""The dashboard in headless Chromium (Debian's package), driven over the DevTools protocol.

A real worker serves the page; the test ingests articles and asserts that the
page's counters and alert list change within 5 s, and saves screenshots under
``artifacts/screenshots/`` for people to look at.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from newsmon.config import Settings
from newsmon.ingest.poller import FeedKeys

from .conftest import REPO
from .test_web import ops_env, send_articles, web_base

SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1440,1300", "--remote-debugging-port=0",
]  # fmt: skip


class Page:
    """One page target of Chromium, spoken to over its DevTools websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self.console: list[str] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        await self.ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            msg = await asyncio.wait_for(self.ws.receive_json(), timeout=30)
            if msg.get("method") == "Runtime.exceptionThrown":
                self.console.append(str(msg["params"]["exceptionDetails"]))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression: str) -> Any:
        res = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise AssertionError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        res = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        _save(path, base64.b64decode(res["data"]))


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _launch(exe: str, profile: Path, log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def chromium(tmp_path: Path) -> AsyncIterator[Page]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium not installed: run scripts/tools.sh (scripts/test.sh does)")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    log = (tmp_path / "chromium.log").open("wb")
    proc = _launch(exe, profile, log)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"chromium did not start:\n{(tmp_path / 'chromium.log').read_text()[-3000:]}")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        async with aiohttp.ClientSession() as session:
            targets: list[dict[str, Any]] = []
            while not any(t.get("type") == "page" for t in targets):
                async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
                    targets = await resp.json()
                await asyncio.sleep(0.05)
            page_ws = next(t for t in targets if t.get("type") == "page")["webSocketDebuggerUrl"]
            async with session.ws_connect(page_ws, max_msg_size=64 * 1024 * 1024) as ws:
                page = Page(ws)
                await page.call("Runtime.enable")
                await page.call("Page.enable")
                yield page
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


STATE_JS = """(() => document.getElementById('updated') === null ? {updated: null} : ({
  updated: document.getElementById('updated').dataset.ts || null,
  in: document.getElementById('count-in').textContent,
  alerts: document.getElementById('count-alerts').textContent,
  sent: document.getElementById('count-sent').textContent,
  items: [...document.querySelectorAll('#alerts li.alert')].map(li => ({
    id: li.dataset.alertId, title: li.querySelector('.title').textContent,
    ack: li.querySelector('.ack').textContent, evidence: li.querySelectorAll('.ev').length,
  })),
  lagRows: document.querySelectorAll('#lag tbody tr').length,
  feeds: [...document.querySelectorAll('#feeds tbody tr')].map(tr => tr.textContent),
  injected: document.querySelectorAll('#alerts img, #alerts b:not(.ev b), #alerts script').length,
  error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
}))()"""


def _num(text: str) -> int:
    return int(text.replace(",", "")) if text.replace(",", "").isdigit() else -1


@pytest.mark.timeout(180)
async def test_dashboard__counters_and_alert_list_update_within_5s_in_chromium(
    settings_env, tmp_path, worker_factory, redis
):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - {id: harbour-news, url: 'https://news.invalid/rss'}\n")
    env = {
        **ops_env(settings_env, tmp_path),
        "NEWSMON_API_TOKEN": "dashboard-test-token-0123456789abcdef",
        "NEWSMON_FEEDS_PATH": str(feeds),
    }
    settings = Settings.from_env(env)
    # Feed health as the poller records it (its own key helper): one silent feed.
    await redis.hset(
        FeedKeys(settings.redis_prefix).health("harbour-news"),
        mapping={"url": "https://news.invalid/rss", "last_poll_at": time.time(), "last_result": "ok", "silent": 1},
    )
    worker = worker_factory(env)
    base = await web_base(env, worker)
    await worker.wait_ready()

    async with chromium(tmp_path) as page:
        await page.call("Page.navigate", url=f"{base}/?refresh=0.5")
        state: dict[str, Any] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = await page.js(STATE_JS)
            if state["updated"] and state["lagRows"] and state["in"] != "\u2013":
                break
            await asyncio.sleep(0.2)
        assert state.get("updated"), f"dashboard never rendered: {state} {page.console}"
        assert state["error"] is None, state["error"]
        assert _num(state["in"]) == 0 and state["items"] == []
        assert len(state["feeds"]) == 1 and "harbour-news" in state["feeds"][0] and "silent" in state["feeds"][0]
        await page.screenshot(SCREENSHOTS / "dashboard-before.png")

        # Untrusted text: the normalizer strips real tags, but entity-encoded markup
        # survives as text ("<img ...>"); the page must show it as text, never as elements.
        hostile_raw = "Zebracorn &lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt; escape"
        hostile = "Zebracorn <img src=x onerror=alert(1)> <b>bold</b> escape"
        articles = [
            {"title": "Zebracorn spotted at the harbour",
             "body": "A zebracorn was seen near the old harbour in Lisbon, Portugal."},
            {"title": hostile_raw, "body": "Another zebracorn sighting, reported by the coast guard in Oslo, Norway."},
            {"title": "Markets calm", "body": "Stocks in Tokyo closed flat as investors awaited the central bank."},
        ]  # fmt: skip
        await send_articles(settings, articles)
        t0 = time.monotonic()
        while True:
            state = await page.js(STATE_JS)
            if _num(state["in"]) >= 3 and len(state["items"]) >= 2 and _num(state["alerts"]) >= 2:
                break
            assert time.monotonic() - t0 < 5.0, f"page did not update within 5 s: {state}"
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - t0
        titles = {item["title"] for item in state["items"]}
        assert titles == {"Zebracorn spotted at the harbour", hostile}, titles
        assert all(item["ack"] == "not acknowledged" and item["evidence"] >= 1 for item in state["items"])

        # Acknowledge one through the alerting API: the page shows it on the next poll.
        acked = next(i["id"] for i in state["items"] if i["title"].startswith("Zebracorn spotted"))
        async with aiohttp.ClientSession() as session, session.post(
            f"{base}/api/alerts/{acked}/ack", json={"by": "ops-test", "comment": "looking"},
            headers={"Authorization": "Bearer dashboard-test-token-0123456789abcdef"},
        ) as resp:  # fmt: skip
            assert resp.status == 201, await resp.text()
        t1 = time.monotonic()
        while True:
            state = await page.js(STATE_JS)
            acks = {i["id"]: i["ack"] for i in state["items"]}
            if acks.get(acked, "").startswith("acknowledged by ops-test"):
                break
            assert time.monotonic() - t1 < 5.0, f"acknowledgement not shown within 5 s: {acks}"
            await asyncio.sleep(0.1)
        await page.screenshot(SCREENSHOTS / "dashboard-after.png")

    assert state["injected"] == 0
    assert sum(a.startswith("not acknowledged") for a in acks.values()) == 1
    assert (SCREENSHOTS / "dashboard-after.png").stat().st_size > 10_000
    print(f"dashboard updated {elapsed:.2f}s after the articles were sent")


@pytest.mark.timeout(180)
async def test_dashboard__beyond_loopback_reads_need_the_token_and_the_page_asks_for_it(
    settings_env, tmp_path, worker_factory
):
    """Issue 14 row 8 on a real worker bound to 0.0.0.0: the API refuses reads without the
    token, probes and /metrics stay open, and the page works once it is given the read token."""
    read_token = "read-" + "k" * 40
    env = {
        **ops_env(settings_env, tmp_path),
        "NEWSMON_WEB_HOST": "0.0.0.0",
        "NEWSMON_API_TOKEN": "write-" + "w" * 40,
        "NEWSMON_API_READ_TOKEN": read_token,
    }
    worker = worker_factory(env)
    base = (await web_base(env, worker)).replace("0.0.0.0", "127.0.0.1")
    await worker.wait_ready()
    auth = {"Authorization": f"Bearer {read_token}"}
    async with aiohttp.ClientSession() as session:
        for path in ("/api/alerts", "/api/dead-letters", "/api/silences", "/api/v1/dashboard"):
            async with session.get(base + path) as resp:
                assert resp.status == 401, path
            async with session.get(base + path, headers=auth) as resp:
                assert resp.status == 200, path
        for path in ("/metrics", "/healthz", "/readyz", "/"):
            async with session.get(base + path) as resp:
                assert resp.status == 200, path
        async with session.post(base + "/api/silences", json={}, headers=auth) as resp:
            assert resp.status == 401  # the read token changes nothing

    async with chromium(tmp_path) as page:
        # Declining the prompt: the page says it needs the token.
        declined = await page.call("Page.addScriptToEvaluateOnNewDocument", source="window.prompt = () => null;")
        await page.call("Page.navigate", url=f"{base}/?refresh=0.5")
        state: dict[str, Any] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = await page.js(STATE_JS)
            if state.get("error"):
                break
            await asyncio.sleep(0.2)
        assert state.get("error") and "read token" in state["error"], state
        # Giving it: the page renders the data.
        await page.call("Page.removeScriptToEvaluateOnNewDocument", identifier=declined["identifier"])
        await page.call("Page.addScriptToEvaluateOnNewDocument", source=f"window.prompt = () => {read_token!r};")
        await page.call("Page.navigate", url=f"{base}/?refresh=0.5")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = await page.js(STATE_JS)
            if state["updated"] and state["in"] != "\u2013":
                break
            await asyncio.sleep(0.2)
        assert state["updated"] and state["error"] is None, state
