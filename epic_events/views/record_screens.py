"""One record on screen, with what this user may do to it as single keys.

A client, contract, event or collaborator opened from a list, a picker or another record
stays on screen until the user leaves it (Enter or 0). Under it: the actions this user's
department may take on this record (edit, sign, create an event, assign support,
archive/restore, history) and the related records (the client's contracts, the contract's
events, the event's client), each one key away. The keys mean the same everywhere:

    e edit      s sign (contract) / support (event)   t add a note   n new contract/event
    c contracts   v events   l client   k contract   h history   a archive   u restore
    d deactivate or reactivate   x delete   0 or Enter back

Hiding an action here is cosmetic: the controllers decide, and say why when they refuse.
The screens of the actions are found by name when chosen (as the main menu finds its
submenus), so that no screen module imports another in a circle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from rich.text import Text

from epic_events.controllers import clients as clients_controller
from epic_events.controllers import collaborators as collaborators_controller
from epic_events.controllers import contracts as contracts_controller
from epic_events.controllers import events as events_controller
from epic_events.controllers.permissions import Action, can, may_act_on
from epic_events.errors import NotFound
from epic_events.paging import Page
from epic_events.views.browse import browse
from epic_events.views.console import editable, error, pause, prompt_text
from epic_events.views.context import AppContext
from epic_events.views.menu import KEYS_HELP, run_action
from epic_events.views.records import show_client, show_contract, show_event
from epic_events.views.renderers import (
    CONTRACT_SORTS,
    EVENT_SORTS,
    render_client,
    render_collaborator,
    render_contract,
    render_contracts,
    render_event,
    render_events,
)
from epic_events.views.text import sanitize

BACK = ("", "0", "b", "q")


def later(module: str, name: str, *args) -> Callable[[AppContext, object], object]:
    """The screen `name` of views.`module` (called with `args` first when it is a factory,
    as history_screen("client")), imported when chosen, given the record's id."""

    def screen(ctx: AppContext, record) -> object:
        found = getattr(importlib.import_module(f"epic_events.views.{module}"), name)
        return (found(*args) if args else found)(ctx, _row(record).id)

    return screen


@dataclass(frozen=True)
class RecordAction:
    key: str
    label: str
    run: Callable[[AppContext, object], object]  # given the record as shown
    action: Action = Action.READ_ALL  # shown only to the departments that may
    applies: Callable[[AppContext, object], bool] = lambda ctx, record: True
    # what it shows is read before coming back (a form's outcome); not a screen of its own
    pause: bool = True


def _row(record):
    """The record's row: a client's or contract's detail holds it with its related rows."""
    return getattr(record, "client", None) or getattr(record, "contract", None) or record


def _live(ctx, record) -> bool:
    return _row(record).archived_at is None


def _archived(ctx, record) -> bool:
    return _row(record).archived_at is not None


def _own(action: Action, owner: str, when: Callable[[object], bool] = lambda row: True):
    """Live, `when` the row allows it, and this user's to act on (permissions.may_act_on:
    the table, and the owner for a department limited to its own records)."""

    def applies(ctx, record) -> bool:
        row = _row(record)
        return (
            row.archived_at is None
            and when(row)
            and may_act_on(
                ctx.user.department, action, owner_id=getattr(row, owner), user_id=ctx.user.id
            )
        )

    return applies


def _opens(label: str, key: str, field: str) -> RecordAction:
    """The key that opens the related record the row's `field` names (a contract's client):
    `client_id` opens a client's screen, `contract_id` a contract's."""
    screens = {"client_id": "client_screen", "contract_id": "contract_screen"}

    def run(ctx: AppContext, record) -> None:
        globals()[screens[field]](ctx, getattr(_row(record), field))

    return RecordAction(key, label, run, pause=False)


