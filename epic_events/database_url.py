"""PostgreSQL URLs without SQLAlchemy (it loads later): for psycopg2 through SQLAlchemy, and
for libpq directly."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SCHEME = re.compile(r"^(postgres|postgresql)(\+\w+)?://", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """Any PostgreSQL URL, made to use psycopg2 (SQLAlchemy 2.1 would pick psycopg 3).

    ValueError when it is not one libpq could read (a scheme of another database, an
    unclosed IPv6 bracket, a port that is no port, an unknown parameter): a settings error
    to say in one line, not a connection that fails later."""
    match = SCHEME.match(url.strip())
    if not match:
        raise ValueError(f"not a PostgreSQL URL: {url.split(':', 1)[0]}")
    rest = url.strip()[match.end() :]
    check_libpq_url("postgresql://" + rest)
    return "postgresql+psycopg2://" + rest


def check_libpq_url(url: str) -> None:
    import psycopg2
    from psycopg2.extensions import parse_dsn

    try:
        urlsplit(url).port  # noqa: B018 - read for its check: a port that is no port
        parse_dsn(url)
    except (ValueError, psycopg2.ProgrammingError) as problem:
        reason = str(problem).strip().splitlines()[0] if str(problem).strip() else "unreadable"
        raise ValueError(f"not a valid PostgreSQL URL: {reason}") from None


def libpq_dsn(url: str) -> str:
    """The same URL as libpq (psycopg2.connect) reads it."""
    return "postgresql://" + normalise_url(url).removeprefix("postgresql+psycopg2://")


def url_user(url: str) -> str | None:
    """The user name of a PostgreSQL URL (None when it names none)."""
    user = urlsplit(libpq_dsn(url)).username
    return unquote(user) if user else None


def url_password(url: str) -> str | None:
    """The password of a PostgreSQL URL (None when it has none)."""
    password = urlsplit(libpq_dsn(url)).password
    return unquote(password) if password else None


def url_database(url: str) -> str:
    """The database name of a PostgreSQL URL."""
    return unquote(urlsplit(libpq_dsn(url)).path.lstrip("/"))


def with_credentials(url: str, user: str, password: str | None = None) -> str:
    """The same server and database as `url`, for another user (and password)."""
    parts = urlsplit(normalise_url(url))
    host = parts.netloc.rpartition("@")[2]
    credentials = quote(user, safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))
