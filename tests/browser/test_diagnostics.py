"""The diagnostics page shows the uploads of the current project's clients only, for download."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.services import projects
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, sign_in
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser


def _client_uploads(console: ServerProcess, project: str) -> tuple[str, bytes]:
    """A seed 2 client of ``project`` registers and uploads a diagnostics bundle over HTTP."""
    client_uuid = str(uuid.uuid4())
    payload = f"logs of {project}".encode() * 100
    with httpx.Client(base_url=console.http_url, timeout=30) as http:
        registered = http.post("/api/v1/clients/register", json={"client_uuid": client_uuid, "project": project})
        assert registered.status_code == 201, registered.text
        uploaded = http.post("/api/v1/diagnostics/upload", headers={"X-Client-ID": client_uuid},
                             files={"file": (f"diag-{project}.zip", payload, "application/zip")})
        assert uploaded.status_code == 201, uploaded.text
    return client_uuid, payload


def test_diagnostics_of_the_current_project(page: Page, console: ServerProcess, tmp_path: Path) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)

    async def create(session):  # type: ignore[no-untyped-def]
        existing = [p.slug for p in await projects.list_projects(session)]
        for slug in ("diag-a", "diag-b"):
            if slug not in existing:
                await projects.create_project(session, slug=slug, name=slug.upper())

    run_service(console, create)
    a_uuid, a_payload = _client_uploads(console, "diag-a")
    b_uuid, _b_payload = _client_uploads(console, "diag-b")

    sign_in(page)
    choose_project(page, "diag-a", "DIAG-A")
    page.goto("/diagnostics")
    table = page.get_by_test_id("diagnostics-table")
    expect(table.get_by_role("row").filter(has_text=a_uuid)).to_have_count(1)
    expect(table).not_to_contain_text(b_uuid)
    with page.expect_download() as download:
        table.get_by_role("row").filter(has_text=a_uuid).get_by_role("button").click()
    saved = tmp_path / "downloaded.zip"
    download.value.save_as(saved)
    assert saved.read_bytes() == a_payload

    page.get_by_test_id("diagnostics-client").fill(b_uuid)  # another project's client: not here either
    expect(table.get_by_role("row").filter(has_text=a_uuid)).to_have_count(0)
    expect(table).not_to_contain_text(b_uuid)

    choose_project(page, "diag-b", "DIAG-B")
    page.goto("/diagnostics")
    expect(table.get_by_role("row").filter(has_text=b_uuid)).to_have_count(1)
    expect(table).not_to_contain_text(a_uuid)
