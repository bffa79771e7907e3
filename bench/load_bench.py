"""`bench/load`: simulated customers holding real multi-turn conversations over
the REST channel, and what each reply costs.

Each simulated customer holds a conversation of the realistic mix (a greeting,
an open FAQ question, a guided flow of two steps, thanks), then starts a new
one under a new sender id, until the level's time is up. Levels are numbers of
customers at once; with `--pause` each customer waits that long between turns
(an open-loop-like load, as people type), without it they answer at once
(closed loop: the throughput ceiling). For every level it prints throughput,
reply latency p50/p95/p99, errors, and the CPU each process spent per customer
message, read from the processes' own counters (/proc/<pid>/stat), so the
figure is the server's work, not the load generator's.

Stock Rasa is measured in the same run, side by side: a model trained once
from the same data and domain with the pipeline and policies `rasa init` leaves
(cached in models/stock/ under a fingerprint of its inputs), served by a second
Rasa process on the same action server and desk. Levels alternate between the
two systems, so both see the same background load.

Before the levels, each system plays a few conversations one message at a time
and reads every process's CPU per message from its threads' schedstat
(nanoseconds, not 10 ms ticks): the median CPU per kind of message (greeting in
a new conversation, FAQ question, flow step, thanks) and over the mix.

The mix's texts vary (a few greetings and thanks, FAQ questions from
tests/data/faq_test.yml, fresh card digits), so a cache of repeated texts is
measured with the repetition real customers give, not with five fixed strings.

Loopback only, bounded in count and time; it starts its own processes through
the test suite's runner (tests/conftest.py) on free ports with a private var/
(the FAQ index is kept in var/bench-load/ between runs: building it is a
minute of CPU that belongs to no reply).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.conversation_sim import FLOW_ARTICLES
from tests.conftest import (
    ROOT,
    TOKEN,
    Stack,
    free_port,
    http_json,
    start_stack,
    stop,
    stop_stack,
    wait_for,
)

TICKS = os.sysconf("SC_CLK_TCK")
PROCESSES = ("rasa", "actions", "desk")
GREETINGS = ("здравствуйте", "добрый день", "привет")
THANKS = ("спасибо", "спасибо большое", "благодарю")
# Articles a guided flow answers are left out: their questions start a form
# and would change the conversation's course.
FLOW_ARTICLE_IDS = {article for articles in FLOW_ARTICLES.values() for article in articles}

# Stock Rasa as `rasa init` leaves it: no pipeline and no policies given, so
# Rasa fills in its defaults (rasa/engine/recipes/config_files/default_config.yml:
# DIET with two transformer layers, ResponseSelector, Memoization, Rule,
# UnexpecTED and TED policies). Only the language is ours.
STOCK_CONFIG = """recipe: default.v1
assistant_id: stock-rasa
language: ru
pipeline:
policies:
"""
STOCK_DIR = ROOT / "models" / "stock"
STOCK_MODEL = STOCK_DIR / "stock.tar.gz"
# What the stock model is trained from (bin/train's inputs, minus our components).
STOCK_INPUTS = ("domain.yml", "data/nlu", "data/stories", "data/rules", "requirements/rasa.lock")


def faq_questions() -> list[str]:
    """Answerable FAQ questions whose article no guided flow answers."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "faq_test.yml").read_text(encoding="utf-8"))
    return [str(item["q"]) for item in data["answerable"] if item["id"] not in FLOW_ARTICLE_IDS]


@dataclass(frozen=True)
class Turn:
    kind: str
    text: str


