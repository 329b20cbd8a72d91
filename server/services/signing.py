"""The server's minisign key: created on first use at ``settings.signing_key_path``.

    signing_key(settings) -> SigningKey
    public_key(settings) -> PublicKeyInfo     (GetServerInfo, console, ``upkeep-server public-key``)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from common.signing import SigningKey, generate_key, load_key
from server.config import Settings

__all__ = ["PublicKeyInfo", "public_key", "signing_key"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicKeyInfo:
    #: Base64 key line, what agents pin (``[server] public_key``) and ``minisign -P`` takes.
    public_key: str
    #: Minisign key id, upper-case hex as minisign prints it.
    key_id: str
    #: The ``.pub`` file content.
    public_key_file: str


@functools.cache
def _key_at(path: Path) -> SigningKey:
    try:
        return generate_key(path) if not path.exists() else load_key(path)
    except FileExistsError:  # another process created it first
        return load_key(path)


def signing_key(settings: Settings) -> SigningKey:
    return _key_at(settings.signing_key_path)


def public_key(settings: Settings) -> PublicKeyInfo:
    key = signing_key(settings)
    return PublicKeyInfo(public_key=key.public_key, key_id=key.key_id, public_key_file=key.public_key_file)
