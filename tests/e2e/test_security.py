"""Security through the running gateway: forged tokens, API keys, tenant isolation, HTTP hardening."""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "dev"))
from devauth import AUDIENCE, ISSUER, ensure_signing_key  # noqa: E402

STATE = Path(os.environ.get("HERALD_STATE_DIR", ROOT / ".herald" / "dev"))
PROBLEM = "application/problem+json"


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "demo-user-1",
        "businesses": [1],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload: dict[str, object], **header: str) -> str:
    private, _ = ensure_signing_key(STATE)
    return jwt.encode(payload, private.read_bytes(), algorithm="RS256", headers={"kid": "dev", **header})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(payload: dict[str, object]) -> str:
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{b64(json.dumps(payload).encode())}."


def hs256_with_public_key(payload: dict[str, object]) -> str:
    """The HS/RS confusion attack: an HMAC 'signature' keyed with the (public) RSA key."""
    import hashlib
    import hmac

    _, public = ensure_signing_key(STATE)
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "dev"}).encode())
    body = b64(json.dumps(payload).encode())
    mac = hmac.new(public.read_bytes(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def tampered(payload: dict[str, object]) -> str:
    head, _, sig = signed(payload).split(".")
    forged = b64(json.dumps({**payload, "businesses": [1, 2, 3]}).encode())
    return f"{head}.{forged}.{sig}"


FORGERIES = {
    "alg none": lambda: unsigned(claims()),
    "HS256 keyed with the public key": lambda: hs256_with_public_key(claims()),
    "expired": lambda: signed(claims(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)),
    "not valid yet": lambda: signed(claims(nbf=int(time.time()) + 3600)),
    "wrong audience": lambda: signed(claims(aud="someone-else")),
    "wrong issuer": lambda: signed(claims(iss="https://evil.example")),
    "tampered payload": lambda: tampered(claims()),
    "unknown key id": lambda: signed(claims(), kid="rotated-away"),
    "no expiry": lambda: signed(claims(exp=None)),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("name", FORGERIES)
async def test_forged_tokens_are_401_problems(stack: object, name: str) -> None:
    token = FORGERIES[name]()
    async with httpx.AsyncClient(base_url=stack.gateway) as client:  # type: ignore[attr-defined]
        response = await client.get("/api/v2/scheduled", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, (name, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == 401


async def test_a_valid_token_within_clock_skew_is_accepted(stack: object) -> None:
    token = signed(claims(exp=int(time.time()) - 5))  # 5 s past expiry, inside the 30 s leeway
    async with httpx.AsyncClient(base_url=stack.gateway) as client:  # type: ignore[attr-defined]
        response = await client.get("/api/v2/scheduled", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_api_keys_are_shown_once_scoped_and_revocable(api: httpx.AsyncClient, stack: object) -> None:
    created = await api.post("/api/v2/api-keys", json={"name": "ci script"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("hk_")
    listed = (await api.get("/api/v2/api-keys")).json()
    assert created.json()["id"] in [k["id"] for k in listed]
    assert all("key" not in k for k in listed), "the secret is never shown again"

    async with httpx.AsyncClient(base_url=stack.gateway) as client:  # type: ignore[attr-defined]
        by_bearer = await client.post(
            "/api/v2/publish",
            headers={"Authorization": f"Bearer {key}"},
            json={"content": "from a script", "platforms": ["facebook"]},
        )
        assert by_bearer.status_code == 202, by_bearer.text
        assert by_bearer.json()["business_id"] == 1
        by_header = await client.get(f"/api/v2/posts/{by_bearer.json()['id']}", headers={"X-API-Key": key})
        assert by_header.status_code == 200
        other_business = await client.post(
            "/api/v2/publish",
            headers={"X-API-Key": key},
            json={"content": "x", "platforms": ["facebook"], "business_id": 2},
        )
        assert other_business.status_code == 404
        cannot_mint = await client.post(
            "/api/v2/api-keys", headers={"X-API-Key": key}, json={"name": "escalate"}
        )
        assert cannot_mint.status_code == 403

        assert (await api.delete(f"/api/v2/api-keys/{created.json()['id']}")).status_code == 204
        revoked = await client.get("/api/v2/scheduled", headers={"X-API-Key": key})
        assert revoked.status_code == 401
        wrong_secret = await client.get("/api/v2/scheduled", headers={"X-API-Key": key[:-4] + "AAAA"})
        assert wrong_secret.status_code == 401


async def test_every_endpoint_hides_another_business(api: httpx.AsyncClient, stack: object) -> None:
    """Business 2's user cannot see, list, cancel or act for business 1: 404, never 403."""
    mine = await api.post(
        "/api/v2/schedule",
        json={
            "content": "tenant one",
            "platforms": ["twitter"],
            "scheduled_for": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        },
    )
    post_id = mine.json()["id"]
    key = (await api.post("/api/v2/api-keys", json={"name": "tenant one key"})).json()
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=other) as intruder:  # type: ignore[attr-defined]
        checks = {
            "get post": await intruder.get(f"/api/v2/posts/{post_id}"),
            "cancel": await intruder.delete(f"/api/v2/schedule/{post_id}"),
            "list business 1": await intruder.get("/api/v2/scheduled", params={"business_id": 1}),
            "publish as 1": await intruder.post(
                "/api/v2/publish", json={"content": "x", "platforms": ["twitter"], "business_id": 1}
            ),
            "multi as 1": await intruder.post(
                "/api/v2/publish/multi-platform",
                json={"content": "x", "platforms": ["twitter"], "business_id": 1},
            ),
            "schedule as 1": await intruder.post(
                "/api/v2/schedule",
                json={
                    "content": "x",
                    "platforms": ["twitter"],
                    "business_id": 1,
                    "scheduled_for": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                },
            ),
            "preview as 1": await intruder.post(
                "/api/v2/preview", json={"content": "x", "platforms": ["twitter"], "business_id": 1}
            ),
            "list keys of 1": await intruder.get("/api/v2/api-keys", params={"business_id": 1}),
            "revoke key of 1": await intruder.delete(f"/api/v2/api-keys/{key['id']}"),
            "webhook as 1": await intruder.post(
                "/api/v2/webhooks",
                json={"url": "http://127.0.0.1:9/hooks", "events": ["post.published"], "business_id": 1},
            ),
            "list webhooks of 1": await intruder.get("/api/v2/webhooks", params={"business_id": 1}),
            "edit": await intruder.patch(f"/api/v2/posts/{post_id}", json={"content": "mine now"}),
            "retry": await intruder.post(f"/api/v2/posts/{post_id}/retry"),
            "history of 1": await intruder.get("/api/v2/posts", params={"business_id": 1}),
            "bulk as 1": await intruder.post(
                "/api/v2/posts/bulk",
                params={"business_id": 1},
                content=b"content,platforms\nx,twitter\n",
                headers={"Content-Type": "text/csv"},
            ),
        }
        own_list = (await intruder.get("/api/v2/scheduled")).json()
    for name, response in checks.items():
        assert response.status_code == 404, (name, response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM), name
    assert post_id not in [p["id"] for p in own_list["items"]]
    still = await api.get(f"/api/v2/posts/{post_id}")
    assert still.json()["status"] == "scheduled"


async def test_security_headers_and_rate_limit_headers(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v2/scheduled")
    assert response.status_code == 200
    h = response.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert "default-src 'none'" in h["content-security-policy"]
    assert h["cache-control"] == "no-store"
    assert int(h["x-ratelimit-limit"]) == 100  # GET /scheduled: 100/minute by default
    assert 0 <= int(h["x-ratelimit-remaining"]) < 100
    assert int(h["x-ratelimit-reset"]) >= int(time.time())
    assert h["ratelimit-policy"] == '"list";q=100;w=60'
    assert h["ratelimit"].startswith(f'"list";r={h["x-ratelimit-remaining"]};t=')
    assert "access-control-allow-origin" not in h, "CORS is closed by default"


async def test_oversized_bodies_are_413(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v2/publish",
        content=b'{"content": "' + b"x" * 400_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_chunked_bodies_over_the_cap_are_413_too(api: httpx.AsyncClient) -> None:
    async def chunks(size: int) -> AsyncIterator[bytes]:
        yield b'{"content": "'
        for _ in range(size // 4096):
            yield b"x" * 4096
        yield b'", "platforms": ["twitter"]}'

    headers = {"Content-Type": "application/json"}
    response = await api.post("/api/v2/preview", content=chunks(400_000), headers=headers)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    small = await api.post("/api/v2/preview", content=chunks(8_192), headers=headers)
    assert small.status_code == 200, small.text
