"""Housekeeping of one server process.

    start():  scratch left by a killed process (bundle ingests, uploads) is swept;
              storage garbage collection starts every ``gc_interval_s`` (0: never)
    stop():   the collection task is cancelled (a batch in flight rolls back)

Collections of several replicas may overlap: chunk_gc's lock keeps them apart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.services.chunk_gc import collect_garbage
from server.storage import open_store
from server.storage.artifacts import LocalArtifactStore
from server.storage.scratch import sweep_scratch

__all__ = ["SCRATCH_AGE", "Housekeeping"]

logger = logging.getLogger(__name__)

#: Scratch untouched this long is stale: as long as an orphan chunk (chunk_gc.ORPHAN_AGE),
#: since an ingest in another process may still be building in it.
SCRATCH_AGE = timedelta(hours=1)


class Housekeeping:
    def __init__(self, settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self._collecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        folders = (open_store(self.settings).scratch_dir(), LocalArtifactStore(self.settings.storage_dir).scratch_dir)
        removed = 0
        for folder in folders:
            removed += await asyncio.to_thread(sweep_scratch, folder, older_than=SCRATCH_AGE.total_seconds())
        if removed:
            logger.info("swept %s stale scratch entries", removed)
        if self.settings.gc_interval_s > 0:
            self._collecting = asyncio.create_task(self._collect_periodically(), name="storage-gc")

    async def stop(self) -> None:
        if self._collecting is not None:
            self._collecting.cancel()
            await asyncio.wait([self._collecting])
            self._collecting = None

    async def _collect_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.gc_interval_s)
            try:
                await collect_garbage(self.session_factory, self.settings)
            except Exception:  # the next round tries again
                logger.exception("storage garbage collection failed")
