"""Real Chromium (Debian's, through Playwright) against a real ``upkeep-server serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from server.db.engine import async_url, migrate
from tests.browser.console import MAX_UPLOAD_BYTES
from tests.fixtures.servers import ServerProcess, server_env, start_server_process

CHROMIUM = "/usr/bin/chromium"
#: Deadline for what a person would wait for on a busy 2-core machine (argon2, page loads).
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium; the CI set-up does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server with the console on a fresh, migrated SQLite database (no user yet)."""
    workdir = tmp_path_factory.mktemp("console")
    url = async_url(f"sqlite:///{workdir / 'upkeep.db'}").render_as_string(hide_password=False)
    migrate(url)
    env = server_env(url, workdir / "data", UPKEEP_MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES))
    server = start_server_process(env, workdir)
    server.extra["db_url"] = url
    try:
        yield server
    finally:
        server.terminate(timeout=60)


@pytest.fixture
def page(browser: Browser, console: ServerProcess) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-US", base_url=console.http_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
