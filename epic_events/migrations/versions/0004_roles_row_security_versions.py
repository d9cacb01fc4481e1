"""Least privilege and row-level security; version counters; failed-login throttling.

The database now holds the permission matrix (SPEC "Who may do what") on its own, should
the application ever be wrong: the application role reads everything and writes only the
rows its current collaborator's department may write. The current collaborator is the
transaction-local setting `epic_events.collaborator_id` (set by epic_events.db.act_as);
without it no write passes.

Grants are explicit, table by table: a later migration that adds a table grants on it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from epic_events.roles import current_roles

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

VERSIONED = ("clients", "contracts", "events")
SECURED = ("collaborators", "clients", "contracts", "events", "audit_log")

# One InitPlan per statement, not one call per row.
ME = "(SELECT current_collaborator_id())"
DEPT = "(SELECT current_department())"
GESTION = f"{DEPT} = 'gestion'"
COMMERCE = f"{DEPT} = 'commerce'"
SUPPORT = f"{DEPT} = 'support'"

OWN_CLIENT = f"{COMMERCE} AND commercial_contact_id = {ME}"
OWN_CLIENTS_CONTRACT = (
    f"{COMMERCE} AND EXISTS (SELECT 1 FROM clients c "
    f"WHERE c.id = contracts.client_id AND c.commercial_contact_id = {ME})"
)
OWN_SIGNED_CONTRACT = (
    f"{COMMERCE} AND EXISTS (SELECT 1 FROM contracts k JOIN clients c ON c.id = k.client_id "
    f"WHERE k.id = events.contract_id AND k.signed AND k.archived_at IS NULL "
    f"AND c.commercial_contact_id = {ME})"
    " AND support_contact_id IS NULL"  # the support contact is gestion's to assign
)
ASSIGNED_EVENT = f"{SUPPORT} AND support_contact_id = {ME}"
# A contract follows its client: same commercial, and never for an archived client.
CLIENTS_COMMERCIAL = (
    "EXISTS (SELECT 1 FROM clients c WHERE c.id = contracts.client_id "
    "AND c.commercial_contact_id = contracts.commercial_contact_id AND c.archived_at IS NULL)"
)
# Oneself, while the account is active (current_department() is NULL for a deactivated one).
MYSELF = f"id = {ME} AND {DEPT} IS NOT NULL"

# table -> [(name, command, USING, WITH CHECK)]; an UPDATE policy without WITH CHECK checks
# the new row with its USING expression too.
POLICIES = {
    "collaborators": [
        ("read", "SELECT", "true", None),
        ("create", "INSERT", None, GESTION),
        ("update", "UPDATE", f"{GESTION} OR ({MYSELF})", None),
        ("delete", "DELETE", f"{GESTION} AND id <> {ME}", None),
    ],
    "clients": [
        ("read", "SELECT", "true", None),
        ("create", "INSERT", None, OWN_CLIENT),
        ("update", "UPDATE", f"{GESTION} OR ({OWN_CLIENT})", None),
    ],
    "contracts": [
        ("read", "SELECT", "true", None),
        ("create", "INSERT", None, f"{GESTION} AND {CLIENTS_COMMERCIAL}"),
        ("update", "UPDATE", f"{GESTION} OR ({OWN_CLIENTS_CONTRACT})", None),
    ],
    "events": [
        ("read", "SELECT", "true", None),
        ("create", "INSERT", None, OWN_SIGNED_CONTRACT),
        ("update", "UPDATE", f"{GESTION} OR ({ASSIGNED_EVENT})", None),
    ],
    "audit_log": [
        ("read", "SELECT", "true", None),
        ("create", "INSERT", None, f"actor_id = {ME} AND {DEPT} IS NOT NULL"),
    ],
}

GRANTS = {
    "departments": "SELECT",
    "collaborators": "SELECT, INSERT, UPDATE, DELETE",
    "clients": "SELECT, INSERT, UPDATE",
    "contracts": "SELECT, INSERT, UPDATE",
    "events": "SELECT, INSERT, UPDATE",
    "audit_log": "SELECT, INSERT",
    "alembic_version": "SELECT",
}
SEQUENCES = (
    "collaborators_id_seq",
    "clients_id_seq",
    "contracts_id_seq",
    "events_id_seq",
    "audit_log_id_seq",
)
LOGIN_FUNCTIONS = (
    "login_wait_seconds(text)",
    "record_login_failure(text)",
    "clear_login_failures(text)",
)

FUNCTIONS = r"""
CREATE FUNCTION current_collaborator_id() RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT nullif(current_setting('epic_events.collaborator_id', true), '')::integer
$$;

