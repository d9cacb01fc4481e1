"""The installer behind setup.py: idempotent, never destructive, no terminal needed."""

import json
import stat
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from epic_events.auth import passwords
from epic_events.config import read_env_file
from epic_events.demo import DemoSize
from epic_events.errors import ConfigurationError, Conflict, DatabaseUnavailable
from epic_events.install import Installer
from epic_events.install.workstations import this_machine
from epic_events.roles import workstation_role


@pytest.fixture
def fresh_database(postgres):
    url = postgres.create_database("epic_setup")
    yield url
    postgres.drop_database(url)


def run(home, database_url, **environ):
    lines = []
    installer = Installer(home, lines.append, environ={"DATABASE_URL": database_url, **environ})
    changes = installer.run()
    return changes, "\n".join(lines)


def rows(url, sql):
    engine = create_engine(url)
    with engine.connect() as conn:
        result = conn.execute(text(sql)).all()
    engine.dispose()
    return result


def test_a_first_run_creates_everything(isolated_environment, fresh_database):
    home = isolated_environment
    changes, report = run(home, fresh_database, USER_1_PW="super user password")
    assert changes > 0
    for name in ("settings.env", "data.json", "tokens.csv", "jwt.key"):
        assert (home / name).exists(), name
    for private in ("settings.env", "tokens.csv", "jwt.key"):
        assert stat.S_IMODE((home / private).stat().st_mode) == 0o600, private
    assert len(read_env_file(home / "settings.env")["JWT_SECRET"]) >= 32
    departments = rows(fresh_database, "SELECT name FROM departments ORDER BY name")
    assert [d.name for d in departments] == ["commerce", "gestion", "support"]
    (user,) = rows(
        fresh_database,
        "SELECT c.email, c.password_hash, d.name FROM collaborators c "
        "JOIN departments d ON d.id = c.department_id",
    )
    assert user.email == "admin@epicevents.example"
    assert user.name == "gestion"
    assert passwords.verify_password(user.password_hash, "super user password")
    assert "super user password" not in report


def test_a_second_run_changes_nothing_and_says_so(isolated_environment, fresh_database):
    home = isolated_environment
    run(home, fresh_database, USER_1_PW="super user password")
    env_before = (home / "settings.env").read_bytes()
    key_before = (home / "jwt.key").read_bytes()
    changes, report = run(home, fresh_database, USER_1_PW="another password now")
    assert changes == 0
    assert "already exists" in report
    assert "up to date" in report
    assert (home / "settings.env").read_bytes() == env_before
    assert (home / "jwt.key").read_bytes() == key_before
    (user,) = rows(fresh_database, "SELECT password_hash FROM collaborators")
    assert passwords.verify_password(user.password_hash, "super user password")


def test_without_a_password_or_terminal_one_is_generated_shown_once_and_kept(
    isolated_environment, fresh_database
):
    home = isolated_environment
    _, report = run(home, fresh_database)
    generated = read_env_file(home / "settings.env")["USER_1_PW"]
    assert len(generated) >= 20
    assert report.count(generated) == 1
    (user,) = rows(fresh_database, "SELECT password_hash FROM collaborators")
    assert passwords.verify_password(user.password_hash, generated)


def test_an_existing_env_file_keeps_its_values_and_gets_a_missing_secret(
    isolated_environment, fresh_database
):
    home = isolated_environment
    (home / "settings.env").write_text("# mine\nSENTRY_DSN=\nUSER_1_PW=kept password 123\n")
    run(home, fresh_database)
    values = read_env_file(home / "settings.env")
    assert values["USER_1_PW"] == "kept password 123"
    assert len(values["JWT_SECRET"]) >= 32
    assert (home / "settings.env").read_text().startswith("# mine\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"departments": []}', "lacks"),
        ('{"departments": [{"name": "gestion"}], "users": []}', "no user"),
        (
            '{"departments": [{"name": "commerce"}], "users": [{"name": "A", '
            '"email": "a@example.com", "phone": "+33 1 23 45 67 89", "department": "commerce"}]}',
            "must be in gestion",
        ),
    ],
)
def test_a_broken_data_file_stops_with_one_clear_line(
    isolated_environment, fresh_database, content, message
):
    home = isolated_environment
    (home / "data.json").write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        run(home, fresh_database, USER_1_PW="super user password")


