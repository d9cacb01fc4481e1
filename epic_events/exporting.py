"""CSV files of lists: safe to open in a spreadsheet, written all at once or not at all.

No UI and no database here: this module checks the destination and writes the file, from
rows of plain strings (`write_csv`, which guards every cell) or from rows PostgreSQL has
already guarded and quoted alike (`write_copied_csv`, fed by managers/exports.py through
controllers/exports.py). It also says which local time zone the database should write
dates in (`local_zone_names`, `local_zone_samples`).

Choices:
- UTF-8 with a byte order mark: Excel reads a CSV without one in the machine's legacy code
  page, turning "Candé-sur-Beuvron" into "CandÃ©-sur-Beuvron"; LibreOffice, Numbers and
  Python's `utf-8-sig` all read the mark and drop it.
- Rows end with CRLF (RFC 4180, the csv module's default); cells with a separator, a quote
  or a line break are quoted, so notes over several lines stay in one cell.
- The file is private (0600) whatever the umask: it holds clients' emails and phones.
- Every cell goes through `neutralise` (see there), or its twin in SQL.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from epic_events.errors import EpicEventsError, ValidationError

ENCODING = "utf-8-sig"
PRIVATE_MODE = 0o600
PROGRESS_EVERY = 1000
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP, "CSV
# Injection"): =, + and - start a formula, @ a function call; tab and carriage return let
# one slip past a spreadsheet that strips leading whitespace.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """`cell` made inert in a spreadsheet: a leading `'` when it could start a formula.

    A spreadsheet shows the apostrophe as a text marker (Excel hides it), so
    `=HYPERLINK("http://evil")` is shown as typed instead of being run.

    It applies to every cell, not only to text columns: the cells this program formats
    itself (ids, amounts like "1500.50", dates like "2026-06-04 13:00", attendees) start
    with a digit and are left as they are, and amounts are never negative (the database
    requires >= 0), so no number of ours is touched. One rule for all cells means no
    column can forget it. The price is that a text typed as "-1" or "+33 6 12 34 56 78"
    reads "'-1" or "'+33 6 12 34 56 78" in the file, which a spreadsheet shows as typed.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def money(value: Decimal | None) -> str:
    """An amount as a spreadsheet reads it: two decimals, a dot, no grouping ("1500.50")."""
    return "" if value is None else f"{value:.2f}"


def timestamp(value: datetime | None) -> str:
    """A date-time in local time, sortable as text ("2026-06-04 13:00")."""
    return "" if value is None else value.astimezone().strftime(DATETIME_FORMAT)


# Instants on which the database's idea of the local zone must agree with Python's before
# it formats dates (winter and summer, past and future: a zone with another DST rule or
# offset shows on one of them).
ZONE_SAMPLE_INSTANTS = tuple(
    datetime(year, month, 15, 12, 0, tzinfo=UTC)
    for year in (1995, 2010, 2024, 2026, 2035)
    for month in (1, 4, 7, 10)
)


def local_zone_names(
    environ: Mapping[str, str] = os.environ, localtime: Path = Path("/etc/localtime")
) -> list[str]:
    """The names the local time zone may go by (IANA names like "Europe/Paris"), best first.

    `timestamp` converts with the C library's local zone: TZ when set (a name, or a path to
    a zone file), else /etc/localtime, often a link into the zone database, else UTC. None
    of these is proof: the database checks each on `local_zone_samples` before using it.
    """
    names = []
    tz = environ.get("TZ")
    if tz is not None:
        tz = tz.removeprefix(":")
        names.append(_zone_key(tz) or tz or "UTC")
        return names  # the C library reads nothing else when TZ is set
    try:
        names.append(_zone_key(os.readlink(localtime)))
    except FileNotFoundError:
        names.append("UTC")
    except OSError:
        pass  # not a link: a copy of a zone file, whose name is lost
    with contextlib.suppress(OSError, UnicodeDecodeError):
        names.append(localtime.with_name("timezone").read_text().strip())  # Debian, Ubuntu
    names.append("UTC")
    return list(dict.fromkeys(name for name in names if name))


def _zone_key(path: str) -> str:
    """ "Europe/Paris" out of "/usr/share/zoneinfo/Europe/Paris"; "" when not a zone file."""
    _, found, key = path.rpartition("zoneinfo/")
    return key if found else ""


def local_zone_samples() -> dict[datetime, str]:
    """Instants and how `timestamp` writes them: what a zone must reproduce to be used."""
    return {instant: timestamp(instant) for instant in ZONE_SAMPLE_INSTANTS}


