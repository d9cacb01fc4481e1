"""PostgreSQL URLs without SQLAlchemy (it loads later): for psycopg2 through SQLAlchemy, and
for libpq directly."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SCHEME = re.compile(r"^(postgres|postgresql)(\+\w+)?://", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """Any PostgreSQL URL, made to use psycopg2 (SQLAlchemy 2.1 would pick psycopg 3)."""
    match = SCHEME.match(url.strip())
    if not match:
        raise ValueError(f"not a PostgreSQL URL: {url.split(':', 1)[0]}")
    return "postgresql+psycopg2://" + url.strip()[match.end() :]


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
