"""AdminService methods: bundles (UploadBundle)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import common_pb2
from server.rpc.auth import authenticate, peer_ip
from server.rpc.manifests import signed_manifest_to_proto
from server.runtime import Runtime
from server.services import bundles
from server.services.roles import Role

__all__ = ["BundlesAdminMixin"]

METADATA_FIRST = N_("The first message of an upload must carry its metadata, and only the first.")


async def _data(stream: AsyncIterator[pb.UploadBundleRequest]) -> AsyncIterator[bytes]:
    async for message in stream:
        if message.WhichOneof("body") != "data":
            raise InvalidInput(METADATA_FIRST, error_code="BAD_UPLOAD_STREAM")
        yield message.data


class BundlesAdminMixin:
    runtime: Runtime

    async def UploadBundle(
        self, request_iterator: AsyncIterator[pb.UploadBundleRequest], context: grpc.aio.ServicerContext
    ) -> pb.UploadBundleResponse:
        principal = await authenticate(context, self.runtime, Role.OPERATOR)
        stream = aiter(request_iterator)
        first = await anext(stream, None)
        if first is None or first.WhichOneof("body") != "metadata":
            raise InvalidInput(METADATA_FIRST, error_code="BAD_UPLOAD_STREAM")
        meta = first.metadata
        settings = self.runtime.settings
        archive = await bundles.spool_upload(settings, _data(stream), declared_size=meta.size)
        try:
            result = await bundles.ingest_bundle(
                self.runtime.session_factory, settings, release_id=meta.release_id, archive=archive, checksum=meta.checksum,
                principal=principal, ip=peer_ip(context), file_name=meta.file_name,
            )
        finally:
            archive.unlink(missing_ok=True)
        self.runtime.spawn(bundles.prepare_pair(self.runtime.session_factory, settings, meta.release_id), name=f"bundle-pair-{meta.release_id}")
        return pb.UploadBundleResponse(
            artifact=common_pb2.Artifact(
                id=result.artifact_id, release_id=result.release_id, platform="any", file_name=bundles.FULL_NAME,
                size=result.full.size, checksum=result.full.hash, url=result.full.url, manifest_id=result.signed.id,
                content_type="application/zip",
            ),
            manifest=signed_manifest_to_proto(result.signed), file_count=result.file_count, total_size=result.total_size,
            chunk_count=result.chunk_count, new_chunk_count=result.new_chunk_count, stored_bytes=result.stored_bytes,
        )