def _archiving(entity: str, show: Callable) -> list[RecordAction]:
    return [
        RecordAction(
            "a",
            "archive",
            later("archiving", "archive_screen", entity, show),
            Action.ARCHIVE,
            _live,
        ),
        RecordAction(
            "u", "restore", later("archiving", "restore_screen", entity), Action.ARCHIVE, _archived
        ),
    ]


def _history(entity: str, action: Action = Action.READ_ALL) -> RecordAction:
    return RecordAction(
        "h", "history", later("history", "history_screen", entity), action, pause=False
    )


def _contracts_of_client(ctx: AppContext, record) -> None:
    client_id = _row(record).id
    browse(
        ctx,
        lambda query: contracts_controller.list_contracts(
            ctx.uow(), ctx.user, query, client_id=client_id
        ),
        lambda page, query: render_contracts(
            page, query, title=f"Contracts of client #{client_id}"
        ),
        contract_screen,
        CONTRACT_SORTS,
        archivable=True,
    )


def _events_of(what: str):
    def screen(ctx: AppContext, record) -> None:
        record_id = _row(record).id
        browse(
            ctx,
            lambda query: events_controller.list_events(
                ctx.uow(), ctx.user, query, **{f"{what}_id": record_id}
            ),
            lambda page, query: render_events(page, query, title=f"Events of {what} #{record_id}"),
            event_screen,
            EVENT_SORTS,
            archivable=True,
        )

    return screen


CLIENT_ACTIONS = [
    RecordAction(
        "e",
        "edit",
        later("clients", "update_screen"),
        Action.CLIENT_UPDATE,
        _own(Action.CLIENT_UPDATE, "commercial_contact_id"),
    ),
    RecordAction(
        "r", "reassign", later("clients", "reassign_screen"), Action.CLIENT_REASSIGN, _live
    ),
    RecordAction(
        "n", "new contract", later("contracts", "create_screen"), Action.CONTRACT_CREATE, _live
    ),
    RecordAction("c", "contracts", _contracts_of_client, pause=False),
    RecordAction("v", "events", _events_of("client"), pause=False),
    _history("client"),
    *_archiving("client", show_client),
]

CONTRACT_ACTIONS = [
    RecordAction(
        "e",
        "edit amounts",
        later("contracts", "update_screen"),
        Action.CONTRACT_UPDATE,
        _own(Action.CONTRACT_UPDATE, "commercial_contact_id"),
    ),
    RecordAction(
        "s",
        "sign",
        later("contracts", "sign_screen"),
        Action.CONTRACT_SIGN,
        _own(Action.CONTRACT_SIGN, "commercial_contact_id", lambda row: not row.signed),
    ),
    RecordAction(
        "n",
        "new event",
        later("events", "create_screen"),
        Action.EVENT_CREATE,
        _own(Action.EVENT_CREATE, "commercial_contact_id", lambda row: row.signed),
    ),
    _opens("client", "l", "client_id"),
    RecordAction("v", "events", _events_of("contract"), pause=False),
    _history("contract"),
    *_archiving("contract", show_contract),
]

EVENT_ACTIONS = [
    RecordAction(
        "t",
        "add a note",
        later("events", "note_screen"),
        Action.EVENT_UPDATE,
        _own(Action.EVENT_UPDATE, "support_contact_id"),
    ),
    RecordAction(
        "e",
        "edit",
        later("events", "update_screen"),
        Action.EVENT_UPDATE,
        _own(Action.EVENT_UPDATE, "support_contact_id"),
    ),
    RecordAction(
        "s", "support", later("events", "assign_screen"), Action.EVENT_ASSIGN_SUPPORT, _live
    ),
    _opens("contract", "k", "contract_id"),
    _opens("client", "l", "client_id"),
    _history("event"),
    *_archiving("event", show_event),
]

