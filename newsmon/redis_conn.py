"""Redis connections from one URL: standalone, TLS, Sentinel or Cluster.

* ``redis://[:password@]host:port/db`` and ``rediss://`` (TLS) for one server;
* ``redis+sentinel://[:password@]host:port[,host:port...]/service/db`` for a
  Sentinel-managed primary;
* ``redis+cluster://[:password@]host:port[,host:port...]`` (or ``rediss+cluster``)
  for Redis Cluster.
All keys newsmon writes carry hash tags, so multi-key scripts work on Cluster.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.sentinel import Sentinel


def _hosts(netloc: str) -> tuple[str | None, list[tuple[str, int]]]:
    password = None
    if "@" in netloc:
        cred, netloc = netloc.rsplit("@", 1)
        password = unquote(cred.split(":", 1)[1] if ":" in cred else cred) or None
    hosts = []
    for part in netloc.split(","):
        host, _, port = part.rpartition(":")
        hosts.append((host or part, int(port) if port and host else 6379))
    return password, hosts


def connect_redis(url: str, **kwargs: Any) -> Any:
    """Client for ``url``; the connection opens lazily on first command."""
    scheme = url.split("://", 1)[0].lower()
    kwargs.setdefault("health_check_interval", 15)
    kwargs.setdefault("socket_connect_timeout", 5)
    kwargs.setdefault("socket_timeout", 10)
    if scheme in ("redis", "rediss", "unix"):
        return Redis.from_url(url, **kwargs)
    parts = urlsplit(url)
    password, hosts = _hosts(parts.netloc)
    if scheme == "redis+sentinel":
        segs = [s for s in parts.path.split("/") if s]
        if not segs:
            raise ValueError("redis+sentinel URL needs a service name: redis+sentinel://host:26379/mymaster/0")
        service = segs[0]
        db = int(segs[1]) if len(segs) > 1 else 0
        sentinel = Sentinel(
            hosts, sentinel_kwargs={"password": password} if password else None, password=password, db=db, **kwargs
        )
        return sentinel.master_for(service)
    if scheme in ("redis+cluster", "rediss+cluster"):
        kwargs.pop("health_check_interval", None)
        return RedisCluster(
            startup_nodes=[ClusterNode(h, p) for h, p in hosts],
            password=password,
            ssl=scheme.startswith("rediss"),
            **kwargs,
        )
    raise ValueError(f"unsupported Redis URL scheme {scheme!r}")
