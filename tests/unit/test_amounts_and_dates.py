"""Parsing what staff type for money, dates and attendees."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from epic_events.errors import ValidationError
from epic_events.validators import (
    check_amounts,
    check_period,
    coerce_amount,
    coerce_attendees,
    coerce_datetime,
    parse_amount,
    parse_attendees,
    parse_datetime,
    validate_notes,
)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1500", "1500.00"),
        ("1500.5", "1500.50"),
        ("1 500,50", "1500.50"),
        ("1\u202f500,50", "1500.50"),
        ("1\u00a0500.50", "1500.50"),
        ("1,500.50", "1500.50"),
        ("1.500,50", "1500.50"),
        ("1'500.50", "1500.50"),
        ("1’500.50", "1500.50"),
        ("12 000,00 €", "12000.00"),
        ("1 000 000", "1000000.00"),
        ("1.000.000,50", "1000000.50"),
        ("1500 €", "1500.00"),
        ("1500EUR", "1500.00"),
        ("0", "0.00"),
        ("  42  ", "42.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_amounts_typed_in_every_usual_way_become_exact_decimals(typed, amount):
    parsed = parse_amount(typed)
    assert parsed == Decimal(amount)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "must be a number"),
        ("-3", "cannot be negative"),
        ("NaN", "must be a number"),
        ("nan", "must be a number"),
        ("Infinity", "must be a number"),
        ("1e9999", "must be a number"),
        ("1E3", "must be a number"),
        ("12.3456", "at most two decimals"),
        ("12,345", "ambiguous"),
        ("1.500", "ambiguous"),
        ("1,5,0", "must be a number"),
        ("10000000000", "too large"),
        ("", "is required"),
        ("+5", "must be a number"),
        ("١٢", "must be a number"),
        ("1.2.3", "must be a number"),
        ("0x10", "must be a number"),
        ("1,5.3", "must be a number"),  # a thousands mark before one digit
        ("1.5,3", "must be a number"),
        ("12,34.50", "must be a number"),
        ("1.500.0,5", "must be a number"),
        ("1 5,3", "must be a number"),  # a space that groups no thousands
        ("15 00", "must be a number"),
        ("1 500 0", "must be a number"),
    ],
)
def test_impossible_amounts_get_a_clear_answer(typed, message):
    with pytest.raises(ValidationError, match=message):
        parse_amount(typed)


def test_the_label_names_the_field_in_the_message():
    with pytest.raises(ValidationError, match=r"^Total amount cannot be negative"):
        parse_amount("-1", "Total amount")


def test_the_amount_due_never_exceeds_the_total():
    check_amounts(Decimal("10"), Decimal("10"))
    check_amounts(Decimal("10"), Decimal("0"))
    with pytest.raises(ValidationError, match="cannot be more than the total"):
        check_amounts(Decimal("10"), Decimal("10.01"))


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-1"), 1.5, True])
def test_amounts_given_as_numbers_are_checked_like_text(value):
    with pytest.raises(ValidationError):
        coerce_amount(value)


def test_amounts_given_as_numbers_are_quantised():
    assert coerce_amount(Decimal("12.5")) == Decimal("12.50")
    assert coerce_amount(7) == Decimal("7.00")


@pytest.mark.parametrize(
    "typed", ["04/06/2026 13:00", "4/6/2026 13:00", "04/06/2026 13h00", "2026-06-04 13:00"]
)
def test_dates_are_typed_day_first_and_become_aware_local_times(typed):
    moment = parse_datetime(typed)
    assert moment.tzinfo is not None
    assert moment.astimezone().replace(tzinfo=None) == datetime(2026, 6, 4, 13, 0)


def test_a_date_without_time_means_midnight():
    assert parse_datetime("04/06/2026").astimezone().hour == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tomorrow", "DD/MM/YYYY HH:MM"),
        ("31/02/2026 10:00", "DD/MM/YYYY HH:MM"),
        ("04/06/2026 25:00", "DD/MM/YYYY HH:MM"),
        ("06/04/26 10:00", "DD/MM/YYYY HH:MM"),
        ("04/06/1999 10:00", "between 2000 and 2100"),
        ("04/06/9999 10:00", "between 2000 and 2100"),
        ("", "is required"),
    ],
)
def test_impossible_dates_get_a_clear_answer(typed, message):
    with pytest.raises(ValidationError, match=message):
        parse_datetime(typed)


def test_an_event_must_end_after_it_starts():
    start = parse_datetime("04/06/2026 13:00")
    check_period(start, start + timedelta(minutes=1))
    for end in (start, start - timedelta(hours=1)):
        with pytest.raises(ValidationError, match="must end after it starts"):
            check_period(start, end)


def test_a_naive_datetime_given_by_code_is_made_aware():
    assert coerce_datetime(datetime(2026, 6, 4, 13)).tzinfo is not None
    with pytest.raises(ValidationError):
        coerce_datetime(datetime(1990, 1, 1))


@pytest.mark.parametrize(("typed", "number"), [("0", 0), ("75", 75), ("1 000", 1000)])
def test_attendees_are_whole_numbers(typed, number):
    assert parse_attendees(typed) == number


@pytest.mark.parametrize("typed", ["-5", "7.5", "many", "", "10000001"])
def test_impossible_attendees_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_attendees(typed)


def test_attendees_given_as_numbers_are_checked():
    assert coerce_attendees(12) == 12
    for value in (-1, True, 2.0):
        with pytest.raises(ValidationError):
            coerce_attendees(value)


def test_notes_may_be_empty_or_span_lines_but_hold_no_control_characters():
    assert validate_notes("") == ""
    assert validate_notes("line one\nline two") == "line one\nline two"
    with pytest.raises(ValidationError, match="control characters"):
        validate_notes("bell \x07")
    with pytest.raises(ValidationError, match="too long"):
        validate_notes("x" * 5001)


@pytest.mark.parametrize("typed", ["2026-06-04T13:00", "2026-06-04T13:00:00"])
def test_iso_8601_without_an_offset_is_a_local_time_too(typed):
    """As scripts write dates: the menu's forms and the commands read them alike."""
    moment = parse_datetime(typed)
    assert moment.tzinfo is not None
    assert moment.astimezone().replace(tzinfo=None) == datetime(2026, 6, 4, 13, 0)


@pytest.mark.parametrize(
    "typed", ["2026-06-04T13:00+02:00", "2026-06-04T11:00Z", "2026-06-04T16:30+05:30"]
)
def test_iso_8601_with_an_offset_is_that_instant(typed):
    assert parse_datetime(typed) == datetime(2026, 6, 4, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-06-31T13:00", "DD/MM/YYYY HH:MM"),
        ("2026-06-04T13", "DD/MM/YYYY HH:MM"),
        ("2026-06-04T13:00+25:00", "DD/MM/YYYY HH:MM"),
        ("1999-06-04T13:00", "between 2000 and 2100"),
    ],
)
def test_impossible_iso_dates_get_the_same_clear_answer(typed, message):
    with pytest.raises(ValidationError, match=message):
        parse_datetime(typed)