COLLABORATOR_ACTIONS = [
    RecordAction("e", "edit", later("collaborators", "update_screen"), Action.COLLABORATOR_UPDATE),
    RecordAction(
        "d",
        "deactivate or reactivate",
        later("collaborators", "activation_screen"),
        Action.COLLABORATOR_DEACTIVATE,
        lambda ctx, collaborator: collaborator.id != ctx.user.id,
    ),
    RecordAction(
        "x",
        "delete",
        later("collaborators", "delete_screen"),
        Action.COLLABORATOR_DELETE,
        lambda ctx, collaborator: collaborator.id != ctx.user.id,
    ),
    _history("collaborator", Action.COLLABORATOR_LIST),
]


def record_screen(
    ctx: AppContext,
    record_id: int,
    load: Callable[..., object],
    render: Callable[[object], object],
    actions: list[RecordAction],
) -> None:
    """Show the record and its keys until the user leaves; each action on it, then the
    record again as it now is (a record that no longer exists ends the screen, and its
    NotFound says so where the user was)."""
    console = ctx.console
    acted = False
    while True:
        try:
            record = load(ctx.uow(), ctx.user, record_id)
        except NotFound:
            if not acted:
                raise
            return  # deleted by the action just taken
        if editable(console):
            console.clear()
        console.print(fitted(console, record, render))
        offered = [
            choice
            for choice in actions
            if can(ctx.user.department, choice.action) and choice.applies(ctx, record)
        ]
        console.print(_keys(offered))
        keys = {choice.key: choice.key for choice in offered} | {"?": "?"}
        raw = console.input(prompt_text("Action"), keys=keys if editable(console) else None)
        answer = raw.strip().lower()
        if answer in BACK:
            return
        if answer == "?":
            console.print(KEYS_HELP)
            pause(console, "the record")
            continue
        chosen = next((choice for choice in offered if choice.key == answer), None)
        if chosen is None:
            error(console, f"No action “{sanitize(answer)}” here: {_keys(offered).plain}")
            pause(console, "the record")
            continue
        run_action(ctx, lambda ctx, chosen=chosen, record=record: chosen.run(ctx, record))
        acted = True
        if chosen.pause:
            pause(console, "the record")


KEYS_AND_PROMPT = 3  # the keys (up to two lines) and the prompt under a record


def fitted(console, record, render: Callable[[object], object]):
    """The record's card with as many of its latest related rows (contracts, events) as the
    terminal shows whole with its keys and prompt (at least one of each; the lists show
    them all)."""
    renderable = render(record)
    if not editable(console):
        return renderable
    related = [name for name in ("contracts", "events") if hasattr(record, name)]
    room = console.height - KEYS_AND_PROMPT
    shown = max((len(getattr(record, name).items) for name in related), default=0)
    while shown > 1 and len(console.render_lines(renderable, pad=False)) > room:
        shown -= 1
        fewer = {
            name: _first(getattr(record, name), shown)
            for name in related
            if len(getattr(record, name).items) > shown
        }
        renderable = render(replace(record, **fewer))
    return renderable


def _first(page: Page, count: int) -> Page:
    return replace(page, items=page.items[:count], exact=False)


def _keys(offered: list[RecordAction]) -> Text:
    line = Text(style="dim")
    for choice in offered:
        line.append(choice.key, style="bold")
        line.append(f" {choice.label} · ")
    line.append("0", style="bold")
    line.append(" back")
    return line


def client_screen(ctx: AppContext, client_id: int) -> None:
    record_screen(ctx, client_id, clients_controller.get_client, render_client, CLIENT_ACTIONS)


def contract_screen(ctx: AppContext, contract_id: int) -> None:
    record_screen(
        ctx, contract_id, contracts_controller.get_contract, render_contract, CONTRACT_ACTIONS
    )


def event_screen(ctx: AppContext, event_id: int) -> None:
    record_screen(ctx, event_id, events_controller.get_event, render_event, EVENT_ACTIONS)


def collaborator_screen(ctx: AppContext, collaborator_id: int) -> None:
    record_screen(
        ctx,
        collaborator_id,
        collaborators_controller.get_collaborator,
        render_collaborator,
        COLLABORATOR_ACTIONS,
    )
