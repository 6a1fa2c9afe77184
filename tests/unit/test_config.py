import pytest

from newsmon.config import ConfigError, Settings


def test_config__defaults_are_valid():
    s = Settings.from_env({})
    assert s.kafka_broker.startswith("kafka://")
    assert s.dedup_ttl_s >= s.kafka_retention_hours * 3600


@pytest.mark.parametrize(
    ("env", "var"),
    [
        ({"NEWSMON_PARTITIONS": "many"}, "NEWSMON_PARTITIONS"),
        ({"NEWSMON_PARTITIONS": "0"}, "NEWSMON_PARTITIONS"),
        ({"NEWSMON_TOPIC_RAW": "bad topic!"}, "NEWSMON_TOPIC_RAW"),
        ({"NEWSMON_MAX_ARTICLE_BYTES": "10"}, "NEWSMON_MAX_ARTICLE_BYTES"),
        ({"NEWSMON_LOG_LEVEL": "chatty"}, "NEWSMON_LOG_LEVEL"),
    ],
)
def test_config__invalid_value_names_variable(env, var):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env(env)
    assert var in str(exc.value)


def test_config__dedup_shorter_than_retention_fails():
    with pytest.raises(ConfigError, match="dedup_ttl_hours"):
        Settings.from_env({"NEWSMON_KAFKA_RETENTION_HOURS": "200", "NEWSMON_DEDUP_TTL_HOURS": "100"})


def test_config__secret_from_file_and_never_echoed(tmp_path):
    f = tmp_path / "redis-url"
    f.write_text("redis://:s3cret@127.0.0.1:6380/1\n")
    s = Settings.from_env({"NEWSMON_REDIS_URL_FILE": str(f)})
    assert s.redis_url_plain == "redis://:s3cret@127.0.0.1:6380/1"
    assert "s3cret" not in repr(s)
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({"NEWSMON_REDIS_URL": "redis://:s3cret@x", "NEWSMON_WEB_PORT": "s3cret"})
    assert "s3cret" not in str(exc.value)


def test_config__missing_secret_file_names_variable(tmp_path):
    with pytest.raises(ConfigError, match="NEWSMON_API_TOKEN_FILE"):
        Settings.from_env({"NEWSMON_API_TOKEN_FILE": str(tmp_path / "nope")})
