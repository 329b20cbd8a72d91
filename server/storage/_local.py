"""Local folder backend."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from server.config import Settings

__all__ = ["LocalStore", "open_store"]

_CHUNK_ID = re.compile(r"[0-9a-f]{64}")
_BLOB_KEY = re.compile(r"[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*")


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("chunks", "blobs", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def _chunk_path(self, chunk_id: str) -> Path:
        if not _CHUNK_ID.fullmatch(chunk_id):
            raise ValueError(f"bad chunk id {chunk_id!r}")
        return self.root / "chunks" / chunk_id[:2] / f"{chunk_id}.zst"

    def _blob_path(self, key: str) -> Path:
        if not _BLOB_KEY.fullmatch(key) or ".." in key.split("/"):
            raise ValueError(f"bad blob key {key!r}")
        return self.root / "blobs" / key

    def _atomic_write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def has_chunk(self, chunk_id: str) -> bool:
        return self._chunk_path(chunk_id).exists()

    def put_chunk(self, chunk_id: str, frame: bytes) -> bool:
        path = self._chunk_path(chunk_id)
        if path.exists():
            return False
        self._atomic_write(path, frame)
        return True

    def get_chunk(self, chunk_id: str) -> bytes:
        return self._chunk_path(chunk_id).read_bytes()

    def delete_chunk(self, chunk_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._chunk_path(chunk_id).unlink()

    def stored_chunks(self) -> Iterator[tuple[str, float]]:
        for folder in sorted((self.root / "chunks").iterdir()):
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name.removesuffix(".zst")
                    if entry.name.endswith(".zst") and _CHUNK_ID.fullmatch(name):
                        yield name, entry.stat().st_mtime

    def put_blob(self, key: str, source: Path) -> int:
        target = self._blob_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        return target.stat().st_size

    def open_blob(self, key: str) -> BinaryIO:
        return self._blob_path(key).open("rb")

    def blob_size(self, key: str) -> int | None:
        path = self._blob_path(key)
        return path.stat().st_size if path.exists() else None

    def local_path(self, key: str) -> Path | None:
        return self._blob_path(key)

    def delete_blob(self, key: str) -> None:
        path = self._blob_path(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        blobs = self.root / "blobs"
        for folder in path.parents:
            if folder == blobs or not folder.is_relative_to(blobs):
                break
            try:
                folder.rmdir()  # only while empty
            except OSError:
                break

    def blob_keys(self, prefix: str) -> Iterator[str]:
        base = self._blob_path(prefix)
        blobs = self.root / "blobs"
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    yield path.relative_to(blobs).as_posix()

    def scratch_dir(self) -> Path:
        return self.root / "tmp"


def open_store(settings: Settings) -> LocalStore:
    return LocalStore(settings.storage_dir)
