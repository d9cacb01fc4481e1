"""Pick, don't type ids: wherever a form asks for a client, contract, event or collaborator.

Type part of a name, company or email: on a terminal the best matches show under the field
as you type (Up/Down, Enter takes one); Enter on the text takes the one match, or lists the
matches to choose from by number. An id (`12` or `#12`) still works. Only what the action
could accept is offered (controllers/pickers.py). A typo, a record that is not offered or no
match asks again in place: a form is never dropped for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from prompt_toolkit.completion import Completer, Completion
from rich.table import Table
from rich.text import Text

from epic_events.controllers import pickers
from epic_events.controllers.permissions import Action, Contact, only_own_records
from epic_events.errors import ValidationError
from epic_events.read_models import ClientRow, CollaboratorRow, ContractRow, EventRow
from epic_events.views.console import ask, editable, error, prompt_text
from epic_events.views.context import AppContext
from epic_events.views.text import format_datetime, format_money, sanitize

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Picker(Generic[T]):
    """What one field picks: its lookup (text -> Candidates), how a match reads, and what
    the offered records are called in messages ("unsigned contract of your clients")."""

    lookup: Callable[[str], pickers.Candidates[T]]
    describe: Callable[[T], str]
    what: str
    name: Callable[[T], str] = lambda row: ""  # what a taken match leaves in the field

    def without(self, record_id: int) -> Picker[T]:
        """The same picker never offering `record_id` (the collaborator who is leaving)."""

        def lookup(text: str) -> pickers.Candidates[T]:
            found = self.lookup(text)
            rows = [row for row in found.rows if row.id != record_id]
            return replace(found, rows=rows)

        return replace(self, lookup=lookup)


class MatchCompleter(Completer):
    """The picker's matches under the field, looked up again as the text changes."""

    def __init__(self, picker: Picker):
        self.picker = picker

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        if not text.strip():
            return
        try:
            candidates = self.picker.lookup(text)
        except Exception:  # a menu that cannot be shown is no reason to stop typing
            log.warning("picker lookup failed", exc_info=True)
            return
        for row in candidates.rows:
            taken = sanitize(f"#{row.id} {self.picker.name(row)}").strip()
            yield Completion(taken, start_position=-len(text), display=self.picker.describe(row))


def _choose(ctx: AppContext, picker: Picker[T], rows: list[T], more: bool) -> T | None:
    """Several match: on a terminal, prompt_toolkit's selection list (↑↓ and Enter, the
    first selected; a last line searches again); elsewhere numbered, Enter takes the first,
    anything else searches again."""
    if editable(ctx.console):
        from epic_events.views.terminal import choose_one

        options = [(row, picker.describe(row)) for row in rows]
        again = "(none of these: search again)" + (" · more match" if more else "")
        return choose_one(ctx.console, "Which one?", [*options, (None, again)])
    table = Table.grid(padding=(0, 2))
    for number, row in enumerate(rows, start=1):
        table.add_row(Text(str(number), style="bold cyan"), Text(picker.describe(row)))
    ctx.console.print(table)
    if more:
        ctx.console.print(Text("More match: type more of the name to narrow them.", "dim"))
    raw = ctx.console.input(prompt_text("Which one", f"(1-{len(rows)}, Enter: 1)"))
    answer = raw.strip()
    if not answer:
        return rows[0]
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(rows):
        return rows[int(answer) - 1]
    return None


def pick(
    ctx: AppContext,
    label: str,
    picker: Picker[T],
    *,
    first: bool = False,
    show: bool = False,
    only: bool = False,
    none: str | None = None,
) -> T | None:
    """Ask for one record until one is chosen (Ctrl-C cancels the form).

    `show`: the first few records offered are listed before the field (the support staff).
    `first`: they come in a useful order (the next events, the newest contracts): they are
    listed and Enter alone takes the first. `only`: what is offered is all there is to
    choose from, so nothing offered ends the form before its first question. `none`: what to
    type to choose no record (`-`: no support contact)."""
    offered = None
    if first or show or only:
        shown = picker.lookup("")
        if only and not shown.rows and none is None:
            raise ValidationError(f"There is no {picker.what} to choose from.")
        if shown.rows and (first or show):
            offered = shown.rows[0] if first else None
            _show_offered(ctx, picker, shown)
    hint = "(part of a name, or an id" + ("; Enter: the first" if offered is not None else "")
    hint += f"; {none}: nobody)" if none else ")"
    while True:
        raw = ask(ctx.console, label, hint=hint, completer=MatchCompleter(picker), history=label)
        text = raw.strip()
        if none is not None and text == none:
            return None
        if not text:
            if offered is not None:
                return offered
            error(ctx.console, "Type part of a name, company or email, or an id.")
            continue
        try:
            candidates = picker.lookup(text)
        except ValidationError as problem:
            error(ctx.console, problem.message)
            continue
        if candidates.by_id:
            if candidates.rows:
                return candidates.rows[0]
            error(ctx.console, f"No {picker.what} has id #{pickers.typed_id(text)}.")
            continue
        if not candidates.rows:
            error(ctx.console, f"No {picker.what} matches “{sanitize(text)}”.")
            continue
        if len(candidates.rows) == 1:
            return candidates.rows[0]
        chosen = _choose(ctx, picker, candidates.rows, candidates.more)
        if chosen is not None:
            return chosen


