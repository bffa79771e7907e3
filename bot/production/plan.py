"""The production profile on one machine, as configuration files: which
processes run on which ports (the plan), supervisor's configuration and
HAProxy's, all generated into var/production/ from the settings.

Public entry points stay where the embedded profile has them: HAProxy listens
on RASA_PORT (every channel, the REST and the HTTP API), on ACTIONS_PORT
(Rasa's action endpoint) and on DESK_PORT (the console, its live websocket and
the desk's API), spreading the work over the replicas on ports picked free at
start.
"""

from __future__ import annotations

import json
import random
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.config import ROOT, Settings

# A dead replica is taken out at the first connection it refuses (passive
# check on real traffic, the request is retried on another replica) or after
# FALL active checks CHECK_INTERVAL_MS apart, whichever comes first: within
# seconds. The active check is a TCP connect: Rasa and rasa-sdk open their port
# only once the model and the actions are loaded, and an HTTP check is answered
# by Rasa's one event loop only after the work queued before it, so under load
# it timed out (even at 10 s) and took healthy, busy replicas out. A busy
# replica must not look dead either: each gets at most MAX_CONNECTIONS requests
# at once, the rest wait in HAProxy's queue (fair, and the replica's accept
# backlog never fills).
CHECK_INTERVAL_MS = 2000
CHECK_TIMEOUT = "10s"
FALL = 2
RISE = 2
MAX_CONNECTIONS = 16
QUEUE_TIMEOUT = "60s"


