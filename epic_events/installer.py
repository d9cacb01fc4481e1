"""The installer behind `python setup.py`: files, schema, departments, super user.

Idempotent and never destructive: what exists is kept, and a second run says so.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from epic_events.auth import passwords
from epic_events.auth.token_store import TokenStore, atomic_write
from epic_events.config import REPO_ROOT, Settings, load_settings, read_env_file
from epic_events.database_url import url_database, url_password, url_user, with_credentials
from epic_events.db import Database, resolve_database_url
from epic_events.demo import DemoSize, Progress
from epic_events.errors import ConfigurationError, DatabaseUnavailable, ValidationError
from epic_events.managers.collaborators import CollaboratorManager
from epic_events.models import Collaborator, Department, DepartmentName
from epic_events.roles import app_role
from epic_events.validators import validate_email, validate_name, validate_password, validate_phone

ENV_TEMPLATE = REPO_ROOT / ".env.example"
DATA_TEMPLATE = REPO_ROOT / "data.example.json"
SECRET_BYTES = 48


@dataclass(frozen=True)
class SeedUser:
    name: str
    email: str
    phone: str
    department: DepartmentName


@dataclass(frozen=True)
class SeedData:
    departments: list[DepartmentName]
    users: list[SeedUser]

    @property
    def super_user(self) -> SeedUser:
        return self.users[0]


def read_seed_file(path: Path) -> SeedData:
    """Read and check `data.json`; one clear ConfigurationError when it is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"{path} is missing: run `python setup.py` to create it."
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path} is not valid JSON: {exc}") from None
    try:
        departments = [DepartmentName(d["name"]) for d in raw["departments"]]
        users = [
            SeedUser(
                name=validate_name(u["name"]),
                email=validate_email(u["email"]),
                phone=validate_phone(u["phone"]),
                department=DepartmentName(u["department"]),
            )
            for u in raw["users"]
        ]
    except (KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"{path} lacks {exc}: expected {{'departments': [{{'name': …}}], "
            "'users': [{'name', 'email', 'phone', 'department'}]}."
        ) from None
    except (ValueError, ValidationError) as exc:
        raise ConfigurationError(f"{path} has an invalid value: {exc}") from None
    if not users:
        raise ConfigurationError(f"{path} has no user: the first user is the super user.")
    if users[0].department != DepartmentName.GESTION:
        raise ConfigurationError(f"{path}: the first user (the super user) must be in gestion.")
    missing = {u.department for u in users} - set(departments)
    if missing:
        raise ConfigurationError(f"{path}: users belong to unlisted departments {sorted(missing)}.")
    return SeedData(departments=departments, users=users)


