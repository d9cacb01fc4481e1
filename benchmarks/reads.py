"""Every read a user can trigger, run as the program runs it: the controller, then the view
that draws its result, off-screen. Each is a function of no argument, named for what it is
(`events_search_1_letter`, `clients_sort_company_desc`, `picker_events_3_letters`)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rich.console import Console

from epic_events.controllers import (
    audit,
    clients,
    collaborators,
    contracts,
    dashboard,
    events,
    pickers,
)
from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.permissions import Action, Contact
from epic_events.paging import ListQuery
from epic_events.views.dashboard import render_dashboard
from epic_events.views.history import LATEST_FIRST, render_history
from epic_events.views.pickers import (
    describe_client,
    describe_collaborator,
    describe_contract,
    describe_event,
)
from epic_events.views.renderers import (
    CLIENT_SORTS,
    CONTRACT_SORTS,
    EVENT_SORTS,
    render_client,
    render_clients,
    render_collaborator,
    render_collaborators,
    render_contract,
    render_contracts,
    render_event,
    render_events,
)

CONSOLE = Console(file=io.StringIO(), width=160, force_terminal=True)  # the program has one

Op = Callable[[], None]


def render(renderable) -> None:
    CONSOLE.file = io.StringIO()
    CONSOLE.print(renderable)


@dataclass(frozen=True)
class Staff:
    """Who runs the operations: one collaborator of each department (and a second
    commercial and support contact, for reassigning and assigning)."""

    boss: CurrentUser
    seller: CurrentUser
    seller2: CurrentUser
    helper: CurrentUser
    helper2: CurrentUser


@dataclass(frozen=True)
class Busiest:
    """The records whose screens have the most to show, found by SQL."""

    client_id: int  # the most contracts
    contract_id: int  # the most events
    event_id: int  # the latest event of that contract
    history: tuple[str, int]  # (entity, id) with the most history rows


RARE = "zanzibar"  # only on the few records the benchmark creates (writes.py)
# What a user types, by what it is; None: the list's own word, from WORDS. The words come
# from epic_events/demo.py's lists: every demo client's email is at <company>.example.
SEARCHES = {
    "1_letter": "a",
    "2_letters": "ma",
    "common_word": None,
    "surname": "martin",
    "rare_word": None,
    "no_match_2_letters": "zz",
    "no_match_4_letters": "zzzz",
    "accented": "chloé",
    "digits": "75",
    "email_fragment": None,
    "mixed_case": "MaRtIn",
}
WORDS = {  # list: (common word, rare word, email fragment)
    "clients": ("startup", RARE, "@bright-"),
    "contracts": ("startup", RARE, "@bright-"),
    "events": ("wedding", RARE, "@bright-"),
    "collaborators": ("commerce", RARE, "@demo."),
    # History is searched in who did what on what: only the benchmark's changes restore.
    "activity": ("create", "restore", "@demo."),
    "history": ("assign", "restore", "@demo."),  # the busiest record: an event, reassigned
}
PAGES = {"2": 2, "250": 250, "last": None, "5000": 5000}
SORTED = {
    "clients": CLIENT_SORTS,
    "contracts": CONTRACT_SORTS,
    "events": EVENT_SORTS,
    "activity": {"at": "when"},
}  # collaborators sort by name only; a record's history is a page or two
FILTER_SEARCH = "martin"
PICKER_PREFIXES = {  # a name typed letter by letter, as a form's picker would get it
    "clients": "mart",
    "contracts": "mart",
    "signed_contracts": "mart",
    "events": "wedd",
    "collaborators": "kate",
}


@dataclass(frozen=True)
class Screen:
    """A list screen: its fetch (the controller), its view, the query it opens with."""

    fetch: Callable[[ListQuery], object]
    draw: Callable[[object, ListQuery], object]
    base: ListQuery = field(default_factory=ListQuery)

    def op(self, **changes) -> Op:
        query = replace(self.base, **changes)
        return lambda: render(self.draw(self.fetch(query), query))


def screens(uow, staff: Staff, busiest: Busiest) -> dict[str, Screen]:
    """Each list as gestion opens it (gestion may read them all)."""
    boss = staff.boss
    entity, record_id = busiest.history
    return {
        "clients": Screen(lambda q: clients.list_clients(uow(), boss, q), render_clients),
        "contracts": Screen(lambda q: contracts.list_contracts(uow(), boss, q), render_contracts),
        "events": Screen(
            lambda q: events.list_events(uow(), boss, q), render_events, ListQuery(sort="start")
        ),
        "collaborators": Screen(
            lambda q: collaborators.list_collaborators(uow(), boss, q), render_collaborators
        ),
        "activity": Screen(
            lambda q: audit.recent_activity(uow(), boss, q),
            lambda page, q: render_history(page, q, "Recent activity"),
            LATEST_FIRST,
        ),
        "history": Screen(
            lambda q: audit.history(uow(), boss, entity, record_id, q),
            lambda page, q: render_history(page, q, f"History of {entity} #{record_id}"),
            LATEST_FIRST,
        ),
    }


def filters(uow, staff: Staff) -> dict[str, Screen]:
    """Each department's filters, as the department that has them opens them."""
    boss, seller, helper = staff.boss, staff.seller, staff.helper
    by_start = ListQuery(sort="start")
    return {
        "clients_filter_mine": Screen(
            lambda q: clients.list_clients(uow(), seller, q, mine=True), render_clients
        ),
        "contracts_filter_unsigned": Screen(
            lambda q: contracts.list_contracts(uow(), seller, q, unsigned=True), render_contracts
        ),
        "contracts_filter_unpaid": Screen(
            lambda q: contracts.list_contracts(uow(), seller, q, unpaid=True), render_contracts
        ),
        "events_filter_without_support": Screen(
            lambda q: events.list_events(uow(), boss, q, without_support=True),
            render_events,
            by_start,
        ),
        "events_filter_mine": Screen(
            lambda q: events.list_events(uow(), helper, q, mine=True), render_events, by_start
        ),
        "events_filter_upcoming": Screen(
            lambda q: events.list_events(uow(), boss, q, upcoming=True), render_events, by_start
        ),
        "collaborators_filter_support": Screen(
            lambda q: collaborators.list_collaborators(uow(), boss, q, department="support"),
            render_collaborators,
        ),
    }


