import re
from urllib.parse import quote

import httpx

from herald_emulator.media_assets import tiny_jpeg
from herald_emulator.testing import LINKEDIN_HEADERS, created, linkedin_post_body

COMMENT_URN = re.compile(r"^urn:li:comment:\(urn:li:activity:\d{19},\d{19}\)$")


async def new_post(client: httpx.AsyncClient, text: str = "Part 1") -> str:
    response = await client.post("/rest/posts", json=linkedin_post_body(text), headers=LINKEDIN_HEADERS)
    assert response.status_code == 201
    urn: str = response.headers["x-restli-id"]
    return urn


def comment_body(post_urn: str, text: str) -> dict[str, object]:
    return {"actor": "urn:li:person:demo", "object": post_urn, "message": {"text": text}}


async def test_comment_on_post_returns_comment_urn(client: httpx.AsyncClient) -> None:
    post_urn = await new_post(client)
    path = f"/rest/socialActions/{quote(post_urn, safe='')}/comments"
    response = await client.post(path, json=comment_body(post_urn, "Part 2"), headers=LINKEDIN_HEADERS)
    assert response.status_code == 201
    body = response.json()
    assert COMMENT_URN.match(body["commentUrn"])
    assert body["object"] == post_urn
    assert body["message"]["text"] == "Part 2"
    assert response.headers["x-restli-id"] == body["commentUrn"]
    comment = (await created(client, "linkedin", kind="comment"))[0]
    assert comment["in_reply_to"] == post_urn
    assert comment["text"] == "Part 2"


async def test_v2_comment_path_needs_no_version_header(client: httpx.AsyncClient) -> None:
    post_urn = await new_post(client)
    headers = {key: value for key, value in LINKEDIN_HEADERS.items() if key != "LinkedIn-Version"}
    path = f"/v2/socialActions/{quote(post_urn, safe='')}/comments"
    response = await client.post(path, json=comment_body(post_urn, "legacy path"), headers=headers)
    assert response.status_code == 201


async def test_comment_limits_and_errors(client: httpx.AsyncClient) -> None:
    post_urn = await new_post(client)
    path = f"/rest/socialActions/{quote(post_urn, safe='')}/comments"
    too_long = await client.post(path, json=comment_body(post_urn, "a" * 1251), headers=LINKEDIN_HEADERS)
    assert too_long.status_code == 400
    assert "1250" in too_long.json()["message"]
    missing = await client.post(path, json={"actor": "urn:li:person:demo"}, headers=LINKEDIN_HEADERS)
    assert missing.status_code == 422
    assert "ERROR :: /message :: field is required" in missing.json()["message"]
    unknown = f"/rest/socialActions/{quote('urn:li:share:1', safe='')}/comments"
    assert (
        await client.post(unknown, json=comment_body("urn:li:share:1", "x"), headers=LINKEDIN_HEADERS)
    ).status_code == 404


async def test_comment_text_is_little_format_too(client: httpx.AsyncClient) -> None:
    post_urn = await new_post(client)
    path = f"/rest/socialActions/{quote(post_urn, safe='')}/comments"
    await client.post(path, json=comment_body(post_urn, "see [docs] here"), headers=LINKEDIN_HEADERS)
    comment = (await created(client, "linkedin", kind="comment"))[0]
    assert comment["text"] == "see "


async def upload_image(client: httpx.AsyncClient) -> str:
    init = await client.post(
        "/rest/images",
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": {"owner": "urn:li:person:demo"}},
        headers=LINKEDIN_HEADERS,
    )
    assert init.status_code == 200
    value = init.json()["value"]
    assert value["image"].startswith("urn:li:image:")
    assert value["uploadUrlExpiresAt"] > 0
    put = await client.put(
        value["uploadUrl"], content=tiny_jpeg(), headers={"Authorization": "Bearer dev-linkedin"}
    )
    assert put.status_code == 201
    urn: str = value["image"]
    return urn


async def test_image_upload_then_processing_then_available(client: httpx.AsyncClient) -> None:
    urn = await upload_image(client)
    status = await client.get(f"/rest/images/{quote(urn, safe='')}", headers=LINKEDIN_HEADERS)
    assert status.json()["status"] == "PROCESSING"
    await client.post("/_emulator/clock", json={"advance_s": 2})
    status = await client.get(f"/rest/images/{quote(urn, safe='')}", headers=LINKEDIN_HEADERS)
    assert status.json()["status"] == "AVAILABLE"


async def test_post_with_uploaded_image(client: httpx.AsyncClient) -> None:
    urn = await upload_image(client)
    body = linkedin_post_body("With a picture", content={"media": {"id": urn, "altText": "a grey square"}})
    response = await client.post("/rest/posts", json=body, headers=LINKEDIN_HEADERS)
    assert response.status_code == 201
    [post] = await created(client, "linkedin")
    assert post["media_ids"] == [urn]


async def test_post_with_unknown_image_is_rejected(client: httpx.AsyncClient) -> None:
    body = linkedin_post_body("Ghost picture", content={"media": {"id": "urn:li:image:nope"}})
    assert (await client.post("/rest/posts", json=body, headers=LINKEDIN_HEADERS)).status_code == 400


async def test_post_with_processing_image_can_be_rejected(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"linkedin": {"reject_unavailable_images": True}})
    urn = await upload_image(client)
    body = linkedin_post_body("Too early", content={"media": {"id": urn}})
    assert (await client.post("/rest/posts", json=body, headers=LINKEDIN_HEADERS)).status_code == 400


async def test_list_comments_for_reconciliation(client: httpx.AsyncClient) -> None:
    post_urn = await new_post(client)
    path = f"/rest/socialActions/{quote(post_urn, safe='')}/comments"
    created_urns = []
    for text in ("Part 2", "Part 3"):
        response = await client.post(path, json=comment_body(post_urn, text), headers=LINKEDIN_HEADERS)
        created_urns.append(response.json()["commentUrn"])
    listing = await client.get(path, headers=LINKEDIN_HEADERS)
    assert listing.status_code == 200
    elements = listing.json()["elements"]
    assert [element["$URN"] for element in elements] == created_urns
    assert [element["message"]["text"] for element in elements] == ["Part 2", "Part 3"]
    v2 = await client.get(f"/v2/socialActions/{quote(post_urn, safe='')}/comments", headers=LINKEDIN_HEADERS)
    assert len(v2.json()["elements"]) == 2