@dataclass(frozen=True)
class Plan:
    host: str
    rasa_port: int
    actions_port: int
    desk_port: int
    rasa_replica_ports: tuple[int, ...]
    action_replica_ports: tuple[int, ...]
    desk_replica_ports: tuple[int, ...]
    metrics_port: int
    # HAProxy's own Prometheus exporter: each replica's queue and sessions, the
    # first sign that the replicas are too few (README, "What to watch").
    balancer_metrics_port: int
    directory: str

    @property
    def supervisor_socket(self) -> str:
        return f"{self.directory}/supervisor.sock"

    @property
    def supervisor_conf(self) -> str:
        return f"{self.directory}/supervisord.conf"

    def save(self) -> None:
        Path(self.directory, "plan.json").write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, var_dir: Path) -> Plan:
        data = json.loads((var_dir / "production" / "plan.json").read_text(encoding="utf-8"))
        data["rasa_replica_ports"] = tuple(data["rasa_replica_ports"])
        data["action_replica_ports"] = tuple(data["action_replica_ports"])
        data["desk_replica_ports"] = tuple(data["desk_replica_ports"])
        return cls(**data)


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _free_ports(host: str, count: int) -> tuple[int, ...]:
    """Ports free now, below the kernel's ephemeral range: a port the kernel
    hands out itself (bind to 0) may become the local end of some process's
    outgoing connection before the replica binds it (seen: a desk replica
    that could not start for a PostgreSQL client holding its port)."""
    ceiling = _ephemeral_floor()
    sockets: list[socket.socket] = []
    try:
        while len(sockets) < count:
            sock = socket.socket()
            try:
                sock.bind((host, random.randrange(max(1024, ceiling - 12000), ceiling)))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
        return tuple(int(sock.getsockname()[1]) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()


def make_plan(settings: Settings) -> Plan:
    directory = settings.var_dir / "production"
    (directory / "logs").mkdir(parents=True, exist_ok=True)
    production = settings.production
    counts = (production.rasa_replicas, production.action_replicas, production.desk_replicas)
    ports = list(_free_ports(settings.host, sum(counts) + 2))  # all distinct
    rasa, actions, desk = (tuple(ports.pop(0) for _ in range(n)) for n in counts)
    return Plan(
        host=settings.host,
        rasa_port=settings.rasa_port,
        actions_port=settings.actions_port,
        desk_port=settings.desk.port,
        rasa_replica_ports=rasa,
        action_replica_ports=actions,
        desk_replica_ports=desk,
        metrics_port=ports.pop(0),
        balancer_metrics_port=ports.pop(0),
        directory=str(directory),
    )


def haproxy_config(plan: Plan) -> str:
    """Round robin over the Rasa replicas, sticky by a cookie (a socket.io
    client's long-polling requests must reach the replica that holds its
    engine.io session, `sid`), health-checked every few seconds; least
    connections over the action servers; the desk's replicas round robin,
    sticky by a cookie too (a console's page, API calls and live websocket
    stay on one replica; any replica serves any agent: sessions are in the
    database, live events reach every replica through Redis)."""
    health = f"check inter {CHECK_INTERVAL_MS} fall {FALL} rise {RISE}"
    health += " observe layer4 error-limit 1 on-error mark-down"
    check = f"{health} maxconn {MAX_CONNECTIONS}"
    rasa = "\n".join(
        f"  server rasa{i} {plan.host}:{port} {check} cookie r{i}"
        for i, port in enumerate(plan.rasa_replica_ports, start=1)
    )
    # socket.io connections are long-lived: they follow the same health but
    # are not counted against the per-replica request limit.
    sockets = "\n".join(
        f"  server rasa{i} {plan.host}:{port} track rasa/rasa{i} cookie r{i}"
        for i, port in enumerate(plan.rasa_replica_ports, start=1)
    )
    actions = "\n".join(
        f"  server actions{i} {plan.host}:{port} {check}"
        for i, port in enumerate(plan.action_replica_ports, start=1)
    )
    # Consoles hold a websocket each: no per-replica request limit here.
    desks = "\n".join(
        f"  server desk{i} {plan.host}:{port} {health} cookie d{i}"
        for i, port in enumerate(plan.desk_replica_ports, start=1)
    )
    return f"""# Generated by bot/production/plan.py; edits are overwritten at start.
global
  maxconn 4096

defaults
  mode http
  option http-server-close
  timeout connect 2s
  timeout client 5m
  timeout server 5m
  timeout tunnel 1h
  timeout http-keep-alive 10s
  timeout check {CHECK_TIMEOUT}
  timeout queue {QUEUE_TIMEOUT}
  # A request that could not reach a replica goes to another one.
  retries 2
  option redispatch
  retry-on conn-failure empty-response response-timeout 503

frontend rasa
  bind {plan.host}:{plan.rasa_port}
  use_backend rasa_sockets if {{ path_beg /socket.io }}
  default_backend rasa

backend rasa
  balance roundrobin
  # The replica that answered a client's first request keeps it (the engine.io
  # session of a socket.io client lives there until it upgrades to a websocket).
  cookie RASA_REPLICA insert indirect nocache httponly
{rasa}

backend rasa_sockets
  balance roundrobin
  cookie RASA_REPLICA insert indirect nocache httponly
{sockets}

frontend actions
  bind {plan.host}:{plan.actions_port}
  default_backend actions

backend actions
  balance leastconn
{actions}

frontend desk
  bind {plan.host}:{plan.desk_port}
  default_backend desk

backend desk
  balance roundrobin
  cookie DESK_REPLICA insert indirect nocache httponly
{desks}

frontend metrics
  bind {plan.host}:{plan.balancer_metrics_port}
  http-request use-service prometheus-exporter if {{ path /metrics }}
  http-request return status 404 content-type text/plain string "see /metrics"
"""


def _program(name: str, command: str, environment: dict[str, str], stop_wait_s: int = 20) -> str:
    env = ",".join(f'{key}="{value}"' for key, value in environment.items())
    return f"""
[program:{name}]
command={command}
directory={ROOT}
environment={env}
autostart=true
autorestart=true
startsecs=3
startretries=100
stopsignal=TERM
stopwaitsecs={stop_wait_s}
stopasgroup=false
killasgroup=false
redirect_stderr=true
stdout_logfile=/dev/fd/1
stdout_logfile_maxbytes=0
"""


def supervisor_config(plan: Plan, haproxy: str) -> str:
    """supervisord in the foreground (`-n`, a child of `make run`), every
    process restarted alone when it dies, logs on supervisord's stdout."""
    programs = [
        _program(f"rasa-{i}", f"{ROOT}/bin/rasa-server", {"RASA_PORT": str(port)})
        for i, port in enumerate(plan.rasa_replica_ports, start=1)
    ]
    programs += [
        _program(f"actions-{i}", f"{ROOT}/bin/action-server", {"ACTIONS_PORT": str(port)})
        for i, port in enumerate(plan.action_replica_ports, start=1)
    ]
    programs += [
        _program(f"desk-{i}", f"{ROOT}/bin/desk", {"DESK_PORT": str(port)})
        for i, port in enumerate(plan.desk_replica_ports, start=1)
    ]
    # The Rasa replicas' metrics, read from their event stream (no
    # prometheus-client in .venv/rasa): bot/production/event_metrics.py.
    programs.append(
        _program(
            "rasa-metrics",
            f"{ROOT}/.venv/app/bin/python -m bot.production.event_metrics",
            {"METRICS_PORT": str(plan.metrics_port)},
            5,
        )
    )
    programs.append(_program("haproxy", f"{haproxy} -db -f {plan.directory}/haproxy.cfg", {}, 5))
    return f"""; Generated by bot/production/plan.py; edits are overwritten at start.
[supervisord]
nodaemon=true
logfile={plan.directory}/supervisord.log
pidfile={plan.directory}/supervisord.pid
childlogdir={plan.directory}/logs
loglevel=info

[unix_http_server]
file={plan.supervisor_socket}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{plan.supervisor_socket}
{"".join(programs)}"""


def write(plan: Plan, haproxy: str) -> None:
    directory = Path(plan.directory)
    (directory / "haproxy.cfg").write_text(haproxy_config(plan), encoding="utf-8")
    Path(plan.supervisor_conf).write_text(supervisor_config(plan, haproxy), encoding="utf-8")
    plan.save()
