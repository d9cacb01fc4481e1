"""Settings: defaults, .env, the environment, and one clear line when a value is wrong."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from epic_events.config import (
    MIN_SECRET_LENGTH,
    REPO_ROOT,
    Settings,
    load_settings,
    project_home,
)
from epic_events.errors import ConfigurationError

SECRET = "s" * MIN_SECRET_LENGTH


def write_env(home: Path, text: str) -> None:
    (home / "settings.env").write_text(text, encoding="utf-8")


def one_line_error(environ: dict, home: Path) -> str:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(environ, home)
    message = refused.value.message
    assert "\n" not in message
    return message


# -- defaults ----------------------------------------------------------------------------------


def test_defaults_apply_when_nothing_is_set(tmp_path):
    settings = load_settings({}, tmp_path)
    assert settings.home == tmp_path
    assert settings.database_url is None
    assert settings.user_1_pw is None
    assert settings.jwt_secret is None
    assert settings.sentry_dsn is None
    assert settings.environment == "production"
    assert settings.is_development is False
    assert settings.debug is False
    assert settings.token_ttl == timedelta(hours=8)


def test_default_paths_are_taken_from_the_home_folder(tmp_path):
    settings = load_settings({}, tmp_path)
    assert settings.file_path == tmp_path / "data.json"
    assert settings.token_path == tmp_path / "tokens.csv"
    assert settings.jwt_key_path == tmp_path / "jwt.key"
    assert settings.data_dir == tmp_path / "data"
    assert settings.env_file == tmp_path / "settings.env"


def test_relative_paths_are_resolved_against_the_home_folder(tmp_path):
    settings = load_settings(
        {
            "FILE_PATH": "seed/people.json",
            "TOKEN_PATH": "private/t.csv",
            "JWT_KEY_PATH": "private/k.key",
            "DATA_DIR": "pg",
        },
        tmp_path,
    )
    assert settings.file_path == tmp_path / "seed" / "people.json"
    assert settings.token_path == tmp_path / "private" / "t.csv"
    assert settings.jwt_key_path == tmp_path / "private" / "k.key"
    assert settings.data_dir == tmp_path / "pg"


def test_absolute_paths_are_kept(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    settings = load_settings({"TOKEN_PATH": str(elsewhere / "t.csv")}, tmp_path / "home")
    assert settings.token_path == elsewhere / "t.csv"


def test_the_home_folder_comes_from_epic_events_home(tmp_path):
    assert project_home({"EPIC_EVENTS_HOME": str(tmp_path)}) == tmp_path.resolve()


def test_without_epic_events_home_the_home_is_the_repository_root():
    assert project_home({}) == REPO_ROOT
    assert (REPO_ROOT / "epic_events" / "config.py").is_file()


def test_load_settings_reads_the_process_environment_and_its_home_by_default(
    isolated_environment, monkeypatch
):
    write_env(isolated_environment, "SENTRY_DSN=https://from-dotenv@sentry.example/1\n")
    monkeypatch.setenv("JWT_EXPIRES_HOURS", "2")
    settings = load_settings()
    assert settings.home == isolated_environment.resolve()
    assert settings.sentry_dsn == "https://from-dotenv@sentry.example/1"
    assert settings.token_ttl == timedelta(hours=2)


# -- .env and the environment ------------------------------------------------------------------


def test_values_come_from_the_dotenv_file_in_the_home_folder(tmp_path):
    write_env(
        tmp_path,
        "# a comment\n"
        "DATABASE_URL=postgresql://epic:epic@db:5432/epic_events\n"
        f'JWT_SECRET="{SECRET}"\n'
        "USER_1_PW='pass word # not a comment'\n"
        "EPIC_EVENTS_ENV=development\n"
        "JWT_EXPIRES_HOURS=12\n"
        "TOKEN_PATH=private/tokens.csv\n",
    )
    settings = load_settings({}, tmp_path)
    assert settings.database_url == "postgresql://epic:epic@db:5432/epic_events"
    assert settings.jwt_secret == SECRET
    assert settings.user_1_pw == "pass word # not a comment"
    assert settings.is_development is True
    assert settings.token_ttl == timedelta(hours=12)
    assert settings.token_path == tmp_path / "private" / "tokens.csv"


def test_the_environment_wins_over_the_dotenv_file(tmp_path):
    write_env(tmp_path, "JWT_SECRET=from-dotenv-" + "d" * 40 + "\nEPIC_EVENTS_ENV=development\n")
    settings = load_settings(
        {"JWT_SECRET": "from-environ-" + "e" * 40, "EPIC_EVENTS_ENV": "production"}, tmp_path
    )
    assert settings.jwt_secret == "from-environ-" + "e" * 40
    assert settings.environment == "production"


def test_an_empty_environment_variable_overrides_the_dotenv_value(tmp_path):
    write_env(tmp_path, f"JWT_SECRET={SECRET}\nSENTRY_DSN=https://k@sentry.example/1\n")
    settings = load_settings({"JWT_SECRET": "", "SENTRY_DSN": ""}, tmp_path)
    assert settings.jwt_secret is None
    assert settings.sentry_dsn is None  # `SENTRY_DSN= python …` turns Sentry off


def test_the_dotenv_file_does_not_change_the_process_environment(tmp_path, monkeypatch):
    import os

    write_env(tmp_path, "SENTRY_DSN=https://k@sentry.example/1\n")
    load_settings({}, tmp_path)
    assert "SENTRY_DSN" not in os.environ


def test_empty_values_in_dotenv_fall_back_to_the_defaults(tmp_path):
    write_env(
        tmp_path,
        "DATABASE_URL=\nUSER_1_PW=\nJWT_SECRET=\nSENTRY_DSN=\nFILE_PATH=\nTOKEN_PATH=\n"
        "JWT_KEY_PATH=\nDATA_DIR=\nEPIC_EVENTS_ENV=\nEPIC_EVENTS_DEBUG=\n",
    )
    settings = load_settings({}, tmp_path)
    assert settings.database_url is None
    assert settings.user_1_pw is None
    assert settings.jwt_secret is None
    assert settings.token_path == tmp_path / "tokens.csv"
    assert settings.environment == "production"


@pytest.mark.parametrize("where", ["dotenv", "environ"])
def test_an_empty_jwt_expires_hours_is_a_clear_configuration_error_or_the_default(tmp_path, where):
    environ = {}
    if where == "dotenv":
        write_env(tmp_path, "JWT_EXPIRES_HOURS=\n")
    else:
        environ["JWT_EXPIRES_HOURS"] = "   "
    try:
        settings = load_settings(environ, tmp_path)
    except ConfigurationError:
        return
    assert settings.token_ttl == timedelta(hours=8)


def test_the_environment_name_is_case_insensitive(tmp_path):
    assert load_settings({"EPIC_EVENTS_ENV": " Development "}, tmp_path).is_development


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_debug_is_on_for_the_usual_yes_words(tmp_path, value):
    assert load_settings({"EPIC_EVENTS_DEBUG": value}, tmp_path).debug is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "maybe"])
def test_debug_is_off_otherwise(tmp_path, value):
    assert load_settings({"EPIC_EVENTS_DEBUG": value}, tmp_path).debug is False


@pytest.mark.parametrize(("hours", "ttl"), [("1", 1), ("0.5", 0.5), ("720", 720), (" 24 ", 24)])
def test_the_session_length_is_read_in_hours(tmp_path, hours, ttl):
    settings = load_settings({"JWT_EXPIRES_HOURS": hours}, tmp_path)
    assert settings.token_ttl == timedelta(hours=ttl)


# -- invalid values ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["staging", "prod", "test", "dev"])
def test_an_unknown_environment_name_is_refused_in_one_line(tmp_path, value):
    message = one_line_error({"EPIC_EVENTS_ENV": value}, tmp_path)
    assert message.startswith("EPIC_EVENTS_ENV must be one of production, development")
    assert repr(value) in message


def test_an_unknown_environment_name_in_dotenv_is_refused(tmp_path):
    write_env(tmp_path, "EPIC_EVENTS_ENV=qa\n")
    assert "EPIC_EVENTS_ENV" in one_line_error({}, tmp_path)


@pytest.mark.parametrize("hours", ["abc", "0", "-1", "721", "nan", "inf", "1e9", "8h"])
def test_an_invalid_session_length_is_refused_in_one_line(tmp_path, hours):
    message = one_line_error({"JWT_EXPIRES_HOURS": hours}, tmp_path)
    assert message.startswith("JWT_EXPIRES_HOURS must be a number of hours up to 720")


def test_an_unreadable_dotenv_file_is_a_configuration_error(tmp_path):
    (tmp_path / "settings.env").write_bytes(b"JWT_SECRET=\xff\xfe\xfa\n")
    one_line_error({}, tmp_path)


# -- the JWT secret ----------------------------------------------------------------------------


def test_the_jwt_secret_is_returned_when_long_enough(tmp_path):
    assert load_settings({"JWT_SECRET": SECRET}, tmp_path).require_jwt_secret() == SECRET


def test_a_missing_jwt_secret_is_refused_saying_how_to_create_it(tmp_path):
    settings = load_settings({}, tmp_path)
    with pytest.raises(ConfigurationError, match=r"JWT_SECRET is not set.*setup\.py"):
        settings.require_jwt_secret()


def test_a_blank_jwt_secret_is_refused_as_missing(tmp_path):
    settings = load_settings({"JWT_SECRET": "   "}, tmp_path)
    with pytest.raises(ConfigurationError, match="JWT_SECRET is not set"):
        settings.require_jwt_secret()


def test_a_short_jwt_secret_is_refused_with_its_length(tmp_path):
    settings = load_settings({"JWT_SECRET": "s" * (MIN_SECRET_LENGTH - 1)}, tmp_path)
    with pytest.raises(
        ConfigurationError, match=rf"too short \({MIN_SECRET_LENGTH - 1} characters"
    ):
        settings.require_jwt_secret()


def test_a_short_secret_does_not_stop_loading_the_other_settings(tmp_path):
    settings = load_settings({"JWT_SECRET": "short"}, tmp_path)
    assert settings.jwt_secret == "short"


# -- frozen ------------------------------------------------------------------------------------


def test_settings_cannot_be_changed_once_read(tmp_path):
    settings = load_settings({}, tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.jwt_secret = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.environment = "development"  # type: ignore[misc]


def test_a_changed_copy_leaves_the_original_alone(tmp_path):
    settings = load_settings({}, tmp_path)
    debug = dataclasses.replace(settings, debug=True)
    assert debug.debug is True
    assert settings.debug is False
    assert isinstance(debug, Settings)


def test_an_invalid_sentry_dsn_stops_with_one_clear_line(tmp_path):
    with pytest.raises(ConfigurationError, match="SENTRY_DSN is not a valid Sentry DSN"):
        load_settings({"SENTRY_DSN": "not a dsn"}, tmp_path)
    assert load_settings({"SENTRY_DSN": "https://key@sentry.example/1"}, tmp_path).sentry_dsn


# -- the settings file is not pipenv's .env ------------------------------------------------------


def test_the_settings_file_is_one_pipenv_does_not_load(tmp_path):
    """`pipenv run` loads a `.env` over the environment (empty values included): the
    settings live in settings.env, and a `.env` beside it is not the program's."""
    write_env(tmp_path, "EPIC_EVENTS_ENV=development\n")
    (tmp_path / ".env").write_text("EPIC_EVENTS_ENV=production\nDATABASE_URL=nonsense\n")
    settings = load_settings({}, tmp_path)
    assert settings.environment == "development"
    assert settings.database_url is None
    assert load_settings({"EPIC_EVENTS_ENV": "production"}, tmp_path).environment == "production"


def test_an_older_installs_env_is_read_until_setup_renames_it(tmp_path):
    (tmp_path / ".env").write_text("EPIC_EVENTS_ENV=development\n")
    settings = load_settings({}, tmp_path)
    assert settings.environment == "development"
    assert settings.env_file == tmp_path / ".env"
