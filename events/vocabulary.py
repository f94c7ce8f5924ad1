"""Domain vocabulary shared by every event: regions, sectors, intake sources, outcomes, roles."""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    """The 17 regions and 3 cities of republican significance, by ISO 3166-2:KZ code."""

    ABAI = "KZ-10"
    AKMOLA = "KZ-11"
    AKTOBE = "KZ-15"
    ALMATY_REGION = "KZ-19"
    ATYRAU = "KZ-23"
    WEST_KAZAKHSTAN = "KZ-27"
    JAMBYL = "KZ-31"
    JETISU = "KZ-33"
    KARAGANDA = "KZ-35"
    KOSTANAY = "KZ-39"
    KYZYLORDA = "KZ-43"
    MANGYSTAU = "KZ-47"
    PAVLODAR = "KZ-55"
    NORTH_KAZAKHSTAN = "KZ-59"
    TURKISTAN = "KZ-61"
    ULYTAU = "KZ-62"
    EAST_KAZAKHSTAN = "KZ-63"
    ASTANA = "KZ-71"
    ALMATY = "KZ-75"
    SHYMKENT = "KZ-79"

    @property
    def is_city(self) -> bool:
        """Whether this is a city of republican significance rather than a region."""
        return self in _CITIES

    def label(self, language: str = "en") -> str:
        """The display name in ``en``, ``ru`` or ``kk``; labels are never identifiers."""
        return REGION_NAMES[self.value][language]


_CITIES = frozenset({Region.ASTANA, Region.ALMATY, Region.SHYMKENT})


def _names(en: str, ru: str, kk: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "kk": kk}


REGION_NAMES: dict[str, dict[str, str]] = {
    "KZ-10": _names("Abai Region", "Абайская область", "Абай облысы"),
    "KZ-11": _names("Akmola Region", "Акмолинская область", "Ақмола облысы"),
    "KZ-15": _names("Aktobe Region", "Актюбинская область", "Ақтөбе облысы"),
    "KZ-19": _names("Almaty Region", "Алматинская область", "Алматы облысы"),
    "KZ-23": _names("Atyrau Region", "Атырауская область", "Атырау облысы"),
    "KZ-27": _names("West Kazakhstan Region", "Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    "KZ-31": _names("Jambyl Region", "Жамбылская область", "Жамбыл облысы"),
    "KZ-33": _names("Jetisu Region", "Область Жетісу", "Жетісу облысы"),
    "KZ-35": _names("Karaganda Region", "Карагандинская область", "Қарағанды облысы"),
    "KZ-39": _names("Kostanay Region", "Костанайская область", "Қостанай облысы"),
    "KZ-43": _names("Kyzylorda Region", "Кызылординская область", "Қызылорда облысы"),
    "KZ-47": _names("Mangystau Region", "Мангистауская область", "Маңғыстау облысы"),
    "KZ-55": _names("Pavlodar Region", "Павлодарская область", "Павлодар облысы"),
    "KZ-59": _names("North Kazakhstan Region", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    "KZ-61": _names("Turkistan Region", "Туркестанская область", "Түркістан облысы"),
    "KZ-62": _names("Ulytau Region", "Область Ұлытау", "Ұлытау облысы"),
    "KZ-63": _names("East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    "KZ-71": _names("Astana", "Астана", "Астана"),
    "KZ-75": _names("Almaty", "Алматы", "Алматы"),
    "KZ-79": _names("Shymkent", "Шымкент", "Шымкент"),
}
"""English, Russian and Kazakh labels by region code."""


class Sector(StrEnum):
    """Public-service sectors where corruption risk is reported."""

    POLICE = "police"
    LAND = "land"
    HOUSING = "housing"
    HEALTH = "health"
    EDUCATION = "education"  # pre-school and school education
    CUSTOMS = "customs"
    FIRE_SERVICE = "fire_service"
    AKIMAT_SERVICES = "akimat_services"  # local government (akimat) services
    OTHER = "other"


class IntakeSource(StrEnum):
    """How a report reached the agency."""

    CITIZEN_RECEPTION = "citizen_reception"
    HOTLINE = "hotline"
    ONLINE_PORTAL = "online_portal"
    ANONYMOUS_SURVEY = "anonymous_survey"
    MONITORING_GROUP_FINDING = "monitoring_group_finding"
    MEDIA = "media"
    INSPECTION = "inspection"


class CaseOutcome(StrEnum):
    """How a resolved case ended."""

    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    REFERRED_TO_LAW_ENFORCEMENT = "referred_to_law_enforcement"
    SYSTEMIC_RISK_ELIMINATED = "systemic_risk_eliminated"


class RiskLevel(StrEnum):
    """Corruption-risk level assigned at triage."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Role(StrEnum):
    """Roles carried in API tokens and event actors."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    MONITOR = "monitor"
    ANALYST = "analyst"
    ADMIN = "admin"
