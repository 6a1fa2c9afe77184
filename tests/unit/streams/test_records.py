import pytest

from newsmon.streams.records import SCHEMA_VERSION, Alert, ClassifiedArticle, DeadLetter, RecordError, dumps

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
