"""A fresh server: the console creates the first administrator, then signs in and out."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from server.services import auth
from tests.browser.console import ADMIN, run_service, screenshot
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser


def _user_count(console: ServerProcess) -> int:
    async def count(session):  # type: ignore[no-untyped-def]
        return len(await auth.list_users(session))

    return run_service(console, count)


def test_first_admin_creation_validates_then_signs_in(page: Page, console: ServerProcess) -> None:
    page.goto("/")
    expect(page).to_have_url(f"{console.http_url}/login?next=/")
    expect(page.get_by_text("Create the first administrator")).to_be_visible()
    screenshot(page, "first-admin-en")

    username = page.get_by_test_id("username")
    password = page.get_by_test_id("password")
    repeat = page.get_by_test_id("password2")
    username.fill(ADMIN[0])
    password.fill(ADMIN[1])
    repeat.fill(ADMIN[1] + "x")
    page.get_by_test_id("create-admin").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()

    password.fill("short")
    repeat.fill("short")
    page.get_by_test_id("create-admin").click()
    expect(page.get_by_text("at least 8 characters")).to_be_visible()
    assert _user_count(console) == 0

    password.fill(ADMIN[1])
    repeat.fill(ADMIN[1])
    page.get_by_test_id("create-admin").click()
    expect(page).to_have_url(f"{console.http_url}/")
    expect(page.get_by_test_id("whoami")).to_contain_text("admin")
    assert _user_count(console) == 1

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{console.http_url}/login")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(f"{console.http_url}/login?next=/")


def test_wrong_password_is_refused_in_the_browser_language(browser: Browser, console: ServerProcess) -> None:
    context = browser.new_context(locale="zh-CN", base_url=console.http_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("username").fill(ADMIN[0])
    page.get_by_test_id("password").fill("not the password")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("form-error")).to_have_text("用户名或密码错误。")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "login-zh_CN")
    context.close()
