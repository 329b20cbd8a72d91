"""An incoming upload written to a scratch file: hashed as it arrives, refused past a size limit.

    await spool(chunks, directory=, max_bytes=) -> SpooledFile   (the caller owns the file)
    upload_too_large(limit) -> PayloadTooLarge                   (also to refuse an announced size)

Every upload path (artifacts, bundles, diagnostics, the console) writes through here, so
one condition has one error code (``PAYLOAD_TOO_LARGE``) and one message. A failed or
cancelled upload leaves no file behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from common.errors import PayloadTooLarge
from common.i18n import N_

__all__ = ["SpooledFile", "UPLOAD_TOO_LARGE", "spool", "upload_too_large"]

UPLOAD_TOO_LARGE = N_("The upload is larger than the limit of {limit} bytes.")


@dataclass(frozen=True, kw_only=True, slots=True)
class SpooledFile:
    path: Path
    size: int
    #: ``sha256:<hex>``
    sha256: str


def upload_too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(UPLOAD_TOO_LARGE, limit=limit)


async def spool(
    chunks: AsyncIterable[bytes], *, directory: Path, max_bytes: int, prefix: str = "upload-", suffix: str = ""
) -> SpooledFile:
    """Write ``chunks`` to a new file in ``directory``; PayloadTooLarge past ``max_bytes``."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    path = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as fp:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise upload_too_large(max_bytes)
                digest.update(chunk)
                await asyncio.to_thread(fp.write, chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return SpooledFile(path=path, size=size, sha256=f"sha256:{digest.hexdigest()}")
