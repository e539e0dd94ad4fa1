"""How the dashboard signs people in.

Production: OpenID Connect authorization code with PKCE against the configured provider; the
browser does the exchange and keeps the tokens in memory. The gateway only tells it where to go.
Development: a one-click demo sign-in for the demo businesses, signed with make dev's key.
Production refuses it, whatever else is configured.
"""

from __future__ import annotations

import time
from typing import Literal

import jwt
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from herald_gateway.openapi import problems
from herald_gateway.problems import Problem, ServiceUnavailable, Unprocessable
from herald_gateway.ratelimit import limited_by_ip
from herald_gateway.request_model import RequestModel
from herald_gateway.settings import Settings

router = APIRouter(tags=["sign-in"], dependencies=[Depends(limited_by_ip("rate_limit_unauthenticated"))])
DEMO_BUSINESSES = (1, 2)
DEMO_TOKEN_SECONDS = 3600


class DemoRefused(Problem):
    status, slug, title = 403, "demo-sign-in-disabled", "Demo sign-in is disabled"


class SignInConfig(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"mode": "demo", "demo_businesses": [1, 2]},
                {
                    "mode": "oidc",
                    "issuer": "https://id.example.com",
                    "client_id": "herald-dashboard",
                    "scope": "openid profile",
                    "audience": "herald-api",
                    "demo_businesses": [],
                },
            ]
        }
    )

    mode: Literal["oidc", "demo", "none"]
    issuer: str | None = None
    client_id: str | None = None
    scope: str | None = None
    audience: str | None = None
    demo_businesses: list[int] = []


class DemoSignIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"business_id": 1}]})

    business_id: Literal[1, 2] = Field(description="one of the demo businesses")


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "token_type": "Bearer", "expires_in": 3600}
            ]
        }
    )

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name)
    expires_in: int


def demo_allowed(settings: Settings) -> bool:
    return settings.environment != "prod" and settings.auth_dev_signing_key_file is not None


@router.get(
    "/api/v2/auth/config",
    response_model=SignInConfig,
    summary="How the dashboard signs in",
    operation_id="getSignInConfig",
    responses=problems(429),
)
async def sign_in_config(request: Request) -> SignInConfig:
    s: Settings = request.app.state.settings
    if s.auth_oidc_client_id:
        return SignInConfig(
            mode="oidc",
            issuer=s.auth_issuer,
            client_id=s.auth_oidc_client_id,
            scope=s.auth_oidc_scope,
            audience=s.auth_audience,
        )
    if demo_allowed(s):
        return SignInConfig(mode="demo", demo_businesses=list(DEMO_BUSINESSES))
    return SignInConfig(mode="none")


@router.post(
    "/dev/sign-in",
    response_model=TokenResponse,
    summary="Demo sign-in for business 1 or 2 (development only; production refuses it)",
    operation_id="demoSignIn",
    responses=problems(403, 429, 503),
)
async def demo_sign_in(body: DemoSignIn, request: Request) -> TokenResponse:
    s: Settings = request.app.state.settings
    if s.environment == "prod":
        raise DemoRefused("demo sign-in does not exist in production; sign in with your identity provider")
    if s.auth_dev_signing_key_file is None:
        raise DemoRefused("demo sign-in needs make dev's signing key (HERALD_AUTH_DEV_SIGNING_KEY_FILE)")
    if body.business_id not in DEMO_BUSINESSES:
        raise Unprocessable(
            f"business {body.business_id} is not a demo business; pick 1 or 2", field="business_id"
        )
    now = int(time.time())
    claims = {
        "iss": s.auth_issuer,
        "aud": s.auth_audience,
        s.auth_user_claim: f"demo-user-{body.business_id}",
        s.auth_businesses_claim: [body.business_id],
        "iat": now,
        "nbf": now,
        "exp": now + DEMO_TOKEN_SECONDS,
    }
    try:
        key = s.auth_dev_signing_key_file.read_bytes()
    except OSError as exc:
        raise ServiceUnavailable(f"the demo signing key cannot be read: {exc.strerror}") from None
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dev"})
    return TokenResponse(access_token=token, expires_in=DEMO_TOKEN_SECONDS)
