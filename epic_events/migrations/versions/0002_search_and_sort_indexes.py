"""Indexes for every list, filter, sort and search, so screens stay flat at a million rows.

- pg_trgm GIN indexes serve the case-insensitive substring search (ILIKE '%text%') on the
  searched columns: a btree cannot, a trigram index answers in milliseconds at 1M rows.
- (sort key, id) btree indexes let "ORDER BY key, id LIMIT 20" read 20 index entries.
- Partial indexes serve the filters that keep a small part of a big table.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TRIGRAM = [
    ("clients", "full_name"),
    ("clients", "email"),
    ("clients", "company_name"),
    ("events", "name"),
    ("events", "location"),
    ("collaborators", "name"),
    ("collaborators", "email"),
]
SORTS = [
    ("ix_clients_lower_full_name_id", "clients", "lower(full_name), id"),
    ("ix_clients_lower_company_name_id", "clients", "lower(company_name), id"),
    ("ix_clients_created_at_id", "clients", "created_at, id"),
    ("ix_clients_updated_at_id", "clients", "updated_at, id"),
    ("ix_contracts_created_at_id", "contracts", "created_at, id"),
    ("ix_contracts_total_amount_id", "contracts", "total_amount, id"),
    ("ix_contracts_amount_due_id", "contracts", "amount_due, id"),
    ("ix_events_start_at_id", "events", "start_at, id"),
    ("ix_events_support_contact_id_start_at_id", "events", "support_contact_id, start_at, id"),
    ("ix_events_lower_name_id", "events", "lower(name), id"),
    ("ix_events_attendees_id", "events", "attendees, id"),
    ("ix_contracts_signed_id", "contracts", "signed, id"),
    ("ix_collaborators_lower_name_id", "collaborators", "lower(name), id"),
]
PARTIAL = [
    ("ix_events_without_support", "events", "start_at, id", "support_contact_id IS NULL"),
    ("ix_contracts_unsigned", "contracts", "commercial_contact_id, id", "NOT signed"),
    ("ix_contracts_unpaid", "contracts", "commercial_contact_id, id", "amount_due > 0"),
]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TRIGRAM:
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )
    for name, table, columns in SORTS:
        op.execute(f"CREATE INDEX {name} ON {table} ({columns})")
    for name, table, columns, condition in PARTIAL:
        op.execute(f"CREATE INDEX {name} ON {table} ({columns}) WHERE {condition}")


def downgrade() -> None:
    for name, *_ in PARTIAL + SORTS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for table, column in TRIGRAM:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
