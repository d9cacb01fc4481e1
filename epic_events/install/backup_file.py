"""The backup file: a small header, then the database's dump in sealed chunks.

    MAGIC (8 bytes) | header length (4) | header (JSON) | chunk | chunk | ... | last chunk

Each chunk is `length (4) | last? (1) | sealed bytes`. Encrypted files seal each chunk with
AES-256-GCM under a key derived from the passphrase by scrypt (salt in the header); the
nonce is the chunk's number, and the header, the number and the last-chunk flag are
authenticated with it: an altered byte, a swapped, dropped or added chunk, or a cut file all
fail to open. Files written `--unencrypted` carry a SHA-256 tag per chunk instead, against
accidental damage only. Memory stays flat: one chunk at a time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from epic_events.errors import EpicEventsError

MAGIC = b"EPICBAK\n"
FORMAT = 1
CHUNK_SIZE = 1 << 20
MAX_HEADER = 1 << 16
SCRYPT = {"n": 1 << 17, "r": 8, "p": 1}  # 128 MiB, about half a second
TAG = 16
KEY_CHECK_CONTEXT = b"epic-events backup key check"


class BackupError(EpicEventsError):
    """A backup cannot be made or restored; nothing was changed."""


class NotABackup(BackupError):
    """The file is not an Epic Events backup."""


class WrongPassphrase(BackupError):
    """The passphrase does not open this backup."""


class DamagedBackup(BackupError):
    """The backup file is cut short or was altered after it was written."""


class NewerBackup(BackupError):
    """The backup comes from a newer version of the program than this one."""


@dataclass(frozen=True)
class Header:
    """What a backup says about itself, readable without its passphrase."""

    revision: str
    database: str
    created: str
    counts: dict[str, int]
    encrypted: bool = True
    salt: str = ""
    key_check: str = ""
    kdf: dict[str, int] = field(default_factory=lambda: dict(SCRYPT))
    format: int = FORMAT

    def to_bytes(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Header:
        values = json.loads(data)
        if not isinstance(values, dict):
            raise ValueError("not an object")
        if values.get("format", FORMAT) > FORMAT:  # its other fields may be unknown here
            return cls("", "", "", {}, format=values["format"])
        return cls(**values)


def derive_keys(passphrase: str, salt: bytes, kdf: dict[str, int]) -> tuple[bytes, bytes]:
    """The chunk key and the key-check value of a passphrase."""
    material = hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=kdf["n"],
        r=kdf["r"],
        p=kdf["p"],
        maxmem=256 * 1024 * 1024,
        dklen=64,
    )
    check = hmac.new(material[32:], KEY_CHECK_CONTEXT, hashlib.sha256).digest()[:16]
    return material[:32], check


class Sealer:
    """Seals and opens the chunks of one file; `key` None means unencrypted."""

    def __init__(self, header_bytes: bytes, key: bytes | None):
        self.header_bytes = header_bytes
        self.aead = None
        if key is not None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self.aead = AESGCM(key)

    def _context(self, number: int, last: bool) -> bytes:
        return self.header_bytes + struct.pack(">Q?", number, last)

    def seal(self, number: int, data: bytes, last: bool) -> bytes:
        context = self._context(number, last)
        if self.aead is None:
            return data + hashlib.sha256(context + data).digest()[:TAG]
        return self.aead.encrypt(struct.pack(">4xQ", number), data, context)

    def open(self, number: int, sealed: bytes, last: bool) -> bytes:
        """The chunk's bytes; raise DamagedBackup when they do not authenticate."""
        context = self._context(number, last)
        if self.aead is None:
            data, tag = sealed[:-TAG], sealed[-TAG:]
            if len(sealed) < TAG or hashlib.sha256(context + data).digest()[:TAG] != tag:
                raise DamagedBackup(f"chunk {number} does not match its checksum")
            return data
        from cryptography.exceptions import InvalidTag

        try:
            return self.aead.decrypt(struct.pack(">4xQ", number), sealed, context)
        except InvalidTag:
            raise DamagedBackup(f"chunk {number} does not authenticate") from None


def new_header(
    revision: str, database: str, created: str, counts: dict[str, int], passphrase: str | None
) -> tuple[Header, Sealer]:
    """A header for a new backup, and the sealer of its chunks (None: unencrypted)."""
    if passphrase is None:
        header = Header(revision, database, created, counts, encrypted=False, kdf={})
        return header, Sealer(header.to_bytes(), None)
    salt = os.urandom(16)
    key, check = derive_keys(passphrase, salt, SCRYPT)
    header = Header(revision, database, created, counts, salt=salt.hex(), key_check=check.hex())
    return header, Sealer(header.to_bytes(), key)


