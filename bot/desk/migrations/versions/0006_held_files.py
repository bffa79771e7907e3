"""Files sent before a request has a number (during the problem-report form,
or just before it): the desk holds them for the conversation and moves them
into the request it files next (bot/desk/held_files.py).

Revision ID: 0006_held_files
Revises: 0005_agent_day
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_held_files"
down_revision = "0005_agent_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_files",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_held_files_conversation_id", "held_files", ["conversation_id"])
    op.create_index("ix_held_files_uploaded_at", "held_files", ["uploaded_at"])


def downgrade() -> None:
    op.drop_index("ix_held_files_uploaded_at", "held_files")
    op.drop_index("ix_held_files_conversation_id", "held_files")
    op.drop_table("held_files")
