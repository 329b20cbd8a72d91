"""A Chinese-speaking admin pushes an upgrade from the agent's page to a real agent daemon on dockerd
and watches it step by step until it succeeds."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from playwright.sync_api import Page, expect

from common.steps import STEP_NAMES
from generated.upkeep.v1 import admin_pb2
from server.services import tokens
from server.services.roles import Role
from tests.browser.console import choose_project, ensure_user, run_service, screenshot, sign_in
from tests.e2e.upgrade_kit import app_images, bundle, install, node  # noqa: F401
from tests.fixtures.control import Admin
from tests.fixtures.docker import compose_v2, docker_client  # noqa: F401
from tests.fixtures.images import busybox_image  # noqa: F401
from tests.fixtures.pushed import Daemon, link_node, publish_bundle
from tests.fixtures.servers import ServerProcess
from tests.fixtures.service_bundles import AppImages, Node, fetch

pytestmark = pytest.mark.browser

T = TypeVar("T")
USER = ("li-lei", "correct horse battery")
#: Step ids as agents report them (common/steps.py), never shown to a person.
RAW_STEP = re.compile(r"\b(" + "|".join(STEP_NAMES) + r")\b")


def run_async(call: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a thread of its own (Playwright's sync API owns this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(call())).result()  # type: ignore[arg-type]


async def last_step(console: ServerProcess, token: str, agent_id: int) -> str:
    admin = Admin(console.grpc_target, token)
    try:
        listed = await admin.call("ListCommands", admin_pb2.ListCommandsRequest(agent_id=agent_id))
        return listed.commands[0].progress.step
    finally:
        await admin.close()


def test_admin_pushes_upgrade_and_watches_it_in_chinese(page: Page, console: ServerProcess, node: Node, app_images: AppImages) -> None:  # noqa: F811
    ensure_user(console, *USER, Role.ADMIN)
    token = run_service(console, lambda s: tokens.create_token(s, name="push-test", role=Role.ADMIN)).secret

    async def prepare() -> tuple[int, str]:
        admin = Admin(console.grpc_target, token)
        try:
            await admin.call("CreateProject", admin_pb2.CreateProjectRequest(slug="push", name="Push"))
            for version in ("1.0.0", "2.0.0"):
                await publish_bundle(admin, console.env, "push", version, bundle(node, app_images, version))
            (await install(node, app_images, "1.0.0")).store.close()
            return (await admin.call("CreateEnrollmentToken", admin_pb2.CreateEnrollmentTokenRequest(project="push"))).token
        finally:
            await admin.close()

    enrollment_token = run_async(prepare)
    link_node(node, console.grpc_target, locale="zh_CN")
    daemon = Daemon(node)
    agent_id = daemon.enroll(enrollment_token, console.grpc_target)
    daemon.start()
    try:
        sign_in(page, *USER)
        page.get_by_test_id("language").get_by_text("中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        choose_project(page, "push", "Push")
        page.goto(f"/agents/{agent_id}")
        expect(page.get_by_test_id("agent-name")).to_be_visible()
        page.get_by_test_id("upgrade-release").click()
        page.get_by_role("option").filter(has_text="2.0.0").click()
        page.get_by_test_id("push-upgrade").click()
        page.get_by_test_id("confirm-ok").click()

        card = page.get_by_test_id("command-upgrade").first
        expect(card.get_by_test_id("command-status")).to_have_text("成功", timeout=90_000)
        steps = card.get_by_test_id("command-step")
        for label in ("下载", "备份", "加载镜像", "健康检查", "完成 · 100%"):
            expect(steps.filter(has_text=label).first).to_be_visible()
        shown = steps.all_inner_texts()
        assert not [line for line in shown if RAW_STEP.search(line) or "步骤" in line], shown  # names, never ids
        expect(page.get_by_test_id("upgrade-history")).to_contain_text("2.0.0")
        screenshot(page, "agent-pushed-upgrade-zh_CN")
        assert fetch(node.url + "/version") == "2.0.0"
        assert run_async(lambda: last_step(console, token, agent_id)) == "done"  # the API keeps the ids
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
