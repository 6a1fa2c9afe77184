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

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from newsmon.untrusted import MAX_FILE_BYTES, parse_allow

ENV_PREFIX = "NEWSMON_"

# API tokens (issue 14, SECURITY.md): a bearer token shorter than this is
# guessable, and the placeholders this repository ships (deploy/*.example, the
# k8s Secret) are public: a deployment that copied one unchanged must not start.
# tests/unit/test_token_policy.py collects the placeholders from the files and
# checks each is refused.
MIN_TOKEN_CHARS = 32
EXAMPLE_TOKENS = frozenset(
    {
        "replace_me_with_a_long_random_token",
        "replace_me_with_another_long_random_token",
        "replace_me",
        "replace_me_before_first_start",
        "whsec_replace_me",
        "whsec_replace_me_with_base64_secret",
        "https://alerts.example.invalid/replace_me",
        "https://hooks.slack.example.invalid/replace_me",
    }
)


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

    # Secure connections (docs/operations.md, "Deployment and security"). Secrets come from
    # the environment or, better, a *_FILE; they are SecretStr so they never
    # appear in a repr, a log line or a validation message.
    kafka_security_protocol: str = Field("PLAINTEXT", pattern=r"^(PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL)$")
    kafka_sasl_mechanism: str = Field("PLAIN", pattern=r"^(PLAIN|SCRAM-SHA-256|SCRAM-SHA-512)$")
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None  # CA bundle that signed the brokers' certificates
    kafka_ssl_certfile: str | None = None  # client certificate (mutual TLS)
    kafka_ssl_keyfile: str | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True
    # Overrides a password in NEWSMON_REDIS_URL; the username is for Redis ACL users.
    redis_username: str | None = None
    redis_password: SecretStr | None = None
    # TLS for rediss:// (and rediss+cluster://, rediss+sentinel://) URLs.
    redis_tls_ca_file: str | None = None
    redis_tls_cert_file: str | None = None
    redis_tls_key_file: str | None = None
    redis_tls_check_hostname: bool = True

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
    # Input hardening (docs/ingest-security.md). Nesting deeper than this is
    # refused on every way in: nothing in an article needs it, and encoders and
    # validators recurse.
    max_json_depth: int = Field(32, ge=2, le=200)
    # Files for `newsmon ingest` and the watch folder: larger ones are refused
    # unread; smaller ones are streamed (a line or an article at a time).
    max_file_bytes: int = Field(MAX_FILE_BYTES, ge=1024)
    # Feed, redirect and full-text fetches never connect to loopback, private,
    # link-local, multicast or cloud-metadata addresses, except these:
    # comma-separated networks (10.20.0.0/16) and host names (feeds.corp.internal).
    fetch_allow: str = ""
    # Articles published longer before their ingest than this are "late": they
    # still match rules but do not count toward frequency or spike windows.
    late_after_s: float = Field(48 * 3600.0, gt=0)
    rules_path: str = "rules"
    channels_path: str = "channels.yaml"

    # Ingestion (newsmon/ingest): near-duplicate stories, the HTTP ingest API, feeds.
    # Copies of an article published within this window join its story.
    story_window_hours: float = Field(72.0, gt=0)
    # Estimated Jaccard similarity (word 3-shingles, MinHash) at which a copy joins a story.
    story_threshold: float = Field(0.45, gt=0, le=1)
    feeds_path: str = "feeds.yaml"
    # HTTP ingest API: articles in flight to Kafka before new requests get 429.
    ingest_max_inflight: int = Field(5000, ge=1)
    ingest_max_batch: int = Field(1000, ge=1)

    web_host: str = "127.0.0.1"
    # 0 disables the web server; -1 binds an ephemeral port (tests), logged and
    # written to web_addr_file when set.
    web_port: int = Field(6066, ge=-1, le=65535)
    web_addr_file: str | None = None
    # How often the worker samples consumer lag, outbox sizes and the dashboard series.
    monitor_interval_s: float = Field(2.0, gt=0, le=300)
    # --- web API hardening (issue 14, rows 6-8; SECURITY.md) ---
    api_token: SecretStr | None = None
    # Bearer token for reads (alerts, silences, dashboard JSON); needed when
    # NEWSMON_WEB_HOST is not loopback unless NEWSMON_API_TOKEN is set (it opens reads too).
    api_read_token: SecretStr | None = None
    # Longest silence the API accepts (``until``/``duration`` further out: 422).
    silence_max_days: float = Field(90.0, gt=0, le=3650)

    session_timeout: float = Field(30.0, gt=0)
    heartbeat_interval: float = Field(3.0, gt=0)
    commit_interval: float = Field(1.0, gt=0)
    data_dir: str = ".cache/worker"
    log_level: str = Field("info", pattern=r"^(?i:debug|info|warning|error)$")
    # json (one event per line) or text; unset: json for the worker, text for other commands.
    log_format: str | None = Field(None, pattern=r"^(json|text)$")

    # Delivery
    delivery_max_attempts: int = Field(8, ge=1, le=1000)
    delivery_max_age_s: float = Field(3600.0, gt=0)
    delivery_backoff_base_s: float = Field(1.0, gt=0)
    delivery_backoff_max_s: float = Field(300.0, gt=0)
    delivery_timeout_s: float = Field(10.0, gt=0)
    delivery_poll_s: float = Field(0.2, gt=0)

    @field_validator("api_token", "api_read_token")
    @classmethod
    def _token_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value()
        if token.strip().lower() in EXAMPLE_TOKENS or "replace_me" in token.lower():
            raise ValueError("is an example value from the newsmon repository; generate a random token")
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(f"must be at least {MIN_TOKEN_CHARS} characters (got {len(token)})")
        return value

    @model_validator(mode="after")
    def _secure_connections_complete(self) -> Settings:
        """SASL needs credentials; TLS files must be readable; TLS settings need a TLS transport."""
        problems = []
        if self.kafka_security_protocol.startswith("SASL_"):
            for name in ("kafka_sasl_username", "kafka_sasl_password"):
                if not getattr(self, name):
                    problems.append(f"{ENV_PREFIX}{name.upper()} is required with {self.kafka_security_protocol}")
        kafka_tls = self.kafka_security_protocol in ("SSL", "SASL_SSL")
        redis_tls = self.redis_url_plain.split("://", 1)[0].lower().startswith("rediss")
        for name, tls, where in (
            ("kafka_ssl_cafile", kafka_tls, "NEWSMON_KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL"),
            ("kafka_ssl_certfile", kafka_tls, "NEWSMON_KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL"),
            ("kafka_ssl_keyfile", kafka_tls, "NEWSMON_KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL"),
            ("redis_tls_ca_file", redis_tls, "a rediss:// NEWSMON_REDIS_URL"),
            ("redis_tls_cert_file", redis_tls, "a rediss:// NEWSMON_REDIS_URL"),
            ("redis_tls_key_file", redis_tls, "a rediss:// NEWSMON_REDIS_URL"),
        ):
            path = getattr(self, name)
            if path is None:
                continue
            var = ENV_PREFIX + name.upper()
            if not tls:
                problems.append(f"{var} is set but only used with {where}")
            elif not os.access(path, os.R_OK):
                problems.append(f"{var}: cannot read {path}")
        for cert, key in (("kafka_ssl_certfile", "kafka_ssl_keyfile"), ("redis_tls_cert_file", "redis_tls_key_file")):
            if getattr(self, key) and not getattr(self, cert):
                problems.append(f"{ENV_PREFIX}{key.upper()} needs {ENV_PREFIX}{cert.upper()}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @field_validator("fetch_allow")
    @classmethod
    def _fetch_allow_entries(cls, v: str) -> str:
        if v.strip():
            parse_allow(v)
        return v

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
            settings = cls(**values)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None
        from newsmon.logging_setup import register_secrets

        register_secrets(settings.secret_values())
        return settings

    def secret_values(self) -> list[str]:
        """Every credential in these settings (log redaction masks each wherever it appears)."""
        out = [
            s.get_secret_value()
            for s in (self.redis_password, self.kafka_sasl_password, self.kafka_ssl_key_password,
                      self.api_token, self.api_read_token)
            if s is not None
        ]  # fmt: skip
        # URLs count only when they carry credentials ("kafka://u:pw@host"): a plain
        # redis://127.0.0.1:6379/0 masked in every line would hide where we connect.
        out += [u for u in (self.redis_url_plain, *self.kafka_broker.split(";")) if "@" in u]
        return out


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else ""
        var = ENV_PREFIX + field.upper() if field else "(settings)"
        # Never echo the input: it may be a secret such as a password in a URL.
        lines.append(f"  {var}: {err['msg']}")
    return "\n".join(lines)
