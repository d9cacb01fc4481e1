"""Validation of what users type: pure functions that return the clean value or raise.

Views use them to re-prompt at once; controllers call them again, since a controller
must never trust its caller.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal

import email_validator

from epic_events.departments import DepartmentName
from epic_events.errors import ValidationError

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 32
PASSWORD_MIN = 8
PASSWORD_MAX = 128

PHONE_RE = re.compile(r"^\+?[0-9 ().-]+$")


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value)


def clean_text(value: str, label: str, *, max_length: int, required: bool = True) -> str:
    """Trimmed single-line text without control characters, at most `max_length` long."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if not value:
        if required:
            raise ValidationError(f"{label} is required.")
        return ""
    if _has_control_characters(value):
        raise ValidationError(f"{label} cannot contain control characters.")
    if len(value) > max_length:
        raise ValidationError(
            f"{label} is too long ({len(value)} characters, at most {max_length})."
        )
    return value


def validate_name(value: str, label: str = "Name") -> str:
    return clean_text(value, label, max_length=NAME_MAX)


def validate_email(value: str) -> str:
    """A lower-case ASCII address like name@example.com, its syntax checked by email-validator.

    Syntax only: no DNS, ever (a CRM must record a client's address while offline). Plain
    ASCII only, so no SMTPUTF8 and no Unicode domain: two addresses that look the same are
    the same. `.example` domains pass (RFC 6761 reserves them for examples such as ours);
    `.test`, `.local`, `.localhost`, `.invalid`, `.onion` and `.arpa` do not.
    """
    value = clean_text(value, "Email", max_length=EMAIL_MAX).lower()
    if not value.isascii():
        raise ValidationError(
            "Email must use plain ASCII letters (no accents or look-alike characters)."
        )
    try:
        checked = email_validator.validate_email(
            value,
            check_deliverability=False,
            allow_smtputf8=False,
            test_environment=False,
            globally_deliverable=True,
        )
    except email_validator.EmailNotValidError as problem:
        raise ValidationError(
            f"{value!r} is not an email address (expected name@example.com). {problem}"
        ) from None
    return checked.ascii_email


def validate_phone(value: str) -> str:
    """Digits with optional +, spaces, dots, dashes and brackets; 6 to 15 digits."""
    value = clean_text(value, "Phone", max_length=PHONE_MAX)
    digits = sum(char.isdigit() for char in value)
    if not PHONE_RE.match(value) or not 6 <= digits <= 15:
        raise ValidationError(
            "Phone must be 6 to 15 digits, optionally with +, spaces, dots or dashes."
        )
    return value


def validate_password(value: str) -> str:
    """A new password: 8 to 128 characters, not only spaces."""
    if value is None or len(value) < PASSWORD_MIN:
        raise ValidationError(f"The password must have at least {PASSWORD_MIN} characters.")
    if len(value) > PASSWORD_MAX:
        raise ValidationError(f"The password must have at most {PASSWORD_MAX} characters.")
    if not value.strip():
        raise ValidationError("The password cannot be only spaces.")
    if _has_control_characters(value):
        raise ValidationError("The password cannot contain control characters.")
    return value


def validate_department(value: str) -> DepartmentName:
    cleaned = (value or "").strip().lower()
    try:
        return DepartmentName(cleaned)
    except ValueError:
        choices = ", ".join(d.value for d in DepartmentName)
        raise ValidationError(f"Department must be one of: {choices}.") from None


def parse_id(value: str, label: str = "Id") -> int:
    """A positive whole number, as typed (`12`, `#12`)."""
    cleaned = (value or "").strip().lstrip("#")
    if not cleaned.isdigit() or not cleaned.isascii() or len(cleaned) > 9:
        raise ValidationError(f"{label} must be a positive whole number.")
    number = int(cleaned)
    if number < 1:
        raise ValidationError(f"{label} must be a positive whole number.")
    return number


