"""API key management routes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from herald_gateway.auth import api_keys
from herald_gateway.auth.dependencies import CurrentPerson
from herald_gateway.openapi import problems
from herald_gateway.ratelimit import limited

router = APIRouter(
    prefix="/api/v2/api-keys", tags=["api keys"], dependencies=[Depends(limited("rate_limit_other"))]
)


@router.post(
    "",
    status_code=201,
    response_model=api_keys.ApiKeyCreated,
    responses=problems(403, 404),
    operation_id="createApiKey",
    summary="Create a key (shown once)",
)
async def create_key(
    body: api_keys.ApiKeyCreate, request: Request, caller: CurrentPerson
) -> api_keys.ApiKeyCreated:
    max_keys = request.app.state.settings.api_keys_per_business
    return await api_keys.create(request.app.state.infra.pool, caller, body, max_keys=max_keys)


@router.get(
    "",
    response_model=list[api_keys.ApiKeyView],
    responses=problems(403, 404),
    operation_id="listApiKeys",
    summary="A business's active keys",
)
async def list_keys(
    request: Request, caller: CurrentPerson, business_id: int | None = None
) -> list[api_keys.ApiKeyView]:
    return await api_keys.list_keys(request.app.state.infra.pool, caller, business_id)


@router.delete(
    "/{key_id}",
    status_code=204,
    responses=problems(403, 404),
    operation_id="revokeApiKey",
    summary="Revoke a key",
)
async def revoke_key(key_id: str, request: Request, caller: CurrentPerson) -> Response:
    await api_keys.revoke(request.app.state.infra.pool, caller, key_id)
    return Response(status_code=204)
