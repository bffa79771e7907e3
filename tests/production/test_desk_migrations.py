"""Desk replicas starting at once on one fresh PostgreSQL database: the
migrations run once (an advisory lock serialises them, bot/desk/migrations/
env.py) and every replica finds the schema at head, none fails."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import asyncpg
from alembic.script import ScriptDirectory

from bot.desk import db
from tests.conftest import ROOT
from tests.production.conftest import PG, require_services

# One desk replica's start, as bin/desk runs it (a process each: Alembic's
# context is one per process).
MIGRATE = "import sys; from bot.desk import db; db.migrate(sys.argv[1])"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG}/postgres", timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _versions(name: str) -> list[str]:
    connection = await asyncpg.connect(f"{PG}/{name}", timeout=10)
    try:
        return [
            row["version_num"] for row in await connection.fetch("SELECT version_num FROM alembic_version")
        ]
    finally:
        await connection.close()


def test_three_replicas_migrating_at_once_leave_one_schema_at_head() -> None:
    require_services()
    name = f"t{uuid.uuid4().hex[:10]}_desk"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{PG.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
        python = str(ROOT / ".venv" / "app" / "bin" / "python")
        starts = [
            subprocess.Popen([python, "-c", MIGRATE, url], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(3)
        ]
        for start in starts:
            _, errors = start.communicate(timeout=180)
            assert start.returncode == 0, errors.decode("utf-8", "replace")[-3000:]
        head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
        assert asyncio.run(_versions(name)) == [head]
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
