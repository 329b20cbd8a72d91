"""Manifest parsing refuses what an agent must not act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from common import manifest as mf
from common.errors import InvalidInput


def _doc(**file_overrides: object) -> dict:  # type: ignore[type-arg]
    file = {"path": "app/image.tar", "mode": 0o644, "size": 15, "sha256": "sha256:" + "c" * 64,
            "chunks": [["a" * 64, 0, 10], ["b" * 64, 10, 5]]}
    file.update(file_overrides)
    return {"format_version": 1, "project": "p", "release_id": 1, "version": "1.0.0",
            "created_at": "2026-01-01T00:00:00Z", "chunker": "x", "chunk_hash": "blake3",
            "total_size": file["size"], "files": [file]}


def _parse(doc: dict) -> mf.Manifest:  # type: ignore[type-arg]
    return mf.parse(json.dumps(doc).encode())


def test_encode_is_canonical_and_parses_back() -> None:
    manifest = _parse(_doc())
    assert manifest.files[0].chunks[1] == mf.ChunkRef(id="b" * 64, offset=10, size=5)
    data = mf.encode(manifest)
    assert mf.encode(mf.parse(data)) == data
    assert b" " not in data and data.index(b'"chunk_hash"') < data.index(b'"files"')
    assert manifest.created_at == datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "override",
    [
        {"path": "../etc/passwd"},
        {"path": "/etc/passwd"},
        {"path": "a/../../b"},
        {"chunks": [["a" * 64, 0, 10]]},  # does not cover the file
        {"chunks": [["a" * 64, 0, 10], ["b" * 64, 11, 4]]},  # gap
        {"chunks": [["A" * 64, 0, 10], ["b" * 64, 10, 5]]},  # not lowercase hex
        {"sha256": "md5:00"},
        {"size": -1},
    ],
)
def test_bad_manifests_are_refused(override: dict) -> None:  # type: ignore[type-arg]
    doc = _doc(**override)
    with pytest.raises(InvalidInput):
        _parse(doc)


def test_duplicate_paths_and_wrong_total_are_refused() -> None:
    doc = _doc()
    doc["files"].append(dict(doc["files"][0]))
    doc["total_size"] = 30
    with pytest.raises(InvalidInput):
        _parse(doc)
    doc = _doc()
    doc["total_size"] = 99
    with pytest.raises(InvalidInput):
        _parse(doc)
    with pytest.raises(InvalidInput):
        mf.parse(b"\xff not json")


@pytest.mark.parametrize("name", ["../x", "/abs", "C:/win", "a\\b", "a/../..", ".", ""])
def test_safe_relative_path_rejects(name: str) -> None:
    with pytest.raises(InvalidInput) as err:
        mf.safe_relative_path(name)
    assert err.value.error_code == "UNSAFE_PATH"


def test_safe_relative_path_normalises() -> None:
    assert mf.safe_relative_path("./docker//docker-compose.yml") == "docker/docker-compose.yml"
