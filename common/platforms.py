"""Canonical platforms ``os-arch`` with Tauri's names, and the aliases clients send.

    canonical_platform("linux", "amd64")   -> "linux-x86_64"
    canonical_platform("windows-x64")      -> "windows-x86_64"
    canonical_platform("macos", "arm64")   -> "darwin-aarch64"
"""

from __future__ import annotations

from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["ANY", "KNOWN_PLATFORMS", "canonical_arch", "canonical_os", "canonical_platform"]

ANY = "any"
OS_ALIASES = {
    "linux": "linux",
    "windows": "windows", "win": "windows", "win32": "windows", "win64": "windows",
    "darwin": "darwin", "macos": "darwin", "mac": "darwin", "osx": "darwin",
}
ARCH_ALIASES = {
    "x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64",
    "aarch64": "aarch64", "arm64": "aarch64",
    "i686": "i686", "386": "i686", "i386": "i686", "x86": "i686",
    "armv7": "armv7", "arm": "armv7", "armv7l": "armv7", "armhf": "armv7",
}
KNOWN_PLATFORMS = frozenset(
    f"{os_name}-{arch}" for os_name in set(OS_ALIASES.values()) for arch in set(ARCH_ALIASES.values())
) | {ANY}

UNKNOWN_OS = N_("Unknown operating system {value!r}")
UNKNOWN_ARCH = N_("Unknown architecture {value!r}")
BAD_PLATFORM = N_("Invalid platform {value!r}: expected os-arch such as linux-x86_64")


def canonical_os(value: str) -> str:
    key = value.strip().lower()
    if key not in OS_ALIASES:
        raise InvalidInput(UNKNOWN_OS, error_code="INVALID_PLATFORM", value=value)
    return OS_ALIASES[key]


def canonical_arch(value: str) -> str:
    key = value.strip().lower()
    if key not in ARCH_ALIASES:
        raise InvalidInput(UNKNOWN_ARCH, error_code="INVALID_PLATFORM", value=value)
    return ARCH_ALIASES[key]


def canonical_platform(os_or_platform: str, arch: str | None = None) -> str:
    """Canonical ``os-arch`` from separate fields (seed 1) or one platform string (Tauri)."""
    if arch is None:
        text = os_or_platform.strip().lower()
        if text == ANY:
            return ANY
        os_part, sep, arch_part = text.partition("-")
        if not sep:
            os_part, sep, arch_part = text.partition("_")
        if not sep:
            raise InvalidInput(BAD_PLATFORM, error_code="INVALID_PLATFORM", value=os_or_platform)
        return f"{canonical_os(os_part)}-{canonical_arch(arch_part)}"
    return f"{canonical_os(os_or_platform)}-{canonical_arch(arch)}"
