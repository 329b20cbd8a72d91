"""What the node has installed: the compose folder and the verified manifest of its release.

Manifests of staged releases are kept in ``<state>/manifests/<version>.json`` (signed bytes
and signature). At the next upgrade the one for the installed version is verified again
with the pinned key; its chunks are only used after each one is re-read and checked.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from common import manifest as mf
from common.errors import InvalidInput
from common.versions import parse_version

__all__ = ["InstalledBundle", "ManifestStore"]


@dataclass(frozen=True, kw_only=True, slots=True)
class InstalledBundle:
    #: The compose folder the manifest describes.
    root: Path
    release_id: int
    manifest: mf.Manifest
    #: The verified signed bytes (lets the server send the next manifest as a delta).
    signed_bytes: bytes = b""


class ManifestStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, version: str) -> Path:
        return self.folder / f"{parse_version(version).normalized}.json"

    def save(self, release_id: int, signed_bytes: bytes, signature: str, version: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(version)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"release_id": release_id, "manifest": signed_bytes.decode(), "signature": signature}))
        os.replace(tmp, path)

    def installed(self, root: Path, version: str, public_key: str) -> InstalledBundle | None:
        """The verified manifest for ``version`` installed at ``root``, or None when unknown or invalid."""
        try:
            path = self._path(version)
            doc = json.loads(path.read_text())
            manifest = mf.verify_signed(public_key, doc["manifest"].encode(), doc["signature"])
        except (OSError, ValueError, KeyError, InvalidInput):
            return None
        if manifest.version != parse_version(version).normalized:
            return None
        return InstalledBundle(root=root, release_id=int(doc["release_id"]), manifest=manifest, signed_bytes=doc["manifest"].encode())