def conversation(rng: random.Random, questions: list[str]) -> list[Turn]:
    """The realistic mix: a greeting, an open FAQ question, a guided flow of two
    steps (the card's last four digits are fresh each time), thanks."""
    return [
        Turn("greeting", rng.choice(GREETINGS)),
        Turn("FAQ question", rng.choice(questions)),
        Turn("flow step", "я потерял карту"),
        Turn("flow step", f"{rng.randrange(10000):04d}"),
        Turn("thanks", rng.choice(THANKS)),
    ]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_ns(pid: int) -> int:
    """Time on CPU of all a process's threads in nanoseconds (schedstat's first field)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Target:
    """One system under test: its Rasa process and the shared actions and desk."""

    system: str
    rasa_url: str
    pids: dict[str, int]


@dataclass
class LevelResult:
    customers: int
    pause_s: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    # Failed messages by what went wrong ("REST timeout", "REST 503", ...): an
    # overloaded process times out, a broken one answers 5xx.
    failures: Counter[str] = field(default_factory=Counter)
    # Of the answered: no message at all (a 200 with an empty list).
    silent: int = 0
    cpu_ms_per_message: dict[str, float] = field(default_factory=dict)
    # The machine's 1-minute load average at the level's end: latency on a
    # shared machine is the bot's share of it, not its capacity.
    load: float = float("nan")

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    @property
    def messages(self) -> int:
        return len(self.latencies) + self.errors

    def row(self, label: str) -> str:
        ms = [x * 1000 for x in self.latencies]
        cpu = " / ".join(f"{self.cpu_ms_per_message.get(p, float('nan')):.1f}" for p in PROCESSES)
        return (
            f"| {label} | {self.customers} | {self.pause_s:g} | {self.messages / self.seconds:.1f} | "
            f"{percentile(ms, 0.5):.0f} | {percentile(ms, 0.95):.0f} | {percentile(ms, 0.99):.0f} | "
            f"{self.errors} / {self.silent} | {cpu} | {self.load:.1f} |"
        )


async def customer(
    http: aiohttp.ClientSession,
    url: str,
    deadline: float,
    pause: float,
    result: LevelResult,
    rng: random.Random,
    questions: list[str],
) -> None:
    while time.monotonic() < deadline:
        sender = f"load:{uuid.uuid4().hex[:12]}"
        for turn in conversation(rng, questions):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                async with http.post(url, json={"sender": sender, "message": turn.text}) as reply:
                    body = await reply.json()
                    if reply.status != 200:
                        result.failures[f"REST {reply.status}"] += 1
                    else:
                        result.latencies.append(time.perf_counter() - started)
                        result.silent += not body
            except asyncio.TimeoutError:
                result.failures["REST timeout"] += 1
            except aiohttp.ClientError as error:
                result.failures[f"REST {type(error).__name__}"] += 1
            if pause:
                await asyncio.sleep(pause)


async def run_level(
    target: Target, customers: int, seconds: float, pause: float, questions: list[str]
) -> LevelResult:
    url = f"{target.rasa_url}/webhooks/rest/webhook"
    result = LevelResult(customers, pause, seconds)
    before = {name: cpu_seconds(pid) for name, pid in target.pids.items()}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    rng = random.Random(customers)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        # Customers arrive spread over the first pause (or at once, closed loop).
        tasks = []
        for _ in range(customers):
            tasks.append(asyncio.create_task(customer(http, url, deadline, pause, result, rng, questions)))
            if pause:
                await asyncio.sleep(pause / customers)
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - started
    for name, pid in target.pids.items():
        spent = cpu_seconds(pid) - before[name]
        result.cpu_ms_per_message[name] = 1000 * spent / max(1, result.messages)
    result.load = os.getloadavg()[0]
    return result


async def per_kind_cpu(
    targets: list[Target], conversations: int, questions: list[str], settle: float = 0.3
) -> dict[str, dict[str, dict[str, list[float]]]]:
    """CPU ms of each process for each message, one message at a time, by system
    and kind: after a reply the processes get `settle` seconds to finish what
    follows it (the event broker's posts), then their counters are read. The
    systems take turns conversation by conversation, so they share the machine's
    background load; each FAQ question is one not asked before in this run."""
    samples: dict[str, dict[str, dict[str, list[float]]]] = {t.system: {} for t in targets}
    rng = random.Random(7)
    fresh = iter(rng.sample(questions, len(questions)))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        for _ in range(conversations):
            turns = conversation(rng, questions)
            turns[1] = Turn(turns[1].kind, next(fresh, turns[1].text))
            for target in targets:
                sender = f"kind:{uuid.uuid4().hex[:12]}"
                url = f"{target.rasa_url}/webhooks/rest/webhook"
                for turn in turns:
                    before = {name: cpu_ns(pid) for name, pid in target.pids.items()}
                    async with http.post(url, json={"sender": sender, "message": turn.text}) as reply:
                        await reply.read()
                    await asyncio.sleep(settle)
                    for name, pid in target.pids.items():
                        ms = (cpu_ns(pid) - before[name]) / 1e6
                        samples[target.system].setdefault(turn.kind, {}).setdefault(name, []).append(ms)
    return samples


def kind_rows(label: str, samples: dict[str, dict[str, list[float]]]) -> list[str]:
    rows = []
    mix: dict[str, list[float]] = {name: [] for name in PROCESSES}
    for kind, per_process in samples.items():
        for name in PROCESSES:
            mix[name].extend(per_process.get(name, []))
        rows.append(_kind_row(label, kind, per_process))
    rows.append(_kind_row(label, "**the mix**", mix))
    return rows


def _kind_row(label: str, kind: str, per_process: dict[str, list[float]]) -> str:
    cells = []
    for name in PROCESSES:
        values = per_process.get(name, [])
        cells.append(f"{percentile(values, 0.5):.1f} / {sum(values) / max(1, len(values)):.1f}")
    count = len(per_process.get("rasa", []))
    return f"| {label} | {kind} | {count} | " + " | ".join(cells) + " |"


def stock_fingerprint() -> str:
    digest = hashlib.sha256(STOCK_CONFIG.encode("utf-8"))
    for name in STOCK_INPUTS:
        path = ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(str(file.relative_to(ROOT)).encode("utf-8") + b"\0" + file.read_bytes())
    return digest.hexdigest()


def ensure_stock_model() -> Path:
    """Trains stock Rasa's model from the project's data and domain once; later
    runs reuse it while the fingerprint of its inputs is unchanged."""
    fingerprint = stock_fingerprint()
    stamp = STOCK_DIR / ".fingerprint"
    if STOCK_MODEL.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return STOCK_MODEL
    print(
        "==> training stock Rasa's model (default pipeline and policies; once)", file=sys.stderr, flush=True
    )
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    config = STOCK_DIR / "config.yml"
    config.write_text(STOCK_CONFIG, encoding="utf-8")
    command = [str(ROOT / "bin" / "rasa"), "train", "--config", str(config), "--domain", "domain.yml"]
    command += ["--data", "data/nlu", "data/stories", "data/rules", "--out", str(STOCK_DIR)]
    command += ["--fixed-model-name", "stock", "--force", "--quiet"]
    subprocess.run(command, cwd=ROOT, check=True)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return STOCK_MODEL


@contextmanager
def second_rasa(
    stack: Stack,
    var_dir: Path,
    system: str,
    checkout: Path,
    models: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Target]:
    """Another Rasa, started from `checkout`'s bin/rasa-server with `models`, on
    the stack's action server and desk, with its own tracker store."""
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**stack.env, "RASA_PORT": str(port), "BOT_MODELS_DIR": str(models), "BOT_VAR_DIR": str(var_dir)}
    # The desk's service token lives in the stack's var/secrets/ (generated
    # there): without it this Rasa's event broker would get 401s, and the desk's
    # column would show the cost of refusing events, not of taking them.
    secret = stack.var_dir / "secrets" / "desk_service_token"
    if "DESK_SERVICE_TOKEN" not in env and secret.exists():
        env["DESK_SERVICE_TOKEN"] = secret.read_text(encoding="utf-8").strip()
    env.update(extra_env or {})
    env.pop("PYTHONPATH", None)
    log = var_dir / "rasa.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [str(checkout / "bin" / "rasa-server")],
            cwd=checkout,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        # Stock's model (transformer DIET, TED, UnexpecTED) loads slowly on busy cores.
        wait_for(f"{url}/status?token={TOKEN}", process, log, timeout=900)
        pids = {"rasa": process.pid, "actions": stack.processes["actions"].pid}
        yield Target(system, url, {**pids, "desk": stack.processes["desk"].pid})
    finally:
        stop(process)


