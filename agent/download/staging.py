"""The staging folder of one download: files written in place, chunk by chunk.

    <staging_root>/<release_id>/manifest.json     signed bytes (the download's identity)
    <staging_root>/<release_id>/manifest.minisig
    <staging_root>/<release_id>/files/...         the release's files, preallocated
    <staging_root>/<release_id>/done.log          ids of chunks written (one per line)

A chunk is written to every place the manifest puts it, then logged. On resume every
logged chunk is read back and checked against its BLAKE3 id before it counts, so a crash
between the write and the log, or a damaged disk, costs a refetch and never a bad file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import defaultdict
from pathlib import Path

from common import manifest as mf
from common.chunking import chunk_id

__all__ = ["Staging"]


class Staging:
    def __init__(self, root: Path, release_id: int, signed_bytes: bytes, signature: str, manifest: mf.Manifest) -> None:
        self.dir = root / str(release_id)
        self.files_dir = self.dir / "files"
        self.manifest = manifest
        marker = self.dir / "manifest.json"
        if marker.exists() and marker.read_bytes() != signed_bytes:
            shutil.rmtree(self.dir)  # an older attempt at a different manifest
        self.files_dir.mkdir(parents=True, exist_ok=True)
        marker.write_bytes(signed_bytes)
        (self.dir / "manifest.minisig").write_text(signature)
        #: chunk id -> [(file path, offset)], sizes by id.
        self.places: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.sizes: dict[str, int] = {}
        for file in manifest.files:
            for ref in file.chunks:
                self.places[ref.id].append((file.path, ref.offset))
                self.sizes[ref.id] = ref.size
        self._fds: dict[str, int] = {}
        for file in manifest.files:
            target = self.files_dir / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(fd).st_size != file.size:
                os.ftruncate(fd, file.size)
            self._fds[file.path] = fd
        self._log = (self.dir / "done.log").open("a")

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        self._log.close()

    def logged(self) -> list[str]:
        path = self.dir / "done.log"
        return [line for line in path.read_text().split("\n") if line in self.sizes]

    def verified_in_place(self, cid: str) -> bool:
        """Whether the chunk's first place holds exactly the chunk."""
        path, offset = self.places[cid][0]
        data = os.pread(self._fds[path], self.sizes[cid], offset)
        return len(data) == self.sizes[cid] and chunk_id(data) == cid

    def write(self, cid: str, data: bytes) -> None:
        """Write a verified chunk everywhere it belongs and log it."""
        for path, offset in self.places[cid]:
            os.pwrite(self._fds[path], data, offset)
        self._log.write(cid + "\n")

    def flush_log(self) -> None:
        self._log.flush()

    def forget(self, ids: set[str]) -> None:
        """Drop chunks from the log (their file failed its final check)."""
        self._log.flush()
        kept = [c for c in self.logged() if c not in ids]
        (self.dir / "done.log").write_text("".join(c + "\n" for c in kept))
        self._log.close()
        self._log = (self.dir / "done.log").open("a")

    def bad_files(self) -> list[mf.ManifestFile]:
        """Files whose sha256 differs from the manifest (after every chunk was written)."""
        bad = []
        for file in self.manifest.files:
            sha = hashlib.sha256()
            with (self.files_dir / file.path).open("rb") as fp:
                while block := fp.read(4 * 1024 * 1024):
                    sha.update(block)
            if f"sha256:{sha.hexdigest()}" != file.sha256:
                bad.append(file)
        return bad

    def finish(self) -> None:
        for file in self.manifest.files:
            os.chmod(self.files_dir / file.path, file.mode)
