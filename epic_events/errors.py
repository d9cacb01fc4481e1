"""Errors a user may see: each carries a message fit to be shown as one line."""


class EpicEventsError(Exception):
    """Base of every expected error; its message is shown to the user as is."""

    default_message = "The action could not be completed."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class ConfigurationError(EpicEventsError):
    """A setting is missing or invalid."""

    default_message = "The configuration is incomplete: run `python setup.py` first."


class DatabaseUnavailable(EpicEventsError):
    """The database cannot be reached or is not set up."""

    default_message = "The database cannot be reached; try again in a moment."


class NotAuthenticated(EpicEventsError):
    """No valid session: the user must log in."""

    default_message = "Please log in."


class InvalidCredentials(NotAuthenticated):
    """The email or the password is wrong (never says which)."""

    default_message = "Wrong email or password."


class TooManyAttempts(NotAuthenticated):
    """Too many failed logins with one email: wait (the same for any email, known or not)."""

    default_message = "Too many failed logins with this email: try again later."


class SessionExpired(NotAuthenticated):
    """The saved session is too old or no longer valid."""

    default_message = "Your session has expired: please log in again."


class TokenStoreError(EpicEventsError):
    """The local token store cannot be used safely."""

    default_message = "The saved session could not be read: please log in again."


class PermissionDenied(EpicEventsError):
    """The current collaborator may not do this."""

    default_message = "You are not allowed to do this."


class NotFound(EpicEventsError):
    """The record asked for does not exist."""

    default_message = "Not found."


class ValidationError(EpicEventsError):
    """A value does not have the expected shape or breaks a business rule."""

    default_message = "Invalid value."


class Conflict(EpicEventsError):
    """The change clashes with data already stored (a duplicate, a dependent record)."""

    default_message = "This change conflicts with existing data."


class ChangedMeanwhile(Conflict):
    """Optimistic locking: the record was saved by someone else since the form read it.
    `record` names it ("Contract #7") for a screen that keeps the form."""

    default_message = "This record was changed by someone else meanwhile: nothing was saved."

    def __init__(self, message: str | None = None, *, record: str = "This record"):
        super().__init__(message)
        self.record = record


class UnsafeTokenStore(TokenStoreError):
    """The token store or its key is a link, shared with others, or malformed: never used."""


class CorruptTokenStore(TokenStoreError):
    """The token store cannot be decrypted or parsed: it is ignored and rewritten on login."""


# A connection refused because the workstation's role may no longer log in.
WORKSTATION_REVOKED = (
    "This workstation was revoked: its database role may no longer log in (ask your "
    "administrator; `python setup.py --join --name NEW_NAME` makes it a workstation again)."
)
