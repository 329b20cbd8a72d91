"""Every page in both languages: screenshots, and no English left anywhere in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from server.services import enrollment, projects, releases
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.browser.stream_agent import StreamAgent
from tests.fixtures.servers import ServerProcess
from webui.layout import NAVIGATION

pytestmark = pytest.mark.browser

#: Names that read the same in Chinese: the product, language names, formats, and this test's own data.
ALLOWLIST = {
    "Upkeep", "English", "Markdown", "API", "CSV", "JSON", "SHA", "UTC",
    "admin", "Walk", "walk", "demo", "walker", "role", "web", "linux",
}

#: Visible text nodes, skipping icon ligatures (Material icons render their names as text).
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('.q-icon, .material-icons, script, style, noscript')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    if (node.textContent.trim()) out.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    if (el.getClientRects().length) out.push(el.placeholder);
  return out;
}"""
#: Page path -> test id of the element that carries its content (visible once the page has loaded).
READY = {
    "/": "card-clients", "/projects": "projects-table", "/releases": "releases-table", "/channels": "channel-stable",
    "/rules": "new-rule", "/agents": "agents-table", "/statistics": "stats-versions",
    "/announcements": "announcements-table", "/diagnostics": "diagnostics-table", "/settings": "users-table",
}
#: Data the pages show as it was entered: versions, checksums, identifiers, dates.
DATA = re.compile(r"v?\d+\.\d+\.\d+(-[\w.]+)?|sha256:[0-9a-f]+|[0-9a-f]{8}-[0-9a-f-]{27}|\d{1,2}:\d\d\s?[AP]M")


def english_runs(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for run in re.findall(r"[A-Za-z]{3,}", DATA.sub(" ", text)):
            if run not in ALLOWLIST:
                found.append(f"{run!r} in {text!r}")
    return found


def test_every_page_in_both_languages(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)

    async def prepare(session):  # type: ignore[no-untyped-def]
        if "walk" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="walk", name="Walk")
            await releases.create_release(session, project="walk", version="v1.0.0", kind="service",
                                          title="demo", release_notes="demo", publish=True)

    run_service(console, prepare)

    async def enrollment_token(session):  # type: ignore[no-untyped-def]
        return (await enrollment.create_token(session, project="walk", labels={}))[1]

    token = run_service(console, enrollment_token)
    sign_in(page)
    choose_project(page, "walk", "Walk")
    paths = [path for path, _title, _icon, _role in NAVIGATION]
    assert set(paths) == set(READY)
    for path in paths:
        page.goto(path)
        expect(page.get_by_test_id(READY[path])).to_be_visible()
        screenshot(page, f"page{path.replace('/', '-') or '-dashboard'}-en")

    page.get_by_test_id("language").get_by_text("中文").click()
    expect(page.get_by_test_id("nav-dashboard")).to_contain_text("仪表板")
    problems = {}
    for path in paths:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_test_id(READY[path])).to_be_visible()
        screenshot(page, f"page{path.replace('/', '-') or '-dashboard'}-zh_CN")
        found = english_runs(page.evaluate(VISIBLE_TEXT))
        if found:
            problems[path] = found
    agent = StreamAgent(console.grpc_target, token, hostname="walker").start()
    try:
        page.goto("/agents")
        page.get_by_test_id("agent-walker").click()
        expect(page.get_by_test_id("agent-name")).to_have_text("walker")
        expect(page.get_by_test_id("upgrade-history")).to_be_visible()
        screenshot(page, "page-agent-detail-zh_CN")
        found = english_runs(page.evaluate(VISIBLE_TEXT))
        if found:
            problems["/agents/<id>"] = found
    finally:
        agent.stop()
    assert not problems, f"English left on Chinese pages: {problems}"
