"""Guessing passwords is slowed to a stop, per account and per address, without
letting a guesser keep a real agent out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.desk import agents
from bot.desk.errors import TooManyAttempts, Unauthenticated
from bot.desk.models import AuditEntry, utcnow
from tests.desk.conftest import CHIEF, DeskClient

ATTACKER, OFFICE, ELSEWHERE = "203.0.113.9", "192.0.2.10", "198.51.100.7"


async def test_five_failures_and_the_sixth_try_waits(desk: DeskClient) -> None:
    wrong = {"username": "chief", "password": "guess"}
    for _ in range(5):
        assert (await desk.call("POST", "/api/login", body=wrong))[0] == 401
    response = await desk.http.post("/api/login", json={"username": "chief", "password": CHIEF[1]})
    assert response.status == 429
    assert await response.json() == {"error": "too many failed logins, try again later"}
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    # The window slides: once the failures are 15 minutes old, the password works again.
    async with desk.context.sessions() as db:
        await db.execute(update(AuditEntry).values(at=utcnow() - timedelta(minutes=16)))
        await db.commit()
    assert await desk.login(*CHIEF)


async def test_a_guesser_elsewhere_does_not_lock_out_the_agent_at_her_desk(desk: DeskClient) -> None:
    await desk.new_agent("anna", "Анна")
    ctx = desk.context
    await agents.login(ctx, "anna", "anna-password", OFFICE)  # where Anna works
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await agents.login(ctx, "anna", "guess", ATTACKER)
    # The attacker's address is held back, whatever account it tries next ...
    with pytest.raises(TooManyAttempts):
        await agents.login(ctx, "anna", "anna-password", ATTACKER)
    with pytest.raises(TooManyAttempts):
        await agents.login(ctx, "chief", "guess", ATTACKER)
    # ... the account too, from an address Anna never used ...
    with pytest.raises(TooManyAttempts):
        await agents.login(ctx, "anna", "anna-password", ELSEWHERE)
    # ... but not Anna at her usual desk.
    token, agent = await agents.login(ctx, "anna", "anna-password", OFFICE)
    assert token and agent.username == "anna"


async def test_many_addresses_guessing_one_account_are_held_back_too(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)  # from 127.0.0.1, which stays open to the chief
    ctx = desk.context
    for n in range(5):
        with pytest.raises(Unauthenticated):
            await agents.login(ctx, "chief", "guess", f"203.0.113.{n}")
    with pytest.raises(TooManyAttempts) as refused:
        await agents.login(ctx, "chief", CHIEF[1], "203.0.113.99")
    assert 0 < refused.value.retry_after <= 900
    # Refused attempts are not checked and do not prolong the hold.
    log = await desk.ok("GET", "/api/audit", chief)
    assert [e["action"] for e in log][:2] == ["login_limited", "login_failed"]
