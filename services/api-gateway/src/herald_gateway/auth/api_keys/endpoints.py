"""API key management routes: parse, open the transaction, delegate to the service."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from herald_gateway.auth.api_keys import schemas, service
from herald_gateway.auth.dependencies import CurrentPerson
from herald_gateway.openapi import problems
from herald_gateway.ratelimit import limited

router = APIRouter(
    prefix="/api/v2/api-keys", tags=["api keys"], dependencies=[Depends(limited("rate_limit_other"))]
)


@router.post(
    "",
    status_code=201,
    response_model=schemas.ApiKeyCreated,
    responses=problems(403, 404),
    operation_id="createApiKey",
    summary="Create a key (shown once)",
)
async def create_key(
    body: schemas.ApiKeyCreate, request: Request, caller: CurrentPerson
) -> schemas.ApiKeyCreated:
    max_keys = request.app.state.settings.api_keys_per_business
    async with request.app.state.infra.pool.acquire() as conn, conn.transaction():
        return await service.create(conn, caller, body, max_keys=max_keys)


@router.get(
    "",
    response_model=list[schemas.ApiKeyView],
    responses=problems(403, 404),
    operation_id="listApiKeys",
    summary="A business's active keys",
)
async def list_keys(
    request: Request, caller: CurrentPerson, business_id: int | None = None
) -> list[schemas.ApiKeyView]:
    return await service.list_keys(request.app.state.infra.pool, caller, business_id)


@router.delete(
    "/{key_id}",
    status_code=204,
    responses=problems(403, 404),
    operation_id="revokeApiKey",
    summary="Revoke a key",
)
async def revoke_key(key_id: str, request: Request, caller: CurrentPerson) -> Response:
    await service.revoke(request.app.state.infra.pool, caller, key_id)  # one statement: atomic alone
    return Response(status_code=204)