def set_env_value(path: Path, key: str, value: str) -> None:
    """Set `key=value` in a dotenv file, keeping every other line, atomically and 0600."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    new_line = f"{key}={value}"
    for index, line in enumerate(lines):
        if line.strip().startswith(f"{key}="):
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


class Installer:
    """One run of the installer; `say` prints a line of the report."""

    def __init__(
        self,
        home: Path,
        say: Callable[[str], None],
        *,
        environ: Mapping[str, str] | None = None,
        interactive: bool = False,
        database_url: str | None = None,
        new_app_password: bool = False,
    ):
        """`database_url`: an administrator's URL for this run (never saved);
        `new_app_password`: give an existing application role a new password."""
        self.home = home
        self.say = say
        self.environ = dict(os.environ if environ is None else environ)
        self.database_url = database_url
        if database_url:
            self.environ["DATABASE_ADMIN_URL"] = database_url
        self.new_app_password = new_app_password
        self.interactive = interactive
        self.changes = 0

    def _did(self, message: str) -> None:
        self.changes += 1
        self.say(f"  + {message}")

    def _kept(self, message: str) -> None:
        self.say(f"  = {message}")

    def run(self, demo: DemoSize | None = None, progress: Progress | None = None) -> int:
        """Bring everything up to date, then load the demo company when asked; return the
        number of changes made."""
        self.ensure_env_file()
        self.ensure_data_file()
        settings = load_settings(self.environ, self.home)
        settings.require_jwt_secret()
        self.ensure_token_files(settings)
        seed = read_seed_file(settings.file_path)
        admin_url, embedded = self.admin_url(settings)
        database = Database(admin_url)
        try:
            self.check_admin(database)
            password, program_url = (None, None) if embedded else self.app_login(settings, database)
            self.migrate(database, password)
            if program_url:  # only once the role has this password
                self.save_program_url(settings, program_url)
            self.seed(database, seed)
            if demo is not None:
                self.load_demo(database, demo, progress)
        finally:
            database.dispose()
        return self.changes

    def load_demo(self, database: Database, size: DemoSize, progress: Progress | None) -> None:
        from epic_events.demo import DEMO_DOMAIN, seed_demo

        report = seed_demo(database.engine, size, progress)
        if not report.created:
            self._kept(f"demo data already present (collaborators @{DEMO_DOMAIN}): nothing added")
            return
        self._did(
            f"demo company: {size.commerce} commerce and {size.support} support collaborators, "
            f"{size.clients} clients, {size.contracts} contracts, {size.events} events "
            f"in {report.seconds:.1f} s"
        )
        self.say(
            f"    Demo logins: commerce1@{DEMO_DOMAIN} … support1@{DEMO_DOMAIN} …, "
            f"password {report.password} (shown once)."
        )

    def ensure_env_file(self) -> None:
        env_file = self.home / ".env"
        if not env_file.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            atomic_write(env_file, ENV_TEMPLATE.read_bytes())
            set_env_value(env_file, "JWT_SECRET", secrets.token_urlsafe(SECRET_BYTES))
            self._did(f"created {env_file} with a new JWT secret")
            return
        os.chmod(env_file, 0o600)
        if self.environ.get("JWT_SECRET") or read_env_file(env_file).get("JWT_SECRET", "").strip():
            self._kept(f"{env_file} already exists")
        else:
            set_env_value(env_file, "JWT_SECRET", secrets.token_urlsafe(SECRET_BYTES))
            self._did(f"added a new JWT secret to {env_file}")

    def admin_url(self, settings: Settings) -> tuple[str, bool]:
        """The administrator's URL, and whether it is the embedded server's.

        --database-url, else DATABASE_ADMIN_URL, else DATABASE_URL (an install made before
        the two roles existed), else the embedded server's superuser.
        """
        given = settings.database_admin_url or settings.database_url
        if given:
            return resolve_database_url(given, settings.data_dir), False
        from epic_events.embedded import start_embedded

        return start_embedded(settings.data_dir, admin=True), True

    def check_admin(self, database: Database) -> None:
        """The administrator creates roles and bypasses row-level security to seed; the
        names of the application role follow from the database's."""
        from sqlalchemy import text
        from sqlalchemy.exc import OperationalError

        try:
            with database.engine.connect() as connection:
                user, able = connection.execute(
                    text(
                        "SELECT current_user, rolsuper OR (rolcreaterole AND rolbypassrls) "
                        "FROM pg_roles WHERE rolname = current_user"
                    )
                ).one()
        except OperationalError:
            raise DatabaseUnavailable(
                "The database cannot be reached: check DATABASE_ADMIN_URL (or DATABASE_URL) "
                "and that the server is running."
            ) from None
        if not able:
            raise ConfigurationError(
                f"setup.py connects as {user}, who cannot create roles or bypass row-level "
                "security: set DATABASE_ADMIN_URL to a superuser's URL (the program itself "
                "connects as its own role, see README)."
            )

    def app_login(self, settings: Settings, database: Database) -> tuple[str | None, str | None]:
        """The application role's password on an external server, and the program's URL
        to save in .env (None when the one configured already names that role).

        A role that exists with a password nobody here knows belongs to another install of
        the same database: it keeps its password unless --new-app-password says otherwise.
        """
        role = app_role(url_database(database.url))
        known = self._known_app_password(settings.database_url, role)
        if known is not False and not self.new_app_password:
            return known, None
        if not self.new_app_password and self._role_exists(database, role):
            raise ConfigurationError(
                f"The database role {role} already exists (another install of this database?) "
                "and its password is not known here: set DATABASE_URL to that install's URL, "
                "or run setup.py --new-app-password to give it a new one (other installs "
                "then need the new DATABASE_URL)."
            )
        password = secrets.token_urlsafe(24)
        return password, with_credentials(database.url, role, password)

    def save_program_url(self, settings: Settings, program_url: str) -> None:
        env_file = self.home / ".env"
        previous = read_env_file(env_file).get("DATABASE_URL")
        set_env_value(env_file, "DATABASE_URL", program_url)
        role = url_user(program_url)
        self._did(
            f"the program connects as {role} (least privilege, row-level security): "
            f"DATABASE_URL saved in {env_file}"
        )
        if previous and url_user(previous) != role:
            self.say(
                f"  ! the DATABASE_URL {env_file} held was an administrator's: it was replaced "
                "(never kept); give it to setup.py as DATABASE_ADMIN_URL from now on"
            )
        in_environment = self.environ.get("DATABASE_URL")
        if in_environment and url_user(in_environment) != role:
            self.say(
                "  ! DATABASE_URL is set in your environment, which wins over .env, to an "
                f"administrator's URL: the program refuses it; use the DATABASE_URL of {env_file}"
            )

    def _known_app_password(self, current: str | None, role: str) -> str | bool | None:
        """The password of the application role's URL already configured (None when it has
        none), or False when no URL names that role."""
        in_env_file = read_env_file(self.home / ".env").get("DATABASE_URL")
        for url in (current, in_env_file):
            if url and url_user(url) == role:
                return url_password(url)
        return False

    @staticmethod
    def _role_exists(database: Database, role: str) -> bool:
        from sqlalchemy import text

        with database.engine.connect() as connection:
            return bool(
                connection.scalar(
                    text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}
                )
            )

    def ensure_data_file(self) -> None:
        settings = load_settings(self.environ, self.home)
        if settings.file_path.exists():
            self._kept(f"{settings.file_path} already exists")
            return
        settings.file_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA_TEMPLATE, settings.file_path)
        self._did(f"created {settings.file_path} from {DATA_TEMPLATE.name}")

    def ensure_token_files(self, settings: Settings) -> None:
        created = TokenStore(settings.token_path, settings.jwt_key_path).ensure_files()
        for path in created:
            self._did(f"created {path} (readable by you only)")
        if not created:
            self._kept("token store and key file already exist")

    def migrate(self, database: Database, app_password: str | None = None) -> None:
        from epic_events.migrations import upgrade

        def created(role: str) -> None:
            kind = "the program's" if role.endswith("_app") else "cannot log in, owns the schema"
            self._did(f"database role {role} ({kind})")

        before, after = upgrade(database.engine, app_password, on_role_created=created)
        if before == after:
            self._kept(f"database schema is up to date (revision {after})")
        else:
            self._did(f"database schema upgraded from {before or 'nothing'} to {after}")

    def seed(self, database: Database, seed: SeedData) -> None:
        """Insert the missing departments and users; passwords are asked for first, so no
        transaction stays open while someone types."""
        with database.unit_of_work() as uow:
            manager = CollaboratorManager(uow.session)
            departments = [name for name in seed.departments if manager.department(name) is None]
            missing = []
            for number, user in enumerate(seed.users, start=1):
                if manager.get_by_email(user.email) is None:
                    missing.append((number, user))
                else:
                    self._kept(f"collaborator {user.email} already exists")
        chosen = {number: self.password_for(number, user) for number, user in missing}
        with database.unit_of_work() as uow:
            manager = CollaboratorManager(uow.session)
            for name in departments:
                uow.session.add(Department(name=name.value))
                self._did(f"department {name.value}")
            uow.flush()
            for number, user in missing:
                if chosen[number] is None:
                    self.say(f"  ! skipped {user.email}: set USER_{number}_PW to create them")
                    continue
                manager.add(
                    Collaborator(
                        name=user.name,
                        email=user.email,
                        phone=user.phone,
                        department=manager.department(user.department),
                        password_hash=passwords.hash_password(chosen[number]),
                    )
                )
                uow.flush()
                role = "super user" if number == 1 else "collaborator"
                self._did(f"{role} {user.email} ({user.department.value})")
            uow.commit()

    def password_for(self, number: int, user: SeedUser) -> str | None:
        key = f"USER_{number}_PW"
        value = self.environ.get(key) or read_env_file(self.home / ".env").get(key)
        if value:
            try:
                return validate_password(value)
            except ValidationError as problem:
                raise ConfigurationError(
                    f"{key} is not an acceptable password: {problem}"
                ) from None
        if number > 1:
            return None
        if self.interactive:
            return self.ask_password(user)
        generated = secrets.token_urlsafe(18)
        set_env_value(self.home / ".env", key, generated)
        self.say(
            f"  ! generated a password for the super user {user.email}: {generated}\n"
            f"    It is shown once and kept in {self.home / '.env'} as {key}."
        )
        return generated

    def ask_password(self, user: SeedUser) -> str:
        while True:
            first = getpass.getpass(f"Password for the super user {user.email}: ")
            try:
                validate_password(first)
            except ValidationError as problem:
                self.say(str(problem))
                continue
            if getpass.getpass("Same password again: ") == first:
                return first
            self.say("The two passwords differ: please type them again.")
