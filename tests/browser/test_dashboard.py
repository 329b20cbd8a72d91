"""Dashboard and statistics in the browser: figures from real events, live, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from server.services import projects, releases
from server.services.events import EventRecord, write_events
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser


def _record(console: ServerProcess, project_id: int, actions: list[str]) -> None:
    async def write(session):  # type: ignore[no-untyped-def]
        await write_events(session, [
            EventRecord(action=a, version="1.1.0", project_id=project_id, client_id=f"c{i}", client_version="1.0.0",
                        region="cn-east", created_at=datetime.now(UTC))
            for i, a in enumerate(actions)
        ])

    run_service(console, write)


def _stats_project(console: ServerProcess) -> int:
    async def prepare(session):  # type: ignore[no-untyped-def]
        if "stats" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="stats", name="Stats")
            await releases.create_release(session, project="stats", version="v1.1.0", title="Next", publish=True)
        return (await projects.get_project(session, "stats")).id

    return run_service(console, prepare)


def test_dashboard_figures_update_live(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    project_id = _stats_project(console)
    sign_in(page)
    choose_project(page, "stats", "Stats")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("card-published")).to_have_text("1")
    expect(page.get_by_test_id("card-success")).to_have_text("—")
    _record(console, project_id, ["check"] * 4 + ["success"] * 3 + ["failed"])
    expect(page.get_by_test_id("card-success")).to_have_text("75%", timeout=15_000)  # refreshed without a reload
    expect(page.get_by_test_id("latest-versions")).to_contain_text("v1.1.0")
    screenshot(page, "dashboard-en")


def test_statistics_filters_and_csv(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    project_id = _stats_project(console)
    _record(console, project_id, ["download"] * 2)
    sign_in(page)
    choose_project(page, "stats", "Stats")
    page.get_by_test_id("nav-statistics").click()
    totals = page.get_by_test_id("stats-totals")
    expect(totals).to_contain_text("Downloads")
    page.get_by_test_id("stats-action").click()
    page.get_by_role("option", name="Downloads").click()
    expect(totals).not_to_contain_text("Checks")
    with page.expect_download() as info:
        page.get_by_test_id("stats-export").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text())))
    assert rows[0] == ["time", "download"]
    assert sum(int(r[1]) for r in rows[1:]) >= 2
    screenshot(page, "statistics-en")
