"""Queries on clients."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from epic_events.managers.exports import ExportColumns, JsonFields, local_time
from epic_events.managers.locking import get_row
from epic_events.managers.paging import Listing, document_search
from epic_events.models import Client, ClientSearch, Collaborator, Contract

Commercial = aliased(Collaborator, name="commercial")

SORTS = {
    "name": func.lower(Client.full_name),
    "company": func.lower(Client.company_name),
    "email": Client.email,
    "created": Client.created_at,
    "updated": Client.updated_at,
}


def client_documents(text: str):
    """The ids of the clients whose search document (name, email, company) matches."""
    return select(ClientSearch.client_id).where(
        document_search(ClientSearch.search_doc, ClientSearch.search_pairs)(text)
    )


def matching_clients(text: str):
    return Client.id.in_(client_documents(text))


class ClientManager:
    def __init__(self, session: Session):
        self.session = session

    def _select(self):
        return select(Client).options(joinedload(Client.commercial_contact))

    def get(self, client_id: int, *, for_update: bool = False) -> Client | None:
        statement = self._select().where(Client.id == client_id)
        return get_row(self.session, statement, Client, for_update=for_update)

    def get_with_contracts(self, client_id: int, limit: int) -> tuple[Client | None, list]:
        """The client and its `limit` latest contracts, in one query."""
        rows = self.session.execute(
            select(Client, Contract)
            .outerjoin(Contract, Contract.client_id == Client.id)
            .options(joinedload(Client.commercial_contact), joinedload(Contract.commercial_contact))
            .where(Client.id == client_id)
            .order_by(Contract.created_at.desc(), Contract.id.desc())
            .limit(limit)
        ).all()
        if not rows:
            return None, []
        client = rows[0][0]
        contracts = [contract for _, contract in rows if contract is not None]
        for contract in contracts:
            set_committed_value(contract, "client", client)
        return client, contracts

    def duplicates(self, email: str, full_name: str, company_name: str, limit: int = 5):
        """Up to `limit` clients sharing the email, or the name and company (any case)."""
        return list(
            self.session.scalars(
                self._select()
                .where(
                    or_(
                        Client.email == email,
                        and_(
                            func.lower(Client.full_name) == full_name.lower(),
                            func.lower(Client.company_name) == company_name.lower(),
                        ),
                    )
                )
                .order_by(Client.id)
                .limit(limit)
            )
        )

    def get_by_email(self, email: str) -> Client | None:
        return self.session.scalar(select(Client).where(Client.email == email.lower()))

    def listing(self, *, commercial_id: int | None = None) -> Listing:
        """Clients, searched in name, email and company; only one commercial's when given."""
        filters = []
        if commercial_id is not None:
            filters.append(Client.commercial_contact_id == commercial_id)
        return Listing(
            self.session,
            self._select().where(*filters),
            sort_columns=SORTS,
            search=matching_clients,
            tiebreak=Client.id,
            count_from=select(Client.id).where(*filters),
            archived_column=Client.archived_at,
        )

    def export_columns(self) -> ExportColumns:
        """A client's cells in an export (controllers/exports.py's CLIENT_HEADER)."""
        return ExportColumns(
            [
                Client.id,
                Client.full_name,
                Client.company_name,
                Client.email,
                Client.phone,
                Commercial.name,
                local_time(Client.created_at),
                local_time(Client.updated_at),
            ],
            joins=[(Commercial, Commercial.id == Client.commercial_contact_id)],
        )

    def json_fields(self) -> JsonFields:
        """A client in a JSON list: read_models.ClientRow's keys."""
        return JsonFields(
            {
                "id": Client.id,
                "full_name": Client.full_name,
                "email": Client.email,
                "phone": Client.phone,
                "company_name": Client.company_name,
                "commercial_contact_id": Client.commercial_contact_id,
                "commercial_name": Commercial.name,
                "created_at": Client.created_at,
                "updated_at": Client.updated_at,
                "archived_at": Client.archived_at,
                "version": Client.version,
            },
            joins=[(Commercial, Commercial.id == Client.commercial_contact_id)],
        )

    def add(self, client: Client) -> Client:
        self.session.add(client)
        return client

    def hand_over(self, from_id: int, to_id: int) -> tuple[list[int], list[int]]:
        """Every client of one commercial (archived ones too) and the contracts in their
        charge, put in the charge of another; the ids of both, in order."""
        moved = self.session.scalars(
            update(Client)
            .where(Client.commercial_contact_id == from_id)
            .values(commercial_contact_id=to_id)
            .returning(Client.id)
        ).all()
        contracts = self.session.scalars(
            update(Contract)
            .where(Contract.commercial_contact_id == from_id)
            .values(commercial_contact_id=to_id)
            .returning(Contract.id)
        ).all()
        return sorted(moved), sorted(contracts)
