"""Diagnostics uploads listed per project (the console's diagnostics page) on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from server.services import clients, diagnostics, projects
from server.services.clients import Registration
from server.services.paging import PageSpec
from server.storage import LocalStore
from server.storage.spool import spool


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_diagnostics_are_listed_per_project(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore(tmp_path / "storage")
    uploaded: dict[str, list[str]] = {"shop": [], "blog": []}
    async with session_factory() as s, s.begin():
        for slug in uploaded:
            await projects.create_project(s, slug=slug, name=slug.title())
    for slug, count in (("shop", 2), ("blog", 1)):
        for n in range(count):
            client_uuid = str(uuid.uuid4())
            async with session_factory() as s, s.begin():
                client = await clients.register_client(s, Registration(client_uuid=client_uuid, project=slug),
                                                       default_project="default")
            staged = await spool(_bytes(f"{slug} log {n}".encode()), directory=store.scratch_dir(), max_bytes=1000)
            async with session_factory() as s, s.begin():
                await diagnostics.store_diagnostic(s, store, client, staged, file_name=f"{slug}-{n}.zip")
            uploaded[slug].append(client_uuid)

    async def listed(**filters: str) -> tuple[int, list[str]]:
        async with session_factory() as s:
            page = await diagnostics.list_diagnostics(s, PageSpec(page=1, size=10), **filters)
        return page.total, [d.client_uuid for d in page.items]

    assert await listed(project="shop") == (2, uploaded["shop"][::-1])
    assert await listed(project="blog") == (1, uploaded["blog"])
    assert await listed(project="shop", client_uuid=uploaded["blog"][0]) == (0, [])
    assert await listed(project="nothing-here") == (0, [])
    assert (await listed())[0] == 3
