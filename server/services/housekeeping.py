"""Housekeeping of one server process.

    start():  scratch left by a killed process (bundle ingests, uploads) is swept
    stop():   nothing to undo
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from server.config import Settings
from server.storage import open_store
from server.storage.artifacts import LocalArtifactStore
from server.storage.scratch import sweep_scratch

__all__ = ["SCRATCH_AGE", "Housekeeping"]

logger = logging.getLogger(__name__)

#: Scratch untouched this long is stale: as long as an orphan chunk (chunk_gc.ORPHAN_AGE),
#: since an ingest in another process may still be building in it.
SCRATCH_AGE = timedelta(hours=1)


class Housekeeping:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None:
        folders = (open_store(self.settings).scratch_dir(), LocalArtifactStore(self.settings.storage_dir).scratch_dir)
        removed = 0
        for folder in folders:
            removed += await asyncio.to_thread(sweep_scratch, folder, older_than=SCRATCH_AGE.total_seconds())
        if removed:
            logger.info("swept %s stale scratch entries", removed)

    async def stop(self) -> None:
        pass