-- The department of the current collaborator, read from the database (never from the
-- program), and only while the account is active.
CREATE FUNCTION current_department() RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT d.name FROM collaborators c JOIN departments d ON d.id = c.department_id
    WHERE c.id = current_collaborator_id() AND c.active
$$;

-- No one changes their own department; outside gestion, no one changes their own email or
-- status either (a profile is a name, a phone and a password).
CREATE FUNCTION guard_collaborator_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    me integer := current_collaborator_id();
BEGIN
    IF me IS NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.token_version < OLD.token_version THEN  -- a revoked session never comes back
        RAISE EXCEPTION 'a token version never goes back'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.id <> me THEN
        RETURN NEW;
    END IF;
    IF NEW.department_id IS DISTINCT FROM OLD.department_id THEN
        RAISE EXCEPTION 'no one changes their own department'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_department() IS DISTINCT FROM 'gestion'
       AND (NEW.email, NEW.active) IS DISTINCT FROM (OLD.email, OLD.active) THEN
        RAISE EXCEPTION 'only gestion changes an email or an account status'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION is_active_in(collaborator_id integer, department text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM collaborators c JOIN departments d ON d.id = c.department_id
        WHERE c.id = collaborator_id AND c.active AND d.name = department)
$$;

-- The history names its author as the database knows them, whatever the program says.
CREATE FUNCTION stamp_audit_author() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF current_collaborator_id() IS NOT NULL THEN
        NEW.actor_name := (SELECT name FROM collaborators WHERE id = NEW.actor_id);
    END IF;
    RETURN NEW;
END;
$$;

-- What a row policy cannot say: which columns a department may change (SPEC: gestion only
-- reassigns a client and assigns an event's support; commerce does not move a contract to
-- another client; support does not move an event; only gestion archives).
CREATE FUNCTION guard_business_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    department text;
BEGIN
    IF current_collaborator_id() IS NULL THEN
        RETURN NEW;  -- the policies already refuse the program; this is maintenance
    END IF;
    department := current_department();
    IF department IS DISTINCT FROM 'gestion'
       AND (OLD.archived_at IS NOT NULL OR NEW.archived_at IS NOT NULL) THEN
        RAISE EXCEPTION 'archived rows are read-only; only gestion archives and restores'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'clients' THEN  -- nested: PL/pgSQL resolves every NEW.x it reads
        IF department = 'gestion'
           AND (NEW.full_name, NEW.email, NEW.phone, NEW.company_name)
               IS DISTINCT FROM (OLD.full_name, OLD.email, OLD.phone, OLD.company_name) THEN
            RAISE EXCEPTION 'gestion only reassigns a client'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.commercial_contact_id IS DISTINCT FROM OLD.commercial_contact_id
           AND NOT is_active_in(NEW.commercial_contact_id, 'commerce') THEN
            RAISE EXCEPTION 'a client''s commercial contact is an active member of commerce'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'contracts' THEN
        IF department = 'commerce'
           AND (NEW.client_id, NEW.commercial_contact_id)
               IS DISTINCT FROM (OLD.client_id, OLD.commercial_contact_id) THEN
            RAISE EXCEPTION 'commerce does not move a contract'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_TABLE_NAME = 'events' THEN
        IF department = 'gestion'
           AND (NEW.name, NEW.contract_id, NEW.start_at, NEW.end_at, NEW.location,
                NEW.attendees, NEW.notes)
               IS DISTINCT FROM (OLD.name, OLD.contract_id, OLD.start_at, OLD.end_at,
                                 OLD.location, OLD.attendees, OLD.notes) THEN
            RAISE EXCEPTION 'gestion only assigns an event''s support'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.support_contact_id IS DISTINCT FROM OLD.support_contact_id
           AND NEW.support_contact_id IS NOT NULL
           AND NOT is_active_in(NEW.support_contact_id, 'support') THEN
            RAISE EXCEPTION 'an event''s support contact is an active member of support'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF department = 'support' AND NEW.contract_id IS DISTINCT FROM OLD.contract_id THEN
            RAISE EXCEPTION 'support does not move an event'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

