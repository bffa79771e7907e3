"""`python -m bot.production`: the production profile on one machine.

Prepares what the processes expect to find (the databases, the FAQ index built
once rather than by every action replica at the same moment, the generated
configuration under var/production/) and then becomes supervisord in the
foreground: a child of `make run` that restarts any process that dies, alone,
and stops them all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

import asyncpg

from bot.config import ROOT, Settings, load
from bot.production import plan as plans


async def _ensure_databases(settings: Settings) -> None:
    production = settings.production
    connection = await asyncpg.connect(f"{production.postgres_url}/postgres", timeout=10)
    try:
        for name in (production.tracker_db, production.desk_db):
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def prepare(settings: Settings) -> plans.Plan:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.access(haproxy, os.X_OK):
        raise SystemExit("error: haproxy is missing; run bin/setup (Debian: apt-get install haproxy)")
    try:
        asyncio.run(_ensure_databases(settings))
    except (OSError, asyncpg.PostgresError) as error:
        raise SystemExit(f"error: PostgreSQL at {settings.production.postgres_url}: {error}") from None
    subprocess.run([str(ROOT / "bin" / "faq-index")], cwd=ROOT, check=True)
    plan = plans.make_plan(settings)
    plans.write(plan, haproxy)
    return plan


def main() -> None:
    settings = load()
    if settings.profile != "production":
        raise SystemExit("error: bot.production runs only with PROFILE=production")
    plan = prepare(settings)
    sys.stdout.flush()
    os.execv(
        sys.executable, [sys.executable, "-m", "bot.production.supervisord", "-n", "-c", plan.supervisor_conf]
    )


if __name__ == "__main__":
    main()
