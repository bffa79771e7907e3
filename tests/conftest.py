"""Fixtures that run the real processes: the trained model, and a Rasa server
plus action server on free ports with a private var/ directory, so the suite
never touches a running `make run` or its data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "support-bot.tar.gz"
TOKEN = "test-token-not-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(method: str, url: str, body: Any = None, timeout: float = 30) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read().decode("utf-8")
    return json.loads(raw) if raw else None


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited {process.returncode}\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout} s\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Stack:
    """A Rasa server and an action server started from bin/, as `make run` does."""

    var_dir: Path
    env: dict[str, str]
    rasa_port: int
    actions_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self, name: str) -> None:
        command = {"rasa": "bin/rasa-server", "actions": "bin/action-server"}[name]
        log = self.var_dir / f"{name}.log"
        handle = log.open("ab")
        self.processes[name] = subprocess.Popen(
            [str(ROOT / command)], cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        health = (
            f"{self.rasa_url}/status?token={TOKEN}"
            if name == "rasa"
            else f"http://127.0.0.1:{self.actions_port}/health"
        )
        wait_for(health, self.processes[name], log)

    def stop(self, name: str) -> None:
        stop(self.processes.pop(name))

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = http_json(
            "POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message}
        )
        return replies

    def parse(self, text: str) -> dict[str, Any]:
        result: dict[str, Any] = http_json(
            "POST", f"{self.rasa_url}/model/parse?token={TOKEN}", {"text": text}
        )
        return result

    def tracker(self, sender: str) -> dict[str, Any]:
        result: dict[str, Any] = http_json(
            "GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={TOKEN}"
        )
        return result


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trains the model as `make run` does (a no-op when it is up to date)."""
    result = subprocess.run(
        [str(ROOT / "bin" / "train")], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert MODEL.exists()
    return MODEL


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var")
    rasa_port, actions_port = free_port(), free_port()
    env = {
        **os.environ,
        "BOT_VAR_DIR": str(var_dir),
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "RASA_API_TOKEN": TOKEN,
    }
    running = Stack(var_dir=var_dir, env=env, rasa_port=rasa_port, actions_port=actions_port)
    try:
        running.start("actions")
        running.start("rasa")
        yield running
    finally:
        for name in list(running.processes):
            running.stop(name)
