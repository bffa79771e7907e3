"""The audit log: every action an agent takes at the desk is written down, and
only supervisors read it."""

from __future__ import annotations

from typing import Any

from bot.desk import agents, audit
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient


def actions(entries: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(actor, action, target), oldest first."""
    return [(e["actor"], e["action"], e["target"]) for e in reversed(entries)]


async def test_what_agents_do_is_in_the_log_for_supervisors_only(desk: DeskClient) -> None:
    assert (await desk.call("POST", "/api/login", body={"username": "chief", "password": "nope"}))[0] == 401
    chief = await desk.login(*CHIEF)
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    handoff = (await desk.hand_over("tg:7"))["handoff"]["id"]
    target = f"handoff:{handoff}"
    await desk.ok("GET", f"/api/handoffs/{handoff}", anna)
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{handoff}/messages", anna, {"text": "Карта 4276 1234 5678 9012?"})
    await desk.ok("POST", f"/api/handoffs/{handoff}/transfer", anna, {"to": "boris"})
    await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", boris)
    await desk.ok("POST", "/api/logout", anna)
    await desk.ok("DELETE", "/api/internal/customers/tg:7", SERVICE_TOKEN)

    assert await desk.call("GET", "/api/audit", boris) == (403, {"error": "only a supervisor may do this"})
    log = await desk.ok("GET", "/api/audit", chief)
    assert actions(log) == [
        ("chief", "login_failed", None),
        ("chief", "login", None),
        ("chief", "login", None),
        ("chief", "agent_create", "agent:anna"),
        ("anna", "login", None),
        ("chief", "login", None),
        ("chief", "agent_create", "agent:boris"),
        ("boris", "login", None),
        ("anna", "view_transcript", target),
        ("anna", "claim", target),
        ("anna", "reply", target),
        ("anna", "transfer", target),
        ("boris", "resolve", target),
        ("anna", "logout", None),
        ("bot", "erase_customer", audit.customer_ref("tg:7")),
    ]
    assert log[0]["target"] != "customer:tg:7" and "tg:7" not in str(log)
    assert log[-1]["address"] == "127.0.0.1"
    by_kind = {e["action"]: e for e in log}
    assert by_kind["reply"]["detail"] == "26 characters"  # what was said stays in the transcript only
    assert by_kind["transfer"]["detail"] == "to boris"
    assert "'handoffs': 1" in by_kind["erase_customer"]["detail"].replace('"', "'")

    # Filters: by agent, by time (a bare date for `to` includes that day).
    assert {e["actor"] for e in await desk.ok("GET", "/api/audit?agent=anna", chief)} == {"anna"}
    today = log[0]["at"][:10]
    assert len(await desk.ok("GET", f"/api/audit?from={today}&to={today}", chief)) == len(log)
    assert await desk.ok("GET", "/api/audit?from=2999-01-01T00:00:00%2B03:00", chief) == []
    assert await desk.call("GET", "/api/audit?from=yesterday", chief) == (
        400,
        {"error": "'from' must be an ISO date or date-time, e.g. 2026-12-07T10:00:00+03:00"},
    )


async def test_secrets_never_reach_the_log(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    # An agent who types a password into the login field: the name is not stored as typed.
    await desk.call("POST", "/api/login", body={"username": "my-pass-4276", "password": "x"})
    await audit.record(desk.context, audit.EXPORT, "chief", "tickets", "карта 4276 1234 5678 9012, код 4821")
    log = await desk.ok("GET", "/api/audit", chief)
    assert log[0]["detail"] == "карта •••• 9012, код •••"
    assert log[1]["actor"] == "(unknown)" and "my-pass" not in str(log)


async def test_a_new_password_from_the_admin_command_ends_open_sessions(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    anna = await desk.new_agent("anna", "Анна")
    async with desk.context.sessions() as db:
        assert await agents.save_agent(db, "anna", "anna-new-password", "agent", None) == "updated"
    assert (await desk.call("GET", "/api/me", anna))[0] == 401
    assert await desk.login("anna", "anna-new-password")
    entry = (await desk.ok("GET", "/api/audit?agent=system", chief))[0]
    assert (entry["action"], entry["target"]) == ("agent_update", "agent:anna")


async def test_a_csv_export_is_audited(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    response = await desk.http.get(
        "/api/metrics.csv?from=2026-12-01&to=2026-12-07", headers={"Authorization": f"Bearer {chief}"}
    )
    assert response.status == 200 and response.content_type == "text/csv"
    exports = [e for e in await desk.ok("GET", "/api/audit", chief) if e["action"] == "export"]
    assert [(e["actor"], e["target"], e["detail"]) for e in exports] == [
        (CHIEF[0], "metrics.csv", "2026-12-01..2026-12-07")
    ]
