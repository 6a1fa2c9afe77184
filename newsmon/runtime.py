"""The worker's domain services, wired once per process (no Faust here).

:class:`Runtime` owns the classifier, the active rule set, the channels and the
Redis-backed alert store. The agents call its methods; tests call them
directly. :meth:`Runtime.create` runs before the worker starts and fails fast
on bad configuration (rules, channels), naming the file and field.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from redis.exceptions import (
    BusyLoadingError,
    ClusterDownError,
    MasterDownError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisError,
    ResponseError,
    SlotNotCoveredError,
    TryAgainError,
)

from newsmon import metrics
from newsmon.alerting.delivery import Dispatcher, RetryPolicy
from newsmon.alerting.keys import Keys
from newsmon.alerting.policy import build_alert
from newsmon.alerting.silences import AckStore, SilenceStore
from newsmon.alerting.stages import AlertChain, Decision
from newsmon.alerting.store import AlertStore
from newsmon.channels.base import Channel
from newsmon.channels.registry import load_channels
from newsmon.config import Settings
from newsmon.ingest.language import use_detector
from newsmon.ingest.normalize import normalize
from newsmon.jobs import WITH_STREAMS, WITH_WORKER, Job
from newsmon.outages import OUTAGES
from newsmon.redis_conn import connect_redis
from newsmon.rules.distribution import RulesFollower
from newsmon.rules.matcher import RuleMatch, match_rules
from newsmon.rules.model import RuleError, RuleSet, load_rules
from newsmon.stories import RedisStoryIndex, StoryAssignment, fingerprint_many
from newsmon.streams.records import Alert, Article, ClassifiedArticle, DeadLetter, RecordError

if TYPE_CHECKING:
    from newsmon.classify import Classifier
    from newsmon.ops.monitor import Monitor

logger = logging.getLogger(__name__)

T = TypeVar("T")
_STAGE = metrics.Children(metrics.STAGE_SECONDS)
_STAGE_MATCH = _STAGE["match"]
_BY_REGION = metrics.Children(metrics.ARTICLES_BY_REGION)
_BY_TOPIC = metrics.Children(metrics.ARTICLES_BY_TOPIC)
_STORIES = metrics.Children(metrics.STORY_ASSIGNMENTS)
_RULE_MATCHES = metrics.Children(metrics.RULE_MATCHES)

# Well under redis-py's default pool of 100 connections, which story
# assignment, delivery and the web API share.
DECISIONS_IN_FLIGHT = 48

# An oversized payload is kept only in part: enough to identify and fix it.
OVERSIZED_KEEP_BYTES = 64 * 1024


def tune_gc() -> None:
    """Call once after loading (worker start): keep the cyclic GC off the long-lived data.

    The classifier's gazetteers are hundreds of thousands of objects that live
    as long as the process; every full collection would walk them all again.
    Freezing moves them out of the collector's view, and a larger first
    threshold stops the per-article garbage (records, evidence lists) from
    triggering several collections per article.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    if _gc_timer not in gc.callbacks:
        gc.callbacks.append(_gc_timer)


_gc_started = 0.0
_GC_PAUSES = metrics.Children(metrics.GC_PAUSE_SECONDS)
# A collector pause this long shows in alert latency; say so in the log.
GC_PAUSE_WARN_S = 0.1


def _gc_timer(phase: str, info: dict[str, Any]) -> None:
    """Time each collection (called by the interpreter at its start and stop)."""
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
        return
    pause = time.perf_counter() - _gc_started
    gen = info.get("generation", 0)
    _GC_PAUSES[str(gen)].observe(pause)
    if pause >= GC_PAUSE_WARN_S:
        logger.warning("garbage collection paused the worker %.0f ms (generation %s)", pause * 1000, gen)


