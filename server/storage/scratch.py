"""Scratch folders: what a killed process left there is removed at the next start.

Ingests build in ``mkdtemp`` folders, uploads spool into files, writes go through temp
files; each cleans up after itself unless its process dies mid-way. An entry counts as
stale when nothing in it changed for ``older_than`` seconds, so a build still running
in another process (a second replica, the bundle CLI) is left alone.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

__all__ = ["sweep_scratch"]

logger = logging.getLogger(__name__)


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                try:
                    newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
                except FileNotFoundError:
                    continue
    return newest


def sweep_scratch(folder: Path, *, older_than: float) -> int:
    """Remove the entries of ``folder`` untouched for ``older_than`` seconds; returns how many."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than
    removed = 0
    for entry in folder.iterdir():
        try:
            if _newest_mtime(entry) >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue  # its owner finished meanwhile
        removed += 1
        logger.info("removed stale scratch %s", entry)
    return removed
