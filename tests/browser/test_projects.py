"""Projects in the browser: create, validation that saves nothing, choose the current one."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.services import audit, auth, projects, releases
from server.services.artifacts import spec_from_url
from server.services.paging import PageSpec
from server.services.roles import Role
from tests.browser.console import ADMIN, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser
CHECKSUM = "sha256:" + "5e" * 32


def _slugs(console: ServerProcess) -> list[str]:
    async def slugs(session):  # type: ignore[no-untyped-def]
        return [p.slug for p in await projects.list_projects(session)]

    return run_service(console, slugs)


def test_create_project_validates_and_becomes_current(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    sign_in(page)
    page.get_by_test_id("nav-projects").click()
    expect(page).to_have_url(f"{console.http_url}/projects")
    before = _slugs(console)

    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-slug").fill("Bad Slug!")
    page.get_by_test_id("project-name").fill("Bad")
    page.get_by_test_id("project-save").click()
    expect(page.get_by_text("Invalid project slug")).to_be_visible()
    assert _slugs(console) == before

    page.get_by_test_id("project-slug").fill("runpanel")
    page.get_by_test_id("project-name").fill("")
    page.get_by_test_id("project-save").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert _slugs(console) == before

    page.get_by_test_id("project-name").fill("RunPanel")
    page.get_by_test_id("project-description").fill("The panel")
    page.get_by_test_id("project-save").click()
    table = page.get_by_test_id("projects-table")
    expect(table.get_by_role("row").filter(has_text="runpanel")).to_contain_text("Current")
    assert "runpanel" in _slugs(console)
    screenshot(page, "projects-en")

    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-slug").fill("runpanel")
    page.get_by_test_id("project-name").fill("Again")
    page.get_by_test_id("project-save").click()
    expect(page.get_by_text("already exists")).to_be_visible()


def test_language_is_remembered_per_user(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    sign_in(page)
    page.get_by_test_id("language").get_by_text("中文").click()
    expect(page.get_by_test_id("nav-projects")).to_contain_text("项目")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.context.clear_cookies()
    sign_in(page)
    expect(page.get_by_test_id("nav-projects")).to_contain_text("项目")
    page.get_by_test_id("language").get_by_text("English").click()
    expect(page.get_by_test_id("nav-projects")).to_contain_text("Projects")


def test_viewer_reads_but_cannot_change(page: Page, console: ServerProcess) -> None:
    ensure_user(console, "watcher", "watcher password", Role.VIEWER)
    sign_in(page, "watcher", "watcher password")
    expect(page.get_by_test_id("nav-settings")).to_have_count(0)
    page.goto("/projects")
    expect(page.get_by_test_id("projects-table")).to_be_visible()
    expect(page.get_by_test_id("new-project")).to_have_count(0)
    page.goto("/settings")
    expect(page.get_by_text("This page needs the Administrator role.")).to_be_visible()


def test_admin_manages_users_and_tokens(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    sign_in(page)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("new-user").click()
    page.get_by_test_id("user-username").fill("oper")
    page.get_by_test_id("user-password").fill("short")
    page.get_by_test_id("user-save").click()
    expect(page.get_by_text("at least 8 characters")).to_be_visible()
    assert "oper" not in _usernames(console)
    page.get_by_test_id("user-password").fill("operator password")
    page.get_by_test_id("user-save").click()
    users = page.get_by_test_id("users-table")
    expect(users).to_contain_text("oper")
    page.get_by_test_id("role-oper").click()
    page.get_by_role("option", name="Operator").click()
    expect(page.get_by_text("oper is now Operator.")).to_be_visible()
    assert _roles(console)["oper"] == Role.OPERATOR
    screenshot(page, "settings-en")

    page.get_by_test_id("tab-tokens").click()
    page.get_by_test_id("new-token").click()
    page.get_by_test_id("token-name").fill("ci")
    page.get_by_test_id("token-save").click()
    secret = page.get_by_test_id("token-secret").input_value()
    assert len(secret) > 20
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("tokens-table")).to_contain_text("ci")
    expect(page.get_by_test_id("tokens-table")).not_to_contain_text(secret)

    page.get_by_test_id("tab-audit").click()
    audit_table = page.get_by_test_id("audit-table")
    expect(audit_table).to_contain_text("Created an API token")
    expect(audit_table).to_contain_text("Changed a role")


def _usernames(console: ServerProcess) -> list[str]:
    return list(_roles(console))


def _roles(console: ServerProcess) -> dict[str, Role]:
    async def roles(session):  # type: ignore[no-untyped-def]
        return {u.username: u.role for u in await auth.list_users(session)}

    return run_service(console, roles)


def test_agent_settings_of_a_project_are_validated_and_saved(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)

    async def prepare(session):  # type: ignore[no-untyped-def]
        if "fleet-settings" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="fleet-settings", name="Fleet settings")

    def saved() -> tuple[int | None, int | None]:
        async def read(session):  # type: ignore[no-untyped-def]
            info = await projects.get_project(session, "fleet-settings")
            return info.agent_health_timeout_s, info.agent_backup_retention

        return run_service(console, read)

    run_service(console, prepare)
    sign_in(page)
    page.goto("/projects")
    page.get_by_test_id("edit-fleet-settings").click()
    page.get_by_test_id("project-health-timeout").fill("120")
    page.get_by_test_id("project-backup-retention").fill("500")
    page.get_by_test_id("project-save").click()
    expect(page.get_by_text("backup retention must be 1 to 100")).to_be_visible()
    assert saved() == (None, None)

    page.get_by_test_id("project-backup-retention").fill("2")
    page.get_by_test_id("project-save").click()
    expect(page.get_by_test_id("project-dialog")).to_have_count(0)
    assert saved() == (120, 2)
    page.get_by_test_id("edit-fleet-settings").click()
    expect(page.get_by_test_id("project-health-timeout")).to_have_value("120")



def test_download_mirrors_are_validated_saved_and_served_per_region(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    dev_url = "https://releases.runpanel.dev/v1.1.0/runpanel-linux-amd64.tar.gz"

    async def prepare(session):  # type: ignore[no-untyped-def]
        await projects.create_project(session, slug="dist", name="Distribution")
        await releases.create_release(session, project="dist", version="v1.1.0", title="Mirrors", publish=True,
                                      artifacts=[spec_from_url(url=dev_url, size=2048, checksum=CHECKSUM,
                                                               platform="linux-amd64")])

    def saved() -> tuple[dict[str, str], list]:
        async def read(session):  # type: ignore[no-untyped-def]
            entries = await audit.list_audit(session, PageSpec(page=1, size=10), action="project.mirrors")
            info = await projects.get_project(session, "dist")
            return info.download_mirrors, [(e.actor, e.target_id, e.detail) for e in entries.items]

        return run_service(console, read)

    run_service(console, prepare)
    sign_in(page)
    page.goto("/projects")
    expect(page.get_by_test_id("projects-table")).to_contain_text("dist")
    page.get_by_test_id("mirrors-of-dist").click()
    dialog = page.get_by_test_id("mirrors-dialog")
    expect(page.get_by_test_id("mirror-region-0")).to_have_value("default")
    page.get_by_test_id("mirror-url-0").fill("https://releases.runpanel.dev/")
    page.get_by_test_id("mirror-add").click()
    page.get_by_test_id("mirror-region-1").fill("cn")
    page.get_by_test_id("mirror-url-1").fill("ftp://releases.runpanel.cn")
    page.get_by_test_id("mirrors-save").click()
    expect(dialog.get_by_text("Invalid mirror URL 'ftp://releases.runpanel.cn' for region 'cn'")).to_be_visible()
    assert saved() == ({}, [])

    page.get_by_test_id("mirror-url-1").fill("https://releases.runpanel.cn")
    page.get_by_test_id("mirror-add").click()
    page.get_by_test_id("mirror-region-2").fill("CN")
    page.get_by_test_id("mirror-url-2").fill("https://other.runpanel.cn")
    page.get_by_test_id("mirrors-save").click()
    expect(dialog.get_by_text("The region 'cn' is listed more than once")).to_be_visible()
    assert saved() == ({}, [])

    page.get_by_test_id("mirror-remove-2").click()
    page.get_by_test_id("mirror-add").click()  # a row left blank is skipped
    expect(page.get_by_test_id("mirror-region-3")).to_have_value("")
    page.get_by_test_id("mirrors-save").click()
    expect(dialog).to_have_count(0)
    mirrors = {"default": "https://releases.runpanel.dev", "cn": "https://releases.runpanel.cn"}
    assert saved() == (mirrors, [(f"user:{ADMIN[0]}", "dist", mirrors)])
    expect(page.get_by_test_id("projects-table").get_by_role("row").filter(has_text="dist")).to_contain_text(
        "cn, default")

    asked = {"project": "dist", "current_version": "v1.0.0", "client_id": "mirror-client", "os": "linux",
             "arch": "amd64"}
    cn, eu = (httpx.post(f"{console.http_url}/api/v1/check-update", json={**asked, "region": region}, timeout=10)
              for region in ("cn", "eu"))
    assert cn.status_code == eu.status_code == 200
    assert cn.json()["data"]["download_url"] == "https://releases.runpanel.cn/v1.1.0/runpanel-linux-amd64.tar.gz"
    assert eu.json()["data"]["download_url"] == dev_url
    assert cn.json()["data"]["file_checksum"] == eu.json()["data"]["file_checksum"] == CHECKSUM

    page.get_by_test_id("mirrors-of-dist").click()
    expect(page.get_by_test_id("mirror-url-1")).to_have_value("https://releases.runpanel.cn")
    screenshot(page, "mirrors-en")
