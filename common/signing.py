"""Ed25519 signatures in minisign format (verifiable with the ``minisign`` tool).

    generate_key(path) -> SigningKey        writes the secret key file (mode 0600)
    load_key(path) -> SigningKey
    SigningKey.sign(data) -> str            ``.minisig`` text
    verify(public_key, data, signature)     raises SignatureError

``public_key`` is the base64 line of a minisign ``.pub`` file (what agents pin).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import minisign

from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["SignatureError", "SigningKey", "generate_key", "key_id", "load_key", "verify"]

BAD_SIGNATURE = N_("The manifest signature is not valid for the pinned public key.")
BAD_PUBLIC_KEY = N_("The public key is not a minisign public key.")


class SignatureError(InvalidInput):
    default_code = "BAD_SIGNATURE"


@dataclass(frozen=True, slots=True)
class SigningKey:
    secret: minisign.SecretKey

    @property
    def public_key(self) -> str:
        """The base64 line of the public key."""
        return self.secret.get_public_key().to_base64().decode()

    @property
    def public_key_file(self) -> str:
        """The ``.pub`` file content (comment line + key line)."""
        return f"untrusted comment: minisign public key {self.key_id}\n{self.public_key}\n"

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, data: bytes, *, trusted_comment: str | None = None) -> str:
        signature = self.secret.sign(data, prehash=True, trusted_comment=trusted_comment)
        return bytes(signature).decode() + "\n"


def generate_key(path: Path) -> SigningKey:
    """Create an unencrypted key at ``path`` (never overwrites) and return it."""
    pair = minisign.KeyPair.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fp:
        fp.write(bytes(pair.secret_key) + b"\n")
    return SigningKey(pair.secret_key)


def load_key(path: Path) -> SigningKey:
    return SigningKey(minisign.SecretKey.from_file(path))


def _public(public_key: str) -> minisign.PublicKey:
    line = public_key.strip().splitlines()[-1] if public_key.strip() else ""
    try:
        return minisign.PublicKey.from_base64(line)
    except (minisign.Error, ValueError) as exc:
        raise SignatureError(BAD_PUBLIC_KEY, error_code="BAD_PUBLIC_KEY") from exc


def key_id(public_key: str) -> str:
    """Minisign key id as minisign prints it (upper-case hex)."""
    return bytes(_public(public_key)._keynum_pk.key_id)[::-1].hex().upper()


def verify(public_key: str, data: bytes, signature: str) -> None:
    """Raise SignatureError unless ``signature`` (minisig text) signs ``data`` with ``public_key``."""
    pub = _public(public_key)
    try:
        pub.verify(data, minisign.Signature.from_bytes(signature.encode()))
    except (minisign.Error, ValueError, UnicodeError) as exc:
        raise SignatureError(BAD_SIGNATURE) from exc
