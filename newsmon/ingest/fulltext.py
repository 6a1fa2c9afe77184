"""Full text for feed items that carry only a summary: fetch the page, extract the article.

Called by the poller for new items of feeds with ``full_text: true``. Every
fetch is bounded: a per-host semaphore (so one slow site queues only its own
pages), a global one, one deadline for waiting + download + extraction, and a
byte limit. Extraction (trafilatura, CPU-bound) runs in a thread pool so the
event loop keeps polling. Any failure returns None and the caller keeps the
summary: full text improves an article, it is never a reason to lose one.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from concurrent.futures import Executor
from typing import Any
from urllib.parse import urlsplit

import httpx

from newsmon import metrics
from newsmon.ingest.feeds import FullTextConfig

logger = logging.getLogger(__name__)


class TooLarge(Exception):
    """The response is over the configured byte limit."""


async def read_limited(resp: httpx.Response, limit: int) -> bytes:
    """The body of a streamed response, or :class:`TooLarge` once it passes ``limit`` bytes."""
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"content-length {declared} > {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def extract_article(html: bytes | str, url: str | None = None) -> str | None:
    """Main text of an article page (trafilatura), or None when it finds none."""
    import trafilatura  # imported on first use: it loads lxml and language data

    # deduplicate=False: its process-wide cache drops text seen before, so a second
    # outlet's copy would come back empty; grouping copies is the story stage's job.
    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
    )
    return text or None


class FullTextFetcher:
    def __init__(self, client: httpx.AsyncClient, config: FullTextConfig, executor: Executor | None = None) -> None:
        self.client = client
        self.config = config
        self.executor = executor
        self._global = asyncio.Semaphore(config.concurrency)
        # Host semaphores live while some fetch holds them; idle hosts are forgotten.
        self._hosts: weakref.WeakValueDictionary[str, asyncio.Semaphore] = weakref.WeakValueDictionary()

    def _host_sem(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = asyncio.Semaphore(self.config.per_host)
            self._hosts[host] = sem
        return sem

    async def fetch(self, url: str) -> str | None:
        """The article's text, or None (timeout, error, too large, nothing extracted)."""
        result = "error"
        try:
            async with asyncio.timeout(self.config.timeout_s):
                host_sem = self._host_sem(url)
                # Host first: pages of a slow host wait for their host without taking global slots.
                async with host_sem, self._global:
                    text = await self._fetch(url)
            result = "ok" if text else "empty"
            return text
        except TimeoutError:
            result = "timeout"
            return None
        except TooLarge:
            result = "too_large"
            return None
        except (httpx.HTTPError, ValueError) as exc:
            logger.info("full text of %s failed: %s", url, exc)
            return None
        finally:
            metrics.FULLTEXT_FETCHES.labels(result).inc()

    async def _fetch(self, url: str) -> str | None:
        # Redirects are followed here, not by httpx, to stop at another host (unless configured).
        # Every hop still connects through the client's address guard.
        origin = httpx.URL(url).host
        for _hop in range(self.config.max_redirects + 1):
            async with self.client.stream(
                "GET", url, headers={"Accept": "text/html,application/xhtml+xml"}, follow_redirects=False
            ) as resp:
                if resp.is_redirect:
                    target = resp.url.join(resp.headers["location"])
                    if target.scheme not in ("http", "https"):
                        raise ValueError(f"redirect to a {target.scheme} URL not followed")
                    if target.host != origin and not self.config.follow_cross_host_redirects:
                        raise ValueError(f"redirect from {origin} to another host ({target.host}) not followed")
                    url = str(target)
                    continue
                if resp.status_code != 200:
                    raise ValueError(f"HTTP {resp.status_code}")
                body = await read_limited(resp, self.config.max_bytes)
                final_url = str(resp.url)
                break
        else:
            raise ValueError(f"more than {self.config.max_redirects} redirects")
        loop = asyncio.get_running_loop()
        text: Any = await loop.run_in_executor(self.executor, extract_article, body, final_url)
        return text if isinstance(text, str) else None
