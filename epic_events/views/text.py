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


THOUSANDS = "\u202f"  # a narrow no-break space, as French typography writes 12 000,00 €
CURRENCY = "\u00a0€"


def format_money(value, *, currency: bool = True) -> str:
    """The house style, wherever money is shown: 12 000,00 € (exports keep plain numbers).
    `currency=False` gives the number alone, as a field to edit shows it (12 000,00)."""
    if value is None:
        return ""
    number = f"{value:,.2f}".replace(",", THOUSANDS).replace(".", ",")
    return number + CURRENCY if currency else number


def format_bool(value: bool, yes: str = "yes", no: str = "no") -> str:
    return yes if value else no