def check_destination(path: Path | str) -> Path:
    """`path` as a place a new file may go, or a ValidationError that says why not.

    Refused: a folder, a path whose folder does not exist, a symbolic link (it could point
    at a file the user never meant to overwrite) and anything but a regular file. An
    existing regular file is replaced.
    """
    path = Path(path).expanduser()
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ValidationError(f"{path} cannot be used ({error.strerror}).") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ValidationError(f"{path} is a symbolic link: choose the file itself.")
        if stat.S_ISDIR(info.st_mode):
            raise ValidationError(f"{path} is a folder: add a file name, like clients.csv.")
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(f"{path} is not a regular file: choose another name.")
    if not path.parent.is_dir():
        raise ValidationError(f"The folder {path.parent} does not exist: create it first.")
    return path


def write_csv(
    path: Path | str,
    header: list[str],
    rows: Iterable[list[str]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `header` and `rows` to `path` atomically; return the number of rows.

    The rows are streamed into a private temporary file in the destination's folder, which
    is flushed, synced and renamed over `path` only once the last row is written. Readers
    see the old file or the whole new one; on any failure, Ctrl-C included, the temporary
    file is removed and `path` is left as it was. `progress(rows_written)` is called every
    PROGRESS_EVERY rows and once at the end.
    """
    with _atomic_file(path) as handle:
        return write_csv_to(handle, header, rows, progress)


def write_csv_to(
    handle: TextIO,
    header: list[str],
    rows: Iterable[list[str]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Like `write_csv`, into an open text stream (standard output, say), every cell
    guarded alike; return the number of rows."""
    count = 0
    writer = csv.writer(handle)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None and (count == 0 or count % PROGRESS_EVERY):
        progress(count)
    return count


class CopiedRows(io.TextIOBase):
    """The file a CSV COPY writes into: one finished row per `write`, ending with "\n".

    PostgreSQL sends COPY TO STDOUT as one message per row (protocol documentation,
    "Copy-out mode": "always one per row"), and psycopg2 hands each message to `write`, so
    a row's end is the end of a write, never a line break inside a quoted cell (a note over
    several lines): rows are counted exactly and end with CRLF, as the csv module ends
    them. Being a text file, psycopg2 decodes the rows from the connection's encoding.
    """

    def __init__(self, handle: TextIO, progress: Callable[[int], None] | None):
        self._handle = handle
        self._progress = progress
        self._pending: list[str] = []
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, row: str) -> int:
        if not row.endswith("\n"):
            raise ValueError("a CSV row from COPY must end with a line break")
        self._pending.append(row[:-1] + "\r\n")
        self.count += 1
        if self.count % PROGRESS_EVERY == 0:
            self.write_pending()
            if self._progress is not None:
                self._progress(self.count)
        return len(row)

    def write_pending(self) -> None:
        """Pass the rows held back (a thousand at most) on to the file."""
        self._handle.write("".join(self._pending))
        self._pending.clear()


def write_copied_csv(
    path: Path | str,
    header: list[str],
    copy: Callable[[CopiedRows], int],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Like `write_csv`, for rows a database formats and quotes itself (PostgreSQL's COPY …
    TO STDOUT WITH (FORMAT csv), cells already neutralised): `copy(rows)` writes them into
    `rows` and returns how many it sent, which must be how many were written.
    """
    with _atomic_file(path) as handle:
        return write_copied_csv_to(handle, header, copy, progress)


def write_copied_csv_to(
    handle: TextIO,
    header: list[str],
    copy: Callable[[CopiedRows], int],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Like `write_copied_csv`, into an open text stream."""
    csv.writer(handle).writerow([neutralise(cell) for cell in header])
    rows = CopiedRows(handle, progress)
    sent = copy(rows)
    rows.write_pending()
    if sent != rows.count:
        raise EpicEventsError(
            f"The export lost rows on the way ({rows.count} of {sent}): nothing was saved."
        )
    if progress is not None and (rows.count == 0 or rows.count % PROGRESS_EVERY):
        progress(rows.count)
    return rows.count


@contextlib.contextmanager
def _atomic_file(path: Path | str) -> Iterator[TextIO]:
    """A private text file (UTF-8 with BOM, no newline translation) that replaces `path`
    only when the block ends without error; see `write_csv`."""
    path = check_destination(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise ValidationError(
            f"The folder {path.parent} cannot be written to ({error.strerror})."
        ) from None
    try:
        with os.fdopen(fd, "w", encoding=ENCODING, newline="") as handle:
            os.fchmod(handle.fileno(), PRIVATE_MODE)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # A link put at `path` since the check is replaced itself, never followed.
        os.replace(tmp_name, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(error, OSError):
            raise EpicEventsError(
                f"The export could not be written to {path} ({error.strerror or error}): "
                "nothing was saved."
            ) from error
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse to sync a folder)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
