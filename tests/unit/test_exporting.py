"""CSV exports on real files in a temporary folder: formula guard, atomic write, refusals."""

from __future__ import annotations

import csv
import os
import stat
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from epic_events.errors import EpicEventsError, ValidationError
from epic_events.exporting import (
    PROGRESS_EVERY,
    CopiedRows,
    check_destination,
    local_zone_names,
    local_zone_samples,
    money,
    neutralise,
    timestamp,
    write_copied_csv,
    write_csv,
)

HEADER = ["ID", "Name"]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name not in keep)


def rows(count: int) -> list[list[str]]:
    return [[str(n), f"Client {n}"] for n in range(1, count + 1)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of its own (tmp_path also holds the test's home folder)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


# -- the formula guard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_a_cell_that_could_start_a_formula_gets_a_leading_apostrophe(cell, expected):
    assert neutralise(cell) == expected


@pytest.mark.parametrize(
    "cell",
    ["", "Kevin Casey", "1500.50", "0.00", "2026-06-04 13:00", "42", "a=b", "x+1", "'quoted"],
)
def test_ordinary_text_and_our_own_numbers_are_left_as_they_are(cell):
    assert neutralise(cell) == cell


def test_money_has_two_decimals_a_dot_and_no_grouping():
    assert money(Decimal("1500.5")) == "1500.50"
    assert money(Decimal("1234567.00")) == "1234567.00"
    assert money(Decimal("0")) == "0.00"
    assert money(None) == ""


def test_dates_are_written_in_local_time_sortable_as_text():
    moment = datetime(2026, 6, 4, 13, 0, tzinfo=UTC)
    assert timestamp(moment) == moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert timestamp(None) == ""


# -- writing -------------------------------------------------------------------------------


def test_the_file_holds_the_header_and_every_row_in_order(folder):
    path = folder / "clients.csv"
    assert write_csv(path, HEADER, iter(rows(3))) == 3
    assert read(path) == [HEADER, *rows(3)]


def test_the_file_starts_with_a_byte_order_mark_so_excel_reads_accents(folder):
    path = folder / "events.csv"
    write_csv(path, ["Location"], [["Candé-sur-Beuvron"]])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Candé-sur-Beuvron".encode() in data


def test_every_cell_written_is_neutralised_header_included(folder):
    path = folder / "clients.csv"
    write_csv(path, ["=ID"], [['=HYPERLINK("http://evil")'], ["@SUM(A1)"], ["+1"], ["-1"]])
    assert read(path) == [
        ["'=ID"],
        ['\'=HYPERLINK("http://evil")'],
        ["'@SUM(A1)"],
        ["'+1"],
        ["'-1"],
    ]


def test_notes_over_several_lines_with_quotes_and_commas_stay_in_one_cell(folder):
    path = folder / "events.csv"
    notes = 'Wedding at 3PM, "by the river".\nDJ after party.'
    write_csv(path, ["Notes"], [[notes]])
    assert read(path) == [["Notes"], [notes]]


def test_the_file_is_readable_by_its_owner_only(folder):
    path = folder / "clients.csv"
    old_umask = os.umask(0)
    try:
        write_csv(path, HEADER, rows(1))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_file_is_replaced_whole_and_made_private(folder):
    path = folder / "clients.csv"
    path.write_text("old,content\n" * 100)
    path.chmod(0o644)
    write_csv(path, HEADER, rows(2))
    assert read(path) == [HEADER, *rows(2)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert leftovers(folder, {"clients.csv"}) == []


def test_a_successful_write_leaves_no_temporary_file(folder):
    write_csv(folder / "clients.csv", HEADER, rows(2500))
    assert leftovers(folder, {"clients.csv"}) == []


def failing_rows(after: int, error: BaseException):
    yield from rows(after)
    raise error


@pytest.mark.parametrize("error", [RuntimeError("database gone"), KeyboardInterrupt()])
def test_a_failure_midway_keeps_the_old_file_and_leaves_no_temporary_file(folder, error):
    path = folder / "clients.csv"
    path.write_text("the old export\n")
    with pytest.raises(type(error)):
        write_csv(path, HEADER, failing_rows(1500, error))
    assert path.read_text() == "the old export\n"
    assert leftovers(folder, {"clients.csv"}) == []


def test_a_failure_midway_creates_no_file_when_there_was_none(folder):
    with pytest.raises(RuntimeError):
        write_csv(folder / "clients.csv", HEADER, failing_rows(10, RuntimeError("boom")))
    assert leftovers(folder, set()) == []


def test_a_write_error_says_nothing_was_saved_and_cleans_up(folder, monkeypatch):
    path = folder / "clients.csv"

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(EpicEventsError, match="nothing was saved"):
        write_csv(path, HEADER, rows(3))
    assert leftovers(folder, set()) == []


# -- refusals ------------------------------------------------------------------------------


def test_a_folder_is_refused(folder):
    with pytest.raises(ValidationError, match="is a folder"):
        write_csv(folder, HEADER, rows(1))


def test_a_missing_folder_is_refused_and_not_created(folder):
    path = folder / "missing" / "clients.csv"
    with pytest.raises(ValidationError, match="does not exist"):
        write_csv(path, HEADER, rows(1))
    assert not path.parent.exists()


def test_a_symbolic_link_is_refused_and_its_target_untouched(folder):
    target = folder / "precious.txt"
    target.write_text("keep me")
    link = folder / "clients.csv"
    link.symlink_to(target)
    with pytest.raises(ValidationError, match="symbolic link"):
        write_csv(link, HEADER, rows(1))
    assert target.read_text() == "keep me"
    assert link.is_symlink()


def test_a_dangling_symbolic_link_is_refused_too(folder):
    link = folder / "clients.csv"
    link.symlink_to(folder / "nowhere.csv")
    with pytest.raises(ValidationError, match="symbolic link"):
        check_destination(link)
    assert not (folder / "nowhere.csv").exists()


def test_something_other_than_a_regular_file_is_refused(folder):
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError, match="not a regular file"):
        write_csv(fifo, HEADER, rows(1))


def test_a_folder_that_cannot_be_written_to_is_refused_with_a_clear_message(folder, monkeypatch):
    def denied(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ValidationError, match=r"cannot be written to \(Permission denied\)"):
        write_csv(folder / "clients.csv", HEADER, rows(1))


def test_a_refused_path_consumes_no_row(folder):
    consumed = []

    def watched():
        consumed.append(1)
        yield ["1", "x"]

    with pytest.raises(ValidationError):
        write_csv(folder, HEADER, watched())
    assert consumed == []


# -- progress ------------------------------------------------------------------------------


def test_progress_is_reported_every_thousand_rows_and_at_the_end(folder):
    seen = []
    write_csv(folder / "clients.csv", HEADER, rows(2500), seen.append)
    assert seen == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 2500]


def test_progress_is_not_reported_twice_for_a_round_number(folder):
    seen = []
    write_csv(folder / "clients.csv", HEADER, rows(2000), seen.append)
    assert seen == [1000, 2000]


def test_an_empty_export_has_its_header_and_reports_zero(folder):
    seen = []
    path = folder / "clients.csv"
    assert write_csv(path, HEADER, [], seen.append) == 0
    assert read(path) == [HEADER]
    assert seen == [0]


# -- rows a database wrote (COPY … CSV) ------------------------------------------------------


def copy_lines(lines: list[str]):
    """A stand-in for PostgreSQL's COPY: each row in one write, ending with LF."""

    def copy(into: CopiedRows) -> int:
        for line in lines:
            into.write(line + "\n")
        return len(lines)

    return copy


def test_copied_rows_end_with_crlf_and_breaks_inside_a_quoted_cell_stay_as_they_are(folder):
    path = folder / "events.csv"
    copied = ['1,"Wedding at 3PM, ""by the river"".\nDJ after party."', "2,Candé"]
    assert write_copied_csv(path, ["ID", "Notes"], copy_lines(copied)) == 2
    assert path.read_bytes() == (
        b"\xef\xbb\xbfID,Notes\r\n"
        b'1,"Wedding at 3PM, ""by the river"".\nDJ after party."\r\n' + "2,Candé\r\n".encode()
    )
    assert read(path) == [
        ["ID", "Notes"],
        ["1", 'Wedding at 3PM, "by the river".\nDJ after party.'],
        ["2", "Candé"],
    ]


def test_copied_rows_make_the_file_write_csv_makes_from_the_same_cells(folder):
    cells = [["1", 'Chloé, "Zoé"', "'=1+1", ""], ["2", "a\r\nb", "x", "y"]]
    write_csv(folder / "python.csv", ["ID", "Name", "Company", "Notes"], cells)
    copied = ['1,"Chloé, ""Zoé""",\'=1+1,', '2,"a\r\nb",x,y']
    write_copied_csv(folder / "sql.csv", ["ID", "Name", "Company", "Notes"], copy_lines(copied))
    assert (folder / "sql.csv").read_bytes() == (folder / "python.csv").read_bytes()


def test_copied_rows_report_progress_as_write_csv_does_and_the_header_is_guarded(folder):
    seen = []
    path = folder / "clients.csv"
    lines = [f"{n},Client {n}" for n in range(1, 2501)]
    assert write_copied_csv(path, ["=ID", "Name"], copy_lines(lines), seen.append) == 2500
    assert seen == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 2500]
    assert read(path)[0] == ["'=ID", "Name"]
    assert len(read(path)) == 2501
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_copy_has_its_header_and_reports_zero(folder):
    seen = []
    path = folder / "clients.csv"
    assert write_copied_csv(path, HEADER, copy_lines([]), seen.append) == 0
    assert read(path) == [HEADER]
    assert seen == [0]


