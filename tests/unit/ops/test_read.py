"""The read API of the measurements (ops.read) with in-memory stores: what the dashboard gets."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson

from newsmon.alerting.keys import Keys
from newsmon.ops.read import OpsView, metrics_text


class FakePipeline:
    def __init__(self, data: dict[str, bytes]) -> None:
        self.data, self.asked = data, []

    def get(self, key: str) -> None:
        self.asked.append(key)

    async def execute(self) -> list[bytes | None]:
        return [self.data.get(k) for k in self.asked]


class FakeRedis:
    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data

    def pipeline(self, **options: Any) -> FakePipeline:
        return FakePipeline(self.data)


class FakeStore:
    async def stats(self) -> dict[str, int]:
        return {"webhook:sent": 5, "webhook:dead": 1, "slack:retried": 2}

    async def pending(self, channel: str) -> int:
        return {"webhook": 3}.get(channel, 0)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        return [
            {"alert_id": "al_1", "story": "s1", "rule": "r"},
            {"alert_id": "al_2", "story": "s2", "rule": "r"},
            {"alert_id": "dg_1", "rule": "r"},  # a digest has no story: no body to fetch
        ][:limit]


class FakeAcks:
    async def get_many(self, ids: list[str]) -> dict[str, Any]:
        return {"al_2": {"by": "ana"}}


def runtime(data: dict[str, bytes]) -> SimpleNamespace:
    return SimpleNamespace(
        redis=FakeRedis(data), keys=Keys("t", 4), store=FakeStore(), acks=FakeAcks(),
        channels={"webhook": object(), "slack": object()},
        settings=SimpleNamespace(redis_prefix="t", feeds_path=""),
    )  # fmt: skip


async def test_delivery__per_channel_counts_sorted_by_channel():
    view = OpsView(runtime({}))
    assert await view.delivery() == [
        {"channel": "slack", "sent": 0, "retried": 2, "dead": 0, "pending": 0},
        {"channel": "webhook", "sent": 5, "retried": 0, "dead": 1, "pending": 3},
    ]


async def test_recent_alerts__bodies_from_the_story_shard_and_acks():
    keys = Keys("t", 4)
    body = {"alert_id": "al_1", "title": "Quake"}
    view = OpsView(runtime({keys.alert(keys.shard_of("s1"), "al_1"): orjson.dumps(body)}))
    got = await view.recent_alerts(10)
    assert [(a["alert_id"], b, ack) for a, b, ack in got] == [
        ("al_1", body, None),
        ("al_2", {}, {"by": "ana"}),  # body expired: the history entry alone
        ("dg_1", {}, None),
    ]


async def test_feeds__none_without_a_feeds_file():
    assert await OpsView(runtime({})).feeds() is None


def test_metrics_text__prometheus_exposition_of_newsmon_metrics():
    body, content_type = metrics_text()
    assert content_type.startswith("text/plain") and b"newsmon_articles_in_total" in body
