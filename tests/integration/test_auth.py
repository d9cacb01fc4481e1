"""Logging in, resuming and ending sessions, against real PostgreSQL, argon2, JWT and Fernet."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from epic_events.auth import passwords, tokens
from epic_events.auth.token_store import TokenStore
from epic_events.controllers import collaborators as controller
from epic_events.controllers.auth import Authenticator
from epic_events.errors import (
    InvalidCredentials,
    PermissionDenied,
    SessionExpired,
    ValidationError,
)
from tests.conftest import PASSWORD, TEST_SECRET


@pytest.fixture
def store(tmp_path):
    store = TokenStore(tmp_path / "tokens.csv", tmp_path / "jwt.key")
    store.ensure_files()
    return store


@pytest.fixture
def authenticator(uow_factory, store):
    return Authenticator(uow_factory, store, TEST_SECRET, timedelta(hours=8))


def test_logging_in_saves_a_token_for_that_email(authenticator, store, make_collaborator):
    person = make_collaborator("commerce")
    user = authenticator.login(person.email.upper(), PASSWORD)
    assert (user.id, user.department) == (person.id, "commerce")
    email, token = store.latest()
    assert email == person.email
    assert tokens.decode_token(token, TEST_SECRET).collaborator_id == person.id


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    authenticator, make_collaborator, store
):
    person = make_collaborator("support")
    with pytest.raises(InvalidCredentials) as wrong_password:
        authenticator.login(person.email, "not the password")
    with pytest.raises(InvalidCredentials) as unknown_email:
        authenticator.login("nobody@example.com", PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message == "Wrong email or password."
    assert store.latest() is None


def test_empty_credentials_are_refused(authenticator):
    with pytest.raises(ValidationError):
        authenticator.login("", "")


WEAK = "argon2id$v=19$m=8192,t=1,p=1"


def test_an_old_verifier_is_made_again_with_todays_parameters_on_login(
    authenticator, make_collaborator, connection
):
    weak = passwords.hash_password(PASSWORD, WEAK)
    person = make_collaborator("support", password_hash=weak)
    authenticator.login(person.email, PASSWORD)
    stored = connection.execute(
        text("SELECT password_hash FROM collaborators WHERE id = :id"), {"id": person.id}
    ).scalar_one()
    assert stored != weak
    assert "m=8192" not in stored
    assert stored.startswith("$epic$" + passwords.usual_parameters() + "$")
    assert passwords.verify_password(stored, PASSWORD)


def test_relaunching_resumes_the_last_users_session(authenticator, make_collaborator):
    first, second = make_collaborator("support"), make_collaborator("commerce")
    authenticator.login(first.email, PASSWORD)
    authenticator.login(second.email, PASSWORD)
    result = authenticator.resume()
    assert result.user is not None
    assert result.user.id == second.id


def test_an_expired_token_asks_for_the_password_again(authenticator, store, make_collaborator):
    person = make_collaborator("support")
    old = tokens.issue_token(
        collaborator_id=person.id,
        email=person.email,
        token_version=0,
        session="1." + "a" * 64,
        secret=TEST_SECRET,
        ttl=timedelta(hours=1),
        now=datetime.now(UTC) - timedelta(hours=2),
    )
    store.save(person.email, old)
    result = authenticator.resume()
    assert result.user is None
    assert result.email == person.email  # the login form offers it
    assert "expired" in result.message


def test_a_token_signed_with_another_secret_is_refused(authenticator, store, make_collaborator):
    person = make_collaborator("support")
    forged = tokens.issue_token(
        collaborator_id=person.id,
        email=person.email,
        token_version=0,
        session="1." + "a" * 64,
        secret="another secret that is long enough to sign",
        ttl=timedelta(hours=1),
    )
    store.save(person.email, forged)
    result = authenticator.resume()
    assert result.user is None
    assert "not valid" in result.message


def test_a_tampered_store_gives_one_clear_line_and_a_fresh_login(
    authenticator, store, make_collaborator
):
    person = make_collaborator("support")
    authenticator.login(person.email, PASSWORD)
    blob = bytearray(store.path.read_bytes())
    blob[40] ^= 1
    store.path.write_bytes(bytes(blob))
    result = authenticator.resume()
    assert result.user is None
    assert "could not be decrypted" in result.message
    authenticator.login(person.email, PASSWORD)  # logging in again repairs the store
    assert authenticator.resume().user.id == person.id


def test_logout_removes_the_token(authenticator, store, make_collaborator):
    person = make_collaborator("support")
    user = authenticator.login(person.email, PASSWORD)
    authenticator.logout(user)
    assert store.get(person.email) is None
    assert authenticator.resume().user is None


def test_a_password_change_ends_the_saved_session(
    authenticator, uow_factory, make_collaborator, as_user
):
    person = make_collaborator("commerce")
    authenticator.login(person.email, PASSWORD)
    controller.change_own_password(
        uow_factory(), as_user(person), current_password=PASSWORD, new_password="a new password!"
    )
    result = authenticator.resume()
    assert result.user is None
    assert "password, email or department changed" in result.message


def test_a_deleted_collaborators_session_is_refused(
    authenticator, uow_factory, make_collaborator, gestion
):
    person = make_collaborator("support")
    authenticator.login(person.email, PASSWORD)
    controller.delete_collaborator(uow_factory(), gestion, person.id)
    assert authenticator.resume().user is None


def test_a_department_change_ends_the_saved_session(
    authenticator, uow_factory, make_collaborator, gestion
):
    person = make_collaborator("support")
    authenticator.login(person.email, PASSWORD)
    controller.update_collaborator(uow_factory(), gestion, person.id, department="gestion")
    assert authenticator.resume().user is None


def test_an_unwritable_store_still_lets_the_user_in_with_a_warning(
    uow_factory, tmp_path, make_collaborator
):
    store = TokenStore(tmp_path / "tokens.csv", tmp_path / "jwt.key")
    store.ensure_files()
    store.path.chmod(0o644)  # shared with others: never written through
    authenticator = Authenticator(uow_factory, store, TEST_SECRET, timedelta(hours=1))
    person = make_collaborator("support")
    assert authenticator.login(person.email, PASSWORD).id == person.id
    assert authenticator.warnings
    assert "could not be saved" in authenticator.warnings[0]


def test_a_password_reset_ends_the_running_session_at_its_next_action(
    uow_factory, gestion, make_collaborator, as_user
):
    person = make_collaborator("commerce")
    running = as_user(person)
    controller.update_collaborator(uow_factory(), gestion, person.id, password="reset by boss 1")
    with pytest.raises(SessionExpired, match="password, email or department changed"):
        controller.update_own_profile(uow_factory(), running, name="Still Here?")


def test_an_expired_session_is_refused_at_its_next_action(make_collaborator, as_user, uow_factory):
    person = make_collaborator("support")
    expired = replace(as_user(person), expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(SessionExpired, match="expired"):
        controller.update_own_profile(uow_factory(), expired, name="Too Late")


def test_changing_ones_own_password_gives_a_fresh_session_that_works(
    authenticator, uow_factory, make_collaborator
):
    person = make_collaborator("support")
    elsewhere = authenticator.login(person.email, PASSWORD)  # another machine, say
    user = authenticator.login(person.email, PASSWORD)
    updated = controller.change_own_password(
        uow_factory(), user, current_password=PASSWORD, new_password="a new password!"
    )
    fresh = authenticator.refresh(updated, user)
    assert fresh.session == user.session  # this session goes on
    assert controller.update_own_profile(uow_factory(), fresh, name="Renamed").name == "Renamed"
    assert authenticator.resume().user.id == person.id
    with pytest.raises(SessionExpired, match="password, email or department changed"):
        controller.get_collaborator(uow_factory(), replace(elsewhere, token_version=1), person.id)


def test_a_copy_of_the_token_store_made_before_logout_no_longer_resumes(
    authenticator, store, make_collaborator
):
    person = make_collaborator("commerce")
    user = authenticator.login(person.email, PASSWORD)
    copy = store.path.read_bytes()
    authenticator.logout(user)
    store.path.write_bytes(copy)  # the file restored from a backup, or copied away
    result = authenticator.resume()
    assert result.user is None
    assert "you logged out" in result.message


def test_a_wrong_current_password_is_counted_like_a_failed_login(
    uow_factory, make_collaborator, authenticator, connection
):
    person = make_collaborator("support")
    user = authenticator.login(person.email, PASSWORD)
    with pytest.raises(PermissionDenied, match="current password is wrong"):
        controller.check_own_password(uow_factory(), user, "not my password")
    failures = connection.execute(
        text(
            "SELECT failures FROM login_failures"
            " WHERE email_digest = sha256(convert_to(:e, 'UTF8'))"
        ),
        {"e": person.email},
    ).scalar_one()
    assert failures == 1


def test_gestion_cannot_set_their_own_password_without_the_current_one(uow_factory, gestion):
    with pytest.raises(PermissionDenied, match="from My profile"):
        controller.update_collaborator(uow_factory(), gestion, gestion.id, password="no check 123")


def test_after_a_logout_no_other_saved_session_is_resumed(authenticator, make_collaborator):
    first, second = make_collaborator("support"), make_collaborator("commerce")
    authenticator.login(first.email, PASSWORD)
    user = authenticator.login(second.email, PASSWORD)
    authenticator.logout(user)
    assert authenticator.resume().user is None


def test_a_password_reset_during_login_wins_over_the_login_and_its_upgrade(
    authenticator, make_collaborator, connection, monkeypatch
):
    """Gestion resets the password while an old-verifier login computes its proof: the
    database compares the proof with what it stores when the proof arrives, so the login is
    refused and the reset stays (the upgrade never brings the old password back)."""
    from epic_events.roles import app_role

    person = make_collaborator("support", password_hash=passwords.hash_password(PASSWORD, WEAK))
    reset = passwords.hash_password("reset by gestion 1")
    prove = passwords.proof

    def prove_then_reset(password: str, challenge: str) -> bytes:
        made = prove(password, challenge)
        connection.execute(text("RESET ROLE"))  # another program: gestion's reset
        connection.execute(
            text("UPDATE collaborators SET password_hash = :hash WHERE id = :id"),
            {"hash": reset, "id": person.id},
        )
        connection.execute(text(f"SET ROLE {app_role(connection.engine.url.database)}"))
        return made

    monkeypatch.setattr(passwords, "proof", prove_then_reset)
    with pytest.raises(InvalidCredentials):
        authenticator.login(person.email, PASSWORD)
    stored = connection.execute(
        text("SELECT password_hash FROM collaborators WHERE id = :id"), {"id": person.id}
    ).scalar_one()
    assert stored == reset
