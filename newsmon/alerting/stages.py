"""The alert chain: small named stages from a rule match to a queued alert.

The match agent calls :meth:`AlertChain.run` for every rule that holds for an
article. The stages run in order; the first that decides ends the chain and
names the outcome, which is counted (``newsmon_alerts_total{rule,outcome}``)
and, when it matters to a human, written to the alert history stream:

1. ``trigger``  the rule's type (:mod:`newsmon.rules.types`): ``any`` passes;
   types that count (``frequency``, ``spike``, ``first_seen``) count in Redis
   (:mod:`newsmon.alerting.triggers`) and end the chain with
   ``pending_threshold``, ``late`` or ``seen_before`` until they fire.
2. ``dedup``    the rule already alerted for this key: ``duplicate``; when it
   was this same article, the original outcome again (a replay, below).
3. ``silence``  an active silence mutes it: ``silenced`` (recorded with the silence id).
4. ``throttle`` the rule's ``realert`` cooldown for its group is running: ``throttled``.
5. ``group``    rules with a ``group_window`` collect matches into one digest: ``grouped``.
6. ``send``     dedup key, alert body and outbox entries written by one Lua
   script: ``created`` (or ``updated`` for a new article of a story that
   already alerted, with ``notify_on_update``), or ``duplicate`` if another
   article won the race.

What a rule's alerts are keyed on (the dedup unit; the alert id is derived
from rule id and key): the story id for ``any`` rules, story id and article
id with ``notify_on_update``, the window bucket for ``frequency``/``spike``
and the new pairs and lookback bucket for ``first_seen`` (see triggers).

Every stage is safe to run again for the same article (Lua scripts keyed on
deterministic ids), so the caller retries the whole chain after a Redis
outage and a Kafka redelivery changes nothing. Deciding the same article
again gives the same outcome and alert id (a *replay*): the dedup key's value
names the article that decided it (:func:`newsmon.alerting.store.dedup_value`),
so a retry after a lost script reply, or a redelivery after a crash between
the decision and the publication of its output, is ``created`` (``updated``,
``grouped``) again and is published and recorded again, while another article
of the story is a ``duplicate``. A replay writes nothing to the alert state
(no new outbox entry: the alert is delivered once); its history event
carries ``replay=1``. Outcomes that write no dedup key (``silenced``,
``throttled``, the triggers' own) are decided afresh, with the state of the
moment.

Keys of one script share a hash tag: story state lives in the story's shard,
state of windowed, throttled or grouped rules in the shard of the rule and
its group.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis

from newsmon import metrics
from newsmon.alerting.keys import Keys
from newsmon.alerting.policy import alert_id_for, build_alert
from newsmon.alerting.silences import Silence, SilenceStore
from newsmon.alerting.store import AlertStore, dedup_value, parse_dedup_value
from newsmon.alerting.triggers import Triggers
from newsmon.rules import types as rule_types
from newsmon.rules.matcher import Reason, RuleMatch
from newsmon.rules.model import Rule
from newsmon.rules.types import Trigger
from newsmon.streams.records import Alert, ClassifiedArticle, dumps

logger = logging.getLogger(__name__)

# A digest is sent this long after its window ends, so a member decided at the
# very end of the window (or on a worker whose clock is a little behind) is in it.
DIGEST_GRACE_S = 2.0
# Outcomes a dedup value can name (see store.DedupValue), as the chain reports them.
_REPLAYED = {"created": "created", "updated": "updated", "grouped": "grouped", "opened": "grouped"}
# Outcomes a person may ask about later ("why did I not get this?").
HISTORY_OUTCOMES = frozenset({"created", "updated", "grouped", "silenced", "throttled"})
PUBLISHED_OUTCOMES = frozenset({"created", "updated", "grouped", "silenced"})

# KEYS: dedup unit, story-level dedup, alert body, outbox zsets...
# ARGV: alert id, body (new), ttl s, due, body (update), dedup value (created),
# dedup value (updated). 1 created, 2 updated, or the dedup unit's value when
# it exists (the caller tells a replay of the same article from a duplicate).
_SEND = """
local v = redis.call('GET', KEYS[1])
if v then return v end
local result = 1
local value = ARGV[6]
if KEYS[2] ~= KEYS[1] and redis.call('EXISTS', KEYS[2]) == 1 then
  result = 2
  value = ARGV[7]
