"""Sentry: audit events and exceptions, through the SDK's own transport, never a secret."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
import sentry_sdk
from cryptography.fernet import Fernet
from sentry_sdk.transport import Transport

from epic_events import monitoring
from epic_events.auth.tokens import issue_token
from epic_events.monitoring import FILTERED, scrub

DSN = "https://public@sentry.example/1"
PASSWORD = "hunter2-secret"
JWT = issue_token(
    collaborator_id=1,
    email="boss@epic-events.fr",
    token_version=0,
    session="7." + "c" * 64,
    secret="monitoring-test-secret-" + "m" * 40,
    ttl=timedelta(hours=1),
)
FERNET_KEY = Fernet.generate_key().decode()
FERNET_TOKEN = Fernet(FERNET_KEY).encrypt(b"kate@epic-events.fr,token").decode()
ARGON2_HASH = argon2.PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)


class RecordingTransport(Transport):
    """Keeps every envelope the SDK would send, in memory."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def transport():
    transport = RecordingTransport()
    assert monitoring.init_monitoring(DSN, "test", transport=transport) is True
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # a client without DSN: nothing is sent by later tests
    monitoring._enabled = False


def events(transport: RecordingTransport) -> list[dict]:
    monitoring.flush()
    return [e.get_event() for e in transport.envelopes if e.get_event() is not None]


# -- scrub -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "new_password",
        "passwd",
        "password_hash",
        "hash",
        "token",
        "access_token",
        "jwt",
        "JWT_SECRET",
        "secret",
        "key",
        "api_key",
        "USER_1_PW",
        "Authorization",
        "cookie",
        "session",
        "SENTRY_DSN",
    ],
)
def test_a_field_named_like_a_secret_is_replaced(key):
    assert scrub({key: "visible-value", "name": "Bill"}) == {key: FILTERED, "name": "Bill"}


@pytest.mark.parametrize("value", [12345678, b"bytes-secret", "text-secret"])
def test_a_secret_field_is_replaced_whatever_its_scalar_type(value):
    assert scrub({"password": value}) == {"password": FILTERED}


def test_ordinary_fields_are_kept_as_they_are():
    event = {"collaborator_id": 2, "department": "gestion", "tags": {"actor_id": "1"}, "n": None}
    assert scrub(event) == event


@pytest.mark.parametrize(
    ("secret", "name"),
    [(ARGON2_HASH, "argon2"), (JWT, "jwt"), (FERNET_TOKEN, "fernet token"), (FERNET_KEY, "key")],
)
def test_a_secret_embedded_in_text_is_replaced(secret, name):
    scrubbed = scrub({"message": f"login failed for {secret} (retry)"})
    assert scrubbed == {"message": f"login failed for {FILTERED} (retry)"}, name


def test_secrets_are_found_deep_in_lists_tuples_and_dicts():
    event = {
        "exception": {"values": [{"value": f"bad token {JWT}", "frames": ({"token": "t"},)}]},
        "extra": [["nested", ARGON2_HASH]],
    }
    scrubbed = scrub(event)
    assert scrubbed["exception"]["values"][0]["value"] == f"bad token {FILTERED}"
    assert scrubbed["exception"]["values"][0]["frames"] == ({"token": FILTERED},)
    assert scrubbed["extra"] == [["nested", FILTERED]]


def test_scrub_returns_a_copy_and_leaves_the_original_alone():
    original = {"password": "p", "message": JWT}
    scrub(original)
    assert original == {"password": "p", "message": JWT}


def test_a_secret_field_holding_a_dict_is_scrubbed_inside():
    assert scrub({"session": {"token": "t", "id": 3}}) == {"session": {"token": FILTERED, "id": 3}}


def test_a_list_under_a_secret_named_field_is_replaced():
    scrubbed = scrub({"passwords": ["hunter2-secret", "correct horse"]})
    assert "hunter2-secret" not in repr(scrubbed)


# -- disabled ----------------------------------------------------------------------------------


def test_without_a_dsn_monitoring_stays_off_and_sends_nothing():
    assert monitoring.init_monitoring(None, "test") is False
    assert monitoring.init_monitoring("", "test") is False
    assert monitoring._enabled is False
    assert monitoring.record("collaborator.created", actor_id=1) is None
    assert monitoring.capture_exception(RuntimeError("x")) is None
    monitoring.flush()


# -- through the SDK ---------------------------------------------------------------------------


def test_an_audit_event_reaches_the_transport_with_the_ids_as_tags(transport):
    monitoring.record("collaborator.created", actor_id=1, collaborator_id=2)
    [event] = events(transport)
    assert event["message"] == "collaborator.created"
    assert event["level"] == "info"
    assert event["tags"]["actor_id"] == "1"
    assert event["tags"]["collaborator_id"] == "2"
    assert event["contexts"]["audit"]["event"] == "collaborator.created"
    assert event["environment"] == "test"
    assert event["release"].startswith("epic-events@")


def test_a_missing_id_is_sent_as_an_empty_tag(transport):
    monitoring.record("contract.signed", actor_id=1, contract_id=None)
    [event] = events(transport)
    assert event["tags"]["contract_id"] == ""


def test_tags_of_one_audit_event_do_not_leak_into_the_next(transport):
    monitoring.record("collaborator.deleted", actor_id=1, collaborator_id=9)
    monitoring.record("contract.signed", actor_id=1, contract_id=4)
    first, second = events(transport)
    assert "collaborator_id" not in second.get("tags", {})
    assert first["tags"]["collaborator_id"] == "9"


def fail_with_secrets():
    password = PASSWORD  # a local variable the SDK must not send
    raise RuntimeError(f"could not use session {JWT} for {password[:2]}…")


def test_an_exception_reaches_the_transport_without_locals_or_tokens(transport):
    try:
        fail_with_secrets()
    except RuntimeError as problem:
        event_id = monitoring.capture_exception(problem)
    assert event_id
    monitoring.flush()
    [envelope] = transport.envelopes
    sent = envelope.serialize()
    assert PASSWORD.encode() not in sent
    assert JWT.encode() not in sent
    assert JWT.split(".")[1].encode() not in sent  # not even the payload part
    event = envelope.get_event()
    assert event["event_id"] == event_id
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"].startswith(f"could not use session {FILTERED}")
    frames = exception["stacktrace"]["frames"]
    assert any(frame["function"] == "fail_with_secrets" for frame in frames)
    assert all("vars" not in frame for frame in frames)
    assert all("context_line" not in frame for frame in frames)


def test_an_exception_message_with_a_password_hash_is_scrubbed(transport):
    try:
        raise ValueError(f"unexpected hash {ARGON2_HASH}")
    except ValueError as problem:
        monitoring.capture_exception(problem)
    monitoring.flush()
    [envelope] = transport.envelopes
    assert ARGON2_HASH.encode() not in envelope.serialize()
