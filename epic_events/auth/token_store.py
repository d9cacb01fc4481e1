"""The local token store: a CSV of (email, token, saved_at, current), encrypted with Fernet.

One row per email; the row marked current is the session a relaunch resumes. Logging out
removes that row, so the next person on the machine starts at the login form.

The key lives in its own file. Both files are private to their owner (0600) and every write
is atomic (temporary file, fsync, rename) under an exclusive lock, so a crash or a second
program never leaves a half-written store.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from epic_events.errors import CorruptTokenStore, UnsafeTokenStore

FIELDS = ("email", "token", "saved_at", "current")
PRIVATE_MODE = 0o600


def atomic_write(path: Path, data: bytes, mode: int = PRIVATE_MODE) -> None:
    """Write `data` to `path` all at once: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_private_file(path: Path, what: str) -> bool:
    """False when missing; raise when the file is a link, not a file, or readable by others."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeTokenStore(f"The {what} {path} is a symbolic link: it was not used.")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTokenStore(f"The {what} {path} is not a regular file: it was not used.")
    if info.st_mode & 0o077:
        raise UnsafeTokenStore(
            f"The {what} {path} can be read by other users: it was not used "
            f"(fix it with `chmod 600 {path}`)."
        )
    return True


class TokenStore:
    """Saved sessions, one row per email; the current one is the last user still logged in."""

    def __init__(self, path: Path, key_path: Path):
        self.path = path
        self.key_path = key_path

    # -- files ------------------------------------------------------------------------------

    def ensure_files(self) -> list[Path]:
        """Create the key and an empty store when missing; return the files created."""
        created = []
        if not _check_private_file(self.key_path, "key file"):
            from cryptography.fernet import Fernet

            atomic_write(self.key_path, Fernet.generate_key())
            created.append(self.key_path)
        if not _check_private_file(self.path, "token store"):
            self._write_rows([])
            created.append(self.path)
        return created

    def _fernet(self):
        from cryptography.fernet import Fernet

        if not _check_private_file(self.key_path, "key file"):
            self.ensure_files()
        key = self.key_path.read_bytes().strip()
        try:
            return Fernet(key)
        except (ValueError, TypeError):
            raise UnsafeTokenStore(
                f"The key file {self.key_path} does not hold a valid Fernet key: delete it and "
                "run `python setup.py` to make a new one (saved sessions will be lost)."
            ) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_MODE)
        except OSError as error:
            raise UnsafeTokenStore(
                f"The lock file {lock_path} cannot be used ({error.strerror}): nothing was saved."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # -- rows -------------------------------------------------------------------------------

    def _read_rows(self) -> list[dict[str, str]]:
        from cryptography.fernet import InvalidToken

        if not _check_private_file(self.path, "token store"):
            return []
        fernet = self._fernet()
        blob = self.path.read_bytes()
        if not blob.strip():
            return []
        try:
            plain = fernet.decrypt(blob).decode("utf-8")
            rows = list(csv.DictReader(io.StringIO(plain)))
        except (InvalidToken, UnicodeDecodeError, csv.Error):
            raise CorruptTokenStore(
                "The saved sessions could not be decrypted (the token store was altered or its "
                "key changed): they were ignored, please log in again."
            ) from None
        if any(set(FIELDS) - set(row) or not row["email"] for row in rows):
            raise CorruptTokenStore(
                "The token store has an unexpected format: please log in again."
            )
        return rows

    def _write_rows(self, rows: list[dict[str, str]]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        atomic_write(self.path, self._fernet().encrypt(buffer.getvalue().encode("utf-8")))

    def _rows_or_empty(self) -> list[dict[str, str]]:
        """The rows, or none when the store is unreadable (it is about to be rewritten)."""
        try:
            return self._read_rows()
        except CorruptTokenStore:
            return []  # UnsafeTokenStore propagates: never write through a link or a shared file

    # -- public -----------------------------------------------------------------------------

    def latest(self) -> tuple[str, str] | None:
        """(email, token) of the current session: the last login not logged out, or None."""
        for row in self._read_rows():
            if row["current"] == "1":
                return row["email"], row["token"]
        return None

    def get(self, email: str) -> str | None:
        for row in self._read_rows():
            if row["email"] == email:
                return row["token"]
        return None

    def save(self, email: str, token: str) -> None:
        """Keep `token` for `email`, as the most recent session."""
        with self._locked():
            rows = [
                {**row, "current": ""} for row in self._rows_or_empty() if row["email"] != email
            ]
            rows.append(
                {
                    "email": email,
                    "token": token,
                    "saved_at": datetime.now(UTC).isoformat(),
                    "current": "1",
                }
            )
            self._write_rows(rows)

    def remove(self, email: str) -> bool:
        """Forget the session of `email`; True when there was one."""
        with self._locked():
            rows = self._rows_or_empty()
            kept = [row for row in rows if row["email"] != email]
            if len(kept) != len(rows) or not rows:
                self._write_rows(kept)
            return len(kept) != len(rows)

    def clear(self) -> None:
        """Drop every saved session (after the store was found unreadable)."""
        with self._locked():
            self._write_rows([])
