"""The seed users' passwords: from USER_<n>_PW, the given prompt, or generated; never a
terminal the installer opens on its own."""

import pytest

from epic_events.config import read_env_file
from epic_events.departments import DepartmentName
from epic_events.errors import ConfigurationError
from epic_events.install.report import Report
from epic_events.install.user_passwords import UserPasswords
from epic_events.seed_file import SeedUser

BOSS = SeedUser("Boss", "boss@example.com", "+33 1 23 45 67 89", DepartmentName.GESTION)
SELLER = SeedUser("Seller", "seller@example.com", "+33 1 23 45 67 80", DepartmentName.COMMERCE)


def typed(*answers):
    """A prompt that answers in turn, and remembers what it was asked."""
    questions = []
    pending = list(answers)

    def prompt(question):
        questions.append(question)
        return pending.pop(0)

    prompt.questions = questions
    return prompt


def passwords_for(tmp_path, lines, prompt=None, **environ):
    return UserPasswords(tmp_path / "settings.env", environ, Report(lines.append), prompt)


def test_the_super_users_password_is_asked_twice_through_the_given_prompt(tmp_path):
    prompt = typed("first secret password", "first secret password")
    assert passwords_for(tmp_path, [], prompt)(1, BOSS) == "first secret password"
    assert prompt.questions == [
        "Password for the super user boss@example.com: ",
        "Same password again: ",
    ]
    assert not (tmp_path / "settings.env").exists()  # a typed password is never written down


def test_a_short_or_mistyped_password_is_asked_again(tmp_path):
    lines = []
    prompt = typed("short", "first secret password", "other", "good password", "good password")
    assert passwords_for(tmp_path, lines, prompt)(1, BOSS) == "good password"
    assert "at least 8 characters" in lines[0]
    assert lines[1] == "The two passwords differ: please type them again."


def test_user_1_pw_wins_over_the_prompt(tmp_path):
    prompt = typed()
    chosen = passwords_for(tmp_path, [], prompt, USER_1_PW="from the environment")(1, BOSS)
    assert chosen == "from the environment"
    assert prompt.questions == []


def test_an_unacceptable_user_pw_stops_with_one_clear_line(tmp_path):
    with pytest.raises(ConfigurationError, match="USER_2_PW is not an acceptable password"):
        passwords_for(tmp_path, [], USER_2_PW="short")(2, SELLER)


def test_without_a_prompt_the_super_users_password_is_generated_shown_once_and_kept(tmp_path):
    lines = []
    generated = passwords_for(tmp_path, lines)(1, BOSS)
    assert read_env_file(tmp_path / "settings.env")["USER_1_PW"] == generated
    assert "\n".join(lines).count(generated) == 1


def test_other_users_without_a_password_are_skipped_and_never_asked_for(tmp_path):
    prompt = typed()
    assert passwords_for(tmp_path, [], prompt)(2, SELLER) is None
    assert prompt.questions == []
