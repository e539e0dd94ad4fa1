"""API keys: endpoints (routes, the transaction), service (rules), repository (SQL), schemas.

`PREFIX` and `verify` are re-exported for the authentication dependency; the router is imported
from `endpoints` directly (it depends on the authentication dependency in turn).
"""

from herald_gateway.auth.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyView
from herald_gateway.auth.api_keys.service import PREFIX, create, list_keys, parse, revoke, verify

__all__ = [
    "PREFIX",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyView",
    "create",
    "list_keys",
    "parse",
    "revoke",
    "verify",
]