def test_rows_lost_between_the_database_and_the_file_save_nothing(folder):
    path = folder / "clients.csv"
    path.write_text("the old export\n")

    def short(into: CopiedRows) -> int:
        into.write("1,Client 1\n")
        return 2

    with pytest.raises(EpicEventsError, match="nothing was saved"):
        write_copied_csv(path, HEADER, short)
    assert path.read_text() == "the old export\n"
    assert leftovers(folder, {"clients.csv"}) == []


def test_a_write_that_is_not_a_whole_row_is_refused_and_saves_nothing(folder):
    def half(into: CopiedRows) -> int:
        into.write('1,"Client')
        return 1

    with pytest.raises(ValueError, match="line break"):
        write_copied_csv(folder / "clients.csv", HEADER, half)
    assert leftovers(folder, set()) == []


@pytest.mark.parametrize("error", [RuntimeError("database gone"), KeyboardInterrupt()])
def test_a_copy_failing_midway_keeps_the_old_file(folder, error):
    path = folder / "clients.csv"
    path.write_text("the old export\n")

    def failing(into: CopiedRows) -> int:
        copy_lines([f"{n},x" for n in range(1500)])(into)
        raise error

    with pytest.raises(type(error)):
        write_copied_csv(path, HEADER, failing)
    assert path.read_text() == "the old export\n"
    assert leftovers(folder, {"clients.csv"}) == []


