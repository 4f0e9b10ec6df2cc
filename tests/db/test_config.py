"""`ketapath.config`: settings from KETAPATH_* variables, refusing weak secrets in production."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from ketapath.config import (
    MIN_SECRET_KEY_LENGTH,
    Environment,
    default_database_url,
    load_settings,
)
from ketapath.errors import ConfigError

STRONG_KEY = "k" * MIN_SECRET_KEY_LENGTH


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in ("ENVIRONMENT", "DATABASE_URL", "SECRET_KEY", "SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(f"KETAPATH_{name}", raising=False)


def test_settings_defaults_are_production_sqlite_in_user_data_dir_and_15_idle_minutes():
    settings = load_settings()
    expected = Path(platformdirs.user_data_dir("ketapath")) / "ketapath.sqlite3"
    assert settings.environment is Environment.PRODUCTION
    assert settings.database_url == f"sqlite:///{expected.as_posix()}"
    assert settings.session_idle_minutes == 15
    assert settings.secret_key is None


def test_default_database_url_does_not_create_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name: str(tmp_path / name))
    url = default_database_url()
    assert url.endswith("/ketapath/ketapath.sqlite3")
    assert not (tmp_path / "ketapath").exists()


def test_settings_read_ketapath_prefixed_environment(monkeypatch):
    monkeypatch.setenv("KETAPATH_DATABASE_URL", "postgresql+psycopg://clinic@db/ketapath")
    monkeypatch.setenv("KETAPATH_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("KETAPATH_SECRET_KEY", STRONG_KEY)
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://clinic@db/ketapath"
    assert settings.session_idle_minutes == 30
    assert settings.require_secret_key() == STRONG_KEY


@pytest.mark.parametrize(
    "key",
    ["changethis", "CHANGEME", "secret", "password"],
    ids=["changethis", "changeme in capitals", "secret", "password"],
)
def test_settings_in_production_refuse_placeholder_secret_key(key):
    with pytest.raises(ConfigError, match=r"`secret_key`.*placeholder") as caught:
        load_settings(secret_key=key)
    assert str(caught.value).endswith("(got (hidden)).")  # a secret is never echoed


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(MIN_SECRET_KEY_LENGTH - 1, False), (MIN_SECRET_KEY_LENGTH, True)],
    ids=["31 characters is too short", "32 characters is enough"],
)
def test_settings_in_production_need_32_character_secret_key(length, accepted):
    key = "x" * length
    if accepted:
        assert load_settings(secret_key=key).require_secret_key() == key
    else:
        with pytest.raises(ConfigError, match="at least 32 characters, got 31"):
            load_settings(secret_key=key)


@pytest.mark.parametrize("environment", ["development", "test"])
def test_settings_outside_production_accept_placeholder_secret_key(environment):
    settings = load_settings(environment=environment, secret_key="changethis")
    assert settings.require_secret_key() == "changethis"


def test_require_secret_key_without_one_raises_config_error():
    with pytest.raises(ConfigError, match="KETAPATH_SECRET_KEY"):
        load_settings().require_secret_key()


@pytest.mark.parametrize(
    ("minutes", "accepted"),
    [(0, False), (1, True), (480, True), (481, False)],
    ids=["0 minutes", "1 minute", "8 hours", "over 8 hours"],
)
def test_settings_session_idle_minutes_between_1_and_480(minutes, accepted):
    if accepted:
        assert load_settings(session_idle_minutes=minutes).session_idle_minutes == minutes
    else:
        with pytest.raises(ConfigError, match="`session_idle_minutes`"):
            load_settings(session_idle_minutes=minutes)


def test_settings_are_immutable():
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.session_idle_minutes = 60  # type: ignore[misc]  # the point of the test
