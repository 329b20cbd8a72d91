"""The agent's download folders stay bounded: what goes before the next download, what stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.download.housekeeping import Pruned, prune_downloads
from agent.download.installed import ManifestStore
from common import manifest as mf


def _stage(root: Path, release_id: int, version: str) -> Path:
    folder = root / str(release_id)
    (folder / "files").mkdir(parents=True)
    manifest = mf.Manifest(project="demo", release_id=release_id, version=version, created_at=datetime(2026, 1, 1, tzinfo=UTC), files=())
    (folder / "manifest.json").write_bytes(mf.encode(manifest))
    (folder / "files" / "big.tar").write_bytes(b"x" * 1000)
    return folder


def test_prune_keeps_the_fetched_release_newer_ones_and_the_previous_manifest(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    _stage(downloads, 1, "0.9.0")
    _stage(downloads, 2, "1.0.0")
    _stage(downloads, 3, "1.1.0")  # installed now
    _stage(downloads, 4, "2.0.0")  # staged ahead with `upkeep-agent download`
    rollback = _stage(downloads, 5, "0.8.0")  # the release being fetched (a rollback)
    (downloads / "6").mkdir()  # interrupted before its manifest was written
    store = ManifestStore(tmp_path / "manifests")
    for release_id, version in enumerate(["0.8.0", "0.9.0", "1.0.0", "1.1.0", "2.0.0"], start=1):
        store.save(release_id, b"{}", "sig", version)
    (store.folder / "leftover.tmp").write_text("{")

    pruned = prune_downloads(downloads, store, "1.1.0", keep_release_id=5)

    assert sorted(p.name for p in downloads.iterdir()) == ["4", "5"]
    assert sorted(p.name for p in pruned.downloads) == ["1", "2", "3", "6"]
    assert (rollback / "files" / "big.tar").exists()
    assert sorted(p.name for p in store.folder.iterdir()) == ["1.0.0.json", "1.1.0.json", "2.0.0.json"]
    assert sorted(p.name for p in pruned.manifests) == ["0.8.0.json", "0.9.0.json", "leftover.tmp"]

    again = prune_downloads(downloads, store, "1.1.0", keep_release_id=5)
    assert again.downloads == () and again.manifests == ()


def test_prune_touches_nothing_without_a_known_installed_version(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    _stage(downloads, 1, "0.9.0")
    store = ManifestStore(tmp_path / "manifests")
    store.save(1, b"{}", "sig", "0.9.0")
    assert prune_downloads(downloads, store, "not a version", keep_release_id=2) == Pruned(downloads=(), manifests=())
    assert (downloads / "1").exists() and (store.folder / "0.9.0.json").exists()
