"""The agent daemon at rest: RSS and CPU of one real ``upkeep-agent run`` process, connected
to a real server, over two heartbeat intervals. Prints figures; asserts nothing.

    python bench/agent_idle.py [--heartbeat 30] [--window 70]

The server runs on an embedded SQLite database in a temporary folder; the agent has a
compose folder (never started: the heartbeat still asks dockerd for its containers, as
on a node), the seed's default schedule checks disabled, and no command to run.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402

from generated.upkeep.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402

COMPOSE = "services:\n  app:\n    image: busybox:latest\n    command: [\"sleep\", \"3600\"]\n"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _link_state(history_db: Path) -> str:
    if not history_db.exists():
        return ""
    with sqlite3.connect(history_db) as conn:
        row = conn.execute("SELECT value FROM kv WHERE key = 'link.state'").fetchone()
    return row[0] if row else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heartbeat", type=int, default=30, help="heartbeat interval the server hands out (s)")
    parser.add_argument("--window", type=float, default=0, help="measuring window (s); default two intervals + 5")
    args = parser.parse_args()
    window = args.window or 2 * args.heartbeat + 5
    tmp = Path(tempfile.mkdtemp(prefix="upkeep-agent-idle-"))
    env = {**os.environ, "UPKEEP_DATA_DIR": str(tmp / "data"), "UPKEEP_GRPC_LISTEN": "127.0.0.1:0",
           "UPKEEP_HTTP_LISTEN": "127.0.0.1:0", "UPKEEP_HEARTBEAT_INTERVAL_S": str(args.heartbeat),
           "UPKEEP_LOG_LEVEL": "WARNING", "LANG": "C.UTF-8"}
    env.pop("UPKEEP_DATABASE_URL", None)
    server_cli = [sys.executable, "-m", "server.cli"]
    subprocess.run([*server_cli, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    token = subprocess.run([*server_cli, "token", "create", "--role", "admin", "--name", "bench"], env=env, cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()
    ready = tmp / "ready.json"
    server = subprocess.Popen([*server_cli, "serve", "--ready-file", str(ready)], env=env, cwd=ROOT,
                              stdout=(tmp / "server.log").open("w"), stderr=subprocess.STDOUT)
    agent: subprocess.Popen[bytes] | None = None
    try:
        while not ready.exists():
            if server.poll() is not None:
                raise SystemExit(f"server exited; see {tmp / 'server.log'}")
            time.sleep(0.05)
        target = f"127.0.0.1:{json.loads(ready.read_text())['grpc_port']}"
        with grpc.insecure_channel(target) as channel:
            stub = admin_pb2_grpc.AdminServiceStub(channel)
            metadata = (("authorization", f"Bearer {token}"),)
            stub.CreateProject(admin_pb2.CreateProjectRequest(slug="idle", name="Idle"), metadata=metadata, timeout=30)
            enrollment = stub.CreateEnrollmentToken(admin_pb2.CreateEnrollmentTokenRequest(project="idle"), metadata=metadata,
                                                    timeout=30).token
        node = tmp / "node"
        (node / "svc").mkdir(parents=True)
        (node / "svc" / "docker-compose.yml").write_text(COMPOSE)
        config = node / "config.toml"
        config.write_text(
            "[versions]\nclient = \"0.1.0\"\nservice = \"1.0.0\"\n"
            "[docker]\ncompose_file = \"svc/docker-compose.yml\"\nproject_name = \"upkeep-idle-bench\"\n"
            f"[server]\naddress = \"{target}\"\n[schedule]\ncheck_frequency = \"never\"\n"
            "[agent]\nstate_dir = \"state\"\nlog_level = \"WARNING\"\n"
        )
        agent_cli = [sys.executable, "-m", "agent.cli", "-c", str(config)]
        subprocess.run([*agent_cli, "enroll", "--server", target, "--token", enrollment], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        agent = subprocess.Popen([*agent_cli, "run"], env=env, cwd=ROOT, stdout=(tmp / "agent.log").open("w"),
                                 stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while _link_state(node / "state" / "history.db") != "connected":
            if agent.poll() is not None or time.time() > deadline:
                raise SystemExit(f"agent did not connect; see {tmp / 'agent.log'}")
            time.sleep(0.2)
        time.sleep(5)  # start-up work done
        t0, c0 = time.time(), _cpu_s(agent.pid)
        peak = 0
        while time.time() - t0 < window:
            peak = max(peak, _rss_kib(agent.pid))
            time.sleep(1)
        cpu = (_cpu_s(agent.pid) - c0) / (time.time() - t0)
        print(f"agent daemon idle (heartbeat {args.heartbeat}s, {window:.0f}s window): RSS {_rss_kib(agent.pid) / 1024:.1f} MiB "
              f"(peak {peak / 1024:.1f} MiB), CPU {cpu * 100:.2f}% of one core; still {_link_state(node / 'state' / 'history.db')}")
    finally:
        for proc in (agent, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    main()
