"""Checks on a staged bundle before the running service is touched, and applying it."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from collections.abc import Iterable
from pathlib import Path

from agent.compose import parse_compose_file
from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["apply_files", "bundle_files", "check_images", "image_tars", "read_image_tar"]

BAD_IMAGE_TAR = N_("Image archive {path} is damaged: {error}")
IMAGE_NOT_PROVIDED = N_("Image {image} of service {service} is neither in the bundle nor on this node")


def image_tars(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.tar") if p.is_file() and not p.is_symlink())


def read_image_tar(path: Path) -> list[str]:
    """Check a ``docker save`` archive's structure; return the tags it holds."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            names = {m.name.removeprefix("./"): m for m in tar.getmembers()}
            manifest_member = names.get("manifest.json")
            if manifest_member is None:
                raise InvalidInput(BAD_IMAGE_TAR, error_code="BAD_IMAGE_TAR", path=path.name, error="no manifest.json")
            manifest = json.load(tar.extractfile(manifest_member))  # type: ignore[arg-type]
            tags: list[str] = []
            for entry in manifest:
                for needed in [entry["Config"], *entry["Layers"]]:
                    member = names.get(needed)
                    if member is None:
                        raise InvalidInput(BAD_IMAGE_TAR, error_code="BAD_IMAGE_TAR", path=path.name, error=f"{needed} is missing")
                tags.extend(entry.get("RepoTags") or [])
            return tags
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(BAD_IMAGE_TAR, error_code="BAD_IMAGE_TAR", path=path.name, error=str(exc) or type(exc).__name__) from exc


def _normalize(reference: str) -> str:
    name = reference.removeprefix("docker.io/").removeprefix("library/")
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last or "@" in last else f"{name}:latest"


def check_images(folder: Path, compose_file: Path, image_present) -> None:  # type: ignore[no-untyped-def]
    """Every image tar is intact, and every service's image is in one of them or on the engine."""
    spec = parse_compose_file(compose_file)
    provided = {_normalize(tag) for tar in image_tars(folder) for tag in read_image_tar(tar)}
    for service, image in spec.images.items():
        if image and _normalize(image) not in provided and not image_present(image):
            raise InvalidInput(IMAGE_NOT_PROVIDED, error_code="IMAGE_NOT_PROVIDED", image=image, service=service)


def bundle_files(folder: Path) -> list[str]:
    """Every file and link of a staged bundle, relative, POSIX separators."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_symlink() or p.is_file())


def apply_files(staged: Path, compose_dir: Path, *, deleted: Iterable[str], protected: Iterable[Path]) -> None:
    """Delete ``deleted`` from ``compose_dir`` and copy the staged files over it; never touch ``protected``."""
    guarded = [p.resolve() for p in protected]
    root = compose_dir.resolve()

    def allowed(target: Path) -> bool:
        resolved = target.parent.resolve() / target.name
        return root in resolved.parents and not any(g == resolved or g in resolved.parents for g in guarded)

    for relative in deleted:
        target = compose_dir / relative
        if allowed(target) and (target.is_symlink() or target.is_file()):
            target.unlink()
    for relative in bundle_files(staged):
        source, target = staged / relative, compose_dir / relative
        if not allowed(target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
