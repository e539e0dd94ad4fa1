import httpx

from herald_emulator.oauth1 import (
    expected_signature,
    hmac_sha1_signature,
    parse_authorization_header,
    percent_encode,
    signature_base_string,
)

CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
TOKEN_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
OAUTH_PARAMS = {
    "oauth_consumer_key": CONSUMER_KEY,
    "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
    "oauth_signature_method": "HMAC-SHA1",
    "oauth_timestamp": "1318622958",
    "oauth_token": TOKEN,
    "oauth_version": "1.0",
}
STATUS_PARAMS = [
    ("include_entities", "true"),
    ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
]


def test_reference_vector_for_api_twitter_com() -> None:
    url = "https://api.twitter.com/1.1/statuses/update.json"
    signature = expected_signature("POST", url, OAUTH_PARAMS, STATUS_PARAMS, CONSUMER_SECRET, TOKEN_SECRET)
    assert signature == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_reference_vector_for_api_x_com() -> None:
    url = "https://api.x.com/1.1/statuses/update.json"
    signature = expected_signature("POST", url, OAUTH_PARAMS, STATUS_PARAMS, CONSUMER_SECRET, TOKEN_SECRET)
    assert signature == "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="


def test_percent_encoding_is_rfc3986() -> None:
    assert percent_encode("Ladies + Gentlemen!~-._*") == "Ladies%20%2B%20Gentlemen%21~-._%2A"


def test_base_string_drops_default_port_and_lowercases_host() -> None:
    base = signature_base_string("get", "HTTPS://API.X.COM:443/2/tweets?ignored=1", [("b", "2"), ("a", "1")])
    assert base == "GET&https%3A%2F%2Fapi.x.com%2F2%2Ftweets&a%3D1%26b%3D2"


def test_empty_token_secret_keeps_the_ampersand() -> None:
    assert hmac_sha1_signature("base", "secret") == hmac_sha1_signature("base", "secret", "")


def test_header_parsing_decodes_values() -> None:
    params = parse_authorization_header('OAuth oauth_consumer_key="a%2Bb", oauth_signature="x%3D"')
    assert params == {"oauth_consumer_key": "a+b", "oauth_signature": "x="}


def oauth_header(method: str, url: str, params: list[tuple[str, str]], nonce: str = "n1") -> str:
    oauth = {**OAUTH_PARAMS, "oauth_nonce": nonce}
    oauth["oauth_signature"] = expected_signature(method, url, oauth, params, CONSUMER_SECRET, TOKEN_SECRET)
    return "OAuth " + ", ".join(
        f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in sorted(oauth.items())
    )


async def test_signed_request_to_emulator_is_accepted(client: httpx.AsyncClient) -> None:
    header = oauth_header("POST", "http://emulator.test/2/tweets", [])
    response = await client.post(
        "/2/tweets", json={"text": "signed with OAuth 1.0a"}, headers={"Authorization": header}
    )
    assert response.status_code == 201


async def test_signature_for_the_real_host_is_accepted_too(client: httpx.AsyncClient) -> None:
    header = oauth_header("POST", "https://api.x.com/2/tweets", [])
    response = await client.post(
        "/2/tweets", json={"text": "signed for api.x.com"}, headers={"Authorization": header}
    )
    assert response.status_code == 201


async def test_query_parameters_are_part_of_the_signature(client: httpx.AsyncClient) -> None:
    url = "http://emulator.test/2/users/me"
    good = oauth_header("GET", url, [("user.fields", "id")])
    assert (
        await client.get(url, params={"user.fields": "id"}, headers={"Authorization": good})
    ).status_code == 200
    unsigned_query = oauth_header("GET", url, [])
    response = await client.get(url, params={"user.fields": "id"}, headers={"Authorization": unsigned_query})
    assert response.status_code == 401


async def test_bad_signature_is_401_problem(client: httpx.AsyncClient) -> None:
    header = oauth_header("POST", "http://emulator.test/2/tweets", []).replace(
        'oauth_nonce="n1"', 'oauth_nonce="n2"'
    )
    response = await client.post("/2/tweets", json={"text": "tampered"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {
        "title": "Unauthorized",
        "detail": "Unauthorized",
        "type": "about:blank",
        "status": 401,
    }


async def test_timestamp_skew_is_checked_when_configured(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"twitter": {"oauth1_max_clock_skew_s": 300}})
    header = oauth_header("POST", "http://emulator.test/2/tweets", [])  # timestamp from 2011
    response = await client.post("/2/tweets", json={"text": "stale"}, headers={"Authorization": header})
    assert response.status_code == 401
