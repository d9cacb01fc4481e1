"""One's own current password, proven like a login: the answer only once committed.

0012 closed the login to a guess rolled back; the proof of one's current password (before
changing it) and the login's upgrade of an old verifier still answered in their own
transaction, so whoever held a live session could test guesses of that person's password and
roll each back. Now:

- `prove_own_password(proof)` answers nothing: a wrong proof is counted as a failed login, a
  right one leaves a ticket of this session (`password_proofs`) that counts from the next
  transaction on; `own_password_check()` says `proven`, `wait` or `wrong` from there.
- One's own password changes only while such a ticket is there, which the change uses up.
- The login keeps the new verifier of an old one in its session (`pending_verifier`), and the
  session's first transaction stores it (`enter_session`).
- A change made without any session (an administrator's, in SQL) ends the sessions too.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from epic_events.roles import current_roles

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RANDOM_HEX = (
    "encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text "
    "|| clock_timestamp()::text, 'UTF8')), 'hex')"
)
# Made by an earlier transaction than this one (see 0012's sessions.opened_in).
EARLIER = (
    "coalesce({column}, -1) IS DISTINCT FROM xid(pg_current_xact_id_if_assigned())::text::bigint"
)
REHASHING = (
    "coalesce(current_setting('epic_events.rehash', true), '') <> '' "
    "AND current_setting('epic_events.rehash', true) = password_proof_mark(current_session_id())"
)

FUNCTIONS = rf"""
CREATE FUNCTION open_session(email text, proof bytea, hours integer, upgraded text)
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
        PERFORM record_login_failure(address);
        RETURN QUERY SELECT 'pending'::text, 0,
            (floor(random() * 1e15)::bigint + 1) || '.' || {RANDOM_HEX};
        RETURN;
    END IF;
    DELETE FROM sessions s WHERE coalesce(s.ended_at, s.expires_at) < now() - interval '30 days';
    IF NOT found.active THEN
        INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at,
                              ended_at, end_reason)
        VALUES (found.id, session_user, sha256(convert_to(secret, 'UTF8')), now(),
                now(), 'deactivated')
        RETURNING id, xmin INTO new_id, opened;
    ELSE
        PERFORM clear_login_failures(address);
        INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at,
                              pending_verifier, verified_with)
        VALUES (found.id, session_user, sha256(convert_to(secret, 'UTF8')),
                now() + make_interval(hours => least(greatest(coalesce(hours, 1), 1), 24 * 90)),
                CASE WHEN verifier_of(upgraded) IS NOT NULL THEN upgraded END,
                CASE WHEN verifier_of(upgraded) IS NOT NULL THEN found.password_hash END)
        RETURNING id, xmin INTO new_id, opened;
        UPDATE workstations w SET last_seen_at = now() WHERE w.role_name = session_user;
    END IF;
    UPDATE sessions s SET opened_in = opened::text::bigint WHERE s.id = new_id;
    RETURN QUERY SELECT 'pending'::text, 0, new_id || '.' || secret;
END;
$$;

CREATE OR REPLACE FUNCTION enter_session(token text) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    found record;
BEGIN
    PERFORM set_config('epic_events.session', coalesce(token, ''), true);
    SELECT s.id, s.collaborator_id, s.last_seen_at, s.pending_verifier, s.verified_with
    INTO found FROM sessions s WHERE s.id = current_session_id();
    IF found.id IS NULL THEN
        RETURN NULL;
    END IF;
    IF found.pending_verifier IS NOT NULL THEN  -- the login's upgrade of an old verifier
        UPDATE sessions s SET pending_verifier = NULL, verified_with = NULL
        WHERE s.id = found.id;
        PERFORM set_config('epic_events.rehash', password_proof_mark(found.id), true);
        UPDATE collaborators c SET password_hash = found.pending_verifier
        WHERE c.id = found.collaborator_id AND c.password_hash = found.verified_with;
        PERFORM set_config('epic_events.rehash', '', true);
    END IF;
    IF found.last_seen_at < now() - interval '1 minute' THEN
        UPDATE sessions s SET last_seen_at = now() WHERE s.id = found.id;
        UPDATE workstations w SET last_seen_at = now() WHERE w.role_name = session_user;
    END IF;
    RETURN found.collaborator_id;
