"""Log channel: writes each alert as one structured log line (useful for demos and audits)."""

from __future__ import annotations

import logging

from newsmon.streams.records import Alert

logger = logging.getLogger(__name__)


class LogChannel:
    type_name = "log"
    required: tuple[str, ...] = ()
    optional = ("level",)

    def __init__(self, name: str, *, level: str = "WARNING") -> None:
        self.name = name
        self.rate_per_s: float | None = None
        self._level = logging.getLevelName(level.upper())
        if not isinstance(self._level, int):
            raise ValueError(f"unknown log level {level!r}")

    async def send(self, alert: Alert) -> None:
        if alert.kind == "digest":
            logger.log(
                self._level,
                "DIGEST %s rule=%s members=%d articles=%s",
                alert.alert_id,
                alert.rule_id,
                len(alert.members),
                ",".join(str(m.get("article_id")) for m in alert.members),
                extra={"alert_id": alert.alert_id},
            )
            return
        logger.log(
            self._level,
            "ALERT %s rule=%s story=%s countries=%s regions=%s title=%r",
            alert.alert_id,
            alert.rule_id,
            alert.story_id,
            ",".join(alert.countries),
            ",".join(alert.regions),
            alert.title,
            extra={"alert_id": alert.alert_id, "article_id": alert.article_id},
        )

    async def aclose(self) -> None:
        return None


CHANNEL = LogChannel
