"""FastAPI dependencies: prove who is calling from the request, for the handlers' `Caller`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from herald_gateway.auth import api_keys, failed_attempts
from herald_gateway.auth.caller import Caller
from herald_gateway.auth.jwt_verifier import JwtVerifier
from herald_gateway.problems import Problem, Unauthorized


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


# Declared as FastAPI security schemes so the OpenAPI document names them and /docs can authorise;
# auto_error=False: a missing credential is our 401 problem, not FastAPI's 403.
bearer_scheme = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT from the identity provider (`make token` locally), or an API key",
    auto_error=False,
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKey",
    description="An API key (`hk_…`) created with POST /api/v2/api-keys",
    auto_error=False,
)


def _credentials(bearer: HTTPAuthorizationCredentials | None, api_key: str | None) -> str:
    if api_key and api_key.strip():
        return api_key.strip()
    if bearer is None or not bearer.credentials.strip():
        raise Unauthorized("send `Authorization: Bearer <token or API key>` or `X-API-Key: <key>`")
    return bearer.credentials.strip()


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Caller:
    verifier: JwtVerifier = request.app.state.verifier
    try:
        credential = _credentials(bearer, api_key)
        is_key = credential.startswith(api_keys.PREFIX)
        # A token verified moments ago needs no check (nor a Redis round trip); anything else may
        # be a guess, refused outright once its address has failed too often.
        caller = None if is_key else verifier.verified.get(credential)
        if caller is None:
            await failed_attempts.refuse_if_failing_too_often(request)
            if is_key:
                caller = await api_keys.verify(request.app.state.infra.pool, credential)
            else:
                caller = await verifier.verify(credential)
    except Unauthorized:
        await failed_attempts.count_failure(request)
        raise
    request.state.caller = caller  # for the rate limiter and logs
    return caller


async def authenticate_person(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    """Routes that manage credentials (API keys, connected accounts) are for people, not keys."""
    if caller.via != "jwt":
        raise Forbidden("this route needs a signed-in user; API keys cannot manage credentials")
    return caller


CurrentCaller = Annotated[Caller, Depends(authenticate)]
CurrentPerson = Annotated[Caller, Depends(authenticate_person)]
