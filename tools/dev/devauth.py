"""The local signing key of `make dev` and the demo tokens it prints.

Real deployments verify tokens from an OpenID Connect provider; locally Herald signs its own
(RS256) so the gateway's verification path is the real one.
"""

from __future__ import annotations

import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "herald-dev"
AUDIENCE = "herald-api"


def ensure_signing_key(state: Path) -> tuple[Path, Path]:
    keys = state / "auth"
    private, public = keys / "dev-signing-key.pem", keys / "dev-signing-key.pub.pem"
    if not private.exists():
        keys.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return private, public


def dev_token(state: Path, business_id: int, ttl_days: int = 30) -> str:
    private, _ = ensure_signing_key(state)
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": f"demo-user-{business_id}",
        "businesses": [business_id],
        "iat": now,
        "nbf": now,
        "exp": now + ttl_days * 86400,
    }
    return jwt.encode(claims, private.read_bytes(), algorithm="RS256", headers={"kid": "dev"})


def ensure_encryption_key(state: Path) -> str:
    """The dev keyring for connected accounts' tokens (HERALD_TOKEN_ENCRYPTION_KEYS), made once."""
    import base64
    import os

    path = state / "auth" / "token-encryption-keys"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"dev1:{base64.b64encode(os.urandom(32)).decode()}")
        path.chmod(0o600)
    return path.read_text().strip()
