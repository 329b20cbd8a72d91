"""Chunked delta downloads of service bundles.

    ChunkDownloader(stub, metadata, public_key, staging_root).download(release_id, installed=...)
    ChunkSource                            the upgrade engine's BundleSource over it
    open_download_channel(target, creds)   the channel downloads use (deep HTTP/2 read-ahead)
    InstalledBundle / ManifestStore        what the node has installed, by verified manifest

Lifecycle of one download (``<staging_root>/<release_id>/``)::

    GetManifest ─► verify signature (pinned key), version (no silent downgrade)
        │
        ▼
    layout files ─► resume: chunks in done.log, re-verified in place
        │
        ▼
    local chunks: installed files, read and verified by BLAKE3 ─► copied in place
        │
        ▼
    FetchChunks (missing only; delta packs against installed data) ─► verify each chunk
        │          corrupt or unusable ─► fetched again, plain
        ▼
    every file's sha256 checked ─► staged folder ready for the upgrade engine
"""

from agent.download.channel import DOWNLOAD_CHANNEL_OPTIONS, open_download_channel
from agent.download.fetcher import ChunkDownloader, DownloadResult, DownloadStats
from agent.download.installed import InstalledBundle, ManifestStore

__all__ = [
    "DOWNLOAD_CHANNEL_OPTIONS",
    "ChunkDownloader",
    "DownloadResult",
    "DownloadStats",
    "InstalledBundle",
    "ManifestStore",
    "open_download_channel",
]
