"""Connection settings: Redis URL parsing (standalone, Sentinel, Cluster) and Kafka/Redis security kwargs."""

from __future__ import annotations

import ssl
from pathlib import Path

import faust
import pytest

from newsmon.config import ConfigError, Settings
from newsmon.kafka_util import client_kwargs, security_kwargs
from newsmon.redis_conn import connect_redis, parse_url, redact_url
from newsmon.streams.app import broker_credentials


def test_parse_url__sentinel_with_password_service_and_db():
    p = parse_url("redis+sentinel://:s%40cret@10.0.0.1:26379,10.0.0.2/mymaster/3")
    assert p.hosts == [("10.0.0.1", 26379), ("10.0.0.2", 26379)]
    assert (p.password, p.username, p.service, p.db, p.tls) == ("s@cret", None, "mymaster", 3, False)


def test_parse_url__sentinel_without_service_is_an_error():
    with pytest.raises(ValueError, match="service name"):
        parse_url("redis+sentinel://h:26379")


def test_parse_url__tls_cluster_with_acl_user():
    p = parse_url("rediss+cluster://alice:pw@r1:7000,r2:7001,r3")
    assert p.hosts == [("r1", 7000), ("r2", 7001), ("r3", 6379)]
    assert (p.username, p.password, p.tls, p.service) == ("alice", "pw", True, None)


@pytest.mark.parametrize("url", ["http://h:1", "redis+cluster://h:port", "redis+cluster://h/x"])
def test_parse_url__invalid_urls_are_refused(url):
    with pytest.raises(ValueError):
        parse_url(url)


def test_redact_url__hides_password_keeps_user_and_hosts():
    assert redact_url("rediss://alice:topsecret@h:1/0") == "rediss://alice:***@h:1/0"
    assert redact_url("redis+sentinel://:topsecret@a,b/m") == "redis+sentinel://:***@a,b/m"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_connect_redis__settings_password_and_tls_files_reach_the_connection(tmp_path: Path):
    for name in ("ca.crt", "c.crt", "c.key", "pw"):
        (tmp_path / name).write_text("x")
    s = Settings.from_env({
        "NEWSMON_REDIS_URL": "rediss://h:6380/2",
        "NEWSMON_REDIS_PASSWORD_FILE": str(tmp_path / "pw"),
        "NEWSMON_REDIS_TLS_CA_FILE": str(tmp_path / "ca.crt"),
        "NEWSMON_REDIS_TLS_CERT_FILE": str(tmp_path / "c.crt"),
        "NEWSMON_REDIS_TLS_KEY_FILE": str(tmp_path / "c.key"),
    })  # fmt: skip
    kw = connect_redis(s).connection_pool.connection_kwargs
    assert kw["password"] == "x" and kw["ssl_ca_certs"] == str(tmp_path / "ca.crt")
    assert kw["ssl_certfile"] == str(tmp_path / "c.crt") and kw["ssl_cert_reqs"] == "required"


def test_connect_redis__cluster_url_gives_a_cluster_client():
    from redis.asyncio import RedisCluster

    client = connect_redis("redis+cluster://:pw@127.0.0.1:7000,127.0.0.1:7001")
    assert isinstance(client, RedisCluster)
    assert [(n.host, n.port) for n in client.startup_nodes] == [("127.0.0.1", 7000), ("127.0.0.1", 7001)]


def test_settings__redis_tls_file_without_rediss_url_is_refused(tmp_path: Path):
    (tmp_path / "ca").write_text("x")
    with pytest.raises(ConfigError, match="NEWSMON_REDIS_TLS_CA_FILE is set but only used with a rediss://"):
        Settings.from_env({"NEWSMON_REDIS_TLS_CA_FILE": str(tmp_path / "ca")})


def test_settings__kafka_sasl_needs_username_and_password():
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({"NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    assert "NEWSMON_KAFKA_SASL_USERNAME" in str(exc.value) and "NEWSMON_KAFKA_SASL_PASSWORD" in str(exc.value)


def test_settings__unknown_sasl_mechanism_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="NEWSMON_KAFKA_SASL_MECHANISM"):
        Settings.from_env({"NEWSMON_KAFKA_SASL_MECHANISM": "GSSAPI"})


def test_kafka_security__plaintext_default():
    s = Settings.from_env({})
    assert security_kwargs(s) == {"security_protocol": "PLAINTEXT"}
    assert broker_credentials(s) is None
    assert client_kwargs(s)["bootstrap_servers"] == "127.0.0.1:9092"


def test_kafka_security__sasl_ssl_scram_for_aiokafka_and_faust():
    s = Settings.from_env({
        "NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "NEWSMON_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "NEWSMON_KAFKA_SASL_USERNAME": "newsmon", "NEWSMON_KAFKA_SASL_PASSWORD": "hunter2",
    })  # fmt: skip
    kw = security_kwargs(s)
    assert kw["security_protocol"] == "SASL_SSL" and kw["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kw["sasl_plain_username"], kw["sasl_plain_password"]) == ("newsmon", "hunter2")
    assert isinstance(kw["ssl_context"], ssl.SSLContext) and kw["ssl_context"].check_hostname
    creds = broker_credentials(s)
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol.value == "SASL_SSL" and creds.mechanism.value == "SCRAM-SHA-512"
    assert "hunter2" not in repr(creds) and "hunter2" not in repr(s)
