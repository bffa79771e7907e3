"""`python -m bot.desk.admin USERNAME`: create an agent account, or set a new
password for an existing one, straight in the desk's database.

For the first supervisor when the generated password was lost, and for scripts
that provision agents. The password comes from `DESK_ADMIN_PASSWORD` or is
asked for at the terminal; it is never an argument (shell history).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot import config
from bot.desk import agents, db
from bot.desk.errors import Invalid
from bot.desk.models import SUPERVISOR


async def upsert(url: str, username: str, password: str, role: str, name: str | None) -> str:
    engine = db.create_engine(url)
    try:
        async with db.sessions(engine)() as session:
            return await agents.save_agent(session, username, password, role, name)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.desk.admin", description=__doc__)
    parser.add_argument("username")
    parser.add_argument("--role", choices=agents.ROLES, default=SUPERVISOR)
    parser.add_argument("--name", help="the name customers and colleagues see")
    args = parser.parse_args(argv)
    settings = config.load()
    password = settings.desk.admin_password or getpass.getpass(f"password for {args.username}: ")
    try:
        agents.check_account(args.username, password, args.role)
    except Invalid as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    url = settings.desk.database_url
    db.migrate(url)
    verb = asyncio.run(upsert(url, args.username, password, args.role, args.name))
    print(f"==> {verb} {args.role} '{args.username}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
