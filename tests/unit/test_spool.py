"""The one upload writer: hashes what it writes, refuses past the limit, leaves nothing behind."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from common.errors import PayloadTooLarge
from server.storage.spool import spool


async def _blocks(*parts: bytes, sent: asyncio.Event | None = None, then: asyncio.Event | None = None) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    if sent is not None:
        sent.set()  # the writer asks for more: every part so far is written
    if then is not None:
        await then.wait()


async def test_spool_writes_and_hashes(tmp_path: Path) -> None:
    parts = (b"a" * 1000, b"", b"b" * 24)
    staged = await spool(_blocks(*parts), directory=tmp_path / "new", max_bytes=1024, suffix=".zip")
    data = b"".join(parts)
    assert staged.path.read_bytes() == data and staged.path.suffix == ".zip"
    assert (staged.size, staged.sha256) == (1024, "sha256:" + hashlib.sha256(data).hexdigest())


async def test_over_the_limit_is_one_error_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge) as raised:
        await spool(_blocks(b"x" * 600, b"y" * 600), directory=tmp_path, max_bytes=1000)
    assert raised.value.error_code == "PAYLOAD_TOO_LARGE" and raised.value.http_status == 413
    assert raised.value.translated("en") == "The upload is larger than the limit of 1000 bytes."
    assert raised.value.translated("zh_CN") == "上传内容超过了 1000 字节的上限。"
    assert list(tmp_path.iterdir()) == []


async def test_a_cancelled_upload_leaves_nothing(tmp_path: Path) -> None:
    sent, stalled = asyncio.Event(), asyncio.Event()  # stalled is never set: the sender stops sending
    task = asyncio.create_task(spool(_blocks(b"z" * 100, sent=sent, then=stalled), directory=tmp_path, max_bytes=1000))
    await sent.wait()
    assert len(list(tmp_path.iterdir())) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_path.iterdir()) == []
