"""The channel interface: one async method, two kinds of failure.

A channel turns an :class:`~newsmon.streams.records.Alert` into one outbound
call. ``send`` is awaited by the delivery loop, never by the stream; it must
raise :class:`RetryableError` when trying again later may succeed (timeouts,
5xx, 429 with an optional ``retry_after``) and :class:`PermanentError` when it
cannot (4xx other than 408/429, a payload the receiver rejects). Anything else
it raises is treated as retryable.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from newsmon.streams.records import Alert


class DeliveryError(Exception):
    """Base of delivery failures; ``str()`` is safe to log (no secrets)."""


class RetryableError(DeliveryError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    pass


@runtime_checkable
class Channel(Protocol):
    name: str
    #: Most messages per second this channel may send (``None``: no limit).
    rate_per_s: float | None

    async def send(self, alert: Alert) -> None: ...

    async def aclose(self) -> None: ...


def classify_http_status(status: int, retry_after: str | None, what: str) -> None:
    """Raise the right error for a non-2xx HTTP answer (no-op for 2xx)."""
    if 200 <= status < 300:
        return
    if status == 429 or status == 408 or status >= 500:
        delay: float | None = None
        if retry_after:
            try:
                delay = max(0.0, float(retry_after))
            except ValueError:
                delay = _http_date_delay(retry_after)
        raise RetryableError(f"{what}: HTTP {status}", retry_after=delay)
    raise PermanentError(f"{what}: HTTP {status}")


def _http_date_delay(value: str) -> float | None:
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
