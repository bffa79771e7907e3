"""The desk's operations surface (bot/desk/operations.py): readiness and
Prometheus metrics, without a login."""

from __future__ import annotations

from tests.desk.conftest import DeskClient


async def test_ready_when_the_database_answers(desk: DeskClient) -> None:
    response = await desk.http.get("/ready")
    assert response.status == 200
    assert (await response.json()) == {"status": "ready"}


async def test_metrics_count_requests_and_handoffs(desk: DeskClient) -> None:
    before = await (await desk.http.get("/metrics")).text()
    await desk.hand_over("tg:501", reason="request_human")
    text = await (await desk.http.get("/metrics")).text()
    assert 'desk_requests_total{method="POST",route="/api/internal/handoffs",status="201"}' in text
    assert "desk_request_seconds_bucket" in text

    def handoffs(page: str) -> float:
        line = next(li for li in page.splitlines() if li.startswith("desk_handoffs_created_total "))
        return float(line.split()[1])

    assert handoffs(text) == handoffs(before) + 1
