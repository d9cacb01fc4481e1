"""Logging in and out, and resuming a saved session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from epic_events.auth.token_store import TokenStore
from epic_events.controllers.permissions import Action, require
from epic_events.departments import DepartmentName
from epic_events.errors import (
    InvalidCredentials,
    NotAuthenticated,
    SessionExpired,
    TokenStoreError,
    TooManyAttempts,
    ValidationError,
)

if TYPE_CHECKING:  # the ORM loads on the first action, not before the first menu
    from epic_events.db import UnitOfWork
    from epic_events.models import Collaborator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CurrentUser:
    """Who is logged in: checked against the database and the token's expiry at every action."""

    id: int
    email: str
    name: str
    department: DepartmentName
    token_version: int = 0
    expires_at: datetime | None = None

    @classmethod
    def of(cls, collaborator: Collaborator, expires_at: datetime | None = None) -> CurrentUser:
        return cls(
            id=collaborator.id,
            email=collaborator.email,
            name=collaborator.name,
            department=collaborator.department_name,
            token_version=collaborator.token_version,
            expires_at=expires_at,
        )


@dataclass(frozen=True)
class ResumeResult:
    """The outcome of trying the saved session: a user, or why not and whose email it was."""

    user: CurrentUser | None = None
    email: str | None = None
    message: str | None = None


def load_actor(uow: UnitOfWork, user: CurrentUser) -> Collaborator:
    """The current collaborator as the database has them now (rights may have changed).

    A session ends at once when the account is deleted, when its password, email or
    department changed since the login (token version), or when the token expired.
    """
    uow.act_as(user.id)  # row-level security: the database knows who acts, per transaction
    collaborator = uow.collaborators.get(user.id)
    if collaborator is None:
        raise NotAuthenticated("Your account no longer exists: please log in again.")
    if not collaborator.active:
        raise NotAuthenticated("Your account was deactivated: ask gestion to reactivate it.")
    if collaborator.token_version != user.token_version:
        raise SessionExpired(
            "Your session has ended (your password, email or department changed): "
            "please log in again."
        )
    if user.expires_at is not None and datetime.now(UTC) >= user.expires_at:
        raise SessionExpired()
    return collaborator


def authorise(uow: UnitOfWork, user: CurrentUser, action: Action) -> Collaborator:
    """Reload the actor (their department may have changed) and check the permission table."""
    actor = load_actor(uow, user)
    require(actor.department_name, action)
    return actor


