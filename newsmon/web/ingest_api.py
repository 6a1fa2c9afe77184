"""HTTP ingest API: ``POST /api/v1/articles`` with one raw article or a batch.

Body: a raw article object (the raw-topic contract, see
:class:`newsmon.ingest.normalize.RawArticle`), a JSON array of them, or
``{"articles": [...]}``. Each article is checked as the worker would check it
(size, schema, non-empty body after cleaning); valid ones are published to the
raw topic and the answer waits until Kafka acknowledged them (acks=all), so
an id under ``accepted`` is durable.

Answers:

* 202 ``{"accepted": [{"index", "id"}], "rejected": [{"index", "reason", "field", "detail"}]}``
  when at least one article was accepted;
* 422 with the same body when none was (for a single article, ``error`` and
  ``field`` name the problem);
* 400 invalid JSON or an empty batch; 413 a batch over ``NEWSMON_INGEST_MAX_BATCH``;
* 429 with ``Retry-After`` when more than ``NEWSMON_INGEST_MAX_INFLIGHT``
  articles are already waiting for Kafka (back-pressure instead of unbounded
  memory); 503 with ``Retry-After`` when Kafka cannot be reached.

The bearer token is checked by the server's middleware (POST is mutating).
The Kafka producer is taken from ``ctx.extras["kafka_producer"]`` when the
host process shares one; otherwise this module starts its own on the first
request and stops it when the application shuts down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson
from aiohttp import web

from newsmon import metrics
from newsmon.config import Settings
from newsmon.ingest.normalize import encode_raw, normalize_raw, validate_raw
from newsmon.kafka_util import producer as make_producer
from newsmon.streams.records import RecordError
from newsmon.web.context import WebContext

logger = logging.getLogger(__name__)

PATH = "/api/v1/articles"
PRODUCER_EXTRA = "kafka_producer"
SETTINGS_EXTRA = "settings"
RETRY_AFTER_S = 1
SEND_TIMEOUT_S = 30.0


class IngestService:
    """Validates, publishes and accounts for in-flight articles (one per application)."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self.inflight = 0
        self._producer: Any = None
        self._owned = False
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> Settings:
        s = self.ctx.extras.get(SETTINGS_EXTRA)
        if s is None and self.ctx.runtime is not None:
            s = self.ctx.runtime.settings
        if s is None:
            s = self.ctx.extras[SETTINGS_EXTRA] = Settings.from_env()
        return s

    async def producer(self) -> Any:
        """The shared producer, or our own started on first use."""
        shared = self.ctx.extras.get(PRODUCER_EXTRA)
        if shared is not None:
            return shared
        async with self._lock:
            if self._producer is None:
                prod = make_producer(self.settings)
                try:
                    await prod.start()
                except Exception:
                    await prod.stop()
                    raise
                self._producer, self._owned = prod, True
        return self._producer

    async def close(self, app: web.Application) -> None:
        """``on_cleanup``: stop the producer if this module started it."""
        if self._owned and self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def handle(self, request: web.Request) -> web.Response:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError as exc:
            return _error(400, "invalid_json", None, str(exc))
        single = isinstance(body, dict) and "articles" not in body
        if single:
            items = [body]
        elif isinstance(body, dict):
            items = body["articles"]
            if not isinstance(items, list):
                return _error(400, "invalid_field", "articles", "must be a JSON array of article objects")
        elif isinstance(body, list):
            items = body
        else:
            return _error(400, "not_an_object", None, 'expected an article object, an array or {"articles": [...]}')
        if not items:
            return _error(400, "empty_batch", "articles", "no articles in the request")
        settings = self.settings
        if len(items) > settings.ingest_max_batch:
            return _error(413, "batch_too_large", "articles", f"{len(items)} articles > {settings.ingest_max_batch}")
        if self.inflight + len(items) > settings.ingest_max_inflight:
            metrics.INGEST_API_THROTTLED.inc()
            return _error(
                429, "too_many_in_flight", None,
                f"{self.inflight} articles waiting for Kafka; retry in {RETRY_AFTER_S}s",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )  # fmt: skip
        # Reserve before any await, so concurrent requests see each other's volume.
        self.inflight += len(items)
        try:
            return await self._publish(items, single, settings)
        finally:
            self.inflight -= len(items)

    async def _publish(self, items: list[Any], single: bool, settings: Settings) -> web.Response:
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        ready: list[tuple[int, str, bytes]] = []
        now = time.time()
        for i, obj in enumerate(items):
            try:
                if isinstance(obj, dict) and "ingested_at" not in obj:
                    obj = {**obj, "ingested_at": now}
                payload = encode_raw(obj, max_bytes=settings.max_article_bytes, max_depth=settings.max_json_depth)
                art = normalize_raw(validate_raw(obj))
            except RecordError as exc:
                rejected.append(_rejection(i, exc))
                continue
            except Exception as exc:
                # Content must never fail the request: a gap in validation is this item's problem alone.
                logger.exception("ingest API: item %d could not be checked", i)
                rejected.append({"index": i, "reason": "invalid", "field": None, "detail": type(exc).__name__})
                continue
            ready.append((i, art.id, payload))
        if ready:
            try:
                prod = await self.producer()
            except Exception as exc:
                logger.warning("ingest API: Kafka unavailable: %s", exc)
                return _error(
                    503, "kafka_unavailable", None, type(exc).__name__, headers={"Retry-After": str(RETRY_AFTER_S)}
                )
            futures = []
            for _i, aid, payload in ready:
                futures.append(await prod.send(settings.topic_raw, payload, key=aid.encode()))
            try:
                results = await asyncio.wait_for(
                    asyncio.gather(*futures, return_exceptions=True), SEND_TIMEOUT_S
                )  # fmt: skip
            except TimeoutError:
                results = [TimeoutError("no acknowledgement from Kafka")] * len(futures)
            for (i, aid, _), res in zip(ready, results, strict=True):
                if isinstance(res, BaseException):
                    rejected.append({"index": i, "id": aid, "reason": "send_failed", "field": None,
                                     "detail": f"{type(res).__name__}: {res}"})  # fmt: skip
                else:
                    accepted.append({"index": i, "id": aid})
        rejected.sort(key=lambda r: r["index"])
        metrics.INGEST_API_ARTICLES.labels("accepted").inc(len(accepted))
        metrics.INGEST_API_ARTICLES.labels("rejected").inc(len(rejected))
        out: dict[str, Any] = {"accepted": accepted, "rejected": rejected}
        if accepted:
            return web.json_response(out, status=202, dumps=_dumps)
        if any(r["reason"] == "send_failed" for r in rejected):
            return web.json_response(out, status=503, dumps=_dumps, headers={"Retry-After": str(RETRY_AFTER_S)})
        if single:
            out.update({k: rejected[0][k] for k in ("reason", "field", "detail")})
            out["error"] = out.pop("reason")
        return web.json_response(out, status=422, dumps=_dumps)


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def _rejection(index: int, exc: RecordError) -> dict[str, Any]:
    field = None
    if exc.reason in ("missing_field", "invalid_field") and ":" in exc.detail:
        field = exc.detail.split(":", 1)[0]
    elif exc.reason == "empty_body":
        field = "body"
    return {"index": index, "reason": exc.reason, "field": field, "detail": exc.detail}


def _error(
    status: int, error: str, field: str | None, detail: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response({"error": error, "field": field, "detail": detail}, status=status, headers=headers)


SERVICE_KEY: web.AppKey[IngestService] = web.AppKey("newsmon_ingest_api")


def add_routes(app: web.Application, ctx: WebContext) -> None:
    """Register ``POST /api/v1/articles``; the producer is closed with the application."""
    service = IngestService(ctx)
    app[SERVICE_KEY] = service
    app.router.add_post(PATH, service.handle)
    app.on_cleanup.append(service.close)