-- Failed logins per email (a digest: a mistyped password in the email field is not kept).
-- Five tries are free, then each failure doubles the wait (1 s, 2 s, 4 s … 15 min at most);
-- an hour without failure starts again. The program's role may only call these three.
CREATE FUNCTION login_wait_seconds(email text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(max(greatest(0, ceil(extract(epoch FROM
        f.last_failed_at + make_interval(secs => least(power(2, f.failures - 5), 900))
        - clock_timestamp())))::integer), 0)
    FROM login_failures f
    WHERE f.email_digest = sha256(convert_to(lower(btrim(email)), 'UTF8'))
      AND f.failures >= 5
      AND f.last_failed_at > clock_timestamp() - interval '1 hour'
$$;

-- Counts older than a day are forgotten as new failures arrive: the table cannot grow
-- without bound however many emails are tried.
CREATE FUNCTION record_login_failure(email text) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM login_failures WHERE last_failed_at < clock_timestamp() - interval '1 day';
    INSERT INTO login_failures AS f (email_digest, failures, last_failed_at)
    VALUES (sha256(convert_to(lower(btrim(email)), 'UTF8')), 1, clock_timestamp())
    ON CONFLICT (email_digest) DO UPDATE SET
        failures = CASE WHEN f.last_failed_at < clock_timestamp() - interval '1 hour'
                        THEN 1 ELSE f.failures + 1 END,
        last_failed_at = clock_timestamp()
    RETURNING failures
$$;

CREATE FUNCTION clear_login_failures(email text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM login_failures
    WHERE email_digest = sha256(convert_to(lower(btrim(email)), 'UTF8'))
$$;
"""


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "login_failures",
        sa.Column("email_digest", sa.LargeBinary(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email_digest", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_last_failed_at"), "login_failures", ["last_failed_at"])
    op.execute(FUNCTIONS)
    for table in VERSIONED:
        op.execute(
            f"CREATE TRIGGER {table}_bump_version BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION bump_version()"
        )
    op.execute(
        "CREATE TRIGGER collaborators_guard_update BEFORE UPDATE ON collaborators "
        "FOR EACH ROW EXECUTE FUNCTION guard_collaborator_update()"
    )
    for table in VERSIONED:
        op.execute(
            f"CREATE TRIGGER {table}_guard_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION guard_business_update()"
        )
    op.execute(
        "CREATE TRIGGER audit_log_stamp_author BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION stamp_audit_author()"
    )
    for table in SECURED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, command, using, check in POLICIES[table]:
            clauses = f" USING ({using})" if using else ""
            clauses += f" WITH CHECK ({check})" if check else ""
            op.execute(f"CREATE POLICY {table}_{name} ON {table} FOR {command}{clauses}")
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC")
    op.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
    for table, privileges in GRANTS.items():
        op.execute(f"GRANT {privileges} ON {table} TO {app}")
    for sequence in SEQUENCES:
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {app}")
    for function in LOGIN_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")


def downgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}")
    op.execute(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {app}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {app}")
    for table in SECURED:
        for name, *_ in POLICIES[table]:
            op.execute(f"DROP POLICY IF EXISTS {table}_{name} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER IF EXISTS collaborators_guard_update ON collaborators")
    op.execute("DROP TRIGGER IF EXISTS audit_log_stamp_author ON audit_log")
    for table in VERSIONED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_version ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_guard_update ON {table}")
    op.drop_table("login_failures")
    op.execute(
        "DROP FUNCTION IF EXISTS login_wait_seconds(text), record_login_failure(text), "
        "clear_login_failures(text), bump_version(), guard_collaborator_update(), "
        "guard_business_update(), stamp_audit_author(), is_active_in(integer, text), "
        "current_department(), current_collaborator_id()"
    )
    for table in VERSIONED:
        op.drop_column(table, "version")
