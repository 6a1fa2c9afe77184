"""Redis-backed alert state: dedup, outbox, retries, dead letters, history.

Every state change that must not be split is one Lua script on keys of one
shard (see :mod:`newsmon.alerting.keys`), so two workers racing on the same
story create one alert, and a crash between steps cannot lose one: the alert
body and its outbox entries are written together with the dedup key.

The dedup key's value names what the unit went to, the outcome and the
article that decided it (:func:`dedup_value`): the alert chain tells a
re-decision of that same article (a retry after a lost reply, a Kafka
redelivery after a crash) from another article of the story, and gives the
first the original outcome again instead of ``duplicate``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis, RedisCluster

from newsmon.alerting.keys import Keys
from newsmon.streams.records import Alert, dumps

logger = logging.getLogger(__name__)

HISTORY_MAXLEN = 10_000
# Decision events written once per alert id; a second one in the history is a
# re-decision of the same article (see AlertChain), shown once by ``recent``.
ONCE_PER_ALERT = frozenset({"created", "updated", "grouped", "digest_opened"})

# KEYS: dedup, alert body, outbox zsets...; ARGV: alert id, body, ttl s, due time, dedup value.
_CREATE = """
if redis.call('SET', KEYS[1], ARGV[5], 'NX', 'EX', ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  for i = 3, #KEYS do
    redis.call('ZADD', KEYS[i], 'NX', ARGV[4], ARGV[1])
  end
  return 1
end
return 0
"""

# KEYS: outbox; ARGV: now, lease-until, limit. Claimed entries move past the
# lease so other workers skip them; if this worker dies they come due again.
_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
end
return ids
"""

# KEYS: outbox, attempts; ARGV: alert id, next due time, error. Returns attempts so far.
_RETRY = """
local n = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('HSET', KEYS[2], ARGV[1] .. ':err', ARGV[3])
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
return n
"""

# KEYS: outbox, attempts; ARGV: alert id.
_DONE = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1], ARGV[1] .. ':err')
return removed
"""


@dataclass(frozen=True, slots=True)
class DedupValue:
    """What a dedup key holds: ``<id>|<outcome>|<article id>``.

    ``id`` is the alert id (outcomes ``created``, ``updated``) or the digest
    id (``grouped``; ``opened`` when that article also opened the digest).
    The article id comes last, so it may hold any character.
    """

    id: str
    outcome: str
    article_id: str


def dedup_value(id_: str, outcome: str, article_id: str) -> str:
    return f"{id_}|{outcome}|{article_id}"


def parse_dedup_value(raw: bytes | str | None) -> DedupValue | None:
    """The parts of a dedup key's value; None when absent or written before values named their article.

    Such older values (the bare alert id) stand for another article: the
    caller treats them as a duplicate, as before.
    """
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    parts = text.split("|", 2)
    if len(parts) != 3:
        return None
    return DedupValue(parts[0], parts[1], parts[2])


@dataclass(slots=True)
class Claimed:
    shard: int
    channel: str
    alert_id: str
    alert: Alert | None
    attempts: int


class AlertStore:
    def __init__(self, redis: Redis, keys: Keys, dedup_ttl_s: int) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl = dedup_ttl_s
        self._create = redis.register_script(_CREATE)
        self._claim = redis.register_script(_CLAIM)
        self._retry = redis.register_script(_RETRY)
        self._done = redis.register_script(_DONE)

    async def create(self, alert: Alert, now: float | None = None) -> bool:
        """Record the alert and queue it on its channels; False if (rule, story) already alerted.

        Unlike the alert chain, a second call for the same article is also
        False: callers that retry must treat False after a lost reply as done.
        """
        shard = self.keys.shard_of(alert.story_id)
        keys = [
            self.keys.dedup(shard, alert.rule_id, alert.story_id),
            self.keys.alert(shard, alert.alert_id),
            *(self.keys.outbox(shard, ch) for ch in alert.channels),
        ]
        due = time.time() if now is None else now
        value = dedup_value(alert.alert_id, "created", alert.article_id)
        created = bool(await self._create(keys=keys, args=[alert.alert_id, dumps(alert), self.ttl, due, value]))
        if created:
            await self.history(
                "created", alert.alert_id, rule=alert.rule_id, story=alert.story_id, title=alert.title[:200]
            )
        return created

    async def claim(self, shard: int, channel: str, limit: int, lease_s: float) -> list[Claimed]:
        now = time.time()
        ids = await self._claim(keys=[self.keys.outbox(shard, channel)], args=[now, now + lease_s, limit])
        if not ids:
            return []
        ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
        bodies = await self.redis.mget([self.keys.alert(shard, i) for i in ids])
        counts = await self.redis.hmget(self.keys.attempts(shard, channel), ids)
        out = []
        for aid, body, n in zip(ids, bodies, counts, strict=True):
            alert = Alert.decode(body.encode() if isinstance(body, str) else body) if body else None
            if alert is not None and alert.kind == "digest":
                # Members are read at send time: a retry carries every member that joined.
                raw = await self.redis.hvals(self.keys.digest_members(shard, aid))
                members = [orjson.loads(m) for m in raw]
                alert.members = sorted(members, key=lambda m: (m.get("at", 0), m.get("article_id", "")))
            out.append(Claimed(shard, channel, aid, alert, int(n or 0)))
        return out

    async def delivered(self, c: Claimed) -> None:
        """Record a successful send: outbox entry removed, counter, history event.

        One round trip outside Redis Cluster (kept as it was there).
        The _DONE script's two writes go as plain commands: a pipeline holding
        a script costs a second round trip (redis-py asks SCRIPT EXISTS before
        each), once per delivered alert. They need not be atomic: each is
        idempotent, and what another worker can run between them (its _RETRY,
        _CLAIM or _DONE of this alert, once the lease ran out) leaves what it
        would leave run before or after the pair. The four writes are
        independent of each other.
        """
        outbox = self.keys.outbox(c.shard, c.channel)
        attempts = self.keys.attempts(c.shard, c.channel)
        extra = {"members": len(c.alert.members)} if c.alert is not None and c.alert.kind == "digest" else {}
        fields = {"channel": c.channel, "attempts": c.attempts + 1, **extra}
        if isinstance(self.redis, RedisCluster):
            await self._done(keys=[outbox, attempts], args=[c.alert_id])
            await self.redis.hincrby(self.keys.stats(), f"{c.channel}:sent", 1)
            await self.history("delivered", c.alert_id, **fields)
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(outbox, c.alert_id)
            pipe.hdel(attempts, c.alert_id, f"{c.alert_id}:err")
            pipe.hincrby(self.keys.stats(), f"{c.channel}:sent", 1)
            self.history_to(pipe, "delivered", c.alert_id, **fields)
            await pipe.execute()

    async def retry_later(self, c: Claimed, due: float, error: str) -> int:
        n = await self._retry(
            keys=[self.keys.outbox(c.shard, c.channel), self.keys.attempts(c.shard, c.channel)],
            args=[c.alert_id, due, error[:500]],
        )
        await self.redis.hincrby(self.keys.stats(), f"{c.channel}:retried", 1)
        return int(n)

    async def dead(self, c: Claimed, error: str) -> None:
        """Give up on one delivery: keep it with the last error (never dropped silently)."""
        entry = {
            "alert_id": c.alert_id,
            "channel": c.channel,
            "attempts": c.attempts + 1,
            "error": error[:500],
            "at": time.time(),
            "alert": c.alert,
        }
        # Dead list first: a crash before the outbox removal repeats the entry
        # rather than losing it.
        await self.redis.lpush(self.keys.dead(c.channel), dumps(entry))
        await self._done(
            keys=[self.keys.outbox(c.shard, c.channel), self.keys.attempts(c.shard, c.channel)], args=[c.alert_id]
        )
        await self.redis.hincrby(self.keys.stats(), f"{c.channel}:dead", 1)
        await self.history("dead", c.alert_id, channel=c.channel, error=error[:200])
        logger.error("delivery given up: alert=%s channel=%s error=%s", c.alert_id, c.channel, error[:200])

    async def history(self, event: str, alert_id: str, **fields: Any) -> None:
        await self.history_to(self.redis, event, alert_id, **fields)

    def history_to(self, client: Any, event: str, alert_id: str, **fields: Any) -> Any:
        """Append a history event with ``client``: a coroutine on a client, queued on a pipeline."""
        data = {"event": event, "alert_id": alert_id, "at": f"{time.time():.3f}"}
        data.update({k: str(v) for k, v in fields.items()})
        return client.xadd(self.keys.history(), data, maxlen=HISTORY_MAXLEN, approximate=True)

    async def recent(self, limit: int = 50, scan: int = 2000) -> list[dict[str, Any]]:
        """The latest alerts from the history stream, newest first, each with its events.

        Reads at most ``scan`` events back; an alert whose creation is older
        than that shows with the events that were found. A decision event
        repeated by a re-decision of the same article (:data:`ONCE_PER_ALERT`)
        shows once, where it first happened, so it never hides a later
        ``delivered`` as the alert's status.
        """
        raw = await self.redis.xrevrange(self.keys.history(), count=scan) or []
        by_id: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for _entry_id, fields in raw:
            f = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                 for k, v in (fields or {}).items()}  # fmt: skip
            aid = f.pop("alert_id", "")
            if not aid:
                continue
            if aid not in by_id:
                if len(order) >= limit:
                    continue
                by_id[aid] = {"alert_id": aid, "events": []}
                order.append(aid)
            a = by_id[aid]
            event = f.pop("event", "")
            for k in ("rule", "story", "title", "kind"):
                if k in f and k not in a:
                    a[k] = f[k]
            a["events"].append({"event": event, **f, "at": float(f.get("at", 0) or 0)})
        out = []
        for aid in order:
            a = by_id[aid]
            a["events"].reverse()  # oldest first
            seen: set[str] = set()
            kept = []
            for e in a["events"]:
                if e["event"] in ONCE_PER_ALERT:
                    if e["event"] in seen:
                        continue
                    seen.add(e["event"])
                kept.append(e)
            a["events"] = kept
            a["status"] = a["events"][-1]["event"]
            a["at"] = a["events"][-1]["at"]
            out.append(a)
        return out

    async def find_alert(self, alert_id: str) -> Alert | None:
        """The alert body wherever its shard is (ids do not name their shard)."""
        for shard in range(self.keys.shards):
            body = await self.redis.get(self.keys.alert(shard, alert_id))
            if body:
                return Alert.decode(body.encode() if isinstance(body, str) else body)
        return None

    async def pending(self, channel: str) -> int:
        total = 0
        for shard in range(self.keys.shards):
            total += int(await self.redis.zcard(self.keys.outbox(shard, channel)))
        return total

    async def dead_letters(self, channel: str, limit: int = 100) -> list[dict[str, Any]]:
        raw = await self.redis.lrange(self.keys.dead(channel), 0, limit - 1)
        return [orjson.loads(x) for x in raw]

    async def stats(self) -> dict[str, int]:
        raw = await self.redis.hgetall(self.keys.stats())
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
