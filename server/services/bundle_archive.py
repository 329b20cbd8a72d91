"""Safe unpacking of an uploaded bundle (zip, tar, tar.gz, tar.zst) into a folder.

Everything is checked before anything is kept: member names (no absolute paths, no
``..``), links (a symlink or hard link may only point inside the tree; it is stored as
a copy of its target, since manifests describe regular files), special files (refused),
the file count, and the bytes actually written (so a lying header cannot smuggle a
decompression bomb). A compose file must be present; a single top-level folder that
holds it is stripped, as zipping a ``docker/`` folder produces.
"""

from __future__ import annotations

import gzip
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import zstandard

from common.errors import InvalidInput, PayloadTooLarge
from common.i18n import N_
from common.manifest import safe_relative_path

__all__ = ["COMPOSE_FILES", "ArchiveLimits", "UnpackedBundle", "detect_format", "unpack"]

COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
NOT_AN_ARCHIVE = N_("The upload is not a zip or tar archive.")
NO_COMPOSE = N_("The bundle has no compose file (docker-compose.yml or compose.yaml).")
UNSAFE_LINK = N_("Link {path} points outside the bundle.")
SPECIAL_FILE = N_("{path} is not a regular file, folder or link.")
TOO_MANY_FILES = N_("The bundle holds more than {limit} files.")
BOMB = N_("The bundle unpacks to more than {limit} bytes.")
DUPLICATE = N_("The bundle lists {path} twice.")
_COPY_BLOCK = 1024 * 1024
_CORRUPT = (
    zipfile.BadZipFile, tarfile.TarError, zstandard.ZstdError, EOFError, gzip.BadGzipFile,
    zlib.error, NotImplementedError, UnicodeDecodeError,
)
_MIN_BOMB_FLOOR = 64 * 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveLimits:
    max_bytes: int
    max_files: int
    #: Unpacked bytes allowed per archive byte (above a 64 MiB floor).
    max_ratio: int = 100


