"""The alert snippet starts at the sentence that holds the evidence (issue 14, row 13)."""

from __future__ import annotations

from newsmon.alerting.policy import snippet

from ..factories import classified


def test_snippet__evidence_in_first_sentence_keeps_first_character():
    body = "Police in Damascus said two people were hurt. Later the road reopened."
    item = classified(body=body)
    reasons = [{"kind": "keyword", "field": "body", "start": body.index("Damascus")}]
    assert snippet(item, reasons).startswith("Police in Damascus")


def test_snippet__evidence_in_later_sentence_starts_at_that_sentence():
    body = "A quiet morning. Police in Damascus said two people were hurt."
    item = classified(body=body)
    reasons = [{"kind": "keyword", "field": "body", "start": body.index("Damascus")}]
    assert snippet(item, reasons).startswith("Police in Damascus")


def test_snippet__evidence_after_a_line_break_starts_at_the_paragraph():
    body = "Headline line\nPolice in Damascus said two people were hurt."
    item = classified(body=body)
    reasons = [{"kind": "keyword", "field": "body", "start": body.index("Damascus")}]
    assert snippet(item, reasons).startswith("Police in Damascus")
