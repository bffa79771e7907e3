"""Proving a request is yours from another channel: the bot asks for the
contact given in the request and sends a one-time code to it through the
desk, which alone knows the contact. The bot keeps the code's hash and checks
what the customer types (bot/requests/ownership.py); once it matches, the
bot asks for the request by that contact.

The desk answers a wrong number, another contact and the right one alike (202,
nothing said, as fast), so nobody learns whether a request exists or whose it
is. The code goes out as an e-mail for an address and an SMS for a phone
(`bot.desk.outbound`: SMTP, the bot's SMS channel, or the development outbox
file when no provider is configured).
"""

from __future__ import annotations

import re

from bot.desk import outbound
from bot.desk.context import DeskContext
from bot.desk.errors import Invalid, NotFound
from bot.desk.models import Ticket
from bot.desk.tickets import _customer_view
from bot.desk.views import ticket_view
from bot.handoff.payload import TicketInfo

CODE = re.compile(r"^\d{6}$")


def normalise(contact: str) -> str:
    """One spelling per contact: e-mails lower-case, phones +7 and ten digits."""
    contact = contact.strip()
    if "@" in contact:
        return contact.lower()
    digits = re.sub(r"\D", "", contact)
    return "+7" + digits[-10:] if len(digits) >= 10 else contact.lower()


async def send_code(ctx: DeskContext, number: str, contact: str, code: str) -> None:
    """Sends `code` to `contact` if it is the request's contact; silent otherwise."""
    if not CODE.match(code) or not contact.strip():
        raise Invalid("code must be 6 digits and contact non-empty")
    async with ctx.sessions() as db:
        ticket = await db.get(Ticket, number)
        known = normalise(ticket.contact) if ticket is not None and ticket.contact else None
    wanted = normalise(contact)
    if known is None or known != wanted:
        return
    subject = f"Код для просмотра обращения № {number}"
    text = f"{subject}: {code}. Никому его не сообщайте."
    outbound.send(ctx, outbound.message(wanted, subject, text), f"request № {number}")


async def status_by_contact(ctx: DeskContext, number: str, contact: str) -> TicketInfo:
    """The request as its owner sees it, for a customer who proved the contact
    (the bot asks only after the code matched); 404 otherwise, as for a wrong number."""
    async with ctx.sessions() as db:
        ticket = await db.get(Ticket, number)
        if ticket is None or not ticket.contact or normalise(ticket.contact) != normalise(contact):
            raise NotFound(f"no ticket {number}")
        return _customer_view(ticket_view(ticket))


def forget(ctx: DeskContext, numbers: list[str]) -> None:
    """Erasure: the outbox lines about these requests (their contact and code)
    go too; what a provider delivered is the customer's own mail or SMS."""
    path = ctx.settings.desk.outbox_path
    if not numbers or not path.exists():
        return
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not any(f"№ {number}:" in line for number in numbers)
    ]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
