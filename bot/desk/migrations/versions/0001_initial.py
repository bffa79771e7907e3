"""The desk's first schema: agents, sessions, handoffs, messages, tickets.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_sessions_agent_id", "sessions", ["agent_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("slots", sa.JSON, nullable=False),
        sa.Column("case", sa.JSON, nullable=False),
        sa.Column("faq_tried", sa.JSON, nullable=False),
        sa.Column("suggested_next_steps", sa.JSON, nullable=False),
        sa.Column("ticket_number", sa.String(32), nullable=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("claimed_at", TZ, nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("last_event_ts", sa.Float, nullable=False),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_status", "handoffs", ["status"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("author", sa.String(128), nullable=True),
        sa.Column("extra", sa.JSON, nullable=False),
    )
    op.create_index("ix_messages_handoff_id", "messages", ["handoff_id"])
    op.create_table(
        "tickets",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_tickets_conversation_id", "tickets", ["conversation_id"])


def downgrade() -> None:
    for table in ("tickets", "messages", "handoffs", "sessions", "agents"):
        op.drop_table(table)
