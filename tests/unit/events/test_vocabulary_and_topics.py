"""Rules of the shared vocabulary and topic names."""

from __future__ import annotations

import re

import pytest

from events import (
    ANALYTICS_TOPIC,
    ASSIGNMENT_TOPIC,
    HEADER_DLQ_CONSUMER,
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    INTAKE_TOPIC,
    REGION_NAMES,
    REVIEW_TOPIC,
    STREAM_TOPICS,
    TOPIC_PARTITIONS,
    CaseOutcome,
    IntakeSource,
    Region,
    RiskLevel,
    Role,
    Sector,
    dlq_topic,
    topic_for_stream,
)

pytestmark = pytest.mark.unit

CYRILLIC = re.compile(r"^[\u0400-\u04ff \-]+$")  # Cyrillic block, Kazakh letters included


def test_there_are_twenty_regions_with_numeric_iso_codes() -> None:
    assert len(Region) == 20
    assert all(re.fullmatch(r"KZ-\d{2}", region.value) for region in Region)
    assert {Region.ASTANA, Region.ALMATY, Region.SHYMKENT} == {r for r in Region if r.is_city}


def test_every_region_has_english_russian_and_kazakh_labels() -> None:
    assert set(REGION_NAMES) == {region.value for region in Region}
    for names in REGION_NAMES.values():
        assert set(names) == {"en", "ru", "kk"}
        assert names["en"].isascii()
        assert CYRILLIC.fullmatch(names["ru"]) and CYRILLIC.fullmatch(names["kk"])


def test_region_labels_are_looked_up_by_language() -> None:
    assert Region.ALMATY.label() == "Almaty"
    assert Region.EAST_KAZAKHSTAN.label("ru") == "Восточно-Казахстанская область"
    assert Region.ULYTAU.label("kk") == "Ұлытау облысы"


def test_enum_values_are_the_stable_wire_strings() -> None:
    assert [s.value for s in Sector] == [
        "police",
        "land",
        "housing",
        "health",
        "education",
        "customs",
        "fire_service",
        "akimat_services",
        "other",
    ]
    assert (
        len(IntakeSource) == 7 and IntakeSource("monitoring_group_finding").name == "MONITORING_GROUP_FINDING"
    )
    assert {o.value for o in CaseOutcome} == {
        "confirmed",
        "not_confirmed",
        "referred_to_law_enforcement",
        "systemic_risk_eliminated",
    }
    assert [r.value for r in RiskLevel] == ["low", "medium", "high", "critical"]
    assert [r.value for r in Role] == ["operator", "supervisor", "monitor", "analyst", "admin"]


def test_topics_are_versioned_and_have_six_partitions() -> None:
    assert TOPIC_PARTITIONS == {
        "casetrack.intake.v1": 6,
        "casetrack.assignment.v1": 6,
        "casetrack.review.v1": 6,
        "casetrack.analytics.v1": 6,
    }
    assert {INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC, ANALYTICS_TOPIC} == set(TOPIC_PARTITIONS)


def test_case_and_directive_streams_are_published_on_the_intake_topic() -> None:
    assert STREAM_TOPICS["case"] == STREAM_TOPICS["directive"] == STREAM_TOPICS["reception"] == INTAKE_TOPIC
    assert topic_for_stream("directive") == INTAKE_TOPIC
    with pytest.raises(KeyError):
        topic_for_stream("unknown")


def test_dead_letter_topics_are_named_after_their_consumer() -> None:
    assert dlq_topic("reporting-projector") == "reporting-projector.dlq"
    assert [
        HEADER_DLQ_ORIGIN_TOPIC,
        HEADER_DLQ_ORIGIN_PARTITION,
        HEADER_DLQ_ORIGIN_OFFSET,
        HEADER_DLQ_ERROR,
        HEADER_DLQ_CONSUMER,
    ] == [
        "dlq_origin_topic",
        "dlq_origin_partition",
        "dlq_origin_offset",
        "dlq_error",
        "dlq_consumer",
    ]
