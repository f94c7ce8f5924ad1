"""Typed configuration read once from the environment."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "casetrack-dev-secret-change-me-0123456789"
DEV_VAULT_KEY = "casetrack-dev-vault-key-change-me-0123456789"
DEV_PSEUDONYM_KEY = "casetrack-dev-pseudonym-key-change-me-0123"

DEFAULT_RATE_LIMITS: dict[str, tuple[float, float]] = {
    "read": (100.0, 200.0), "write": (50.0, 100.0), "export": (2.0, 5.0),
    "unauthenticated": (10.0, 20.0),
}
SERVICE_PORTS: dict[str, int] = {"intake": 8001, "assignment": 8002, "review": 8003, "reporting": 8004,
                                 "console": 8005}


class Settings(BaseSettings):
    """Settings shared by every service; per-service overrides use the `<SERVICE>_` prefix."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    env: Literal["dev", "test", "prod"] = Field("dev", alias="CASETRACK_ENV")
    host: str = Field("127.0.0.1", alias="CASETRACK_HOST")
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:55432/casetrack", alias="DATABASE_URL"
    )
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_idempotent_producer: bool = Field(False, alias="KAFKA_IDEMPOTENT_PRODUCER")
    kafka_session_timeout_ms: int = Field(6000, alias="KAFKA_SESSION_TIMEOUT_MS")
    kafka_fetch_max_wait_ms: int = Field(10, alias="KAFKA_FETCH_MAX_WAIT_MS")
    kafka_idle_fetch_wait_ms: int = Field(500, alias="KAFKA_IDLE_FETCH_WAIT_MS")
    """The broker's wait per fetch once a consumer has been idle for a while: fewer polls at rest
    (the local broker holds a fetch for the whole wait even when a message arrives)."""
    jwt_secret: str = Field(DEV_JWT_SECRET, alias="CASETRACK_JWT_SECRET")
    jwt_jwks_url: str | None = Field(None, alias="CASETRACK_JWT_JWKS_URL")
    vault_key: str = Field(DEV_VAULT_KEY, alias="CASETRACK_VAULT_KEY")
    pseudonym_key: str = Field(DEV_PSEUDONYM_KEY, alias="CASETRACK_PSEUDONYM_KEY")
    log_level: str = Field("INFO", alias="CASETRACK_LOG_LEVEL")
    log_json: bool | None = Field(None, alias="CASETRACK_LOG_JSON")
    db_pool_size: int = Field(10, alias="CASETRACK_DB_POOL_SIZE")
    consumer_stall_seconds: float = Field(30.0, alias="CASETRACK_CONSUMER_STALL_SECONDS")
    relay_poll_seconds: float = Field(0.05, alias="CASETRACK_RELAY_POLL_SECONDS")
    switch_interval: float = Field(0.005, gt=0, le=0.1, alias="CASETRACK_SWITCH_INTERVAL")
    """Python's thread switch interval (s) in an API process that runs a relay thread: lower
    shortens the relay's hop and costs the API throughput (bench/README.md has the figures)."""
    epoch: date = Field(date(2020, 1, 1), alias="CASETRACK_EPOCH")
    date_horizon_years: int = Field(5, ge=1, le=50, alias="CASETRACK_DATE_HORIZON_YEARS")
    rate_limits: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_RATE_LIMITS), alias="CASETRACK_RATE_LIMITS")
    """Requests per second and burst per route class (read, write, export, unauthenticated),
    JSON such as {"read": [100, 200]}; a class left out is not limited."""
    replicas: int = Field(1, ge=1, alias="CASETRACK_REPLICAS")
    """Replicas of each service: each enforces its share of the rate limits."""
    metrics_port: int | None = Field(None, ge=0, le=65535, alias="CASETRACK_METRICS_PORT")
    """A worker's /metrics port (workers have no HTTP app); unset: not served."""
    protect_docs: bool = Field(False, alias="CASETRACK_PROTECT_DOCS")
    """/docs and /openapi.json answer only to an authenticated caller."""
    protect_metrics: bool = Field(False, alias="CASETRACK_PROTECT_METRICS")
    """/metrics answers only to an admin's token."""
    intake_port: int = Field(SERVICE_PORTS["intake"], alias="INTAKE_PORT")
    assignment_port: int = Field(SERVICE_PORTS["assignment"], alias="ASSIGNMENT_PORT")
    review_port: int = Field(SERVICE_PORTS["review"], alias="REVIEW_PORT")
    reporting_port: int = Field(SERVICE_PORTS["reporting"], alias="REPORTING_PORT")
    console_port: int = Field(SERVICE_PORTS["console"], alias="CONSOLE_PORT")
    intake_url: str | None = Field(None, alias="INTAKE_URL")
    assignment_url: str | None = Field(None, alias="ASSIGNMENT_URL")
    review_url: str | None = Field(None, alias="REVIEW_URL")
    reporting_url: str | None = Field(None, alias="REPORTING_URL")
    deployment: str = Field("local", alias="CASETRACK_DEPLOYMENT", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    log_key_dir: str = Field(".var/keys", alias="CASETRACK_LOG_KEY_DIR")
    intake_log_key: str | None = Field(None, alias="INTAKE_LOG_KEY", repr=False)
    assignment_log_key: str | None = Field(None, alias="ASSIGNMENT_LOG_KEY", repr=False)
    review_log_key: str | None = Field(None, alias="REVIEW_LOG_KEY", repr=False)
    checkpoint_seconds: float = Field(1.0, alias="CASETRACK_CHECKPOINT_SECONDS", gt=0)
    tlog_keeper: bool = Field(True, alias="CASETRACK_TLOG_KEEPER")
    """Run the verifiable log's keeper in the background; off only to measure what it costs
    (the log routes then sequence and sign on demand)."""

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_dev(self) -> Settings:
        if self.env != "dev":
            for name, value, default in (
                ("CASETRACK_JWT_SECRET", self.jwt_secret, DEV_JWT_SECRET),
                ("CASETRACK_VAULT_KEY", self.vault_key, DEV_VAULT_KEY),
                ("CASETRACK_PSEUDONYM_KEY", self.pseudonym_key, DEV_PSEUDONYM_KEY),
            ):
                if value == default and not (name == "CASETRACK_JWT_SECRET" and self.jwt_jwks_url):
                    raise ValueError(f"{name} must be set to a non-default value outside dev")
        if len(self.jwt_secret) < 32:
            raise ValueError("CASETRACK_JWT_SECRET must be at least 32 characters")
        return self

    def port_of(self, service: str) -> int:
        """The HTTP port configured for a service."""
        return int(getattr(self, f"{service}_port"))

    def url_of(self, service: str) -> str:
        """Base URL of a sibling service's API."""
        override = getattr(self, f"{service}_url", None)
        return str(override) if override else f"http://{self.host}:{self.port_of(service)}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
