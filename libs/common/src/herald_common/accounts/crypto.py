"""Tokens at rest: AES-256-GCM with a key id stored beside each ciphertext, so keys can rotate.

`HERALD_TOKEN_ENCRYPTION_KEYS` holds `kid:base64key` pairs separated by commas; the first
encrypts, all decrypt. Rotation: put a new key first, re-encrypt (`herald-api-gateway
rotate-token-key`), then drop the old one. The associated data binds a ciphertext to its row
and field, so a ciphertext copied onto another account does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class TokenCipherError(ValueError):
    pass


@dataclass(frozen=True)
class Sealed:
    key_id: str
    blob: bytes
    """nonce || ciphertext+tag"""


class TokenCipher:
    def __init__(self, keys: dict[str, bytes], active: str) -> None:
        if active not in keys:
            raise TokenCipherError("the active key is not in the keyring")
        for kid, key in keys.items():
            if len(key) != 32:
                raise TokenCipherError(f"key {kid!r} must be 32 bytes (AES-256), got {len(key)}")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active = active

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for entry in filter(None, (e.strip() for e in value.split(","))):
            kid, sep, encoded = entry.partition(":")
            if not sep or not kid:
                raise TokenCipherError("HERALD_TOKEN_ENCRYPTION_KEYS entries look like `kid:base64key`")
            try:
                keys[kid] = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise TokenCipherError(f"key {kid!r} is not valid base64") from None
            order.append(kid)
        if not order:
            raise TokenCipherError("HERALD_TOKEN_ENCRYPTION_KEYS is empty")
        return cls(keys, order[0])

    @staticmethod
    def new_key() -> str:
        return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()

    def seal(self, plaintext: str, context: str) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + self._aead[self.active].encrypt(nonce, plaintext.encode(), context.encode())
        return Sealed(self.active, blob)

    def open(self, sealed: Sealed, context: str) -> str:
        aead = self._aead.get(sealed.key_id)
        if aead is None:
            raise TokenCipherError(
                f"no key {sealed.key_id!r} in the keyring (was it removed before re-encryption?)"
            )
        try:
            return aead.decrypt(
                sealed.blob[:NONCE_BYTES], sealed.blob[NONCE_BYTES:], context.encode()
            ).decode()
        except InvalidTag:
            raise TokenCipherError(
                "a token failed authentication (tampered, or sealed for another row)"
            ) from None
