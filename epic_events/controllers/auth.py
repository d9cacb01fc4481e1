"""Logging in and out, and resuming a saved session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from epic_events.auth.token_store import TokenStore
from epic_events.controllers.permissions import Action, require
from epic_events.departments import DepartmentName
from epic_events.errors import (
    WORKSTATION_REVOKED,
    EpicEventsError,
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
    """Who is logged in, and in which database session (`<id>.<secret>`): checked by the
    database at every transaction, and against the token's expiry at every action."""

    id: int
    email: str
    name: str
    department: DepartmentName
    token_version: int = 0
    expires_at: datetime | None = None
    session: str = field(default="", repr=False)

    @classmethod
    def of(
        cls, collaborator: Collaborator, expires_at: datetime | None = None, session: str = ""
    ) -> CurrentUser:
        return cls(
            id=collaborator.id,
            email=collaborator.email,
            name=collaborator.name,
            department=collaborator.department_name,
            token_version=collaborator.token_version,
            expires_at=expires_at,
            session=session,
        )


@dataclass(frozen=True)
class ResumeResult:
    """The outcome of trying the saved session: a user, or why not and whose email it was."""

    user: CurrentUser | None = None
    email: str | None = None
    message: str | None = None


def ended_session(reason: str | None) -> NotAuthenticated:
    """What to tell someone whose session the database ended, by its reason."""
    if reason == "deactivated":
        return NotAuthenticated("Your account was deactivated: ask gestion to reactivate it.")
    if reason == "expired":
        return SessionExpired()
    return SessionExpired(
        {
            "logged out": "Your session has ended (you logged out): please log in again.",
            "password or email changed": "Your session has ended (your password, email or "
            "department changed): please log in again.",
            "department changed": "Your session has ended (your department changed): please "
            "log in again.",
            "ended by gestion": "Your session was ended by gestion: please log in again.",
            "workstation revoked": WORKSTATION_REVOKED,
        }.get(
            reason or "",
            "Your session has ended: your account no longer exists, or the session is not "
            "this workstation's. Please log in again.",
        )
    )


