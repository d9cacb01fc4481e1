"""Sessions held by PostgreSQL: the database trusts no workstation.

Until now each transaction named its collaborator (`epic_events.collaborator_id`) and
PostgreSQL believed it: whoever held a workstation's password could act as anyone and read
every password hash. Now:

- **Logging in goes through the database.** `login_challenge(email, usual)` gives the
  argon2id parameters and salt of the stored verifier (for an unknown email: the usual
  parameters and a salt derived from a key no role reads, the same at every call, so the
  answer tells nothing); the workstation derives the proof with argon2id from the password;
  `open_session(email, proof, upgraded, hours)` compares the SHA-256 of that proof with the
  stored verifier, counts failures as before, and returns a new session token
  (`<id>.<64 hex>`) whose secret is stored as its SHA-256 only. What is stored (parameters,
  salt, SHA-256 of the proof) is not enough to log in: the proof takes the password.
- **Each transaction names its session** (`enter_session(token)`), never a collaborator;
  `current_collaborator_id()` resolves it from a live session (not ended, not expired, of
  this very workstation role), and the policies, triggers and history follow.
- **With no valid session an app role reads nothing**: the program reads and writes
  through the views of schema `crm` (workstation roles find them first on their
  search_path), each gated by `(SELECT current_collaborator_id()) IS NOT NULL`; the tables
  of `public` grant the app role nothing (but the schema version). A gate with no column in
  it is a one-time filter: when it fails no row is even scanned, and when it passes the
  plans are the tables' own (a row-level security read policy would keep LIKE, ILIKE and
  numeric comparisons, which are not leakproof, from using their indexes).
- **Sessions end in the database**: logging out (`end_session`), a change of password,
  email or department, a deactivation (trigger: every session of that collaborator but the
  one that made the change), a deletion (cascade), a revoked workstation (setup.py), or
  gestion (`end_session_by_id`, its "Active sessions" screen, `active_sessions()`).
- **One's own password changes only with the current one**: `prove_own_password(proof)`
  leaves a mark only the database can compute (the key again) for this transaction, and a
  trigger refuses an own password change without it.
- Stored password hashes become verifiers: `$epic$argon2id$v=…$m=…,t=…,p=…$<salt>$<SHA-256
  of the argon2 hash>`, converted here from the argon2 hashes (the argon2 hash of a
  password is exactly the proof: nobody types their password again). Not reversible.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from epic_events.roles import current_roles

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The relations the program reads and writes, and what the app role may do through each.
APP_VIEWS = {
    "departments": "SELECT",
    "collaborators": "INSERT, UPDATE, DELETE",  # and SELECT on every column but the verifier
    "clients": "SELECT, INSERT, UPDATE",
    "contracts": "SELECT, INSERT, UPDATE",
    "events": "SELECT, INSERT, UPDATE",
    "audit_log": "SELECT, INSERT",
    "client_search": "SELECT",
    "event_search": "SELECT",
    "audit_kinds": "SELECT",
}
GATE = "(SELECT public.current_collaborator_id()) IS NOT NULL"

ID_OF = (
    r"CASE WHEN {t} ~ '^[0-9]{{1,18}}\.[0-9a-f]{{64}}$' THEN split_part({t}, '.', 1)::bigint END"
)
DIGEST_OF = "sha256(convert_to(split_part({t}, '.', 2), 'UTF8'))"


def live_session(column: str) -> str:
    named = "current_setting('epic_events.session', true)"
    return f"""
    SELECT s.{column} FROM sessions s
    WHERE s.id = {ID_OF.format(t=named)}
      AND s.secret_digest = {DIGEST_OF.format(t=named)}
      AND s.ended_at IS NULL AND s.expires_at > now() AND s.workstation = session_user
"""


FUNCTIONS = rf"""
CREATE FUNCTION current_session_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
{live_session("id")}
$$;

CREATE OR REPLACE FUNCTION current_collaborator_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
{live_session("collaborator_id")}
$$;

-- The last part of a stored verifier, decoded (NULL for anything else).
CREATE FUNCTION verifier_of(stored text) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT decode(rpad(m[1], (length(m[1]) + 3) / 4 * 4, '='), 'base64')
    FROM regexp_match(stored,
        '^\$epic\$argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$([A-Za-z0-9+/]+)$') m
$$;

-- A mark of this transaction and session that only the database can make (login_key).
CREATE FUNCTION password_proof_mark(session_id bigint) RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT encode(sha256(k.key || convert_to(session_id::text || ':' || pg_current_xact_id()::text,
                                             'UTF8')), 'hex')
    FROM login_key k
