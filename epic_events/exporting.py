"""CSV files of lists: safe to open in a spreadsheet, written all at once or not at all.

No UI and no database here: the controllers (controllers/exports.py) stream rows of plain
strings in, this module checks the destination, guards every cell and writes the file.

Choices:
- UTF-8 with a byte order mark: Excel reads a CSV without one in the machine's legacy code
  page, turning "Candé-sur-Beuvron" into "CandÃ©-sur-Beuvron"; LibreOffice, Numbers and
  Python's `utf-8-sig` all read the mark and drop it.
- Rows end with CRLF (RFC 4180, the csv module's default); cells with a separator, a quote
  or a line break are quoted, so notes over several lines stay in one cell.
- The file is private (0600) whatever the umask: it holds clients' emails and phones.
- Every cell goes through `neutralise` (see there).
"""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

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
    path = check_destination(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise ValidationError(
            f"The folder {path.parent} cannot be written to ({error.strerror})."
        ) from None
    count = 0
    try:
        with os.fdopen(fd, "w", encoding=ENCODING, newline="") as handle:
            os.fchmod(handle.fileno(), PRIVATE_MODE)
            writer = csv.writer(handle)
            writer.writerow([neutralise(cell) for cell in header])
            for row in rows:
                writer.writerow([neutralise(cell) for cell in row])
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count)
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
    if progress is not None and (count == 0 or count % PROGRESS_EVERY):
        progress(count)
    return count


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse to sync a folder)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
