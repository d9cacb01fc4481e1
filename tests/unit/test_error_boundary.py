"""The one error boundary around every menu action."""

import io
from dataclasses import replace

import pytest
from rich.console import Console

from epic_events.errors import NotAuthenticated, PermissionDenied
from epic_events.views.context import AppContext
from epic_events.views.menu import run_action


def context(settings, debug=False):
    console = Console(record=True, width=120, file=io.StringIO())
    return AppContext(console, replace(settings, debug=debug), uow=None, authenticator=None)


def output(ctx) -> str:
    return ctx.console.export_text()


def fail(exception):
    def handler(ctx):
        raise exception

    return handler


def test_a_domain_error_prints_one_short_line(settings):
    ctx = context(settings)
    run_action(ctx, fail(PermissionDenied("Only gestion may create collaborators.")))
    assert output(ctx).strip() == "✗ Only gestion may create collaborators."


def test_ctrl_c_cancels_the_action_and_says_nothing_changed(settings):
    ctx = context(settings)
    run_action(ctx, fail(KeyboardInterrupt()))
    assert "Cancelled: nothing was changed." in output(ctx)


def test_an_unexpected_error_gets_an_apology_and_no_traceback(settings):
    ctx = context(settings)
    run_action(ctx, fail(RuntimeError("secret internals")))
    text = output(ctx)
    assert "Sorry, something unexpected went wrong" in text
    assert "Traceback" not in text
    assert "secret internals" not in text


def test_debug_mode_shows_the_traceback(settings):
    ctx = context(settings, debug=True)
    run_action(ctx, fail(RuntimeError("secret internals")))
    text = output(ctx)
    assert "Traceback" in text
    assert "secret internals" in text


def test_a_lost_session_goes_up_to_the_login(settings):
    ctx = context(settings)
    with pytest.raises(NotAuthenticated):
        run_action(ctx, fail(NotAuthenticated("Please log in.")))


def test_an_unexpected_error_is_sent_to_sentry(settings):
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from epic_events import monitoring

    class Capture(Transport):
        def __init__(self, options=None):
            super().__init__(options)
            self.envelopes = []

        def capture_envelope(self, envelope):
            self.envelopes.append(envelope)

    transport = Capture()
    monitoring.init_monitoring("https://public@sentry.example/1", "test", transport=transport)
    try:
        ctx = context(settings)
        run_action(ctx, fail(RuntimeError("boom")))
        sentry_sdk.flush()
        (event,) = [e.get_event() for e in transport.envelopes if e.get_event()]
        assert event["exception"]["values"][0]["type"] == "RuntimeError"
        assert "reference" in output(ctx)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()
        monitoring._enabled = False