def warm_up(rasa_url: str, questions: list[str]) -> None:
    """Two whole conversations first, so no level pays for the first model call."""
    rng = random.Random(1)
    for _ in range(2):
        sender = f"warm:{uuid.uuid4().hex[:8]}"
        for turn in conversation(rng, questions):
            body = {"sender": sender, "message": turn.text}
            http_json("POST", f"{rasa_url}/webhooks/rest/webhook", body, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--levels", default="1:0,10:0,50:3,200:3", help="customers:pause_s, comma separated ('' for none)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="how long each level runs (bounded)")
    parser.add_argument("--systems", default="project,stock", help="project, stock or both (comma separated)")
    parser.add_argument(
        "--against",
        type=Path,
        action="append",
        default=[],
        help="also measure the Rasa of another checkout of this project (e.g. a copy at an earlier "
        "commit, with its models/), on the same action server and desk: a change's effect on a "
        "shared machine (repeatable)",
    )
    parser.add_argument(
        "--kind-conversations", type=int, default=10, help="conversations for the CPU per kind (0: skip)"
    )
    args = parser.parse_args()
    levels = [(int(c), float(p)) for c, p in (item.split(":") for item in args.levels.split(",") if item)]
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    if any(c > 500 for c, _ in levels) or args.seconds > 600 or not 0 <= args.kind_conversations <= 50:
        raise SystemExit("bounded: at most 500 customers, 600 s a level, 50 conversations per kind")
    if set(systems) - {"project", "stock"}:
        raise SystemExit("--systems: choose from project, stock")
    labels = {"project": "project, embedded", "stock": "stock Rasa (rasa init)"}
    for number, checkout in enumerate(args.against, 1):
        labels[f"against{number}"] = f"project at {_describe(checkout)}"
    if "stock" in systems:
        ensure_stock_model()
    questions = faq_questions()
    rows: list[str] = []
    kinds: list[str] = []
    memory: dict[str, float] = {}
    faq_index = ROOT / "var" / "bench-load" / "faq-index"
    with tempfile.TemporaryDirectory() as var, ExitStack() as others:
        print("==> starting Rasa, actions and the desk", file=sys.stderr, flush=True)
        stack = start_stack(Path(var), {"FAQ_INDEX_DIR": str(faq_index)})
        others.callback(stop_stack, stack)
        targets = []
        if "project" in systems:
            targets.append(Target("project", stack.rasa_url, {n: p.pid for n, p in stack.processes.items()}))
        for number, checkout in enumerate(args.against, 1):
            name = f"against{number}"
            started = second_rasa(
                stack, Path(var) / name, name, checkout.resolve(), checkout.resolve() / "models"
            )
            targets.append(others.enter_context(started))
        if "stock" in systems:
            # Stock keeps TensorFlow's own thread pools (0: TensorFlow decides), not ours.
            stock_env = {"TF_INTRA_OP_PARALLELISM_THREADS": "0", "TF_INTER_OP_PARALLELISM_THREADS": "0"}
            started = second_rasa(stack, Path(var) / "stock", "stock", ROOT, STOCK_DIR, stock_env)
            targets.append(others.enter_context(started))
        for target in targets:
            warm_up(target.rasa_url, questions)
        if args.kind_conversations:
            print("==> CPU per kind of message", file=sys.stderr, flush=True)
            samples = asyncio.run(per_kind_cpu(targets, args.kind_conversations, questions))
            for target in targets:
                kinds += kind_rows(labels[target.system], samples[target.system])
        for customers, pause in levels:
            for target in targets:
                print(
                    f"==> {target.system}: {customers} customers, pause {pause:g} s, {args.seconds:g} s",
                    file=sys.stderr,
                    flush=True,
                )
                result = asyncio.run(run_level(target, customers, args.seconds, pause, questions))
                rows.append(result.row(labels[target.system]))
        memory = {f"{t.system} rasa": rss_mb(t.pids["rasa"]) for t in targets}
        memory.update({name: rss_mb(stack.processes[name].pid) for name in ("actions", "desk")})
    if kinds:
        print("CPU ms per message, median / mean, one message at a time:\n")
        print("| system | message | n | rasa | actions | desk |")
        print("|---|---|---|---|---|---|")
        print("\n".join(kinds))
        print()
    print(
        "| system | customers | pause s | msg/s | p50 ms | p95 ms | p99 ms | failed / silent "
        "| CPU ms/msg rasa / actions / desk | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    order = list(labels.values())
    print("\n".join(sorted(rows, key=lambda row: order.index(row.split(" | ")[0].lstrip("| ")))))
    print("\nmemory (RSS MB): " + ", ".join(f"{k} {v:.0f}" for k, v in memory.items()))
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)")
    return 0


def _describe(checkout: Path) -> str:
    """The checkout's commit, for the table's label."""
    found = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or checkout.name


if __name__ == "__main__":
    sys.exit(main())
