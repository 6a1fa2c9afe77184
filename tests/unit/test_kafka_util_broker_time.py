"""Which record times newsmon takes as the ingest time."""

import pytest

from newsmon.kafka_util import CREATE_TIME, LOG_APPEND_TIME, RAW_TOPIC_CONFIG, broker_time


def test_broker_time__log_append_time_is_taken():
    assert broker_time(1_765_000_000.25, LOG_APPEND_TIME) == 1_765_000_000.25


@pytest.mark.parametrize(
    ("timestamp", "kind"),
    [
        (1_765_000_000.0, CREATE_TIME),  # the producer's claim
        (1e300, CREATE_TIME),
        (None, LOG_APPEND_TIME),
        (-1.0, LOG_APPEND_TIME),  # Kafka's "no timestamp"
        (1_765_000_000.0, None),
    ],
)
def test_broker_time__producer_times_and_missing_times_are_not_taken(timestamp, kind):
    assert broker_time(timestamp, kind) is None


def test_raw_topic__created_with_broker_stamped_times():
    assert RAW_TOPIC_CONFIG == {"message.timestamp.type": "LogAppendTime"}
