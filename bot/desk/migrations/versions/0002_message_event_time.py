"""A customer's message remembers the Rasa event it came from, unique per handoff,
so the event broker and the tracker catch-up can never store it twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rasa_ts", sa.Float, nullable=True))
        batch.create_unique_constraint("uq_messages_handoff_rasa_ts", ["handoff_id", "rasa_ts"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("uq_messages_handoff_rasa_ts", type_="unique")
        batch.drop_column("rasa_ts")
