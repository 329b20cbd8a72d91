"""Bundle ingest on SQLite and PostgreSQL: chunks, signed manifest, packages, hostile archives."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common import manifest as mf
from common.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from server.db import models as m
from server.services import bundles
from server.services.bundle_packages import INCREMENTAL_INFO
from server.services.signing import public_key
from server.storage import open_store
from tests.fixtures.bundles import BundleSpec, archive_dir, make_release, write_bundle
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, tmp_path / "data", UPKEEP_PUBLIC_URL="http://updates.test")


def _bundle(tmp_path: Path, version: str, *, seed: int = 1, fmt: str = "zip") -> Path:
    folder = write_bundle(tmp_path / f"src-{seed}-{version}", BundleSpec(version=version, seed=seed))
    return archive_dir(folder, tmp_path / f"bundle-{seed}-{version}.{fmt}", fmt)


def _stored_chunks(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.stem for p in (settings.storage_dir / "chunks").rglob("*.zst")}


async def _counts(session_factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as s:
        return (
            await s.scalar(select(func.count()).select_from(m.BundleManifest)),
            await s.scalar(select(func.count()).select_from(m.Chunk)),
            await s.scalar(select(func.count()).select_from(m.Artifact)),
        )


async def test_ingest_records_signed_manifest_chunks_and_full_zip(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release_id = await make_release(session_factory, "demo", "v1.0.0")
    source = tmp_path / "src-1-1.0.0"
    result = await bundles.ingest_bundle(session_factory, settings, release_id=release_id, archive=_bundle(tmp_path, "1.0.0"))

    key = public_key(settings)
    manifest = mf.verify_signed(key.public_key, result.signed.signed_bytes, result.signed.signature)
    assert manifest.version == "1.0.0" and manifest.project == "demo" and manifest.release_id == release_id
    on_disk = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    assert [f.path for f in manifest.files] == on_disk
    assert result.chunk_count == len(manifest.chunk_ids()) == result.new_chunk_count
    assert _stored_chunks(settings) == manifest.chunk_ids()

    # minisign itself verifies the stored signature over the stored bytes.
    (tmp_path / "m.json").write_bytes(result.signed.signed_bytes)
    (tmp_path / "m.json.minisig").write_text(result.signed.signature)
    check = subprocess.run(["minisign", "-V", "-P", key.public_key, "-m", tmp_path / "m.json"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    # The full zip holds exactly the bundle's files.
    assert result.full.url == "http://updates.test/api/v1/packages/demo/1.0.0/docker.zip"
    async with session_factory() as s:
        packages = await bundles.package_info(s, settings, release_id=release_id, client_version="0.9.0")
        located = await bundles.package_file(s, settings, project="demo", version="v1.0.0", file_name="docker.zip")
        again = await bundles.signed_manifest(s, settings, release_id)
    assert again.signed_bytes == result.signed.signed_bytes
    assert packages.full == packages.incremental == result.full  # first release: incremental = full
    assert located.size == result.full.size and located.path is not None
    with zipfile.ZipFile(located.path) as zf:
        assert sorted(zf.namelist()) == on_disk
        for name in on_disk:
            assert zf.read(name) == (source / name).read_bytes()

    with pytest.raises(Conflict):
        await bundles.ingest_bundle(session_factory, settings, release_id=release_id, archive=_bundle(tmp_path, "1.0.0"))


async def test_second_release_shares_chunks_and_incremental_zip_rebuilds_v2(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "1.1.0")
    first = await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=_bundle(tmp_path, "1.0.0"))
    folder = write_bundle(tmp_path / "src-v2", BundleSpec(version="1.1.0"))
    second = await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=archive_dir(folder, tmp_path / "v2.tar", "tar"))

    assert 0 < second.new_chunk_count < second.chunk_count / 2  # base layers were shared
    async with session_factory() as s:
        refs = dict((await s.execute(select(m.Chunk.id, m.Chunk.refcount))).all())
    shared = first.signed.manifest.chunk_ids() & second.signed.manifest.chunk_ids()
    assert shared and all(refs[c] == 2 for c in shared)

    await bundles.prepare_pair(session_factory, settings, v2)
    async with session_factory() as s:
        behind = await bundles.package_info(s, settings, release_id=v2, client_version="0.1.0")
        current = await bundles.package_info(s, settings, release_id=v2, client_version="v1.0.0")
        located = await bundles.package_file(s, settings, project="demo", version="1.1.0", file_name="incremental-from-1.0.0.zip")
    assert behind.incremental == behind.full
    assert current.incremental.url == "http://updates.test/api/v1/packages/demo/1.1.0/incremental-from-1.0.0.zip"
    assert located.size == current.incremental.size and current.incremental.hash != current.full.hash

    # Unpack the incremental zip over v1: v2, byte for byte.
    tree = tmp_path / "applied"
    shutil.copytree(tmp_path / "src-1-1.0.0", tree)
    assert located.path is not None
    with zipfile.ZipFile(located.path) as zf:
        info = json.loads(zf.read(INCREMENTAL_INFO))
        assert info == {"from_version": "1.0.0", "to_version": "1.1.0", "deleted": []}
        changed = sorted(n for n in zf.namelist() if n != INCREMENTAL_INFO)
        assert changed == ["config/app.env", "docker-compose.yml", "images/app.tar"]  # not the unchanged nginx.conf
        zf.extractall(tree, members=changed)
    for path in folder.rglob("*"):
        if path.is_file():
            assert (tree / path.relative_to(folder)).read_bytes() == path.read_bytes(), path


async def test_incremental_zip_lists_deleted_files(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "2.0.0")
    folder = write_bundle(tmp_path / "one", BundleSpec(version="1.0.0"))
    (folder / "config" / "legacy.env").write_text("gone in 2.0.0\n")
    await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=archive_dir(folder, tmp_path / "1.zip"))
    await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=_bundle(tmp_path, "2.0.0"))
    async with session_factory() as s:  # built on demand when the background job has not run yet
        packages = await bundles.package_info(s, settings, release_id=v2, client_version="1.0.0")
        located = await bundles.package_file(s, settings, project="demo", version="2.0.0", file_name="incremental-from-1.0.0.zip")
    assert packages.incremental.size == located.size
    with zipfile.ZipFile(located.path) as zf:  # type: ignore[arg-type]
        assert json.loads(zf.read(INCREMENTAL_INFO))["deleted"] == ["config/legacy.env"]


async def test_chunks_are_deduplicated_across_projects(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = await make_release(session_factory, "alpha", "1.0.0")
    b = await make_release(session_factory, "beta", "3.0.0")
    first = await bundles.ingest_bundle(session_factory, settings, release_id=a, archive=_bundle(tmp_path, "1.0.0"))
    stored_before = _stored_chunks(settings)
    second = await bundles.ingest_bundle(session_factory, settings, release_id=b, archive=_bundle(tmp_path, "1.0.0", fmt="tar.gz"))
    assert second.signed.manifest.chunk_ids() == first.signed.manifest.chunk_ids()
    assert second.new_chunk_count == 0 and second.stored_bytes == 0
    assert _stored_chunks(settings) == stored_before


def _zip_with(path: Path, members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("docker-compose.yml", "services: {}\n")
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777) << 16
            zf.writestr(info, target)
    return path


def _tar_with_symlink(path: Path, name: str, target: str) -> Path:
    with tarfile.open(path, "w") as tf:
        data = b"services: {}\n"
        info = tarfile.TarInfo("docker-compose.yml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo(name)
        link.type = tarfile.SYMTYPE
        link.linkname = target
        tf.addfile(link)
    return path


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("docker-compose.yml", "services: {}\n")
        with zf.open("images/zeros.tar", "w", force_zip64=True) as member:
            block = bytes(16 * 1024 * 1024)
            for _ in range(20):  # 320 MiB of zeros in well under 1 MiB
                member.write(block)
    return path


@pytest.mark.parametrize(
    ("make", "error", "code"),
    [
        (lambda p: _zip_with(p / "slip.zip", {"../../evil.sh": b"x"}), InvalidInput, "UNSAFE_PATH"),
        (lambda p: _zip_with(p / "abs.zip", {"/etc/cron.d/evil": b"x"}), InvalidInput, "UNSAFE_PATH"),
        (lambda p: _zip_with(p / "link.zip", {}, symlinks={"config/passwd": "../../../etc/passwd"}), InvalidInput, "UNSAFE_LINK"),
        (lambda p: _tar_with_symlink(p / "link.tar", "data/secret", "/etc/shadow"), InvalidInput, "UNSAFE_LINK"),
        (lambda p: _bomb(p / "bomb.zip"), PayloadTooLarge, "BUNDLE_TOO_LARGE"),
        (lambda p: (p / "notes.txt").write_text("not an archive") and p / "notes.txt", InvalidInput, "NOT_AN_ARCHIVE"),
        (lambda p: (p / "cut.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 600) and p / "cut.zip", InvalidInput, "NOT_AN_ARCHIVE"),
        (lambda p: archive_dir(_no_compose(p), p / "nocompose.zip"), InvalidInput, "NO_COMPOSE_FILE"),
    ],
    ids=["zip-slip", "absolute", "zip-symlink-out", "tar-symlink-out", "bomb", "not-archive", "corrupt-zip", "no-compose"],
)
async def test_hostile_or_bad_archives_are_refused_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    session_factory, settings, tmp_path: Path, make, error, code
) -> None:
    release_id = await make_release(session_factory, "demo", "1.0.0")
    archive = make(tmp_path)
    with pytest.raises(error) as caught:
        await bundles.ingest_bundle(session_factory, settings, release_id=release_id, archive=archive)
    assert caught.value.error_code == code
    assert await _counts(session_factory) == (0, 0, 0)
    assert _stored_chunks(settings) == set()
    assert not any((settings.storage_dir / "blobs").rglob("*")) and not any((settings.storage_dir / "tmp").iterdir())


def _no_compose(p: Path) -> Path:
    folder = p / "nocompose"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "app.tar").write_bytes(b"x" * 100)
    return folder


async def test_in_tree_links_become_copies_and_top_folder_is_stripped(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release_id = await make_release(session_factory, "demo", "1.0.0")
    archive = tmp_path / "linked.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("docker/docker-compose.yml", "services: {}\n")
        zf.writestr("docker/config/real.env", "A=1\n")
        info = zipfile.ZipInfo("docker/config/alias.env")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "real.env")
    result = await bundles.ingest_bundle(session_factory, settings, release_id=release_id, archive=archive)
    files = {f.path: f for f in result.signed.manifest.files}
    assert set(files) == {"docker-compose.yml", "config/real.env", "config/alias.env"}
    assert files["config/alias.env"].sha256 == files["config/real.env"].sha256


async def test_wrong_release_kind_missing_release_and_checksum(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = await make_release(session_factory, "demo", "1.0.0", kind="client")
    archive = _bundle(tmp_path, "1.0.0")
    with pytest.raises(InvalidInput):
        await bundles.ingest_bundle(session_factory, settings, release_id=client, archive=archive)
    with pytest.raises(NotFound):
        await bundles.ingest_bundle(session_factory, settings, release_id=999_999, archive=archive)
    service = await make_release(session_factory, "demo", "1.0.1")
    with pytest.raises(InvalidInput) as bad_sum:
        await bundles.ingest_bundle(session_factory, settings, release_id=service, archive=archive, checksum="sha256:" + "0" * 64)
    assert bad_sum.value.error_code == "CHECKSUM_MISMATCH"
    assert await _counts(session_factory) == (0, 0, 0)
    assert _stored_chunks(settings) == set()
    async with session_factory() as s:
        with pytest.raises(NotFound):
            await bundles.signed_manifest(s, settings, service)
        with pytest.raises(NotFound):
            await bundles.package_file(s, settings, project="demo", version="1.0.1", file_name="docker.zip")


async def test_deleting_a_release_drops_its_chunk_references(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from server.services.releases import delete_release

    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "1.1.0")
    first = await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=_bundle(tmp_path, "1.0.0"))
    second = await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=_bundle(tmp_path, "1.1.0"))
    async with session_factory() as s, s.begin():
        await delete_release(s, v1)
    async with session_factory() as s:
        refs = dict((await s.execute(select(m.Chunk.id, m.Chunk.refcount))).all())
        assert await s.scalar(select(func.count()).select_from(m.BundleManifest)) == 1
    old, new = first.signed.manifest.chunk_ids(), second.signed.manifest.chunk_ids()
    assert all(refs[c] == 1 for c in new) and all(refs[c] == 0 for c in old - new)
