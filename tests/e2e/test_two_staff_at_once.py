"""Two staff members at once, each in a real program on one database: no save is lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.e2e.conftest import CLEAR, SUPER_EMAIL, SUPER_PASSWORD, pick, picker, quit_program
from tests.e2e.test_beyond_the_brief import Seed

pytestmark = pytest.mark.e2e

SELLER = ("Bill Boquet", "bill@epicevents.example", "bill password 1")


@pytest.fixture
def seed(program):
    seed = Seed(program.env["DATABASE_ADMIN_URL"])
    yield seed
    seed.db.dispose()


def type_credentials(child, email: str, password: str) -> None:
    """Log in at the email prompt already shown."""
    child.sendline(email)
    child.expect("Password")
    child.sendline(password)
    child.expect("Logged in as")
    child.expect("Choice")


def open_amounts_form(child, contract_id: int) -> None:
    """From the main menu to the update form of `contract_id`, stopped at its first prompt."""
    pick(child, "Contracts")
    pick(child, "Update a contract's amounts", picker("Contract"))
    child.sendline(str(contract_id))
    child.expect("Total amount")


def stored_amounts(seed: Seed, contract_id: int) -> tuple[Decimal, Decimal, int]:
    with seed.db.engine.connect() as conn:
        return tuple(
            conn.execute(
                text("SELECT total_amount, amount_due, version FROM contracts WHERE id = :id"),
                {"id": contract_id},
            ).one()
        )


@pytest.mark.parametrize("keep_mine", [True, False], ids=["reapplied", "dropped"])
def test_a_form_opened_before_a_colleagues_save_is_refused_and_keeps_their_values(
    program, seed, keep_mine
):
    seller = seed.collaborator(*SELLER, "commerce")
    client_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    contract_id = seed.contract(client_id, "1000", "1000")

    # Both programs start before either logs in: neither resumes the other's saved session.
    manager, commercial = program.spawn(), program.spawn()
    manager.expect("Email")
    commercial.expect("Email")
    type_credentials(manager, SUPER_EMAIL, SUPER_PASSWORD)
    type_credentials(commercial, SELLER[1], SELLER[2])

    open_amounts_form(manager, contract_id)  # gestion reads version 1, then pauses

    open_amounts_form(commercial, contract_id)
    commercial.sendline(CLEAR + "2000")
    commercial.expect("Amount due")
    commercial.sendline(CLEAR + "1500")
    commercial.expect(f"Updated contract #{contract_id}")
    commercial.expect("Choice")
    assert stored_amounts(seed, contract_id) == (Decimal("2000.00"), Decimal("1500.00"), 2)

    manager.sendline(CLEAR + "3000")
    manager.expect("Amount due")
    manager.sendline(CLEAR + "100")
    manager.expect(f"Contract #{contract_id} was changed by someone else since you opened it")
    manager.expect("your changes are kept")
    manager.expect(r"2\u202f000,00\u00a0€")  # the contract as it now is, before deciding
    manager.expect(r"Apply your changes to it as it is now\?(\x1b\[[\d;]*m)* \[Y/n\]")
    assert "Traceback" not in manager.before
    assert stored_amounts(seed, contract_id) == (Decimal("2000.00"), Decimal("1500.00"), 2)
    if keep_mine:
        manager.sendline("y")  # what was typed is applied to version 2: nothing retyped
        manager.expect(f"Updated contract #{contract_id}: total 3\u202f000,00\u00a0€")
        manager.expect("Choice")
        assert stored_amounts(seed, contract_id) == (Decimal("3000.00"), Decimal("100.00"), 3)
    else:
        manager.sendline("n")
        manager.expect("Nothing was saved")
        manager.expect("Choice")  # back to the menu: the program goes on
        assert stored_amounts(seed, contract_id) == (Decimal("2000.00"), Decimal("1500.00"), 2)

    for child in (manager, commercial):
        child.sendline("0")  # from the Contracts menu back to the main menu
        child.expect("Choice")
        assert quit_program(child) == 0