$$;

CREATE FUNCTION login_challenge(email text, usual text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT substring(c.password_hash FROM
            '^\$epic\$(argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+)\$[A-Za-z0-9+/]+$')
         FROM collaborators c WHERE c.email = lower(btrim(login_challenge.email))),
        CASE WHEN usual ~ '^argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+$' THEN usual
             ELSE 'argon2id$v=19$m=65536,t=3,p=4' END
        || '$' || (SELECT rtrim(encode(substring(sha256(k.key || convert_to(
                      lower(btrim(login_challenge.email)), 'UTF8')) FROM 1 FOR 16), 'base64'), '=')
                   FROM login_key k))
$$;

CREATE FUNCTION open_session(email text, proof bytea, upgraded text, hours integer)
RETURNS TABLE (outcome text, wait_seconds integer, session_token text, collaborator_id integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    address text := lower(btrim(email));
    found record;
    waited integer;
    secret text;
    new_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(address, 0));
    waited := login_wait_seconds(address);
    IF waited > 0 THEN
        RETURN QUERY SELECT 'wait'::text, waited, NULL::text, NULL::integer;
        RETURN;
    END IF;
    SELECT c.id, c.active, c.password_hash INTO found
    FROM collaborators c WHERE c.email = address;
    IF found.id IS NULL OR verifier_of(found.password_hash) IS DISTINCT FROM sha256(proof) THEN
        PERFORM record_login_failure(address);
        RETURN QUERY SELECT 'invalid'::text, 0, NULL::text, NULL::integer;
        RETURN;
    END IF;
    IF NOT found.active THEN  -- said only to whoever knows the password
        RETURN QUERY SELECT 'inactive'::text, 0, NULL::text, NULL::integer;
        RETURN;
    END IF;
    PERFORM clear_login_failures(address);
    -- Sessions ended or expired a month ago are forgotten as new ones open.
    DELETE FROM sessions s WHERE coalesce(s.ended_at, s.expires_at) < now() - interval '30 days';
    secret := encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text
                                       || clock_timestamp()::text, 'UTF8')), 'hex');
    INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at)
    VALUES (found.id, session_user, sha256(convert_to(secret, 'UTF8')),
            now() + make_interval(hours => least(greatest(coalesce(hours, 1), 1), 24 * 90)))
    RETURNING id INTO new_id;
    UPDATE workstations w SET last_seen_at = now() WHERE w.role_name = session_user;
    PERFORM set_config('epic_events.session', new_id || '.' || secret, true);
    IF upgraded IS NOT NULL AND verifier_of(upgraded) IS NOT NULL THEN  -- today's parameters
        PERFORM set_config('epic_events.password_proof', password_proof_mark(new_id), true);
        UPDATE collaborators c SET password_hash = upgraded
        WHERE c.id = found.id AND c.password_hash = found.password_hash;
    END IF;
    RETURN QUERY SELECT 'ok'::text, 0, new_id || '.' || secret, found.id;
END;
$$;

