"""The audit log: written in the transaction of the change it records, read page by page."""

from __future__ import annotations

from sqlalchemy import String, column, func, or_, select, true, tuple_, values
from sqlalchemy.orm import Session

from epic_events.managers.paging import Listing, columns_search, like_pattern
from epic_events.models import AuditEntry, AuditKind
from epic_events.paging import COUNT_CAP, ListQuery, Page, clamp_page

# A page of recent activity read kind by kind (each kind's newest rows from the kind's index,
# then merged) costs kinds times rows up to the page; past this many it is left to the planner.
KIND_BY_KIND = 250_000


class AuditManager:
    def __init__(self, session: Session):
        self.session = session

    def add(self, entry: AuditEntry) -> AuditEntry:
        self.session.add(entry)
        return entry

    def _listing(self, *filters) -> Listing:
        return Listing(
            self.session,
            select(AuditEntry).where(*filters),
            sort_columns={"at": AuditEntry.at},
            search=columns_search(AuditEntry.actor_name, AuditEntry.action, AuditEntry.entity),
            tiebreak=AuditEntry.id,
        )

    def history_listing(self, entity: str, entity_id: int) -> Listing:
        """The history of one record: what `history` pages and a command's `--all` streams."""
        return self._listing(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)

    def history(self, entity: str, entity_id: int, query: ListQuery) -> Page[AuditEntry]:
        """What happened to one client, contract, event or collaborator, latest first."""
        return self.history_listing(entity, entity_id).page(query)

    def activity_listing(self) -> Listing:
        """Everything, for a stream (`activity --all`): its search is a plain ILIKE on the
        three columns, which a page could not afford (see `recent`) but one walk through
        the whole history can, since it reads every row anyway."""
        return self._listing()

    def recent(self, query: ListQuery) -> Page[AuditEntry]:
        """Everything, latest first; a search looks in who did it, what and to what.

        Those three columns take few distinct values together (migration 0008): the search
        finds the matching kinds first, then reads only their rows, by an equality the
        planner can estimate (an ILIKE under row-level security it cannot: it walked all
        the history for a name nobody has)."""
        if not query.search:
            return self._listing().page(query)
        pattern = like_pattern(query.search)
        matching = select(AuditKind.actor_name, AuditKind.action, AuditKind.entity).where(
            or_(
                AuditKind.actor_name.ilike(pattern),
                AuditKind.action.ilike(pattern),
                AuditKind.entity.ilike(pattern),
            )
        )
        kind = tuple_(AuditEntry.actor_name, AuditEntry.action, AuditEntry.entity)
        # The matching kinds, and their rows counted up to the cap, in one statement.
        within = select(AuditEntry.id).where(kind.in_(matching)).limit(COUNT_CAP + 1)
        found = select(func.count()).select_from(within.subquery()).scalar_subquery()
        rows = self.session.execute(
            matching.add_columns(found.label("found")).order_by(*matching.selected_columns)
        ).all()
        if not rows:
            number = 1 if query.clamped else query.page
            return Page(items=[], number=number, size=query.size, total=0, exact=True)
        kinds = [tuple(row[:3]) for row in rows]
        total, exact = min(rows[0].found, COUNT_CAP), rows[0].found <= COUNT_CAP
        number = clamp_page(query.page, total, query.size) if query.clamped else query.page
        before = (number - 1) * query.size
        if exact and before >= total:  # a page past the last, asked for as such
            return Page(items=[], number=number, size=query.size, total=total, exact=exact)
        order = [AuditEntry.at, AuditEntry.id]
        if query.descending:
            order = [key.desc() for key in order]
        if len(kinds) * (before + query.size) > KIND_BY_KIND:
            # many kinds: their rows by an equality the planner estimates (it walks the
            # newest rows for frequent kinds, reads the kinds' index for rare ones)
            ids = select(AuditEntry.id).where(kind.in_(kinds)).order_by(*order)
            ids = ids.offset(before).limit(query.size)
        else:
            ids = self._kind_by_kind(kinds, before, query)
        items = self.session.scalars(
            select(AuditEntry).where(AuditEntry.id.in_(ids)).order_by(*order)
        )
        return Page(items=list(items), number=number, size=query.size, total=total, exact=exact)

    @staticmethod
    def _kind_by_kind(kinds, before: int, query: ListQuery):
        """The ids of a page of the kinds' rows: each kind's first rows up to the page, read
        in order from the kind's index (ix_audit_log_kind_at_id), then merged."""
        chosen = values(
            column("actor_name", String),
            column("action", String),
            column("entity", String),
            name="chosen",
        ).data([tuple(kind) for kind in kinds])
        order = [AuditEntry.at, AuditEntry.id]
        if query.descending:
            order = [key.desc() for key in order]
        first = (
            select(AuditEntry.id, AuditEntry.at)
            .where(
                AuditEntry.actor_name == chosen.c.actor_name,
                AuditEntry.action == chosen.c.action,
                AuditEntry.entity == chosen.c.entity,
            )
            .order_by(*order)
            .limit(before + query.size)
            .lateral("first")
        )
        merged = [first.c.at, first.c.id]
        if query.descending:
            merged = [key.desc() for key in merged]
        return (
            select(first.c.id)
            .select_from(chosen)
            .join(first, true())
            .order_by(*merged)
            .offset(before)
            .limit(query.size)
        )
