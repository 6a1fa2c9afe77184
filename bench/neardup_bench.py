"""Near-duplicate story detection: speed, precision and recall (outside CI).

The evaluation set is built at run time from the eval bodies in
``../shared/eval/*.jsonl`` (never copied into the repository):

* positives: an original and a copy made by one controlled edit (headline
  rewritten, sentences reordered, 10% of words changed, boilerplate added or
  removed) or by all of them at once;
* negatives: pairs of distinct articles on the same topic and country
  (Reuters: same first topic and country list; BBC: same section).

Every original and copy is streamed through the story index in a shuffled
order, as a worker would see them; a pair is judged "same story" when both got
one story id. Precision and recall are over the labelled pairs (as many
negative pairs as positive ones). Speed counts normalization-free work per
article: fingerprint (shingles, MinHash for the LSH bands, bottom-k sketch)
and the index decision, in memory and, when Redis is up, through the real Lua
script.

    .venv/bin/python bench/neardup_bench.py [--limit 1500] [--seed 7] [--redis]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import orjson

from newsmon.ingest.normalize import clean_text
from newsmon.stories import MemoryStoryIndex, RedisStoryIndex, fingerprint

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSMON_SHARED_DIR", REPO.parent / "shared"))
MIN_WORDS = 60

# Boilerplate the bench adds; some lines are in the cleaner's list, some are not.
BOILERPLATE = [
    "Click here to subscribe to our newsletter.",
    "Read more:",
    "All rights reserved.",
    "Follow us on social media for the latest updates.",
    "This story was first published by our partner site.",
    "Sign up for breaking news alerts on your phone.",
    "Copyright 2024 The News Company. This material may not be redistributed.",
    "Share this article",
]
SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def load(limit: int, rng: random.Random) -> list[dict]:
    docs = []
    for path in sorted((SHARED / "eval").glob("*.jsonl")):
        with path.open("rb") as fh:
            for line in fh:
                obj = orjson.loads(line)
                body = clean_text(obj.get("body", ""))
                if len(body.split()) < MIN_WORDS:
                    continue
                if "label" in obj:
                    group = "bbc:" + obj["label"]
                else:
                    topics = obj.get("topics") or []
                    if not topics:
                        continue
                    group = "reuters:" + topics[0] + ":" + ",".join(sorted(obj.get("countries") or []))
                docs.append({"id": obj["id"], "title": obj.get("title", ""), "body": body, "group": group})
    rng.shuffle(docs)
    # Exact repeats in the source data are the same article, not a negative pair.
    seen, out = set(), []
    for d in docs:
        key = " ".join(d["body"].split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out[:limit]


def edit_headline(d: dict, rng: random.Random) -> dict:
    words = d["title"].split()
    rng.shuffle(words)
    return {**d, "title": "UPDATE: " + " ".join(words).lower()}


def edit_reorder(d: dict, rng: random.Random) -> dict:
    sents = SENT.split(d["body"].replace("\n\n", " "))
    if len(sents) > 2:
        # Move a few sentences, as editors do, rather than shuffling the whole text.
        for _ in range(max(1, len(sents) // 4)):
            i, j = rng.randrange(len(sents)), rng.randrange(len(sents))
            sents[i], sents[j] = sents[j], sents[i]
    return {**d, "body": " ".join(sents)}


def edit_words(d: dict, rng: random.Random, vocab: list[str], frac: float = 0.10) -> dict:
    words = d["body"].split(" ")
    for i in rng.sample(range(len(words)), max(1, int(len(words) * frac))):
        words[i] = rng.choice(vocab)
    return {**d, "body": " ".join(words)}


def edit_boilerplate(d: dict, rng: random.Random) -> dict:
    lines = rng.sample(BOILERPLATE, 3)
    return {**d, "body": lines[0] + "\n\n" + d["body"] + "\n\n" + "\n\n".join(lines[1:])}


def build(docs: list[dict], rng: random.Random) -> tuple[list[dict], list[tuple[str, str, str]], list[tuple[str, str]]]:
    vocab = [w for d in docs[:300] for w in d["body"].split() if w.isalpha()]
    stream: list[dict] = []
    positives: list[tuple[str, str, str]] = []
    for n, d in enumerate(docs):
        orig = dict(d)
        # Half of the originals carry boilerplate, so "removed" is tested too.
        if n % 2:
            orig = edit_boilerplate(orig, rng)
        stream.append(orig)
        kinds = {
            "headline": edit_headline(d, rng),
            "reorder": edit_reorder(d, rng),
            "words10": edit_words(d, rng, vocab),
            "boilerplate": d if n % 2 else edit_boilerplate(d, rng),
            "all": edit_words(edit_reorder(edit_boilerplate(edit_headline(d, rng), rng), rng), rng, vocab),
        }
        for kind, copy in kinds.items():
            cid = f"{d['id']}~{kind}"
            stream.append({**copy, "id": cid, "source": f"outlet-{kind}"})
            positives.append((d["id"], cid, kind))
    by_group: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        by_group[d["group"]].append(d["id"])
    groups = [ids for ids in by_group.values() if len(ids) > 1]
    negatives: set[tuple[str, str]] = set()
    tries = 0
    while len(negatives) < len(positives) and tries < 50 * len(positives):
        tries += 1
        ids = rng.choice(groups)
        a, b = rng.sample(ids, 2)
        negatives.add((min(a, b), max(a, b)))
    rng.shuffle(stream)
    return stream, positives, sorted(negatives)


def score(stories: dict[str, str], positives, negatives) -> None:
    tp = sum(stories[a] == stories[b] for a, b, _ in positives)
    fp = sum(stories[a] == stories[b] for a, b in negatives)
    fn = len(positives) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if positives else 0.0
    print(f"  labelled pairs: {len(positives)} positive, {len(negatives)} negative (same topic and country)")
    print(f"  precision {precision:.3f}   recall {recall:.3f}   (tp {tp}, fp {fp}, fn {fn})")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, b, kind in positives:
        per[kind][0] += stories[a] == stories[b]
        per[kind][1] += 1
    print("  recall by edit: " + ", ".join(f"{k} {v[0] / v[1]:.3f}" for k, v in per.items()))


async def run_redis(stream: list[dict], threshold: float, concurrency: int, batch: int = 0) -> dict[str, str]:
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ.get("NEWSMON_REDIS_URL", "redis://127.0.0.1:6379/0"))
    prefix = f"bench-neardup-{os.getpid()}"
    index = RedisStoryIndex(redis, prefix, window_s=3600, story_ttl_s=3600, threshold=threshold)
    stories: dict[str, str] = {}
    try:
        sem = asyncio.Semaphore(concurrency)

        async def one(d: dict) -> None:
            async with sem:
                fp = fingerprint(d["id"], d["body"], source=d.get("source"))
                stories[d["id"]] = (await index.assign(fp)).story_id

        t0 = time.perf_counter()
        if batch:
            # As the worker does: a batch's scripts share one pipelined round trip.
            for i in range(0, len(stream), batch):
                chunk = stream[i : i + batch]
                fps = [fingerprint(d["id"], d["body"], source=d.get("source")) for d in chunk]
                for d, res in zip(chunk, await index.assign_many(fps), strict=True):
                    stories[d["id"]] = res.story_id
            how = f"batches of {batch} in one pipelined round trip"
        else:
            await asyncio.gather(*(one(d) for d in stream))
            how = f"one Lua call per article, {concurrency} in flight"
        dt = time.perf_counter() - t0
        print(f"redis index (fingerprint + {how}): {len(stream) / dt:,.0f} articles/s")
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        for i in range(0, len(keys), 500):
            await redis.delete(*keys[i : i + 500])
        await redis.aclose()
    return stories


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=1500, help="originals to use")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--redis", action="store_true", help="also run through Redis (needs it on NEWSMON_REDIS_URL)")
    ap.add_argument("--concurrency", type=int, default=1, help="assignments in flight against Redis")
    ap.add_argument("--batch", type=int, default=500, help="Redis batch size as in the worker (0: one call at a time)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    docs = load(args.limit, rng)
    stream, positives, negatives = build(docs, rng)
    print(f"originals {len(docs)} (bodies >= {MIN_WORDS} words), stream {len(stream)} articles, seed {args.seed}")
    kw = {} if args.threshold is None else {"threshold": args.threshold}
    index = MemoryStoryIndex(**kw)

    # Bodies are normalized as the worker does before the story stage (not timed).
    for d in stream:
        d["body"] = clean_text(d["body"])
    t0 = time.perf_counter()
    fps = [fingerprint(d["id"], d["body"], source=d.get("source")) for d in stream]
    t1 = time.perf_counter()
    stories = {fp.article_id: index.assign(fp, now=1000.0).story_id for fp in fps}
    t2 = time.perf_counter()
    n = len(stream)
    print(f"fingerprint: {n / (t1 - t0):,.0f} articles/s; in-memory decision: {n / (t2 - t1):,.0f} articles/s;")
    print(f"together: {n / (t2 - t0):,.0f} articles/s (target >= 2,000)")
    print(f"threshold {index.threshold}")
    score(stories, positives, negatives)
    if args.redis:
        rstories = asyncio.run(run_redis(stream, index.threshold, args.concurrency, args.batch))
        agree = sum(rstories[k] == stories[k] for k in stories)
        print(f"redis vs in-memory decisions agree on {agree}/{len(stories)} articles")
        score(rstories, positives, negatives)


if __name__ == "__main__":
    main()
