"""Scheduled upgrades: a task runs at its time through the daemon's runner, a second schedule
cancels the first, bad times and cron expressions are refused, and the next person to run the
CLI sees the result."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest

from agent.schedule import run_scheduler
from tests.e2e.upgrade_kit import agent_cli, app_images, bundle, install, node  # noqa: F401
from tests.fixtures.servers import wait_until
from tests.fixtures.service_bundles import fetch, fill_data, snapshot

pytestmark = pytest.mark.e2e


def tasks(node) -> list[dict]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(node.root / "state" / "history.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM scheduled_tasks ORDER BY id")]


async def test_scheduled_upgrade_runs_at_its_time_and_replaces_the_earlier_schedule(node, app_images):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    data_before = snapshot(node.data_dir)
    v2 = str(bundle(node, app_images, "2.0.0"))

    past = agent_cli(node, "upgrade", "--bundle", v2, "--version", "2.0.0", "--at", "2001-01-01T00:00Z", "--yes")
    assert past.returncode == 1 and "in the past" in past.stderr
    bad_cron = agent_cli(node, "upgrade", "--bundle", v2, "--version", "2.0.0", "--window", "61 25 * * *", "--yes")
    assert bad_cron.returncode == 1 and "not a valid cron expression" in bad_cron.stderr
    no_window = agent_cli(node, "upgrade", "--bundle", v2, "--version", "2.0.0", "--window", "--yes")
    assert no_window.returncode == 1 and "No maintenance window" in no_window.stderr
    assert tasks(node) == []

    first = agent_cli(node, "upgrade", "--bundle", v2, "--version", "2.0.0", "--window", "0 3 * * *", "--yes")
    assert first.returncode == 0, first.stdout + first.stderr
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    second = agent_cli(node, "upgrade", "--bundle", v2, "--version", "2.0.0", "--at", soon.isoformat(), "--yes")
    assert second.returncode == 0, second.stdout + second.stderr
    rows = tasks(node)
    assert [r["status"] for r in rows] == ["CANCELLED", "PENDING"]
    assert (dt.datetime.fromisoformat(rows[0]["scheduled_at"]).hour, dt.datetime.fromisoformat(rows[0]["scheduled_at"]).minute) == (3, 0)
    listed = agent_cli(node, "schedule", "list")
    assert "PENDING" in listed.stdout and "CANCELLED" in listed.stdout
    assert "upgrade to 2.0.0" in agent_cli(node, "status").stdout

    stop = asyncio.Event()
    runner = asyncio.create_task(run_scheduler(engine.config, engine.store, engine, stop))
    try:
        await wait_until(lambda: tasks(node)[-1]["status"] in ("COMPLETED", "FAILED"), timeout=90, interval=0.2)
    finally:
        stop.set()
        await asyncio.wait_for(runner, 30)
    task = tasks(node)[-1]
    assert task["status"] == "COMPLETED", task
    history = engine.store.query("SELECT * FROM upgrade_history ORDER BY id DESC LIMIT 1")[0]
    assert (history["trigger"], history["status"], history["to_version"]) == ("schedule", "SUCCESS", "2.0.0")
    assert dt.datetime.fromisoformat(history["started_at"]) >= soon
    assert tasks(node)[0]["status"] == "CANCELLED", "the replaced schedule must never run"
    assert fetch(node.url + "/version") == "2.0.0"
    assert snapshot(node.data_dir) == data_before

    seen = agent_cli(node, "schedule", "list")
    assert "schedule upgrade 1.0.0 → 2.0.0: SUCCESS" in seen.stdout
    again = agent_cli(node, "schedule", "list")
    assert "schedule upgrade 1.0.0 → 2.0.0" not in again.stdout, "the result is shown once"

    cancel_done = agent_cli(node, "schedule", "cancel", str(task["id"]))
    assert cancel_done.returncode == 1 and "COMPLETED" in cancel_done.stderr
    missing = agent_cli(node, "schedule", "cancel", "999")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
