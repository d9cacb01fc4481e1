"""Sentry receives each collaborator creation, update and deletion, and never a secret."""

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from epic_events import monitoring
from epic_events.controllers import collaborators as controller
from tests.conftest import PASSWORD


class CaptureTransport(Transport):
    """The SDK's own transport hook: envelopes are kept here instead of sent."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def sentry():
    transport = CaptureTransport()
    monitoring.init_monitoring("https://public@sentry.example/1", "test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: a disabled client
    monitoring._enabled = False


def events(transport):
    return [e.get_event() for e in transport.envelopes if e.get_event() is not None]


def raw(transport) -> bytes:
    return b"".join(envelope.serialize() for envelope in transport.envelopes)


def test_creating_updating_and_deleting_a_collaborator_is_reported_without_secrets(
    sentry, uow_factory, gestion, connection
):
    created = controller.create_collaborator(
        uow_factory(),
        gestion,
        name="Kate Hastroff",
        email="kate@epicevents.example",
        phone="+33 6 11 22 33 44",
        department="support",
        password="kate's secret password",
    )
    controller.update_collaborator(
        uow_factory(), gestion, created.id, phone="+33 6 00 00 00 00", password="another secret pw"
    )
    controller.delete_collaborator(uow_factory(), gestion, created.id)
    sentry_sdk.flush()

    messages = [(e["message"], e["tags"]) for e in events(sentry)]
    assert [m for m, _ in messages] == [
        "collaborator.created",
        "collaborator.updated",
        "collaborator.deleted",
    ]
    for _, tags in messages:
        assert tags["actor_id"] == str(gestion.id)
        assert tags["collaborator_id"] == str(created.id)
    assert messages[1][1]["fields"] == "phone,password"
    payload = raw(sentry)
    for secret in (b"kate's secret password", b"another secret pw", b"$argon2", PASSWORD.encode()):
        assert secret not in payload
    assert b"kate@epicevents.example" not in payload  # ids only, no personal data


def test_a_refused_action_sends_no_audit_event(sentry, uow_factory, support):
    with pytest.raises(Exception, match="Only gestion"):
        controller.delete_collaborator(uow_factory(), support, support.id)
    sentry_sdk.flush()
    assert events(sentry) == []
