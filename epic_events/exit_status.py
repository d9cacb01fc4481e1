"""The program's exit statuses: one enum for the menu and the commands (README: "Commands")."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # unexpected: logged (and sent to Sentry when configured)
    USAGE = 2  # a wrong command line, an invalid value (the forms' message) or setting
    CONFIGURATION = 2
    NOT_LOGGED_IN = 3  # no saved session, or it ended; a wrong password at login
    NO_TERMINAL = 3  # the menu, started without a terminal
    REFUSED = 4  # refused by the permissions or by ownership: nothing was changed
    NOT_FOUND = 5
    CONFLICT = 6  # changed by someone else meanwhile, a duplicate, already done
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of standard output went away (`| head`), as SIGPIPE's 128+13
