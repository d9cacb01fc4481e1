"""Faults below the program: timeouts that free locks, and failures that leave nothing half
written. (A stopped or restarted server under a running program: tests/e2e/.)"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from epic_events.controllers import audit
from epic_events.controllers import contracts as controller
from epic_events.db import (
    CONNECT_TIMEOUT_S,
    IDLE_IN_TRANSACTION_TIMEOUT_MS,
    Database,
    UnitOfWork,
)
from epic_events.errors import DatabaseUnavailable
from epic_events.models import AuditEntry, Contract


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def test_every_connection_of_the_program_gives_up_a_forgotten_transaction_within_a_minute(
    database,
):
    with database.engine.connect() as conn:
        timeout = conn.scalar(text("SHOW idle_in_transaction_session_timeout"))
    assert timeout == "1min"
    assert IDLE_IN_TRANSACTION_TIMEOUT_MS == 60_000


def test_connecting_to_a_silent_server_gives_up_after_a_few_seconds(database):
    with database.engine.connect() as conn:
        parameters = conn.connection.dbapi_connection.get_dsn_parameters()
    assert parameters["connect_timeout"] == str(CONNECT_TIMEOUT_S)
    assert CONNECT_TIMEOUT_S <= 10


def test_a_transaction_left_idle_is_ended_by_the_server_and_reported_in_one_line(database):
    def forget_a_prompt() -> None:
        with database.unit_of_work() as uow:
            # The same mechanism as the program's minute, shortened for the test.
            uow.session.execute(text("SET idle_in_transaction_session_timeout = 200"))
            uow.session.execute(text("SELECT 1"))
            time.sleep(0.6)
            uow.session.execute(text("SELECT 1"))

    with pytest.raises(DatabaseUnavailable, match="nothing was saved"):
        forget_a_prompt()
    with database.unit_of_work() as again:  # the pool replaced the dead connection
        assert again.session.scalar(text("SELECT 1")) == 1


def test_a_save_that_fails_half_way_leaves_nothing_written(
    uow_factory, session, user_of, make_client, make_contract, monkeypatch
):
    boss = user_of("gestion")
    contract = make_contract(make_client(user_of("commerce")), total="1000.00")
    history_before = session.query(AuditEntry).filter_by(entity_id=contract.id).count()

    def broken_record(*args, **kwargs):
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        controller.update_contract(uow_factory(), boss, contract.id, amount_due="10.00")
    session.expire_all()
    assert session.get(Contract, contract.id).amount_due == contract.total_amount
    assert session.query(AuditEntry).filter_by(entity_id=contract.id).count() == history_before


def test_a_unit_of_work_never_commits_what_it_was_not_told_to(
    uow_factory, session, make_collaborator
):
    seller = make_collaborator("commerce")
    uow: UnitOfWork = uow_factory()
    with uow:
        uow.session.execute(
            text("UPDATE collaborators SET phone = '+1 000' WHERE id = :id"), {"id": seller.id}
        )
    session.expire_all()
    assert (
        session.execute(
            text("SELECT phone FROM collaborators WHERE id = :id"), {"id": seller.id}
        ).scalar()
        != "+1 000"
    )