@dataclass(frozen=True, kw_only=True, slots=True)
class UnpackedBundle:
    root: Path
    #: Relative POSIX path -> permission bits, in sorted order.
    files: dict[str, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Member:
    name: str
    mode: int
    kind: str  # "file" | "dir" | "link"
    link_target: str = ""


def detect_format(path: Path) -> str:
    """``zip`` | ``tar`` | ``tar.gz`` | ``tar.zst``, from the content; InvalidInput otherwise."""
    with path.open("rb") as fp:
        head = fp.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "tar.gz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "tar.zst"
    if len(head) == 512 and head[257:262] == b"ustar":
        return "tar"
    raise InvalidInput(NOT_AN_ARCHIVE, error_code="NOT_AN_ARCHIVE")


class _Budget:
    def __init__(self, limits: ArchiveLimits, archive_size: int) -> None:
        self.limit = min(limits.max_bytes, max(_MIN_BOMB_FLOOR, archive_size * limits.max_ratio))
        self.max_files = limits.max_files
        self.written = 0
        self.files = 0

    def add_file(self) -> None:
        self.files += 1
        if self.files > self.max_files:
            raise PayloadTooLarge(TOO_MANY_FILES, error_code="TOO_MANY_FILES", limit=self.max_files)

    def copy(self, src: BinaryIO, dst: BinaryIO) -> None:
        while block := src.read(_COPY_BLOCK):
            self.written += len(block)
            if self.written > self.limit:
                raise PayloadTooLarge(BOMB, error_code="BUNDLE_TOO_LARGE", limit=self.limit)
            dst.write(block)


def _check_link(name: str, target: str, *, hard: bool) -> str:
    """The in-tree path a link resolves to; InvalidInput when it leaves the tree."""
    if target.startswith("/"):
        raise InvalidInput(UNSAFE_LINK, error_code="UNSAFE_LINK", path=name)
    joined = target if hard else str(PurePosixPath(name).parent / target)
    parts: list[str] = []
    for part in PurePosixPath(joined).parts:
        if part == "..":
            if not parts:
                raise InvalidInput(UNSAFE_LINK, error_code="UNSAFE_LINK", path=name)
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if not parts:
        raise InvalidInput(UNSAFE_LINK, error_code="UNSAFE_LINK", path=name)
    return "/".join(parts)


def _zip_members(zf: zipfile.ZipFile) -> Iterator[tuple[_Member, zipfile.ZipInfo]]:
    for info in zf.infolist():
        unix_mode = info.external_attr >> 16
        name = safe_relative_path(info.filename.rstrip("/")) if info.filename.rstrip("/") else ""
        if not name:
            continue
        if info.is_dir():
            yield _Member(name=name, mode=0o755, kind="dir"), info
        elif stat.S_ISLNK(unix_mode):
            target = zf.read(info).decode("utf-8", "replace")
            yield _Member(name=name, mode=0o644, kind="link", link_target=_check_link(name, target, hard=False)), info
        elif stat.S_IFMT(unix_mode) and not stat.S_ISREG(unix_mode):
            raise InvalidInput(SPECIAL_FILE, error_code="SPECIAL_FILE", path=name)
        else:
            yield _Member(name=name, mode=(unix_mode & 0o777) or 0o644, kind="file"), info


def _tar_members(tf: tarfile.TarFile) -> Iterator[tuple[_Member, tarfile.TarInfo]]:
    for info in tf:
        name = safe_relative_path(info.name.rstrip("/"))
        if info.isdir():
            yield _Member(name=name, mode=0o755, kind="dir"), info
        elif info.issym() or info.islnk():
            target = _check_link(name, info.linkname if info.issym() else safe_relative_path(info.linkname), hard=info.islnk())
            yield _Member(name=name, mode=info.mode & 0o777, kind="link", link_target=target), info
        elif info.isreg():
            yield _Member(name=name, mode=(info.mode & 0o777) or 0o644, kind="file"), info
        else:
            raise InvalidInput(SPECIAL_FILE, error_code="SPECIAL_FILE", path=name)


def _open_tar(path: Path, fmt: str) -> tarfile.TarFile:
    if fmt == "tar.zst":
        stream = zstandard.ZstdDecompressor().stream_reader(path.open("rb"), closefd=True)
        return tarfile.open(fileobj=stream, mode="r|")  # type: ignore[arg-type]
    return tarfile.open(path, mode="r|gz" if fmt == "tar.gz" else "r|")


def _extract(path: Path, fmt: str, dest: Path, budget: _Budget) -> dict[str, _Member]:
    members: dict[str, _Member] = {}

    def claim(member: _Member) -> Path:
        if member.name in members:
            raise InvalidInput(DUPLICATE, error_code="DUPLICATE_PATH", path=member.name)
        members[member.name] = member
        target = dest / member.name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise InvalidInput(DUPLICATE, error_code="DUPLICATE_PATH", path=member.name) from exc
        if member.kind == "dir":
            target.mkdir(exist_ok=True)
        return target

    try:
        if fmt == "zip":
            with zipfile.ZipFile(path) as zf:
                for member, info in _zip_members(zf):
                    target = claim(member)
                    if member.kind == "file":
                        budget.add_file()
                        with zf.open(info) as src, target.open("wb") as out:
                            budget.copy(src, out)  # type: ignore[arg-type]
        else:
            with _open_tar(path, fmt) as tf:
                for member, info in _tar_members(tf):
                    target = claim(member)
                    if member.kind == "file":
                        budget.add_file()
                        src = tf.extractfile(info)
                        assert src is not None
                        with src, target.open("wb") as out:
                            budget.copy(src, out)  # type: ignore[arg-type]
    except _CORRUPT as exc:
        raise InvalidInput(NOT_AN_ARCHIVE, error_code="NOT_AN_ARCHIVE") from exc
    return members


def _resolve_links(dest: Path, members: dict[str, _Member], budget: _Budget) -> None:
    """Replace each link by a copy of the regular file it finally points to."""
    for name, member in members.items():
        if member.kind != "link":
            continue
        seen = {name}
        target = member.link_target
        while target in members and members[target].kind == "link" and target not in seen:
            seen.add(target)
            target = members[target].link_target
        if target not in members or members[target].kind != "file":
            raise InvalidInput(UNSAFE_LINK, error_code="UNSAFE_LINK", path=name)
        budget.add_file()
        with (dest / target).open("rb") as src, (dest / name).open("wb") as out:
            budget.copy(src, out)
        members[name] = _Member(name=name, mode=members[target].mode, kind="file")


def _strip_single_folder(dest: Path, files: dict[str, int]) -> tuple[Path, dict[str, int]]:
    if any(name in files for name in COMPOSE_FILES):
        return dest, files
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1:
        top = tops.pop()
        inner = {name.split("/", 1)[1]: mode for name, mode in files.items() if "/" in name}
        if len(inner) == len(files) and any(name in inner for name in COMPOSE_FILES):
            return dest / top, inner
    raise InvalidInput(NO_COMPOSE, error_code="NO_COMPOSE_FILE")


def unpack(archive: Path, dest: Path, limits: ArchiveLimits) -> UnpackedBundle:
    """Unpack ``archive`` into the empty folder ``dest``; on any error ``dest`` is removed."""
    fmt = detect_format(archive)
    budget = _Budget(limits, archive.stat().st_size)
    dest.mkdir(parents=True)
    try:
        members = _extract(archive, fmt, dest, budget)
        _resolve_links(dest, members, budget)
        files = {name: m.mode for name, m in sorted(members.items()) if m.kind == "file"}
        root, files = _strip_single_folder(dest, files)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return UnpackedBundle(root=root, files=files)
