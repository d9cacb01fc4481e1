"""Showing untrusted text literally: no Rich markup, no terminal escape sequences.

User text is never interpolated into markup: it goes into `Text` objects, whose content
Rich does not parse.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

EMPTY = "—"


def _visible(char: str) -> str:
    if char == "\t":
        return " "
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        return char.encode("unicode_escape").decode("ascii")
    return char


def sanitize(value: object) -> str:
    """`value` as a string whose control characters are shown as escapes (`\\x1b`)."""
    text = "" if value is None else str(value)
    return "".join(_visible(char) for char in text)


def literal(value: object, style: str = "", empty: str = EMPTY) -> Text:
    """A Rich Text that shows `value` exactly as typed, or `empty` when there is none."""
    text = sanitize(value)
    return Text(text if text else empty, style=style if text else "dim")


DATETIME_FORMAT = "%d/%m/%Y %H:%M"


def format_datetime(value) -> str:
    """A date-time in the program's one display format, in local time."""
    return "" if value is None else value.astimezone().strftime(DATETIME_FORMAT)


def format_money(value) -> str:
    """Two decimals, thin spaces between thousands: 1 500.50."""
    return "" if value is None else f"{value:,.2f}".replace(",", "\u202f")


def format_bool(value: bool, yes: str = "yes", no: str = "no") -> str:
    return yes if value else no
