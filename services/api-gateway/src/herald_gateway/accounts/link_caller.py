"""Who starts a consent: the signed-in person (bearer or X-API-Key, exactly as on every route), or,
for a plain browser navigation that carries no header, the person a signed `?link=` acts for."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from herald_common.platforms import Platform
from herald_gateway.accounts.link_token import TOKEN_PATTERN, LinkRefused
from herald_gateway.accounts.links import AuthorizeLinks
from herald_gateway.auth import failed_attempts
from herald_gateway.auth.caller import Caller
from herald_gateway.auth.dependencies import (
    api_key_scheme,
    authenticate,
    authenticate_person,
    bearer_scheme,
)
from herald_gateway.problems import app_part
from herald_gateway.ratelimit import apply_limit

LinkParam = Annotated[
    str | None,
    Query(
        pattern=TOKEN_PATTERN,
        description="A link token from POST /api/oauth/{platform}/links: lets a browser navigation "
        "without an Authorization header start the consent (once, for a couple of minutes). "
        "Ignored when the request carries credentials.",
    ),
]


def links(request: Request) -> AuthorizeLinks:
    found: AuthorizeLinks = app_part(request, "authorize_links", "connected accounts")
    return found


async def person_or_link(
    platform: Platform,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
    link: LinkParam = None,
) -> Caller:
    if link is None or bearer is not None or api_key is not None:
        caller = await authenticate_person(await authenticate(request, bearer, api_key))
    else:
        await failed_attempts.refuse_if_failing_too_often(request)
        try:
            caller = await links(request).redeem(link, platform)
        except LinkRefused:
            await failed_attempts.count_failure(request)
            raise
        request.state.caller = caller  # for the logs, as authenticate does
    await apply_limit(request, "rate_limit_other", caller.rate_limit_key)
    return caller


PersonOrLink = Annotated[Caller, Depends(person_or_link)]
