"""Validation of what users type: pure functions that return the clean value or raise.

Views use them to re-prompt at once; controllers call them again, since a controller
must never trust its caller.
"""

from __future__ import annotations

import re
import unicodedata

from epic_events.errors import ValidationError
from epic_events.models.department import DepartmentName

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 32
PASSWORD_MIN = 8
PASSWORD_MAX = 128

EMAIL_RE = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
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
    """A lower-case ASCII address like name@example.com."""
    value = clean_text(value, "Email", max_length=EMAIL_MAX).lower()
    if not value.isascii():
        raise ValidationError(
            "Email must use plain ASCII letters (no accents or look-alike characters)."
        )
    if not EMAIL_RE.match(value):
        raise ValidationError(f"{value!r} is not an email address (expected name@example.com).")
    return value


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
