from newsmon.ingest.textdump import parse_text_dump


def test_seed__two_clean_articles(seed_text):
    arts = parse_text_dump(seed_text)
    assert [a["title"][:40] for a in arts] == [
        "Withdrawal or Partnership: Differences b",
        "Former Regime Elements, Drug Traffickers",
    ]
    for a in arts:
        lines = a["body"].split("\n")
        assert "TT" not in lines
        # Headline and captions appear once at most.
        assert a["title"] not in a["body"]
        paras = a["body"].split("\n\n")
        assert len(paras) == len(set(paras))
    assert "Munich Security Conference" in arts[0]["body"]
    assert "Homs security campaign" in arts[1]["body"]


def test_textdump__blank_blocks_and_crlf_are_ignored():
    text = "Title A\r\n\r\nBody A line.\r\n\r\n\r\n\r\n   \n\n\nTitle B\n\nBody B."
    arts = parse_text_dump(text)
    assert arts == [{"title": "Title A", "body": "Body A line."}, {"title": "Title B", "body": "Body B."}]


def test_textdump__headline_only_block_is_skipped():
    assert parse_text_dump("Just a headline\n\n\n\nT2\n\nbody") == [{"title": "T2", "body": "body"}]
