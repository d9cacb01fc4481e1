"""Queries on contracts, with the named filters of the SPEC."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from epic_events.managers.clients import client_documents
from epic_events.managers.exports import ExportColumns, JsonFields, local_time, signed_status
from epic_events.managers.locking import get_row
from epic_events.managers.paging import Listing
from epic_events.models import Client, Collaborator, Contract, Event

Commercial = aliased(Collaborator, name="commercial")

SORTS = {
    "id": Contract.id,
    "total": Contract.total_amount,
    "due": Contract.amount_due,
    "created": Contract.created_at,
    "signed": Contract.signed,
}


def of_matching_clients(text: str):
    """Contracts of the clients whose name, email or company matches (their search
    document): the planner walks the contracts for a frequent word, and reads the clients'
    trigram index then their contracts for a rare one."""
    return Contract.client_id.in_(client_documents(text))


class ContractManager:
    def __init__(self, session: Session):
        self.session = session

    def _select(self):
        return (
            select(Contract)
            .join(Contract.client)
            .options(contains_eager(Contract.client), joinedload(Contract.commercial_contact))
        )

    def get(self, contract_id: int, *, for_update: bool = False) -> Contract | None:
        """The contract with its client, and the client's commercial contact (whom a
        refusal names)."""
        statement = (
            self._select()
            .options(contains_eager(Contract.client).joinedload(Client.commercial_contact))
            .where(Contract.id == contract_id)
        )
        return get_row(self.session, statement, Contract, for_update=for_update)

    def listing(
        self,
        *,
        unsigned: bool = False,
        signed: bool = False,
        unpaid: bool = False,
        client_id: int | None = None,
        commercial_id: int | None = None,
    ) -> Listing:
        """Contracts, searched in the client's name, email and company.

        `unsigned` and `unpaid` are the commerce filters, `signed` what an event may be
        created on; `commercial_id` keeps the contracts of that commercial's clients.
        """
        filters = []
        if unsigned:
            filters.append(~Contract.signed)  # matches the partial index's WHERE NOT signed
        if signed:
            filters.append(Contract.signed)
        if unpaid:
            filters.append(Contract.amount_due > 0)
        if client_id is not None:
            filters.append(Contract.client_id == client_id)
        if commercial_id is not None:
            # A contract's commercial contact is its client's (create_contract sets it,
            # reassign_client moves it): filtering on it needs no join.
            filters.append(Contract.commercial_contact_id == commercial_id)
        return Listing(
            self.session,
            self._select().where(*filters),
            count_from=select(Contract.id).where(*filters),
            sort_columns=SORTS,
            search=of_matching_clients,
            tiebreak=Contract.id,
            archived_column=Contract.archived_at,
        )

    def export_columns(self) -> ExportColumns:
        """A contract's cells in an export (controllers/exports.py's CONTRACT_HEADER)."""
        return ExportColumns(
            [
                Contract.id,
                Client.id,
                Client.full_name,
                Client.company_name,
                Client.email,
                Client.phone,
                Commercial.name,
                Contract.total_amount,
                Contract.amount_due,
                signed_status(Contract.signed),
                local_time(Contract.created_at),
                local_time(Contract.updated_at),
            ],
            joins=[(Commercial, Commercial.id == Contract.commercial_contact_id)],
        )

    def json_fields(self) -> JsonFields:
        """A contract in a JSON list: read_models.ContractRow's keys (the listing joins the
        client)."""
        return JsonFields(
            {
                "id": Contract.id,
                "client_id": Contract.client_id,
                "client_name": Client.full_name,
                "client_company": Client.company_name,
                "client_email": Client.email,
                "client_phone": Client.phone,
                "commercial_contact_id": Contract.commercial_contact_id,
                "commercial_name": Commercial.name,
                "total_amount": Contract.total_amount,
                "amount_due": Contract.amount_due,
                "signed": Contract.signed,
                "signed_at": Contract.signed_at,
                "created_at": Contract.created_at,
                "updated_at": Contract.updated_at,
                "archived_at": Contract.archived_at,
                "version": Contract.version,
            },
            joins=[(Commercial, Commercial.id == Contract.commercial_contact_id)],
        )

    def add(self, contract: Contract) -> Contract:
        self.session.add(contract)
        return contract

    def count_events(self, contract_id: int) -> int:
        return self.session.scalar(
            select(func.count()).select_from(Event).where(Event.contract_id == contract_id)
        )

    def move_to_commercial(self, client_id: int, commercial_id: int) -> list[int]:
        """Put every contract of a client in the charge of another commercial; their ids."""
        return list(
            self.session.scalars(
                update(Contract)
                .where(Contract.client_id == client_id)
                .values(commercial_contact_id=commercial_id)
                .returning(Contract.id)
            )
        )
