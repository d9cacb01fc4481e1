"""What a form's picker offers: only what the action could accept, found by part of a name or
by id, in one bounded statement count, against real PostgreSQL under row-level security."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from epic_events.controllers import pickers
from epic_events.controllers.permissions import Action, Contact
from epic_events.errors import PermissionDenied
from tests.integration.conftest import tag
from tests.integration.helpers import Statements

NOW = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)


def ids(candidates) -> set[int]:
    return {row.id for row in candidates.rows}


@pytest.fixture
def word() -> str:
    """A word no other row of the shared database holds."""
    return f"zq{tag()}"


def test_typed_ids_are_ascii_numbers_at_the_start_of_the_text():
    assert pickers.typed_id("12") == 12
    assert pickers.typed_id(" #12 ") == 12
    assert pickers.typed_id("#12 Jane Doe · Acme") == 12  # a picked line reads as its id
    assert pickers.typed_id("Jane") is None
    assert pickers.typed_id("12abc") is None
    assert pickers.typed_id("²") is None
    assert pickers.typed_id("١٢") is None
    assert pickers.typed_id("12345678901") is None  # beyond any id: searched, as a phone is


def test_a_commercial_signs_only_the_unsigned_contracts_of_their_own_clients(
    uow_factory, commerce, user_of, make_client, make_contract, word
):
    other = user_of("commerce")
    mine = make_client(commerce, full_name=f"Jane {word}")
    theirs = make_client(other, full_name=f"Jane {word} Other")
    unsigned = make_contract(mine)
    signed = make_contract(mine, signed=True)
    not_mine = make_contract(theirs)

    offered = pickers.contracts(uow_factory(), commerce, word, Action.CONTRACT_SIGN)
    assert ids(offered) == {unsigned.id}
    for refused in (signed.id, not_mine.id):
        by_id = pickers.contracts(uow_factory(), commerce, f"#{refused}", Action.CONTRACT_SIGN)
        assert by_id.by_id
        assert by_id.rows == []
    by_id = pickers.contracts(uow_factory(), commerce, str(unsigned.id), Action.CONTRACT_SIGN)
    assert ids(by_id) == {unsigned.id}


def test_gestion_signs_any_unsigned_contract(
    uow_factory, gestion, commerce, make_client, make_contract, word
):
    client = make_client(commerce, company_name=f"Acme {word}")
    unsigned = make_contract(client)
    make_contract(client, signed=True)
    assert ids(pickers.contracts(uow_factory(), gestion, word, Action.CONTRACT_SIGN)) == {
        unsigned.id
    }


def test_an_event_is_created_only_on_a_signed_contract_of_ones_own_client(
    uow_factory, commerce, user_of, make_client, make_contract, word
):
    mine = make_client(commerce, email=f"{word}@mine.example")
    theirs = make_client(user_of("commerce"), email=f"{word}@theirs.example")
    signed = make_contract(mine, signed=True)
    make_contract(mine)  # unsigned: not offered
    make_contract(theirs, signed=True)  # another commercial's client: not offered
    offered = pickers.contracts(uow_factory(), commerce, word, Action.EVENT_CREATE)
    assert ids(offered) == {signed.id}
    assert ids(pickers.contracts(uow_factory(), commerce, "", Action.EVENT_CREATE)) >= {signed.id}


def test_only_active_support_staff_may_be_given_an_event(uow_factory, gestion, user_of, word):
    active = user_of("support", name=f"Kate {word}")
    user_of("support", name=f"Karl {word}", active=False)
    user_of("commerce", name=f"Kim {word}")
    offered = pickers.collaborators(
        uow_factory(), gestion, word, Action.EVENT_ASSIGN_SUPPORT, contact=Contact.SUPPORT
    )
    assert ids(offered) == {active.id}
    everyone = pickers.collaborators(uow_factory(), gestion, word, Action.COLLABORATOR_UPDATE)
    assert len(everyone.rows) == 3  # to edit or reactivate, the inactive one too


def test_support_updates_only_their_own_events_the_next_first(
    uow_factory, support, user_of, commerce, make_client, make_contract, make_event, word
):
    contract = make_contract(make_client(commerce, full_name=f"Ann {word}"), signed=True)
    later = make_event(contract, support, start=NOW + timedelta(days=9))
    sooner = make_event(contract, support, start=NOW + timedelta(days=2))
    past = make_event(contract, support, start=NOW - timedelta(days=2))
    make_event(contract, user_of("support"), start=NOW + timedelta(days=1))  # not theirs
    offered = pickers.events(uow_factory(), support, word, Action.EVENT_UPDATE, now=NOW)
    assert [row.id for row in offered.rows] == [sooner.id, later.id]
    by_id = pickers.events(uow_factory(), support, str(past.id), Action.EVENT_UPDATE, now=NOW)
    assert ids(by_id) == {past.id}  # an id still reaches a past one


def test_gestion_is_first_offered_the_next_events_without_support(
    uow_factory, gestion, support, commerce, make_client, make_contract, make_event
):
    contract = make_contract(make_client(commerce), signed=True)
    bare = make_event(contract, start=NOW + timedelta(days=3))
    make_event(contract, support, start=NOW + timedelta(days=1))  # has support
    make_event(contract, start=NOW - timedelta(days=1))  # past
    offered = pickers.events(uow_factory(), gestion, "", Action.EVENT_ASSIGN_SUPPORT, now=NOW)
    assert offered.rows
    assert offered.rows[0].id == bare.id
    assert all(row.support_contact_id is None for row in offered.rows)
    assert all(row.start_at >= NOW for row in offered.rows)


def test_restoring_offers_the_archived_records_only(
    uow_factory, gestion, commerce, make_client, word
):
    archived = make_client(commerce, full_name=f"Old {word}", archived_at=NOW)
    live = make_client(commerce, full_name=f"New {word}")
    restore = pickers.clients(uow_factory(), gestion, word, Action.ARCHIVE, archived=True)
    assert ids(restore) == {archived.id}
    archive = pickers.clients(uow_factory(), gestion, word, Action.ARCHIVE)
    assert ids(archive) == {live.id}
    read = pickers.clients(uow_factory(), gestion, word, archived=None)
    assert ids(read) == {archived.id, live.id}
    assert (
        pickers.clients(uow_factory(), gestion, str(live.id), Action.ARCHIVE, archived=True).rows
        == []
    )


def test_a_commercial_updates_only_their_own_clients(
    uow_factory, commerce, user_of, make_client, word
):
    mine = make_client(commerce, company_name=f"{word} Mine")
    make_client(user_of("commerce"), company_name=f"{word} Theirs")
    assert ids(pickers.clients(uow_factory(), commerce, word, Action.CLIENT_UPDATE)) == {mine.id}
    assert len(pickers.clients(uow_factory(), commerce, word).rows) == 2  # to read: all


def test_the_best_few_are_offered_and_more_is_said(
    uow_factory, gestion, commerce, make_client, word
):
    for number in range(pickers.OFFERED + 2):
        make_client(commerce, full_name=f"{word} {number:02}")
    offered = pickers.clients(uow_factory(), gestion, word.upper())  # any case
    assert len(offered.rows) == pickers.OFFERED
    assert offered.more
    assert [row.full_name for row in offered.rows] == sorted(row.full_name for row in offered.rows)


def test_a_department_that_may_not_act_is_refused_before_anything_is_offered(
    uow_factory, support, commerce
):
    with pytest.raises(PermissionDenied):
        pickers.contracts(uow_factory(), support, "", Action.CONTRACT_SIGN)
    with pytest.raises(PermissionDenied):
        pickers.collaborators(
            uow_factory(), commerce, "", Action.EVENT_ASSIGN_SUPPORT, contact=Contact.SUPPORT
        )


def test_a_lookup_costs_three_statements_typed_or_by_id(
    connection, uow_factory, commerce, make_client, make_contract, word
):
    client = make_client(commerce, full_name=f"Jane {word}")
    contract = make_contract(client)
    statements = Statements(connection)
    for typed in ("j", "ja", word, "", str(contract.id), "nothing like it"):
        count = statements.count(
            lambda typed=typed: pickers.contracts(
                uow_factory(), commerce, typed, Action.CONTRACT_SIGN
            )
        )
        assert count <= 3, (typed, statements.seen)
