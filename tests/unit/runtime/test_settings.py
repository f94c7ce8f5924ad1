"""Settings refuse development secrets outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.runtime.settings import Settings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("env", ["prod", "test"])
def test_outside_dev_the_default_jwt_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("CASETRACK_ENV", env)
    with pytest.raises(ValidationError, match="CASETRACK_JWT_SECRET"):
        Settings()


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASETRACK_ENV", "prod")
    monkeypatch.setenv("CASETRACK_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("CASETRACK_VAULT_KEY", "v" * 40)
    monkeypatch.setenv("CASETRACK_PSEUDONYM_KEY", "p" * 40)
    assert Settings().env == "prod"


def test_a_short_jwt_secret_is_refused_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASETRACK_JWT_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings()


def test_servers_are_pointed_at_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example:5432/x")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    settings = Settings()
    assert settings.database_url.endswith("/x") and settings.kafka_bootstrap_servers == "kafka:9092"
