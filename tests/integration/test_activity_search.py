"""Recent activity searched through its kinds (migration 0008): the same rows, in the same
order, as a plain ILIKE on who did it, what and to what, on every page, both ways, whichever
way the page is read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from epic_events.controllers import audit, clients
from epic_events.managers import audit as audit_manager
from epic_events.paging import COUNT_CAP, ListQuery
from epic_events.roles import app_role

from .conftest import START

ACTORS = ["Zoé Rousseau", "MARTIN Martin", "Yann_Smith", "100% Sales", "back\\slash", "Åsa Öberg"]
ACTIONS = ["create", "update", "sign", "archive", "restore"]
ENTITIES = ["client", "contract", "event", "collaborator"]
TERMS = [
    "a",
    "é",
    "É",
    "ma",
    "MaRtIn",
    "%",
    "100%",
    "_",
    "n_",
    "\\",
    "sign",
    "contract",
    "archive",
    "rousseau",
    "öb",
    "nobody",
    "zz",
    "e",
    "7",
]


@pytest.fixture
def history(connection):
    """180 history rows (entity ids 0 to 179): every actor, action and entity, three at each
    instant."""
    rows = [
        {
            "at": START + timedelta(minutes=number // 3),  # three rows per instant
            "actor": ACTORS[number % len(ACTORS)],
            "action": ACTIONS[number % len(ACTIONS)],
            "entity": ENTITIES[number % len(ENTITIES)],
            "entity_id": number,
        }
        for number in range(180)
    ]
    connection.execute(
        text(
            "INSERT INTO audit_log (at, actor_name, action, entity, entity_id) "
            "VALUES (:at, :actor, :action, :entity, :entity_id)"
        ),
        rows,
    )
    return rows


def every_id(uow_factory, user, query: ListQuery) -> list[int]:
    found, number = [], 1
    while True:
        page = audit.recent_activity(
            uow_factory(), user, ListQuery(**{**vars(query), "page": number})
        )
        found.extend(line.entity_id for line in page.items)
        if not page.has_next:
            return found
        number += 1


def reference(connection, term: str, descending: bool) -> list[int]:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    way = "DESC" if descending else "ASC"
    return list(
        connection.execute(
            text(
                "SELECT entity_id FROM audit_log WHERE actor_name ILIKE :p OR action ILIKE :p "
                f"OR entity ILIKE :p ORDER BY at {way}, id {way}"
            ),
            {"p": f"%{escaped}%"},
        ).scalars()
    )


@pytest.mark.parametrize("kind_by_kind", [True, False], ids=["kind by kind", "planner's"])
@pytest.mark.parametrize("descending", [True, False], ids=["latest first", "oldest first"])
@pytest.mark.parametrize("term", TERMS)
def test_the_search_finds_what_ilike_finds_in_the_same_order(
    term, descending, kind_by_kind, history, uow_factory, gestion, connection, monkeypatch
):
    if not kind_by_kind:
        monkeypatch.setattr(audit_manager, "KIND_BY_KIND", 0)
    query = ListQuery(search=term, sort="at", descending=descending, size=7)
    expected = reference(connection, term, descending)
    assert every_id(uow_factory, gestion, query) == expected
    first = audit.recent_activity(uow_factory(), gestion, query)
    assert (first.total, first.exact) == (len(expected), True)


def test_a_page_past_the_end_shows_the_last_one(history, uow_factory, gestion, connection):
    expected = reference(connection, "sign", True)
    page = audit.recent_activity(
        uow_factory(), gestion, ListQuery(search="sign", sort="at", descending=True, page=99)
    )
    assert page.number == -(-len(expected) // page.size)
    assert [line.entity_id for line in page.items] == expected[(page.number - 1) * page.size :]


def test_the_count_stops_at_the_cap(connection, uow_factory, gestion):
    connection.execute(
        text(
            "INSERT INTO audit_log (at, actor_name, action, entity, entity_id) "
            "SELECT :at, 'Cap Tester', 'update', 'event', n FROM generate_series(1, :n) n"
        ),
        {"at": START, "n": COUNT_CAP + 5},
    )
    page = audit.recent_activity(uow_factory(), gestion, ListQuery(search="cap tester"))
    assert (page.total, page.exact) == (COUNT_CAP, False)


def test_a_change_made_in_the_program_is_found_by_its_author_s_name(
    uow_factory, commerce, gestion, make_collaborator
):
    """The kinds are written by a trigger when a new (actor, action, entity) first occurs."""
    assert audit.recent_activity(uow_factory(), gestion, ListQuery(search=commerce.name)).total == 0
    created = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Kevin Casey",
        email="kevin@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
    )
    page = audit.recent_activity(uow_factory(), gestion, ListQuery(search=commerce.name))
    assert [(line.action, line.entity, line.entity_id) for line in page.items] == [
        ("create", "client", created.id)
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit_kinds VALUES ('x', 'y', 'z')",
        "DELETE FROM audit_kinds",
        "UPDATE audit_kinds SET actor_name = 'x'",
        "SELECT fill_audit_kinds()",
    ],
)
def test_the_program_s_role_can_only_read_the_kinds(statement, history, connection, gestion):
    role = app_role(connection.engine.url.database)
    connection.execute(text(f"SET ROLE {role}"))
    connection.execute(text("SET search_path = crm, public"))
    connection.execute(text("SELECT enter_session(:token)"), {"token": gestion.session})
    try:
        with pytest.raises(DBAPIError) as refused, connection.begin_nested():
            connection.execute(text(statement))
        assert refused.value.orig.pgcode == "42501"
        assert connection.scalar(text("SELECT count(*) FROM audit_kinds")) > 0
    finally:
        connection.execute(text("RESET ROLE"))
        connection.execute(text("RESET search_path"))
