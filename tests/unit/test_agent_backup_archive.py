"""tar + zstd archives round-trip every byte, mode and link; bundle extraction refuses unsafe archives."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from agent.backup.archive import clear_folder, extract_bundle, extract_tar_zst, write_tar_zst
from common.errors import InvalidInput, PayloadTooLarge
from tests.fixtures.service_bundles import fill_data, snapshot


def test_round_trip_keeps_bytes_modes_and_links(tmp_path: Path) -> None:
    source = tmp_path / "src"
    fill_data(source)
    (source / "skip-me").mkdir()
    (source / "skip-me" / "x").write_text("excluded")
    archive = tmp_path / "a.tar.zst"
    size = write_tar_zst(source, archive, exclude=[source / "skip-me"])
    assert size == archive.stat().st_size > 0
    target = tmp_path / "dst"
    extract_tar_zst(archive, target)
    expected = {k: v for k, v in snapshot(source).items() if not k.startswith("skip-me")}
    assert snapshot(target) == expected
    assert stat.S_IMODE((target / "secret.key").stat().st_mode) == 0o600
    assert os.readlink(target / "latest") == "uploads/2026/11/photo.jpg"


def test_damaged_backup_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "src"
    fill_data(source)
    archive = tmp_path / "a.tar.zst"
    write_tar_zst(source, archive)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(InvalidInput) as caught:
        extract_tar_zst(archive, tmp_path / "dst")
    assert caught.value.error_code == "BACKUP_DAMAGED"


def _tar(path: Path, members: list[tarfile.TarInfo]) -> Path:
    with tarfile.open(path, "w") as tar:
        for member in members:
            tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "", size: int = 1) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, size if kind == tarfile.REGTYPE else 0
    return info


@pytest.mark.parametrize("members", [
    [_member("../evil")],
    [_member("/etc/evil")],
    [_member("a/../../evil")],
    [_member("link", tarfile.SYMTYPE, "../../etc")],
    [_member("link", tarfile.SYMTYPE, "/etc")],
    [_member("dir/link", tarfile.SYMTYPE, "../.."), _member("dir/link/passwd")],
    [_member("hard", tarfile.LNKTYPE, "../../etc/passwd")],
    [_member("dev", tarfile.CHRTYPE)],
], ids=["dotdot", "absolute", "nested-dotdot", "symlink-out", "symlink-absolute", "through-link", "hardlink-out", "device"])
def test_unsafe_tar_bundles_are_refused(tmp_path: Path, members: list[tarfile.TarInfo]) -> None:
    with pytest.raises(InvalidInput) as caught:
        extract_bundle(_tar(tmp_path / "b.tar", members), tmp_path / "out", max_bytes=1 << 20)
    assert caught.value.error_code == "UNSAFE_ARCHIVE"
    assert not (tmp_path / "evil").exists()


def test_links_inside_the_tree_are_kept(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "b.tar", [_member("conf/app.conf"), _member("current", tarfile.SYMTYPE, "conf/app.conf")])
    extract_bundle(archive, tmp_path / "out", max_bytes=1 << 20)
    assert os.readlink(tmp_path / "out" / "current") == "conf/app.conf"


def test_oversize_bundles_are_refused(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "b.tar", [_member("big", size=2048)])
    with pytest.raises(PayloadTooLarge):
        extract_bundle(archive, tmp_path / "out", max_bytes=1024)
    with zipfile.ZipFile(tmp_path / "b.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros", b"\0" * 10_000)
    with pytest.raises(PayloadTooLarge):
        extract_bundle(tmp_path / "b.zip", tmp_path / "out2", max_bytes=1024)


def test_unsafe_zip_bundles_are_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as z:
        z.writestr("ok.txt", "fine")
        z.writestr("../evil.txt", "no")
    with pytest.raises(InvalidInput):
        extract_bundle(tmp_path / "b.zip", tmp_path / "out", max_bytes=1 << 20)
    assert not (tmp_path / "evil.txt").exists()
    link = zipfile.ZipInfo("link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as z:
        z.writestr(link, "../../outside")
    with pytest.raises(InvalidInput):
        extract_bundle(tmp_path / "c.zip", tmp_path / "out3", max_bytes=1 << 20)


def test_garbage_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "b.zip").write_bytes(b"definitely not an archive" * 100)
    with pytest.raises(InvalidInput) as caught:
        extract_bundle(tmp_path / "b.zip", tmp_path / "out", max_bytes=1 << 20)
    assert caught.value.error_code == "BAD_BUNDLE"


def test_clear_folder_keeps_the_protected_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "data").mkdir(parents=True)
    (tmp_path / "a" / "data" / "keep.txt").write_text("k")
    (tmp_path / "a" / "old.txt").write_text("o")
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    clear_folder(tmp_path, keep=[tmp_path / "a" / "data"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["a", "a/data", "a/data/keep.txt"]
