"""OAuth 1.0a signing against the X documentation's known vector (reference §2.5)."""

from __future__ import annotations

from urllib.parse import unquote

from herald_publisher_twitter import oauth1

CONSUMER = ("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw")
TOKEN = ("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
NONCE, TIMESTAMP = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958
STATUS = {"status": "Hello Ladies + Gentlemen, a signed OAuth request!"}


def signature(host: str) -> str:
    header = oauth1.authorization_header(
        "POST",
        f"https://{host}/1.1/statuses/update.json?include_entities=true",
        consumer_key=CONSUMER[0],
        consumer_secret=CONSUMER[1],
        token=TOKEN[0],
        token_secret=TOKEN[1],
        form=STATUS,
        nonce=NONCE,
        timestamp=TIMESTAMP,
    )
    fields = dict(item.split("=", 1) for item in header.removeprefix("OAuth ").split(", "))
    return unquote(fields["oauth_signature"].strip('"'))


def test_documented_vector() -> None:
    assert signature("api.twitter.com") == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
    assert signature("api.x.com") == "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="


def test_base_string_uri_is_normalised() -> None:
    # RFC 5849 §3.4.1.2: scheme and host are lower-cased and a default port is left out.
    expected = signature("api.x.com")
    assert signature("API.X.com") == expected
    assert signature("api.x.com:443") == expected


def test_the_header_carries_every_oauth_parameter_and_no_secret() -> None:
    header = oauth1.authorization_header(
        "POST",
        "https://api.x.com/2/tweets",
        consumer_key="ck",
        consumer_secret="cs-secret",
        token="t",
        token_secret="ts-secret",
    )
    for name in (
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_token",
        "oauth_version",
    ):
        assert f'{name}="' in header
    assert "cs-secret" not in header and "ts-secret" not in header
