"""Standard streams as a command finds them: closed ones (`<&-`, `>&-`, `2>&-`, where Python
leaves None), and a standard output that refuses to be written (`> /dev/full`).

A closed input reads as empty and is no terminal: a command needing input says so (status
2). Output that cannot be written raises OutputFailed, which a command says in one line
(status 1) without taking it for a bug: nothing to log, nothing for Sentry.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator


class OutputFailed(Exception):
    """Standard output cannot be written: closed, a full disk, an I/O error."""


class ClosedInput(io.StringIO):
    """Standard input when the program was started with it closed: empty, no terminal."""


class ClosedOutput(io.TextIOBase):
    """Standard output when the program was started with it closed: every write fails."""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if text:
            raise OutputFailed("it is closed")
        return 0


class Discarded(io.TextIOBase):
    """Standard error when the program was started with it closed: messages go nowhere
    (not to standard output, where `print(file=None)` would send them)."""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        return len(text)


def replace_closed_streams() -> None:
    """Give each closed standard stream (None) a stand-in that says so when used."""
    if sys.stdin is None:
        sys.stdin = ClosedInput("")
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    if sys.stderr is None:
        sys.stderr = Discarded()


class _GuardedFile(io.FileIO):
    """File descriptor 1, its write errors made OutputFailed (a broken pipe aside: the
    reader has gone, which is no failure of ours)."""

    def write(self, data) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise
        except OSError as problem:
            raise OutputFailed(problem.strerror or str(problem)) from problem


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Standard output, while a command runs, with its write errors made OutputFailed.
    A stand-in without a file descriptor (a test's capture, ClosedOutput) stays as is."""
    original = sys.stdout
    try:
        descriptor = original.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    original.flush()
    raw = _GuardedFile(descriptor, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=original.encoding,
        errors=original.errors,
        line_buffering=original.line_buffering,
    )
    try:
        yield
    finally:
        guarded, sys.stdout = sys.stdout, original
        with contextlib.suppress(Exception):
            guarded.flush()
        with contextlib.suppress(Exception):
            guarded.detach()
