"""links: several store identities may map to one NetSuite customer

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NOT_CUSTOMER = "kind <> 'customer'"


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_constraint("uq_links_target", type_="unique")
    op.create_index(
        "uq_links_target",
        "links",
        ["kind", "target", "target_id", "source"],
        unique=True,
        sqlite_where=sa.text(NOT_CUSTOMER),
        postgresql_where=sa.text(NOT_CUSTOMER),
    )
    op.create_index("ix_links_target", "links", ["kind", "target", "target_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_links_target", table_name="links")
    op.drop_index("uq_links_target", table_name="links")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_links_target", ["kind", "target", "target_id", "source"])
