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


def test_signing_a_contract_is_reported_with_ids_only(sentry, uow_factory, gestion, commerce):
    from epic_events.controllers import clients, contracts

    client = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Kevin Casey",
        email="kevin.signed@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
    )
    contract = contracts.create_contract(
        uow_factory(), gestion, client_id=client.id, total_amount="1500"
    )
    contracts.sign_contract(uow_factory(), commerce, contract.id)
    sentry_sdk.flush()

    (event,) = events(sentry)
    assert event["message"] == "contract.signed"
    assert event["level"] == "info"
    assert event["tags"] == {
        "actor_id": str(commerce.id),
        "department": "commerce",
        "contract_id": str(contract.id),
        "client_id": str(client.id),
    }
    payload = raw(sentry)
    for personal in (b"Kevin Casey", b"kevin.signed@startup.io", b"Cool Startup", b"+678"):
        assert personal not in payload


def test_signing_through_an_update_is_reported_too(sentry, uow_factory, gestion, commerce):
    from epic_events.controllers import clients, contracts

    client = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Zoe Update",
        email="zoe.update@startup.io",
        phone="+33 1 23 45 67 89",
        company_name="Zed Corp",
    )
    contract = contracts.create_contract(
        uow_factory(), gestion, client_id=client.id, total_amount="10"
    )
    contracts.update_contract(uow_factory(), gestion, contract.id, signed=True)
    sentry_sdk.flush()
    assert [e["message"] for e in events(sentry)] == ["contract.signed"]
