"""Use cases on contracts: gestion creates and updates any, commerce its own clients'."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from epic_events import monitoring
from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.clients import (
    created,
    latest_page,
    load_client,
    require_not_archived,
    require_own_client,
    require_unchanged,
)
from epic_events.controllers.permissions import Action, require
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict, NotFound, ValidationError
from epic_events.managers.clients import ClientManager
from epic_events.managers.contracts import ContractManager
from epic_events.managers.events import EventManager
from epic_events.models import Collaborator, Contract
from epic_events.paging import ListQuery, Page
from epic_events.read_models import ContractDetail, ContractRow, EventRow, page_of
from epic_events.validators import check_amounts, coerce_amount

DETAIL_ROWS = 10
FIELDS = ("total_amount", "amount_due", "signed")


def load_contract(manager: ContractManager, contract_id: int, *, for_update=False) -> Contract:
    contract = manager.get(contract_id, for_update=for_update)
    if contract is None:
        raise NotFound(f"There is no contract #{contract_id}.")
    return contract


def list_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
) -> Page[ContractRow]:
    """One page of contracts (everyone).

    `unsigned` and `unpaid` are commerce's filters, over the contracts of their own clients.
    """
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        if unsigned:
            require(actor.department_name, Action.FILTER_UNSIGNED_CONTRACTS)
        if unpaid:
            require(actor.department_name, Action.FILTER_UNPAID_CONTRACTS)
        mine = actor.id if unsigned or unpaid else None
        return page_of(
            ContractRow,
            ContractManager(uow.session).page(
                query, unsigned=unsigned, unpaid=unpaid, commercial_id=mine
            ),
        )


def get_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> ContractDetail:
    """A contract with its client and events (everyone)."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        contract = load_contract(ContractManager(uow.session), contract_id)
        events = EventManager(uow.session).latest(DETAIL_ROWS + 1, contract_id=contract.id)
        return ContractDetail(
            ContractRow.of(contract), page_of(EventRow, latest_page(events, DETAIL_ROWS))
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
        client = load_client(ClientManager(uow.session), client_id, for_update=True)
        require_not_archived(client, "client")
        total = coerce_amount(total_amount, "Total amount")
        due = total if amount_due is None else coerce_amount(amount_due, "Amount due")
        check_amounts(total, due)
        manager = ContractManager(uow.session)
        contract = manager.add(
            Contract(
                client_id=client.id,
                commercial_contact_id=client.commercial_contact_id,
                total_amount=total,
                amount_due=due,
                signed=False,
            )
        )
        uow.flush()
        audit.record(uow, actor, "create", "contract", contract.id, created(contract, FIELDS))
        uow.commit()
        return ContractRow.of(load_contract(manager, contract.id))


def _editable_contract(
    uow: UnitOfWork, user: CurrentUser, contract_id: int, action: Action, what: str
) -> tuple[Collaborator, ContractManager, Contract]:
    actor = authorise(uow, user, action)
    manager = ContractManager(uow.session)
    contract = load_contract(manager, contract_id, for_update=True)
    require_own_client(actor, contract.client, what)
    require_not_archived(contract, "contract")
    return actor, manager, contract


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
        return ContractRow.of(_editable_contract(uow, user, contract_id, action, what)[2])


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
        actor, manager, contract = _editable_contract(
            uow, user, contract_id, Action.CONTRACT_UPDATE, "update its contracts"
        )
        require_unchanged(contract, expected_version, "contract")
        total = contract.total_amount
        due = contract.amount_due
        if total_amount is not None:
            total = coerce_amount(total_amount, "Total amount")
        if amount_due is not None:
            due = coerce_amount(amount_due, "Amount due")
        check_amounts(total, due)
        newly_signed = signed is True and not contract.signed
        if signed is False and contract.signed and manager.count_events(contract.id):
            raise Conflict(f"Contract #{contract.id} has events: it stays signed.")
        changed = (
            total != contract.total_amount
            or due != contract.amount_due
            or (signed is not None and signed != contract.signed)
        )
        if not changed:
            raise ValidationError(audit.NOTHING_TO_CHANGE)
        before = audit.snapshot(contract, FIELDS)
        contract.total_amount, contract.amount_due = total, due
        if signed is not None:
            contract.signed = signed
            contract.signed_at = datetime.now(UTC) if signed else None
        uow.flush()
        changes = audit.diff(before, audit.snapshot(contract, FIELDS))
        audit.record(
            uow, actor, "sign" if newly_signed else "update", "contract", contract.id, changes
        )
        uow.commit()
    if newly_signed:
        _report_signature(actor, contract)
    with uow:
        return ContractRow.of(load_contract(ContractManager(uow.session), contract_id))


def sign_contract(
    uow: UnitOfWork, user: CurrentUser, contract_id: int, *, expected_version: int | None = None
) -> ContractRow:
    """Sign a contract (gestion: any; commerce: their own clients'); reported to Sentry."""
    with uow:
        actor, manager, contract = _editable_contract(
            uow, user, contract_id, Action.CONTRACT_SIGN, "sign its contracts"
        )
        require_unchanged(contract, expected_version, "contract")
        if contract.signed:
            raise Conflict(f"Contract #{contract.id} is already signed.")
        contract.signed = True
        contract.signed_at = datetime.now(UTC)
        uow.flush()
        audit.record(uow, actor, "sign", "contract", contract.id, {"signed": ["False", "True"]})
        uow.commit()
        signed = load_contract(manager, contract.id)
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
