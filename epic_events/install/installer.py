"""One run of the installer: the files first, then the database, then the demo if asked."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from epic_events.config import Settings, load_settings, read_env_file
from epic_events.db import Database
from epic_events.demo import DemoSize, Progress
from epic_events.install import database, files, seeding
from epic_events.install.report import Report
from epic_events.install.user_passwords import Prompt, UserPasswords
from epic_events.seed_file import read_seed_file


class Installer:
    """One run of the installer; `say` prints a line of the report."""

    def __init__(
        self,
        home: Path,
        say: Callable[[str], None],
        *,
        environ: Mapping[str, str] | None = None,
        prompt: Prompt | None = None,
        database_url: str | None = None,
        new_app_password: bool = False,
    ):
        """`prompt`: asks the super user's password (None: no terminal, one is generated);
        `database_url`: an administrator's URL for this run (never saved);
        `new_app_password`: give an existing application role a new password."""
        self.home = home
        self.env_file = home / ".env"
        self.report = Report(say)
        self.environ = dict(os.environ if environ is None else environ)
        if database_url:
            self.environ["DATABASE_ADMIN_URL"] = database_url
        self.new_app_password = new_app_password
        self.passwords = UserPasswords(self.env_file, self.environ, self.report, prompt)

    def run(
        self,
        demo: DemoSize | None = None,
        progress: Progress | None = None,
        *,
        demo_on_live_data: bool = False,
    ) -> int:
        """Bring everything up to date, then load the demo company when asked (refused on a
        production database holding clients, unless `demo_on_live_data`); return the number
        of changes made."""
        settings = self.prepare_files()
        seed = read_seed_file(settings.file_path)
        admin_url, embedded = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            self.prepare_database(admin, settings, embedded)
            seeding.seed(admin, seed, self.report, self.passwords)
            if demo is not None:
                seeding.load_demo(
                    admin,
                    demo,
                    progress,
                    self.report,
                    production=not settings.is_development,
                    on_live_data=demo_on_live_data,
                )
        finally:
            admin.dispose()
        return self.report.changes

    def prepare_files(self) -> Settings:
        """.env (with its JWT secret), data.json, the token store and its key."""
        files.ensure_env_file(self.env_file, self.environ, self.report)
        settings = load_settings(self.environ, self.home)
        files.ensure_data_file(settings.file_path, self.report)
        settings.require_jwt_secret()
        files.ensure_token_files(settings, self.report)
        return settings

    def prepare_database(self, admin: Database, settings: Settings, embedded: bool) -> None:
        """The administrator checked, the roles made, the schema current; on an external
        server, the program's own URL saved once its role has that password."""
        database.check_admin(admin)
        password, program_url = (None, None) if embedded else self.app_login(settings, admin)
        database.migrate(admin, password, self.report)
        if program_url:
            files.save_program_url(self.env_file, program_url, self.environ, self.report)

    def app_login(self, settings: Settings, admin: Database) -> tuple[str | None, str | None]:
        configured = (settings.database_url, read_env_file(self.env_file).get("DATABASE_URL"))
        return database.app_login(admin, configured, self.new_app_password)
