"""POST /api/silences answers 422 naming the field for a silence past the configured bound (issue 14, row 6)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from newsmon.config import ConfigError, Settings
from newsmon.web import api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app

TOKEN = "t" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class NoStore:
    async def add(self, s):  # pragma: no cover - must not be reached
        raise AssertionError("an invalid silence was stored")


def client_for(settings: Settings) -> TestClient:
    rt = SimpleNamespace(settings=settings, silences=NoStore())
    app = build_web_app(WebContext(runtime=rt, api_token=TOKEN), modules=[api.add_routes])
    return TestClient(TestServer(app))


@pytest.mark.parametrize(("when", "field"), [({"until": 1e308}, "until"), ({"duration": "99999999999d"}, "duration")])
async def test_create_silence__huge_until_or_duration_is_422_naming_field(when, field):
    body = {"matchers": {"rule": "r"}, "author": "ana", "comment": "c", **when}
    async with client_for(Settings()) as client:
        r = await client.post("/api/silences", json=body, headers=AUTH)
        assert r.status == 422
        assert (await r.json())["field"] == field


async def test_create_silence__bound_from_settings():
    body = {"matchers": {"rule": "r"}, "author": "ana", "comment": "c", "duration": "3d"}
    async with client_for(Settings(silence_max_days=2)) as client:
        r = await client.post("/api/silences", json=body, headers=AUTH)
        assert r.status == 422 and (await r.json())["field"] == "duration"


def test_settings__silence_max_days_must_be_positive():
    with pytest.raises(ConfigError, match="NEWSMON_SILENCE_MAX_DAYS"):
        Settings.from_env({"NEWSMON_SILENCE_MAX_DAYS": "0"})
