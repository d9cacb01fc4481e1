"""CSV exports written by PostgreSQL: COPY (a listing's query) TO STDOUT WITH (FORMAT csv).

The database formats, guards and quotes every cell and streams the rows: no ORM object, no
Python string per cell, flat memory. A million events take seconds, not minutes.

Each cell is made to read as exporting.write_csv writes it from Python:
- text made inert as `exporting.neutralise` does (a leading `'` before = + - @ tab CR),
  ids, numbers and amounts as text ("1500.50": the column keeps two decimals);
- dates by `local_time`, in the transaction's time zone, which `use_local_time_zone` sets
  to the zone Python's `timestamp` converts to;
- an empty cell unquoted (COPY would quote an empty string, to tell it from NULL).
COPY quotes a cell holding a comma, a quote or a line break, doubling quotes, as the csv
module does. The rows end with LF: exporting.CopiedRows ends them with CRLF.

JSON lists (a command's `--all --format json`) are PostgreSQL's too: one `json_build_object`
per row, with the read model's keys and its values as read_models.as_json writes them
(money as text with two decimals, dates ISO 8601 in the transaction's time zone), read
through a server-side cursor: Python only passes the lines on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

import psycopg2
from sqlalchemy import (
    ColumnElement,
    DateTime,
    FromClause,
    Numeric,
    Select,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from epic_events.exporting import FORMULA_STARTS
from epic_events.managers.paging import Listing
from epic_events.paging import ListQuery

LOCAL_TIME_FORMAT = "YYYY-MM-DD HH24:MI"  # exporting.DATETIME_FORMAT, in to_char's words
FORMULA_CODES = [ord(start) for start in FORMULA_STARTS]
# The same starts as a pattern ("-" first: a range otherwise; tab and CR as themselves).
FORMULA_PATTERN = "^([" + "".join(sorted(FORMULA_STARTS, key=lambda start: start != "-")) + "])"


def local_time(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """A date-time as exporting.timestamp writes it, in the transaction's time zone."""
    return func.to_char(column, LOCAL_TIME_FORMAT, type_=Text)


ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'
ISO_MICROSECONDS = 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'


