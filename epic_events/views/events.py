"""Screens for events: everyone reads; commerce creates; gestion assigns; support updates."""

from __future__ import annotations

from epic_events.controllers import events as controller
from epic_events.controllers import exports
from epic_events.controllers.permissions import Action, Contact
from epic_events.errors import ValidationError
from epic_events.paging import ListQuery
from epic_events.validators import (
    DATETIME_HELP,
    check_period,
    parse_attendees,
    parse_datetime,
    validate_event_name,
    validate_location,
    validate_notes,
)
from epic_events.views import pickers
from epic_events.views.archiving import archive_screen, restore_screen
from epic_events.views.browse import archivable_list
from epic_events.views.console import ask, ask_optional, error, info, success
from epic_events.views.context import AppContext
from epic_events.views.history import history_screen
from epic_events.views.menu import MenuEntry, run_menu
from epic_events.views.pickers import pick
from epic_events.views.record_screens import event_screen
from epic_events.views.records import show_contract, show_event
from epic_events.views.renderers import (
    EVENT_SORTS,
    render_event,
    render_events,
)
from epic_events.views.saving import save_kept
from epic_events.views.text import format_datetime

REMOVE = "-"


def _browser(title: str, **filters):
    return archivable_list(
        title,
        fetch=controller.list_events,
        render=render_events,
        export=exports.export_events,
        open_one=event_screen,
        sorts=EVENT_SORTS,
        query=ListQuery(sort="start"),
        **filters,
    )


def _start(raw: str):
    return parse_datetime(raw, "Start")


def _end(raw: str):
    return parse_datetime(raw, "End")


def view_screen(ctx: AppContext) -> None:
    event_screen(ctx, pick(ctx, "Event", pickers.events(ctx, archived=None)).id)


def ask_period(ctx: AppContext, start_default=None, end_default=None):
    """Start and end, asked until the end comes after the start."""
    console = ctx.console
    while True:
        if start_default is None:
            start = ask(console, "Start", _start, hint=f"({DATETIME_HELP})")
            end = ask(console, "End", _end, hint="(DD/MM/YYYY HH:MM)")
        else:
            start = ask_optional(console, "Start", _start, format_datetime(start_default))
            end = ask_optional(console, "End", _end, format_datetime(end_default))
            start, end = start or start_default, end or end_default
        try:
            check_period(start, end)
            return start, end
        except ValidationError as problem:
            error(console, problem.message)


def create_screen(ctx: AppContext, contract_id: int | None = None) -> None:
    console = ctx.console
    console.print("[bold]New event[/] [dim](Ctrl-C cancels)[/]")
    signed = pickers.contracts(ctx, Action.EVENT_CREATE)
    contract = show_contract(
        ctx, contract_id or pick(ctx, "Signed contract", signed, first=True, only=True).id
    ).contract
    name = ask(console, "Event name", validate_event_name)
    start, end = ask_period(ctx)
    location = ask(console, "Location", validate_location)
    attendees = ask(console, "Attendees", parse_attendees)
    notes = ask(console, "Notes", validate_notes, default="", hint="(optional)")
    event = controller.create_event(
        ctx.uow(),
        ctx.user,
        contract_id=contract.id,
        name=name,
        start_at=start,
        end_at=end,
        location=location,
        attendees=attendees,
        notes=notes,
    )
    success(console, f"Created event #{event.id} {event.name}; it has no support contact yet.")


def assign_screen(ctx: AppContext, event_id: int | None = None) -> None:
    console = ctx.console
    picker = pickers.events(ctx, Action.EVENT_ASSIGN_SUPPORT)
    event = show_event(ctx, event_id or pick(ctx, "Event", picker, first=True).id)
    staff = pickers.collaborators(ctx, Action.EVENT_ASSIGN_SUPPORT, contact=Contact.SUPPORT)
    support = pick(ctx, "Support contact", staff, show=True, only=True, none=REMOVE)
    support_id = None if support is None else support.id
    updated = controller.assign_support(
        ctx.uow(), ctx.user, event.id, support_id, expected_version=event.version
    )
    who = updated.support_name if updated.support_name is not None else "nobody"
    success(console, f"Event #{updated.id} is now supported by {who}.")