class Authenticator:
    """Issues tokens on login, keeps them in the token store, resumes and ends sessions."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        token_store: TokenStore,
        secret: str,
        ttl: timedelta,
        lookup: Callable[[int], object | None] | None = None,
    ):
        """`lookup(collaborator_id)` finds the row a saved session is checked against; by
        default through the ORM, at start-up through managers.sessions (no ORM yet)."""
        self.uow_factory = uow_factory
        self.token_store = token_store
        self.secret = secret
        self.ttl = ttl
        self.lookup = lookup or self._lookup_with_orm
        self.warnings: list[str] = []

    def use_orm_lookup(self) -> None:
        """From now on check sessions through the ORM (the start-up connection is closed)."""
        self.lookup = self._lookup_with_orm

    def _lookup_with_orm(self, collaborator_id: int):
        with self.uow_factory() as uow:
            return uow.collaborators.get(collaborator_id)

    def login(self, email: str, password: str) -> CurrentUser:
        """Check the credentials, upgrade an old hash, save a fresh token.

        Failed logins are counted per email in the database (so every program on every
        machine sees them): after five, each one doubles the wait before the next try.
        Known and unknown emails are treated alike, so neither the message nor the delay
        tells whether an account exists.
        """
        from epic_events.auth import passwords

        email = (email or "").strip().lower()
        if not email or not password:
            raise ValidationError("Email and password are both required.")
        with self.uow_factory() as uow:
            # One attempt per email at a time (a transaction lock on the email): parallel
            # tries cannot all pass the check before the first failure is counted. The check
            # is its own statement, so it sees the failures committed while it waited.
            if not uow.logins.wait_for_turn(email):
                raise TooManyAttempts(
                    "Another login with this email is in progress: try again in a moment."
                )
            wait = uow.logins.wait_seconds(email)
            if wait:
                raise TooManyAttempts(
                    f"Too many failed logins with this email: try again in {wait} s."
                )
            collaborator = uow.collaborators.get_by_email(email)
            if collaborator is None:
                passwords.dummy_verify(password)
                self._failed(uow, email)
            if not passwords.verify_password(collaborator.password_hash, password):
                self._failed(uow, email)
            if not collaborator.active:  # said only to whoever knows the password
                raise NotAuthenticated("This account is deactivated: ask gestion to reactivate it.")
            uow.act_as(collaborator.id)
            uow.logins.clear_failures(email)
            if passwords.needs_rehash(collaborator.password_hash):
                self._upgrade_hash(uow, collaborator, password)
            uow.commit()
            return self._save_token(collaborator)

    @staticmethod
    def _upgrade_hash(uow: UnitOfWork, collaborator: Collaborator, password: str) -> None:
        """Hash the password again with today's parameters, unless the row changed since it
        was read (gestion reset the password meanwhile, say): then the upgrade waits for the
        next login rather than overwrite that change."""
        from epic_events.auth import passwords

        verified = collaborator.password_hash
        uow.collaborators.get_for_password_change(collaborator.id)  # the same object, fresh
        if collaborator.password_hash == verified:
            collaborator.password_hash = passwords.hash_password(password)

    @staticmethod
    def _failed(uow: UnitOfWork, email: str) -> None:
        uow.logins.record_failure(email)
        uow.commit()
        raise InvalidCredentials()

    def refresh(self, collaborator: Collaborator) -> CurrentUser:
        """A new session for `collaborator` (after they changed their own password, say)."""
        return self._save_token(collaborator)

    def _save_token(self, collaborator: Collaborator) -> CurrentUser:
        from epic_events.auth import tokens

        now = datetime.now(UTC)
        token = tokens.issue_token(
            collaborator_id=collaborator.id,
            email=collaborator.email,
            token_version=collaborator.token_version,
            secret=self.secret,
            ttl=self.ttl,
            now=now,
        )
        user = CurrentUser.of(collaborator, expires_at=now + self.ttl)
        try:
            self.token_store.save(collaborator.email, token)
        except (TokenStoreError, OSError) as error:
            message = getattr(error, "message", None) or f"({type(error).__name__})"
            self.warnings.append(f"Your session could not be saved: {message}")
        return user

    def resume(self, email: str | None = None) -> ResumeResult:
        """The saved session of `email` (any case), or of the last user to log in when None,
        when its token is still valid. Without a session saved for `email`: no user, no
        message, and `email` (so a login form can suggest it)."""
        try:
            if email is None:
                saved = self.token_store.latest()
            else:
                email = email.strip().lower()
                token = self.token_store.get(email)
                if token is None:
                    return ResumeResult(email=email)
                saved = email, token
        except TokenStoreError as error:
            return ResumeResult(message=error.message)
        except OSError as error:
            return ResumeResult(message=f"The token store cannot be read ({error.strerror}).")
        if saved is None:
            return ResumeResult()
        email, token = saved
        from epic_events.auth import tokens

        try:
            claims = tokens.decode_token(token, self.secret)
        except SessionExpired as error:
            return ResumeResult(email=email, message=error.message)
        except NotAuthenticated as error:
            return ResumeResult(message=error.message)
        collaborator = self.lookup(claims.collaborator_id)
        valid = (
            collaborator is not None
            and getattr(collaborator, "active", True)
            and collaborator.email == claims.email == email
            and collaborator.token_version == claims.token_version
        )
        if not valid:
            self._forget(email)
            return ResumeResult(
                email=email if collaborator else None,
                message="Your saved session is no longer valid: please log in again.",
            )
        return ResumeResult(
            user=CurrentUser.of(collaborator, expires_at=claims.expires_at), email=email
        )

    def logout(self, user: CurrentUser) -> None:
        """Remove the saved token of `user`."""
        self._forget(user.email)

    def forget(self, email: str) -> None:
        """Remove the saved token of `email`, valid or not (logging out of an ended session)."""
        self._forget(email)

    def _forget(self, email: str) -> None:
        try:
            self.token_store.remove(email)
        except (TokenStoreError, OSError):
            log.warning("could not remove a token from the store", exc_info=True)
