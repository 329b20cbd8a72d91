"""Local chunk/blob store: content-addressed, write-once, no escaping keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.storage import LocalStore


def test_chunks_are_stored_once(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = "ab" * 32
    assert not store.has_chunk(cid)
    assert store.put_chunk(cid, b"frame") is True
    assert store.put_chunk(cid, b"other") is False
    assert store.get_chunk(cid) == b"frame"
    store.delete_chunk(cid)
    with pytest.raises(FileNotFoundError):
        store.get_chunk(cid)


def test_blobs_and_bad_keys(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    src = store.scratch_dir() / "x"
    src.write_bytes(b"12345")
    assert store.put_blob("packages/demo/1.0.0/docker.zip", src) == 5
    assert not src.exists()
    with store.open_blob("packages/demo/1.0.0/docker.zip") as fp:
        assert fp.read() == b"12345"
    assert store.blob_size("packages/demo/1.0.0/docker.zip") == 5
    assert store.blob_size("packages/missing") is None
    for key in ("../escape", "a/../../b", "/abs"):
        with pytest.raises(ValueError):
            store.blob_size(key)
    with pytest.raises(ValueError):
        store.has_chunk("../../etc/passwd")
