"""Password verifiers and proofs with the real argon2-cffi."""

from __future__ import annotations

import base64
import hashlib

import argon2
import pytest

from epic_events.auth import passwords
from tests.conftest import PASSWORD


def test_a_verifier_names_argon2id_its_parameters_its_salt_and_a_sha256(password_hash):
    assert password_hash.startswith("$epic$argon2id$v=19$m=65536,t=3,p=4$")
    challenge = passwords.challenge_of(password_hash)
    assert challenge == password_hash[len("$epic$") :].rpartition("$")[0]
    digest = password_hash.rpartition("$")[2]
    assert len(base64.b64decode(digest + "=")) == 32


def test_the_proof_is_the_argon2id_hash_an_older_install_stored(password_hash):
    """Migration 0011 turns a stored argon2id hash into a verifier: the hash of a password
    is the proof of the same parameters and salt."""
    old = argon2.PasswordHasher().hash(PASSWORD)
    _, _, version, params, salt, raw = old.split("$")
    proof = passwords.proof(PASSWORD, f"argon2id${version}${params}${salt}")
    assert proof == base64.b64decode(raw + "=" * (-len(raw) % 4))
    assert hashlib.sha256(proof).digest() != proof


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


def test_a_challenge_with_weaker_parameters_needs_a_rehash():
    weak = "argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA"
    assert len(passwords.proof(PASSWORD, weak)) == 32
    assert passwords.needs_rehash(weak) is True


def test_a_fresh_verifiers_challenge_needs_no_rehash(password_hash):
    assert passwords.needs_rehash(passwords.challenge_of(password_hash)) is False


def test_an_unreadable_challenge_still_costs_a_proof_and_proves_nothing(password_hash):
    assert len(passwords.proof(PASSWORD, "nonsense")) == 32
    assert passwords.proof(PASSWORD, "nonsense") != passwords.proof(
        PASSWORD, passwords.challenge_of(password_hash)
    )


@pytest.mark.parametrize("malformed", ["", "not a hash", "$argon2id$"])
def test_a_malformed_hash_needs_a_rehash_rather_than_failing(malformed):
    assert passwords.needs_rehash(malformed) is True
