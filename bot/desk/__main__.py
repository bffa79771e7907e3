"""`python -m bot.desk`: migrate the desk's database, then serve the console and API."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import config, logmask
from bot.desk import db
from bot.desk.app import create_app
from bot.desk.errors import Invalid
from bot.desk.hours import HoursError


def main() -> None:
    logmask.install()  # every log line masked (bot/logmask.py)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = config.load()
    try:
        app = create_app(settings)
    except HoursError as error:
        raise SystemExit(f"configuration error: {error}") from None
    db.migrate(settings.desk.database_url)
    print(f"==> desk: console at {settings.desk.url}/ , API at {settings.desk.url}/api", flush=True)
    try:
        web.run_app(app, host=settings.host, port=settings.desk.port, print=None)
    except Invalid as error:  # the first supervisor's account, from DESK_ADMIN_*
        raise SystemExit(
            f"configuration error: DESK_ADMIN_USER/DESK_ADMIN_PASSWORD: {error.message}"
        ) from None


if __name__ == "__main__":
    main()
