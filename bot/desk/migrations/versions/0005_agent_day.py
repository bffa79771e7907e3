"""The agent's day: what the queue watch needs to know about each handoff —
the wait the customer was promised, the place they were last told, when a
ticket was offered instead of more waiting, when the holding agent got the
conversation and last replied (a claimed conversation nobody answers goes
back to the queue).

Revision ID: 0005_agent_day
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_agent_day"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("promised_wait_minutes", sa.Integer, nullable=True))
        batch.add_column(sa.Column("told_position", sa.Integer, nullable=True))
        batch.add_column(sa.Column("ticket_offered_at", TZ, nullable=True))
        batch.add_column(sa.Column("assigned_at", TZ, nullable=True))
        batch.add_column(sa.Column("agent_replied_at", TZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        for name in (
            "agent_replied_at",
            "assigned_at",
            "ticket_offered_at",
            "told_position",
            "promised_wait_minutes",
        ):
            batch.drop_column(name)
