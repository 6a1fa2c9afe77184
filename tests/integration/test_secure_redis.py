"""Redis with a password and TLS (mutual TLS), configured only through NEWSMON_REDIS_* settings.

A private ``redis-server`` listens with TLS only (``port 0``, ``tls-port``) on a
loopback port of its own, with ``requirepass`` and ``tls-auth-clients yes``;
its CA, server and client certificates are made at test time with openssl
and thrown away after. The shared Redis on 6379 is not touched.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import AuthenticationError, ConnectionError, ResponseError

from newsmon.alerting.keys import Keys
from newsmon.alerting.store import AlertStore
from newsmon.config import ConfigError, Settings
from newsmon.redis_conn import connect_redis, redact_url
from newsmon.streams.records import Alert

from .redis_nodes import RedisProc, free_ports

# redis-py (8.x) does not close the socket of a connection that the server refuses at AUTH;
# the leak is reported at garbage collection, in whichever test runs then.
LEAKS_REFUSED_SOCKET = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def openssl(*args: str, cwd: Path) -> None:
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, f"openssl {' '.join(args)}:\n{res.stderr}"


def make_pki(d: Path) -> None:
    """ca.crt; server.crt for 127.0.0.1 and localhost; client.crt; all signed by the CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "1", "-subj", "/CN=newsmon test CA", cwd=d)  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN=newsmon test {name}", cwd=d)  # fmt: skip
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.crt", "-days", "1", "-extfile", "san.ext", cwd=d)  # fmt: skip
    for key in d.glob("*.key"):
        key.chmod(0o600)


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl not found: run scripts/tools.sh openssl")
    d = Path(tmp_path_factory.mktemp("redis-tls"))
    make_pki(d)
    password = secrets.token_urlsafe(18)
    (d / "password").write_text(password + "\n")
    [port] = free_ports(1)
    proc = RedisProc(
        d / "server",
        port,
        [
            "port 0",
            f"tls-port {port}",
            f'tls-cert-file "{d / "server.crt"}"',
            f'tls-key-file "{d / "server.key"}"',
            f'tls-ca-cert-file "{d / "ca.crt"}"',
            "tls-auth-clients yes",
            f'requirepass "{password}"',
        ],
    )
    # RedisProc.__init__ wrote "port <tls port>" first; the later "port 0" wins (redis.conf: last one counts).
    try:
        proc.wait_port()
        yield {"port": str(port), "dir": str(d), "password": password}
    finally:
        proc.stop()


def env(r: dict[str, str], **extra: str) -> dict[str, str]:
    d = Path(r["dir"])
    return {
        "NEWSMON_REDIS_URL": f"rediss://127.0.0.1:{r['port']}/0",
        "NEWSMON_REDIS_PASSWORD_FILE": str(d / "password"),
        "NEWSMON_REDIS_TLS_CA_FILE": str(d / "ca.crt"),
        "NEWSMON_REDIS_TLS_CERT_FILE": str(d / "client.crt"),
        "NEWSMON_REDIS_TLS_KEY_FILE": str(d / "client.key"),
        **extra,
    }


def alert(n: int) -> Alert:
    return Alert(
        alert_id=f"al_{n}", rule_id="r", rule_name="Rule", story_id=f"story-{n}", article_id=f"a{n}", title="t",
        url=None, source="wire", countries=[], regions=[], topics=[], evidence=[], snippet="s",
        channels=["webhook"], created_at=time.time(), ingested_at=time.time(),
    )  # fmt: skip


async def test_redis_tls__password_and_client_cert_from_settings_run_the_alert_store(tls_redis):
    settings = Settings.from_env(env(tls_redis))
    assert tls_redis["password"] not in repr(settings)
    client = connect_redis(settings)
    try:
        store = AlertStore(client, Keys("nmtls", 4), dedup_ttl_s=60)
        assert await store.create(alert(1))
        assert not await store.create(alert(1))
        assert await store.pending("webhook") == 1
        conn = (await client.execute_command("CLIENT", "INFO")).decode()
        assert "user=default" in conn
    finally:
        await client.aclose()


async def test_redis_tls__password_in_url_is_used_and_redacted(tls_redis):
    url = f"rediss://:{tls_redis['password']}@127.0.0.1:{tls_redis['port']}/0"
    e = env(tls_redis, NEWSMON_REDIS_URL=url)
    del e["NEWSMON_REDIS_PASSWORD_FILE"]
    client = connect_redis(Settings.from_env(e))
    try:
        assert await client.ping()
    finally:
        await client.aclose()
    assert tls_redis["password"] not in redact_url(url) and "***" in redact_url(url)


@LEAKS_REFUSED_SOCKET
async def test_redis_tls__wrong_password_is_refused(tls_redis, tmp_path):
    (tmp_path / "pw").write_text("not-the-password")
    client = connect_redis(Settings.from_env(env(tls_redis, NEWSMON_REDIS_PASSWORD_FILE=str(tmp_path / "pw"))))
    try:
        with pytest.raises((AuthenticationError, ResponseError)) as exc:
            await client.ping()
    finally:
        await client.aclose()
    assert "not-the-password" not in str(exc.value)
    assert "WRONGPASS" in str(exc.value) or "invalid" in str(exc.value).lower()


@LEAKS_REFUSED_SOCKET
async def test_redis_tls__no_password_is_refused(tls_redis):
    e = env(tls_redis)
    del e["NEWSMON_REDIS_PASSWORD_FILE"]
    client = connect_redis(Settings.from_env(e))
    try:
        with pytest.raises((AuthenticationError, ResponseError)) as exc:
            await client.ping()
    finally:
        await client.aclose()
    assert "NOAUTH" in str(exc.value) or "Authentication required" in str(exc.value)


@LEAKS_REFUSED_SOCKET
async def test_redis_tls__server_cert_not_signed_by_the_configured_ca_is_refused(tls_redis, tmp_path):
    make_pki(tmp_path)  # another CA: the server's certificate is not signed by it
    client = connect_redis(Settings.from_env(env(tls_redis, NEWSMON_REDIS_TLS_CA_FILE=str(tmp_path / "ca.crt"))))
    try:
        with pytest.raises(ConnectionError) as exc:
            await client.ping()
    finally:
        await client.aclose()
    assert "certificate verify failed" in str(exc.value)


@LEAKS_REFUSED_SOCKET
async def test_redis_tls__plain_redis_url_cannot_talk_to_the_tls_port(tls_redis):
    client = connect_redis(f"redis://:{tls_redis['password']}@127.0.0.1:{tls_redis['port']}/0", socket_timeout=3)
    try:
        with pytest.raises(ConnectionError):
            await client.ping()
    finally:
        await client.aclose()


def test_redis_tls__settings_name_the_variable_of_a_missing_ca_file(tls_redis):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env(env(tls_redis, NEWSMON_REDIS_TLS_CA_FILE="/nonexistent/ca.crt"))
    assert "NEWSMON_REDIS_TLS_CA_FILE" in str(exc.value)
