"""Sentry: unexpected exceptions and the audit events the SPEC names, never a secret.

Nothing is imported or sent unless a DSN is configured. Events carry ids and department
names only; `scrub` runs on everything before it leaves, as a second line of defence.
"""

from __future__ import annotations

import re
from typing import Any

from epic_events import __version__

FILTERED = "[Filtered]"
SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?|secret|token|jwt|key|hash|auth|cookie|session|dsn|pw", re.IGNORECASE
)
SENSITIVE_VALUE = re.compile(
    r"\$argon2(id|i|d)\$\S+"  # password hashes
    r"|\$epic\$argon2id\$\S+"  # password verifiers
    r"|\b\d{1,18}\.[0-9a-f]{64}\b"  # database session tokens
    r"|eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"  # JSON web tokens
    r"|gAAAAA[\w=-]{20,}"  # Fernet tokens
    r"|[A-Za-z0-9_-]{43}="  # Fernet keys
)

_enabled = False


def scrub(value: Any, key: str = "") -> Any:
    """A copy of `value` with secret-looking keys and values replaced."""
    if key and SENSITIVE_KEY.search(key) and isinstance(value, str | bytes | int | float):
        return FILTERED
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item, key) for item in value)
    if isinstance(value, str):
        return SENSITIVE_VALUE.sub(FILTERED, value)
    return value


def _before_send(event: dict, hint: dict) -> dict:
    return scrub(event)


def init_monitoring(dsn: str | None, environment: str, transport: Any = None) -> bool:
    """Start Sentry when `dsn` is set; True when it is on."""
    global _enabled
    if not dsn:
        _enabled = False
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"epic-events@{__version__}",
        # Nothing personal, no local variables, no SQL parameters, no source lines.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "database_query_data": False,
            "stack_frame_variables": False,
            "frame_context_lines": 0,
        },
        include_local_variables=False,
        include_source_context=False,
        max_request_body_size="never",
        default_integrations=False,  # no auto SQL breadcrumbs: parameters may hold personal data
        auto_enabling_integrations=False,
        before_send=_before_send,
        before_breadcrumb=lambda crumb, hint: scrub(crumb),
        transport=transport,
    )
    _enabled = True
    return True


def record(event: str, **ids: int | str | None) -> None:
    """Send an audit event such as `collaborator.created`, with ids as tags."""
    if not _enabled:
        return
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        for name, value in ids.items():
            scope.set_tag(name, "" if value is None else str(value))
        scope.set_context("audit", {"event": event, **ids})
        sentry_sdk.capture_message(event, level="info")


def capture_exception(error: BaseException) -> str | None:
    """Report an unexpected exception; return the event id to show the user."""
    if not _enabled:
        return None
    import sentry_sdk

    return sentry_sdk.capture_exception(error)


def flush(timeout: float = 2.0) -> None:
    if _enabled:
        import sentry_sdk

        sentry_sdk.flush(timeout=timeout)