def load_actor(uow: UnitOfWork, user: CurrentUser) -> Collaborator:
    """The current collaborator as the database has them now (rights may have changed).

    The database names them from the session, and only while it lives: it ends at a
    logout, when the account is deactivated or deleted, when its password, email or
    department changed, when gestion ends it or its workstation is revoked; and here
    when the token expired or was made before such a change (token version).
    """
    uow.act_in(user.session)  # the database finds who acts from the session, per transaction
    collaborator = uow.collaborators.get(user.id)
    if collaborator is None:  # without a live session the database shows nothing
        raise ended_session(uow.logins.end_reason(user.session))
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
        lookup: Callable[[int, str], object | None] | None = None,
    ):
        """`lookup(collaborator_id, session)` finds the row a saved session is checked
        against (nothing once the database ended that session); by default through the
        ORM, at start-up through managers.sessions (no ORM yet)."""
        self.uow_factory = uow_factory
        self.token_store = token_store
        self.secret = secret
        self.ttl = ttl
        self.lookup = lookup or self._lookup_with_orm
        self.warnings: list[str] = []

    def use_orm_lookup(self) -> None:
        """From now on check sessions through the ORM (the start-up connection is closed)."""
        self.lookup = self._lookup_with_orm

    def _lookup_with_orm(self, collaborator_id: int, session: str):
        with self.uow_factory() as uow:
            uow.act_in(session)
            return uow.collaborators.get(collaborator_id)

    def login(self, email: str, password: str) -> CurrentUser:
        """Prove the password to the database, which opens a session; save its token.

        The database gives the argon2id parameters and salt to prove the password with (for
        an unknown email, the usual ones and a salt of its own: the same work, the same
        answer), compares a hash of the proof with what it stores, counts failures per
        email (after five, each one doubles the wait before the next try; every program on
        every machine sees them) and, when they match, opens the session; which it says
        only once committed (a guess rolled back tells nothing). A verifier made with older
        parameters is made again with today's, stored by the session's first transaction.
        """
        from epic_events.auth import passwords

        email = (email or "").strip().lower()
        if not email or not password:
            raise ValidationError("Email and password are both required.")
        with self.uow_factory() as uow:
            wait = uow.logins.wait_seconds(email)
            if wait:
                raise TooManyAttempts(
                    f"Too many failed logins with this email: try again in {wait} s."
                )
            challenge = uow.logins.challenge(email)
        proof = passwords.proof(password, challenge)
        upgraded = passwords.hash_password(password) if passwords.needs_rehash(challenge) else None
        with self.uow_factory() as uow:
            # One attempt per email at a time (a transaction lock on the email): parallel
            # tries cannot all pass the check before the first failure is counted.
            if not uow.logins.wait_for_turn(email):
                raise TooManyAttempts(
                    "Another login with this email is in progress: try again in a moment."
                )
            opened = uow.logins.open_session(email, proof, self._hours(), upgraded)
            uow.commit()  # only then is the token worth trying: a failure is counted first
            if opened.outcome == "wait":
                raise TooManyAttempts(
                    f"Too many failed logins with this email: try again in {opened.wait_seconds} s."
                )
            uow.act_in(opened.token)
            collaborator = uow.collaborators.get_by_email(email)
            if collaborator is None:  # no session behind the token
                if uow.logins.end_reason(opened.token) == "deactivated":
                    raise NotAuthenticated(
                        "This account is deactivated: ask gestion to reactivate it."
                    )
                raise InvalidCredentials()
            uow.commit()  # the session's first transaction: it stores an upgraded verifier
            return self._save_token(collaborator, opened.token)

    def _hours(self) -> int:
        return max(1, round(self.ttl.total_seconds() / 3600))

    def refresh(self, collaborator: Collaborator, user: CurrentUser) -> CurrentUser:
        """A new token for `collaborator`, in the same session as `user` (after they changed
        their own password or email: their other sessions ended, this one goes on)."""
        return self._save_token(collaborator, user.session)

    def _save_token(self, collaborator: Collaborator, session: str) -> CurrentUser:
        from epic_events.auth import tokens

        now = datetime.now(UTC)
        token = tokens.issue_token(
            collaborator_id=collaborator.id,
            email=collaborator.email,
            token_version=collaborator.token_version,
            session=session,
            secret=self.secret,
            ttl=self.ttl,
            now=now,
        )
        user = CurrentUser.of(collaborator, expires_at=now + self.ttl, session=session)
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
        collaborator = self.lookup(claims.collaborator_id, claims.session)
        valid = (
            collaborator is not None
            and getattr(collaborator, "active", True)
            and collaborator.email == claims.email == email
            and collaborator.token_version == claims.token_version
        )
        if not valid:
            self._forget(email)
            reason = self._end_reason(claims.session) if collaborator is None else None
            return ResumeResult(
                email=email if collaborator or reason else None,
                message=ended_session(reason).message
                if reason
                else "Your saved session is no longer valid: please log in again.",
            )
        return ResumeResult(
            user=CurrentUser.of(collaborator, expires_at=claims.expires_at, session=claims.session),
            email=email,
        )

    def _end_reason(self, session: str) -> str | None:
        """Why the database ended that session, when it says (the ORM loads for this: only
        when a saved session failed)."""
        try:
            with self.uow_factory() as uow:
                return uow.logins.end_reason(session)
        except EpicEventsError:
            return None

    def logout(self, user: CurrentUser) -> None:
        """End the session in the database (a copy of the token store no longer resumes
        it), then remove the saved token of `user`."""
        try:
            with self.uow_factory() as uow:
                uow.logins.end_session(user.session)
                uow.commit()
        except EpicEventsError as error:  # the database is out of reach: the token goes anyway
            log.warning("could not end a session in the database: %s", error.message)
            self.warnings.append(
                "The database could not be told (the session ends by itself when it expires)."
            )
        finally:
            self._forget(user.email)

    def forget(self, email: str) -> None:
        """Remove the saved token of `email`, valid or not (logging out of an ended session)."""
        self._forget(email)

    def _forget(self, email: str) -> None:
        try:
            self.token_store.remove(email)
        except (TokenStoreError, OSError):
            log.warning("could not remove a token from the store", exc_info=True)
