"""Password hashing with the real argon2-cffi."""

from __future__ import annotations

import argon2
import pytest
from argon2.low_level import Type

from epic_events.auth import passwords
from tests.conftest import PASSWORD


def test_a_hash_is_argon2id(password_hash):
    assert password_hash.startswith("$argon2id$v=19$")
    assert argon2.extract_parameters(password_hash).type is Type.ID


def test_a_hash_never_contains_the_password(password_hash):
    assert PASSWORD not in password_hash


def test_two_hashes_of_one_password_differ_by_their_salt(password_hash):
    assert passwords.hash_password(PASSWORD) != password_hash


def test_the_right_password_is_verified(password_hash):
    assert passwords.verify_password(password_hash, PASSWORD) is True


@pytest.mark.parametrize("attempt", ["", PASSWORD.upper(), PASSWORD + " "])
def test_a_wrong_password_is_refused(password_hash, attempt):
    assert passwords.verify_password(password_hash, attempt) is False


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$",  # no digest
        "$argon2id$v=19$m=65536,t=3,p=4$!!!$!!!",
        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",  # bcrypt
        "5f4dcc3b5aa765d61d8327deb882cf99",  # md5
    ],
)
def test_a_malformed_hash_is_a_refusal_not_an_error(malformed):
    assert passwords.verify_password(malformed, PASSWORD) is False


def test_a_truncated_hash_is_a_refusal_not_an_error(password_hash):
    assert passwords.verify_password(password_hash[:-10], PASSWORD) is False


@pytest.mark.parametrize("malformed", ["é", "$argon2id$v=19$m=65536,t=3,p=4$sél$abc"])
def test_a_hash_with_non_ascii_characters_is_a_refusal_not_an_error(malformed):
    assert passwords.verify_password(malformed, PASSWORD) is False


def test_a_hash_made_with_weaker_parameters_needs_a_rehash():
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    assert passwords.verify_password(weak, PASSWORD) is True
    assert passwords.needs_rehash(weak) is True


def test_an_argon2i_hash_needs_a_rehash():
    old = argon2.PasswordHasher(type=Type.I).hash(PASSWORD)
    assert passwords.needs_rehash(old) is True


def test_a_fresh_hash_needs_no_rehash(password_hash):
    assert passwords.needs_rehash(password_hash) is False


@pytest.mark.parametrize("malformed", ["", "not a hash", "$argon2id$"])
def test_a_malformed_hash_needs_a_rehash_rather_than_failing(malformed):
    assert passwords.needs_rehash(malformed) is True


def test_dummy_verify_runs_without_error_and_returns_nothing():
    assert passwords.dummy_verify(PASSWORD) is None
    assert passwords.dummy_verify("") is None


def test_the_written_dummy_hash_has_todays_parameters_so_it_is_never_made_on_first_use():
    """An unknown email is checked against a hash written in the code: were it made on the
    first try of each program, that try would take twice as long as a known email's. When
    the library's parameters change, this fails: write a new DUMMY_HASH."""
    assert passwords.needs_rehash(passwords.DUMMY_HASH) is False
    passwords._dummy_hash.cache_clear()
    assert passwords._dummy_hash() is passwords.DUMMY_HASH
    assert passwords.verify_password(passwords.DUMMY_HASH, "not a password of anyone")