def test_a_copy_to_a_refused_path_never_starts(folder):
    started = []
    with pytest.raises(ValidationError, match="is a folder"):
        write_copied_csv(folder, HEADER, started.append)
    assert started == []


# -- the local time zone's name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "names"),
    [
        ("Europe/Paris", ["Europe/Paris"]),
        (":Europe/Paris", ["Europe/Paris"]),
        ("/usr/share/zoneinfo/America/St_Johns", ["America/St_Johns"]),
        ("", ["UTC"]),
        ("CET-1CEST,M3.5.0,M10.5.0/3", ["CET-1CEST,M3.5.0,M10.5.0/3"]),
    ],
)
def test_tz_when_set_is_the_only_name_the_local_zone_goes_by(tmp_path, tz, names):
    assert local_zone_names({"TZ": tz}, tmp_path / "localtime") == names


def test_without_tz_the_zone_is_where_etc_localtime_links_to(tmp_path):
    localtime = tmp_path / "localtime"
    localtime.symlink_to("/usr/share/zoneinfo/Europe/Paris")
    assert local_zone_names({}, localtime) == ["Europe/Paris", "UTC"]


def test_a_copied_zone_file_is_named_by_etc_timezone_when_there_is_one(tmp_path):
    localtime = tmp_path / "localtime"
    localtime.write_bytes(b"TZif2")
    assert local_zone_names({}, localtime) == ["UTC"]
    (tmp_path / "timezone").write_text("Europe/Paris\n")
    assert local_zone_names({}, localtime) == ["Europe/Paris", "UTC"]


def test_without_tz_nor_etc_localtime_the_zone_is_utc(tmp_path):
    assert local_zone_names({}, tmp_path / "localtime") == ["UTC"]


def test_the_zone_samples_are_how_timestamp_writes_them_winter_and_summer():
    samples = local_zone_samples()
    assert {instant.month for instant in samples} >= {1, 7}
    assert all(text == timestamp(instant) for instant, text in samples.items())
