"""The Fernet-encrypted CSV token store, on real files in a temporary folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from epic_events.auth.token_store import PRIVATE_MODE, TokenStore, atomic_write
from epic_events.errors import CorruptTokenStore, TokenStoreError, UnsafeTokenStore

KATE = "kate@epic-events.fr"
BILL = "bill@epic-events.fr"
KATE_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.kate-signature"
BILL_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI4In0.bill-signature"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "secrets"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def store(folder: Path) -> TokenStore:
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    store.ensure_files()
    return store


# -- files -------------------------------------------------------------------------------------


def test_ensure_files_creates_the_key_and_the_store_private_to_their_owner(folder):
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    created = store.ensure_files()
    assert set(created) == {folder / "tokens.csv", folder / "jwt.key"}
    assert mode(folder / "tokens.csv") == 0o600
    assert mode(folder / "jwt.key") == 0o600


def test_ensure_files_writes_a_valid_fernet_key(store):
    Fernet(store.key_path.read_bytes())  # raises when not a valid key


def test_ensure_files_creates_missing_parent_folders(tmp_path):
    store = TokenStore(tmp_path / "a" / "b" / "tokens.csv", tmp_path / "c" / "jwt.key")
    store.ensure_files()
    assert store.path.is_file()
    assert store.key_path.is_file()


def test_ensure_files_keeps_existing_files(store):
    store.save(KATE, KATE_TOKEN)
    key = store.key_path.read_bytes()
    assert store.ensure_files() == []
    assert store.key_path.read_bytes() == key
    assert store.get(KATE) == KATE_TOKEN


def test_a_new_store_holds_no_session(store):
    assert store.latest() is None
    assert store.get(KATE) is None


# -- rows --------------------------------------------------------------------------------------


def test_a_saved_token_is_read_back_by_email(store):
    store.save(KATE, KATE_TOKEN)
    assert store.get(KATE) == KATE_TOKEN
    assert store.get(BILL) is None
    assert store.latest() == (KATE, KATE_TOKEN)


def test_latest_is_the_most_recently_saved_email(store):
    store.save(KATE, KATE_TOKEN)
    store.save(BILL, BILL_TOKEN)
    assert store.latest() == (BILL, BILL_TOKEN)
    store.save(KATE, "kate-second-token")
    assert store.latest() == (KATE, "kate-second-token")
    assert store.get(BILL) == BILL_TOKEN


def test_saving_again_replaces_the_token_of_that_email(store):
    store.save(KATE, KATE_TOKEN)
    store.save(KATE, "kate-second-token")
    assert store.get(KATE) == "kate-second-token"
    plain = Fernet(store.key_path.read_bytes()).decrypt(store.path.read_bytes()).decode()
    assert plain.count(KATE) == 1


def test_remove_forgets_one_session_and_says_so(store):
    store.save(KATE, KATE_TOKEN)
    store.save(BILL, BILL_TOKEN)
    assert store.remove(BILL) is True
    assert store.get(BILL) is None
    assert store.get(KATE) == KATE_TOKEN
    assert store.latest() is None  # after a logout no one is resumed, not even Kate
    assert store.remove(BILL) is False


def test_only_the_last_login_is_the_current_session(store):
    store.save(KATE, KATE_TOKEN)
    store.save(BILL, BILL_TOKEN)
    assert store.latest() == (BILL, BILL_TOKEN)
    store.save(KATE, "kate-again")
    assert store.latest() == (KATE, "kate-again")


def test_removing_the_last_session_leaves_an_empty_store(store):
    store.save(KATE, KATE_TOKEN)
    assert store.remove(KATE) is True
    assert store.latest() is None


def test_clear_drops_every_session(store):
    store.save(KATE, KATE_TOKEN)
    store.save(BILL, BILL_TOKEN)
    store.clear()
    assert store.latest() is None
    assert store.get(KATE) is None


def test_save_creates_the_files_when_setup_was_not_run(folder):
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    store.save(KATE, KATE_TOKEN)
    assert store.latest() == (KATE, KATE_TOKEN)
    assert mode(store.path) == mode(store.key_path) == 0o600


def test_two_store_objects_on_the_same_files_both_persist_their_session(store):
    first = TokenStore(store.path, store.key_path)
    second = TokenStore(store.path, store.key_path)
    first.save(KATE, KATE_TOKEN)
    second.save(BILL, BILL_TOKEN)
    reader = TokenStore(store.path, store.key_path)
    assert reader.get(KATE) == KATE_TOKEN
    assert reader.get(BILL) == BILL_TOKEN
    assert reader.latest() == (BILL, BILL_TOKEN)


def test_values_with_csv_punctuation_round_trip(store):
    odd = 'a,b"c\nd'
    store.save(odd, KATE_TOKEN)
    assert store.get(odd) == KATE_TOKEN


# -- secrecy -----------------------------------------------------------------------------------


def test_the_file_on_disk_shows_neither_email_nor_token(store):
    store.save(KATE, KATE_TOKEN)
    blob = store.path.read_bytes()
    for secret in (KATE, KATE_TOKEN, "kate", "eyJ", "email", "token", "saved_at"):
        assert secret.encode() not in blob
    assert blob.startswith(b"gAAAAA")  # a Fernet token


def test_the_store_stays_private_after_saves(store):
    store.save(KATE, KATE_TOKEN)
    store.save(BILL, BILL_TOKEN)
    store.remove(KATE)
    assert mode(store.path) == 0o600
    assert mode(store.key_path) == 0o600


def test_no_temporary_file_is_left_in_the_folder_after_saves(store, folder):
    for number in range(5):
        store.save(f"user{number}@example.com", f"token-{number}")
    store.remove("user0@example.com")
    names = {path.name for path in folder.iterdir()}
    assert not [name for name in names if name.endswith(".tmp") or name.startswith(".")]
    assert names <= {"tokens.csv", "jwt.key", "tokens.csv.lock"}


# -- tampering ---------------------------------------------------------------------------------


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_tampered_store_is_refused_with_a_clear_message(store):
    store.save(KATE, KATE_TOKEN)
    flip_a_byte(store.path)
    with pytest.raises(CorruptTokenStore, match="could not be decrypted") as refused:
        store.latest()
    assert "\n" not in refused.value.message
    with pytest.raises(CorruptTokenStore):
        store.get(KATE)


def test_saving_after_tampering_rewrites_a_fresh_store(store):
    store.save(BILL, BILL_TOKEN)
    flip_a_byte(store.path)
    store.save(KATE, KATE_TOKEN)
    assert store.latest() == (KATE, KATE_TOKEN)
    assert store.get(BILL) is None  # the unreadable sessions are gone, not resurrected
    assert mode(store.path) == 0o600


def test_a_store_encrypted_with_another_key_is_corrupt(store):
    store.save(KATE, KATE_TOKEN)
    store.key_path.write_bytes(Fernet.generate_key())
    with pytest.raises(CorruptTokenStore):
        store.latest()


def test_a_decryptable_store_with_the_wrong_columns_is_corrupt(store):
    fernet = Fernet(store.key_path.read_bytes())
    store.path.write_bytes(fernet.encrypt(b"who,what\nkate,x\n"))
    with pytest.raises(CorruptTokenStore, match="unexpected format"):
        store.latest()


def test_a_truncated_store_is_corrupt(store):
    store.save(KATE, KATE_TOKEN)
    store.path.write_bytes(store.path.read_bytes()[:30])
    with pytest.raises(CorruptTokenStore):
        store.latest()


def test_a_corrupt_store_is_a_token_store_error(store):
    flip_a_byte(store.path)
    with pytest.raises(TokenStoreError):
        store.latest()


@pytest.mark.parametrize("key", [b"too-short", b"", b"A" * 43, b"A" * 45, "é".encode() * 22])
def test_a_key_file_that_is_not_a_fernet_key_is_refused_as_unsafe(store, key):
    store.save(KATE, KATE_TOKEN)
    store.key_path.write_bytes(key)
    with pytest.raises(UnsafeTokenStore, match="valid Fernet key"):
        store.latest()
    with pytest.raises(UnsafeTokenStore):
        store.save(BILL, BILL_TOKEN)


# -- unsafe files ------------------------------------------------------------------------------


def test_a_store_replaced_by_a_symlink_is_refused(store, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"original content")
    target.chmod(0o600)
    store.path.unlink()
    store.path.symlink_to(target)
    with pytest.raises(UnsafeTokenStore, match="symbolic link"):
        store.latest()


def test_saving_never_writes_through_a_symlink(store, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"original content")
    target.chmod(0o600)
    store.path.unlink()
    store.path.symlink_to(target)
    with pytest.raises(UnsafeTokenStore):
        store.save(KATE, KATE_TOKEN)
    with pytest.raises(UnsafeTokenStore):
        store.remove(KATE)
    assert target.read_bytes() == b"original content"
    assert store.path.is_symlink()


def test_a_key_file_replaced_by_a_symlink_is_refused(store, tmp_path):
    store.save(KATE, KATE_TOKEN)
    target = tmp_path / "other.key"
    target.write_bytes(store.key_path.read_bytes())
    target.chmod(0o600)
    store.key_path.unlink()
    store.key_path.symlink_to(target)
    with pytest.raises(UnsafeTokenStore, match="symbolic link"):
        store.latest()


@pytest.mark.parametrize("shared_mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_a_store_readable_by_others_is_refused(store, shared_mode):
    store.save(KATE, KATE_TOKEN)
    store.path.chmod(shared_mode)
    with pytest.raises(UnsafeTokenStore, match="chmod 600") as refused:
        store.latest()
    assert "\n" not in refused.value.message
    with pytest.raises(UnsafeTokenStore):
        store.save(BILL, BILL_TOKEN)
    assert mode(store.path) == shared_mode  # left as found: the user decides


def test_a_key_file_readable_by_others_is_refused(store):
    store.save(KATE, KATE_TOKEN)
    store.key_path.chmod(0o644)
    with pytest.raises(UnsafeTokenStore, match="key file"):
        store.latest()


def test_a_folder_in_place_of_the_store_is_refused(folder):
    (folder / "tokens.csv").mkdir()
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    with pytest.raises(UnsafeTokenStore, match="not a regular file"):
        store.latest()


def test_a_missing_store_means_no_session_and_creates_nothing(folder):
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    assert store.latest() is None
    assert store.get(KATE) is None
    assert list(folder.iterdir()) == []


def test_a_deleted_store_means_no_session(store):
    store.save(KATE, KATE_TOKEN)
    store.path.unlink()
    assert store.latest() is None


def test_an_empty_store_file_means_no_session(store):
    store.path.write_bytes(b"")
    assert store.latest() is None


# -- atomic_write ------------------------------------------------------------------------------


def test_atomic_write_writes_the_data_private_to_its_owner(tmp_path):
    path = tmp_path / "new" / "file.bin"
    atomic_write(path, b"payload")
    assert path.read_bytes() == b"payload"
    assert mode(path) == PRIVATE_MODE == 0o600


def test_atomic_write_replaces_a_world_readable_file_with_a_private_one(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"old")
    path.chmod(0o644)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert mode(path) == 0o600


def test_atomic_write_ignores_a_permissive_umask(tmp_path):
    previous = os.umask(0)
    try:
        atomic_write(tmp_path / "file.bin", b"x")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "file.bin") == 0o600


def test_a_failed_atomic_write_keeps_the_old_file_and_leaves_no_temporary_file(folder):
    path = folder / "file.bin"
    atomic_write(path, b"old")
    with pytest.raises(TypeError):
        atomic_write(path, "not bytes")  # fails while writing the temporary file
    assert path.read_bytes() == b"old"
    assert [p.name for p in folder.iterdir()] == ["file.bin"]


def test_atomic_write_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"target")
    link = tmp_path / "link"
    link.symlink_to(target)
    atomic_write(link, b"new")
    assert target.read_bytes() == b"target"
    assert not link.is_symlink()
    assert link.read_bytes() == b"new"


def _save_many(path: str, key_path: str, who: str, count: int) -> None:
    store = TokenStore(Path(path), Path(key_path))
    for number in range(count):
        store.save(f"{who}{number}@epic-events.fr", f"token-of-{who}{number}")


def test_two_programs_saving_at_the_same_time_lose_no_session(store):
    """Two processes write the store at once, many times: the file lock serialises each
    read-modify-write, so every session of both survives and the file stays readable."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    writers = [
        context.Process(target=_save_many, args=(str(store.path), str(store.key_path), who, 25))
        for who in ("kate", "bill")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    reader = TokenStore(store.path, store.key_path)
    for who in ("kate", "bill"):
        for number in range(25):
            assert reader.get(f"{who}{number}@epic-events.fr") == f"token-of-{who}{number}"
    assert stat.S_IMODE(store.path.stat().st_mode) == PRIVATE_MODE
