"""Validators: what a user types, cleaned or refused with a clear one-line message."""

from __future__ import annotations

import unicodedata

import pytest

from epic_events.errors import ValidationError
from epic_events.models.department import DepartmentName
from epic_events.validators import (
    EMAIL_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    clean_text,
    parse_id,
    validate_department,
    validate_email,
    validate_name,
    validate_password,
    validate_phone,
)

# -- names -------------------------------------------------------------------------------------


def test_a_name_is_trimmed():
    assert validate_name("  Kevin Casey \t") == "Kevin Casey"


def test_a_name_keeps_accents_apostrophes_and_hyphens():
    assert validate_name("Zoë O'Brien-Dupré") == "Zoë O'Brien-Dupré"


def test_a_name_is_normalised_to_nfc():
    decomposed = "Rene\u0301e"  # e + combining acute accent
    cleaned = validate_name(decomposed)
    assert cleaned == "Renée"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert len(cleaned) == 5


@pytest.mark.parametrize("blank", ["", "   ", "\t", "\n", None])
def test_a_blank_name_is_refused_as_required(blank):
    with pytest.raises(ValidationError, match=r"^Name is required\.$"):
        validate_name(blank)


def test_the_label_appears_in_the_message():
    with pytest.raises(ValidationError, match=r"^Company name is required"):
        validate_name("", "Company name")


def test_a_name_of_the_maximum_length_is_accepted():
    assert validate_name("a" * NAME_MAX) == "a" * NAME_MAX


def test_a_name_one_character_too_long_is_refused_with_its_length():
    with pytest.raises(ValidationError, match=rf"too long \({NAME_MAX + 1} characters, at most"):
        validate_name("a" * (NAME_MAX + 1))


def test_the_length_is_counted_after_nfc_normalisation():
    # 100 letters written as 200 code points (letter + combining accent) fit once composed.
    assert len(validate_name("e\u0301" * NAME_MAX)) == NAME_MAX


@pytest.mark.parametrize(
    "char",
    [
        "\x1b",  # ESC: would start a terminal escape sequence
        "\x00",
        "\x07",  # bell
        "\x08",  # backspace
        "\x7f",  # delete
        "\x9b",  # C1 control sequence introducer
        "\r",
        "\n",
        "\t",
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # zero-width no-break space / BOM
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
    ],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_a_name_with_a_control_or_invisible_character_inside_is_refused(char):
    with pytest.raises(ValidationError, match="control characters"):
        validate_name(f"Bill{char}Boquet")


def test_a_terminal_escape_sequence_in_a_name_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        validate_name("\x1b[31mRed Name\x1b[0m")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"], ids=["U+2028", "U+2029"])
def test_a_unicode_line_separator_inside_a_name_is_refused(separator):
    with pytest.raises(ValidationError):
        validate_name(f"Bill{separator}Boquet")


def test_optional_text_may_be_blank():
    assert clean_text("   ", "Notes", max_length=10, required=False) == ""


def test_optional_text_still_refuses_control_characters():
    with pytest.raises(ValidationError, match=r"^Notes cannot contain control characters"):
        clean_text("a\x1bb", "Notes", max_length=10, required=False)


# -- emails ------------------------------------------------------------------------------------


def test_an_email_is_trimmed_and_lowered():
    assert validate_email("  Kevin.Casey@StartUp.IO ") == "kevin.casey@startup.io"


@pytest.mark.parametrize(
    "email",
    ["kevin@startup.io", "bill.boquet+crm@epic-events.co.uk", "a_b@x.org", "o'neil@example.com"],
)
def test_ordinary_emails_are_accepted(email):
    assert validate_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "kevin@st\u0430rtup.io",  # Cyrillic a
        "k\u0435vin@startup.io",  # Cyrillic e
        "kevin\uff20startup.io",  # full-width at sign
        "kévin@startup.io",
        "kevin@startup.\u0131o",  # dotless i
    ],
)
def test_an_email_with_look_alike_or_accented_letters_is_refused(email):
    with pytest.raises(ValidationError, match="plain ASCII"):
        validate_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "kevin.startup.io",
        "kevin@",
        "@startup.io",
        "kevin@startup",
        "kevin@@startup.io",
        "kevin casey@startup.io",
        "kevin@startup..io",
        "kevin@-startup.io",
        "kevin@startup.io.",
        "<kevin@startup.io>",
    ],
)
def test_a_malformed_email_is_refused_with_an_example(email):
    with pytest.raises(ValidationError, match=r"name@example\.com"):
        validate_email(email)


