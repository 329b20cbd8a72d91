"""Keep the agent's download folders bounded.

    prune_downloads(staging_root, manifests, installed_version, keep_release_id=) -> Pruned

Runs before each download. Removes staged downloads (``<staging_root>/<release id>/``) of
releases not newer than the installed one, except the release being fetched (a rollback
stages an older release and resumes it), and kept manifests (``<version>.json``) other than
the installed version's, newer ones (staged ahead) and the newest older one. Folders it
cannot read are removed. Releases staged ahead of their upgrade are never touched.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from agent.download.installed import ManifestStore
from common.errors import InvalidInput
from common.versions import Version, parse_version

__all__ = ["Pruned", "prune_downloads"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Pruned:
    downloads: tuple[Path, ...]
    manifests: tuple[Path, ...]


def _version(text: str) -> Version | None:
    try:
        return parse_version(text)
    except InvalidInput:
        return None


def _staged_version(folder: Path) -> Version | None:
    try:
        return _version(str(json.loads((folder / "manifest.json").read_bytes())["version"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prune_downloads(staging_root: Path, manifests: ManifestStore, installed_version: str, *, keep_release_id: int) -> Pruned:
    installed = _version(installed_version)
    if installed is None:
        return Pruned(downloads=(), manifests=())
    downloads = []
    for folder in sorted(staging_root.iterdir()) if staging_root.is_dir() else ():
        if not folder.is_dir() or folder.name == str(keep_release_id):
            continue
        version = _staged_version(folder)
        if version is None or version <= installed:
            shutil.rmtree(folder, ignore_errors=True)
            downloads.append(folder)
    kept = manifests.folder
    files = sorted(kept.iterdir()) if kept.is_dir() else []
    versions = {path: _version(path.name.removesuffix(".json")) if path.suffix == ".json" else None for path in files}
    older = [v for v in versions.values() if v is not None and v < installed]
    previous = max(older) if older else None
    stale = [path for path, v in versions.items() if v is None or (v < installed and v != previous)]
    for path in stale:
        path.unlink(missing_ok=True)
    return Pruned(downloads=tuple(downloads), manifests=tuple(stale))
