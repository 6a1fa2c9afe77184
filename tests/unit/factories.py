"""Small builders for records used across unit tests."""

from __future__ import annotations

from newsmon.streams.records import (
    Article,
    Classification,
    ClassifiedArticle,
    Evidence,
    PlaceTag,
    RegionTag,
    TopicTag,
)


def classified(
    *,
    title: str = "Clashes near Baghdad",
    body: str = "Iraqi security forces clashed with militants.",
    countries: dict[str, str] | None = None,
    regions: tuple[str, ...] = (),
    topics: dict[str, float] | None = None,
    source: str | None = "wire",
    language: str = "en",
    story_id: str = "",
    article_id: str = "a_1",
) -> ClassifiedArticle:
    countries = {"IQ": "focus"} if countries is None else countries
    topics = {"medtop:16000000": 0.8} if topics is None else topics
    ev = [Evidence("title", 0, 3, title[:3])]
    cls = Classification(
        language=language,
        places=[PlaceTag(c, c, role, 0.9, ev) for c, role in countries.items()],  # type: ignore[arg-type]
        regions=[RegionTag(r, r, 0.9, ev) for r in regions],
        topics=[TopicTag(code, code, score, ev) for code, score in topics.items()],
    )
    art = Article(id=article_id, title=title, body=body, source=source, story_id=story_id, ingested_at=1.0)
    return ClassifiedArticle(art, cls)