def update_screen(ctx: AppContext, event_id: int | None = None) -> None:
    console = ctx.console
    event = _one_of_mine(ctx, event_id)
    info(console, "Type a new value, or press Enter to keep the current one.")
    name = ask_optional(console, "Event name", validate_event_name, event.name)
    start, end = ask_period(ctx, event.start_at, event.end_at)
    location = ask_optional(console, "Location", validate_location, event.location)
    attendees = ask_optional(console, "Attendees", parse_attendees, str(event.attendees))
    notes = ask_optional(console, "Notes", validate_notes, event.notes)
    updated = save_kept(
        ctx,
        lambda current: controller.update_event(
            ctx.uow(),
            ctx.user,
            event.id,
            name=name,
            start_at=None if start == event.start_at else start,
            end_at=None if end == event.end_at else end,
            location=location,
            attendees=attendees,
            notes=notes,
            expected_version=current.version,
        ),
        event,
        lambda: _reloaded(ctx, event.id),
    )
    if updated is not None:
        success(console, f"Updated event #{updated.id}.")


def _one_of_mine(ctx: AppContext, event_id: int | None):
    """The support contact's event to change (picked, the next first, unless given), shown
    once the controller says they may change it."""
    picker = pickers.events(ctx, Action.EVENT_UPDATE)
    return _reloaded(ctx, event_id or pick(ctx, "Event", picker, first=True).id)


def _reloaded(ctx: AppContext, event_id: int):
    event = controller.check_update_event(ctx.uow(), ctx.user, event_id)
    ctx.console.print(render_event(event))
    return event


def _note(raw: str) -> str:
    note = validate_notes(raw)
    if not note:
        raise ValidationError("Type the note to add (Ctrl-C cancels).")
    return note


def note_screen(ctx: AppContext, event_id: int | None = None) -> None:
    """Add a note under the notes of one of my events (the next one: Enter)."""
    console = ctx.console
    event = _one_of_mine(ctx, event_id)
    note = ask(console, "Note to add", _note)

    def add(current):  # under the notes as they are when saved
        notes = validate_notes(f"{current.notes}\n{note}" if current.notes else note)
        return controller.update_event(
            ctx.uow(), ctx.user, current.id, notes=notes, expected_version=current.version
        )

    updated = save_kept(ctx, add, event, lambda: _reloaded(ctx, event.id))
    if updated is not None:
        success(console, f"Added the note to event #{updated.id} {updated.name}.")


ENTRIES = [
    MenuEntry("List and search events", _browser("Events", timely=True), Action.READ_ALL),
    MenuEntry("Upcoming events", _browser("Upcoming events", upcoming=True), Action.READ_ALL),
    MenuEntry(
        "Events without support",
        _browser("Events without support", timely=True, without_support=True),
        Action.FILTER_EVENTS_WITHOUT_SUPPORT,
    ),
    MenuEntry("My events", _browser("My events", timely=True, mine=True), Action.FILTER_MY_EVENTS),
    MenuEntry("View an event", view_screen, Action.READ_ALL),
    MenuEntry("Create an event", create_screen, Action.EVENT_CREATE),
    MenuEntry("Assign a support contact", assign_screen, Action.EVENT_ASSIGN_SUPPORT),
    MenuEntry("Add a note to one of my events", note_screen, Action.EVENT_UPDATE),
    MenuEntry("Update one of my events", update_screen, Action.EVENT_UPDATE),
    MenuEntry("History of an event", history_screen("event"), Action.READ_ALL),
    MenuEntry("Archive an event", archive_screen("event", show_event), Action.ARCHIVE),
    MenuEntry("Restore an archived event", restore_screen("event"), Action.ARCHIVE),
]


def events_menu(ctx: AppContext) -> None:
    run_menu(ctx, "Events", ENTRIES)
