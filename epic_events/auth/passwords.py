"""Passwords: argon2id on the workstation, a verifier in the database.

The database never sees a password, and what it stores is not enough to log in:

- `hash_password(password)` makes the stored verifier,
  `$epic$argon2id$v=19$m=65536,t=3,p=4$<salt>$<SHA-256 of the argon2id hash>`;
- to log in, the database gives the challenge (`argon2id$v=…$m=…,t=…,p=…$<salt>`: the
  stored parameters and salt, or for an unknown email the usual parameters and a salt of
  its own making), `proof(password, challenge)` is the argon2id hash of the password with
  them, and the database compares its SHA-256 with the verifier.

So an unknown email costs exactly what a known one does (one argon2id hash with today's
parameters, from the very first try), and a verifier made with older parameters is made
again at the next login (`needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from argon2 import PasswordHasher
from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

PREFIX = "$epic$"
HASH_LENGTH = 32
SALT_LENGTH = 16
CHALLENGE = re.compile(r"^argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)$")


def usual_parameters() -> str:
    """Today's parameters, as a challenge names them."""
    return (
        f"argon2id$v={ARGON2_VERSION}$m={_hasher.memory_cost},t={_hasher.time_cost},"
        f"p={_hasher.parallelism}"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def proof(password: str, challenge: str) -> bytes:
    """The argon2id hash of `password` with the challenge's parameters and salt (a
    challenge that cannot be read gets today's parameters and an empty salt's hash: it
    proves nothing, and costs the same)."""
    found = CHALLENGE.match(challenge or "")
    if found is None:
        found = CHALLENGE.match(f"{usual_parameters()}${_b64(bytes(SALT_LENGTH))}")
    version, memory, time, lanes, salt = found.groups()
    return hash_secret_raw(
        (password or "").encode("utf-8"),
        _unb64(salt),
        time_cost=int(time),
        memory_cost=int(memory),
        parallelism=int(lanes),
        hash_len=HASH_LENGTH,
        type=Type.ID,
        version=int(version),
    )


def hash_password(password: str, parameters: str | None = None) -> str:
    """A new verifier of `password`: today's parameters (or `parameters`, e.g.
    `argon2id$v=19$m=8192,t=1,p=1`: an older install's), a new salt."""
    challenge = f"{parameters or usual_parameters()}${_b64(os.urandom(SALT_LENGTH))}"
    return f"{PREFIX}{challenge}${_b64(hashlib.sha256(proof(password, challenge)).digest())}"


def challenge_of(stored: str) -> str | None:
    """The challenge a stored verifier gives (what `login_challenge()` answers)."""
    if not (stored or "").startswith(PREFIX):
        return None
    challenge, _, _ = stored[len(PREFIX) :].rpartition("$")
    return challenge if CHALLENGE.match(challenge) else None


def verify_password(stored: str, password: str) -> bool:
    """True when `password` matches the stored verifier (the database's comparison, made
    here: for the installer and the tests)."""
    challenge = challenge_of(stored)
    if challenge is None:
        return False
    expected = stored.rpartition("$")[2]
    made = _b64(hashlib.sha256(proof(password, challenge)).digest())
    return hmac.compare_digest(made, expected)


def needs_rehash(challenge: str) -> bool:
    """True when the challenge's parameters are not today's."""
    return not (challenge or "").startswith(usual_parameters() + "$")
