"""Redis key layout: namespaced, sharded with hash tags, Cluster-ready.

Alert state for one story lives in one shard ``{<prefix>:sN}`` chosen from the
story id, so the dedup key, the alert body and the per-channel outbox entry
that one Lua script touches share a hash slot (Redis Cluster requires that).
Delivery workers walk every shard. Keys that are global views (history,
dead letters, silences) carry their own tag; they are never touched in the
same script as shard keys.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "newsmon"
    shards: int = 8

    def shard_of(self, story_id: str) -> int:
        return zlib.crc32(story_id.encode("utf-8")) % self.shards

    def _tag(self, shard: int) -> str:
        return f"{self.prefix}:{{s{shard}}}"

    # -- per shard ---------------------------------------------------------------------
    def dedup(self, shard: int, rule_id: str, story_id: str) -> str:
        """Exists while (rule, story) has alerted; TTL outlives the input topic's retention."""
        return f"{self._tag(shard)}:dedup:{rule_id}:{story_id}"

    def alert(self, shard: int, alert_id: str) -> str:
        """The alert body (JSON), same TTL as its dedup key."""
        return f"{self._tag(shard)}:alert:{alert_id}"

    def outbox(self, shard: int, channel: str) -> str:
        """ZSET alert_id -> next attempt time (epoch s): what a channel still owes."""
        return f"{self._tag(shard)}:outbox:{channel}"

    def attempts(self, shard: int, channel: str) -> str:
        """HASH alert_id -> attempts made and last error, while in the outbox."""
        return f"{self._tag(shard)}:attempts:{channel}"

    def digest_members(self, shard: int, digest_id: str) -> str:
        """HASH story id -> member JSON of one digest (same shard and TTL as the digest body)."""
        return f"{self._tag(shard)}:digest:{digest_id}:members"

    # -- per rule (shard chosen from the rule id, or rule id and group key) -------------
    def rule_shard(self, rule_id: str, group: str = "") -> int:
        return self.shard_of(f"rule\x00{rule_id}\x00{group}")

    def window(self, shard: int, rule_id: str) -> str:
        """ZSET article id -> ingest time: the matches a frequency or spike rule counts."""
        return f"{self._tag(shard)}:win:{rule_id}"

    def window_meta(self, shard: int, rule_id: str) -> str:
        """HASH article id -> member JSON for the articles in :meth:`window`."""
        return f"{self._tag(shard)}:winmeta:{rule_id}"

    def seen_pairs(self, shard: int, rule_id: str) -> str:
        """HASH "region|topic" -> "<ingest time>|<article id>" last seen, for first_seen rules."""
        return f"{self._tag(shard)}:seen:{rule_id}"

    def cooldown(self, shard: int, rule_id: str, group: str) -> str:
        """STRING holding the alert id that opened the realert cooldown (TTL = realert)."""
        return f"{self._tag(shard)}:cooldown:{rule_id}:{group}"

    # -- global views --------------------------------------------------------------------
    def history(self) -> str:
        """Capped STREAM of alert lifecycle events (created, delivered, dead)."""
        return f"{self.prefix}:{{history}}:alerts"

    def dead(self, channel: str) -> str:
        """LIST of deliveries given up on, with the last error."""
        return f"{self.prefix}:{{dead}}:{channel}"

    def silences(self) -> str:
        """HASH silence id -> silence JSON (expired ones are kept a day for the record)."""
        return f"{self.prefix}:{{silences}}:all"

    def ack(self, alert_id: str) -> str:
        """STRING acknowledgement JSON (who, when, comment); TTL as the alert body."""
        return f"{self.prefix}:{{acks}}:{alert_id}"

    def stats(self) -> str:
        """HASH of counters (per channel sent / retried / dead)."""
        return f"{self.prefix}:{{stats}}:counters"
