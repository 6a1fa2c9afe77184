"""Service configuration from environment variables, validated once at start.

Every setting is an environment variable ``NEWSMON_<NAME>``; a value can also
come from a file named by ``NEWSMON_<NAME>_FILE`` (for secrets mounted by
Kubernetes or systemd credentials). Invalid values fail fast with
:class:`ConfigError`, which names the variable and what was wrong; secret
values are never echoed back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

ENV_PREFIX = "NEWSMON_"


class ConfigError(ValueError):
    """Configuration is invalid; the message names the variable (or file) and field."""


class Settings(BaseModel):
    """All runtime settings. Field ``foo_bar`` is read from ``NEWSMON_FOO_BAR``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_id: str = Field("newsmon", min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    kafka_broker: str = Field("kafka://127.0.0.1:9092", min_length=1)
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    redis_prefix: str = Field("newsmon", pattern=r"^[A-Za-z0-9._-]+$")
    redis_shards: int = Field(8, ge=1, le=1024)

    topic_raw: str = Field("newsmon.articles.raw", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    topic_classified: str = Field("newsmon.articles.classified", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    topic_alerts: str = Field("newsmon.alerts", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    topic_deadletter: str = Field("newsmon.deadletter", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    topic_rules: str = Field("newsmon.rules", pattern=r"^[A-Za-z0-9._-]{1,249}$")
    partitions: int = Field(4, ge=1, le=10_000)
    replication_factor: int = Field(1, ge=1, le=10)
    # Input topic retention; the dedup TTL must outlive it so a replay of the
    # whole topic cannot raise an alert a second time.
    kafka_retention_hours: float = Field(168.0, gt=0)
    dedup_ttl_hours: float = Field(192.0, gt=0)

    max_article_bytes: int = Field(1_000_000, ge=1024)
    rules_path: str = "rules"
    channels_path: str = "channels.yaml"

    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=0, le=65535)
    api_token: SecretStr | None = None

    session_timeout: float = Field(30.0, gt=0)
    heartbeat_interval: float = Field(3.0, gt=0)
    commit_interval: float = Field(1.0, gt=0)
    data_dir: str = ".cache/worker"
    log_level: str = Field("info", pattern=r"^(?i:debug|info|warning|error)$")

    # Delivery
    delivery_max_attempts: int = Field(8, ge=1, le=1000)
    delivery_max_age_s: float = Field(3600.0, gt=0)
    delivery_backoff_base_s: float = Field(1.0, gt=0)
    delivery_backoff_max_s: float = Field(300.0, gt=0)
    delivery_timeout_s: float = Field(10.0, gt=0)
    delivery_poll_s: float = Field(0.2, gt=0)

    @model_validator(mode="after")
    def _dedup_outlives_retention(self) -> Settings:
        if self.dedup_ttl_hours < self.kafka_retention_hours:
            raise ValueError(
                f"dedup_ttl_hours ({self.dedup_ttl_hours}) must be >= kafka_retention_hours "
                f"({self.kafka_retention_hours}) so a replay cannot alert twice"
            )
        return self

    @property
    def dedup_ttl_s(self) -> int:
        return int(self.dedup_ttl_hours * 3600)

    @property
    def redis_url_plain(self) -> str:
        return self.redis_url.get_secret_value()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``NEWSMON_*`` variables; raise :class:`ConfigError` naming the bad one."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        known = set(cls.model_fields)
        for name in known:
            var = ENV_PREFIX + name.upper()
            if var in env:
                values[name] = env[var]
            elif var + "_FILE" in env:
                path = Path(env[var + "_FILE"])
                try:
                    values[name] = path.read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ConfigError(f"{var}_FILE: cannot read {path}: {exc.strerror}") from None
        values.update(overrides)
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else ""
        var = ENV_PREFIX + field.upper() if field else "(settings)"
        # Never echo the input: it may be a secret such as a password in a URL.
        lines.append(f"  {var}: {err['msg']}")
    return "\n".join(lines)
