#!/usr/bin/env python3
"""POST /api/v1/check-update throughput and latency on PostgreSQL: prints figures, asserts nothing.

    python bench/check_update.py [--duration 10] [--connections 64] [--pg-url URL]

Seeds a throwaway PostgreSQL database with 50 published releases and 20 enabled rules,
runs the real ``upkeep-server serve`` (one process) and loads it with ``wrk`` through a
Lua script that gives every request a different client id (100,000 distinct ids,
cycled). Next to it, in the same run and with the same request: (a) an empty FastAPI
endpoint answering the same JSON under uvicorn, (b) nginx returning the same answer as a
static file. Afterwards the server is stopped (SIGTERM flushes the event batches) and the
recorded ``check`` events are compared with the requests wrk sent and the answers it read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from server.db.engine import make_async_engine, make_session_factory, migrate, sync_url  # noqa: E402
from server.db.models import UpdateEvent  # noqa: E402
from server.services import projects, releases, rules  # noqa: E402
from server.services.artifacts import spec_from_url  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://upkeep:upkeep@127.0.0.1:5432/postgres"
CLIENTS = 100_000
BODY = {"current_version": "v1.0.0", "channel": "stable", "client_id": "x", "region": "cn", "arch": "amd64", "os": "linux"}

LUA = """
local counter = 0
local threads = {}
-- setup() runs in the main Lua state; thread:set() gives each thread its own global offset
function setup(thread)
  thread:set("offset", #threads * 50000)
  table.insert(threads, thread)
end
function init(args)
  sent = 0
  answered = 0
end
function request()
  counter = counter + 1
  sent = sent + 1
  local id = (offset + counter) % CLIENTS
  local body = '{"current_version":"v1.0.0","channel":"stable","client_id":"client-' .. id ..
    '","region":"cn","arch":"amd64","os":"linux"}'
  return wrk.format("POST", "/api/v1/check-update", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  answered = answered + 1
end
function done(summary, latency, requests)
  local s, a = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    a = a + t:get("answered")
  end
  io.write(string.format("LUA sent=%d answered=%d\\n", s, a))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"upkeep_bench_{secrets.token_hex(4)}"
    engine = create_engine(sync_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(sync_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


async def seed(url: str) -> dict:
    engine = make_async_engine(url)
    factory = make_session_factory(engine)
    async with factory() as s, s.begin():
        await projects.create_project(s, slug="default", download_mirrors={
            "default": "https://releases.example.dev", "cn": "https://releases.example.cn"})
        for i in range(50):
            version = f"v1.{i // 10}.{i % 10 + 1}"
            await releases.create_release(
                s, project="default", version=version, title=f"Release {version}", publish=True,
                release_notes="notes " * 20, min_upgrade_version="v1.0.0" if i > 40 else None,
                rollout_percentage=50 if i == 49 else None,
                artifacts=[spec_from_url(url=f"https://releases.example.dev/{version}/app-{p}", size=25_165_824,
                                         checksum="sha256:" + f"{i:02x}" * 32, platform=p)
                           for p in ("linux-amd64", "linux-arm64", "windows-amd64", "darwin-arm64")],
            )
        for i in range(20):  # none matches the benchmark's clients: every request walks all 20
            await rules.create_rule(s, project="default", name=f"rule {i}", target_region=f"region-{i}",
                                    labels={"ring": f"r{i}"}, action="block" if i % 2 else "pin",
                                    pin_version="v1.0.5" if i % 2 == 0 else None, priority=i)
    await engine.dispose()
    return {"releases": 50, "rules": 20}


def start(work: Path, name: str, argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """Start a server that writes {"http_port": ...} to the file named by its last argument."""
    ready = work / f"{name}.json"
    proc = subprocess.Popen([*argv, str(ready)], env=env, cwd=ROOT, stdout=(work / f"{name}.log").open("w"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{name} did not start: " + (work / f"{name}.log").read_text()[-2000:])
        time.sleep(0.05)
    time.sleep(0.2)  # the ready file is written in one call; let it land
    return proc, json.loads(ready.read_text())["http_port"]


def run_wrk(port: int, lua: Path, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(lua), f"http://127.0.0.1:{port}/api/v1/check-update"],
        capture_output=True, text=True, timeout=duration + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    lua_counts = re.search(r"LUA sent=(\d+) answered=(\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99_ms, "sent": int(lua_counts.group(1)), "answered": int(lua_counts.group(2)),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else "none"}


EMPTY_APP = """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
app = FastAPI()
ANSWER = %(answer)s
@app.post("/api/v1/check-update")
async def check(request: Request):
    await request.body()
    return JSONResponse(ANSWER)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pg-url", default=os.environ.get("UPKEEP_TEST_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="upkeep-bench-"))
    lua = work / "check.lua"
    lua.write_text(LUA.replace("CLIENTS", str(CLIENTS)))
    name, url = create_database(args.pg_url)
    procs: list[subprocess.Popen] = []
    try:
        migrate(url)
        seeded = asyncio.run(seed(url))
        env = {**os.environ, "UPKEEP_DATABASE_URL": url, "UPKEEP_DATA_DIR": str(work / "data"),
               "UPKEEP_HTTP_LISTEN": f"127.0.0.1:{free_port()}", "UPKEEP_GRPC_LISTEN": "127.0.0.1:0",
               "UPKEEP_LOG_LEVEL": "WARNING", "UPKEEP_SHUTDOWN_GRACE_S": "5"}
        server, port = start(work, "serve", [sys.executable, "-m", "server.cli", "serve", "--ready-file"], env)
        procs.append(server)
        import httpx

        answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/check-update", json=BODY).json()
        assert answer["data"]["has_update"], answer

        # (a) empty FastAPI endpoint with the same JSON, one uvicorn process
        app = work / "empty_app.py"
        app.write_text(EMPTY_APP % {"answer": repr(answer)})
        empty_port = free_port()
        empty = subprocess.Popen([sys.executable, "-m", "uvicorn", "empty_app:app", "--port", str(empty_port),
                                  "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"],
                                 cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(empty)
        wait_port(empty_port, empty, "uvicorn")
        # (b) nginx answering with the same JSON from a static file
        (work / "static").mkdir()
        (work / "static" / "check-update").write_text(json.dumps(answer))
        nginx_port = free_port()
        (work / "nginx.conf").write_text(f"""
daemon off; master_process off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx.err warn;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {work}/ngx-body; proxy_temp_path {work}/ngx-proxy;
  fastcgi_temp_path {work}/ngx-fcgi; uwsgi_temp_path {work}/ngx-uwsgi; scgi_temp_path {work}/ngx-scgi;
  server {{
    listen 127.0.0.1:{nginx_port};
    location = /api/v1/check-update {{
      alias {work}/static/check-update; default_type application/json; error_page 405 =200 $uri;
    }}
  }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        wait_port(nginx_port, nginx, "nginx")

        results = {}
        for label, target in (("upkeep", port), ("empty_fastapi", empty_port), ("nginx_static", nginx_port)):
            results[label] = run_wrk(target, lua, args.duration, args.connections)

        server.send_signal(signal.SIGTERM)
        server.wait(60)
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            events = conn.execute(select(func.count()).select_from(UpdateEvent).where(UpdateEvent.action == "check")).scalar_one()
            distinct = conn.execute(select(func.count(func.distinct(UpdateEvent.client_id)))).scalar_one()
        engine.dispose()
        up, empty_r, ngx = results["upkeep"], results["empty_fastapi"], results["nginx_static"]
        print(f"seeded: {seeded['releases']} releases, {seeded['rules']} rules, {CLIENTS} client ids, PostgreSQL")
        print(f"wrk: 2 threads, {args.connections} connections, {args.duration}s each, distinct client id per request")
        for label, r in results.items():
            print(f"  {label:14s} {r['rps']:10.0f} req/s   p99 {r['p99_ms']:7.2f} ms   non-2xx {r['non_2xx']}   "
                  f"socket errors {r['socket_errors']}")
        print(f"upkeep / empty FastAPI: {up['rps'] / empty_r['rps'] * 100:.1f} %   upkeep / nginx static: "
              f"{up['rps'] / ngx['rps'] * 100:.1f} %")
        print(f"events: check events recorded {events - 1} (after 1 warm-up); wrk sent {up['sent']}, answered "
              f"{up['answered']}; distinct client ids recorded {distinct}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        drop_database(args.pg_url, name)


if __name__ == "__main__":
    main()