def test_other_users_of_the_data_file_are_created_when_their_password_is_given(
    isolated_environment, fresh_database
):
    home = isolated_environment
    (home / "data.json").write_text(
        json.dumps(
            {
                "departments": [{"name": "gestion"}, {"name": "commerce"}, {"name": "support"}],
                "users": [
                    {
                        "name": "Boss",
                        "email": "boss@example.com",
                        "phone": "+33 1 23 45 67 89",
                        "department": "gestion",
                    },
                    {
                        "name": "Seller",
                        "email": "seller@example.com",
                        "phone": "+33 1 23 45 67 80",
                        "department": "commerce",
                    },
                    {
                        "name": "Helper",
                        "email": "helper@example.com",
                        "phone": "+33 1 23 45 67 81",
                        "department": "support",
                    },
                ],
            }
        )
    )
    _, report = run(home, fresh_database, USER_1_PW="boss password 1", USER_2_PW="seller password")
    emails = [r.email for r in rows(fresh_database, "SELECT email FROM collaborators ORDER BY id")]
    assert emails == ["boss@example.com", "seller@example.com"]
    assert "skipped helper@example.com: set USER_3_PW" in report


def test_an_admin_url_given_to_setup_gives_the_program_its_own_url_and_is_never_saved(
    isolated_environment, fresh_database
):
    home = isolated_environment
    lines = []
    Installer(
        home,
        lines.append,
        environ={"USER_1_PW": "super user password"},
        database_url=fresh_database,
    ).run()
    saved = read_env_file(home / "settings.env")
    assert not saved.get("DATABASE_ADMIN_URL")
    assert fresh_database not in (home / "settings.env").read_text()
    program_url = make_url(saved["DATABASE_URL"])
    assert program_url.username == workstation_role(
        make_url(fresh_database).database, this_machine()
    )
    assert program_url.database == make_url(fresh_database).database


def test_the_super_users_password_is_asked_through_the_prompt_the_installer_is_given(
    isolated_environment, fresh_database
):
    home = isolated_environment
    questions = []

    def prompt(question):
        questions.append(question)
        return "typed at the prompt"

    lines = []
    Installer(home, lines.append, environ={"DATABASE_URL": fresh_database}, prompt=prompt).run()
    assert questions == [
        "Password for the super user admin@epicevents.example: ",
        "Same password again: ",
    ]
    (user,) = rows(fresh_database, "SELECT password_hash FROM collaborators")
    assert passwords.verify_password(user.password_hash, "typed at the prompt")
    assert not read_env_file(home / "settings.env").get("USER_1_PW")  # typed, so never written down
    assert "typed at the prompt" not in "\n".join(lines)


def add_a_client(url: str) -> None:
    """A client of the company's own, as staff would have made it."""
    engine = create_engine(url)
    with engine.begin() as conn:
        seller = conn.execute(
            text(
                "INSERT INTO collaborators (name, email, phone, department_id, password_hash) "
                "SELECT 'Bill Boquet', 'bill@example.com', '+33 6 00 00 00 00', id, 'x' "
                "FROM departments WHERE name = 'commerce' RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO clients (full_name, email, phone, company_name, "
                "commercial_contact_id) VALUES ('Kevin Casey', 'kevin@startup.io', "
                "'+678 123 456 78', 'Cool Startup LLC', :seller)"
            ),
            {"seller": seller},
        )
    engine.dispose()


TINY_DEMO = DemoSize(commerce=2, support=2, clients=5, contracts=8, events=10)


def test_the_demo_is_refused_on_a_production_database_with_clients_of_its_own(
    isolated_environment, fresh_database
):
    home = isolated_environment
    run(home, fresh_database, USER_1_PW="super user password")
    add_a_client(fresh_database)
    installer = Installer(home, print, environ={"DATABASE_URL": fresh_database})
    with pytest.raises(Conflict, match="--demo-on-live-data") as refused:
        installer.run(TINY_DEMO)
    assert "Nothing was loaded" in refused.value.message
    assert rows(fresh_database, "SELECT count(*) AS n FROM clients")[0].n == 1
    demo = rows(fresh_database, "SELECT count(*) AS n FROM collaborators WHERE email LIKE '%demo%'")
    assert demo[0].n == 0


