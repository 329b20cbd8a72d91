"""The seed's HTTP packages, built from stored chunks: the full zip and the incremental zip.

The incremental zip holds the files added or changed since the previous release plus
``.upkeep/incremental.json`` (``{"from_version", "to_version", "deleted": [paths]}``), so a
client that unpacks it over the previous release's folder and deletes the listed paths
has the new release byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from common.chunking import decompress_chunk
from common.manifest import Manifest, ManifestFile
from server.storage import ChunkStore

__all__ = ["INCREMENTAL_INFO", "BuiltZip", "build_zip", "changed_files", "file_bytes", "incremental_info", "tree_bytes"]

INCREMENTAL_INFO = ".upkeep/incremental.json"
_SAMPLE = 256 * 1024
#: Deflate is tried on a sample; already-compressed data is stored as is.
_DEFLATE_MIN_GAIN = 0.9


@dataclass(frozen=True, kw_only=True, slots=True)
class BuiltZip:
    path: Path
    size: int
    sha256: str  # "sha256:<hex>"


def tree_bytes(root: Path) -> Callable[[ManifestFile], Iterator[bytes]]:
    """Content reader for files of an unpacked tree."""

    def read(file: ManifestFile) -> Iterator[bytes]:
        with (root / file.path).open("rb") as fp:
            while block := fp.read(1024 * 1024):
                yield block

    return read


def file_bytes(store: ChunkStore, file: ManifestFile) -> Iterator[bytes]:
    """The file's content, chunk by chunk, from the store."""
    for ref in file.chunks:
        yield decompress_chunk(store.get_chunk(ref.id), ref.size)


def changed_files(old: Manifest | None, new: Manifest) -> tuple[list[ManifestFile], list[str]]:
    """(files added or changed in ``new``, paths deleted since ``old``)."""
    if old is None:
        return list(new.files), []
    before = {f.path: f for f in old.files}
    now = {f.path for f in new.files}
    changed = [f for f in new.files if f.path not in before or before[f.path].sha256 != f.sha256 or before[f.path].mode != f.mode]
    return changed, sorted(set(before) - now)


def _compress_type(first_chunk: bytes) -> int:
    sample = first_chunk[:_SAMPLE]
    if not sample:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED if len(zlib.compress(sample, 1)) < _DEFLATE_MIN_GAIN * len(sample) else zipfile.ZIP_STORED


def build_zip(
    files: list[ManifestFile], content_of: Callable[[ManifestFile], Iterator[bytes]], out: Path, *,
    date: tuple[int, int, int, int, int, int], extra: dict[str, bytes] | None = None,
) -> BuiltZip:
    """Write ``files`` and ``extra`` members into ``out``; deterministic for equal input."""
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        for file in sorted(files, key=lambda f: f.path):
            content = content_of(file)
            first = next(content, b"")
            info = zipfile.ZipInfo(file.path, date_time=date)
            info.external_attr = (0o100000 | file.mode) << 16
            info.compress_type = _compress_type(first)
            with zf.open(info, "w", force_zip64=file.size > 2**31) as member:
                member.write(first)
                for block in content:
                    member.write(block)
        for name, data in sorted((extra or {}).items()):
            info = zipfile.ZipInfo(name, date_time=date)
            info.external_attr = (0o100000 | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    sha = hashlib.sha256()
    with out.open("rb") as fp:
        while block := fp.read(4 * 1024 * 1024):
            sha.update(block)
    return BuiltZip(path=out, size=out.stat().st_size, sha256=f"sha256:{sha.hexdigest()}")


def incremental_info(old: Manifest, new: Manifest, deleted: list[str]) -> dict[str, bytes]:
    doc = {"from_version": old.version, "to_version": new.version, "deleted": deleted}
    return {INCREMENTAL_INFO: json.dumps(doc, indent=2, ensure_ascii=False).encode()}