COMPANY_MAX = 100
EVENT_NAME_MAX = 200
LOCATION_MAX = 300
NOTES_MAX = 5000
ATTENDEES_MAX = 1_000_000
AMOUNT_MAX = Decimal("9999999999.99")  # Numeric(12, 2)
NOT_AN_AMOUNT = (
    "must be a number such as 1500, 1 500,50 or 1500.50 (digits only, no sign or exponent)."
)
AMOUNT_RE = re.compile(r"^\d+(?:\.\d+)?$")
GROUPING_MARKS = " \u00a0\u202f_'\u2019"
GROUPING = str.maketrans("", "", GROUPING_MARKS)
DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%Y-%m-%d %H:%M", "%d/%m/%Y")
DATETIME_HELP = "DD/MM/YYYY HH:MM, e.g. 04/06/2026 13:00"
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def parse_amount(value: str, label: str = "Amount") -> Decimal:
    """Money typed as text: `1500.5`, `1 500,50`, `1,500.50 €` -> Decimal('1500.50').

    Spaces, underscores and apostrophes group thousands. With both `,` and `.`, the last one
    is the decimal separator; a repeated one groups thousands; a single one is the decimal
    separator, except before exactly three digits (`1,500`), which is refused as ambiguous.
    At most two decimals, no sign, no exponent, no NaN or infinity.
    """
    text = clean_text(value, label, max_length=40)
    text = text.removesuffix("€").removesuffix("EUR").removesuffix("eur").rstrip()
    if any(mark in text for mark in GROUPING_MARKS):
        # a grouping mark separates thousands: `1 500,50`, never `1 5,3` or `15 00`
        whole = re.split(r"[.,]", text, maxsplit=1)[0]
        if not re.fullmatch(rf"\d{{1,3}}([{GROUPING_MARKS}]\d{{3}})+", whole):
            raise ValidationError(f"{label} {NOT_AN_AMOUNT}")
        text = text.translate(GROUPING)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole = text.rpartition(decimal_mark)[0]
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole):
            raise ValidationError(f"{label} {NOT_AN_AMOUNT}")  # `1,5.3`, `1.2,3.4`
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif text.count(",") + text.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
            raise ValidationError(f"{label} {NOT_AN_AMOUNT}")
        text = text.replace(",", "").replace(".", "")  # 1.500.000 or 1,500,000
    elif re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", text):
        raise ValidationError(
            f"{label} {value.strip()!r} is ambiguous: type 1500 for fifteen hundred, "
            "or 1,50 for one and a half."
        )
    else:
        text = text.replace(",", ".")
    if text.startswith("-"):
        raise ValidationError(f"{label} cannot be negative.")
    if not AMOUNT_RE.match(text) or not text.isascii():
        raise ValidationError(f"{label} {NOT_AN_AMOUNT}")
    amount = Decimal(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(f"{label} can have at most two decimals (cents).")
    if amount > AMOUNT_MAX:
        raise ValidationError(f"{label} is too large (at most 9 999 999 999.99).")
    return amount.quantize(Decimal("0.01"))


def check_amounts(total: Decimal, due: Decimal) -> None:
    """The SPEC's rule: 0 <= amount due <= total."""
    if due > total:
        raise ValidationError(
            f"The amount due ({due}) cannot be more than the total amount ({total})."
        )


# ISO 8601 as scripts write it: 2026-06-04T13:00, seconds optional, an offset (Z, +02:00) too
ISO_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?")


def _typed_datetime(text: str) -> datetime | None:
    """`text` as one of DATETIME_FORMATS (naive, local) or as ISO 8601 (aware when it has
    an offset); None when it is neither."""
    for pattern in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    if ISO_DATETIME_RE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def parse_datetime(value: str, label: str = "Date") -> datetime:
    """A date and time typed as DD/MM/YYYY HH:MM (or YYYY-MM-DD HH:MM) in local time, or as
    ISO 8601 (2026-06-04T13:00, local; with an offset, that instant), made aware. The one
    place dates are read: the menu's forms and the commands' options alike."""
    text = " ".join(clean_text(value, label, max_length=40).split())
    moment = _typed_datetime(text)
    if moment is None:
        raise ValidationError(f"{label} must be a date and time like {DATETIME_HELP}.")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationError(f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    # naive local time -> aware, in the machine's time zone; an offset's instant, shown there
    return moment.astimezone()


def check_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError("The event must end after it starts.")


def parse_attendees(value: str) -> int:
    text = clean_text(value, "Attendees", max_length=10).replace(" ", "")
    if not text.isdigit() or not text.isascii():
        raise ValidationError("Attendees must be a whole number of at least 0.")
    number = int(text)
    if number > ATTENDEES_MAX:
        raise ValidationError(f"Attendees must be at most {ATTENDEES_MAX:,}.".replace(",", " "))
    return number


def validate_company(value: str) -> str:
    return clean_text(value, "Company name", max_length=COMPANY_MAX)


def validate_event_name(value: str) -> str:
    return clean_text(value, "Event name", max_length=EVENT_NAME_MAX)


def validate_location(value: str) -> str:
    return clean_text(value, "Location", max_length=LOCATION_MAX)


def validate_notes(value: str) -> str:
    """Free notes: may be empty; tabs and new lines allowed, other control characters not."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if any(unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\t" for char in text):
        raise ValidationError("Notes cannot contain control characters.")
    if len(text) > NOTES_MAX:
        raise ValidationError(f"Notes are too long ({len(text)} characters, at most {NOTES_MAX}).")
    return text


def coerce_amount(value: Decimal | int | str, label: str = "Amount") -> Decimal:
    """An amount given as text (parsed) or as a number (checked the same way)."""
    if isinstance(value, str):
        return parse_amount(value, label)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"{label} must be a number.")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValidationError(f"{label} must be a finite number.")
    return parse_amount(format(amount, "f"), label)


def coerce_datetime(value: datetime | str, label: str = "Date") -> datetime:
    """A date-time given as text (parsed) or as a datetime (made aware, range-checked)."""
    if isinstance(value, str):
        return parse_datetime(value, label)
    if not isinstance(value, datetime):
        raise ValidationError(f"{label} must be a date and time.")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return value if value.tzinfo else value.astimezone()


def coerce_attendees(value: int | str) -> int:
    if isinstance(value, str):
        return parse_attendees(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("Attendees must be a whole number of at least 0.")
    return parse_attendees(str(value))
