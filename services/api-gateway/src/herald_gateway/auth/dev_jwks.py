"""make dev's identity provider stand-in: publishes the local signing key as a JWKS.

The gateway then verifies dev tokens through the same JWKS path as a real provider's. Never
mounted in production.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import APIRouter
from jwt.algorithms import RSAAlgorithm


def dev_jwks_router(public_key_file: Path, kid: str = "dev") -> APIRouter:
    public_key = load_pem_public_key(public_key_file.read_bytes())
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(public_key))  # type: ignore[arg-type]
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    router = APIRouter(include_in_schema=False)

    @router.get("/dev/jwks.json")
    async def jwks() -> dict[str, Any]:
        return {"keys": [jwk]}

    return router
