"""Every page in both languages: screenshots, and no English left anywhere in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from server.services import projects, releases
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.servers import ServerProcess
from webui.layout import NAVIGATION

pytestmark = pytest.mark.browser

#: Names that read the same in Chinese: the product, language names, formats, and this test's own data.
ALLOWLIST = {"Upkeep", "English", "Markdown", "API", "CSV", "JSON", "SHA", "UTC", "admin", "Walk", "walk", "demo"}

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
    sign_in(page)
    choose_project(page, "walk", "Walk")
    paths = [path for path, _title, _icon, _role in NAVIGATION]
    for path in paths:
        page.goto(path)
        expect(page.get_by_test_id("whoami")).to_be_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, f"page{path.replace('/', '-') or '-dashboard'}-en")

    page.get_by_test_id("language").get_by_text("中文").click()
    expect(page.get_by_test_id("nav-dashboard")).to_contain_text("仪表板")
    problems = {}
    for path in paths:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"page{path.replace('/', '-') or '-dashboard'}-zh_CN")
        found = english_runs(page.evaluate(VISIBLE_TEXT))
        if found:
            problems[path] = found
    assert not problems, f"English left on Chinese pages: {problems}"
