"""One production-profile stack for the profile's tests: `bin/production`
(supervisord, two Rasa replicas, one action server, two desk replicas, HAProxy) on free
ports, over this machine's PostgreSQL, Redis and RabbitMQ. Each run gets its own
namespace (databases, queue, exchange, lock keys) and drops it afterwards, so
two runs never collide. Under CI=true a missing service fails instead of skipping."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import aio_pika
import asyncpg
import pytest
import redis

from bot.production.plan import Plan
from tests.conftest import ROOT, TOKEN, Stack, prepared_stack

PG = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
STARTUP_TIMEOUT_S = 420


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def require_services() -> None:
    missing = [
        name
        for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672))
        if not _listening(port)
    ]
    if not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists():
        missing.append("haproxy (bin/setup installs it)")
    if missing:
        message = f"the production profile's tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def wait_until(predicate: object, what: str, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-5000:] if log and log.exists() else ""
    raise AssertionError(f"{what} not within {timeout} s\n{tail}")


@dataclass
class ProductionStack(Stack):
    """The shared Stack helpers (say, tracker, desk) over the public entry
    points, plus what a fault test needs: the plan, supervisorctl, the namespace."""

    namespace: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def plan(self) -> Plan:
        return Plan.read(self.var_dir)

    @property
    def log(self) -> Path:
        return self.var_dir / "production.log"

    def supervisorctl(self, *args: str) -> str:
        result = subprocess.run(
            [str(ROOT / ".venv/app/bin/supervisorctl"), "-c", self.plan.supervisor_conf, *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout

    def pid(self, program: str) -> int:
        return int(self.supervisorctl("pid", program).strip())

    def replica_ready(self, port: int) -> bool:
        return answers(f"http://127.0.0.1:{port}/status?token={TOKEN}")

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"bin/production exited\n{self.log.read_text()[-5000:]}")
            if not (self.var_dir / "production" / "plan.json").exists():
                return False
            plan = self.plan
            return (
                all(self.replica_ready(port) for port in plan.rasa_replica_ports)
                and all(answers(f"http://127.0.0.1:{port}/health") for port in plan.action_replica_ports)
                and all(answers(f"http://127.0.0.1:{port}/ready") for port in plan.desk_replica_ports)
                and answers(f"{self.rasa_url}/status?token={TOKEN}")
                and answers(f"http://127.0.0.1:{self.actions_port}/health")
                and answers(f"{self.desk_url}/api/health")
            )

        wait_until(ready, "the production stack", timeout, self.log)

    @property
    def tracker_dsn(self) -> str:
        return f"{PG}/{self.namespace}_tracker"


async def _drop(namespace: str) -> None:
    connection = await asyncpg.connect(f"{PG}/postgres", timeout=10)
    try:
        for suffix in ("tracker", "desk"):
            await connection.execute(f'DROP DATABASE IF EXISTS "{namespace}_{suffix}" WITH (FORCE)')
    finally:
        await connection.close()
    amqp = await aio_pika.connect(AMQP, timeout=10)
    async with amqp:
        channel = await amqp.channel()
        await channel.queue_delete(f"{namespace}.rasa_events")
        await channel.queue_delete(f"{namespace}.handoffs")
        await channel.exchange_delete(f"{namespace}.rasa")
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{namespace}:*"):
        client.delete(key)


def stop_production(running: ProductionStack) -> None:
    process = running.process
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    running.callback.close()


def start_production(
    var_dir: Path,
    rasa_replicas: int = 2,
    action_replicas: int = 1,
    extra_env: dict[str, str] | None = None,
    desk_replicas: int = 2,
) -> ProductionStack:
    """`bin/production` on free ports in a fresh namespace, ready to serve,
    from the same environment as the embedded test stack (tests/conftest.py:
    the FAQ index copied in, the callback channel on). Also used by bench/load."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    base = prepared_stack(
        var_dir,
        {
            "PROFILE": "production",
            "DEPLOYMENT_NAMESPACE": namespace,
            "POSTGRES_URL": PG,
            "REDIS_URL": REDIS,
            "RABBITMQ_URL": AMQP,
            "RASA_REPLICAS": str(rasa_replicas),
            "ACTION_REPLICAS": str(action_replicas),
            "DESK_REPLICAS": str(desk_replicas),
            **(extra_env or {}),
        },
    )
    running = ProductionStack(**{f.name: getattr(base, f.name) for f in fields(Stack)}, namespace=namespace)
    running.process = subprocess.Popen(
        ["nice", "-n", "10", str(ROOT / "bin" / "production")],
        cwd=ROOT,
        env=running.env,
        stdout=running.log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        running.wait_ready()
    except BaseException:
        stop_and_drop(running)
        raise
    return running


def stop_and_drop(running: ProductionStack) -> None:
    """Stops the stack and drops its databases, queue, exchange and Redis keys."""
    try:
        stop_production(running)
    finally:
        asyncio.run(_drop(running.namespace))


@pytest.fixture(scope="session")
def production(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    require_services()
    running = start_production(tmp_path_factory.mktemp("production"))
    try:
        yield running
    finally:
        stop_and_drop(running)
