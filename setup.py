"""Install Epic Events CRM: settings files, database schema, departments and super user.

This is the database installer and seeder, not a packaging script. It is safe to run
again: it never overwrites or deletes anything, and says what it kept.
"""

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

DESCRIPTION = """\
Create settings.env (with a new JWT secret) from settings.env.example, data.json from
data.example.json, the Fernet key file and token store (mode 0600), apply the database
migrations and insert the departments and the super user of data.json. The super user's
password is USER_1_PW (environment or settings.env); when it is unset you are asked for it on
a terminal, and without a terminal a strong one is generated, printed once and kept in
settings.env. An older install's .env is renamed settings.env (`pipenv run` loads a .env over
the environment; settings.env it leaves alone).

Without DATABASE_URL, an embedded PostgreSQL runs in the data folder (DATA_DIR).
"""


DEFAULT_FOLDER = "the data folder's backups/"  # --backup without a PATH (compared by identity)


def positive(text: str) -> int:
    try:
        number = int(text.replace("_", ""))
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return number


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="setup.py",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="an administrator's (superuser's) URL to install with, instead of "
        "DATABASE_ADMIN_URL or the embedded server; never saved",
    )
    machines = parser.add_argument_group(
        "workstations",
        "each machine of an install logs in to the server as a role of its own, with its own "
        "password, JWT secret, key and token store (the first install is the first one)",
    )
    machines.add_argument(
        "--join",
        action="store_true",
        help="make this machine a workstation of an install on a server: the administrator's "
        "URL from DATABASE_ADMIN_URL or --database-url, else asked (never saved)",
    )
    machines.add_argument(
        "--name",
        metavar="NAME",
        help="this workstation's name (default: the host name)",
    )
    machines.add_argument(
        "--workstations",
        action="store_true",
        help="list the workstations (name, created, last seen, revoked, open connections)",
    )
    machines.add_argument(
        "--revoke",
        metavar="NAME",
        help="end the workstation NAME: its role can no longer log in, its connections close",
    )
    demo = parser.add_argument_group(
        "demo data", "a realistic company for trying the program and benchmarking it"
    )
    demo.add_argument(
        "--demo",
        action="store_true",
        help="also load the demo company (bulk COPY; never duplicated, never touches other data)",
    )
    demo.add_argument(
        "--demo-on-live-data",
        action="store_true",
        help="load the demo even into a production database that holds clients of its own "
        "(its indexes are rebuilt under exclusive locks: staff wait meanwhile)",
    )
    for name, default, what in (
        ("commerce", 20, "commerce collaborators"),
        ("support", 10, "support collaborators"),
        ("clients", 100_000, "clients"),
        ("contracts", 300_000, "contracts"),
        ("events", 1_000_000, "events (on signed contracts)"),
    ):
        demo.add_argument(
            f"--{name}",
            type=positive,
            default=default,
            metavar="N",
            help=f"number of demo {what} (default {default:,})".replace(",", " "),
        )
    backups = parser.add_argument_group(
        "backups",
        "an encrypted copy of the whole database (passphrase from EPIC_EVENTS_BACKUP_PASSPHRASE, "
        "else asked on a terminal), and its restore",
    )
    backups.add_argument(
        "--backup",
        nargs="?",
        const=DEFAULT_FOLDER,
        metavar="PATH",
        help="back the database up (works while staff use it) to PATH, a file or a folder "
        "(an existing one, or ending with /) for a dated file (default: the data folder's "
        "backups/)",
    )
    backups.add_argument(
        "--keep",
        type=positive,
        metavar="N",
        help="with --backup: keep only the newest N backups of that folder",
    )
    backups.add_argument(
        "--unencrypted",
        action="store_true",
        help="with --backup: write the backup in clear (it holds personal data)",
    )
    backups.add_argument(
        "--restore",
        type=Path,
        metavar="PATH",
        help="restore the backup PATH into an empty database (migrated to this version)",
    )
    backups.add_argument(
        "--replace-existing",
        action="store_true",
        help="with --restore: replace a database that holds data (a backup of it is kept first)",
    )
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never ask anything: generate the super user's password when USER_1_PW is unset",
    )
    args = parser.parse_args(argv)
    if args.backup and args.restore:
        parser.error("--backup and --restore cannot be used together")
    if args.backup is None and (args.keep or args.unencrypted):
        parser.error("--keep and --unencrypted go with --backup")
    if args.restore is None and args.replace_existing:
        parser.error("--replace-existing goes with --restore")
    if (args.backup or args.restore) and args.demo:
        parser.error("--demo cannot be used with --backup or --restore")
    alone = [
        flag
        for flag, given in (
            ("--join", args.join),
            ("--workstations", args.workstations),
            ("--revoke", args.revoke),
            ("--backup", args.backup),
            ("--restore", args.restore),
            ("--demo", args.demo),
        )
        if given
    ]
    if len(alone) > 1:
        parser.error(f"{' and '.join(alone)} cannot be used together")
    return args


class BytesProgress:
    """One line, redrawn in place on a terminal: how much was written or read so far."""

    def __init__(self, what: str):
        self.what = what
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.shown >= 0.2:
            self.shown, self.drawn = now, True
            print(f"\r  {self.what}: {done / 1e6:,.1f} MB", end="", flush=True)

    def end(self) -> None:
        if self.drawn:
            print()


