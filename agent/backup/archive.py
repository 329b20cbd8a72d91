"""tar + zstd archives of folders, and safe extraction of tar and zip archives.

Extraction refuses absolute names, ``..``, links that leave the target folder, devices,
and archives that unpack to more than ``max_bytes``; it never follows a link while writing.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import zstandard

from common.errors import InvalidInput, PayloadTooLarge
from common.i18n import N_

__all__ = ["UNSAFE_ARCHIVE", "clear_folder", "extract_tar_zst", "extract_bundle", "write_tar_zst"]

UNSAFE_ARCHIVE = N_("Archive {path} is unsafe or damaged: {error}")
TOO_LARGE = N_("Archive {path} unpacks to more than {limit} bytes")
ZSTD_LEVEL = 3


def write_tar_zst(source: Path, target: Path, *, exclude: Iterable[Path] = ()) -> int:
    """Archive the content of ``source`` into ``target`` (.tar.zst); returns the archive size."""
    skipped = {p.resolve() for p in exclude}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=-1)
    with partial.open("wb") as raw, compressor.stream_writer(raw, closefd=False) as zstd_out:
        with tarfile.open(fileobj=zstd_out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            if source.is_dir():
                for root, dirs, files in os.walk(source):
                    root_path = Path(root)
                    dirs[:] = sorted(d for d in dirs if (root_path / d).resolve() not in skipped or (root_path / d).is_symlink())
                    for name in [*dirs, *sorted(files)]:
                        path = root_path / name
                        if path.resolve() in skipped and not path.is_symlink():
                            continue
                        tar.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
        zstd_out.flush(zstandard.FLUSH_FRAME)
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(target)
    return target.stat().st_size


def _check_name(name: str, archive: Path) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or name.startswith(("/", "\\")) or "\\" in name:
        raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"path {name!r} leaves the folder")
    return path


def _check_link(member_path: PurePosixPath, target: str, archive: Path) -> None:
    if target.startswith("/"):
        raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"link {member_path} -> {target} leaves the folder")
    depth = len(member_path.parent.parts)
    for part in PurePosixPath(target).parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"link {member_path} -> {target} leaves the folder")


def _extract_tar(tar: tarfile.TarFile, archive: Path, dest: Path, max_bytes: int | None, trusted_links: bool) -> None:
    total = 0
    for member in tar:
        path = _check_name(member.name, archive)
        if member.isdev() or member.isfifo():
            raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"special file {member.name}")
        if member.issym() and not trusted_links:
            _check_link(path, member.linkname, archive)
        if member.islnk():
            _check_name(member.linkname, archive)
        total += member.size
        if max_bytes is not None and total > max_bytes:
            raise PayloadTooLarge(TOO_LARGE, error_code="BUNDLE_TOO_LARGE", path=archive.name, limit=max_bytes)
        # Never write through a link an earlier member created.
        for parent in list(reversed((dest / path).parents))[len(dest.parents) + 1:]:
            if parent.is_symlink():
                raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"{member.name} is written through a link")
        tar.extract(member, dest, set_attrs=True, numeric_owner=True)


def extract_tar_zst(archive: Path, dest: Path) -> None:
    """Unpack one of our own .tar.zst archives into ``dest`` (links kept as they were)."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as zstd_in:
            with tarfile.open(fileobj=zstd_in, mode="r|") as tar:
                _extract_tar(tar, archive, dest, None, trusted_links=True)
    except (tarfile.TarError, zstandard.ZstdError, EOFError) as exc:
        raise InvalidInput(UNSAFE_ARCHIVE, error_code="BACKUP_DAMAGED", path=archive.name, error=str(exc)) from exc


def _extract_zip(archive: Path, dest: Path, max_bytes: int) -> None:
    with zipfile.ZipFile(archive) as bundle:
        total = 0
        for info in bundle.infolist():
            path = _check_name(info.filename, archive)
            total += info.file_size
            if total > max_bytes:
                raise PayloadTooLarge(TOO_LARGE, error_code="BUNDLE_TOO_LARGE", path=archive.name, limit=max_bytes)
            mode = info.external_attr >> 16
            target = dest / path
            if stat.S_ISLNK(mode):
                link = bundle.read(info).decode()
                _check_link(path, link, archive)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(link)
                continue
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if any(p.is_symlink() for p in target.parents if dest in p.parents or p == dest):
                raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"{info.filename} is written through a link")
            written = 0
            with bundle.open(info) as src, target.open("wb") as out:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size:  # a lying header: stop at the declared size
                        raise InvalidInput(UNSAFE_ARCHIVE, error_code="UNSAFE_ARCHIVE", path=archive.name, error=f"{info.filename} is larger than declared")
                    out.write(chunk)
            if mode & 0o777:
                target.chmod(mode & 0o777)


def extract_bundle(archive: Path, dest: Path, *, max_bytes: int) -> None:
    """Unpack a release bundle (zip, tar, tar.gz/bz2/xz, tar.zst) safely into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, dest, max_bytes)
        elif archive.name.endswith((".zst", ".zstd")):
            with archive.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as zstd_in:
                with tarfile.open(fileobj=zstd_in, mode="r|") as tar:
                    _extract_tar(tar, archive, dest, max_bytes, trusted_links=False)
        else:
            with tarfile.open(archive, mode="r:*") as tar:
                _extract_tar(tar, archive, dest, max_bytes, trusted_links=False)
    except (tarfile.TarError, zipfile.BadZipFile, zstandard.ZstdError, EOFError, UnicodeDecodeError) as exc:
        raise InvalidInput(UNSAFE_ARCHIVE, error_code="BAD_BUNDLE", path=archive.name, error=str(exc)) from exc


def clear_folder(folder: Path, *, keep: Iterable[Path] = ()) -> None:
    """Delete everything inside ``folder`` except the paths in ``keep`` (and their parents)."""
    kept = {p.resolve() for p in keep}
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        return
    for child in folder.iterdir():
        resolved = child.resolve() if not child.is_symlink() else child
        if resolved in kept:
            continue
        if not child.is_symlink() and child.is_dir() and any(resolved in k.parents for k in kept):
            clear_folder(child, keep=kept)
        elif child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