def test_a_blank_email_is_required():
    with pytest.raises(ValidationError, match=r"^Email is required\.$"):
        validate_email("  ")


def test_an_email_with_a_zero_width_space_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        validate_email("kevin\u200b@startup.io")


def long_email(length: int) -> str:
    """`k@aaa…a.aaa…a.aaa…a.aaa…a.io`, `length` characters long (DNS labels are <= 63)."""
    room = length - len("k@.io")  # 249 for 254: three labels of 62 and a dot, then the rest
    domain = ("a" * 62 + ".") * (room // 63) + "a" * (room % 63)
    return f"k@{domain}.io"


def test_an_email_of_the_maximum_length_is_accepted():
    email = long_email(EMAIL_MAX)
    assert len(email) == EMAIL_MAX
    assert validate_email(email) == email


def test_an_email_one_character_too_long_is_refused():
    email = long_email(EMAIL_MAX + 1)
    assert len(email) == EMAIL_MAX + 1
    with pytest.raises(ValidationError, match="too long"):
        validate_email(email)


def test_an_email_with_dots_at_the_ends_or_doubled_in_its_name_is_refused():
    with pytest.raises(ValidationError, match=r"^'\.a\.\.b\.@x\.com' is not an email address"):
        validate_email(".a..b.@x.com")


def test_an_email_whose_domain_has_no_real_top_level_domain_is_refused():
    with pytest.raises(ValidationError, match=r"^'a@1\.2' is not an email address.*top-level"):
        validate_email("a@1.2")


@pytest.mark.parametrize(
    "email",
    [
        "kevin@startup.io",
        "kevin.casey@startup.io",
        "first.middle.last@sub.domain.co.uk",
        "kevin+crm@startup.io",
        "kevin-casey_2@start-up.io",
        "k@x.co",
        "1234@startup.io",
        "o'neil@example.com",
        "!#$%&'*+/=?^_`{|}~-@example.com",  # every sign RFC 5322 allows unquoted
        "test@example.com",  # the tests' domain
        "commerce1@demo.epicevents.example",  # the demo's domain
        "admin@epicevents.example",  # the super user of data.example.json
        "kevin@startup.example.org",
        "kevin@xn--strtup-4nf.io",  # an IDN domain typed in its ASCII form is kept as typed
    ],
)
def test_a_good_email_is_accepted_unchanged(email):
    assert validate_email(email) == email


@pytest.mark.parametrize(
    ("email", "why"),
    [
        (".kevin@startup.io", "start with a period"),
        ("kevin.@startup.io", "period immediately before the @-sign"),
        ("ke..vin@startup.io", "two periods in a row"),
        ("kevin@startup..io", "two periods in a row"),
        ("kevin@.startup.io", "period immediately after the @-sign"),
        ("kevin@startup.io.", "cannot end with a period"),
        ("kevin@-startup.io", "hyphen immediately after the @-sign"),
        ("kevin@startup-.io", "period and a hyphen"),
        ("kevin@start_up.io", "invalid characters"),
        ("kevin@startup", "should have a period"),
        ("kevin@startup.123", "top-level domain"),
        ("kevin@1.2.3.4", "top-level domain"),
        ("kevin@[1.2.3.4]", "bracketed IP address"),
        ('"kevin casey"@startup.io', "Quoting"),
        ("kevin casey@startup.io", "SPACE"),
        ("Kevin <kevin@startup.io>", "display name"),
        ("kevin@startup.io,bill@startup.io", "invalid characters"),
        ("kevin@xn--zz.io", "IDNA"),
        ("kevin@" + "a" * 64 + ".io", "so many characters"),
        ("kevin@startup.test", "special-use or reserved"),
        ("kevin@printer.local", "special-use or reserved"),
        ("kevin@host.localhost", "special-use or reserved"),
        ("kevin@startup.invalid", "special-use or reserved"),
        ("kevin@hidden.onion", "special-use or reserved"),
        ("kevin@4.3.2.1.in-addr.arpa", "special-use or reserved"),
    ],
)
def test_a_bad_email_is_refused_saying_why(email, why):
    with pytest.raises(ValidationError) as refused:
        validate_email(email)
    message = refused.value.message
    expected = f"{email.lower()!r} is not an email address (expected name@example.com). "
    assert message.startswith(expected)
    assert why in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "email",
    [
        "kévin@startup.io",  # an accented local part would need SMTPUTF8
        "kevin@café.fr",  # a Unicode domain (IDN)
        "用户@例子.广告",
        "kevin@startup.рф",
    ],
)
def test_an_internationalised_email_is_refused(email):
    with pytest.raises(ValidationError, match="plain ASCII"):
        validate_email(email)


