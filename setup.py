"""Install Epic Events CRM: settings files, database schema, departments and super user.

This is the database installer and seeder, not a packaging script. It is safe to run
again: it never overwrites or deletes anything, and says what it kept.
"""

import argparse
import getpass
import os
import sys

DESCRIPTION = """\
Create .env (with a new JWT secret) from .env.example, data.json from data.example.json,
the Fernet key file and token store (mode 0600), apply the database migrations and insert
the departments and the super user of data.json. The super user's password is USER_1_PW
(environment or .env); when it is unset you are asked for it on a terminal, and without a
terminal a strong one is generated, printed once and kept in .env.

Without DATABASE_URL, an embedded PostgreSQL runs in the data folder (DATA_DIR).
"""


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
    parser.add_argument(
        "--new-app-password",
        action="store_true",
        help="give the database's application role a new password and save the program's "
        "DATABASE_URL (other installs of the same database then need it)",
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
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never ask anything: generate the super user's password when USER_1_PW is unset",
    )
    return parser.parse_args(argv)


def describe(problem: Exception) -> str:
    from sqlalchemy.exc import OperationalError

    if isinstance(problem, OperationalError):
        return "the database cannot be reached: check DATABASE_URL and that the server is running."
    return f"unexpected {type(problem).__name__}; run again with EPIC_EVENTS_DEBUG=1 for details."


def main(argv=None) -> int:
    args = parse_args(argv)
    from epic_events.config import project_home
    from epic_events.errors import EpicEventsError
    from epic_events.install import Installer

    home = project_home()
    print(f"Setting up Epic Events CRM in {home}")
    installer = Installer(
        home,
        print,
        prompt=getpass.getpass if sys.stdin.isatty() and not args.no_input else None,
        database_url=args.database_url,
        new_app_password=args.new_app_password,
    )
    demo = None
    if args.demo:
        from epic_events.demo import DemoSize

        demo = DemoSize(args.commerce, args.support, args.clients, args.contracts, args.events)
    try:
        if demo is None:
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
    if changes:
        print(f"Done: {changes} change(s). Start the program with: python epic_events/project.py")
    else:
        print("Nothing to do: everything was already set up.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
