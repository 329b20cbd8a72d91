#!/usr/bin/env python3
"""Stats endpoints over 1,000,000 recorded events on PostgreSQL: prints figures, asserts nothing.

    python bench/stats.py [--events 1000000] [--calls 20] [--pg-url URL]

Writes the events through the real batch writer (`server.services.events.write_events`,
which maintains the hourly and daily rollups and each client's latest activity), spread
over the last 30 days, then runs the real
``upkeep-server serve`` and times every stats endpoint over HTTP while check-update
requests keep arriving (so new events are being recorded during the measurement).
Finally, with the writer stopped and flushed, each answer is compared with the same
figure counted from the raw `update_events` rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.dialects.postgresql import distinct_on  # noqa: E402

from bench.check_update import DEFAULT_PG, create_database, drop_database, free_port, start  # noqa: E402
from common.versions import Version  # noqa: E402
from server.db.engine import make_async_engine, make_session_factory, migrate, sync_url  # noqa: E402
from server.db.models import UpdateEvent  # noqa: E402
from server.services import projects, releases  # noqa: E402
from server.services.artifacts import spec_from_url  # noqa: E402
from server.services.events import EventRecord, hour_of, write_events  # noqa: E402
from server.services.roles import Role  # noqa: E402
from server.services.tokens import create_token  # noqa: E402

ACTIONS = ["check"] * 80 + ["download"] * 8 + ["install"] * 5 + ["success"] * 6 + ["failed"]
REGIONS = ["cn", "global", "eu", "us", "jp", ""]
ENDPOINTS = [
    ("stats 24h", "/admin/api/v1/stats?period=24h&action=all"),
    ("stats 7d", "/admin/api/v1/stats?period=7d&action=all"),
    ("stats 30d", "/admin/api/v1/stats?period=30d&action=all"),
    ("stats 30d check", "/admin/api/v1/stats?period=30d&action=check"),
    ("distribution+adoption 30d", "/admin/api/v1/stats/distribution?period=30d"),
    ("regions 30d", "/admin/api/v1/stats/regions?period=30d"),
]


async def seed(url: str, total: int) -> tuple[str, int]:
    engine = make_async_engine(url)
    factory = make_session_factory(engine)
    versions = [f"1.{i // 10}.{i % 10 + 1}" for i in range(50)]
    async with factory() as s, s.begin():
        project = await projects.create_project(s, slug="default")
        for v in versions:
            await releases.create_release(s, project="default", version=v, title=v, publish=True, artifacts=[
                spec_from_url(url=f"https://dl.example.com/{v}", size=1000, checksum="sha256:" + "ab" * 32)])
        token = (await create_token(s, name="bench", role=Role.VIEWER)).secret
    rng = random.Random(7)
    now = datetime.now(UTC)
    weights = [1 + i * i for i in range(50)]  # newer versions are more common
    started = time.monotonic()
    for start_at in range(0, total, 20_000):
        batch = []
        for _ in range(min(20_000, total - start_at)):
            action = rng.choice(ACTIONS)
            running, target = rng.choices(versions, weights)[0], rng.choice(versions[-5:])
            batch.append(EventRecord(
                action=action, version=target, project_id=project.id, client_id=f"c{rng.randrange(100_000)}",
                client_version=running, region=rng.choice(REGIONS),
                created_at=now - timedelta(seconds=rng.uniform(0, 30 * 86400)),
            ))
        async with factory() as s, s.begin():
            await write_events(s, batch)
    print(f"wrote {total} events with rollups in {time.monotonic() - started:.1f} s")
    await engine.dispose()
    return token, project.id


async def keep_checking(base: str, stop: asyncio.Event, rate: float) -> int:
    """Check-update requests at about ``rate`` per second until ``stop``."""
    sent = 0
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async def worker(n: int) -> None:
            nonlocal sent
            while not stop.is_set():
                await client.post("/api/v1/check-update", json={
                    "current_version": "v1.0.1", "client_id": f"live-{n}-{sent}", "region": "cn"})
                sent += 1
                ahead = sent / rate - (time.monotonic() - began)
                if ahead > 0:
                    await asyncio.sleep(ahead)
        await asyncio.gather(*(worker(n) for n in range(4)))
    return sent


async def measure(base: str, token: str, calls: int, rate: float) -> tuple[dict[str, list[float]], int]:
    stop = asyncio.Event()
    writer = asyncio.create_task(keep_checking(base, stop, rate))
    timings: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"authorization": f"Bearer {token}"}) as client:
        for label, path in ENDPOINTS:
            timings[label] = []
            for _ in range(calls):
                began = time.perf_counter()
                reply = await client.get(path)
                timings[label].append((time.perf_counter() - began) * 1000)
                reply.raise_for_status()
    stop.set()
    return timings, await writer


def verify(url: str, base: str, token: str) -> list[str]:
    """Compare the 30d answers with counts from the raw rows (writer stopped and flushed)."""
    since = hour_of(datetime.now(UTC) - timedelta(days=30))
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        actions = dict(conn.execute(select(UpdateEvent.action, func.count()).where(UpdateEvent.created_at >= since)
                                    .group_by(UpdateEvent.action)).all())
        regions = dict(conn.execute(select(UpdateEvent.region, func.count()).where(
            UpdateEvent.created_at >= since, UpdateEvent.action == "check").group_by(UpdateEvent.region)).all())
        versions_raw = conn.execute(select(UpdateEvent.client_version, func.count()).where(
            UpdateEvent.created_at >= since, UpdateEvent.action == "check").group_by(UpdateEvent.client_version)).all()
        clients = conn.execute(select(func.count(func.distinct(UpdateEvent.client_id))).where(
            UpdateEvent.created_at >= since)).scalar_one()
        # each client's last check in the window (what the client figures count)
        last = conn.execute(
            select(UpdateEvent.client_id, UpdateEvent.client_version, UpdateEvent.region)
            .where(UpdateEvent.created_at >= since, UpdateEvent.action == "check", UpdateEvent.client_id.is_not(None))
            .ext(distinct_on(UpdateEvent.client_id))
            .order_by(UpdateEvent.client_id, UpdateEvent.created_at.desc(), UpdateEvent.id.desc())).all()
    engine.dispose()
    versions: Counter[str] = Counter()
    for v, n in versions_raw:
        versions[Version.parse(v).normalized] += n
    client_versions = Counter(Version.parse(v).normalized for _c, v, _r in last)
    client_regions = Counter((r or "").lower() for _c, _v, r in last)
    headers = {"authorization": f"Bearer {token}"}
    stats = httpx.get(base + "/admin/api/v1/stats?period=30d", headers=headers).json()["data"]
    dist = httpx.get(base + "/admin/api/v1/stats/distribution?period=30d", headers=headers).json()["data"]
    regs = httpx.get(base + "/admin/api/v1/stats/regions?period=30d", headers=headers).json()["data"]
    checks = [
        ("totals per action", {a: n for a, n in stats["actions"].items() if n} == actions),
        ("version distribution", {r["version"]: r["count"] for r in dist["versions"]} == dict(versions)),
        ("region distribution", {r["region"]: r["count"] for r in regs["regions"]}
         == {(k or ""): n for k, n in regions.items()}),
        ("distinct clients", stats["clients"] == clients),
        ("clients per version (last check)", {r["version"]: r["clients"] for r in dist["versions"] if r["clients"]}
         == dict(client_versions)),
        ("clients per region (last check)", {r["region"]: r["clients"] for r in regs["regions"] if r["clients"]}
         == dict(client_regions)),
    ]
    return [f"{name}: {'equal to raw rows' if ok else 'DIFFERENT from raw rows'}" for name, ok in checks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--live-rate", type=float, default=200.0, help="check-update requests per second meanwhile")
    parser.add_argument("--pg-url", default=os.environ.get("UPKEEP_TEST_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="upkeep-bench-stats-"))
    name, url = create_database(args.pg_url)
    procs: list[subprocess.Popen] = []
    try:
        migrate(url)
        token, _project_id = asyncio.run(seed(url, args.events))
        env = {**os.environ, "UPKEEP_DATABASE_URL": url, "UPKEEP_DATA_DIR": str(work / "data"),
               "UPKEEP_HTTP_LISTEN": f"127.0.0.1:{free_port()}", "UPKEEP_GRPC_LISTEN": "127.0.0.1:0",
               "UPKEEP_LOG_LEVEL": "WARNING"}
        server, port = start(work, "serve", [sys.executable, "-m", "server.cli", "serve", "--ready-file"], env)
        procs.append(server)
        base = f"http://127.0.0.1:{port}"
        timings, live = asyncio.run(measure(base, token, args.calls, args.live_rate))
        print(f"while {live} check-update requests were being recorded:")
        for label, values in timings.items():
            values.sort()
            print(f"  {label:28s} median {statistics.median(values):7.1f} ms   p95 "
                  f"{values[int(len(values) * 0.95) - 1]:7.1f} ms   max {values[-1]:7.1f} ms")
        server.send_signal(signal.SIGTERM)  # flushes the event batches
        server.wait(60)
        server, port = start(work, "serve2", [sys.executable, "-m", "server.cli", "serve", "--ready-file"], env)
        procs.append(server)
        for line in verify(url, f"http://127.0.0.1:{port}", token):
            print("  " + line)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        drop_database(args.pg_url, name)


if __name__ == "__main__":
    main()
