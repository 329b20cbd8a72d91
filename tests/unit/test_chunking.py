"""FastCDC chunking: stable cut points, shared chunks across edits, chunk frames."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import blake3
import pytest
import zstandard

from common.chunking import MAX_CHUNK, FileDigest, compress_chunk, cut_file, decompress_chunk


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_chunks_cover_the_file_and_carry_their_blake3_id(tmp_path: Path) -> None:
    data = os.urandom(20 * 1024 * 1024 + 12345)  # spans several read windows
    digest: list[FileDigest] = []
    chunks = list(cut_file(_write(tmp_path / "f", data), digest))
    assert b"".join(c.data for c in chunks) == data
    assert [c.offset for c in chunks] == [sum(c.size for c in chunks[:i]) for i in range(len(chunks))]
    assert all(c.id == blake3.blake3(c.data).hexdigest() and c.size <= MAX_CHUNK for c in chunks)
    assert digest == [FileDigest(sha256="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data))]


def test_an_insertion_changes_only_nearby_chunks(tmp_path: Path) -> None:
    base = os.urandom(12 * 1024 * 1024)
    edited = base[:5_000_000] + b"inserted bytes" + base[5_000_000:]
    before = {c.id for c in cut_file(_write(tmp_path / "a", base))}
    after = [c for c in cut_file(_write(tmp_path / "b", edited))]
    new = [c for c in after if c.id not in before]
    assert 1 <= len(new) <= 3
    assert sum(c.size for c in new) < 3 * MAX_CHUNK


def test_empty_file_has_no_chunks(tmp_path: Path) -> None:
    digest: list[FileDigest] = []
    assert list(cut_file(_write(tmp_path / "e", b""), digest)) == []
    assert digest[0].size == 0 and digest[0].sha256 == "sha256:" + hashlib.sha256(b"").hexdigest()


def test_chunk_frame_round_trip_and_size_bound() -> None:
    data = b"abc" * 50_000
    frame = compress_chunk(data)
    assert len(frame) < len(data) and decompress_chunk(frame, len(data)) == data
    with pytest.raises(ValueError):
        decompress_chunk(frame, len(data) - 1)
    with pytest.raises(ValueError):
        decompress_chunk(b"garbage", 7)
    streamed = zstandard.ZstdCompressor(write_content_size=False).compress(data)
    with pytest.raises(ValueError):
        decompress_chunk(streamed, len(data) - 1)