def iso_time(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """A date-time as Python's `isoformat()` writes it in the transaction's time zone:
    seconds always, microseconds only when there are some, the offset as +HH:MM."""
    whole = func.date_trunc("second", column) == column
    return case(
        (whole, func.to_char(column, ISO_SECONDS, type_=Text)),
        else_=func.to_char(column, ISO_MICROSECONDS, type_=Text),
    )


def signed_status(column: ColumnElement[bool]) -> ColumnElement[str]:
    return case((column, "signed"), else_="unsigned")


def csv_cell(value: ColumnElement) -> ColumnElement[str]:
    """`value` as text, neutralised like exporting.neutralise, NULL when empty.

    Every cell goes through it, ours included (ids, amounts, dates start with a digit and
    pass unchanged), so no column can forget the guard. A text column is tested on its
    first character's code (`ascii`, 0 for an empty text), reading the column twice, which
    costs nothing; a computed cell (a date, a number made text) through one pattern, so it
    is computed once, not once per mention.
    """
    if isinstance(value.type, DateTime):
        raise TypeError("format a date with local_time(), as the file shows it")
    element = value.__clause_element__() if hasattr(value, "__clause_element__") else value
    if isinstance(element, ColumnClause) and isinstance(element.type, String):
        guarded = case(
            (func.ascii(element).in_(FORMULA_CODES), literal("'", Text) + element),
            else_=element,
        )
    else:
        text = element if isinstance(element.type, String) else cast(element, Text)
        guarded = func.regexp_replace(text, FORMULA_PATTERN, "'\\1", type_=Text)
    return func.nullif(guarded, "")


@dataclass(frozen=True)
class ExportColumns:
    """What an export writes of each row of a listing: its cells, in the file's column
    order, and the joins those cells need beyond the listing's own (outer: never a row
    less than the list)."""

    cells: list[ColumnElement]
    joins: list[tuple[FromClause, ColumnElement[bool]]] = field(default_factory=list)


@dataclass(frozen=True)
class JsonFields:
    """What a JSON list writes of each row of a listing: its keys and values, in the read
    model's order, and the joins those values need beyond the listing's own (outer)."""

    fields: dict[str, ColumnElement]
    joins: list[tuple[FromClause, ColumnElement[bool]]] = field(default_factory=list)


def json_value(column: ColumnElement) -> ColumnElement:
    """A value as read_models.as_json writes it: money as text, dates by `iso_time`."""
    if isinstance(column.type, DateTime):
        return iso_time(column)
    if isinstance(column.type, Numeric) and column.type.scale:
        return cast(column, Text)
    return column


def json_statement(listing: Listing, query: ListQuery, fields: JsonFields) -> Select:
    """The rows the list shows for `query` (every page), one JSON object (text) each."""
    pairs = [part for key, value in fields.fields.items() for part in (key, json_value(value))]
    document = cast(func.json_build_object(*pairs), Text).label("row")
    statement = listing.ordered(query).with_only_columns(document, maintain_column_froms=True)
    for target, onclause in fields.joins:
        statement = statement.outerjoin(target, onclause)
    return statement


def export_statement(listing: Listing, query: ListQuery, columns: ExportColumns) -> Select:
    """The rows the list shows for `query` (its filters, search, archived flag and order,
    every page), as the export's cells."""
    cells = [csv_cell(cell).label(f"c{n}") for n, cell in enumerate(columns.cells)]
    statement = listing.ordered(query).with_only_columns(*cells, maintain_column_froms=True)
    for target, onclause in columns.joins:
        statement = statement.outerjoin(target, onclause)
    return statement


class ExportManager:
    """Exports on the unit of work's session: its transaction, so row-level security and
    the actor it names apply to what COPY reads."""

    def __init__(self, session: Session):
        self.session = session

    def use_local_time_zone(self, names: list[str], samples: Mapping[datetime, str]) -> str | None:
        """Make the first of `names` that writes every sample instant as `samples` does the
        transaction's time zone, and return it; None (the zone unchanged) when none does.

        A name PostgreSQL does not know is skipped (its error undone by a savepoint).
        """
        instants = list(samples)
        formatted = select(*(local_time(literal(instant, DateTime(True))) for instant in instants))
        for name in names:
            savepoint = self.session.begin_nested()
            try:
                self.session.execute(select(func.set_config("TimeZone", name, True)))
                written = self.session.execute(formatted).one()
            except DBAPIError:
                savepoint.rollback()
                continue
            if list(written) == [samples[instant] for instant in instants]:
                savepoint.commit()  # releasing it keeps the setting, until the transaction ends
                return name
            savepoint.rollback()
        return None

    def json_lines(
        self, listing: Listing, query: ListQuery, fields: JsonFields, batch: int = 5000
    ) -> Iterator[str]:
        """The rows the list shows for `query` as JSON objects, one text each, read `batch`
        at a time through a server-side cursor: flat memory at any size."""
        statement = json_statement(listing, query, fields)
        result = self.session.execute(statement.execution_options(yield_per=batch))
        for partition in result.scalars().partitions():
            yield from partition

    def copy_csv(
        self, listing: Listing, query: ListQuery, columns: ExportColumns, into: IO[str]
    ) -> int:
        """Write the rows the list shows for `query` into `into` as CSV, one row per write;
        return how many PostgreSQL sent.

        The statement's values are bound by psycopg2 (`mogrify`), never pasted into the SQL.
        """
        statement = export_statement(listing, query, columns)
        connection = self.session.connection()
        compiled = statement.compile(
            dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = compiled.params
        dbapi = connection.connection.driver_connection
        cursor = dbapi.cursor()
        try:
            sql = cursor.mogrify(compiled.string, params)
            cursor.copy_expert(b"COPY (" + sql + b") TO STDOUT WITH (FORMAT csv)", into)
            return cursor.rowcount
        except psycopg2.Error as error:  # as the unit of work expects them: translated
            lost = connection.dialect.is_disconnect(error, dbapi, cursor)
            raise DBAPIError.instance(
                compiled.string,
                params,
                error,
                psycopg2.Error,
                hide_parameters=True,
                connection_invalidated=lost,
            ) from error
        finally:
            if not cursor.closed and not dbapi.closed:
                cursor.close()
