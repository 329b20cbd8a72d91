"""Delta packs: the chunks an upgrade lacks, compressed against data the agent already holds.

Plain chunk dedup ships every chunk that changed, though a changed chunk is usually close
to an old one. For each file of the new release, the chunks missing from the old release
are packed together and compressed with zstd using, as a raw-content dictionary, the old
release's chunks of the most similar file that the new release no longer uses (the data
that was replaced). The agent rebuilds that dictionary from its installed, verified files,
decompresses the pack and checks every chunk by its BLAKE3 id, so resumability and the one
chunk index per release are kept. Packs are computed once per (from, to) manifest pair and
cached in storage; a pack that would not beat the plain chunks is not kept.

    build_pair(store, from_id, old, to_id, new) -> list[Pack]   (idempotent, cached)
    load_pair(store, from_id, to_id) -> list[Pack] | None
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from common.chunking import compress_against, decompress_chunk
from common.manifest import ChunkRef, Manifest, ManifestFile
from server.storage import ChunkStore

__all__ = ["MAX_PACK_RAW", "PAIRS", "Pack", "build_pair", "load_pair", "pair_ids"]

MAX_PACK_RAW = 64 * 1024 * 1024
#: Larger dictionaries cost the agent too much memory; such files travel as plain chunks.
MAX_PREFIX = 256 * 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class Pack:
    pack_id: str
    #: sha256 of the old file whose replaced chunks form the dictionary.
    base_file_sha256: str
    #: Chunks (old release) concatenated in this order as the dictionary.
    base_chunk_ids: tuple[str, ...]
    #: (chunk id, offset in the decompressed pack, size).
    targets: tuple[tuple[str, int, int], ...]
    raw_size: int
    key: str
    size: int


PAIRS = "deltas"
_PAIR_KEY = re.compile(rf"{PAIRS}/(\d+)-(\d+)/")


def _pair_dir(from_id: int, to_id: int) -> str:
    return f"{PAIRS}/{from_id}-{to_id}"


def pair_ids(key: str) -> tuple[int, int] | None:
    """(from, to) manifest ids of a blob key in a pair's folder; None for other keys."""
    match = _PAIR_KEY.match(key)
    return (int(match[1]), int(match[2])) if match else None


def _base_for(file: ManifestFile, old: Manifest, new_ids: set[str]) -> tuple[ManifestFile, list[ChunkRef]] | None:
    """The old file most like ``file`` and its chunks that ``new`` no longer uses."""
    candidates = [f for f in old.files if f.path == file.path] or sorted(
        old.files, key=lambda f: -len({c.id for c in f.chunks} & {c.id for c in file.chunks})
    )[:1]
    for base in candidates:
        seen: set[str] = set()
        stale = [c for c in base.chunks if c.id not in new_ids and not (c.id in seen or seen.add(c.id))]
        if stale:
            return base, stale
    return None


def _read(store: ChunkStore, refs: list[ChunkRef]) -> bytes:
    return b"".join(decompress_chunk(store.get_chunk(r.id), r.size) for r in refs)


def _groups(missing: list[ChunkRef]) -> Iterator[list[ChunkRef]]:
    group: list[ChunkRef] = []
    size = 0
    for ref in missing:
        if group and size + ref.size > MAX_PACK_RAW:
            yield group
            group, size = [], 0
        group.append(ref)
        size += ref.size
    if group:
        yield group


def build_pair(store: ChunkStore, from_id: int, old: Manifest, to_id: int, new: Manifest) -> list[Pack]:
    """Compute (or load) the packs for upgrading ``old`` → ``new``."""
    cached = load_pair(store, from_id, to_id)
    if cached is not None:
        return cached
    held, new_ids = old.chunk_ids(), new.chunk_ids()
    packs: list[Pack] = []
    placed: set[str] = set()
    work = Path(tempfile.mkdtemp(dir=store.scratch_dir()))
    try:
        for file in new.files:
            missing = [c for c in file.chunks if c.id not in held and c.id not in placed and not placed.add(c.id)]  # type: ignore[func-returns-value]
            base = _base_for(file, old, new_ids) if missing else None
            if base is None:
                continue
            base_file, stale = base
            if sum(c.size for c in stale) > MAX_PREFIX:
                continue
            prefix = _read(store, stale)
            for group in _groups(missing):
                raw = _read(store, group)
                data = compress_against(raw, prefix)
                plain = sum(len(store.get_chunk(r.id)) for r in group)
                if len(data) >= plain:
                    continue
                pack_id = f"{to_id}-{len(packs)}"
                out = work / pack_id
                out.write_bytes(data)
                key = f"{_pair_dir(from_id, to_id)}/{pack_id}.zst"
                store.put_blob(key, out)
                offsets = [sum(r.size for r in group[:i]) for i in range(len(group))]
                packs.append(Pack(
                    pack_id=pack_id, base_file_sha256=base_file.sha256, base_chunk_ids=tuple(c.id for c in stale),
                    targets=tuple((r.id, off, r.size) for r, off in zip(group, offsets, strict=True)),
                    raw_size=len(raw), key=key, size=len(data),
                ))
        index = work / "index.json"
        index.write_text(json.dumps([asdict(p) for p in packs]))
        store.put_blob(f"{_pair_dir(from_id, to_id)}/index.json", index)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return packs


def load_pair(store: ChunkStore, from_id: int, to_id: int) -> list[Pack] | None:
    key = f"{_pair_dir(from_id, to_id)}/index.json"
    if store.blob_size(key) is None:
        return None
    with store.open_blob(key) as fp:
        raw = json.loads(fp.read())
    return [
        Pack(**{**p, "base_chunk_ids": tuple(p["base_chunk_ids"]), "targets": tuple(tuple(t) for t in p["targets"])})
        for p in raw
    ]