# -- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["+678 123 456 78", "06 12 34 56 78", "+33 (0)6.12.34.56.78", "555-0100", "123456"],
)
def test_ordinary_phone_numbers_are_accepted_as_typed(phone):
    assert validate_phone(f" {phone} ") == phone


@pytest.mark.parametrize(
    "phone",
    [
        "12345",  # 5 digits
        "1234567890123456",  # 16 digits
        "call me",
        "+33 6 12 34 56 78 ext",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17",  # full-width digits
        "٠١٢٣٤٥٦",  # Arabic-Indic digits
        "+-().",
        "06/12/34/56/78",
    ],
)
def test_a_phone_that_is_not_6_to_15_digits_is_refused(phone):
    with pytest.raises(ValidationError, match="6 to 15 digits"):
        validate_phone(phone)


def test_a_blank_phone_is_required():
    with pytest.raises(ValidationError, match=r"^Phone is required\.$"):
        validate_phone("")


def test_a_phone_longer_than_32_characters_is_refused():
    with pytest.raises(ValidationError, match="too long"):
        validate_phone("1 " * 17)


def test_a_phone_with_an_escape_character_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        validate_phone("0612\x1b345678")


# -- passwords ---------------------------------------------------------------------------------


def test_a_password_of_the_minimum_length_is_accepted_unchanged():
    assert validate_password(" a b c d") == " a b c d"  # spaces are kept: never trimmed


def test_a_password_of_the_maximum_length_is_accepted():
    assert validate_password("p" * PASSWORD_MAX) == "p" * PASSWORD_MAX


@pytest.mark.parametrize("password", ["", "short", "x" * (PASSWORD_MIN - 1), None])
def test_a_too_short_password_is_refused(password):
    with pytest.raises(ValidationError, match=f"at least {PASSWORD_MIN} characters"):
        validate_password(password)


def test_a_too_long_password_is_refused():
    with pytest.raises(ValidationError, match=f"at most {PASSWORD_MAX} characters"):
        validate_password("p" * (PASSWORD_MAX + 1))


@pytest.mark.parametrize("password", [" " * PASSWORD_MIN, " " * 40, "\u3000" * PASSWORD_MIN])
def test_a_password_of_only_spaces_is_refused(password):
    with pytest.raises(ValidationError, match="only spaces"):
        validate_password(password)


def test_a_password_with_a_control_character_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        validate_password("correct\x1bhorse")


def test_a_unicode_password_is_accepted():
    assert validate_password("mot de passe été ☃") == "mot de passe été ☃"


# -- departments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gestion", DepartmentName.GESTION),
        ("COMMERCE", DepartmentName.COMMERCE),
        ("  Support ", DepartmentName.SUPPORT),
    ],
)
def test_a_department_is_recognised_by_name_in_any_case(typed, expected):
    assert validate_department(typed) is expected


@pytest.mark.parametrize("typed", ["", "sales", "management", "gestions", "1", None])
def test_an_unknown_department_is_refused_listing_the_choices(typed):
    with pytest.raises(ValidationError, match="gestion, commerce, support"):
        validate_department(typed)


# -- ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12), ("#12", 12), (" 7 ", 7), ("0012", 12), ("1", 1), ("999999999", 999_999_999)],
)
def test_an_id_is_read_as_a_positive_whole_number(typed, expected):
    assert parse_id(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "0",
        "#0",
        "-1",
        "+1",
        "abc",
        "",
        "   ",
        "#",
        "1.5",
        "1e3",
        "12a",
        "1 2",
        "\uff11\uff12",  # full-width digits
        "١٢",  # Arabic-Indic digits
        "²",  # superscript two
        "0x10",
        "9999999999",  # would overflow a PostgreSQL integer
        "9" * 400,
        None,
    ],
)
def test_anything_else_is_refused_as_an_id(typed):
    with pytest.raises(ValidationError, match=r"^Id must be a positive whole number\.$"):
        parse_id(typed)


def test_the_id_label_is_used_in_the_message():
    with pytest.raises(ValidationError, match=r"^Page must be"):
        parse_id("x", "Page")


# -- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_name, ""),
        (validate_name, "a\nb"),
        (validate_email, "no at sign\n"),
        (validate_phone, "x"),
        (validate_password, "x"),
        (validate_department, "x"),
        (parse_id, "x"),
    ],
)
def test_every_refusal_is_a_single_line(validator, value):
    with pytest.raises(ValidationError) as refused:
        validator(value)
    assert "\n" not in refused.value.message
    assert refused.value.message.strip() == refused.value.message