def test_the_demo_loads_on_live_data_when_asked_and_in_development(
    isolated_environment, fresh_database
):
    home = isolated_environment
    run(home, fresh_database, USER_1_PW="super user password")
    add_a_client(fresh_database)
    Installer(home, print, environ={"DATABASE_URL": fresh_database}).run(
        TINY_DEMO, demo_on_live_data=True
    )
    assert rows(fresh_database, "SELECT count(*) AS n FROM clients")[0].n == 1 + 5
    again = Installer(
        home, print, environ={"DATABASE_URL": fresh_database, "EPIC_EVENTS_ENV": "development"}
    )
    again.run(TINY_DEMO)  # already there: nothing added, and no refusal either
    assert rows(fresh_database, "SELECT count(*) AS n FROM clients")[0].n == 1 + 5


def test_the_demo_loads_into_a_new_production_database(isolated_environment, fresh_database):
    home = isolated_environment
    run(home, fresh_database, USER_1_PW="super user password")
    Installer(home, print, environ={"DATABASE_URL": fresh_database}).run(TINY_DEMO)
    assert rows(fresh_database, "SELECT count(*) AS n FROM events")[0].n == 10


def test_setup_renames_an_older_installs_env_to_settings_env(isolated_environment, fresh_database):
    home = isolated_environment
    (home / ".env").write_text("# an older install\nUSER_1_PW=kept password 123\n")
    _, output = run(home, fresh_database)
    assert not (home / ".env").exists()  # pipenv would load it over the environment
    assert (home / "settings.env").read_text().startswith("# an older install\n")
    assert read_env_file(home / "settings.env")["USER_1_PW"] == "kept password 123"
    assert f"renamed {home / '.env'} to {home / 'settings.env'}" in output


def test_setup_says_first_where_it_installs_never_the_password(
    isolated_environment, fresh_database
):
    _, output = run(isolated_environment, fresh_database)
    first = output.splitlines()[0]
    url = make_url(fresh_database)
    host = url.host or url.query["host"]  # the test server listens on a socket
    assert first.startswith(f"Installing into the PostgreSQL server {host}:")
    assert first.endswith(f", database {url.database}, as {url.username}.")
    assert not url.password or url.password not in output


def test_a_missing_database_is_created_through_the_admin_url(isolated_environment, postgres):
    url = postgres.url_for(f"epic_missing_{uuid.uuid4().hex[:10]}")  # on a server that answers
    try:
        _, output = run(isolated_environment, url)
        assert f"created the database {make_url(url).database} on the server" in output
        assert rows(url, "SELECT count(*) FROM collaborators") == [(1,)]
    finally:
        postgres.drop_database(url)


def test_a_server_that_does_not_answer_is_named_with_the_real_cause(isolated_environment):
    url = "postgresql://admin:secret@127.0.0.1:1/epic_events"  # nothing listens on port 1
    with pytest.raises(DatabaseUnavailable) as refused:
        run(isolated_environment, url)
    message = refused.value.message
    assert message.startswith("Cannot connect to 127.0.0.1:1, database epic_events: ")
    assert "nothing answers there" in message
    assert "secret" not in message


def test_two_setups_started_at_once_both_end_well(isolated_environment, fresh_database):
    """The second waits for the first's lock, then finds the work done (no IntegrityError)."""
    outcomes: list = [None, None]

    def setup(index: int) -> None:
        try:
            outcomes[index] = run(isolated_environment, fresh_database, USER_1_PW="same pw 1234")
        except Exception as problem:
            outcomes[index] = problem

    threads = [threading.Thread(target=setup, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert rows(fresh_database, "SELECT count(*) FROM collaborators") == [(1,)]
    assert rows(fresh_database, "SELECT count(*) FROM departments") == [(3,)]
