"""Database URLs: any PostgreSQL spelling becomes the psycopg2 driver, nothing else is lost."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from epic_events.db import normalise_url, resolve_database_url
from epic_events.errors import ConfigurationError


@pytest.mark.parametrize(
    "scheme",
    ["postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2", "postgresql+asyncpg"],
)
def test_every_postgresql_spelling_uses_psycopg2_and_keeps_every_part(scheme):
    url = (
        f"{scheme}://epic:s3cret@db.example.com:6543/epic_events?sslmode=require&connect_timeout=3"
    )
    normalised = normalise_url(url)
    assert normalised.startswith("postgresql+psycopg2://")
    parsed = make_url(normalised)
    assert parsed.drivername == "postgresql+psycopg2"
    assert parsed.username == "epic"
    assert parsed.password == "s3cret"
    assert parsed.host == "db.example.com"
    assert parsed.port == 6543
    assert parsed.database == "epic_events"
    assert dict(parsed.query) == {"sslmode": "require", "connect_timeout": "3"}


def test_the_password_is_kept_in_clear_not_hidden_as_stars():
    assert "s3cret" in normalise_url("postgresql://epic:s3cret@localhost/epic_events")
    assert "***" not in normalise_url("postgresql://epic:s3cret@localhost/epic_events")


def test_a_password_with_url_special_characters_survives():
    url = "postgresql://epic:p%40ss%3Aw%2Frd%23%3F@localhost:5432/epic_events"
    assert make_url(normalise_url(url)).password == "p@ss:w/rd#?"


def test_a_url_without_password_port_or_query_stays_without_them():
    parsed = make_url(normalise_url("postgresql://epic@localhost/epic_events"))
    assert parsed.password is None
    assert parsed.port is None
    assert dict(parsed.query) == {}
    assert parsed.database == "epic_events"


def test_a_unix_socket_url_keeps_its_host_query():
    url = "postgresql://epic@/epic_events?host=/var/run/postgresql"
    parsed = make_url(normalise_url(url))
    assert parsed.query["host"] == "/var/run/postgresql"
    assert parsed.database == "epic_events"


@pytest.mark.parametrize(
    "url",
    [
        "mysql://epic:epic@localhost:3306/epic_events",
        "mysql+pymysql://epic:epic@localhost/epic_events",
        "sqlite:///epic.db",
        "mssql+pyodbc://epic:epic@dsn",
    ],
)
def test_a_url_of_another_database_is_refused(url):
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        normalise_url(url)


@pytest.mark.parametrize(
    "url", ["mysql://epic@localhost/epic", "not a url", "http://example.com/db"]
)
def test_a_database_url_setting_that_is_not_postgresql_is_a_configuration_error(tmp_path, url):
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not a PostgreSQL URL"):
        resolve_database_url(url, tmp_path / "data")
    assert not (tmp_path / "data").exists()  # no embedded server was started instead


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://[::1/epic_events",  # an IPv6 bracket never closed
        "postgresql://epic@localhost:notaport/epic_events",
        "postgresql://epic@localhost:99999/epic_events",
        "postgresql://epic@localhost/epic_events?no_such_parameter=1",
    ],
)
def test_a_malformed_postgresql_url_is_one_line_naming_the_setting(tmp_path, url):
    with pytest.raises(ConfigurationError) as refused:
        resolve_database_url(url, tmp_path / "data", "DATABASE_ADMIN_URL")
    message = refused.value.message
    assert message.startswith("DATABASE_ADMIN_URL is not a valid PostgreSQL URL: ")
    assert "\n" not in message
    assert not (tmp_path / "data").exists()


def test_a_given_database_url_is_used_without_starting_the_embedded_server(tmp_path):
    url = resolve_database_url("postgres://x@127.0.0.1:1/x", tmp_path / "data")
    assert url == "postgresql+psycopg2://x@127.0.0.1:1/x"
    assert not (tmp_path / "data").exists()