def run_backups(installer, args) -> int:
    """--backup or --restore; return the changes made."""
    progress = BytesProgress("backing up" if args.backup else "restoring")
    report = progress if sys.stdout.isatty() else None
    try:
        if args.backup:
            given = None if args.backup is DEFAULT_FOLDER else args.backup
            installer.backup(
                Path(given) if given else None,
                into_folder=bool(given) and given.endswith(("/", os.sep)),
                keep=args.keep,
                encrypted=not args.unencrypted,
                progress=report,
            )
            return installer.report.changes
        return installer.restore(
            args.restore, replace_existing=args.replace_existing, progress=report
        )
    finally:
        progress.end()


def admin_url_for(args) -> str | None:
    """--join on a terminal without DATABASE_ADMIN_URL: ask for it (hidden, never saved)."""
    if not args.join or os.environ.get("DATABASE_ADMIN_URL") or not sys.stdin.isatty():
        return None
    if args.no_input:
        return None
    try:
        url = getpass.getpass(
            "Administrator's URL of the company server (postgresql://user:password@host:5432/"
            "epic_events, hidden, never saved): "
        ).strip()
    except (KeyboardInterrupt, EOFError):
        return None
    return url or None


def show_workstations(rows) -> None:
    """One line a workstation, aligned; dates in local time."""

    def when(moment) -> str:
        return moment.astimezone().strftime("%d/%m/%Y %H:%M") if moment else "never"

    if not rows:
        print("No workstation yet: setup.py makes the first one.")
        return
    table = [("NAME", "CREATED", "BY", "LAST SEEN", "STATE")]
    for row in rows:
        state = f"revoked {when(row.revoked_at)}" if row.revoked_at else "active"
        if row.connected and not row.revoked_at:
            state += f", {row.connected} connection(s) open"
        table.append(
            (row.name, when(row.created_at), row.created_by, when(row.last_seen_at), state)
        )
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
            + "  "
            + line[4]
        )


def describe(problem: Exception) -> str:
    from sqlalchemy.exc import OperationalError

    if isinstance(problem, OperationalError):
        return "the database cannot be reached: check DATABASE_URL and that the server is running."
    return f"unexpected {type(problem).__name__}; run again with EPIC_EVENTS_DEBUG=1 for details."


def main(argv=None) -> int:
    args = parse_args(argv)
    from epic_events.installed import require_packages

    require_packages("setup.py")
    from epic_events.config import project_home
    from epic_events.errors import EpicEventsError
    from epic_events.install import Installer

    home = project_home()
    print(f"Setting up Epic Events CRM in {home}")
    installer = Installer(
        home,
        print,
        prompt=getpass.getpass if sys.stdin.isatty() and not args.no_input else None,
        database_url=args.database_url or admin_url_for(args),
        workstation=args.name,
    )
    demo = None
    if args.demo:
        from epic_events.demo import DemoSize

        demo = DemoSize(args.commerce, args.support, args.clients, args.contracts, args.events)
    try:
        if args.workstations:
            show_workstations(installer.list_workstations())
            return 0
        if args.revoke:
            installer.revoke(args.revoke)
            return 0
        if args.join:
            changes = installer.join()
        elif args.backup or args.restore:
            changes = run_backups(installer, args)
        elif demo is None:
            changes = installer.run()
        else:
            from epic_events.views.progress import bulk_progress

            with bulk_progress() as progress:
                changes = installer.run(demo, progress, demo_on_live_data=args.demo_on_live_data)
    except EpicEventsError as problem:
        print(f"setup.py: {problem}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\nsetup.py: cancelled; run it again to finish.", file=sys.stderr)
        return 130
    except Exception as problem:  # one line for the user; the traceback only when asked
        if os.environ.get("EPIC_EVENTS_DEBUG", "").lower() in ("1", "true", "yes", "on"):
            raise
        print(f"setup.py: {describe(problem)}", file=sys.stderr)
        return 1
    if args.backup:
        return 0
    start = start_command()
    if changes:
        print(f"Done: {changes} change(s). Start the program with: {start}")
    else:
        print(f"Nothing to do: everything was already set up. Start the program with: {start}")
    return 0


def start_command() -> str:
    """The command that really starts the program from the folder setup.py was run in:
    under pipenv (when `pipenv` is on PATH), pipenv's; else this very interpreter (the one
    that has the dependencies), never a bare `python`; paths relative to that folder when
    the project is in it, else absolute."""
    import shlex
    import shutil

    here = Path.cwd()
    project = Path(__file__).resolve().parent
    script = project / "epic_events" / "project.py"
    try:
        shown = script.relative_to(here)
    except ValueError:
        shown = script
    if os.environ.get("PIPENV_ACTIVE") and shutil.which("pipenv"):
        prefix = "" if here == project else f"cd {shlex.quote(str(project))} && "
        return f"{prefix}pipenv run python epic_events/project.py"
    python = Path(sys.executable)
    if python.is_relative_to(here):
        python = python.relative_to(here)
    return f"{shlex.quote(str(python))} {shlex.quote(str(shown))}"


if __name__ == "__main__":
    sys.exit(main())
