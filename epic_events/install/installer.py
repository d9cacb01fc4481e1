"""One run of the installer: the files first, then the database, then the demo if asked;
or a backup of the database, or its restore."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from epic_events.config import SETTINGS_FILE, Settings, load_settings, read_env_file
from epic_events.database_url import url_database
from epic_events.db import Database
from epic_events.demo import DemoSize, Progress
from epic_events.errors import ConfigurationError
from epic_events.install import backup, database, files, seeding, workstations
from epic_events.install import restore as restoring
from epic_events.install.backup import BackupResult
from epic_events.install.backup import Progress as BytesProgress
from epic_events.install.backup_file import BackupError
from epic_events.install.passphrase import Passphrases
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
        workstation: str | None = None,
    ):
        """`prompt`: asks the super user's password (None: no terminal, one is generated);
        `database_url`: an administrator's URL for this run (never saved);
        `workstation`: this machine's name on a server (default: its host name)."""
        self.home = home
        self.env_file = home / SETTINGS_FILE
        self.report = Report(say)
        self.environ = dict(os.environ if environ is None else environ)
        if database_url:
            self.environ["DATABASE_ADMIN_URL"] = database_url
        self.workstation = workstations.clean_name(workstation) if workstation else None
        self.passwords = UserPasswords(self.env_file, self.environ, self.report, prompt)
        self.passphrases = Passphrases(self.environ, say, prompt)

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
        target = database.describe_target(load_settings(self.environ, self.home))
        self.report.say(f"Installing into {target}.")
        settings = self.prepare_files()
        seed = read_seed_file(settings.file_path)
        admin_url, embedded = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            database.check_admin(admin, None if embedded else self.report)
            with database.one_setup_at_a_time(admin):
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

    def prepare_files(self, *, data_file: bool = True) -> Settings:
        """settings.env (with its JWT secret), data.json, the token store and its key."""
        files.move_legacy_settings(self.home, self.report)
        files.ensure_env_file(self.env_file, self.environ, self.report)
        settings = load_settings(self.environ, self.home)
        if data_file:
            files.ensure_data_file(settings.file_path, self.report)
        settings.require_jwt_secret()
        files.ensure_token_files(settings, self.report)
        return settings

    def prepare_database(self, admin: Database, settings: Settings, embedded: bool) -> None:
        """The administrator checked, the roles made, the schema current, this machine's
        workstation made (or kept) and, on a server, its own URL saved."""
        database.migrate(admin, self.report)
        self.ensure_workstation(admin, settings, embedded)

    def ensure_workstation(self, admin: Database, settings: Settings, embedded: bool) -> None:
        configured = [settings.database_url, read_env_file(self.env_file).get("DATABASE_URL")]
        joined = workstations.ensure(admin, self.workstation, configured, embedded)
        if joined.created:
            self.report.did(
                f"workstation {joined.role} (this machine's own login, a member of the app role)"
            )
        else:
            self.report.kept(f"this machine is the workstation {joined.role}")
        if joined.program_url:
            files.save_program_url(self.env_file, joined.program_url, self.environ, self.report)

    def join(self) -> int:
        """Make this machine a workstation of an install that exists on a server: its own
        settings.env (JWT secret), key and token store, its own database role and
        password; nothing copied from another machine, no user created."""
        target = database.describe_target(load_settings(self.environ, self.home))
        self.report.say(f"Joining {target}.")
        settings = load_settings(self.environ, self.home)
        if not settings.database_admin_url:
            raise ConfigurationError(
                "--join needs the administrator's URL of the company server: set "
                "DATABASE_ADMIN_URL or give --database-url (it is never saved)."
            )
        admin_url, _ = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            database.check_admin(admin)
            with database.one_setup_at_a_time(admin):
                if database.installed_revision(admin) is None:
                    raise ConfigurationError(
                        f"Nothing is installed in {database.server_of(admin_url)}: run "
                        "setup.py without --join on the first machine."
                    )
                settings = self.prepare_files(data_file=False)
                database.migrate(admin, self.report)
                self.ensure_workstation(admin, settings, embedded=False)
        finally:
            admin.dispose()
        return self.report.changes

    def list_workstations(self) -> list[workstations.WorkstationRow]:
        with self._admin() as admin:
            return workstations.listed(admin)

    def revoke(self, name: str) -> workstations.WorkstationRow:
        with self._admin() as admin:
            row = workstations.revoke(admin, name)
        self.report.did(
            f"workstation {row.name} revoked: {row.role} can no longer log in, its "
            f"connections were closed ({row.connected} open)"
        )
        return row

    @contextlib.contextmanager
    def _admin(self) -> Iterator[Database]:
        settings = load_settings(self.environ, self.home)
        admin_url, _ = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            database.check_admin(admin)
            yield admin
        finally:
            admin.dispose()

    def backup(
        self,
        path: Path | None = None,
        *,
        into_folder: bool = False,
        keep: int | None = None,
        encrypted: bool = True,
        progress: BytesProgress | None = None,
    ) -> BackupResult:
        """Back the database up to `path` (a file, or a folder for a dated name: one that
        exists, or any with `into_folder`; None: the data folder's backups/), then keep only
        the newest `keep` backups of its folder."""
        settings = load_settings(self.environ, self.home)
        external = settings.database_admin_url or settings.database_url
        if not external and not (settings.data_dir / "pgdata").is_dir():
            raise BackupError(f"No database in {settings.data_dir}: nothing to back up.")
        passphrase = self.passphrases.to_write() if encrypted else None
        folder = settings.data_dir / "backups"
        if path is None or into_folder or path.is_dir():
            path = backup.default_path(path or folder)
        admin_url, _ = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            database.check_admin(admin)
        finally:
            admin.dispose()
        result = backup.back_up(admin_url, path, passphrase, progress)
        self.report.did(
            f"backup written: {result.path} ({backup.human_size(result.size)} in "
            f"{result.seconds:.1f} s, schema {result.revision}"
            f"{'' if encrypted else ', NOT ENCRYPTED'})"
        )
        for table, rows in result.counts.items():
            self.report.kept(f"{table}: {rows} rows")
        if keep is not None:
            for old in backup.rotate(result.path.parent, keep):
                self.report.did(f"removed the old backup {old.name} (keeping {keep})")
        return result

    def restore(
        self,
        path: Path,
        *,
        replace_existing: bool = False,
        progress: BytesProgress | None = None,
    ) -> int:
        """Restore the backup `path` into this install's database; return the changes made.

        The file is checked whole before anything changes. A database holding data is
        replaced only with `replace_existing`, after a backup of it is kept."""
        opened = restoring.open_backup(path, self.passphrases.to_read)
        header = opened.header
        self.report.kept(
            f"{path.name} is intact: schema {header.revision}, {sum(header.counts.values())} "
            f"rows, written {header.created}"
        )
        settings = self.prepare_files()
        admin_url, embedded = database.admin_url(settings)
        admin = Database(admin_url)
        try:
            database.check_admin(admin)
            held = self._refuse_unless_replacing(admin_url, replace_existing)
            if held:
                self._back_up_replaced(admin_url, settings, opened)
            restoring.empty_schema(admin_url)
            from epic_events.migrations import upgrade

            upgrade(
                admin.engine,
                on_role_created=lambda role: self.report.did(f"database role {role}"),
                revision=header.revision,
            )
            self.report.did(f"database schema {header.revision} with its roles, grants, policies")
            restoring.load_data(admin_url, opened, progress)
            restoring.check_counts(admin_url, header.counts)
            self.report.did(f"restored {sum(header.counts.values())} rows of {path.name}")
            database.migrate(admin, self.report)
            self.ensure_workstation(admin, settings, embedded)
        finally:
            admin.dispose()
        return self.report.changes

    def _refuse_unless_replacing(self, admin_url: str, replace: bool) -> list[str]:
        """The tables of the target that hold rows; refused unless `replace`."""
        held = [table for table, rows in restoring.holding(admin_url).items() if rows]
        if held and not replace:
            raise restoring.TargetHoldsData(
                f"The database {url_database(admin_url)} already holds data "
                f"({', '.join(held[:4])}{', ...' if len(held) > 4 else ''}): nothing was "
                "changed; --replace-existing replaces it (after backing it up)."
            )
        return held

    def _back_up_replaced(
        self, admin_url: str, settings: Settings, opened: restoring.OpenBackup
    ) -> None:
        path = backup.default_path(settings.data_dir / "backups")
        path = path.with_name(path.name.replace(backup.SUFFIX, "-before-restore" + backup.SUFFIX))
        saved = backup.back_up(admin_url, path, opened.passphrase)
        how = "same passphrase" if opened.passphrase else "NOT ENCRYPTED, like the restored file"
        self.report.did(f"backed up the data being replaced to {saved.path} ({how})")
