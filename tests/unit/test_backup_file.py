"""The backup file's format: what is written reads back, and any change to it is refused."""

from __future__ import annotations

import functools
import io
import struct

import pytest

from epic_events.install import backup_file
from epic_events.install.backup_file import (
    DamagedBackup,
    NewerBackup,
    NotABackup,
    WrongPassphrase,
    new_header,
    open_sealer,
    read_chunks,
    read_header,
    write_backup,
)

PASSPHRASE = "unit passphrase"


@pytest.fixture(autouse=True)
def quick_kdf(monkeypatch):
    """scrypt at a cost fit for tests (the real one takes half a second)."""
    monkeypatch.setattr(backup_file, "SCRYPT", {"n": 1 << 10, "r": 8, "p": 1})
    original = backup_file.derive_keys
    cached = functools.lru_cache(lambda p, salt, kdf: original(p, salt, dict(kdf)))
    monkeypatch.setattr(
        backup_file, "derive_keys", lambda p, salt, kdf: cached(p, salt, tuple(kdf.items()))
    )
    monkeypatch.setattr(backup_file, "CHUNK_SIZE", 64)


def written(payload: bytes, passphrase: str | None = PASSPHRASE, revision: str = "0007") -> bytes:
    header, sealer = new_header(revision, "epic_events", "2030-01-01", {"clients": 2}, passphrase)
    out = io.BytesIO()
    pieces = [payload[i : i + 10] for i in range(0, len(payload), 10)]
    write_backup(out, header, sealer, pieces)
    return out.getvalue()


def read(data: bytes, passphrase: str | None = PASSPHRASE) -> bytes:
    source = io.BytesIO(data)
    header, header_bytes = read_header(source, "x.backup")
    sealer = open_sealer(header, header_bytes, passphrase, "x.backup")
    return b"".join(read_chunks(source, sealer, "x.backup"))


PAYLOAD = bytes(range(256)) * 3  # twelve chunks of 64 bytes


@pytest.mark.parametrize("passphrase", [PASSPHRASE, None], ids=["encrypted", "in clear"])
@pytest.mark.parametrize("size", [0, 1, 64, 65, len(PAYLOAD)])
def test_what_is_written_reads_back(passphrase, size):
    assert read(written(PAYLOAD[:size], passphrase), passphrase) == PAYLOAD[:size]


def test_the_header_says_what_the_backup_holds_without_the_passphrase():
    header, _ = read_header(io.BytesIO(written(PAYLOAD)), "x.backup")
    assert (header.revision, header.counts, header.encrypted) == ("0007", {"clients": 2}, True)


def test_the_payload_is_not_in_clear_when_encrypted():
    assert PAYLOAD[:64] not in written(PAYLOAD)
    assert PAYLOAD[:64] in written(PAYLOAD, None)


def test_a_wrong_passphrase_is_named_as_such():
    with pytest.raises(WrongPassphrase, match=r"Wrong passphrase for x\.backup"):
        read(written(PAYLOAD), "another passphrase")


def test_a_file_of_another_kind_is_not_a_backup():
    with pytest.raises(NotABackup, match="not an Epic Events backup"):
        read(b"PGDMP\x01\x0e" + bytes(100))


@pytest.mark.parametrize(
    "change", [b'"format":2', b'"format":2,"something_new":[]'], ids=["format", "new field"]
)
def test_a_newer_format_asks_for_a_newer_program(change):
    data = written(PAYLOAD).replace(b'"format":1', change)
    data = (
        data[:8]
        + struct.pack(">I", struct.unpack(">I", data[8:12])[0] + len(change) - 10)
        + data[12:]
    )
    with pytest.raises(NewerBackup, match="newer Epic Events CRM"):
        read(data)


@pytest.mark.parametrize("passphrase", [PASSPHRASE, None], ids=["encrypted", "in clear"])
def test_every_single_byte_changed_after_the_header_is_refused(passphrase):
    data = written(PAYLOAD[:200], passphrase)
    start = len(backup_file.MAGIC) + 4 + struct.unpack(">I", data[8:12])[0]
    for index in range(start, len(data)):
        altered = data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]
        with pytest.raises(DamagedBackup):
            read(altered, passphrase)


def test_a_changed_revision_in_the_header_is_refused():
    data = written(PAYLOAD).replace(b'"revision":"0007"', b'"revision":"0006"')
    with pytest.raises(DamagedBackup, match="altered or damaged"):
        read(data)


@pytest.mark.parametrize("passphrase", [PASSPHRASE, None], ids=["encrypted", "in clear"])
def test_every_cut_is_refused(passphrase):
    data = written(PAYLOAD[:200], passphrase)
    for length in range(len(data)):
        with pytest.raises((DamagedBackup, NotABackup)):
            read(data[:length], passphrase)


def chunk_spans(data: bytes) -> list[tuple[int, int]]:
    position = len(backup_file.MAGIC) + 4 + struct.unpack(">I", data[8:12])[0]
    spans = []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        spans.append((position, position + 5 + length))
        position += 5 + length
    return spans


def test_swapped_or_dropped_chunks_are_refused():
    data = written(PAYLOAD)
    spans = chunk_spans(data)
    (a, b), (c, d) = spans[1], spans[2]
    swapped = data[:a] + data[c:d] + data[a:b] + data[d:]
    with pytest.raises(DamagedBackup, match="chunk 1 fails its check"):
        read(swapped)
    dropped = data[:a] + data[b:]
    with pytest.raises(DamagedBackup):
        read(dropped)
    last_start = spans[-1][0]
    without_last = data[:last_start]
    with pytest.raises(DamagedBackup, match="cut short"):
        read(without_last)
