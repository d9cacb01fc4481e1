"""Demo data passes the program's own validators: it is what a user could have typed.

The rows come from demo.py's own generators, the ones `seed_demo` streams into COPY, read back
as CSV without a database. Each value must come out of its validator unchanged, so the demo
stores exactly what the controllers would have stored.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from epic_events import demo
from epic_events.validators import (
    check_amounts,
    check_period,
    coerce_amount,
    coerce_attendees,
    coerce_datetime,
    validate_company,
    validate_email,
    validate_event_name,
    validate_location,
    validate_name,
    validate_notes,
    validate_phone,
)

SIZE = demo.DemoSize(commerce=2000, support=1000, clients=5000, contracts=5000, events=5000)
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
DEPARTMENTS = {"gestion": 1, "commerce": 2, "support": 3}


def rows(columns: str, lines: Iterator[str]) -> list[dict[str, str]]:
    """CSV lines as the COPY statement reads them: one dict per row, by column name."""
    names = columns.split(", ")
    parsed = [dict(zip(names, row, strict=True)) for row in csv.reader(lines)]
    assert parsed, "the generator produced no rows"
    return parsed


@pytest.fixture(scope="module")
def generated():
    rng = random.Random(20261123)  # the seed seed_demo uses
    staff = rows(demo.STAFF_COLUMNS, demo._staff(1, SIZE, DEPARTMENTS, "hash"))
    sellers = [int(row["id"]) for row in staff[: SIZE.commerce]]
    helpers = [int(row["id"]) for row in staff[SIZE.commerce :]]
    clients = rows(demo.CLIENT_COLUMNS, demo._clients(rng, 1, SIZE.clients, sellers, NOW))
    signed: list[int] = []
    contracts = rows(demo.CONTRACT_COLUMNS, demo._contracts(rng, 1, 1, SIZE, sellers, NOW, signed))
    events = rows(demo.EVENT_COLUMNS, demo._events(rng, 1, SIZE.events, signed, helpers, NOW))
    return {"staff": staff, "clients": clients, "contracts": contracts, "events": events}


def test_the_generators_make_the_rows_asked_for(generated):
    assert len(generated["staff"]) == SIZE.commerce + SIZE.support
    assert len(generated["clients"]) == SIZE.clients
    assert len(generated["contracts"]) == SIZE.contracts
    assert len(generated["events"]) == SIZE.events


def test_every_demo_collaborator_passes_the_validators_unchanged(generated):
    for row in generated["staff"]:
        assert validate_name(row["name"]) == row["name"]
        assert validate_email(row["email"]) == row["email"]
        assert row["email"].endswith(f"@{demo.DEMO_DOMAIN}")
        assert validate_phone(row["phone"]) == row["phone"]


def test_every_demo_client_passes_the_validators_unchanged(generated):
    for row in generated["clients"]:
        assert validate_name(row["full_name"], "Full name") == row["full_name"]
        assert validate_email(row["email"]) == row["email"]
        assert validate_phone(row["phone"]) == row["phone"]
        assert validate_company(row["company_name"]) == row["company_name"]


def test_demo_names_keep_their_accents_and_their_emails_are_folded_to_ascii(generated):
    accented = [row for row in generated["clients"] if not row["full_name"].isascii()]
    assert accented, "the demo should have clients with accented names (Chloé, Léa…)"
    assert all(row["email"].isascii() for row in accented)
    assert demo.ascii_fold("Zoé Théo Gaël Inès") == "Zoe Theo Gael Ines"


def test_demo_emails_are_unique(generated):
    for table in ("staff", "clients"):
        emails = [row["email"] for row in generated[table]]
        assert len(set(emails)) == len(emails), table


def test_every_demo_contract_passes_the_validators_unchanged(generated):
    for row in generated["contracts"]:
        total = coerce_amount(Decimal(row["total_amount"]), "Total amount")
        due = coerce_amount(Decimal(row["amount_due"]), "Amount due")
        assert (total, due) == (Decimal(row["total_amount"]), Decimal(row["amount_due"]))
        check_amounts(total, due)


def test_every_demo_event_passes_the_validators_unchanged(generated):
    for row in generated["events"]:
        assert validate_event_name(row["name"]) == row["name"]
        assert validate_location(row["location"]) == row["location"]
        assert validate_notes(row["notes"]) == row["notes"]
        assert coerce_attendees(row["attendees"]) == int(row["attendees"])
        start = coerce_datetime(datetime.fromisoformat(row["start_at"]), "Start")
        end = coerce_datetime(datetime.fromisoformat(row["end_at"]), "End")
        check_period(start, end)
