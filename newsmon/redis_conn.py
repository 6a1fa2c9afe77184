"""Redis connections from one URL: standalone, TLS, Sentinel or Cluster.

* ``redis://[[user]:password@]host:port/db`` and ``rediss://`` (TLS) for one server;
* ``redis+sentinel://[:password@]host:port[,host:port...]/service/db`` (or
  ``rediss+sentinel``) for a Sentinel-managed primary;
* ``redis+cluster://[:password@]host:port[,host:port...]`` (or ``rediss+cluster``)
  for Redis Cluster.

All keys newsmon writes carry hash tags, so multi-key scripts work on Cluster.
Given the :class:`~newsmon.config.Settings` instead of a bare URL,
:func:`connect_redis` also applies ``NEWSMON_REDIS_USERNAME`` /
``NEWSMON_REDIS_PASSWORD`` (AUTH, overriding a password in the URL) and the
``NEWSMON_REDIS_TLS_*`` files (CA, client certificate and key) for ``rediss``
URLs. Use :func:`redact_url` to log a URL: passwords never reach a log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.sentinel import Sentinel

if TYPE_CHECKING:
    from newsmon.config import Settings

SCHEMES = ("redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster")


class _Cluster(RedisCluster):
    """RedisCluster that finishes its start-up before the first command runs.

    redis-py (8.x) resolves a command's routing policy before it initializes
    the cluster client; when several coroutines issue their first commands at
    once (the dispatcher delivers concurrently), that lookup can use a startup
    connection the initialization is closing, and the command fails with
    ``AttributeError: 'NoneType' object has no attribute 'writelines'``.
    Initializing first (under the client's own lock) closes that window;
    tests/integration/test_redis_cluster.py races 40 creates on fresh clients.
    """

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if self._initialize:
            await self.initialize()
        return await super().execute_command(*args, **kwargs)


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    """The parts of a newsmon Redis URL (what :func:`connect_redis` connects to)."""

    scheme: str
    hosts: list[tuple[str, int]] = field(default_factory=list)
    username: str | None = None
    password: str | None = None
    service: str | None = None  # Sentinel: the monitored primary's name
    db: int = 0

    @property
    def tls(self) -> bool:
        return self.scheme.startswith("rediss")


def parse_url(url: str) -> ParsedUrl:
    """Split a Sentinel or Cluster URL (standalone URLs are parsed by redis-py itself)."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported Redis URL scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    parts = urlsplit(url)
    netloc = parts.netloc
    username = password = None
    if "@" in netloc:
        cred, netloc = netloc.rsplit("@", 1)
        user, sep, pw = cred.partition(":")
        username = unquote(user) or None
        password = (unquote(pw) if sep else None) or None
        if not sep:  # "redis+cluster://secret@host" means a password alone, as redis-cli reads it
            username, password = None, unquote(user) or None
    hosts = []
    for part in filter(None, netloc.split(",")):
        host, _, port = part.rpartition(":")
        if not host:
            host, port = part, ""
        if port and not port.isdigit():
            raise ValueError(f"invalid port in Redis URL host {host!r}")
        hosts.append((host.strip("[]"), int(port) if port else (26379 if "sentinel" in scheme else 6379)))
    segs = [s for s in parts.path.split("/") if s]
    service = None
    db = 0
    if "sentinel" in scheme:
        if not segs:
            raise ValueError("redis+sentinel URL needs a service name: redis+sentinel://host:26379/mymaster/0")
        service = segs[0]
        segs = segs[1:]
    if segs:
        if not segs[0].isdigit():
            raise ValueError(f"invalid database number {segs[0]!r} in Redis URL")
        db = int(segs[0])
    if not hosts and scheme not in ("unix",):
        raise ValueError("Redis URL names no host")
    return ParsedUrl(scheme, hosts, username, password, service, db)


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for logs and error messages)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    cred, _, tail = rest.partition("@")
    user = cred.split(":", 1)[0] if ":" in cred else ""
    return f"{scheme}://{user}:***@{tail}"


def _tls_kwargs(settings: Settings) -> dict[str, Any]:
    kw: dict[str, Any] = {"ssl_cert_reqs": "required", "ssl_check_hostname": settings.redis_tls_check_hostname}
    if settings.redis_tls_ca_file:
        kw["ssl_ca_certs"] = settings.redis_tls_ca_file
    if settings.redis_tls_cert_file:
        kw["ssl_certfile"] = settings.redis_tls_cert_file
        kw["ssl_keyfile"] = settings.redis_tls_key_file
    return kw


def connect_redis(target: str | Settings, **kwargs: Any) -> Any:
    """Client for a URL or for the settings' URL, credentials and TLS files.

    The connection opens lazily on the first command; a wrong password or an
    untrusted certificate surfaces there as ``redis.AuthenticationError`` or
    ``redis.ConnectionError`` (the message never contains the password).
    """
    if isinstance(target, str):
        url = target
    else:
        url = target.redis_url_plain
        if target.redis_password is not None:
            kwargs.setdefault("password", target.redis_password.get_secret_value())
        if target.redis_username:
            kwargs.setdefault("username", target.redis_username)
        if url.split("://", 1)[0].lower().startswith("rediss"):
            for k, v in _tls_kwargs(target).items():
                kwargs.setdefault(k, v)
    scheme = url.split("://", 1)[0].lower()
    kwargs.setdefault("health_check_interval", 15)
    kwargs.setdefault("socket_connect_timeout", 5)
    kwargs.setdefault("socket_timeout", 10)
    if scheme in ("redis", "rediss", "unix"):
        return Redis.from_url(url, **kwargs)
    p = parse_url(url)
    password = kwargs.pop("password", None) or p.password
    username = kwargs.pop("username", None) or p.username
    if p.service is not None:
        ssl = {k: v for k, v in kwargs.items() if k.startswith("ssl")}
        conn = {k: v for k, v in kwargs.items() if not k.startswith("ssl")}
        if p.tls:
            conn.update(ssl, ssl=True)
        # Sentinels and the primary share the password (the usual set-up: requirepass
        # and sentinel's requirepass both set to it).
        auth: dict[str, Any] = {"password": password, "username": username} if password else {}
        # redis >= 8.2 types Sentinel's keyword parameters (min_other_sentinels: int,
        # force_master_ip: str | None) ahead of **connection_kwargs: Any; one mapping
        # typed Any keeps mypy from matching our str values against those.
        connection_kwargs: dict[str, Any] = {"db": p.db, **auth, **conn}
        sentinel = Sentinel(
            p.hosts,
            sentinel_kwargs={**auth, **({"ssl": True, **ssl} if p.tls else {})},
            **connection_kwargs,
        )
        return sentinel.master_for(p.service)
    kwargs.pop("health_check_interval", None)
    return _Cluster(
        startup_nodes=[ClusterNode(h, port) for h, port in p.hosts],
        username=username,
        password=password,
        ssl=p.tls,
        **kwargs,
    )
