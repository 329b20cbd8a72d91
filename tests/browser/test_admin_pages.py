"""Rules, announcements and enrollment tokens in the browser; bad input saves nothing."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.services import announcements, enrollment, projects, releases, rules
from server.services.artifacts import spec_from_url
from server.services.paging import PageSpec
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def ops(console: ServerProcess, page: Page) -> Page:
    ensure_user(console, *ADMIN, Role.ADMIN)

    async def create(session):  # type: ignore[no-untyped-def]
        if "ops" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="ops", name="Ops")

    run_service(console, create)
    sign_in(page)
    choose_project(page, "ops", "Ops")
    return page


def _rule_names(console: ServerProcess) -> list[str]:
    async def names(session):  # type: ignore[no-untyped-def]
        return [r.name for r in await rules.list_rules(session, "ops")]

    return run_service(console, names)


def _new_rule(page: Page, name: str, versions: str = "") -> None:
    page.get_by_test_id("new-rule").click()
    page.get_by_test_id("rule-name").fill(name)
    page.get_by_test_id("rule-versions").fill(versions)
    page.get_by_test_id("rule-save").click()


def test_rules_validate_order_and_toggle(ops: Page, console: ServerProcess) -> None:
    page = ops
    page.get_by_test_id("nav-rules").click()
    _new_rule(page, "broken", versions=">=banana")
    expect(page.get_by_test_id("rule-dialog").get_by_text("Invalid version range")).to_be_visible()
    page.keyboard.press("Escape")
    assert _rule_names(console) == []

    _new_rule(page, "first")
    expect(page.get_by_test_id("rule-first")).to_be_visible()
    _new_rule(page, "second", versions="<2.0.0")
    expect(page.get_by_test_id("rule-second")).to_be_visible()
    assert _rule_names(console) == ["first", "second"]

    page.get_by_test_id("rule-up-second").click()
    expect(page.get_by_test_id("rules-list").locator("[data-testid^=rule-]").first).to_have_attribute(
        "data-testid", "rule-second")
    assert _rule_names(console) == ["second", "first"]

    page.get_by_test_id("rule-enabled-first").click()
    expect(page.get_by_text("Rule first saved.")).to_be_visible()

    async def enabled(session):  # type: ignore[no-untyped-def]
        return {r.name: r.enabled for r in await rules.list_rules(session, "ops")}

    assert run_service(console, enabled) == {"second": True, "first": False}
    screenshot(page, "rules-en")

    page.get_by_test_id("rule-delete-second").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("rule-second")).to_have_count(0)
    assert _rule_names(console) == ["first"]


def test_announcement_needs_english_text_and_a_valid_window(ops: Page, console: ServerProcess) -> None:
    page = ops
    page.get_by_test_id("nav-announcements").click()
    page.get_by_test_id("new-announcement").click()
    page.get_by_test_id("announcement-zh").fill("维护通知")
    page.get_by_test_id("announcement-save").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_test_id("announcement-en").fill("Maintenance tonight")
    page.get_by_test_id("announcement-from").fill("2026-02-01 08:00")
    page.get_by_test_id("announcement-until").fill("2026-01-01 08:00")
    page.get_by_test_id("announcement-save").click()
    expect(page.get_by_text("ends before it starts")).to_be_visible()

    async def listed(session):  # type: ignore[no-untyped-def]
        return (await announcements.list_announcements(session, PageSpec(page=1, size=10), project="ops")).items

    assert run_service(console, listed) == []
    page.get_by_test_id("announcement-until").fill("")
    page.get_by_test_id("announcement-save").click()
    expect(page.get_by_test_id("announcements-table")).to_contain_text("Maintenance tonight")
    saved = run_service(console, listed)
    assert [a.content for a in saved] == [{"en": "Maintenance tonight", "zh_CN": "维护通知"}]
    screenshot(page, "announcements-en")


def test_enrollment_token_shown_once(ops: Page, console: ServerProcess) -> None:
    page = ops
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("tab-enrollment").click()
    page.get_by_test_id("new-enrollment").click()
    page.get_by_test_id("enrollment-labels").fill("site=sh, tier=edge")
    page.get_by_test_id("enrollment-save").click()
    secret = page.get_by_test_id("enrollment-secret").input_value()
    assert len(secret) > 20
    page.keyboard.press("Escape")
    table = page.get_by_test_id("enrollment-table")
    expect(table).to_contain_text("site=sh, tier=edge")
    expect(table).not_to_contain_text(secret)

    async def tokens(session):  # type: ignore[no-untyped-def]
        return await enrollment.list_tokens(session, project="ops")

    assert [t.labels for t in run_service(console, tokens)] == [{"site": "sh", "tier": "edge"}]


#: What a person reads in each language: the language switch, the rule action and the channels.
WORDS = {
    "en": {"language": "English", "html_lang": "en-US", "block": "Block", "beta": "Beta", "stable": "Stable", "all": "All channels",
           "targets": "channel Beta"},
    "zh": {"language": "中文", "html_lang": "zh-CN", "block": "阻止", "beta": "测试版", "stable": "稳定版", "all": "全部通道",
           "targets": "通道 测试版"},
}


def _check(console: ServerProcess, project: str, channel: str) -> dict:
    reply = httpx.post(f"{console.http_url}/api/v1/check-update", timeout=10, json={
        "project": project, "channel": channel, "current_version": "1.0.0", "client_id": "browser-client"})
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]


def _pick(page: Page, select: str, option: str) -> None:
    page.get_by_test_id(select).click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rule_limited_to_a_channel_applies_only_there(page: Page, console: ServerProcess, lang: str) -> None:
    words, slug, user = WORDS[lang], f"chan-{lang}", f"rules-{lang}"

    async def prepare(session):  # type: ignore[no-untyped-def]
        await projects.create_project(session, slug=slug, name=f"Channels {lang}")
        for channel, version in (("stable", "2.0.0"), ("beta", "2.1.0")):
            await releases.create_release(
                session, project=slug, version=version, channel=channel, title=version, publish=True,
                artifacts=[spec_from_url(url=f"https://dl.example.com/{version}", size=1, checksum="sha256:" + "ab" * 32)])

    run_service(console, prepare)
    ensure_user(console, user, "rules password", Role.OPERATOR)
    sign_in(page, user, "rules password")
    page.get_by_test_id("language").get_by_text(words["language"]).click()
    # The switch reloads the page: navigating before it has would abort one of the two loads.
    expect(page.locator("html")).to_have_attribute("lang", words["html_lang"])
    choose_project(page, slug, f"Channels {lang}")
    assert [_check(console, slug, c)["latest_version"] for c in ("stable", "beta")] == ["2.0.0", "2.1.0"]

    page.get_by_test_id("nav-rules").click()
    page.get_by_test_id("new-rule").click()
    page.get_by_test_id("rule-name").fill("hold-beta")
    _pick(page, "rule-action", words["block"])
    expect(page.get_by_test_id("rule-channel")).to_contain_text(words["all"])
    _pick(page, "rule-channel", words["beta"])
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rule-targets-hold-beta")).to_have_text(words["targets"])
    expect(page.get_by_test_id("rule-dialog")).to_be_hidden()
    screenshot(page, f"rules-channel-{lang}")
    assert _check(console, slug, "stable")["has_update"] is True
    assert _check(console, slug, "beta")["has_update"] is False

    page.get_by_test_id("rule-edit-hold-beta").click()
    expect(page.get_by_test_id("rule-channel")).to_contain_text(words["beta"])
    _pick(page, "rule-channel", words["stable"])
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rule-targets-hold-beta")).to_contain_text(words["stable"])
    assert _check(console, slug, "stable")["has_update"] is False
    assert _check(console, slug, "beta")["has_update"] is True

    async def saved(session):  # type: ignore[no-untyped-def]
        return [(r.name, r.action, r.channel) for r in await rules.list_rules(session, slug)]

    assert run_service(console, saved) == [("hold-beta", "block", "stable")]