def _show_offered(ctx: AppContext, picker: Picker, shown: pickers.Candidates) -> None:
    table = Table.grid(padding=(0, 2))
    for row in shown.rows:
        table.add_row(Text(picker.describe(row)))
    ctx.console.print(table)
    if shown.more:
        ctx.console.print(Text("…and more: type part of a name to find one.", "dim"))


# How a match reads, one line each: the id first (what Enter on a picked line reads).


def describe_client(client: ClientRow) -> str:
    return sanitize(f"#{client.id} {client.full_name} · {client.company_name} · {client.email}")


def describe_contract(contract: ContractRow) -> str:
    state = "signed" if contract.signed else "unsigned"
    return sanitize(
        f"#{contract.id} {contract.client_name} · {contract.client_company} · "
        f"{format_money(contract.total_amount)} · {state}, due {format_money(contract.amount_due)}"
    )


def describe_event(event: EventRow) -> str:
    support = event.support_name if event.support_name is not None else "no support"
    return sanitize(
        f"#{event.id} {event.name} · {format_datetime(event.start_at)} · "
        f"{event.client_name} · {support}"
    )


def describe_collaborator(collaborator: CollaboratorRow) -> str:
    return sanitize(
        f"#{collaborator.id} {collaborator.name} · {collaborator.department.value} · "
        f"{collaborator.email}"
    )


# The pickers the forms use.


def of_entity(ctx: AppContext, entity: str, action: Action = Action.READ_ALL, **options) -> Picker:
    """The picker of `entity` ("client", "contract", "event", "collaborator")."""
    if entity == "collaborator":
        return collaborators(ctx)
    return {"client": clients, "contract": contracts, "event": events}[entity](
        ctx, action, **options
    )


def clients(ctx: AppContext, action: Action = Action.READ_ALL, *, archived=False) -> Picker:
    def lookup(text: str):
        return pickers.clients(ctx.uow(), ctx.user, text, action, archived=archived)

    what = "client of yours" if action is Action.CLIENT_UPDATE else "client"
    name = lambda client: client.full_name  # noqa: E731 - a field of the picker
    return Picker(lookup, describe_client, "archived client" if archived else what, name)


def contracts(ctx: AppContext, action: Action = Action.READ_ALL, *, archived=False) -> Picker:
    def lookup(text: str):
        return pickers.contracts(ctx.uow(), ctx.user, text, action, archived=archived)

    own = only_own_records(ctx.user.department, action)
    what = {
        Action.CONTRACT_SIGN: "unsigned contract" + (" of your clients" if own else ""),
        Action.EVENT_CREATE: "signed contract of your clients",
        Action.CONTRACT_UPDATE: "contract" + (" of your clients" if own else ""),
    }.get(action, "contract")
    name = lambda contract: contract.client_name  # noqa: E731
    return Picker(lookup, describe_contract, "archived contract" if archived else what, name)


def events(ctx: AppContext, action: Action = Action.READ_ALL, *, archived=False) -> Picker:
    def lookup(text: str):
        return pickers.events(ctx.uow(), ctx.user, text, action, archived=archived)

    what = "event of yours" if action is Action.EVENT_UPDATE else "event"
    name = lambda event: event.name  # noqa: E731
    return Picker(lookup, describe_event, "archived event" if archived else what, name)


def collaborators(
    ctx: AppContext, action: Action = Action.COLLABORATOR_LIST, *, contact: Contact | None = None
) -> Picker:
    def lookup(text: str):
        return pickers.collaborators(ctx.uow(), ctx.user, text, action, contact=contact)

    what = {
        Contact.SUPPORT: "member of the support staff",
        Contact.COMMERCIAL: "commercial",
    }.get(contact, "collaborator")
    name = lambda collaborator: collaborator.name  # noqa: E731
    return Picker(lookup, describe_collaborator, f"active {what}" if contact else what, name)
