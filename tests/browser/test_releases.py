"""Releases in the browser: every validation saves nothing; a bundle upload shows its checksum; lifecycle."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from server.config import load_settings
from server.services import channels, projects, releases
from server.services.roles import Role
from tests.browser.console import ADMIN, MAX_UPLOAD_BYTES, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.fixtures.bundles import BundleSpec, archive_dir, write_bundle
from tests.fixtures.servers import ServerProcess
from webui.uploads import scratch_dir

pytestmark = pytest.mark.browser


def _releases(console: ServerProcess, project: str = "shop") -> dict[str, releases.ReleaseInfo]:
    async def listed(session):  # type: ignore[no-untyped-def]
        return {r.display_version: r for r in (await releases.list_releases(session, project=project)).items}

    return run_service(console, listed)


@pytest.fixture
def shop(console: ServerProcess, page: Page) -> Page:
    """Signed in as the admin with the project "shop" current, on the releases page."""
    ensure_user(console, *ADMIN, Role.ADMIN)

    async def create(session):  # type: ignore[no-untyped-def]
        if "shop" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="shop", name="Shop")

    run_service(console, create)
    sign_in(page)
    choose_project(page, "shop", "Shop")
    page.goto("/releases")
    return page


def _save_expecting(page: Page, message: str) -> None:
    page.get_by_test_id("release-publish").click()
    expect(page.get_by_test_id("release-dialog").get_by_text(message)).to_be_visible()


def test_release_form_validates_uploads_and_publishes(shop: Page, console: ServerProcess, tmp_path: Path) -> None:
    page = shop
    page.get_by_test_id("new-release").click()
    page.get_by_test_id("release-title").fill("First")
    page.get_by_test_id("release-version").fill("one point two")
    _save_expecting(page, "Invalid version")

    page.get_by_test_id("release-version").fill("v1.2.0")
    page.get_by_test_id("release-min-version").fill("v1.3.0")
    _save_expecting(page, "is above the release version")

    page.get_by_test_id("release-min-version").fill("v1.0.0")
    page.get_by_test_id("release-rollout").fill("150")
    _save_expecting(page, "Enter a percentage from 0 to 100.")

    page.get_by_test_id("release-rollout").fill("")
    page.get_by_test_id("release-title").fill("")
    _save_expecting(page, "This field is required.")
    assert _releases(console) == {}

    page.get_by_test_id("release-title").fill("First")
    page.get_by_test_id("release-notes").fill("# Notes\n\n**bold** <script>window.pwned=1</script>")
    preview = page.get_by_test_id("release-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("script")).to_have_count(0)

    too_big = tmp_path / "too-big.zip"
    too_big.write_bytes(b"\0" * (MAX_UPLOAD_BYTES + 1))
    page.get_by_test_id("release-upload").locator("input[type=file]").set_input_files(str(too_big))
    expect(page.get_by_text("The file is larger than the limit")).to_be_visible()

    folder = write_bundle(tmp_path / "bundle", BundleSpec(version="1.2.0", base_layer_sizes=(200_000,), app_files=5))
    archive = archive_dir(folder, tmp_path / "app-1.2.0.zip")
    page.get_by_test_id("release-upload").locator("input[type=file]").set_input_files(str(archive))
    checksum = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    expect(page.get_by_test_id("uploaded-file")).to_contain_text(checksum)
    screenshot(page, "release-dialog-en")

    page.get_by_test_id("release-publish").click()
    table = page.get_by_test_id("releases-table")
    expect(table.get_by_role("row").filter(has_text="v1.2.0")).to_contain_text("Published")
    saved = _releases(console)["v1.2.0"]
    assert saved.status == "published"
    assert saved.min_upgrade_version == "v1.0.0"
    assert "<script>" in (saved.release_notes or "")  # stored as written, only the preview is sanitised
    assert [a.file_name for a in saved.artifacts] == ["docker.zip"]
    assert _scratch_files(console) == []  # the bundle was ingested, its scratch file removed
    screenshot(page, "releases-en")

    page.get_by_test_id("new-release").click()
    page.get_by_test_id("release-version").fill("1.2.0")
    page.get_by_test_id("release-title").fill("Again")
    _save_expecting(page, "already exists")
    page.get_by_test_id("release-cancel").click()
    assert list(_releases(console)) == ["v1.2.0"]


def _scratch_files(console: ServerProcess) -> list[str]:
    folder = scratch_dir(load_settings(console.env))
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _stored_artifacts(console: ServerProcess) -> list[str]:
    folder = load_settings(console.env).storage_dir / "artifacts"
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def _drop_client_file(page: Page, path: Path) -> None:
    page.get_by_test_id("new-release").click()
    page.get_by_test_id("release-kind").click()
    page.get_by_role("option", name="Client app").click()
    page.get_by_test_id("release-upload").locator("input[type=file]").set_input_files(str(path))
    checksum = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    expect(page.get_by_test_id("uploaded-file")).to_contain_text(checksum)


def test_uploads_of_a_cancelled_or_abandoned_dialog_leave_nothing(shop: Page, console: ServerProcess, tmp_path: Path) -> None:
    page = shop
    setup = tmp_path / "setup.exe"
    setup.write_bytes(os.urandom(300_000))
    stored_before, releases_before = _stored_artifacts(console), list(_releases(console))
    _drop_client_file(page, setup)
    assert len(_scratch_files(console)) == 1  # kept aside while the dialog is open
    page.get_by_test_id("release-cancel").click()
    expect(page.get_by_test_id("release-dialog")).to_be_hidden()  # the server removed it before closing
    assert _scratch_files(console) == []
    assert _stored_artifacts(console) == stored_before
    assert list(_releases(console)) == releases_before

    _drop_client_file(page, setup)
    assert len(_scratch_files(console)) == 1
    page.close()  # the browser goes away with the dialog open: the console drops the client after its reconnect timeout
    deadline = time.monotonic() + 60
    while _scratch_files(console) and time.monotonic() < deadline:  # no event reaches the test: poll the disk
        time.sleep(0.2)
    assert _scratch_files(console) == []
    assert _stored_artifacts(console) == stored_before


def test_release_lifecycle_from_the_list(shop: Page, console: ServerProcess) -> None:
    page = shop
    page.get_by_test_id("new-release").click()
    page.get_by_test_id("release-version").fill("v2.0.0-beta.1")
    page.get_by_test_id("release-title").fill("Beta")
    page.get_by_test_id("release-kind").click()
    page.get_by_role("option", name="Client app").click()
    page.get_by_test_id("release-draft").click()
    row = page.get_by_test_id("releases-table").get_by_role("row").filter(has_text="v2.0.0-beta.1")
    expect(row).to_contain_text("Draft")

    page.get_by_test_id("publish-v2.0.0-beta.1").click()
    expect(row).to_contain_text("Published")
    page.get_by_test_id("pause-v2.0.0-beta.1").click()
    expect(row).to_contain_text("Paused")
    page.get_by_test_id("revoke-v2.0.0-beta.1").click()
    page.get_by_test_id("confirm-dialog").get_by_text("Cancel").click()
    expect(row).to_contain_text("Paused")
    page.get_by_test_id("revoke-v2.0.0-beta.1").click()
    page.get_by_test_id("confirm-ok").click()
    expect(row).to_contain_text("Revoked")
    assert _releases(console)["v2.0.0-beta.1"].status == "revoked"

    table = page.get_by_test_id("releases-table")
    page.get_by_test_id("filter-status").click()
    page.get_by_role("option", name="Published").click()
    expect(table).not_to_contain_text("v2.0.0-beta.1")
    page.get_by_test_id("filter-status").click()
    page.get_by_role("option", name="Revoked").click()
    expect(table).to_contain_text("v2.0.0-beta.1")


def _channel(console: ServerProcess, name: str):  # type: ignore[no-untyped-def]
    async def get(session):  # type: ignore[no-untyped-def]
        return await channels.get_channel(session, "shop", name)

    return run_service(console, get)


def test_channel_rollout_slider_and_switches(shop: Page, console: ServerProcess) -> None:
    page = shop
    page.get_by_test_id("nav-channels").click()
    slider = page.get_by_test_id("channel-stable").get_by_role("slider")
    box = slider.bounding_box()
    assert box is not None
    slider.click(position={"x": box["width"] * 0.5, "y": box["height"] / 2})
    expect(page.get_by_test_id("rollout-value-stable")).to_have_text("50 %")
    expect(page.get_by_text("Stable saved.").first).to_be_visible()
    assert _channel(console, "stable").rollout_percentage == 50

    page.get_by_test_id("active-alpha").click()
    expect(page.get_by_text("Alpha saved.").first).to_be_visible()
    assert _channel(console, "alpha").is_active is False
    screenshot(page, "channels-en")
    page.reload()
    expect(page.get_by_test_id("rollout-value-stable")).to_have_text("50 %")


def test_viewer_cannot_publish(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    ensure_user(console, "reader", "reader password", Role.VIEWER)

    async def draft(session):  # type: ignore[no-untyped-def]
        if "shop" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="shop", name="Shop")
        listed = await releases.list_releases(session, project="shop")
        if not any(r.display_version == "v9.0.0" for r in listed.items):
            await releases.create_release(session, project="shop", version="v9.0.0", title="Held back")

    run_service(console, draft)
    sign_in(page, "reader", "reader password")
    choose_project(page, "shop", "Shop")
    page.goto("/releases")
    row = page.get_by_test_id("releases-table").get_by_role("row").filter(has_text="v9.0.0")
    expect(row).to_contain_text("Draft")
    expect(page.get_by_test_id("new-release")).to_have_count(0)
    expect(page.get_by_test_id("publish-v9.0.0")).to_have_count(0)
    page.goto("/channels")
    expect(page.get_by_test_id("channel-stable").get_by_role("slider")).to_have_attribute("aria-disabled", "true")
    assert _releases(console)["v9.0.0"].status == "draft"
