"""Content-defined chunking (FastCDC 2020), BLAKE3 chunk ids, zstd chunk frames.

A file is cut into chunks whose boundaries depend on the content, so an insertion only
changes the chunks around it. A chunk is addressed by the lowercase hex BLAKE3-256 of its
raw bytes and stored/sent as one zstd frame on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import blake3
import zstandard
from pyfastcdc import FastCDC

__all__ = [
    "CHUNKER",
    "CHUNK_HASH",
    "MAX_CHUNK",
    "ChunkSlice",
    "FileDigest",
    "chunk_id",
    "compress_against",
    "compress_chunk",
    "decompress_against",
    "cut_file",
    "decompress_chunk",
]

MIN_CHUNK = 64 * 1024
AVG_CHUNK = 128 * 1024  # FastCDC's real average is AVG_CHUNK + MIN_CHUNK
MAX_CHUNK = 768 * 1024  # one compressed chunk always fits a 1 MiB message
CHUNKER = f"fastcdc-2020 min={MIN_CHUNK} avg={AVG_CHUNK} max={MAX_CHUNK}"
CHUNK_HASH = "blake3"
STORE_LEVEL = 3
_READ_SIZE = 8 * 1024 * 1024

_cdc = FastCDC(AVG_CHUNK, min_size=MIN_CHUNK, max_size=MAX_CHUNK)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChunkSlice:
    """One chunk of a file: its id, where it lies, and its raw bytes."""

    id: str
    offset: int
    size: int
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class FileDigest:
    """Whole-file checksum and size after cutting."""

    sha256: str
    size: int


def chunk_id(data: bytes | memoryview) -> str:
    return blake3.blake3(data).hexdigest()


def cut_file(path: Path, digest: list[FileDigest] | None = None) -> Iterator[ChunkSlice]:
    """Chunks of ``path`` in order; appends the file's sha256/size to ``digest`` at the end.

    The file is read in large windows; a window's last chunk is cut again together with
    the next window, so the cut points are those of the whole file.
    """
    sha = hashlib.sha256()
    offset = 0
    carry = b""
    with path.open("rb") as fp:
        while True:
            block = fp.read(_READ_SIZE)
            sha.update(block)
            buf = carry + block if carry else block
            last = not block
            pieces = list(_cdc.cut_buf(buf)) if buf else []
            keep = pieces if last else pieces[:-1]
            for piece in keep:
                data = bytes(piece.data)
                yield ChunkSlice(id=chunk_id(data), offset=offset, size=len(data), data=data)
                offset += len(data)
            if last:
                break
            tail = pieces[-1] if pieces else None
            carry = bytes(buf[tail.offset:]) if tail is not None else b""
    if digest is not None:
        digest.append(FileDigest(sha256=f"sha256:{sha.hexdigest()}", size=offset))


def compress_chunk(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=STORE_LEVEL, write_content_size=True).compress(data)


def decompress_chunk(frame: bytes, raw_size: int) -> bytes:
    """Decompress one chunk frame that must yield exactly ``raw_size`` bytes (ValueError otherwise)."""
    if not 0 < raw_size <= MAX_CHUNK:
        raise ValueError(f"chunk size {raw_size} out of range")
    try:
        declared = zstandard.frame_content_size(frame)
        if declared not in (-1, raw_size):
            raise ValueError(f"chunk frame declares {declared} bytes, expected {raw_size}")
        data = zstandard.ZstdDecompressor().decompress(frame, max_output_size=raw_size)
    except zstandard.ZstdError as exc:
        raise ValueError(f"bad chunk frame: {exc}") from exc
    if len(data) != raw_size:
        raise ValueError(f"chunk frame gave {len(data)} bytes, expected {raw_size}")
    return data


DELTA_LEVEL = 16  # btopt: close to -19 on bundle data, several times faster
MAX_WINDOW_LOG = 31


def _raw_dict(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def compress_against(data: bytes, base: bytes, *, level: int = DELTA_LEVEL) -> bytes:
    """One zstd frame of ``data`` that uses ``base`` (data the reader already has) as dictionary."""
    window = min(MAX_WINDOW_LOG, max(20, (max(len(base) + len(data), 1) - 1).bit_length()))
    params = zstandard.ZstdCompressionParameters.from_level(level, window_log=window, enable_ldm=True, write_content_size=True)
    return zstandard.ZstdCompressor(dict_data=_raw_dict(base), compression_params=params).compress(data)


def decompress_against(frame: bytes, base: bytes, max_size: int) -> bytes:
    """Inverse of :func:`compress_against`; ValueError on damage or output over ``max_size``."""
    try:
        declared = zstandard.frame_content_size(frame)
        if declared < 0 or declared > max_size:
            raise ValueError(f"delta frame declares {declared} bytes, limit {max_size}")
        decompressor = zstandard.ZstdDecompressor(dict_data=_raw_dict(base), max_window_size=2**MAX_WINDOW_LOG)
        return decompressor.decompress(frame, max_output_size=max_size)
    except zstandard.ZstdError as exc:
        raise ValueError(f"bad delta frame: {exc}") from exc
