"""OAuth 1.0a HMAC-SHA1 signature verification (RFC 5849), as X documents it (reference 2.5)."""

import base64
import hashlib
import hmac
import re
from urllib.parse import quote, unquote, urlsplit

_HEADER_PARAM = re.compile(r'\s*([A-Za-z0-9_\-]+)\s*=\s*"([^"]*)"\s*')
_DEFAULT_PORTS = {"http": 80, "https": 443}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: everything except unreserved characters, with uppercase hex."""
    return quote(value, safe="-._~")


def normalized_base_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def signature_base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    encoded = sorted((percent_encode(key), percent_encode(value)) for key, value in params)
    param_string = "&".join(f"{key}={value}" for key, value in encoded)
    return "&".join([method.upper(), percent_encode(normalized_base_url(url)), percent_encode(param_string)])


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str = "") -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def parse_authorization_header(header: str) -> dict[str, str]:
    """The `oauth_*` parameters of an `Authorization: OAuth ...` header, decoded."""
    if not header.lower().startswith("oauth "):
        raise ValueError("not an OAuth header")
    params: dict[str, str] = {}
    for part in header[6:].split(","):
        match = _HEADER_PARAM.fullmatch(part)
        if match is None:
            if part.strip():
                raise ValueError(f"malformed OAuth parameter {part!r}")
            continue
        params[unquote(match.group(1))] = unquote(match.group(2))
    return params


def expected_signature(
    method: str,
    url: str,
    oauth_params: dict[str, str],
    request_params: list[tuple[str, str]],
    consumer_secret: str,
    token_secret: str,
) -> str:
    """Signs query and form parameters plus oauth_* (not signature or realm); JSON bodies stay unsigned."""
    signed = [(key, value) for key, value in oauth_params.items() if key not in {"oauth_signature", "realm"}]
    base = signature_base_string(method, url, signed + request_params)
    return hmac_sha1_signature(base, consumer_secret, token_secret)


def signatures_match(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