def list_ops(lists: dict[str, Screen]) -> dict[str, Op]:
    """Searches of every kind, pages near and far, every sort both ways, archived shown."""
    ops = {}
    for name, screen in lists.items():
        common, rare, email = WORDS[name]
        own = {"common_word": common, "rare_word": rare, "email_fragment": email}
        for what, term in SEARCHES.items():
            ops[f"{name}_search_{what}"] = screen.op(search=term or own[what])
    for name, screen in lists.items():
        if name == "history":
            continue  # a record's history is a page or two
        last = screen.fetch(screen.base).pages
        for label, number in PAGES.items():
            ops[f"{name}_page_{label}"] = screen.op(page=number or last)
    for name, sorts in SORTED.items():
        for key in sorts:
            for direction, descending in (("asc", False), ("desc", True)):
                ops[f"{name}_sort_{key}_{direction}"] = lists[name].op(
                    sort=key, descending=descending
                )
    for name in ("clients", "contracts", "events"):
        ops[f"{name}_with_archived"] = lists[name].op(include_archived=True)
    return ops


def filter_ops(filtered: dict[str, Screen]) -> dict[str, Op]:
    ops = {}
    for name, screen in filtered.items():
        ops[name] = screen.op()
        ops[f"{name}_search_surname"] = screen.op(search=FILTER_SEARCH)
    return ops


def picker_ops(uow, staff: Staff) -> dict[str, Op]:
    """What a form's picker looks up on each keystroke (controllers/pickers.py), as each
    form asks it, with the lines it shows: the clients gestion may make a contract for,
    a commercial's unsigned contracts to sign and signed ones for a new event, the next
    events to give support to, the active support staff."""
    boss, seller = staff.boss, staff.seller
    lookups = {
        "clients": (
            lambda text: pickers.clients(uow(), boss, text, Action.CONTRACT_CREATE),
            describe_client,
        ),
        "contracts": (
            lambda text: pickers.contracts(uow(), seller, text, Action.CONTRACT_SIGN),
            describe_contract,
        ),
        "signed_contracts": (
            lambda text: pickers.contracts(uow(), seller, text, Action.EVENT_CREATE),
            describe_contract,
        ),
        "events": (
            lambda text: pickers.events(uow(), boss, text, Action.EVENT_ASSIGN_SUPPORT),
            describe_event,
        ),
        "collaborators": (
            lambda text: pickers.collaborators(
                uow(), boss, text, Action.EVENT_ASSIGN_SUPPORT, contact=Contact.SUPPORT
            ),
            describe_collaborator,
        ),
    }
    ops = {}
    for name, (lookup, describe) in lookups.items():
        word = PICKER_PREFIXES[name]
        ops[f"picker_{name}_offered"] = lambda lookup=lookup, describe=describe: [
            describe(row) for row in lookup("").rows
        ]
        for letters in range(1, len(word) + 1):
            suffix = "letter" if letters == 1 else "letters"
            ops[f"picker_{name}_{letters}_{suffix}"] = (
                lambda typed=word[:letters], lookup=lookup, describe=describe: [
                    describe(row) for row in lookup(typed).rows
                ]
            )
    return ops


def detail_ops(uow, staff: Staff, busiest: Busiest, lists: dict[str, Screen]) -> dict[str, Op]:
    """Opening the busiest records and their history, the dashboards of each department."""
    boss = staff.boss
    return {
        "client_detail_busiest": lambda: render(
            render_client(clients.get_client(uow(), boss, busiest.client_id))
        ),
        "contract_detail_busiest": lambda: render(
            render_contract(contracts.get_contract(uow(), boss, busiest.contract_id))
        ),
        "event_detail": lambda: render(
            render_event(events.get_event(uow(), boss, busiest.event_id))
        ),
        "collaborator_detail": lambda: render(
            render_collaborator(collaborators.get_collaborator(uow(), boss, staff.seller.id))
        ),
        "history_of_busiest_record": lists["history"].op(),
        "recent_activity": lists["activity"].op(),
        "dashboard_gestion": lambda: render(render_dashboard(dashboard.get_dashboard(uow(), boss))),
        "dashboard_commerce": lambda: render(
            render_dashboard(dashboard.get_dashboard(uow(), staff.seller))
        ),
        "dashboard_support": lambda: render(
            render_dashboard(dashboard.get_dashboard(uow(), staff.helper))
        ),
    }


def all_reads(uow, staff: Staff, busiest: Busiest) -> dict[str, Op]:
    lists = screens(uow, staff, busiest)
    filtered = filters(uow, staff)
    return {
        **detail_ops(uow, staff, busiest, lists),
        **list_ops(lists),
        **filter_ops(filtered),
        **picker_ops(uow, staff),
    }
