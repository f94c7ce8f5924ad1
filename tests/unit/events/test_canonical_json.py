"""Rules of canonical JSON, the byte encoding every event hash is computed over."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from events import Region, canonical_json, format_timestamp
from events.cases import ReporterReference

pytestmark = pytest.mark.unit


def test_keys_are_sorted_at_every_depth() -> None:
    assert canonical_json({"b": 1, "a": {"z": 1, "y": [{"d": 1, "c": 2}]}}) == (
        b'{"a":{"y":[{"c":2,"d":1}],"z":1},"b":1}'
    )


def test_keys_sort_by_code_point_so_upper_case_precedes_lower_case() -> None:
    assert canonical_json({"b": 1, "B": 2, "é": 3, "a": 4}) == '{"B":2,"a":4,"b":1,"é":3}'.encode()


def test_output_has_no_insignificant_whitespace() -> None:
    encoded = canonical_json({"list": [1, 2, {"k": "v w"}], "x": None, "t": True})
    assert encoded == b'{"list":[1,2,{"k":"v w"}],"t":true,"x":null}'


def test_non_ascii_is_kept_as_utf8_not_escaped() -> None:
    encoded = canonical_json({"region": "Алматы", "kk": "Шығыс Қазақстан"})
    assert encoded == '{"kk":"Шығыс Қазақстан","region":"Алматы"}'.encode()
    assert b"\\u" not in encoded


def test_control_characters_use_json_escapes() -> None:
    assert canonical_json("a\nb\u0001") == b'"a\\nb\\u0001"'


def test_timestamps_are_utc_with_microseconds_and_z() -> None:
    moment = datetime(2026, 11, 30, 0, 26, 9, 123456, tzinfo=UTC)
    assert canonical_json({"at": moment}) == b'{"at":"2026-11-30T00:26:09.123456Z"}'


def test_timestamps_always_carry_six_fraction_digits() -> None:
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == ("2026-01-02T03:04:05.000000Z")


def test_aware_timestamps_are_converted_to_utc() -> None:
    almaty = timezone(timedelta(hours=5))
    moment = datetime(2026, 11, 30, 5, 26, 9, 1, tzinfo=almaty)
    assert format_timestamp(moment) == "2026-11-30T00:26:09.000001Z"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        canonical_json({"at": datetime(2026, 11, 30, 0, 26, 9)})
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2026, 11, 30))


@pytest.mark.parametrize("value", [1.5, 0.0, {"amount": 300000.0}, [1, [2.25]]])
def test_floats_are_refused_anywhere(value: object) -> None:
    with pytest.raises(ValueError, match="float"):
        canonical_json(value)


def test_integers_beyond_64_bits_are_refused() -> None:
    assert canonical_json(2**63 - 1) == b"9223372036854775807"
    with pytest.raises(ValueError, match="64-bit"):
        canonical_json(2**63)


def test_uuids_are_lowercase_hyphenated_strings() -> None:
    value = uuid.UUID("0192F3A4-5B6C-7D8E-9F01-23456789ABCD")
    assert canonical_json(value) == b'"0192f3a4-5b6c-7d8e-9f01-23456789abcd"'


def test_enums_dates_and_models_render_as_their_json_values() -> None:
    reference = ReporterReference(vault_ref="vault:1", commitment="ab" * 32)
    encoded = canonical_json({"r": Region.ALMATY, "d": date(2026, 12, 1), "ref": reference})
    assert encoded == (
        b'{"d":"2026-12-01","r":"KZ-75","ref":{"commitment":"' + b"ab" * 32 + b'","vault_ref":"vault:1"}}'
    )


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", {1: "int key"}, object()])
def test_values_outside_the_json_vocabulary_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError):
        canonical_json("\ud800")


def test_output_equals_the_standard_library_encoder_with_canonical_settings() -> None:
    """Anyone can reproduce the bytes with a stock JSON encoder; no custom escaping rules."""
    value = {"z": ["Ұлытау", "\t", "/", '"q"', "\\"], "a": {"k": -5, "n": None, "b": False}}
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")
