"""Time the CSV export of every list on a demo database that already exists.

    python benchmarks/exports.py --data-dir data          # the embedded server in data/
    DATABASE_URL=postgresql://… python benchmarks/exports.py
    python benchmarks/exports.py --python                 # also the ORM + Python way

Exports clients, contracts and events (all of them, default sort) as the user whose session
`project.py login --email EMAIL` saved (the super user by default), through the real
controllers, into a temporary folder, and prints one line per export, then one JSON
line: rows, best and median seconds and rows/s per list, this process's peak RSS and the
machine's load average (the database server shares its cores). With `--python`, each list
is also written the ORM and Python way, once, and the two files are compared byte for byte.
Nothing in the database is changed.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from epic_events.controllers import exports  # noqa: E402
from epic_events.controllers.auth import CurrentUser  # noqa: E402
from epic_events.db import Database, normalise_url, start_embedded  # noqa: E402
from epic_events.paging import ListQuery  # noqa: E402

LISTS = ("clients", "contracts", "events")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--email", default="admin@epicevents.example", help="who exports")
    parser.add_argument("--lists", nargs="+", choices=LISTS, default=list(LISTS))
    parser.add_argument("--runs", type=int, default=3, help="exports per list (best, median)")
    parser.add_argument("--python", action="store_true", help="compare with the Python way")
    return parser.parse_args(argv)


def export(db: Database, user: CurrentUser, name: str, path: Path, runs: int) -> dict:
    """`runs` exports of the list `name`: rows, best and median seconds, best rows/s."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = getattr(exports, f"export_{name}")(
            db.unit_of_work(), user, ListQuery(), path, progress=lambda done, total: None
        )
        seconds.append(time.perf_counter() - started)
    return {
        "rows": rows,
        "best_s": round(min(seconds), 2),
        "median_s": round(statistics.median(seconds), 2),
        "rows_per_s": round(rows / min(seconds)),
        "median_rows_per_s": round(rows / statistics.median(seconds)),
    }


def saved_session(db: Database, email: str) -> CurrentUser:
    """The session `project.py login --email EMAIL` saved in this home (the database holds
    sessions: nobody reads anything without one)."""
    from epic_events.auth.token_store import TokenStore
    from epic_events.config import load_settings
    from epic_events.controllers.auth import Authenticator

    settings = load_settings()
    store = TokenStore(settings.token_path, settings.jwt_key_path)
    resumed = Authenticator(
        db.unit_of_work, store, settings.require_jwt_secret(), settings.token_ttl
    ).resume(email)
    if resumed.user is None:
        sys.exit(
            f"no live session of {email} here: `python epic_events/project.py login --email "
            f"{email}` first ({resumed.message or 'none saved'})"
        )
    return resumed.user


def main(argv=None) -> None:
    args = parse_args(argv)
    given = os.environ.get("DATABASE_URL")
    url = normalise_url(given) if given else start_embedded(args.data_dir)
    db = Database(url)
    user = saved_session(db, args.email)
    summary = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.lists:
            path = Path(folder) / f"{name}.csv"
            summary[name] = export(db, user, name, path, args.runs)
            print(name, summary[name], flush=True)
            if args.python:
                old = Path(folder) / f"{name}.python.csv"
                names = exports.local_zone_names
                exports.local_zone_names = list  # no zone: the ORM and Python way
                try:
                    summary[name]["python"] = export(db, user, name, old, 1)
                finally:
                    exports.local_zone_names = names
                summary[name]["same_bytes"] = filecmp.cmp(path, old, shallow=False)
                print(name, "python", summary[name]["python"], flush=True)
            path.unlink()
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    summary["load_average"] = os.getloadavg()
    db.dispose()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
