"""Commands: a second view over the menu's controllers, for scripts (`epic_events clients
list --format json`). Options instead of prompts, standard output instead of screens; no
rule of their own: the controllers decide, and their errors become exit statuses here, in
the one error boundary of a command."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from epic_events.exit_status import ExitStatus

log = logging.getLogger(__name__)


def _handlers() -> dict[tuple[str, str], Callable]:
    from epic_events.views.commands import actions, reads, session

    table = {
        ("session", "login"): session.login,
        ("session", "logout"): session.logout,
        ("activity", "list"): reads.activity,
        ("sessions", "list"): reads.list_sessions,
        ("sessions", "end"): actions.end_session,
        ("dashboard", "show"): reads.dashboard,
        ("profile", "show"): actions.show_profile,
        ("profile", "update"): actions.update_profile,
        ("profile", "password"): actions.change_password,
        ("clients", "create"): actions.create_client,
        ("clients", "update"): actions.update_client,
        ("clients", "reassign"): actions.reassign_client,
        ("contracts", "create"): actions.create_contract,
        ("contracts", "update"): actions.update_contract,
        ("contracts", "sign"): actions.sign_contract,
        ("events", "create"): actions.create_event,
        ("events", "update"): actions.update_event,
        ("events", "assign"): actions.assign_support,
        ("collaborators", "create"): actions.create_collaborator,
        ("collaborators", "update"): actions.update_collaborator,
        ("collaborators", "deactivate"): actions.deactivate_collaborator,
        ("collaborators", "reactivate"): actions.reactivate_collaborator,
        ("collaborators", "delete"): actions.delete_collaborator,
    }
    for entity in ("clients", "contracts", "events", "collaborators"):
        table[(entity, "list")] = reads.list_records
        table[(entity, "show")] = reads.show
        table[(entity, "history")] = reads.history
    for entity in ("clients", "contracts", "events"):
        table[(entity, "archive")] = actions.archive_record
        table[(entity, "restore")] = actions.restore_record
    return table


def status_of(problem: BaseException) -> ExitStatus:
    """The exit status of an expected error (errors.py), by its kind."""
    from epic_events import errors

    statuses = (
        (errors.NotAuthenticated, ExitStatus.NOT_LOGGED_IN),
        (errors.TokenStoreError, ExitStatus.NOT_LOGGED_IN),
        (errors.PermissionDenied, ExitStatus.REFUSED),
        (errors.NotFound, ExitStatus.NOT_FOUND),
        (errors.ValidationError, ExitStatus.USAGE),
        (errors.ConfigurationError, ExitStatus.USAGE),
        (errors.Conflict, ExitStatus.CONFLICT),
    )
    for kind, status in statuses:
        if isinstance(problem, kind):
            return status
    return ExitStatus.ERROR


def error(message: str) -> None:
    from epic_events.views.text import sanitize

    print(f"epic_events: {sanitize(message)}", file=sys.stderr, flush=True)


def execute(args, connect: Callable[[], object], settings) -> int:
    """Run the command `args` names on the context `connect()` builds; its exit status.

    Expected errors print one line on standard error; anything else is logged (and sent
    to Sentry), said in one line, and shown in full only in debug mode. Never a traceback.
    """
    from epic_events.views.commands.standard_streams import guarded_stdout

    with guarded_stdout():
        return _execute(args, connect, settings)


def _execute(args, connect: Callable[[], object], settings) -> int:
    from epic_events.errors import EpicEventsError
    from epic_events.views.commands.standard_streams import OutputFailed

    try:
        handler = _handlers()[tuple(args.action)]
        ctx = connect()
        if args.action[0] != "session":
            from epic_events.views.commands.session import signed_in

            ctx.user = signed_in(ctx, dev=args.dev)
        handler(ctx, args)
        sys.stdout.flush()
        return ExitStatus.OK
    except KeyboardInterrupt:
        error("interrupted.")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:  # `… | head`: the reader has gone; say nothing more
        _silence_stdout()
        return ExitStatus.BROKEN_PIPE
    except OutputFailed as problem:  # `>&-`, `> /dev/full`: the system's doing, not a bug
        _silence_stdout()
        error(f"cannot write standard output: {problem}")
        return ExitStatus.ERROR
    except EpicEventsError as problem:
        error(problem.message)
        return status_of(problem)
    except Exception as problem:
        from epic_events import monitoring

        log.error("unexpected error in a command", exc_info=problem)
        event_id = monitoring.capture_exception(problem)
        reference = f" (reference {event_id})" if event_id else ""
        error(f"unexpected error{reference}; it was logged.")
        if settings.debug:
            import traceback

            traceback.print_exception(problem, file=sys.stderr)
        return ExitStatus.ERROR


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
