"""Password hashing with argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError, TypeError):
        return False  # ValueError covers a hash that is not even ASCII


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True


# A hash of no one's password, made once with today's parameters and written here: checking
# against it costs what checking a real hash does from the very first try (a hash computed
# on first use made the first unknown email of each program twice as slow: a timing that
# told which emails have accounts). tests/unit/test_passwords.py fails when the library's
# parameters change, so that it is made again.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$/8ugvJM0Am8ydRVB0V8R3A"
    "$nSLndaorbYpB3bfOHUvqgbfFTsejTPH1JoRC1cIM/XM"
)


@cache
def _dummy_hash() -> str:
    """The written hash while its parameters are today's, else one made now (once)."""
    if not needs_rehash(DUMMY_HASH):
        return DUMMY_HASH
    return _hasher.hash("not a password of anyone")


def dummy_verify(password: str) -> None:
    """Spend the time of a real check, so an unknown email takes as long as a known one."""
    verify_password(_dummy_hash(), password)
