"""JSON Web Tokens: HS256 only, with exp, iat, sub, jti and sid required.

`sid` is the database session the token stands for (`<id>.<secret>`, from
`open_session()`): the token store is encrypted, and a session the database ended (a
logout, a changed password, gestion) no longer works whatever copy of the store is kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from epic_events.errors import NotAuthenticated, SessionExpired

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "sid"]


@dataclass(frozen=True)
class TokenClaims:
    collaborator_id: int
    email: str
    token_version: int
    expires_at: datetime
    session: str


def issue_token(
    *,
    collaborator_id: int,
    email: str,
    token_version: int,
    session: str,
    secret: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> str:
    now = now or datetime.now(UTC)
    payload = {
        "sub": str(collaborator_id),
        "email": email,
        "ver": token_version,
        "sid": session,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, secret: str) -> TokenClaims:
    """Verify signature, algorithm and expiry; raise SessionExpired or NotAuthenticated."""
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
        )
        return TokenClaims(
            collaborator_id=int(payload["sub"]),
            email=str(payload["email"]),
            token_version=int(payload.get("ver", 0)),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            session=str(payload["sid"]),
        )
    except jwt.ExpiredSignatureError:
        raise SessionExpired() from None
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        raise NotAuthenticated("The saved session is not valid: please log in again.") from None
