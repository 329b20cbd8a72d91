"""Where a release comes from. The engine asks a source to stage the release's files in a
folder it owns; nothing on the running service is touched while staging.

    class BundleSource(Protocol):
        version: str                        # the release being installed
        description: str                    # for the plan and the logs
        size_bytes: int                     # bytes to fetch (0 when unknown)
        async def stage(self, folder, progress) -> StagedBundle

A full bundle (``full=True``) is the whole compose folder: files installed by the previous
release and missing from it are deleted. An incremental one lists its deletions.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import http.client
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from agent.backup.archive import extract_bundle
from common.errors import InvalidInput, Unavailable
from common.i18n import N_

__all__ = ["MAX_BUNDLE_BYTES", "BundleSource", "FileSource", "StagedBundle", "UrlSource", "source_from_spec", "source_spec"]

#: Unpacked size limit of a bundle.
MAX_BUNDLE_BYTES = 64 * 1024**3
BUNDLE_MISSING = N_("Bundle file {path} does not exist")
DOWNLOAD_FAILED = N_("Download of {url} failed: {error}")
CHECKSUM_MISMATCH = N_("Download of {url} is damaged: sha256 {actual} does not match {expected}")
UNKNOWN_SOURCE = N_("Unknown bundle source {kind!r}")
BAD_SHA256 = N_("{value!r} is not a sha256 checksum (64 hexadecimal digits)")

Progress = Callable[[float, str], Awaitable[None]]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StagedBundle:
    #: Folder holding the release's compose folder content.
    folder: Path
    version: str
    full: bool = True
    #: Paths relative to the compose folder that the release deletes (incremental bundles).
    deleted: tuple[str, ...] = ()


class BundleSource(Protocol):
    version: str
    description: str
    size_bytes: int

    async def stage(self, folder: Path, progress: Progress) -> StagedBundle: ...


@dataclasses.dataclass(kw_only=True)
class FileSource:
    """A bundle file on this node (zip or tar)."""

    path: Path
    version: str
    max_bytes: int = MAX_BUNDLE_BYTES

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else 0

    async def stage(self, folder: Path, progress: Progress) -> StagedBundle:
        if not self.path.is_file():
            raise InvalidInput(BUNDLE_MISSING, error_code="BUNDLE_NOT_FOUND", path=str(self.path))
        await progress(50.0, self.path.name)
        await asyncio.to_thread(extract_bundle, self.path, folder, max_bytes=self.max_bytes)
        return StagedBundle(folder=folder, version=self.version)


@dataclasses.dataclass(kw_only=True)
class UrlSource:
    """The seed's full package over HTTP(S), verified against its sha256 before use."""

    url: str
    sha256: str
    version: str
    size_bytes: int = 0
    max_bytes: int = MAX_BUNDLE_BYTES

    def __post_init__(self) -> None:
        if len(self.sha256) != 64 or any(c not in "0123456789abcdef" for c in self.sha256.lower()):
            raise InvalidInput(BAD_SHA256, error_code="INVALID_CHECKSUM", value=self.sha256)

    @property
    def description(self) -> str:
        return self.url

    def _download(self, target: Path, report: Callable[[int, int], None]) -> str:
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(self.url, timeout=60) as response, target.open("wb") as out:
                total = int(response.headers.get("Content-Length") or self.size_bytes or 0)
                done = 0
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
                    done += len(chunk)
                    if done > self.max_bytes:
                        raise InvalidInput(DOWNLOAD_FAILED, error_code="DOWNLOAD_FAILED", url=self.url, error="too large")
                    report(done, total)
                if total and done != total:
                    raise http.client.IncompleteRead(b"", total - done)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise Unavailable(DOWNLOAD_FAILED, error_code="DOWNLOAD_FAILED", url=self.url, error=repr(exc)) from exc
        return digest.hexdigest()

    async def stage(self, folder: Path, progress: Progress) -> StagedBundle:
        name = self.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "bundle.zip"
        archive = folder.parent / f"download-{name}"
        loop = asyncio.get_running_loop()

        def report(done: int, total: int) -> None:
            percent = 90.0 * done / total if total else 0.0
            asyncio.run_coroutine_threadsafe(progress(percent, f"{done // 1024} KiB"), loop)

        actual = await asyncio.to_thread(self._download, archive, report)
        if actual != self.sha256.lower():
            archive.unlink(missing_ok=True)
            raise InvalidInput(CHECKSUM_MISMATCH, error_code="CHECKSUM_MISMATCH", url=self.url, actual=actual, expected=self.sha256.lower())
        await asyncio.to_thread(extract_bundle, archive, folder, max_bytes=self.max_bytes)
        archive.unlink(missing_ok=True)
        return StagedBundle(folder=folder, version=self.version)


def source_from_spec(spec: dict) -> BundleSource:
    """Rebuild a source from its stored form (scheduled tasks, pushed commands)."""
    kind = spec.get("kind")
    if kind == "file":
        return FileSource(path=Path(spec["path"]), version=spec["version"])
    if kind == "url":
        return UrlSource(url=spec["url"], sha256=spec["sha256"], version=spec["version"], size_bytes=int(spec.get("size", 0)))
    raise InvalidInput(UNKNOWN_SOURCE, error_code="INVALID_SOURCE", kind=str(kind))


def source_spec(source: BundleSource) -> dict:
    """The stored form of a source (inverse of :func:`source_from_spec`)."""
    if isinstance(source, FileSource):
        return {"kind": "file", "path": str(source.path), "version": source.version}
    if isinstance(source, UrlSource):
        return {"kind": "url", "url": source.url, "sha256": source.sha256, "version": source.version, "size": source.size_bytes}
    raise InvalidInput(UNKNOWN_SOURCE, error_code="INVALID_SOURCE", kind=type(source).__name__)
