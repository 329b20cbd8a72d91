"""Helpers for the console's browser tests."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect

from server.db.engine import make_async_engine, make_session_factory
from server.services import auth
from server.services.roles import Role
from tests.fixtures.servers import REPO_ROOT, ServerProcess

ARTIFACTS = REPO_ROOT / "test-artifacts"
ADMIN = ("admin", "correct horse battery")
#: The console servers' upload limit (small, so that "too large" is cheap to test).
MAX_UPLOAD_BYTES = 8_000_000


def run_service(server: ServerProcess, call):  # type: ignore[no-untyped-def]
    """Run ``call(session)`` in a transaction on the server's database (test set-up only)."""

    async def go():  # type: ignore[no-untyped-def]
        engine = make_async_engine(str(server.extra["db_url"]))
        try:
            async with make_session_factory(engine)() as session, session.begin():
                return await call(session)
        finally:
            await engine.dispose()

    # Playwright's sync API owns this thread's event loop: run the call on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(go())).result()


def ensure_user(server: ServerProcess, username: str, password: str, role: Role) -> None:
    async def create(session):  # type: ignore[no-untyped-def]
        if not any(u.username == username for u in await auth.list_users(session)):
            await auth.create_user(session, username=username, password=password, role=role)

    run_service(server, create)


def sign_in(page: Page, username: str = ADMIN[0], password: str = ADMIN[1]) -> None:
    page.goto("/login")
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(username)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)



def choose_project(page: Page, slug: str, name: str) -> None:
    """Make ``slug`` the current project of this browser session."""
    page.goto("/projects")
    expect(page.get_by_test_id("projects-table")).to_contain_text(slug)
    use = page.get_by_test_id(f"use-{slug}")
    if use.count():
        use.click()
    expect(page.get_by_test_id("project-select")).to_contain_text(name)
