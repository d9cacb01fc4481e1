"""Collaborators carry a version like clients, contracts and events: two managers editing
one collaborator, the second save is refused instead of silently overwriting the first.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "collaborators", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.execute(
        "CREATE TRIGGER collaborators_bump_version BEFORE UPDATE ON collaborators "
        "FOR EACH ROW EXECUTE FUNCTION bump_version()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS collaborators_bump_version ON collaborators")
    op.drop_column("collaborators", "version")
