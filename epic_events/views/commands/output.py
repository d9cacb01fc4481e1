"""What commands print on standard output: tables, JSON or CSV, from read models.

JSON: an object per record with stable keys (the read model's fields), money as text with
two decimals ("1500.00"), dates ISO 8601 in local time with their offset. CSV: the export's
columns, cells guarded against formulas, UTF-8 with a byte order mark and CRLF, as the
export file. Both are UTF-8 whatever the locale, and a list is streamed row by row.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from epic_events.controllers.exports import (
    CLIENT_HEADER,
    COLLABORATOR_HEADER,
    CONTRACT_HEADER,
    EVENT_HEADER,
)
from epic_events.exporting import ENCODING, money, timestamp, write_csv_to
from epic_events.read_models import (
    ClientRow,
    CollaboratorRow,
    ContractRow,
    EventRow,
    HistoryLine,
    SessionRow,
    as_json,
)

HISTORY_HEADER = ["When", "Who", "Action", "Record", "Changes"]


PIPE_WIDTH = 200  # a table read by a script or a pager: wide enough for whole cells


def command_console():
    """The console tables are drawn on: the terminal's width, or PIPE_WIDTH (and no colour,
    which Rich leaves out by itself) when standard output is not a terminal."""
    import os

    from epic_events.views.console import make_console

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        console = make_console()
    else:
        console = make_console(width=PIPE_WIDTH)
    console.on_broken_pipe = _reader_gone  # Rich would exit 1: the boundary decides, as for JSON
    return console


def _reader_gone() -> None:
    """A broken pipe under Rich: raised again for the command's error boundary."""
    raise BrokenPipeError(errno.EPIPE, "the reader of standard output has gone")


def client_cells(client: ClientRow) -> list[str]:
    return [
        str(client.id),
        client.full_name,
        client.company_name,
        client.email,
        client.phone,
        client.commercial_name,
        timestamp(client.created_at),
        timestamp(client.updated_at),
    ]


def contract_cells(contract: ContractRow) -> list[str]:
    return [
        str(contract.id),
        str(contract.client_id),
        contract.client_name,
        contract.client_company,
        contract.client_email,
        contract.client_phone,
        contract.commercial_name,
        money(contract.total_amount),
        money(contract.amount_due),
        "signed" if contract.signed else "unsigned",
        timestamp(contract.created_at),
        timestamp(contract.updated_at),
    ]


def event_cells(event: EventRow) -> list[str]:
    return [
        str(event.id),
        event.name,
        event.client_name,
        event.client_company,
        event.client_email,
        event.client_phone,
        str(event.contract_id),
        timestamp(event.start_at),
        timestamp(event.end_at),
        event.support_name or "",
        event.location,
        str(event.attendees),
        event.notes or "",
        timestamp(event.updated_at),
    ]


def collaborator_cells(collaborator: CollaboratorRow) -> list[str]:
    return [
        str(collaborator.id),
        collaborator.name,
        collaborator.email,
        collaborator.phone,
        collaborator.department.value,
    ]


def history_cells(line: HistoryLine) -> list[str]:
    changes = "; ".join(
        f"{field}: {'' if before is None else before} -> {'' if after is None else after}"
        for field, (before, after) in line.changes.items()
    )
    return [
        timestamp(line.at),
        line.actor_name,
        line.action,
        f"{line.entity} #{line.entity_id}",
        changes,
    ]


SESSION_HEADER = ["id", "name", "email", "department", "workstation", "since", "last seen", "yours"]


def session_cells(row: SessionRow) -> list[str]:
    return [
        str(row.id),
        row.name,
        row.email,
        row.department,
        row.workstation,
        timestamp(row.started_at),
        timestamp(row.last_seen_at),
        "yes" if row.yours else "",
    ]


# Each kind of row: its CSV header and cells (the export's for the four lists).
CSV_COLUMNS: dict[type, tuple[list[str], Callable[[object], list[str]]]] = {
    ClientRow: (CLIENT_HEADER, client_cells),
    ContractRow: (CONTRACT_HEADER, contract_cells),
    EventRow: (EVENT_HEADER, event_cells),
    CollaboratorRow: (COLLABORATOR_HEADER, collaborator_cells),
    HistoryLine: (HISTORY_HEADER, history_cells),
    SessionRow: (SESSION_HEADER, session_cells),
}


@contextlib.contextmanager
def stdout_text(*, bom: bool = False) -> Iterator[TextIO]:
    """Standard output as UTF-8 text without newline translation (the locale's encoding
    and line ends aside), with a byte order mark for CSV, as the export file has."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a replaced stdout without bytes underneath
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    handle = io.TextIOWrapper(buffer, encoding=ENCODING if bom else "utf-8", newline="")
    try:
        yield handle
    finally:
        handle.flush()
        handle.detach()


def write_json_list(rows: Iterable) -> int:
    """An array of objects, one per line, written as the rows come; return how many."""
    return write_json_lines(json.dumps(as_json(row), ensure_ascii=False) for row in rows)


def write_json_lines(lines: Iterable[str]) -> int:
    """An array of objects already written as JSON (by PostgreSQL), one per line."""
    count = 0
    with stdout_text() as out:
        out.write("[")
        for line in lines:
            out.write(",\n " if count else "\n ")
            out.write(line)
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


def write_json_object(row) -> None:
    with stdout_text() as out:
        out.write(json.dumps(as_json(row), ensure_ascii=False, indent=2) + "\n")


def write_csv_rows(kind: type, rows: Iterable) -> int:
    header, cells = CSV_COLUMNS[kind]
    with stdout_text(bom=True) as out:
        return write_csv_to(out, header, (cells(row) for row in rows))


def first_and_rest(rows: Iterable) -> tuple[object | None, Iterator]:
    """The first row (None when there is none) and all of them again: a stream's rights
    are checked on its first row, before anything is written."""
    iterator = iter(rows)
    try:
        first = next(iterator)
    except StopIteration:
        return None, iter(())

    def again():
        yield first
        yield from iterator

    return first, again()
