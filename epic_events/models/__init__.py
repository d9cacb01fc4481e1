"""The SQLAlchemy models, one file per entity."""

from epic_events.models import indexes  # noqa: F401 - attaches the indexes to the tables
from epic_events.models.audit import AuditEntry, AuditKind
from epic_events.models.base import Base
from epic_events.models.client import Client
from epic_events.models.collaborator import Collaborator
from epic_events.models.contract import Contract
from epic_events.models.department import Department, DepartmentName
from epic_events.models.event import Event
from epic_events.models.login_failure import LoginFailure
from epic_events.models.login_session import LoginKey, LoginSession, PasswordProof
from epic_events.models.search import ClientSearch, EventSearch
from epic_events.models.workstation import Workstation

__all__ = [
    "AuditEntry",
    "AuditKind",
    "Base",
    "Client",
    "ClientSearch",
    "Collaborator",
    "Contract",
    "Department",
    "DepartmentName",
    "Event",
    "EventSearch",
    "LoginFailure",
    "LoginKey",
    "LoginSession",
    "PasswordProof",
    "Workstation",
]