-- The statement that starts each transaction of the program: name the session, and keep
-- its "last seen" (and its workstation's) to the minute. Returns the collaborator, or NULL.
CREATE FUNCTION enter_session(token text) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    found record;
BEGIN
    PERFORM set_config('epic_events.session', coalesce(token, ''), true);
    SELECT s.id, s.collaborator_id, s.last_seen_at INTO found
    FROM sessions s WHERE s.id = current_session_id();
    IF found.id IS NULL THEN
        RETURN NULL;
    END IF;
    IF found.last_seen_at < now() - interval '1 minute' THEN
        UPDATE sessions s SET last_seen_at = now() WHERE s.id = found.id;
        UPDATE workstations w SET last_seen_at = now() WHERE w.role_name = session_user;
    END IF;
    RETURN found.collaborator_id;
END;
$$;

CREATE FUNCTION end_session(token text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH ended AS (
        UPDATE sessions s SET ended_at = now(), end_reason = 'logged out'
        WHERE s.id = {ID_OF.format(t="token")}
          AND s.secret_digest = {DIGEST_OF.format(t="token")}
          AND s.ended_at IS NULL AND s.workstation = session_user
        RETURNING 1)
    SELECT count(*) > 0 FROM ended
$$;

-- Why a session the program holds no longer names anyone (for its message): NULL when the
-- database knows no such session (the account was deleted, or the token is not this
-- workstation's).
CREATE FUNCTION session_end_reason(token text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN s.ended_at IS NOT NULL THEN s.end_reason
                WHEN s.expires_at <= now() THEN 'expired' END
    FROM sessions s
    WHERE s.id = {ID_OF.format(t="token")}
      AND s.secret_digest = {DIGEST_OF.format(t="token")}
      AND s.workstation = session_user
$$;

CREATE FUNCTION prove_own_password(proof bytea) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := current_collaborator_id();
    address text;
    stored text;
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    SELECT c.email, c.password_hash INTO address, stored FROM collaborators c WHERE c.id = me;
    IF login_wait_seconds(address) > 0 THEN
        RETURN false;
    END IF;
    IF verifier_of(stored) IS DISTINCT FROM sha256(proof) THEN
        PERFORM record_login_failure(address);
        RETURN false;
    END IF;
    PERFORM clear_login_failures(address);
    PERFORM set_config('epic_events.password_proof',
                       password_proof_mark(current_session_id()), true);
    RETURN true;
END;
$$;

CREATE FUNCTION guard_own_password() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.id = current_collaborator_id()
       AND NEW.password_hash IS DISTINCT FROM OLD.password_hash
       AND current_setting('epic_events.password_proof', true)
           IS DISTINCT FROM password_proof_mark(current_session_id()) THEN
        RAISE EXCEPTION 'one''s own password changes only with the current one'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

-- A new password, email or department (the token version moves), or a deactivation, ends
-- every session of that collaborator but the one that made the change.
CREATE FUNCTION end_changed_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE sessions s SET ended_at = now(), end_reason =
        CASE WHEN NOT NEW.active THEN 'deactivated'
             WHEN NEW.department_id IS DISTINCT FROM OLD.department_id THEN 'department changed'
             ELSE 'password or email changed' END
    WHERE s.collaborator_id = NEW.id AND s.ended_at IS NULL
      AND s.id IS DISTINCT FROM current_session_id();
    RETURN NULL;
END;
$$;

CREATE FUNCTION active_sessions()
RETURNS TABLE (session_id bigint, collaborator_id integer, name text, email text,
               department text, workstation text, started_at timestamptz,
               last_seen_at timestamptz, expires_at timestamptz, yours boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_department() IS DISTINCT FROM 'gestion' THEN
        RAISE EXCEPTION 'only gestion sees the sessions' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT s.id, c.id, c.name::text, c.email::text, d.name::text,
           coalesce(w.name, s.workstation), s.created_at, s.last_seen_at, s.expires_at,
           s.id = current_session_id()
    FROM sessions s
    JOIN collaborators c ON c.id = s.collaborator_id
    JOIN departments d ON d.id = c.department_id
    LEFT JOIN workstations w ON w.role_name = s.workstation
    WHERE s.ended_at IS NULL AND s.expires_at > now()
    ORDER BY s.last_seen_at DESC, s.id DESC;
END;
$$;

CREATE FUNCTION end_session_by_id(chosen bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_department() IS DISTINCT FROM 'gestion' THEN
        RAISE EXCEPTION 'only gestion ends a session' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE sessions s SET ended_at = now(), end_reason = 'ended by gestion'
    WHERE s.id = chosen AND s.ended_at IS NULL;
    RETURN FOUND;
END;
$$;
"""

APP_FUNCTIONS = (
    "login_challenge(text, text)",
    "open_session(text, bytea, text, integer)",
    "enter_session(text)",
    "end_session(text)",
    "session_end_reason(text)",
    "prove_own_password(bytea)",
    "active_sessions()",
    "end_session_by_id(bigint)",
)
READING_FUNCTIONS = ("current_department()", "is_active_in(integer, text)", "stamp_audit_author()")
PRIVATE_FUNCTIONS = ("password_proof_mark(bigint)", "current_session_id()")

CONVERT_HASHES = r"""
UPDATE collaborators c
SET password_hash = '$epic$argon2id$' || m[1] || '$' || m[2] || '$' || rtrim(encode(sha256(
        decode(rpad(m[3], (length(m[3]) + 3) / 4 * 4, '='), 'base64')), 'base64'), '=')
FROM (SELECT id, regexp_match(password_hash,
        '^\$argon2id\$(v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$') AS m
      FROM collaborators) x
WHERE x.id = c.id AND x.m IS NOT NULL
"""


def upgrade() -> None:
    bind = op.get_bind()
    owner, app = current_roles(bind)
    op.create_table(
        "login_key",
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("one", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("one", name=op.f("pk_login_key")),
        sa.CheckConstraint("one", name=op.f("ck_login_key_one")),
    )
    op.execute(
        "INSERT INTO login_key (key) SELECT sha256(convert_to(gen_random_uuid()::text "
        "|| gen_random_uuid()::text || clock_timestamp()::text, 'UTF8'))"
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("collaborator_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.Text(), nullable=False),
        sa.Column("secret_digest", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.ForeignKeyConstraint(
            ["collaborator_id"],
            ["collaborators.id"],
            ondelete="CASCADE",
            name=op.f("fk_sessions_collaborator_id_collaborators"),
        ),
    )
    op.execute(
        "CREATE INDEX ix_sessions_live_collaborator ON sessions (collaborator_id) WHERE ended_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_sessions_live_workstation ON sessions (workstation) WHERE ended_at IS NULL"
    )
    op.execute("REVOKE ALL ON login_key, sessions FROM PUBLIC")

    op.execute("ALTER TABLE collaborators NO FORCE ROW LEVEL SECURITY")
    op.execute(CONVERT_HASHES)
    op.execute("ALTER TABLE collaborators FORCE ROW LEVEL SECURITY")

    # A SQL function's body is checked as it is created, and row_security is off for the
    # migration (it fails loudly rather than be filtered): checked when first called instead.
    op.execute("SET LOCAL check_function_bodies = off")
    op.execute(FUNCTIONS)
    op.execute("SET LOCAL check_function_bodies = on")
    # The app role holds no right on the tables any more: what reads them on its behalf
    # runs as the owner.
    for function in READING_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SECURITY DEFINER")
    op.execute(
        "CREATE TRIGGER collaborators_guard_own_password BEFORE UPDATE OF password_hash "
        "ON collaborators FOR EACH ROW EXECUTE FUNCTION guard_own_password()"
    )
    op.execute(
        "CREATE TRIGGER collaborators_end_sessions AFTER UPDATE ON collaborators FOR EACH ROW "
        "WHEN (OLD.token_version IS DISTINCT FROM NEW.token_version "
        "OR OLD.active IS DISTINCT FROM NEW.active "
        "OR OLD.department_id IS DISTINCT FROM NEW.department_id) "
        "EXECUTE FUNCTION end_changed_sessions()"
    )
    for function in (*APP_FUNCTIONS, *PRIVATE_FUNCTIONS):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    for function in APP_FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")

    # The app role reads and writes through the gated views only.
    op.execute(f"CREATE SCHEMA IF NOT EXISTS crm AUTHORIZATION {owner}")
    op.execute("REVOKE ALL ON SCHEMA crm FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA crm TO {app}")
    for table, privileges in APP_VIEWS.items():
        op.execute(f"REVOKE ALL ON public.{table} FROM {app}")
        op.execute(f"CREATE VIEW crm.{table} AS SELECT * FROM public.{table} WHERE {GATE}")
        op.execute(f"GRANT {privileges} ON crm.{table} TO {app}")
    readable = bind.scalars(
        sa.text(
            "SELECT quote_ident(column_name) FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = 'collaborators' "
            "AND column_name <> 'password_hash' ORDER BY ordinal_position"
        )
    ).all()
    op.execute(f"GRANT SELECT ({', '.join(readable)}) ON crm.collaborators TO {app}")


def downgrade() -> None:
    bind = op.get_bind()
    _, app = current_roles(bind)
    for table, privileges in APP_VIEWS.items():
        op.execute(f"DROP VIEW IF EXISTS crm.{table}")
        grant = "SELECT, INSERT, UPDATE, DELETE" if table == "collaborators" else privileges
        op.execute(f"GRANT {grant} ON public.{table} TO {app}")
    op.execute("DROP SCHEMA IF EXISTS crm")
    op.execute("DROP TRIGGER IF EXISTS collaborators_guard_own_password ON collaborators")
    op.execute("DROP TRIGGER IF EXISTS collaborators_end_sessions ON collaborators")
    op.execute(
        "DROP FUNCTION IF EXISTS login_challenge(text, text), "
        "open_session(text, bytea, text, integer), enter_session(text), end_session(text), "
        "session_end_reason(text), "
        "prove_own_password(bytea), active_sessions(), end_session_by_id(bigint), "
        "guard_own_password(), end_changed_sessions(), password_proof_mark(bigint), "
        "verifier_of(text)"
    )
    op.execute(
        """
CREATE OR REPLACE FUNCTION current_collaborator_id() RETURNS integer
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
    SELECT nullif(current_setting('epic_events.collaborator_id', true), '')::integer
$$;
"""
    )
    op.execute("DROP FUNCTION IF EXISTS current_session_id()")
    for function in READING_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SECURITY INVOKER")
    op.drop_table("sessions")
    op.drop_table("login_key")
    # The verifiers stay verifiers: nobody can log in with them under 0010 (no way back).