def write_backup(out: BinaryIO, header: Header, sealer: Sealer, stream: Iterable[bytes]) -> int:
    """Write the header and the sealed chunks of `stream`; return the bytes written."""
    header_bytes = header.to_bytes()
    out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
    written = len(MAGIC) + 4 + len(header_bytes)
    number = 0
    pending = b""
    for data in _rechunk(stream):
        if pending:
            written += _write_chunk(out, sealer, number, pending, last=False)
            number += 1
        pending = data
    return written + _write_chunk(out, sealer, number, pending, last=True)


def _rechunk(stream: Iterable[bytes]) -> Iterator[bytes]:
    buffer = bytearray()
    for data in stream:
        buffer += data
        while len(buffer) >= CHUNK_SIZE:
            yield bytes(buffer[:CHUNK_SIZE])
            del buffer[:CHUNK_SIZE]
    if buffer:
        yield bytes(buffer)


def _write_chunk(out: BinaryIO, sealer: Sealer, number: int, data: bytes, last: bool) -> int:
    sealed = sealer.seal(number, data, last)
    out.write(struct.pack(">I?", len(sealed), last) + sealed)
    return 5 + len(sealed)


def read_header(source: BinaryIO, name: str) -> tuple[Header, bytes]:
    """The header of a backup file (and its bytes); raise NotABackup or DamagedBackup."""
    start = source.read(len(MAGIC) + 4)
    if start[: len(MAGIC)] != MAGIC:
        raise NotABackup(f"{name} is not an Epic Events backup.")
    if len(start) < len(MAGIC) + 4:
        raise DamagedBackup(_refused(name, "is cut short (truncated)"))
    (length,) = struct.unpack(">I", start[len(MAGIC) :])
    header_bytes = source.read(length) if length <= MAX_HEADER else b""
    if len(header_bytes) != length and length <= MAX_HEADER:
        raise DamagedBackup(_refused(name, "is cut short (truncated)"))
    try:
        header = Header.from_bytes(header_bytes)
    except (ValueError, TypeError):
        raise DamagedBackup(_refused(name, "has a damaged header")) from None
    if header.format > FORMAT:
        raise NewerBackup(
            f"{name} was written by a newer Epic Events CRM (backup format {header.format}): "
            "update the program first."
        )
    return header, header_bytes


def open_sealer(header: Header, header_bytes: bytes, passphrase: str | None, name: str) -> Sealer:
    """The sealer of a backup's chunks; raise WrongPassphrase when it does not open them."""
    if not header.encrypted:
        return Sealer(header_bytes, None)
    if passphrase is None:
        raise WrongPassphrase(f"{name} is encrypted: a passphrase is needed.")
    try:
        key, check = derive_keys(passphrase, bytes.fromhex(header.salt), header.kdf)
        expected = bytes.fromhex(header.key_check)
    except (ValueError, KeyError, TypeError):
        raise DamagedBackup(_refused(name, "has a damaged header")) from None
    if not hmac.compare_digest(check, expected):
        raise WrongPassphrase(f"Wrong passphrase for {name}: nothing was changed.")
    return Sealer(header_bytes, key)


def read_chunks(source: BinaryIO, sealer: Sealer, name: str) -> Iterator[bytes]:
    """The opened chunks after the header, in order; raise DamagedBackup at the first that
    is cut, altered, out of place, or follows the last one."""
    number = 0
    while True:
        prefix = source.read(5)
        if len(prefix) < 5:
            raise DamagedBackup(_refused(name, "is cut short (truncated)"))
        length, last = struct.unpack(">I?", prefix)
        if length > CHUNK_SIZE + 2 * TAG:
            raise DamagedBackup(_refused(name, "was altered or damaged"))
        sealed = source.read(length)
        if len(sealed) < length:
            raise DamagedBackup(_refused(name, "is cut short (truncated)"))
        try:
            yield sealer.open(number, sealed, last)
        except DamagedBackup:
            raise DamagedBackup(
                _refused(name, f"was altered or damaged (chunk {number} fails its check)")
            ) from None
        if last:
            if source.read(1):
                raise DamagedBackup(_refused(name, "has bytes after its end (altered)"))
            return
        number += 1


def _refused(name: str, problem: str) -> str:
    return f"{name} {problem}: it cannot be restored, nothing was changed."
