"""Bundle manifests: files → (mode, size, sha256, chunks), canonically encoded and signed.

The signed bytes are canonical JSON (sorted keys, no spaces, UTF-8). Verifiers check the
signature over those exact bytes and decode *them*; nothing is ever re-serialised before
verification. ``parse`` rejects anything an agent must not act on: unsafe paths, chunks
that do not cover their file exactly, oversize chunks, duplicate paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from common.chunking import CHUNK_HASH, CHUNKER, MAX_CHUNK
from common.errors import InvalidInput
from common.i18n import N_
from common.signing import verify

__all__ = [
    "FORMAT_VERSION",
    "ChunkRef",
    "Manifest",
    "ManifestFile",
    "SignedManifest",
    "encode",
    "parse",
    "safe_relative_path",
    "verify_signed",
]

FORMAT_VERSION = 1
BAD_MANIFEST = N_("The bundle manifest is malformed: {detail}")
UNSAFE_PATH = N_("Unsafe path in bundle: {path}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True, kw_only=True, slots=True)
class ChunkRef:
    id: str
    offset: int
    size: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ManifestFile:
    path: str
    mode: int
    size: int
    sha256: str
    chunks: tuple[ChunkRef, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Manifest:
    project: str
    release_id: int
    version: str
    created_at: datetime
    files: tuple[ManifestFile, ...]
    chunker: str = CHUNKER
    chunk_hash: str = CHUNK_HASH
    format_version: int = FORMAT_VERSION

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def chunk_ids(self) -> set[str]:
        return {c.id for f in self.files for c in f.chunks}

    def chunk_sizes(self) -> dict[str, int]:
        return {c.id: c.size for f in self.files for c in f.chunks}

    def file(self, path: str) -> ManifestFile | None:
        return next((f for f in self.files if f.path == path), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedManifest:
    """The exact signed bytes, their minisign signature, and the decoded manifest."""

    id: int
    signed_bytes: bytes
    signature: str
    key_id: str
    manifest: Manifest


def safe_relative_path(name: str) -> str:
    """Normalise an archive member name; raise InvalidInput for absolute or escaping paths."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise InvalidInput(UNSAFE_PATH, error_code="UNSAFE_PATH", path=name)
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise InvalidInput(UNSAFE_PATH, error_code="UNSAFE_PATH", path=name)
    return "/".join(parts)


def encode(manifest: Manifest) -> bytes:
    """Canonical JSON of ``manifest`` (the bytes that get signed)."""
    doc = {
        "format_version": manifest.format_version,
        "project": manifest.project,
        "release_id": manifest.release_id,
        "version": manifest.version,
        "created_at": manifest.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "chunker": manifest.chunker,
        "chunk_hash": manifest.chunk_hash,
        "total_size": manifest.total_size,
        "files": [
            {
                "path": f.path,
                "mode": f.mode,
                "size": f.size,
                "sha256": f.sha256,
                "chunks": [[c.id, c.offset, c.size] for c in f.chunks],
            }
            for f in sorted(manifest.files, key=lambda f: f.path)
        ],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _bad(detail: str) -> InvalidInput:
    return InvalidInput(BAD_MANIFEST, error_code="BAD_MANIFEST", detail=detail)


def _int(value: object, what: str, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _bad(what)
    return value


def _chunks(raw: object, path: str, size: int) -> Iterator[ChunkRef]:
    if not isinstance(raw, list):
        raise _bad(f"{path}: chunks")
    offset = 0
    for item in raw:
        if not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str) or not _HEX64.fullmatch(item[0]):
            raise _bad(f"{path}: chunk")
        chunk_offset, chunk_size = _int(item[1], f"{path}: offset"), _int(item[2], f"{path}: size", 1)
        if chunk_offset != offset or chunk_size > MAX_CHUNK:
            raise _bad(f"{path}: chunks do not cover the file")
        offset += chunk_size
        yield ChunkRef(id=item[0], offset=chunk_offset, size=chunk_size)
    if offset != size:
        raise _bad(f"{path}: chunks do not cover the file")


def _files(raw: object) -> Iterable[ManifestFile]:
    if not isinstance(raw, list):
        raise _bad("files")
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise _bad("file")
        path = item["path"]
        if safe_relative_path(path) != path or path in seen:
            raise _bad(f"{path}: path")
        seen.add(path)
        size = _int(item.get("size"), f"{path}: size")
        sha = item.get("sha256")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise _bad(f"{path}: sha256")
        mode = _int(item.get("mode"), f"{path}: mode")
        yield ManifestFile(path=path, mode=mode & 0o777, size=size, sha256=sha, chunks=tuple(_chunks(item.get("chunks"), path, size)))


def parse(data: bytes) -> Manifest:
    """Decode and validate manifest bytes (does not check a signature)."""
    try:
        doc = json.loads(data.decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad("not JSON") from exc
    if not isinstance(doc, dict) or doc.get("format_version") != FORMAT_VERSION:
        raise _bad("format_version")
    if doc.get("chunk_hash") != CHUNK_HASH:
        raise _bad("chunk_hash")
    try:
        created = datetime.strptime(str(doc.get("created_at")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise _bad("created_at") from exc
    if not isinstance(doc.get("project"), str) or not isinstance(doc.get("version"), str):
        raise _bad("project/version")
    manifest = Manifest(
        project=doc["project"],
        release_id=_int(doc.get("release_id"), "release_id"),
        version=doc["version"],
        created_at=created,
        files=tuple(_files(doc.get("files"))),
        chunker=str(doc.get("chunker", "")),
    )
    if doc.get("total_size") != manifest.total_size:
        raise _bad("total_size")
    return manifest


def verify_signed(public_key: str, signed_bytes: bytes, signature: str) -> Manifest:
    """Check the signature over ``signed_bytes`` with ``public_key``, then decode those bytes."""
    verify(public_key, signed_bytes, signature)
    return parse(signed_bytes)
