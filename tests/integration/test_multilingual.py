"""An Arabic report on the real broker and Redis raises the Middle East conflict alert with Arabic evidence."""

from __future__ import annotations

import orjson
from slack_sdk.models.blocks import Block

from newsmon.config import Settings

from .conftest import eventually
from .test_pipeline import pipeline_env, send_raw  # noqa: F401 - pipeline_env is a fixture

# A car bomb in Baghdad, as an Arabic news site writes it: clitics ("بالعراق",
# "للعراقيين"), diacritics and a producer that gives no language.
ARABIC_REPORT = {
    "title": "مقتل عشرة أشخاص في انفجار سيارة مفخخة ببغداد",
    "body": (
        "قُتل عشرة أشخاص وأصيب عشرون آخرون، الإثنين، في انفجار سيارة مفخخة استهدف سوقاً شعبياً "
        "في حي الصدر شرقي بغداد، وفق ما أفادت مصادر أمنية للعراقيين. وقالت وزارة الداخلية إن "
        "الهجوم الإرهابي نُفّذ بعبوة ناسفة وُضعت داخل السيارة، فيما أعلنت القوات الأمنية حالة "
        "التأهب في العاصمة العراقية. ولم تتبنَّ أي جهة الهجوم حتى الآن."
    ),
    "url": "https://example.com/ar/baghdad-car-bomb",
    "source": "arabic-site",
}


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


async def test_arabic_report__raises_middle_east_conflict_alert_with_arabic_evidence(pipeline_env, worker_factory):  # noqa: F811
    env, rec, _ = pipeline_env
    settings = Settings.from_env(env)
    worker = worker_factory(env)
    await worker.wait_ready()
    await send_raw(settings, [orjson.dumps(ARABIC_REPORT)])

    def conflict_hooks():
        return [r for r in rec.accepted("webhook") if r.body["rule"]["id"] == "middle-east-conflict"]

    await eventually(lambda: bool(conflict_hooks()), 60, "the middle-east-conflict alert")
    (hook,) = conflict_hooks()
    body = hook.body
    assert hook.signature_ok
    assert body["article"]["title"] == ARABIC_REPORT["title"]
    assert "IQ" in body["countries"] and "middle-east" in body["regions"]
    assert any(t["code"] == "medtop:16000000" for t in body["topics"])
    arabic = [e for e in body["evidence"] if _has_arabic(e.get("text", ""))]
    assert {e["kind"] for e in arabic} >= {"region", "topic"}
    for e in arabic:
        # Offsets point into the original (unnormalized) text of the field.
        source = ARABIC_REPORT["title"] if e["field"] == "title" else ARABIC_REPORT["body"]
        assert source[e["start"] : e["end"]] == e["text"]

    await eventually(lambda: len(rec.accepted("slack")) >= 1, 30, "a Slack message")
    msg = rec.accepted("slack")[0].body
    for block in msg["blocks"]:
        Block.parse(block).validate_json()
    evidence = [b for b in msg["blocks"] if b.get("text", {}).get("text", "").startswith("*Evidence*")]
    assert evidence and _has_arabic(evidence[0]["text"]["text"])
    assert "\u2068" in evidence[0]["text"]["text"]  # right-to-left spans are isolated
