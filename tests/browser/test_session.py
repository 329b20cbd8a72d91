"""Sessions run out: the next action or page load leads to the sign-in page, which says why in the
user's language and leads back to where the user was. Start-up removes stale console uploads."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from server.config import load_settings
from server.db.engine import async_url, migrate
from server.services import projects
from server.services.roles import Role
from tests.browser.console import ADMIN, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.servers import ServerProcess, server_env, start_server_process
from webui.uploads import scratch_dir

pytestmark = pytest.mark.browser

#: Long enough for a loaded 2-core machine to load a page and fill a form within one session.
SESSION_S = 15
EXPIRED_ZH = "会话已过期，请重新登录。"


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose console sessions last SESSION_S seconds; a crashed process left an upload behind."""
    workdir = tmp_path_factory.mktemp("sessions")
    url = async_url(f"sqlite:///{workdir / 'upkeep.db'}").render_as_string(hide_password=False)
    migrate(url)
    env = server_env(url, workdir / "data", UPKEEP_SESSION_MAX_AGE_S=str(SESSION_S))
    leftover = scratch_dir(load_settings(env)) / "tmpabandoned.zip"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half an upload")
    an_hour_ago = time.time() - 3600
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    server = start_server_process(env, workdir)
    server.extra["db_url"] = url
    server.extra["leftover"] = leftover
    try:
        yield server
    finally:
        server.terminate(timeout=60)


@pytest.fixture
def zh_page(browser: Browser, short_sessions: ServerProcess) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN",
                                  base_url=short_sessions.http_url)
    try:
        yield context.new_page()
    finally:
        context.close()


def _slugs(server: ServerProcess) -> list[str]:
    async def slugs(session):  # type: ignore[no-untyped-def]
        return [p.slug for p in await projects.list_projects(session)]

    return run_service(server, slugs)


def _signed_in(page: Page) -> float:
    """Sign in; returns a monotonic time by which the new session has surely run out."""
    sign_in(page)
    return time.monotonic() + SESSION_S + 0.5


def _wait_out(deadline: float, page: Page) -> None:
    # The clock is the event here: the session ends at a time, not on a signal.
    page.wait_for_timeout(max(deadline - time.monotonic(), 0) * 1000)


def _sign_in_again(page: Page) -> None:
    page.get_by_test_id("username").fill(ADMIN[0])
    page.get_by_test_id("password").fill(ADMIN[1])
    page.get_by_test_id("sign-in").click()


def test_stale_uploads_are_removed_at_start_up(short_sessions: ServerProcess) -> None:
    leftover = short_sessions.extra["leftover"]
    assert isinstance(leftover, Path) and not leftover.exists()


def test_expired_session_signs_in_again_and_returns(zh_page: Page, short_sessions: ServerProcess) -> None:
    page = zh_page
    ensure_user(short_sessions, *ADMIN, Role.ADMIN)
    expired_by = _signed_in(page)
    page.goto("/projects")
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-slug").fill("late")
    page.get_by_test_id("project-name").fill("Late")
    _wait_out(expired_by, page)

    page.get_by_test_id("project-save").click()  # an action after the session ran out
    expect(page).to_have_url(f"{short_sessions.http_url}/login?next=/projects&expired=1")
    expect(page.get_by_test_id("session-expired")).to_have_text(EXPIRED_ZH)
    screenshot(page, "session-expired-zh_CN")
    assert "late" not in _slugs(short_sessions)
    _sign_in_again(page)
    expect(page).to_have_url(f"{short_sessions.http_url}/projects")
    expired_by = time.monotonic() + SESSION_S + 0.5  # the new session began before the page came back
    expect(page.get_by_test_id("projects-table")).to_be_visible()

    _wait_out(expired_by, page)
    page.goto("/releases")  # a page load after the session ran out
    expect(page).to_have_url(f"{short_sessions.http_url}/login?next=/releases&expired=1")
    expect(page.get_by_test_id("session-expired")).to_have_text(EXPIRED_ZH)
    _sign_in_again(page)
    expect(page).to_have_url(f"{short_sessions.http_url}/releases")
    expect(page.get_by_test_id("whoami")).to_contain_text(ADMIN[0])

    page.get_by_test_id("logout").click()  # signing out is not an expiry: no such message
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    expect(page.get_by_test_id("session-expired")).to_have_count(0)