end
redis.call('SET', KEYS[1], value, 'EX', ARGV[3])
redis.call('SET', KEYS[2], value, 'EX', ARGV[3])
if result == 2 then
  redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[3])
else
  redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
end
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], 'NX', ARGV[4], ARGV[1])
end
return result
"""

# KEYS: member dedup, digest body, digest members, outbox zsets...
# ARGV: digest id, digest body, ttl s, due, member story id, member json,
# dedup value (joined), dedup value (opened). 1 joined an open digest, 2 opened
# the digest, or the member dedup key's value when it exists (as in _SEND).
_GROUP = """
local v = redis.call('GET', KEYS[1])
if v then return v end
local result = 1
local value = ARGV[7]
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
  result = 2
  value = ARGV[8]
  for i = 4, #KEYS do
    redis.call('ZADD', KEYS[i], 'NX', ARGV[4], ARGV[1])
  end
end
redis.call('SET', KEYS[1], value, 'EX', ARGV[3])
redis.call('HSETNX', KEYS[3], ARGV[5], ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return result
"""

# KEYS: cooldown. ARGV: alert id, now, cooldown s. Value "<until>|<alert id>";
# the decision compares with the caller's clock (the key's TTL only cleans up).
# The holder may pass again: a redelivery of the alert that opened the
# cooldown must not lose it.
_THROTTLE = """
local v = redis.call('GET', KEYS[1])
if v then
  local sep = string.find(v, '|', 1, true)
  local ends = tonumber(string.sub(v, 1, sep - 1))
  if string.sub(v, sep + 1) == ARGV[1] then return 1 end
  if ends > tonumber(ARGV[2]) then return 0 end
end
local ends = tonumber(ARGV[2]) + tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%.3f', ends) .. '|' .. ARGV[1], 'EX', math.ceil(tonumber(ARGV[3])) + 60)
return 1
"""


def group_value(rule: Rule, item: ClassifiedArticle) -> str:
    """The value of the rule's ``group_by`` for an article ("" for the whole rule)."""
    c = item.classification
    if rule.group_by == "country":
        return next(iter(c.focus_countries()), "-")
    if rule.group_by == "region":
        return c.regions[0].code if c.regions else "-"
    if rule.group_by == "source":
        return (item.article.source or "-").casefold()
    return ""


@dataclass(slots=True)
class Decision:
    """One rule match on its way through the chain; stages fill it in."""

    rule: Rule
    item: ClassifiedArticle
    reasons: list[Reason]
    now: float
    alert: Alert
    key: str  # dedup unit inside the rule
    shard: int  # where this decision's alert state lives
    group: str = ""
    outcome: str = ""
    stage: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    # Set by the batch path (:meth:`AlertChain.prepare_batch`): the active silences
    # read once for the batch, and the dedup key's value at its start (None: absent).
    silences: list[Silence] | None = None
    prechecked: bool = False
    prior: bytes | str | None = None
    # Set by :meth:`AlertChain.trigger_many`: the trigger's result, counted ahead of the other stages.
    trigger: Trigger | None = None
    # The value the dedup key was seen to hold, or was written with, by this
    # decision (None: unknown): the next decision of the same key reads it here.
    dedup_raw: bytes | str | None = None

    @property
    def publish(self) -> Alert | None:
        """What goes to the alerts topic (None: nothing a reader needs)."""
        return self.alert if self.outcome in PUBLISHED_OUTCOMES else None


def replay(d: Decision, raw: bytes | str) -> str:
    """The outcome for a decision whose dedup key holds ``raw``: the original one for the same article.

    Called by the dedup, group and send stages when the key exists. When
    ``raw`` names this decision's article, the decision gets what the first
    one got (outcome, alert kind, digest id) and is marked ``replay``; any
    other article, or a value of an older format, is a ``duplicate``.
    """
    d.dedup_raw = raw
    v = parse_dedup_value(raw)
    if v is None or v.article_id != d.item.article.id or v.outcome not in _REPLAYED:
        return "duplicate"
    a = d.alert
    if v.outcome in ("grouped", "opened"):
        a.digest_id = v.id
        d.detail.update(digest_id=v.id, digest_opened=v.outcome == "opened")
    elif v.id != a.alert_id:
        # Written by another path for another alert id (AlertStore.create): no body under ours.
        return "duplicate"
    elif v.outcome == "updated" and a.kind == "alert":
        a.kind = "update"
    d.detail["replay"] = 1
    return _REPLAYED[v.outcome]


class Stage(Protocol):
    name: str

    async def run(self, d: Decision) -> str | None:
        """The outcome that ends the chain, or None to pass the decision on."""
        ...


class TriggerStage:
    name = "trigger"

    def __init__(self, triggers: Triggers, keys: Keys) -> None:
        self.triggers = triggers
        self.keys = keys

    async def run(self, d: Decision) -> str | None:
        rule = d.rule
        kind = rule_types.get(rule.type)
        if kind.keyed_by_story:
            return None
        trig = d.trigger if d.trigger is not None else await self.triggers.check(rule, d.item, d.now)
        d.detail.update(trig.detail)
        if not trig.fired:
            return trig.outcome
        d.key = trig.key
        a = d.alert
        a.alert_id = alert_id_for(rule.id, trig.key)
        a.kind = rule.type
        a.members = trig.members
        a.title = kind.title(rule, trig)
        a.snippet = f"Latest: {d.item.article.title}"[:280]
        return None


class DedupStage:
    name = "dedup"

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    def key_of(self, d: Decision) -> str:
        return self.keys.dedup(d.shard, d.rule.id, d.key)

    async def run(self, d: Decision) -> str | None:
        # A cheap pre-check; the send and group scripts decide races atomically.
        # A replay ends here with its original outcome: a silence or cooldown
        # that began since must not turn an alert already queued into another outcome.
        raw = d.prior if d.prechecked else await self.redis.get(self.key_of(d))
        return None if raw is None else replay(d, raw)


class SilenceStage:
    name = "silence"

    def __init__(self, silences: SilenceStore) -> None:
        self.silences = silences

    async def run(self, d: Decision) -> str | None:
        if d.silences is not None:
            s = next((x for x in d.silences if x.matches(d.rule.id, d.item)), None)
        else:
            s = await self.silences.matching(d.rule.id, d.item, d.now)
        if s is None:
            return None
        d.alert.silence_id = s.id
        d.detail["silence_id"] = s.id
        return "silenced"


class ThrottleStage:
    name = "throttle"

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.keys = keys
        self._script = redis.register_script(_THROTTLE)

    async def run(self, d: Decision) -> str | None:
        # Digests bound the rate by their window already.
        if d.rule.realert_s <= 0 or d.rule.group_window_s > 0:
            return None
        key = self.keys.cooldown(self.keys.rule_shard(d.rule.id, d.group), d.rule.id, d.group)
        ok = await self._script(keys=[key], args=[d.alert.alert_id, repr(d.now), d.rule.realert_s])
        return None if ok else "throttled"


class GroupStage:
    name = "group"

    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self.keys = keys
        self.ttl = ttl_s
        self._script = redis.register_script(_GROUP)

    async def run(self, d: Decision) -> str | None:
        rule = d.rule
        if rule.group_window_s <= 0:
            return None
        gw = rule.group_window_s
        bucket = math.floor(d.now / gw)
        digest_id = alert_id_for(rule.id, f"digest:{d.group}:{bucket}")
        a = d.alert
        digest = Alert(
            alert_id=digest_id, rule_id=rule.id, rule_name=rule.name, story_id=f"digest:{d.group}:{bucket}",
            article_id="", title=rule.name, url=None, source=None, countries=a.countries, regions=a.regions,
            topics=[], evidence=[], snippet="", channels=list(rule.channels), created_at=d.now,
            ingested_at=a.ingested_at, severity=rule.severity, kind="digest",
        )  # fmt: skip
        member = {
            "alert_id": a.alert_id, "kind": a.kind, "story_id": a.story_id, "article_id": a.article_id,
            "title": a.title, "url": a.url, "source": a.source, "countries": a.countries, "regions": a.regions,
            "snippet": a.snippet, "evidence": a.evidence[:3], "ingested_at": a.ingested_at,
            "published_at": a.published_at, "at": d.now,
        }  # fmt: skip
        keys = [
            self.keys.dedup(d.shard, rule.id, d.key),
            self.keys.alert(d.shard, digest_id),
            self.keys.digest_members(d.shard, digest_id),
            *(self.keys.outbox(d.shard, ch) for ch in rule.channels),
        ]
        due = (bucket + 1) * gw + DIGEST_GRACE_S
        art = d.item.article.id
        res = await self._script(
            keys=keys,
            args=[
                digest_id, dumps(digest), self.ttl, due, a.story_id, orjson.dumps(member),
                dedup_value(digest_id, "grouped", art), dedup_value(digest_id, "opened", art),
            ],
        )  # fmt: skip
        if isinstance(res, bytes | str):
            return replay(d, res)
        res = int(res)
        d.dedup_raw = dedup_value(digest_id, "opened" if res == 2 else "grouped", art)
        a.digest_id = digest_id
        d.detail.update(digest_id=digest_id, digest_opened=res == 2, digest_due=due)
        return "grouped"


class ScriptBatcher:
    """Calls of one Lua script made in the same event-loop turn go to Redis in one pipeline.

    The pipeline agent decides a chunk's matches concurrently, and for plain
    rules they all reach the send stage in the same turn: one round trip
    instead of one per match. Each caller still gets its own result, or the
    error (a RedisError when Redis is unavailable, safe to call again). On
    Redis Cluster, whose pipelines refuse scripts, every call goes on its own.
    """

    def __init__(self, redis: Redis, source: str) -> None:
        from redis.asyncio import RedisCluster  # the check only; the stages need no Cluster client

        self.redis = redis
        self.script = redis.register_script(source)
        self._alone = isinstance(redis, RedisCluster)
        self._pending: list[tuple[list[str], list[Any], asyncio.Future[Any]]] = []
        self._flushes: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks
        self.round_trips = 0

    async def __call__(self, keys: list[str], args: list[Any]) -> Any:
        if self._alone:
            return await self.script(keys=keys, args=args)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((keys, args, fut))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._start_flush)
        return await fut

    def _start_flush(self) -> None:
        task = asyncio.ensure_future(self._flush())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self) -> None:
        batch, self._pending = self._pending, []
        self.round_trips += 1
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for keys, args, _ in batch:
                    await self.script(keys=keys, args=args, client=pipe)
                results = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            for *_, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        except asyncio.CancelledError:
            for *_, fut in batch:
                fut.cancel()
            raise
        for (*_, fut), res in zip(batch, results, strict=True):
            if fut.done():  # the caller was cancelled
                continue
            if isinstance(res, Exception):
                fut.set_exception(res)
            else:
                fut.set_result(res)


