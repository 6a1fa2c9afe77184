"""ScriptBatcher against the real Redis: one pipeline per loop turn, each caller its own answer."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from newsmon.alerting.stages import ScriptBatcher
from newsmon.redis_conn import connect_redis

from .conftest import REDIS_URL

# Counts calls per key; refuses the argument "bad" with a script error.
SCRIPT = """
if ARGV[1] == 'bad' then return redis.error_reply('refused') end
return redis.call('INCR', KEYS[1])
"""


@pytest.mark.usefixtures("redis_up")
async def test_batcher__same_turn_calls_share_one_round_trip_with_own_results():
    redis = connect_redis(REDIS_URL)
    key = f"nmtest-batch-{uuid.uuid4().hex[:8]}"
    try:
        batcher = ScriptBatcher(redis, SCRIPT)
        results = await asyncio.gather(*(batcher([f"{key}:{i % 3}"], ["ok"]) for i in range(30)))
        assert batcher.round_trips == 1
        # Scripts ran in call order: per key the counts go 1..10.
        assert [r for i, r in enumerate(results) if i % 3 == 0] == list(range(1, 11))
        # A later turn is a new round trip; a script error reaches only its caller.
        good, bad = await asyncio.gather(batcher([f"{key}:0"], ["ok"]), batcher([key], ["bad"]), return_exceptions=True)
        assert good == 11 and isinstance(bad, ResponseError) and batcher.round_trips == 2
    finally:
        await redis.delete(*(f"{key}:{i}" for i in range(3)))
        await redis.aclose()


async def test_batcher__redis_down_every_caller_gets_the_error():
    redis = connect_redis("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        batcher = ScriptBatcher(redis, SCRIPT)
        results = await asyncio.gather(*(batcher(["k"], ["ok"]) for _ in range(5)), return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError) for r in results)
    finally:
        await redis.aclose()