END;
$$;

CREATE FUNCTION prove_own_password(proof bytea) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := current_collaborator_id();
    mine bigint := current_session_id();
    address text;
    stored text;
    made xid;
BEGIN
    IF me IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM password_proofs p WHERE p.session_id = mine;
    SELECT c.email, c.password_hash INTO address, stored FROM collaborators c WHERE c.id = me;
    IF login_wait_seconds(address) > 0 THEN
        RETURN;
    END IF;
    IF verifier_of(stored) IS DISTINCT FROM sha256(proof) THEN
        PERFORM record_login_failure(address);
        RETURN;
    END IF;
    PERFORM clear_login_failures(address);
    INSERT INTO password_proofs (session_id) VALUES (mine) RETURNING xmin INTO made;
    UPDATE password_proofs p SET proven_in = made::text::bigint WHERE p.session_id = mine;
END;
$$;

CREATE FUNCTION own_password_check() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM password_proofs p
                     WHERE p.session_id = current_session_id()
                       AND p.proven_at > now() - interval '10 minutes'
                       AND {EARLIER.format(column="p.proven_in")}) THEN 'proven'
        WHEN login_wait_seconds((SELECT c.email FROM collaborators c
                                 WHERE c.id = current_collaborator_id())) > 0 THEN 'wait'
        ELSE 'wrong' END
$$;

CREATE OR REPLACE FUNCTION guard_own_password() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.id = current_collaborator_id()
       AND NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
        IF {REHASHING} THEN
            RETURN NEW;
        END IF;
        IF own_password_check() IS DISTINCT FROM 'proven' THEN
            RAISE EXCEPTION 'one''s own password changes only with the current one'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        DELETE FROM password_proofs p WHERE p.session_id = current_session_id();  -- used up
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION end_changed_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF (NEW.token_version, NEW.active, NEW.department_id, NEW.email)
           IS NOT DISTINCT FROM (OLD.token_version, OLD.active, OLD.department_id, OLD.email)
       AND {REHASHING} THEN
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

APP_FUNCTIONS = (
    "open_session(text, bytea, integer, text)",
    "prove_own_password(bytea)",
    "own_password_check()",
)


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.execute("ALTER TABLE sessions ADD COLUMN pending_verifier text")
    op.execute("ALTER TABLE sessions ADD COLUMN verified_with text")
    op.execute(
        "CREATE TABLE password_proofs ("
        "session_id bigint NOT NULL, proven_in bigint, "
        "proven_at timestamp with time zone DEFAULT now() NOT NULL, "
        "CONSTRAINT pk_password_proofs PRIMARY KEY (session_id), "
        "CONSTRAINT fk_password_proofs_session_id_sessions FOREIGN KEY (session_id) "
        "REFERENCES sessions (id) ON DELETE CASCADE)"
    )
    op.execute("REVOKE ALL ON password_proofs FROM PUBLIC")
    op.execute("DROP FUNCTION open_session(text, bytea, integer)")
    op.execute("DROP FUNCTION upgrade_verifier(bytea, text)")
    op.execute("DROP FUNCTION prove_own_password(bytea)")
    op.execute("SET LOCAL check_function_bodies = off")  # as in 0011: row_security is off here
    op.execute(FUNCTIONS)
    op.execute("SET LOCAL check_function_bodies = on")
    for function in APP_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")


def downgrade() -> None:
    """Back to 0012's tables; the login and the proof of one's password need 0013 again."""
    for function in APP_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP TABLE password_proofs")
    op.execute("ALTER TABLE sessions DROP COLUMN pending_verifier")
    op.execute("ALTER TABLE sessions DROP COLUMN verified_with")
