"""``upkeep-server bundle upload``: for CI pipelines, locally or over gRPC (UploadBundle)."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from common.errors import InvalidInput
from common.i18n import N_, _
from server.config import Settings

__all__ = ["upload"]

_FRAME = 1024 * 1024 - 1024
NO_FILE = N_("No such file: {path}")
NEEDS_TOKEN = N_("--server needs --token (an operator API token).")


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fp:
        while block := fp.read(4 * 1024 * 1024):
            sha.update(block)
    return f"sha256:{sha.hexdigest()}"


async def _local(settings: Settings, release_id: int, archive: Path) -> dict[str, object]:
    from server.db.engine import make_async_engine, make_session_factory
    from server.services import bundles

    engine = make_async_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        result = await bundles.ingest_bundle(factory, settings, release_id=release_id, archive=archive, file_name=archive.name)
        await bundles.prepare_pair(factory, settings, release_id)
    finally:
        await engine.dispose()
    return {
        "release_id": release_id, "manifest_id": result.signed.id, "file_count": result.file_count,
        "total_size": result.total_size, "chunk_count": result.chunk_count, "new_chunk_count": result.new_chunk_count,
        "stored_bytes": result.stored_bytes, "full": {"url": result.full.url, "hash": result.full.hash, "size": result.full.size},
    }


def _frames(release_id: int, archive: Path) -> Iterator[object]:
    from generated.upkeep.v1 import admin_pb2 as pb

    yield pb.UploadBundleRequest(metadata=pb.UploadBundleMetadata(
        release_id=release_id, file_name=archive.name, size=archive.stat().st_size, checksum=_sha256(archive),
    ))
    with archive.open("rb") as fp:
        while block := fp.read(_FRAME):
            yield pb.UploadBundleRequest(data=block)


async def _remote(target: str, token: str, release_id: int, archive: Path) -> dict[str, object]:
    import grpc

    from common.i18n import current_locale
    from generated.upkeep.v1 import admin_pb2_grpc

    async def requests() -> AsyncIterator[object]:
        for frame in _frames(release_id, archive):
            yield frame

    async with grpc.aio.insecure_channel(target) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        metadata = (("authorization", f"Bearer {token}"), ("accept-language", current_locale()))
        try:
            response = await stub.UploadBundle(requests(), metadata=metadata)
        except grpc.aio.AioRpcError as exc:
            raise InvalidInput("{detail}", error_code=str(exc.code().name), detail=exc.details() or str(exc.code())) from exc
    return {
        "release_id": release_id, "manifest_id": response.manifest.manifest_id, "file_count": response.file_count,
        "total_size": response.total_size, "chunk_count": response.chunk_count, "new_chunk_count": response.new_chunk_count,
        "stored_bytes": response.stored_bytes,
        "full": {"url": response.artifact.url, "hash": response.artifact.checksum, "size": response.artifact.size},
    }


def upload(args: argparse.Namespace, settings: Settings) -> int:
    archive = Path(args.archive)
    if not archive.is_file():
        raise InvalidInput(NO_FILE, error_code="NO_FILE", path=str(archive))
    if args.server:
        if not args.token:
            raise InvalidInput(NEEDS_TOKEN, error_code="NO_TOKEN")
        result = asyncio.run(_remote(args.server, args.token, args.release_id, archive))
    else:
        result = asyncio.run(_local(settings, args.release_id, archive))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(_("Bundle stored for release {release_id}: {files} files, {chunks} chunks ({new} new), full package {url}").format(
            release_id=result["release_id"], files=result["file_count"], chunks=result["chunk_count"],
            new=result["new_chunk_count"], url=result["full"]["url"],  # type: ignore[index]
        ))
    return 0
