"""OAuth 1.0a request signing (HMAC-SHA1, RFC 5849) for X's user-context calls, done by oauthlib.

A JSON or multipart body is not part of the signature; query and form parameters are.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER, Client

FORM = "application/x-www-form-urlencoded"


def authorization_header(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    form: Mapping[str, str] | None = None,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    client = Client(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        nonce=nonce,
        timestamp=str(timestamp) if timestamp is not None else None,
    )
    # oauthlib signs a body's parameters only when it is declared form-urlencoded.
    body, headers = (urlencode(dict(form)), {"Content-Type": FORM}) if form else (None, {})
    _, signed, _ = client.sign(url, method.upper(), body=body, headers=headers)
    return str(signed["Authorization"])
