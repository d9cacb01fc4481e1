"""JSON Web Tokens with the real PyJWT: HS256 only, exp, iat, sub and jti required."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from epic_events.auth.tokens import ALGORITHM, decode_token, issue_token
from epic_events.errors import NotAuthenticated, SessionExpired

SECRET = "unit-test-secret-" + "s" * 48
OTHER_SECRET = "another-secret-" + "o" * 50
HOUR = timedelta(hours=1)
SESSION = "12." + "e" * 64


def issue(**overrides) -> str:
    fields = {
        "collaborator_id": 42,
        "email": "kate@epic-events.fr",
        "token_version": 3,
        "session": SESSION,
        "secret": SECRET,
        "ttl": HOUR,
    }
    return issue_token(**{**fields, **overrides})


def valid_payload(**overrides) -> dict:
    now = datetime.now(UTC)
    payload = {
        "sub": "42",
        "sid": SESSION,
        "email": "kate@epic-events.fr",
        "ver": 3,
        "iat": now,
        "exp": now + HOUR,
        "jti": "0123456789abcdef",
    }
    payload.update(overrides)
    return payload


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assert_refused_as_invalid(token: str, secret: str = SECRET) -> NotAuthenticated:
    """Invalid, not merely expired: the user is told the session is not valid."""
    with pytest.raises(NotAuthenticated) as refused:
        decode_token(token, secret)
    assert not isinstance(refused.value, SessionExpired)
    assert "not valid" in refused.value.message
    return refused.value


def test_a_token_round_trips_its_claims():
    now = datetime.now(UTC).replace(microsecond=0)
    token = issue(now=now, ttl=timedelta(hours=8))
    claims = decode_token(token, SECRET)
    assert claims.collaborator_id == 42
    assert claims.email == "kate@epic-events.fr"
    assert claims.token_version == 3
    assert claims.expires_at == now + timedelta(hours=8)
    assert claims.expires_at.tzinfo is not None


def test_a_token_is_signed_with_hs256():
    assert jwt.get_unverified_header(issue())["alg"] == ALGORITHM == "HS256"


def test_a_token_carries_every_required_claim():
    payload = jwt.decode(issue(), SECRET, algorithms=["HS256"])
    assert {"exp", "iat", "sub", "jti"} <= set(payload)
    assert payload["sub"] == "42"


def test_two_tokens_for_the_same_user_have_different_ids():
    first, second = issue(), issue()
    first_jti = jwt.decode(first, SECRET, algorithms=["HS256"])["jti"]
    second_jti = jwt.decode(second, SECRET, algorithms=["HS256"])["jti"]
    assert first_jti != second_jti
    assert first != second


def test_a_token_without_a_version_claim_reads_as_version_0():
    payload = valid_payload()
    del payload["ver"]
    claims = decode_token(jwt.encode(payload, SECRET, algorithm="HS256"), SECRET)
    assert claims.token_version == 0


def test_an_expired_token_raises_session_expired():
    token = issue(now=datetime.now(UTC) - timedelta(hours=2), ttl=HOUR)
    with pytest.raises(SessionExpired, match="expired"):
        decode_token(token, SECRET)


def test_a_token_expired_by_a_few_seconds_is_expired():
    token = issue(now=datetime.now(UTC) - timedelta(seconds=65), ttl=timedelta(minutes=1))
    with pytest.raises(SessionExpired):
        decode_token(token, SECRET)


def test_a_token_signed_with_another_secret_is_refused():
    assert_refused_as_invalid(issue(secret=OTHER_SECRET))


def test_a_token_whose_payload_was_changed_is_refused():
    header, payload, signature = issue().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "1"  # become the super user
    assert_refused_as_invalid(f"{header}.{b64(claims)}.{signature}")


def test_a_token_whose_signature_was_changed_is_refused():
    token = issue()
    last = "A" if token[-2] != "A" else "B"
    assert_refused_as_invalid(token[:-2] + last + token[-1])


def test_an_unsigned_alg_none_token_is_refused():
    payload = valid_payload()
    for claim in ("iat", "exp"):
        payload[claim] = int(payload[claim].timestamp())
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload)}."
    assert_refused_as_invalid(token)


def test_an_alg_none_token_made_by_pyjwt_is_refused():
    assert_refused_as_invalid(jwt.encode(valid_payload(), None, algorithm="none"))


def test_a_token_signed_with_hs512_and_the_right_secret_is_refused():
    assert_refused_as_invalid(jwt.encode(valid_payload(), SECRET, algorithm="HS512"))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "jti", "email"])
def test_a_token_missing_a_claim_is_refused(claim):
    payload = valid_payload()
    del payload[claim]
    assert_refused_as_invalid(jwt.encode(payload, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("sub", ["kate", "", "4.2"])
def test_a_token_whose_subject_is_not_a_collaborator_id_is_refused(sub):
    assert_refused_as_invalid(jwt.encode(valid_payload(sub=sub), SECRET, algorithm="HS256"))


def test_a_token_issued_in_the_future_is_refused():
    later = datetime.now(UTC) + timedelta(hours=1)
    payload = valid_payload(iat=later, exp=later + HOUR)
    assert_refused_as_invalid(jwt.encode(payload, SECRET, algorithm="HS256"))


@pytest.mark.parametrize(
    "garbage", ["", "not.a.token", "a.b", "eyJ.eyJ.x", "....", "\x1b[31m", "é.é.é"]
)
def test_garbage_is_refused_as_invalid(garbage):
    assert_refused_as_invalid(garbage)
