"""The installer's data: the departments and users of data.json, and the demo company."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from epic_events.auth import passwords
from epic_events.db import Database, UnitOfWork
from epic_events.demo import DEMO_DOMAIN, DemoSize, Progress, demo_present, seed_demo
from epic_events.errors import Conflict
from epic_events.install.report import Report
from epic_events.managers.collaborators import CollaboratorManager
from epic_events.models import Collaborator, Department, DepartmentName
from epic_events.seed_file import SeedData, SeedUser

PasswordFor = Callable[[int, SeedUser], str | None]  # (number in data.json, user) -> password


def seed(database: Database, data: SeedData, report: Report, password_for: PasswordFor) -> None:
    """Insert the missing departments and users; passwords are asked for first, so no
    transaction stays open while someone types."""
    departments, users = missing(database, data, report)
    chosen = [(number, user, password_for(number, user)) for number, user in users]
    with database.unit_of_work() as uow:
        manager = CollaboratorManager(uow.session)
        for name in departments:
            uow.session.add(Department(name=name.value))
            report.did(f"department {name.value}")
        uow.flush()
        for number, user, password in chosen:
            if password is None:
                report.warn(f"skipped {user.email}: set USER_{number}_PW to create them")
            else:
                add_user(uow, manager, user, password)
                role = "super user" if number == 1 else "collaborator"
                report.did(f"{role} {user.email} ({user.department.value})")
        uow.commit()


def missing(
    database: Database, data: SeedData, report: Report
) -> tuple[list[DepartmentName], list[tuple[int, SeedUser]]]:
    """The departments and the numbered users of `data` not yet in the database."""
    with database.unit_of_work() as uow:
        manager = CollaboratorManager(uow.session)
        departments = [name for name in data.departments if manager.department(name) is None]
        users = []
        for number, user in enumerate(data.users, start=1):
            if manager.get_by_email(user.email) is None:
                users.append((number, user))
            else:
                report.kept(f"collaborator {user.email} already exists")
    return departments, users


def add_user(uow: UnitOfWork, manager: CollaboratorManager, user: SeedUser, password: str) -> None:
    manager.add(
        Collaborator(
            name=user.name,
            email=user.email,
            phone=user.phone,
            department=manager.department(user.department),
            password_hash=passwords.hash_password(password),
        )
    )
    uow.flush()


DEMO_ON_DATA_FLAG = "--demo-on-live-data"


def load_demo(
    database: Database,
    size: DemoSize,
    progress: Progress | None,
    report: Report,
    *,
    production: bool = False,
    on_live_data: bool = False,
) -> None:
    """Load the demo company once: never duplicated, never touching other data.

    Loading rebuilds the search indexes under exclusive locks, so a production database that
    already holds clients of its own is refused unless `on_live_data` says it is meant.
    """
    refused = production and not on_live_data and not demo_present(database.engine)
    if refused and _holds_clients(database):
        raise Conflict(
            "this production database holds clients of its own: loading the "
            "demo locks and rebuilds its indexes while staff work. Use a development "
            "database (EPIC_EVENTS_ENV=development in settings.env), or add "
            f"{DEMO_ON_DATA_FLAG} if you really mean it. Nothing was loaded."
        )
    result = seed_demo(database.engine, size, progress)
    if not result.created:
        report.kept(f"demo data already present (collaborators @{DEMO_DOMAIN}): nothing added")
        return
    report.did(
        f"demo company: {size.commerce} commerce and {size.support} support collaborators, "
        f"{size.clients} clients, {size.contracts} contracts, {size.events} events "
        f"in {result.seconds:.1f} s"
    )
    report.say(
        f"    Demo logins: commerce1@{DEMO_DOMAIN} … support1@{DEMO_DOMAIN} …, "
        f"password {result.password} (shown once)."
    )


def _holds_clients(database: Database) -> bool:
    with database.engine.connect() as conn:
        return bool(conn.scalar(text("SELECT EXISTS (SELECT 1 FROM clients)")))
