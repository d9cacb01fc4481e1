"""Listings: the SQL behind a list screen (its search, sort, count and page) and its export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, and_, false, func, literal_column, or_, select
from sqlalchemy.orm import Session

from epic_events.paging import COUNT_CAP, ListQuery, Page, clamp_page, first_rows


def like_escaped(text: str) -> str:
    """`text` with the LIKE wildcards (and the escape character) escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE wildcards in `text` escaped."""
    return f"%{like_escaped(text)}%"


SHORT = 2  # searches this short have no trigram: they use the documents' pairs
SEPARATOR = "\x1f"  # between the fields of a search document (migration 0006)


def document_search(
    document: ColumnElement, pairs: ColumnElement
) -> Callable[[str], ColumnElement]:
    """A search in one lower-cased search document (migration 0006): the same rows as an
    ILIKE on each of the document's fields.

    Three letters or more: one LIKE, served by the document's trigram index. One or two:
    a trigram needs three letters, so the LIKE is paired with a necessary condition on
    `pairs` (every two letters of the document as a word of its own), which a trigram index
    of its own serves: "zz" or "75" is read from an index, not by a scan of every document.
    Either way the planner estimates from the statistics (target 1000) and walks the sort
    index instead when the search is frequent.
    """

    def matches(text: str) -> ColumnElement:
        if SEPARATOR in text:  # it joins the fields: no field holds it
            return false()
        exact = document.like(func.lower(like_pattern(text)))
        if len(text) > SHORT:
            return exact
        core = like_escaped(text)
        # Two letters: the pair as a word of its own. One: the first letter of a word (every
        # letter of the document starts a pair, or stands alone at the end).
        word = f"% {core} %" if len(text) == SHORT else f"% {core}%"
        # Lower-cased by PostgreSQL, a letter may become two (İ under ICU): then the pairs
        # are no necessary condition and only the LIKE decides (folded at planning time).
        longer = func.char_length(func.lower(text)) > len(text)
        return and_(or_(longer, pairs.like(func.lower(word))), exact)

    return matches


def columns_search(*columns: ColumnElement) -> Callable[[str], ColumnElement]:
    """A search in a few columns of a small table (collaborators, history)."""
    return lambda text: or_(*(column.ilike(like_pattern(text)) for column in columns))


@dataclass(frozen=True)
class Listing:
    """A list as screens show it, on one session: its rows, how they sort, where a search
    looks. The list screen pages it, the export streams it: one filter for both.

    `sort_columns` names the sortable columns, the first being the default. `count_from`
    counts the same rows without the joins that only serve display (the foreign keys are
    NOT NULL, so those joins never drop a row): a count of 5000 rows costs 3 ms, not 130.
    """

    session: Session
    statement: Select
    sort_columns: dict[str, ColumnElement]
    # search(text): the rows whose fields contain `text`, any case (see document_search)
    search: Callable[[str], ColumnElement]
    tiebreak: ColumnElement
    count_from: Select | None = None
    archived_column: ColumnElement | None = None
    # count_search(text, include_archived): what counts a search's rows from the search
    # documents alone, when they hold every filter of the list (the same rows, one table)
    count_search: Callable[[str, bool], Select] | None = None

    def searched(self, query: ListQuery) -> tuple[Select, Select]:
        """The rows matching the query's search (archived rows only when asked for), and
        what counts them."""
        statement = self.statement
        counted = self.count_from if self.count_from is not None else self.statement
        if self.archived_column is not None and not query.include_archived:
            statement = statement.where(self.archived_column.is_(None))
            counted = counted.where(self.archived_column.is_(None))
        if not query.search:
            return statement, counted
        matching = self.search(query.search)
        return statement.where(matching), counted.where(matching)

    def _counted(self, query: ListQuery) -> Select:
        """What counts the query's rows."""
        if query.search and self.count_search is not None:
            return self.count_search(query.search, query.include_archived)
        return self.searched(query)[1]

    def _order(self, query: ListQuery) -> tuple[ColumnElement, ColumnElement]:
        """The query's sort column and direction; the id breaks ties: a stable order."""
        column = self.sort_columns.get(query.sort or "", next(iter(self.sort_columns.values())))
        # Plain ASC/DESC (every sort key is NOT NULL): a btree serves both directions.
        if query.descending:
            return column.desc(), self.tiebreak.desc()
        return column.asc(), self.tiebreak.asc()

    def ordered(self, query: ListQuery) -> Select:
        """The searched rows in the query's order."""
        statement, _ = self.searched(query)
        return statement.order_by(*self._order(query))

    def page(self, query: ListQuery) -> Page:
        """One page: counted (capped), sorted, sliced.

        The rows skipped before a page are skipped among ids alone (the sort index, without
        the joins that only serve display), then the page's rows are read with their joins:
        page 250 costs what page 2 does.
        """
        if not query.counted:
            return self.first(query)
        _, counted = self.searched(query)
        total, exact = capped_count(self.session, self._counted(query))
        number = clamp_page(query.page, total, query.size) if query.clamped else query.page
        if total == 0 or (exact and (number - 1) * query.size >= total):
            # nothing to read (twice: a search that matches nothing costs one scan)
            return Page(items=[], number=number, size=query.size, total=total, exact=exact)
        order = self._order(query)
        ids = (
            counted.with_only_columns(self.tiebreak, maintain_column_froms=True)
            .order_by(*order)
            .offset((number - 1) * query.size)
            .limit(query.size)
        )
        rows = self.session.scalars(
            self.statement.where(self.tiebreak.in_(ids)).order_by(*order)
        ).unique()
        return Page(items=list(rows), number=number, size=query.size, total=total, exact=exact)

    def first(self, query: ListQuery) -> Page:
        """The first page's rows and whether more follow, without counting them: what a
        picker shows as a name is typed (a count is most of a search's cost)."""
        rows = self.session.scalars(self.ordered(query).limit(query.size + 1)).unique()
        return first_rows(list(rows), query.size)

    def archived_only(self) -> Listing:
        """The same listing holding its archived rows only (what may be restored)."""
        if self.archived_column is None:
            return self
        kept = self.archived_column.is_not(None)
        count_from = None if self.count_from is None else self.count_from.where(kept)
        return replace(
            self,
            statement=self.statement.where(kept),
            count_from=count_from,
            count_search=None,
        )

    def one(self, ident: int, *, archived: bool | None = False):
        """The row of this id when the listing holds it (None otherwise): what a picker
        checks when an id is typed. `archived`: False leaves archived rows out, True keeps
        only them, None takes either."""
        statement = self.statement.where(self.tiebreak == ident)
        if self.archived_column is not None and archived is not None:
            kept = self.archived_column.is_not(None) if archived else self.archived_column.is_(None)
            statement = statement.where(kept)
        return self.session.scalars(statement).unique().first()

    def count(self, query: ListQuery) -> int:
        """Every matching row, counted exactly (for an export's progress bar)."""
        inner = self._counted(query).with_only_columns(
            literal_column("1"), maintain_column_froms=True
        )
        return self.session.scalar(
            select(func.count()).select_from(inner.order_by(None).subquery())
        )

    def stream(self, query: ListQuery, batch: int = 1000) -> Iterator:
        """Every matching row in order, fetched `batch` at a time: flat memory at any size."""
        return self.session.scalars(self.ordered(query).execution_options(yield_per=batch))


def capped_count(session: Session, statement: Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows `statement` has, counting no further than `cap`: (count, exact)."""
    counted = statement.with_only_columns(literal_column("1"), maintain_column_froms=True)
    inner = counted.order_by(None).limit(cap + 1).subquery()
    total = session.scalar(select(func.count()).select_from(inner))
    return (total, True) if total <= cap else (cap, False)
