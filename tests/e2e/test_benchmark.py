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
    "shared_buffers",
    "screens",
    "max_ms",
    "max_queries",
    "worst_ratio",
    "peak_rss_mb",
    "session_check_ms",
    "startup_s",
    "history_rows",
    "ops",
    "ops_max_ms",
    "ops_worst",
    "ops_max_queries",
    "exports",
    "export_rows_per_s",
    "ops_peak_rss_mb",
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


@pytest.fixture(scope="module")
def benchmark_summary(postgres) -> dict:
    """The benchmark run once at a small size: its last line, read as JSON."""
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
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_benchmark_measures_every_screen_and_ends_with_one_json_line(benchmark_summary):
    summary = benchmark_summary
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
    check = summary["session_check_ms"]
    assert set(check) == {"round_trip", "enter_session", "current_collaborator_id"}
    assert all(ms > 0 for ms in check.values())


def test_the_benchmark_times_every_operation_and_the_exports(benchmark_summary):
    ops = benchmark_summary["ops"]
    assert len(ops) >= 40
    for name in (
        "events_search_1_letter",
        "clients_search_rare_word",
        "activity_search_mixed_case",
        "history_search_common_word",
        "contracts_page_last",
        "events_sort_attendees_desc",
        "contracts_filter_unpaid_search_surname",
        "client_detail_busiest",
        "dashboard_support",
        "picker_events_4_letters",
        "picker_signed_contracts_offered",
        "picker_collaborators_1_letter",
        "contract_sign",
    ):
        assert name in ops
    for op in ops.values():
        assert set(op) == {"ms", "queries"}
        assert op["ms"] > 0
        assert 1 <= op["queries"] <= 12
    assert benchmark_summary["ops_max_ms"] == ops[benchmark_summary["ops_worst"]]["ms"]
    assert benchmark_summary["ops_max_queries"] == max(op["queries"] for op in ops.values())
    exported = benchmark_summary["exports"]
    assert {name: row["rows"] for name, row in exported.items()} == {
        "clients": 300 + 12,  # and those the benchmark created: 6 to change, 6 new
        "contracts": 900 + 18,
        "events": 2000 + 12,
        "collaborators": 1 + 30 + 6,
    }
    assert benchmark_summary["export_rows_per_s"] == min(
        exported[name]["rows_per_s"] for name in ("clients", "contracts", "events")
    )
    assert benchmark_summary["export_rows_per_s"] > 0
    assert benchmark_summary["history_rows"] > 300 + 900 + 2000
