"""Settings of a KetaPath installation, read from ``KETAPATH_*`` environment variables.

`load_settings` is called by the entry points (the CLI, the API's ``create_app``) and the result
is passed down; nothing builds settings at import time. Invalid settings raise `ConfigError` at
start-up, naming the variable, so that a clinic never runs on a placeholder secret.

========================================  ==================================================
variable                                  meaning
========================================  ==================================================
``KETAPATH_ENVIRONMENT``                  ``production`` (default), ``development`` or ``test``
``KETAPATH_DATABASE_URL``                 SQLAlchemy URL; default: a SQLite file in the
                                          user's data folder (`default_database_url`)
``KETAPATH_SECRET_KEY``                   signs login sessions; in production >= 32 characters
                                          and never a known placeholder
``KETAPATH_SESSION_IDLE_MINUTES``         idle minutes before a login session ends (15)
``KETAPATH_SQLITE_BUSY_TIMEOUT_MS``       how long a SQLite writer waits for the lock (5000)
``KETAPATH_DATABASE_ECHO``                log every SQL statement (false)
========================================  ==================================================
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ketapath.errors import ConfigError

__all__ = [
    "MIN_SECRET_KEY_LENGTH",
    "PLACEHOLDER_SECRETS",
    "Environment",
    "Settings",
    "default_database_url",
    "load_settings",
]

MIN_SECRET_KEY_LENGTH = 32
PLACEHOLDER_SECRETS = frozenset(
    {"changethis", "change-me", "changeme", "secret", "password", "ketapath", "test", "dev"}
)
"""Values seen in examples and templates; refused outside development and test."""


class Environment(StrEnum):
    """Where KetaPath runs: only production enforces the secret-key rules."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TEST = "test"


def default_database_url() -> str:
    """Return the default database: ``ketapath.sqlite3`` in the user's data folder.

    The folder is created when the engine first opens the file, not here.
    """
    path = Path(platformdirs.user_data_dir("ketapath")) / "ketapath.sqlite3"
    return f"sqlite:///{path.as_posix()}"


class Settings(BaseSettings):
    """The settings of one KetaPath process (immutable once built)."""

    model_config = SettingsConfigDict(env_prefix="KETAPATH_", frozen=True, extra="ignore")

    environment: Environment = Environment.PRODUCTION
    database_url: str = Field(default_factory=default_database_url, min_length=1)
    secret_key: SecretStr | None = None
    session_idle_minutes: Annotated[int, Field(ge=1, le=480)] = 15
    sqlite_busy_timeout_ms: Annotated[int, Field(ge=0, le=600_000)] = 5000
    database_echo: bool = False

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # `environment` is declared first, so it is already validated here.
        if value is None or info.data.get("environment") is not Environment.PRODUCTION:
            return value
        key = value.get_secret_value()
        if key.strip().lower() in PLACEHOLDER_SECRETS:
            msg = "must not be a known placeholder; set KETAPATH_SECRET_KEY to a random value"
            raise ValueError(msg)
        if len(key) < MIN_SECRET_KEY_LENGTH:
            msg = f"must be at least {MIN_SECRET_KEY_LENGTH} characters, got {len(key)}"
            raise ValueError(msg)
        return value

    def require_secret_key(self) -> str:
        """Return the secret key, or raise `ConfigError` when none is set.

        Only the parts that sign something (login sessions) need it, so that ``ketapath db
        upgrade`` runs without one.
        """
        if self.secret_key is None:
            msg = "`secret_key` must be set (KETAPATH_SECRET_KEY) to sign login sessions (got none)"
            msg += "."
            raise ConfigError(msg)
        return self.secret_key.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with `overrides` taking precedence.

    Raises
    ------
    ConfigError
        When a value is invalid; the message names the setting, the rule and the value.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # values are validated by pydantic
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        shown = "(hidden)" if field == "secret_key" else repr(error.get("input"))
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"Invalid setting `{field}`: {message} (got {shown}).") from None
