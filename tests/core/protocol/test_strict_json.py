"""The strict JSON reader refuses every lenient form, with a reason fit for a 400."""

from __future__ import annotations

import pytest

from core.protocol.strict_json import (
    StrictJsonError,
    read_json,
    read_json_object,
    read_number,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": ' + "9" * 5000 + "}", "number too long (5000 characters, at most 40)"),
        ('{"a": 1e999}', "number out of range: 1e999"),
        ("[" * 100_000, "nested deeper than 32 levels"),
        ('{"a": "\\ud800"}', "JSON text holds a lone surrogate (not valid Unicode)"),
        ('{"a": 1', "malformed JSON at character 7"),
        ("", "malformed JSON at character 0"),
    ],
)
def test_lenient_forms_are_refused(text: str, reason: str) -> None:
    with pytest.raises(StrictJsonError) as info:
        read_json(text)
    assert info.value.reason == reason
    assert info.value.http_status == 400
    assert "4300" not in str(info.value)


def test_invalid_utf8_and_non_objects() -> None:
    with pytest.raises(StrictJsonError, match="not valid UTF-8"):
        read_json(b'{"a": "\xff"}')
    with pytest.raises(StrictJsonError, match="must be a JSON object"):
        read_json_object(b"[1, 2]")


def test_the_duplicate_key_names_its_field() -> None:
    with pytest.raises(StrictJsonError) as info:
        read_json_object('{"serialNumber": "A", "serialNumber": "B"}')
    assert info.value.validation_errors == (
        {"field": "serialNumber", "message": "duplicate key 'serialNumber'"},
    )


def test_ordinary_json_reads_as_usual() -> None:
    value = read_json_object('{"a": [1, 2.5, -3e2, true, null, "é"], "b": {"c": {}}}')
    assert value == {"a": [1, 2.5, -300.0, True, None, "é"], "b": {"c": {}}}
    assert read_json('"[[[[ not nesting ]"') == "[[[[ not nesting ]"


@pytest.mark.parametrize(
    "text", ["1_796_243_000", "１２３", "inf", "nan", "+5", " 5", "0x10", "1e", ""]
)
def test_query_numbers_follow_the_json_grammar(text: str) -> None:
    with pytest.raises(StrictJsonError) as info:
        read_number(text, field="after")
    assert info.value.field == "after"


def test_query_numbers_that_are_fine() -> None:
    assert read_number("1796243000", field="t") == 1796243000
    assert read_number("-1.5e3", field="t") == -1500.0
