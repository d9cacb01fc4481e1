"""Sessions, hardened after a review of 0011 (each point was shown by a query as a workstation):

- **A guess rolled back still counts.** `open_session()` counted a wrong proof in the
  caller's transaction and said so at once: a workstation that rolled back guessed without
  limit. Now it never tells in that transaction: a wrong proof gets a token of no session
  (its failure counted), a right one a token of a session (an inactive account's: ended,
  "deactivated"); the program commits, then tries the token. Rolling back forgets the
  failure and the answer together; committing keeps the failure.
- **The throttle is not the workstation's to reset**: `record_login_failure()` and
  `clear_login_failures()` are no longer granted to the app role (only `open_session()` and
  `prove_own_password()`, as the owner, call them).
- **The challenge tells nothing about an email.** Today's parameters are the database's
  (`login_key.usual`), no longer the caller's: `login_challenge(email)`.
- **No function reads rows without a session**: `is_active_in()` answers false without one,
  and it and `current_department()` are granted to the app role only.
- **A session ends with its account**: a live session is one of an active collaborator; a
  new password or email ends that person's other sessions by itself (not only when the
  program raises the token version); the login's upgrade of an old verifier does not.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from epic_events.auth.passwords import usual_parameters
from epic_events.roles import current_roles

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID_OF = (
    r"CASE WHEN {t} ~ '^[0-9]{{1,18}}\.[0-9a-f]{{64}}$' THEN split_part({t}, '.', 1)::bigint END"
)
DIGEST_OF = "sha256(convert_to(split_part({t}, '.', 2), 'UTF8'))"


# A session works from the transaction after the one that opened it: a guess cannot be
# tried and rolled back (with its failure) in one transaction.
NOT_THIS_TRANSACTION = (
    "coalesce(s.opened_in, -1) IS DISTINCT FROM xid(pg_current_xact_id_if_assigned())::text::bigint"
)


def live_session(column: str) -> str:
    named = "current_setting('epic_events.session', true)"
    return f"""
    SELECT s.{column} FROM sessions s
    WHERE s.id = {ID_OF.format(t=named)}
      AND s.secret_digest = {DIGEST_OF.format(t=named)}
      AND s.ended_at IS NULL AND s.expires_at > now() AND s.workstation = session_user
      AND EXISTS (SELECT 1 FROM collaborators c WHERE c.id = s.collaborator_id AND c.active)
      AND {NOT_THIS_TRANSACTION}
"""


RANDOM_HEX = (
    "encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text "
    "|| clock_timestamp()::text, 'UTF8')), 'hex')"
)

FUNCTIONS = rf"""
CREATE OR REPLACE FUNCTION current_session_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
{live_session("id")}
$$;

CREATE OR REPLACE FUNCTION current_collaborator_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
{live_session("collaborator_id")}
$$;

CREATE FUNCTION login_challenge(email text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT substring(c.password_hash FROM
            '^\$epic\$(argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+)\$[A-Za-z0-9+/]+$')
         FROM collaborators c WHERE c.email = lower(btrim(login_challenge.email))),
        (SELECT k.usual || '$' || rtrim(encode(substring(sha256(k.key || convert_to(
                    lower(btrim(login_challenge.email)), 'UTF8')) FROM 1 FOR 16), 'base64'), '=')
         FROM login_key k))
$$;

CREATE FUNCTION open_session(email text, proof bytea, hours integer)
RETURNS TABLE (outcome text, wait_seconds integer, session_token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    address text := lower(btrim(email));
    found record;
    waited integer;
    secret text := {RANDOM_HEX};
    new_id bigint;
    opened xid;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(address, 0));
    waited := login_wait_seconds(address);
    IF waited > 0 THEN
        RETURN QUERY SELECT 'wait'::text, waited, NULL::text;
        RETURN;
    END IF;
    SELECT c.id, c.active, c.password_hash INTO found
    FROM collaborators c WHERE c.email = address;
    IF found.id IS NULL OR verifier_of(found.password_hash) IS DISTINCT FROM sha256(proof) THEN
        -- Counted, and answered like a right one: a token, of no session.
        PERFORM record_login_failure(address);
        RETURN QUERY SELECT 'pending'::text, 0,
            (floor(random() * 1e15)::bigint + 1) || '.' || {RANDOM_HEX};
        RETURN;
    END IF;
    DELETE FROM sessions s WHERE coalesce(s.ended_at, s.expires_at) < now() - interval '30 days';
    IF NOT found.active THEN  -- said, once committed, only to whoever knows the password
        INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at,
                              ended_at, end_reason)
        VALUES (found.id, session_user, sha256(convert_to(secret, 'UTF8')), now(),
                now(), 'deactivated')
        RETURNING id, xmin INTO new_id, opened;
    ELSE
        PERFORM clear_login_failures(address);
        INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at)
        VALUES (found.id, session_user, sha256(convert_to(secret, 'UTF8')),
                now() + make_interval(hours => least(greatest(coalesce(hours, 1), 1), 24 * 90)))
        RETURNING id, xmin INTO new_id, opened;
        UPDATE workstations w SET last_seen_at = now() WHERE w.role_name = session_user;
    END IF;
    UPDATE sessions s SET opened_in = opened::text::bigint WHERE s.id = new_id;
    RETURN QUERY SELECT 'pending'::text, 0, new_id || '.' || secret;
