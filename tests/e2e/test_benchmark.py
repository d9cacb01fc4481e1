"""The benchmark runs at a small size on every CI run, so it never rots."""

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import REPO

pytestmark = pytest.mark.e2e

KEYS = {
    "clients",
    "contracts",
    "events",
    "seed_s",
    "screens",
    "max_ms",
    "max_queries",
    "worst_ratio",
    "peak_rss_mb",
    "startup_s",
}
SCREENS = {
    "clients_list",
    "contracts_list",
    "events_list",
    "filter_events_without_support",
    "filter_my_clients",
    "filter_unsigned_contracts",
    "filter_unpaid_contracts",
    "filter_my_events",
    "filter_upcoming_events",
    "search_clients",
    "client_detail",
}


def test_the_benchmark_measures_every_screen_and_ends_with_one_json_line(postgres):
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--clients", "300",
            "--contracts", "900",
            "--events", "2000",
            "--runs", "5",
            "--startup-runs", "1",
        ],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "DATABASE_ADMIN_URL": postgres.admin_url, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) == KEYS
    assert (summary["clients"], summary["contracts"], summary["events"]) == (300, 900, 2000)
    assert set(summary["screens"]) == SCREENS
    for screen in summary["screens"].values():
        assert set(screen) == {"ms", "raw_ms", "queries"}
        assert screen["ms"] > 0
        assert screen["raw_ms"] > 0
    assert summary["max_queries"] <= 4
    assert summary["startup_s"] > 0
    assert summary["peak_rss_mb"] > 0
