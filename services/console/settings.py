"""The console's own configuration: how people sign in and how its cookies are made."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.runtime.settings import get_settings


class ConsoleSettings(BaseSettings):
    """`CONSOLE_*`: sign-in mode (local form, or a reverse proxy's Authorization header)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    sign_in: Literal["local", "proxy"] | None = Field(None, alias="CONSOLE_SIGN_IN")
    secure_cookies: bool = Field(False, alias="CONSOLE_SECURE_COOKIES")
    csrf_key: str | None = Field(None, min_length=32, alias="CONSOLE_CSRF_KEY")
    upstream_timeout: float = Field(10.0, gt=0, le=120, alias="CONSOLE_UPSTREAM_TIMEOUT")

    @property
    def local_sign_in(self) -> bool:
        """Whether POST /login accepts a pasted token (default everywhere but production)."""
        if self.sign_in is not None:
            return self.sign_in == "local"
        return get_settings().env != "prod"

    def csrf_secret(self) -> bytes:
        """The CSRF signing key: CONSOLE_CSRF_KEY, else derived from the JWT secret."""
        return (self.csrf_key or f"console-csrf:{get_settings().jwt_secret}").encode()


@lru_cache(maxsize=1)
def console_settings() -> ConsoleSettings:
    """The process-wide console settings, read once."""
    return ConsoleSettings()
