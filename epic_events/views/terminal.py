"""The program's console on a real terminal: Rich renders, prompt_toolkit reads.

Every prompt is a prompt_toolkit line editor (arrows, Home/End, Ctrl-A/E/K/U/W, Ctrl-R), with
a history of its own per field (the emails typed at "Email", the searches at "Search"), an
editable prefilled value where a form edits one, and, for a picker, a menu of matches below
the line, refreshed as the user types (Up/Down or Tab to move, Enter to take one).
Ctrl-C raises KeyboardInterrupt (the form is cancelled), Ctrl-D on an empty line EOFError.

The interactive program runs only on a terminal (cli.py); without one it points to the
commands, which never prompt but for a password read with `--password-stdin`.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading

from rich.console import Console
from rich.text import Text

EDITOR = "prompt_toolkit.shortcuts"


def preload_editor() -> None:
    """Import prompt_toolkit (~80 ms) in the background while the program connects and
    draws its first screen: the first prompt then finds it loaded."""
    threading.Thread(target=importlib.import_module, args=(EDITOR,), daemon=True).start()


def _bindings():
    from prompt_toolkit.filters import completion_is_selected, has_completions
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter", filter=has_completions & completion_is_selected)
    def _take_the_selected_match(event) -> None:
        """Enter on a highlighted match takes it at once (one key, not two)."""
        buffer = event.current_buffer
        buffer.complete_state = None  # the match's text stays in the line
        buffer.validate_and_handle()

    return bindings


def _answering(keys: dict[str, str]):
    from prompt_toolkit.application.current import get_app
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()
    nothing_typed = Condition(lambda: not get_app().current_buffer.text)
    for key, answer in keys.items():

        @bindings.add(key, filter=nothing_typed)
        def _answer(event, answer=answer) -> None:
            event.app.exit(result=answer)

    return bindings


class TerminalConsole(Console):
    """A Rich console whose `input` is a prompt_toolkit prompt."""

    line_editor = True

    def __init__(self, **options):
        super().__init__(**options)
        self._histories: dict = {}  # prompt -> its InMemoryHistory
        self._bindings = None
        self.notices: list = []  # the last action's messages, shown under the next screen

    def _prompt_ansi(self, prompt: str | Text):
        """The prompt as Rich renders it (colours, or none under NO_COLOR), for prompt_toolkit."""
        from prompt_toolkit.formatted_text import ANSI

        text = Text.from_markup(prompt) if isinstance(prompt, str) else prompt
        with self.capture() as captured:
            self.print(text, end="")
        return ANSI(captured.get())

    def input(
        self,
        prompt: str | Text = "",
        *,
        markup: bool = True,
        emoji: bool = True,
        password: bool = False,
        stream=None,
        prefill: str = "",
        history: str | None = None,
        completer=None,  # a prompt_toolkit Completer
        keys: dict[str, str] | None = None,
    ) -> str:
        """`keys`: keys (prompt_toolkit names: "up", "j") that answer at once, with the
        given text, when nothing is typed yet (a list's arrows)."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory
        from prompt_toolkit.key_binding import merge_key_bindings

        # Only what is said after the last answer is an action's outcome (a field's refusal
        # was answered already): that is what the next screen shows again.
        self.notices.clear()

        if self._bindings is None:
            self._bindings = _bindings()
        bindings = self._bindings
        if keys:
            bindings = merge_key_bindings([bindings, _answering(keys)])
        key = None if password else (history or str(prompt))
        session = PromptSession(
            history=self._histories.setdefault(key, InMemoryHistory()) if key else None,
            key_bindings=bindings,
            completer=completer,
            complete_while_typing=completer is not None,
            complete_in_thread=completer is not None,
            reserve_space_for_menu=min(9, max(0, self.height - 4)) if completer else 0,
            enable_history_search=False,
            mouse_support=False,
        )
        return session.prompt(
            self._prompt_ansi(prompt), is_password=password, default=prefill or ""
        )


def make_terminal_console() -> TerminalConsole:
    """The interactive program's console (views/console.py's make_console, with an editor)."""
    return TerminalConsole(highlight=False, emoji=False)


def choose_one(console: TerminalConsole, message, options: list[tuple[object, str]]):
    """prompt_toolkit's selection list: ↑↓ (or the number) and Enter take one; Ctrl-C raises
    KeyboardInterrupt. `options` are (value, label); the first is selected."""
    from prompt_toolkit.shortcuts import choice

    return choice(console._prompt_ansi(message), options=options)


@contextlib.contextmanager
def keys_held_back():
    """While the block runs (a login being checked), what is typed is neither echoed nor
    kept: the terminal's echo is off, and its pending input is dropped at the end."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if sys.stdin.isatty() else None
    except (ImportError, OSError, ValueError):  # not a terminal, or no termios
        yield
        return
    if saved is None:
        yield
        return
    quiet = list(saved)
    quiet[3] = quiet[3] & ~(termios.ECHO | termios.ICANON)
    try:
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        yield
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSANOW, saved)
