"""Diagnostics uploads listed per project (the console's diagnostics page, gRPC ListDiagnostics) on SQLite
and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import pytest

from generated.upkeep.v1 import admin_pb2, admin_pb2_grpc, common_pb2
from server.app import UpkeepServer
from server.services import clients, diagnostics, projects, tokens
from server.services.clients import Registration
from server.services.paging import PageSpec
from server.services.roles import Role
from server.storage import LocalStore, open_store
from server.storage.spool import spool


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _upload_per_project(session_factory, store) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Two uploads of clients of project shop, one of blog; their client uuids, oldest first."""
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
    return uploaded


async def test_diagnostics_are_listed_per_project(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    uploaded = await _upload_per_project(session_factory, LocalStore(tmp_path / "storage"))

    async def listed(**filters: str) -> tuple[int, list[str]]:
        async with session_factory() as s:
            page = await diagnostics.list_diagnostics(s, PageSpec(page=1, size=10), **filters)
        return page.total, [d.client_uuid for d in page.items]

    assert await listed(project="shop") == (2, uploaded["shop"][::-1])
    assert await listed(project="blog") == (1, uploaded["blog"])
    assert await listed(project="shop", client_uuid=uploaded["blog"][0]) == (0, [])
    assert await listed(project="nothing-here") == (0, [])
    assert (await listed())[0] == 3


async def test_list_diagnostics_over_grpc_per_project_and_client(db_engine, running_server: UpkeepServer) -> None:  # type: ignore[no-untyped-def]
    runtime = running_server.runtime
    uploaded = await _upload_per_project(runtime.session_factory, open_store(runtime.settings))
    async with runtime.session_factory() as s, s.begin():
        operator = (await tokens.create_token(s, name="ops", role=Role.OPERATOR)).secret
        viewer = (await tokens.create_token(s, name="viewer", role=Role.VIEWER)).secret
    auth = (("authorization", f"Bearer {operator}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running_server.grpc_port}") as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)

        async def listed(**fields: object) -> admin_pb2.ListDiagnosticsResponse:
            return await stub.ListDiagnostics(admin_pb2.ListDiagnosticsRequest(**fields), metadata=auth)

        shop = await listed(project="shop")
        assert [d.client_uuid for d in shop.diagnostics] == uploaded["shop"][::-1] and shop.page.total == 2
        assert [d.file_name for d in shop.diagnostics] == ["shop-1.zip", "shop-0.zip"]
        assert [d.client_uuid for d in (await listed(project="blog")).diagnostics] == uploaded["blog"]
        assert (await listed(project="shop", client_uuid=uploaded["blog"][0])).page.total == 0
        assert (await listed(project="nothing-here")).diagnostics == []
        everything = await listed(page=common_pb2.PageRequest(page=2, page_size=2))
        assert (everything.page.total, len(everything.diagnostics)) == (3, 1)
        for bad in (admin_pb2.ListDiagnosticsRequest(client_uuid="not-a-uuid"),
                    admin_pb2.ListDiagnosticsRequest(page=common_pb2.PageRequest(page_size=10_000))):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.ListDiagnostics(bad, metadata=auth)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await stub.ListDiagnostics(admin_pb2.ListDiagnosticsRequest(), metadata=(("authorization", f"Bearer {viewer}"),))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    newest = shop.diagnostics[0]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_server.http_port}") as http:
        fetched = await http.get(newest.download_path, headers={"authorization": f"Bearer {operator}"})
    assert fetched.status_code == 200 and fetched.content == b"shop log 1"
    assert fetched.headers["x-checksum-sha256"] == newest.sha256.removeprefix("sha256:") and newest.size == len(fetched.content)
