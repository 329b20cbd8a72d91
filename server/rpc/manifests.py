"""Bundle manifests and fetch frames as protobuf messages."""

from __future__ import annotations

from common import manifest as mf
from generated.upkeep.v1 import agent_pb2, common_pb2
from server.services.bundle_fetch import ChunkBatchFrame, PackFrame

__all__ = ["frame_to_proto", "signed_manifest_to_proto"]


def _manifest_to_proto(manifest: mf.Manifest) -> common_pb2.BundleManifest:
    message = common_pb2.BundleManifest(
        format_version=manifest.format_version, project=manifest.project, release_id=manifest.release_id,
        version=manifest.version, chunker=manifest.chunker, chunk_hash=manifest.chunk_hash, total_size=manifest.total_size,
        files=[
            common_pb2.ManifestFile(
                path=f.path, mode=f.mode, size=f.size, sha256=f.sha256,
                chunks=[common_pb2.ChunkRef(id=c.id, offset=c.offset, size=c.size) for c in f.chunks],
            )
            for f in manifest.files
        ],
    )
    message.created_at.FromDatetime(manifest.created_at)
    return message


def signed_manifest_to_proto(signed: mf.SignedManifest, *, decoded: bool = True) -> common_pb2.SignedManifest:
    """``decoded`` adds the convenience copy of the manifest (for people and scripts)."""
    return common_pb2.SignedManifest(
        manifest_id=signed.id, signed_bytes=signed.signed_bytes, encoding=common_pb2.MANIFEST_ENCODING_JSON,
        signature=signed.signature, key_id=signed.key_id, manifest=_manifest_to_proto(signed.manifest) if decoded else None,
    )


def frame_to_proto(frame: ChunkBatchFrame | PackFrame) -> agent_pb2.FetchChunksResponse:
    if isinstance(frame, ChunkBatchFrame):
        # Built in place: passing submessages to a constructor copies their bytes again
        # (about 25x slower for a 1 MiB batch).
        message = agent_pb2.FetchChunksResponse()
        chunks = message.chunks.chunks
        for chunk in frame.chunks:
            chunks.add(chunk_id=chunk.chunk_id, data=chunk.data, raw_size=chunk.raw_size)
        return message
    pack = frame.pack
    first = frame.frame_index == 0
    return agent_pb2.FetchChunksResponse(
        delta_pack=agent_pb2.DeltaPack(
            pack_id=pack.pack_id, base_file_sha256=pack.base_file_sha256,
            targets=[agent_pb2.DeltaTarget(chunk_id=c, offset=o, size=s) for c, o, s in pack.targets] if first else [],
            base_chunk_ids=list(pack.base_chunk_ids) if first else [],
            frame_index=frame.frame_index, frame_count=frame.frame_count, data=frame.data, raw_size=pack.raw_size,
        )
    )
