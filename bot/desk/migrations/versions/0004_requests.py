"""Requests a desk can work (the fields of a good request, history, target),
ratings, conversations as the event broker shows them, and knowledge gaps.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
_TICKET_COLUMNS = (
    ("type", sa.String(16), "question"),
    ("topic", sa.String(200), ""),
    ("description", sa.Text, ""),
    ("steps", sa.Text, ""),
    ("error_text", sa.Text, ""),
    ("app_version", sa.String(200), ""),
    ("happened", sa.String(200), ""),
    ("contact", sa.String(200), ""),
    ("attachments", sa.JSON, "[]"),
    ("priority", sa.Integer, "1"),
    ("channel", sa.String(64), "rest"),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for name, kind, default in _TICKET_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=default))
        for name in ("due_at", "first_response_at", "resolved_at", "updated_at"):
            batch.add_column(sa.Column(name, TZ, nullable=True))
    # "open" became "new" when the statuses grew to the five agents work with.
    op.execute("UPDATE tickets SET status = 'new' WHERE status = 'open'")
    op.execute("UPDATE tickets SET type = 'error' WHERE kind = 'problem'")
    op.execute("UPDATE tickets SET description = summary")
    op.create_table(
        "ticket_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_number",
            sa.String(32),
            sa.ForeignKey("tickets.number", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table("ticket_sequence", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True))
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("conversation_key", sa.String(300), nullable=False, unique=True),
        sa.Column("handoff_id", sa.Integer, nullable=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False, index=True),
        sa.Column("last_at", TZ, nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("in_flow", sa.Boolean, nullable=False),
    )
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("nearest", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False, index=True),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolution", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    for table in ("knowledge_gaps", "conversations", "ratings", "ticket_sequence", "ticket_entries"):
        op.drop_table(table)
    op.execute("UPDATE tickets SET status = 'open' WHERE status = 'new'")
    with op.batch_alter_table("tickets") as batch:
        for name in ("due_at", "first_response_at", "resolved_at", "updated_at"):
            batch.drop_column(name)
        for name, _, _ in reversed(_TICKET_COLUMNS):
            batch.drop_column(name)
