"""Use cases on contracts: gestion creates and updates any, commerce its own clients'."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from epic_events import monitoring
from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.guards import (
    load_client,
    load_contract,
    require_not_archived,
    require_own_client,
    require_unchanged,
)
from epic_events.controllers.permissions import Action, require
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict
from epic_events.managers.paging import Listing
from epic_events.models import Collaborator, Contract
from epic_events.paging import ListQuery, Page, first_rows
from epic_events.read_models import ContractDetail, ContractRow, EventRow, page_of
from epic_events.validators import check_amounts, coerce_amount

DETAIL_ROWS = 10
FIELDS = ("total_amount", "amount_due", "signed")


def contract_listing(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
    client_id: int | None = None,
) -> Listing:
    """The contracts `user` may list, filtered: what both the list and its export read.

    Everyone; `unsigned` and `unpaid` are commerce's filters, over their own clients;
    `client_id` (everyone) one client's."""
    actor = authorise(uow, user, Action.READ_ALL)
    if unsigned:
        require(actor.department_name, Action.FILTER_UNSIGNED_CONTRACTS)
    if unpaid:
        require(actor.department_name, Action.FILTER_UNPAID_CONTRACTS)
    mine = actor.id if unsigned or unpaid else None
    return uow.contracts.listing(
        unsigned=unsigned, unpaid=unpaid, commercial_id=mine, client_id=client_id
    )


def list_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
    client_id: int | None = None,
) -> Page[ContractRow]:
    """One page of contracts (everyone).

    `unsigned` and `unpaid` are commerce's filters, over the contracts of their own clients;
    `client_id` (everyone) one client's contracts.
    """
    with uow:
        listing = contract_listing(uow, user, unsigned=unsigned, unpaid=unpaid, client_id=client_id)
        return page_of(ContractRow, listing.page(query))


def get_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> ContractDetail:
    """A contract with its client and events (everyone)."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        contract = load_contract(uow, contract_id)
        events = uow.events.latest(DETAIL_ROWS + 1, contract_id=contract.id)
        return ContractDetail(
            ContractRow.of(contract), page_of(EventRow, first_rows(events, DETAIL_ROWS))
        )


def create_contract(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    client_id: int,
    total_amount: Decimal | str,
    amount_due: Decimal | str | None = None,
) -> ContractRow:
    """Create an unsigned contract for any client (gestion).

    Its commercial contact is the client's; the amount due defaults to the total.
    """
    with uow:
        actor = authorise(uow, user, Action.CONTRACT_CREATE)
        client = load_client(uow, client_id, for_update=True)
        require_not_archived(client, "client")
        total = coerce_amount(total_amount, "Total amount")
        due = total if amount_due is None else coerce_amount(amount_due, "Amount due")
        check_amounts(total, due)
        contract = uow.contracts.add(
            Contract(
                client_id=client.id,
                commercial_contact_id=client.commercial_contact_id,
                total_amount=total,
                amount_due=due,
                signed=False,
            )
        )
        uow.flush()
        changes = audit.created(contract, FIELDS)
        audit.record(uow, actor, "create", "contract", contract.id, changes)
        uow.commit()
        return ContractRow.of(load_contract(uow, contract.id))


def _editable_contract(
    uow: UnitOfWork, user: CurrentUser, contract_id: int, action: Action, what: str
) -> tuple[Collaborator, Contract]:
    actor = authorise(uow, user, action)
    contract = load_contract(uow, contract_id, for_update=True)
    require_own_client(actor, contract.client, action, what)
    require_not_archived(contract, "contract")
    return actor, contract


def check_update_contract(
    uow: UnitOfWork, user: CurrentUser, contract_id: int, *, signing: bool = False
) -> ContractRow:
    """The contract, when `user` may update (or sign) it now: the form is shown only then."""
    action, what = (
        (Action.CONTRACT_SIGN, "sign its contracts")
        if signing
        else (Action.CONTRACT_UPDATE, "update its contracts")
    )
    with uow:
        return ContractRow.of(_editable_contract(uow, user, contract_id, action, what)[1])


def update_contract(
    uow: UnitOfWork,
    user: CurrentUser,
    contract_id: int,
    *,
    total_amount: Decimal | str | None = None,
    amount_due: Decimal | str | None = None,
    signed: bool | None = None,
    expected_version: int | None = None,
) -> ContractRow:
    """Change amounts or status (gestion: any; commerce: their own clients' contracts).

    Signing this way is reported like `sign_contract`; a contract with events stays signed.
    """
    with uow:
        actor, contract = _editable_contract(
            uow, user, contract_id, Action.CONTRACT_UPDATE, "update its contracts"
        )
        require_unchanged(contract, expected_version, "contract")
        total = None if total_amount is None else coerce_amount(total_amount, "Total amount")
        due = None if amount_due is None else coerce_amount(amount_due, "Amount due")
        check_amounts(
            contract.total_amount if total is None else total,
            contract.amount_due if due is None else due,
        )
        changes = audit.pending_changes(
            contract, {"total_amount": total, "amount_due": due, "signed": signed}
        )
        newly_signed = changes.get("signed") is True
        if changes.get("signed") is False and uow.contracts.count_events(contract.id):
            raise Conflict(f"Contract #{contract.id} has events: it stays signed.")
        if "signed" in changes:
            changes["signed_at"] = datetime.now(UTC) if newly_signed else None
        action = "sign" if newly_signed else "update"
        audit.apply_changes(uow, actor, contract, "contract", changes, FIELDS, action=action)
        uow.commit()
    if newly_signed:
        _report_signature(actor, contract)
    with uow:
        return ContractRow.of(load_contract(uow, contract_id))


def sign_contract(
    uow: UnitOfWork, user: CurrentUser, contract_id: int, *, expected_version: int | None = None
) -> ContractRow:
    """Sign a contract (gestion: any; commerce: their own clients'); reported to Sentry."""
    with uow:
        actor, contract = _editable_contract(
            uow, user, contract_id, Action.CONTRACT_SIGN, "sign its contracts"
        )
        require_unchanged(contract, expected_version, "contract")
        if contract.signed:
            raise Conflict(f"Contract #{contract.id} is already signed.")
        changes = {"signed": True, "signed_at": datetime.now(UTC)}
        audit.apply_changes(uow, actor, contract, "contract", changes, ("signed",), action="sign")
        uow.commit()
        signed = load_contract(uow, contract.id)
    _report_signature(actor, signed)
    return ContractRow.of(signed)


def _report_signature(actor: Collaborator, contract: Contract) -> None:
    monitoring.record(
        "contract.signed",
        actor_id=actor.id,
        department=actor.department_name.value,
        contract_id=contract.id,
        client_id=contract.client_id,
    )
