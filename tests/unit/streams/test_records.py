import orjson
import pytest

from newsmon.streams.records import (
    SCHEMA_VERSION,
    Alert,
    Classification,
    ClassifiedArticle,
    DeadLetter,
    Evidence,
    PlaceTag,
    RecordError,
    RegionTag,
    TopicTag,
    _evidence_dicts,
    dumps,
)

from ..factories import classified


def test_classified__roundtrip():
    item = classified(regions=("middle-east",))
    again = ClassifiedArticle.decode(dumps(item))
    assert again == item


def test_classified__previous_version_accepted_and_future_rejected():
    obj = __import__("orjson").loads(dumps(classified()))
    obj["v"] = SCHEMA_VERSION - 1
    if SCHEMA_VERSION - 1 >= 1:
        assert ClassifiedArticle.decode(obj).article.id == "a_1"
    obj["v"] = SCHEMA_VERSION + 1
    with pytest.raises(RecordError) as exc:
        ClassifiedArticle.decode(obj)
    assert exc.value.reason == "unsupported_schema_version"


def test_decode__unknown_fields_ignored_missing_fields_rejected():
    dl = DeadLetter(reason="r", detail="d", stage="s", payload="p", size=1)
    obj = __import__("orjson").loads(dumps(dl))
    obj["new_field"] = 1
    assert DeadLetter.decode(obj).reason == "r"
    with pytest.raises(RecordError) as exc:
        Alert.decode(b'{"alert_id": "x"}')
    assert exc.value.reason == "missing_field"


def test_decode__invalid_json():
    with pytest.raises(RecordError) as exc:
        Alert.decode(b"{")
    assert exc.value.reason == "invalid_json"


def test_dumps__non_string_keys_become_strings_and_unencodable_values_are_refused():
    import orjson

    obj = {"a": 1, 2: [3.5, None], "nested": {True: "x", "b": {7: "y"}}}
    assert (
        dumps(obj)
        == orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)
        == b'{"a":1,"2":[3.5,null],"nested":{"true":"x","b":{"7":"y"}}}'
    )
    item = classified()
    assert dumps(item) == orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS)
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({1: object()})


def test_evidence_dicts__the_same_objects_orjson_makes_of_the_dataclasses():
    evs = [Evidence("title", 0, 4, "Iraq"), Evidence("body", 10, 16, "Bagdad")]
    assert _evidence_dicts(evs) == orjson.loads(orjson.dumps(evs))
    assert _evidence_dicts([]) == []


def test_classification_to_dict__encodes_byte_identical_to_the_dataclass():
    ev = Evidence("body", 3, 9, "France")
    c = Classification(
        language="fr",
        places=[PlaceTag("FR", "France", "focus", 0.5, [ev], [{"name": "Paris", "kind": "city"}])],
        regions=[RegionTag("europe", "Europe", 0.5, [ev])],
        topics=[TopicTag("medtop:04000000", "economy", 0.3, [ev, ev], None)],
        coverage={"places": "full"},
    )
    assert orjson.dumps(c.to_dict()) == orjson.dumps(c)
    assert orjson.dumps(Classification(language="en").to_dict()) == orjson.dumps(Classification(language="en"))