def dead_letter(
    payload: bytes,
    reason: str,
    detail: str,
    stage: str,
    *,
    keep_bytes: int | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> DeadLetter:
    """Wrap a failed payload; exact bytes survive (base64) when they are not UTF-8."""
    size = len(payload)
    truncated = keep_bytes is not None and size > keep_bytes
    kept = payload[:keep_bytes] if truncated else payload
    try:
        text = kept.decode("utf-8")
        b64 = None
    except UnicodeDecodeError:
        text = kept.decode("utf-8", errors="replace")
        b64 = base64.b64encode(kept).decode("ascii")
    return DeadLetter(
        reason=reason,
        detail=detail[:1000],
        stage=stage,
        payload=text,
        size=size,
        truncated=truncated,
        payload_b64=b64,
        topic=topic,
        partition=partition,
        offset=offset,
    )


class Runtime:
    def __init__(
        self,
        settings: Settings,
        classifier: Classifier,
        rules: RuleSet,
        channels: Mapping[str, Channel],
    ) -> None:
        self.settings = settings
        self.classifier = classifier
        if classifier is not None:
            use_detector(classifier.detector)  # normalize reuses the warm model; no second load mid-stream
        self.rules = rules
        self.channels = dict(channels)
        # Alert decisions in flight at once, over all chunks of the pipeline: each
        # holds a Redis connection, and the pool refuses more than its size
        # ("Too many connections") instead of waiting.
        self._decide_slots = asyncio.Semaphore(DECISIONS_IN_FLIGHT)
        self.keys = Keys(settings.redis_prefix, settings.redis_shards)
        self.redis = connect_redis(settings)
        self.store = AlertStore(self.redis, self.keys, settings.dedup_ttl_s)
        self.stories = RedisStoryIndex(
            self.redis, settings.redis_prefix, window_s=int(settings.story_window_hours * 3600),
            story_ttl_s=settings.dedup_ttl_s, threshold=settings.story_threshold,
        )  # fmt: skip
        self.silences = SilenceStore(self.redis, self.keys)
        self.acks = AckStore(self.redis, self.keys, settings.dedup_ttl_s)
        self.chain = AlertChain(
            self.redis, self.keys, self.store, self.silences,
            ttl_s=settings.dedup_ttl_s, late_after_s=settings.late_after_s,
        )  # fmt: skip
        metrics.RULES_LOADED.set(len(rules.rules))
        self.dispatcher = Dispatcher(
            self.store,
            self.channels,
            RetryPolicy(
                max_attempts=settings.delivery_max_attempts,
                max_age_s=settings.delivery_max_age_s,
                base_s=settings.delivery_backoff_base_s,
                cap_s=settings.delivery_backoff_max_s,
                timeout_s=settings.delivery_timeout_s,
            ),
            poll_s=settings.delivery_poll_s,
            on_result=_observe_delivery,
        )
        # Every worker follows the rules topic (the pipeline agent waits for its `ready`).
        self.rules_follower = RulesFollower(settings, self.apply_rules)

    def jobs(self, monitor: Monitor) -> list[Job]:
        """Every background job of the worker, one row each (newsmon.web.service starts and stops them).

        ``every``: seconds between rounds, or None for a loop that runs until
        the worker stops. ``starts``: with the worker (before the stream
        processors, stopped after them) or with the streams (after the first
        partition assignment). The pipeline agent itself is Faust's
        (agents/pipeline.py), not a job.
        """
        s = self.settings
        # fmt: off
        return [
            #   name                 every                 function                                   starts
            Job("monitor",           s.monitor_interval_s, monitor.tick,                              WITH_WORKER),
            Job("rules",             None,                 self.rules_follower.run,                   WITH_STREAMS),
            *(Job(f"deliver:{name}", None,                 partial(self.dispatcher.run_channel, ch),  WITH_STREAMS)
              for name, ch in self.channels.items()),
        ]
        # fmt: on

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        classifier: Classifier | None = None,
        rules: RuleSet | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> Runtime:
        """Load everything the worker needs; raises on invalid rules or channels."""
        if classifier is None:
            from newsmon.classify import Classifier

            t0 = time.perf_counter()
            classifier = Classifier.load()
            logger.info("classifier loaded in %.2fs", time.perf_counter() - t0)
        if channels is None:
            channels = load_channels(settings.channels_path)
        if rules is None:
            rules = load_rules([settings.rules_path])
        check_routes(rules, channels)
        logger.info(
            "rules loaded: %d rules (version %s); channels: %s",
            len(rules.rules),
            rules.version,
            ", ".join(sorted(channels)),
        )
        return cls(settings, classifier, rules, channels)

    # -- stages -------------------------------------------------------------------------

    def process_raw(
        self,
        payload: bytes,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        received_at: float | None = None,
    ) -> ClassifiedArticle | DeadLetter:
        """normalize -> classify one raw payload; bad input becomes a DeadLetter (never raises).

        ``received_at`` is the broker's append time of the raw record when the
        topic stamps it (``message.timestamp.type=LogAppendTime``): the article's
        ingest time then comes with the record, so a redelivery or a
        reprocessing of the topic counts it in the same time windows. Without
        it (a topic whose producers set the time) the worker's clock stamps it.
        """
        where: dict[str, Any] = {"topic": topic, "partition": partition, "offset": offset}
        metrics.ARTICLES_IN.inc()
        stage = "normalize"
        t0 = time.perf_counter()
        try:
            article = normalize(
                payload,
                max_bytes=self.settings.max_article_bytes,
                max_depth=self.settings.max_json_depth,
                now=received_at,
            )
            t1 = time.perf_counter()
            stage = "classify"
            cls = self.classifier.classify(article.title, article.body, language=article.language)
            t2 = time.perf_counter()
        except RecordError as exc:
            metrics.DEAD_LETTERS.labels(stage, exc.reason).inc()
            keep = min(OVERSIZED_KEEP_BYTES, self.settings.max_article_bytes) if exc.reason == "oversized" else None
            return dead_letter(payload, exc.reason, exc.detail, stage, keep_bytes=keep, **where)
        except Exception as exc:
            # A classifier bug must not stop the stream: keep the record, log loudly.
            logger.exception("unexpected error in stage %s", stage)
            metrics.DEAD_LETTERS.labels(stage, "internal_error").inc()
            return dead_letter(
                payload, "internal_error", f"{type(exc).__name__}: {exc}", stage,
                keep_bytes=OVERSIZED_KEEP_BYTES, **where,
            )  # fmt: skip
        _STAGE["normalize"].observe(t1 - t0)
        _STAGE["classify"].observe(t2 - t1)
        metrics.ARTICLES_CLASSIFIED.inc()
        for r in cls.regions:
            _BY_REGION[r.code].inc()
        for t in cls.topics:
            if t.parent is None:
                _BY_TOPIC[t.code].inc()
        return ClassifiedArticle(article=article, classification=cls, classified_at=time.time())

    def match(self, item: ClassifiedArticle) -> list[Alert]:
        """Rules that hold for ``item``, as alerts (not yet deduplicated)."""
        return [build_alert(m, item) for m in self._match(self.rules, item)]

    @property
    def rules_version(self) -> str:
        """Version (content hash) of the active rule set, e.g. for readiness checks."""
        return self.rules.version

    def apply_rules(self, rules: RuleSet, origin: str) -> bool:
        """Make ``rules`` the active set (one attribute swap); False if it routes to unknown channels.

        Called by the rules-topic reader of every worker. A rejected set is
        logged and the previous rules stay active.
        """
        if rules.version == self.rules.version:
            return True
        try:
            check_routes(rules, self.channels)
        except RuleError as exc:
            logger.error("rule set %s from %s rejected, keeping %s: %s", rules.version, origin, self.rules_version, exc)
            return False
        previous, self.rules = self.rules, rules
        metrics.RULES_LOADED.set(len(rules.rules))
        logger.info(
            "rules applied: version %s (%d rules) from %s, replacing %s",
            rules.version, len(rules.rules), origin, previous.version,
        )  # fmt: skip
        return True

    async def decide_many(self, items: list[ClassifiedArticle], now: float | None = None) -> list[list[Decision]]:
        """Match the active rules and run each match through the alert chain, for a batch (the pipeline agent).

        Waits out Redis outages (every stage is safe to repeat) instead of
        losing a decision; the stream stalls rather than drops. ``now`` is the
        decision time (silences, cooldowns, digests); tests pass it.

        Every decision takes effect as if the matches were decided one after
        another in the order of ``items`` (the stream's offset order), so the
        same articles give the same outcomes however they are cut into
        chunks. Still few round trips: the silences and the plain rules'
        dedup keys are read in one, the windowed rules' triggers are counted
        in order in one more (:meth:`AlertChain.trigger_many`), and the rest
        runs in lanes (:meth:`AlertChain.lane_of`): decisions that share
        Redis state one after another, in order, knowing what the one before
        wrote; different lanes concurrently, their script calls sharing
        pipelines. The caller runs one chunk's ``decide_many`` after the
        other's (see newsmon.pipeline.batching).
        """
        rules = self.rules  # one rule set for the whole batch, even if a swap happens meanwhile
        now = time.time() if now is None else now
        pending = [
            (i, self.chain.decision(m, item, now)) for i, item in enumerate(items) for m in self._match(rules, item)
        ]
        out: list[list[Decision]] = [[] for _ in items]
        if not pending:
            return out
        decisions = [d for _, d in pending]
        await _retry_redis(lambda: self.chain.prepare_batch(decisions, now), f"reading {len(decisions)} dedup keys")
        failed = await _retry_redis(
            lambda: self.chain.trigger_many(decisions), f"counting {len(decisions)} windowed matches"
        )
        for d in failed:
            metrics.ALERTS.labels(d.rule.id, "error").inc()
        failed_ids = {id(d) for d in failed}
        lanes: dict[tuple[str, str], list[Decision]] = {}
        for d in decisions:
            if id(d) not in failed_ids:
                lanes.setdefault(self.chain.lane_of(d), []).append(d)
        decided: dict[int, Decision] = {}

        async def lane(ds: list[Decision]) -> None:
            # What this lane's decisions saw or wrote under each dedup key: the
            # value the next decision of that key would read (only this lane writes it).
            known: dict[str, bytes | str] = {}
            async with self._decide_slots:
                for d in ds:
                    key = self.chain.dedup.key_of(d)
                    if key in known:
                        d.prechecked, d.prior = True, known[key]
                    res = await self._run_decision(d, record=False)
                    if res is None:
                        continue
                    decided[id(d)] = res
                    if res.dedup_raw is not None:
                        known[key] = res.dedup_raw

        await asyncio.gather(*(lane(ds) for ds in lanes.values()))
        done = [d for d in decisions if id(d) in decided]
        await _retry_redis(lambda: self.chain.record_many(done), f"recording {len(done)} alert decisions")
        for i, d in pending:
            if id(d) in decided:
                out[i].append(d)
        return out

    def _match(self, rules: RuleSet, item: ClassifiedArticle) -> list[RuleMatch]:
        t0 = time.perf_counter()
        matches = match_rules(rules, item)
        _STAGE_MATCH.observe(time.perf_counter() - t0)
        for m in matches:
            _RULE_MATCHES[m.rule.id].inc()
        return matches

    async def _run_decision(self, d: Decision, *, record: bool = True) -> Decision | None:
        try:
            what = f"deciding rule {d.rule.id} for story {d.item.article.story_id}"
            d = await _retry_redis(lambda: self.chain.run_decision(d, record=record), what)
        except ResponseError:
            # A script or data error repeats on every try: report it loudly, go on.
            logger.exception("alert chain failed for rule %s story %s", d.rule.id, d.item.article.story_id)
            metrics.ALERTS.labels(d.rule.id, "error").inc()
            return None
        # A replay was decided before (maybe by a worker that crashed): its delay is not a decision's.
        if d.outcome in ("created", "updated") and d.alert.ingested_at and "replay" not in d.detail:
            metrics.ALERT_DECISION_SECONDS.observe(max(0.0, time.time() - d.alert.ingested_at))
        return d

    async def assign_stories(self, articles: list[Article]) -> list[StoryAssignment]:
        """Set each ``article.story_id`` to its near-duplicate story, for a batch in one Redis round trip.

        Called by the pipeline agent after normalize. One atomic Redis script
        decides and counts the outlets; a redelivered article gets the story
        it got before. Waits out Redis outages (the stream stalls rather than
        publishes an article with the wrong story).
        """
        if not articles:
            return []
        t0 = time.perf_counter()
        # The chunk at once: numpy's cost per call would dominate one article's fingerprint.
        fps = fingerprint_many([(a.id, a.body, a.source, a.url) for a in articles])
        results = await _retry_redis(lambda: self.stories.assign_many(fps), f"assigning {len(fps)} stories")
        per = (time.perf_counter() - t0) / len(articles)
        for art, res in zip(articles, results, strict=True):
            art.story_id = res.story_id
            _STAGE["story"].observe(per)
            _STORIES["repeated" if res.repeated else "new" if res.new_story else "joined"].inc()
        return results

    async def close_channels(self) -> None:
        """Close the channels' connections (once delivery has stopped)."""
        for ch in self.channels.values():
            await ch.aclose()

    async def close(self) -> None:
        self.dispatcher.stop()
        await self.close_channels()
        await self.redis.aclose()


# Answers that end by themselves (a replica loading or read-only, a Cluster
# failover or resharding, memory full until keys expire or an operator acts):
# the stream waits for them like for a connection error.
_TRANSIENT = (
    ReadOnlyError, BusyLoadingError, OutOfMemoryError, ClusterDownError, MasterDownError, TryAgainError,
    SlotNotCoveredError,
)  # fmt: skip


async def _retry_redis(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run ``call`` until Redis answers: outages stall the stream, they never drop work.

    Connection-level failures and the transient answers in ``_TRANSIENT`` are
    retried; any other ``ResponseError`` from a script is a bug that would
    repeat forever, so it is raised to the caller.
    """
    delay = 0.2
    while True:
        try:
            result = await call()
        except _TRANSIENT as exc:
            error: Exception = exc
        except ResponseError:
            raise
        except RedisError as exc:
            error = exc
        else:
            OUTAGES.ok("redis")
            return result
        # One log line per outage, not per retry (newsmon.outages).
        OUTAGES.failed("redis", f"{error} (while {what})")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


def _observe_delivery(channel: str, outcome: str, started: float, ingested_at: float | None) -> None:
    now = time.time()
    metrics.DELIVERIES.labels(channel, outcome).inc()
    metrics.DELIVERY_SECONDS.labels(channel).observe(now - started)
    if outcome == "sent" and ingested_at:
        metrics.END_TO_END_SECONDS.labels(channel).observe(max(0.0, now - ingested_at))


def check_routes(rules: RuleSet, channels: Mapping[str, Channel]) -> None:
    """Every channel a rule routes to must exist, or the worker must not start."""
    for rule in rules.rules:
        for ch in rule.channels:
            if ch not in channels:
                raise RuleError(
                    rule.source, rule.id, "channels", f"unknown channel {ch!r}; configured: {sorted(channels)}"
                )
