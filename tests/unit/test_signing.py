"""Minisign signatures: the Debian minisign tool verifies ours; other keys and edits are refused."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common import manifest as mf
from common.signing import SignatureError, generate_key, load_key, verify


@pytest.fixture
def key(tmp_path: Path):  # type: ignore[no-untyped-def]
    return generate_key(tmp_path / "keys" / "minisign.key")


def test_key_file_is_private_and_reloads(tmp_path: Path, key) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "keys" / "minisign.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_key(path).public_key == key.public_key
    with pytest.raises(FileExistsError):
        generate_key(path)


def test_minisign_tool_verifies_our_signature(tmp_path: Path, key) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "manifest.json"
    data.write_bytes(b'{"files":[]}')
    sig = tmp_path / "manifest.json.minisig"
    sig.write_text(key.sign(data.read_bytes()))
    pub = tmp_path / "minisign.pub"
    pub.write_text(key.public_key_file)
    ok = subprocess.run(["minisign", "-V", "-P", key.public_key, "-m", data, "-x", sig], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Signature and comment signature verified" in ok.stdout
    with_file = subprocess.run(["minisign", "-V", "-p", pub, "-m", data, "-x", sig], capture_output=True, text=True)
    assert with_file.returncode == 0, with_file.stderr
    data.write_bytes(b'{"files":[1]}')
    bad = subprocess.run(["minisign", "-V", "-P", key.public_key, "-m", data, "-x", sig], capture_output=True, text=True)
    assert bad.returncode != 0


def test_other_key_and_altered_bytes_are_refused(tmp_path: Path, key) -> None:  # type: ignore[no-untyped-def]
    other = generate_key(tmp_path / "other.key")
    signature = key.sign(b"payload")
    verify(key.public_key, b"payload", signature)
    with pytest.raises(SignatureError):
        verify(other.public_key, b"payload", signature)
    with pytest.raises(SignatureError):
        verify(key.public_key, b"payloaD", signature)
    with pytest.raises(SignatureError):
        verify(key.public_key, b"payload", "")
    with pytest.raises(SignatureError) as bad_key:
        verify("not a key", b"payload", signature)
    assert bad_key.value.error_code == "BAD_PUBLIC_KEY"


def test_signed_manifest_round_trip_and_tamper(key) -> None:  # type: ignore[no-untyped-def]
    chunk = mf.ChunkRef(id="a" * 64, offset=0, size=10)
    manifest = mf.Manifest(
        project="demo", release_id=7, version="1.2.0", created_at=datetime(2026, 1, 2, tzinfo=UTC),
        files=(mf.ManifestFile(path="docker-compose.yml", mode=0o644, size=10, sha256="sha256:" + "b" * 64, chunks=(chunk,)),),
    )
    data = mf.encode(manifest)
    assert mf.verify_signed(key.public_key, data, key.sign(data)) == manifest
    tampered = data.replace(b'"size":10', b'"size":11', 1)
    with pytest.raises(SignatureError):
        mf.verify_signed(key.public_key, tampered, key.sign(data))