END;
$$;

-- A verifier made with older parameters, made again with today's by the session of its
-- owner, with the proof of the same password (the login's next transaction).
CREATE FUNCTION upgrade_verifier(proof bytea, upgraded text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := current_collaborator_id();
    stored text;
BEGIN
    SELECT c.password_hash INTO stored FROM collaborators c WHERE c.id = me;
    IF me IS NULL OR verifier_of(upgraded) IS NULL
       OR verifier_of(stored) IS DISTINCT FROM sha256(proof) THEN
        RETURN false;
    END IF;
    PERFORM set_config('epic_events.password_proof', password_proof_mark(current_session_id()), true);
    PERFORM set_config('epic_events.rehash', password_proof_mark(current_session_id()), true);
    UPDATE collaborators c SET password_hash = upgraded WHERE c.id = me AND c.password_hash = stored;
    PERFORM set_config('epic_events.rehash', '', true);
    PERFORM set_config('epic_events.password_proof', '', true);
    RETURN FOUND;
END;
$$;

-- Why a session the program holds no longer names anyone (for its message): NULL when the
-- database knows no such session, or it was opened by this very transaction.
CREATE OR REPLACE FUNCTION session_end_reason(token text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN s.ended_at IS NOT NULL THEN s.end_reason
                WHEN s.expires_at <= now() THEN 'expired' END
    FROM sessions s
    WHERE s.id = {ID_OF.format(t="token")}
      AND s.secret_digest = {DIGEST_OF.format(t="token")}
      AND s.workstation = session_user AND {NOT_THIS_TRANSACTION}
$$;

CREATE OR REPLACE FUNCTION end_session(token text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH ended AS (
        UPDATE sessions s SET ended_at = now(), end_reason = 'logged out'
        WHERE s.id = {ID_OF.format(t="token")}
          AND s.secret_digest = {DIGEST_OF.format(t="token")}
          AND s.ended_at IS NULL AND s.workstation = session_user AND {NOT_THIS_TRANSACTION}
        RETURNING 1)
    SELECT count(*) > 0 FROM ended
$$;

-- Failures this very transaction wrote are not seen by it (the committed count is not
-- either, by MVCC): a guess's outcome cannot be read from the wait before a commit.
CREATE OR REPLACE FUNCTION login_wait_seconds(email text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(max(greatest(0, ceil(extract(epoch FROM
        f.last_failed_at + make_interval(secs => least(power(2, f.failures - 5), 900))
        - clock_timestamp())))::integer), 0)
    FROM login_failures f
    WHERE f.email_digest = sha256(convert_to(lower(btrim(email)), 'UTF8'))
      AND f.failures >= 5
      AND f.last_failed_at > clock_timestamp() - interval '1 hour'
      AND f.xmin IS DISTINCT FROM xid(pg_current_xact_id_if_assigned())
$$;

CREATE OR REPLACE FUNCTION is_active_in(collaborator_id integer, department text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT current_collaborator_id() IS NOT NULL AND EXISTS (
        SELECT 1 FROM collaborators c JOIN departments d ON d.id = c.department_id
        WHERE c.id = collaborator_id AND c.active AND d.name = department)
$$;

-- A new password, email or department, or a deactivation, ends every session of that
-- collaborator but the one that made the change; the login's upgrade of an old verifier
-- (the same password) ends none.
CREATE OR REPLACE FUNCTION end_changed_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF (NEW.token_version, NEW.active, NEW.department_id, NEW.email)
           IS NOT DISTINCT FROM (OLD.token_version, OLD.active, OLD.department_id, OLD.email)
       AND current_setting('epic_events.rehash', true)
           IS NOT DISTINCT FROM password_proof_mark(current_session_id()) THEN
        RETURN NULL;
    END IF;
    UPDATE sessions s SET ended_at = now(), end_reason =
        CASE WHEN NOT NEW.active THEN 'deactivated'
             WHEN NEW.department_id IS DISTINCT FROM OLD.department_id THEN 'department changed'
             ELSE 'password or email changed' END
    WHERE s.collaborator_id = NEW.id AND s.ended_at IS NULL
      AND s.id IS DISTINCT FROM current_session_id();
    RETURN NULL;
END;
$$;
"""

TRIGGER_CHANGES = (
    "OLD.token_version IS DISTINCT FROM NEW.token_version "
    "OR OLD.active IS DISTINCT FROM NEW.active "
    "OR OLD.department_id IS DISTINCT FROM NEW.department_id"
)


def trigger(changes: str) -> str:
    return (
        "CREATE TRIGGER collaborators_end_sessions AFTER UPDATE ON collaborators FOR EACH ROW "
        f"WHEN ({changes}) EXECUTE FUNCTION end_changed_sessions()"
    )


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.execute(
        f"ALTER TABLE login_key ADD COLUMN usual text NOT NULL DEFAULT '{usual_parameters()}'"
    )
    op.execute("DROP FUNCTION login_challenge(text, text)")
    op.execute("DROP FUNCTION open_session(text, bytea, text, integer)")
    # The (sub)transaction that opened the session: its row's first xmin (open_session).
    op.execute("ALTER TABLE sessions ADD COLUMN opened_in bigint")
    op.execute("SET LOCAL check_function_bodies = off")  # as in 0011: row_security is off here
    op.execute(FUNCTIONS)
    op.execute("SET LOCAL check_function_bodies = on")
    op.execute("DROP TRIGGER collaborators_end_sessions ON collaborators")
    op.execute(
        trigger(
            f"{TRIGGER_CHANGES} OR OLD.password_hash IS DISTINCT FROM NEW.password_hash "
            "OR OLD.email IS DISTINCT FROM NEW.email"
        )
    )
    for function in (
        "login_challenge(text)",
        "open_session(text, bytea, integer)",
        "upgrade_verifier(bytea, text)",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
    for function in ("record_login_failure(text)", "clear_login_failures(text)"):
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM {app}")
    for function in ("current_department()", "is_active_in(integer, text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
    op.execute("REVOKE ALL ON FUNCTION stamp_audit_author() FROM PUBLIC")


def downgrade() -> None:
    """Back to 0011's grants and functions, but open_session: a login needs 0012 again."""
    _, app = current_roles(op.get_bind())
    op.execute("DROP FUNCTION IF EXISTS open_session(text, bytea, integer)")
    op.execute("DROP FUNCTION IF EXISTS upgrade_verifier(bytea, text)")
    op.execute("ALTER TABLE sessions DROP COLUMN IF EXISTS opened_in")
    op.execute("DROP TRIGGER collaborators_end_sessions ON collaborators")
    op.execute(trigger(TRIGGER_CHANGES))
    for function in ("record_login_failure(text)", "clear_login_failures(text)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
    for function in ("current_department()", "is_active_in(integer, text)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION stamp_audit_author() TO PUBLIC")
    op.execute("DROP FUNCTION login_challenge(text)")
    op.execute(
        r"""
CREATE FUNCTION login_challenge(email text, usual text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT substring(c.password_hash FROM
            '^\$epic\$(argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+)\$[A-Za-z0-9+/]+$')
         FROM collaborators c WHERE c.email = lower(btrim(login_challenge.email))),
        usual || '$' || (SELECT rtrim(encode(substring(sha256(k.key || convert_to(
                      lower(btrim(login_challenge.email)), 'UTF8')) FROM 1 FOR 16), 'base64'), '=')
                   FROM login_key k))
$$;
"""
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION login_challenge(text, text) TO {app}")
    op.execute("ALTER TABLE login_key DROP COLUMN usual")
    # open_session, is_active_in, current_*_id and end_changed_sessions keep 0012's bodies:
    # stricter, and the same signatures.
