"""Screens for contracts: everyone reads; gestion creates; gestion and commerce update, sign."""

from __future__ import annotations

from rich.text import Text

from epic_events.controllers import contracts as controller
from epic_events.controllers import exports
from epic_events.controllers.audit import NOTHING_TO_CHANGE
from epic_events.controllers.permissions import Action
from epic_events.errors import ValidationError
from epic_events.validators import check_amounts, parse_amount
from epic_events.views import pickers
from epic_events.views.archiving import archive_screen, restore_screen
from epic_events.views.browse import archivable_list
from epic_events.views.console import ask, ask_optional, confirm, info, success
from epic_events.views.context import AppContext
from epic_events.views.history import history_screen
from epic_events.views.menu import MenuEntry, run_menu
from epic_events.views.pickers import pick
from epic_events.views.record_screens import contract_screen
from epic_events.views.records import show_client, show_contract
from epic_events.views.renderers import CONTRACT_SORTS, render_contracts
from epic_events.views.saving import save_kept
from epic_events.views.text import format_money, sanitize


def _browser(title: str, **filters):
    return archivable_list(
        title,
        fetch=controller.list_contracts,
        render=render_contracts,
        export=exports.export_contracts,
        open_one=contract_screen,
        sorts=CONTRACT_SORTS,
        **filters,
    )


def _total(raw: str):
    return parse_amount(raw, "Total amount")


def _due(raw: str):
    return parse_amount(raw, "Amount due")


def _due_within(total):
    """The amount due, re-asked until it is at most `total`."""

    def parse(raw: str):
        due = _due(raw)
        check_amounts(total, due)
        return due

    return parse


def view_screen(ctx: AppContext) -> None:
    contract_screen(ctx, pick(ctx, "Contract", pickers.contracts(ctx, archived=None)).id)


def create_screen(ctx: AppContext, client_id: int | None = None) -> None:
    console = ctx.console
    console.print("[bold]New contract[/] [dim](Ctrl-C cancels; amounts like 12 000,00 €)[/]")
    client_id = client_id or pick(ctx, "Client", pickers.clients(ctx, Action.CONTRACT_CREATE)).id
    client = show_client(ctx, client_id).client
    total = ask(console, "Total amount", _total)
    due = ask(
        console,
        "Amount due",
        _due_within(total),
        default=format_money(total, currency=False),
        hint="(Enter: the total)",
    )
    contract = controller.create_contract(
        ctx.uow(), ctx.user, client_id=client.id, total_amount=total, amount_due=due
    )
    success(console, f"Created contract #{contract.id} for {contract.client_name} (unsigned).")


def update_screen(ctx: AppContext, contract_id: int | None = None) -> None:
    console = ctx.console
    picker = pickers.contracts(ctx, Action.CONTRACT_UPDATE)
    contract_id = contract_id or pick(ctx, "Contract", picker).id
    controller.check_update_contract(ctx.uow(), ctx.user, contract_id)
    contract = show_contract(ctx, contract_id).contract
    info(console, "Type a new value, or press Enter to keep the current one.")
    current_total = format_money(contract.total_amount, currency=False)
    total = ask_optional(console, "Total amount", _total, current_total)
    new_total = contract.total_amount if total is None else total
    current_due = format_money(contract.amount_due, currency=False)
    due = ask_optional(console, "Amount due", _due_within(new_total), current_due)
    if total is None and due is None:
        raise ValidationError(NOTHING_TO_CHANGE)
    updated = save_kept(
        ctx,
        lambda current: controller.update_contract(
            ctx.uow(),
            ctx.user,
            contract.id,
            total_amount=total,
            amount_due=due,
            expected_version=current.version,
        ),
        contract,
        lambda: show_contract(ctx, contract.id).contract,
    )
    if updated is None:
        return
    success(
        console,
        f"Updated contract #{updated.id}: total {format_money(updated.total_amount)}, "
        f"due {format_money(updated.amount_due)}.",
    )


def sign_screen(ctx: AppContext, contract_id: int | None = None) -> None:
    console = ctx.console
    unsigned = pickers.contracts(ctx, Action.CONTRACT_SIGN)
    contract_id = contract_id or pick(ctx, "Contract to sign", unsigned, first=True, only=True).id
    controller.check_update_contract(ctx.uow(), ctx.user, contract_id, signing=True)
    contract = show_contract(ctx, contract_id).contract
    if contract.signed:
        raise ValidationError(f"Contract #{contract.id} is already signed.")
    question = Text.assemble(
        (f"Sign contract #{contract.id} of ", "bold"),
        (sanitize(contract.client_name), "bold"),
        (f" for {format_money(contract.total_amount)}?", "bold"),
    )
    if not confirm(console, question):
        info(console, "The contract was not signed.")
        return
    signed = controller.sign_contract(
        ctx.uow(), ctx.user, contract.id, expected_version=contract.version
    )
    success(console, f"Contract #{signed.id} is signed: events can now be created for it.")


ENTRIES = [
    MenuEntry("List and search contracts", _browser("Contracts"), Action.READ_ALL),
    MenuEntry(
        "Unsigned contracts of my clients",
        _browser("Unsigned contracts of my clients", unsigned=True),
        Action.FILTER_UNSIGNED_CONTRACTS,
    ),
    MenuEntry(
        "Contracts of my clients not fully paid",
        _browser("Contracts of my clients not fully paid", unpaid=True),
        Action.FILTER_UNPAID_CONTRACTS,
    ),
    MenuEntry("View a contract", view_screen, Action.READ_ALL),
    MenuEntry("Create a contract", create_screen, Action.CONTRACT_CREATE),
    MenuEntry("Update a contract's amounts", update_screen, Action.CONTRACT_UPDATE),
    MenuEntry("Sign a contract", sign_screen, Action.CONTRACT_SIGN),
    MenuEntry("History of a contract", history_screen("contract"), Action.READ_ALL),
    MenuEntry("Archive a contract", archive_screen("contract", show_contract), Action.ARCHIVE),
    MenuEntry("Restore an archived contract", restore_screen("contract"), Action.ARCHIVE),
]


def contracts_menu(ctx: AppContext) -> None:
    run_menu(ctx, "Contracts", ENTRIES)
