"""OAuth 1.0a request signing (HMAC-SHA1, RFC 5849), as X requires for user-context calls.

A JSON body is not part of the signature; query and form parameters are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit


def pct(value: str) -> str:
    return quote(value, safe="~-._")


def signature_base(method: str, url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    base_url = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
    all_params = params + parse_qsl(parts.query, keep_blank_values=True)
    encoded = sorted((pct(k), pct(v)) for k, v in all_params)
    param_string = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join([method.upper(), pct(base_url), pct(param_string)])


def sign(base: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{pct(consumer_secret)}&{pct(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


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
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    base = signature_base(method, url, list(oauth.items()) + list((form or {}).items()))
    oauth["oauth_signature"] = sign(base, consumer_secret, token_secret)
    return "OAuth " + ", ".join(f'{pct(k)}="{pct(v)}"' for k, v in sorted(oauth.items()))