class SendStage:
    name = "send"

    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self.keys = keys
        self.ttl = ttl_s
        self._script = ScriptBatcher(redis, _SEND)

    async def run(self, d: Decision) -> str | None:
        a, rule = d.alert, d.rule
        keys = [
            self.keys.dedup(d.shard, rule.id, d.key),
            self.keys.dedup(d.shard, rule.id, a.story_id if rule.notify_on_update else d.key),
            self.keys.alert(d.shard, a.alert_id),
            *(self.keys.outbox(d.shard, ch) for ch in a.channels),
        ]
        update = replace(a, kind="update" if a.kind == "alert" else a.kind, outcome="updated")
        art = d.item.article.id
        created, updated = dedup_value(a.alert_id, "created", art), dedup_value(a.alert_id, "updated", art)
        args: list[str | bytes | float] = [
            a.alert_id, dumps(replace(a, outcome="created")), self.ttl, d.now, dumps(update), created, updated,
        ]  # fmt: skip
        res = await self._script(keys, args)
        if isinstance(res, bytes | str):
            return replay(d, res)
        if int(res) == 2:
            d.dedup_raw = updated
            a.kind = update.kind
            return "updated"
        d.dedup_raw = created
        return "created"


class AlertChain:
    """Runs the stages for one rule match; see the module docstring for the order."""

    def __init__(
        self, redis: Redis, keys: Keys, store: AlertStore, silences: SilenceStore, *, ttl_s: int, late_after_s: float
    ) -> None:
        self.keys = keys
        self.store = store
        self.redis = redis
        self.silence_store = silences
        self.dedup = DedupStage(redis, keys)
        self.triggers = Triggers(redis, keys, late_after_s)
        self.stages: Sequence[Stage] = (
            TriggerStage(self.triggers, keys),
            self.dedup,
            SilenceStage(silences),
            ThrottleStage(redis, keys),
            GroupStage(redis, keys, ttl_s),
            SendStage(redis, keys, ttl_s),
        )

    def decision(self, match: RuleMatch, item: ClassifiedArticle, now: float) -> Decision:
        rule, art = match.rule, item.article
        alert = build_alert(match, item, now=now)
        key = art.story_id
        if rule.notify_on_update:
            key = f"{art.story_id}/{art.id}"
            alert.alert_id = alert_id_for(rule.id, key)
        group = group_value(rule, item)
        if not rule_types.get(rule.type).keyed_by_story or rule.group_window_s > 0:
            shard = self.keys.rule_shard(rule.id, group)
        else:
            shard = self.keys.shard_of(art.story_id)
        return Decision(rule, item, match.reasons, now, alert, key, shard, group)

    async def run(self, match: RuleMatch, item: ClassifiedArticle, now: float | None = None) -> Decision:
        """Decide one match; raises RedisError (safe to call again) when Redis is unavailable."""
        return await self.run_decision(self.decision(match, item, time.time() if now is None else now))

    async def prepare_batch(self, decisions: list[Decision], now: float) -> None:
        """Before a batch's decisions run: one round trip for the silences and the dedup pre-checks.

        Only rules keyed by story (``any``) are pre-checked (other types know
        their dedup key after the trigger stage). The values are read, not only their
        existence: a key written for the decision's own article is a replay,
        not a duplicate. A key written later in the same batch is still caught
        by the send script, which decides atomically. Raises RedisError (safe
        to call again) when Redis is unavailable.
        """
        plain = [d for d in decisions if rule_types.get(d.rule.type).keyed_by_story]
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(self.keys.silences())
            for d in plain:
                pipe.get(self.dedup.key_of(d))
            raw, *values = await pipe.execute()
        # Newest first, as SilenceStore.matching picks them.
        active = sorted((s for s in self.silence_store.parse(raw) if s.active(now)), key=lambda s: -s.created_at)
        for d in decisions:
            d.silences = active
        for d, v in zip(plain, values, strict=True):
            d.prechecked, d.prior = True, v

    async def trigger_many(self, decisions: list[Decision]) -> list[Decision]:
        """Count the windowed rules' matches ahead of the other stages, in order, in one round trip.

        Only triggers read and write the trigger state (windows, first_seen
        pairs), and triggers only that state, so counting a chunk's matches
        first, in their order, gives each the count it gets when the chain
        runs match after match. The decisions that fired have their dedup key
        read in the same step (their key is known only now), as
        :meth:`prepare_batch` reads the plain rules'. Returns the decisions
        whose trigger script failed (a ``ResponseError``; left out of the
        chain). Raises RedisError (safe to call again) when Redis is unavailable.
        """
        windowed = [d for d in decisions if not rule_types.get(d.rule.type).keyed_by_story]
        if not windowed:
            return []
        results = await self.triggers.check_many([(d.rule, d.item, d.now) for d in windowed])
        failed: list[Decision] = []
        fired: list[Decision] = []
        for d, res in zip(windowed, results, strict=True):
            if isinstance(res, Exception):
                logger.error("trigger failed for rule %s story %s: %r", d.rule.id, d.item.article.story_id, res)
                failed.append(d)
                continue
            d.trigger = res
            if res.fired:
                d.key = res.key
                fired.append(d)
        if fired:
            async with self.redis.pipeline(transaction=False) as pipe:
                for d in fired:
                    pipe.get(self.dedup.key_of(d))
                values = await pipe.execute()
            for d, v in zip(fired, values, strict=True):
                d.prechecked, d.prior = True, v
        return failed

    @staticmethod
    def lane_of(d: Decision) -> tuple[str, str]:
        """Decisions of one lane share Redis state and are decided one after another, in order.

        A plain ``any`` rule's state is per story (its dedup keys and alert
        body); a rule with a cooldown or digests, or of a windowed type,
        shares state across its stories (cooldown, digest, windows), so all
        its decisions form one lane. Different lanes touch different keys and
        run concurrently.
        """
        r = d.rule
        if rule_types.get(r.type).keyed_by_story and r.realert_s <= 0 and r.group_window_s <= 0:
            return r.id, d.item.article.story_id
        return r.id, ""

    async def run_decision(self, d: Decision, *, record: bool = True) -> Decision:
        """Run the stages for a decision built by :meth:`decision`; safe to call again after a RedisError.

        With ``record=False`` the history events are left to :meth:`record_many`
        (the batch path writes a chunk's events in one round trip).
        """
        for stage in self.stages:
            outcome = await stage.run(d)
            if outcome is not None:
                d.outcome, d.stage = outcome, stage.name
                break
        else:  # pragma: no cover - the send stage always decides
            raise AssertionError("alert chain ended without an outcome")
        d.alert.outcome = d.outcome
        # A replay is counted apart, or a retried decision would count its alert twice.
        metrics.ALERTS.labels(d.rule.id, "replayed" if "replay" in d.detail else d.outcome).inc()
        if record:
            await self.record_many([d])
        return d

    async def record_many(self, decisions: list[Decision]) -> None:
        """Write the history events of decided matches (one round trip); raises RedisError, safe to repeat."""
        events = [e for d in decisions if d.outcome in HISTORY_OUTCOMES for e in self._events(d)]
        if not events:
            return
        async with self.store.redis.pipeline(transaction=False) as pipe:
            for event, alert_id, fields in events:
                self.store.history_to(pipe, event, alert_id, **fields)
            await pipe.execute()

    @staticmethod
    def _events(d: Decision) -> list[tuple[str, str, dict[str, Any]]]:
        a = d.alert
        keep = ("silence_id", "digest_id", "count", "new_pairs", "replay")
        extra = {k: v for k, v in d.detail.items() if k in keep}
        out: list[tuple[str, str, dict[str, Any]]] = []
        if d.detail.get("digest_opened"):
            # A replay does not know the digest's due time (its id does not tell the window).
            due = {"due": f"{d.detail['digest_due']:.3f}"} if "digest_due" in d.detail else {}
            replayed = {"replay": 1} if "replay" in d.detail else {}
            out.append((
                "digest_opened", d.detail["digest_id"],
                {"rule": a.rule_id, "kind": "digest", "title": a.rule_name, "at": f"{d.now:.3f}", **due,
                 **replayed},
            ))  # fmt: skip
        out.append((
            d.outcome, a.alert_id,
            {"rule": a.rule_id, "story": a.story_id, "kind": a.kind, "title": a.title[:200], "at": f"{d.now:.3f}",
             **extra},
        ))  # fmt: skip
        return out
