import json

import httpx
import pytest

from herald_emulator.media_assets import tiny_jpeg
from herald_emulator.testing import META_TOKEN, PAGE_ID, created


async def feed_post(client: httpx.AsyncClient, prefix: str = "/v25.0", **fields: str) -> httpx.Response:
    return await client.post(f"{prefix}/{PAGE_ID}/feed", data={"access_token": META_TOKEN, **fields})


@pytest.mark.parametrize("prefix", ["/v25.0", "/v19.0", ""])
async def test_feed_post_with_and_without_version(client: httpx.AsyncClient, prefix: str) -> None:
    response = await feed_post(client, prefix, message=f"Hello Page {prefix}")
    assert response.status_code == 200
    post_id = response.json()["id"]
    assert post_id.startswith(f"{PAGE_ID}_")
    [post] = await created(client, "facebook")
    assert post["url"] == f"https://www.facebook.com/{post_id}"
    assert post["account"] == PAGE_ID


async def test_token_in_json_body_or_bearer_header(client: httpx.AsyncClient) -> None:
    as_json = await client.post(f"/{PAGE_ID}/feed", json={"message": "json body", "access_token": META_TOKEN})
    assert as_json.status_code == 200
    as_bearer = await client.post(
        f"/{PAGE_ID}/feed", data={"message": "bearer"}, headers={"Authorization": f"Bearer {META_TOKEN}"}
    )
    assert as_bearer.status_code == 200


async def test_usage_header_for_page_tokens(client: httpx.AsyncClient) -> None:
    response = await feed_post(client, message="usage")
    usage = json.loads(response.headers["x-business-use-case-usage"])
    entry = usage[PAGE_ID][0]
    assert entry["type"] == "pages"
    assert set(entry) >= {"call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"}


async def test_missing_and_bad_tokens(client: httpx.AsyncClient) -> None:
    missing = await client.post(f"/{PAGE_ID}/feed", data={"message": "x"})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == 104
    bad = await client.post(f"/{PAGE_ID}/feed", data={"message": "x", "access_token": "garbage"})
    error = bad.json()["error"]
    assert (error["type"], error["code"]) == ("OAuthException", 190)
    assert error["fbtrace_id"]


async def test_user_token_cannot_post_to_a_page(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/{PAGE_ID}/feed", data={"message": "x", "access_token": "dev-meta-user"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 200
    assert "x-app-usage" not in response.headers


async def test_duplicate_message_is_506(client: httpx.AsyncClient) -> None:
    await feed_post(client, message="twice")
    response = await feed_post(client, message="twice")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (506, "(#506) Duplicate status message")


async def test_duplicate_can_be_368(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"facebook": {"duplicate_code": 368}})
    await feed_post(client, message="twice")
    assert (await feed_post(client, message="twice")).json()["error"]["code"] == 368


async def test_empty_post_is_rejected(client: httpx.AsyncClient) -> None:
    response = await feed_post(client)
    assert response.json()["error"]["message"] == "(#100) Missing message or attachment"


async def test_link_post_and_scheduling_window(client: httpx.AsyncClient) -> None:
    assert (await feed_post(client, link="https://herald.test/a")).status_code == 200
    now = int((await client.get("/_emulator/clock")).json()["now"])
    too_soon = await feed_post(
        client, message="soon", published="false", scheduled_publish_time=str(now + 60)
    )
    assert too_soon.json()["error"]["code"] == 100
    ok = await feed_post(client, message="later", published="false", scheduled_publish_time=str(now + 3600))
    assert ok.status_code == 200


async def test_page_throttle_is_80001_transient(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"facebook": {"page_calls_per_window": 2}})
    for index in range(2):
        assert (await feed_post(client, message=f"m{index}")).status_code == 200
    response = await feed_post(client, message="over")
    error = response.json()["error"]
    assert (error["code"], error["is_transient"]) == (80001, True)
    usage = json.loads(response.headers["x-business-use-case-usage"])
    assert usage[PAGE_ID][0]["call_count"] == 100
    assert usage[PAGE_ID][0]["estimated_time_to_regain_access"] > 0


async def test_photo_by_url_and_by_upload(client: httpx.AsyncClient) -> None:
    by_url = await client.post(
        f"/v25.0/{PAGE_ID}/photos",
        data={"url": "https://cdn.herald.test/a.jpg", "caption": "pic", "access_token": META_TOKEN},
    )
    body = by_url.json()
    assert body["post_id"] == f"{PAGE_ID}_{body['id']}"
    upload = await client.post(
        f"/{PAGE_ID}/photos",
        data={"message": "uploaded", "access_token": META_TOKEN},
        files={"source": ("a.jpg", tiny_jpeg(), "image/jpeg")},
    )
    assert upload.status_code == 200
    bad = await client.post(
        f"/{PAGE_ID}/photos", data={"url": "https://cdn.herald.test/a.txt", "access_token": META_TOKEN}
    )
    assert bad.json()["error"]["code"] == 324


async def test_multi_photo_post_uses_unpublished_photos(client: httpx.AsyncClient) -> None:
    photo_ids = []
    for index in range(2):
        response = await client.post(
            f"/{PAGE_ID}/photos",
            data={
                "url": f"https://cdn.herald.test/{index}.jpg",
                "published": "false",
                "access_token": META_TOKEN,
            },
        )
        assert "post_id" not in response.json()
        photo_ids.append(response.json()["id"])
    attached = json.dumps([{"media_fbid": photo_id} for photo_id in photo_ids])
    response = await feed_post(client, message="album", attached_media=attached)
    assert response.status_code == 200
    [post] = await created(client, "facebook")
    assert post["media_ids"] == photo_ids


async def test_comment_on_post(client: httpx.AsyncClient) -> None:
    post_id = (await feed_post(client, message="parent")).json()["id"]
    response = await client.post(
        f"/v25.0/{post_id}/comments", data={"message": "child", "access_token": META_TOKEN}
    )
    assert response.status_code == 200
    comment_id = response.json()["id"]
    assert comment_id.startswith(post_id.split("_")[1] + "_")
    comment = (await created(client, "facebook", kind="comment"))[0]
    assert comment["in_reply_to"] == post_id
    missing = await client.post(f"/{PAGE_ID}_999/comments", data={"message": "x", "access_token": META_TOKEN})
    assert missing.json()["error"]["error_subcode"] == 33


async def test_feed_listing_for_reconciliation(client: httpx.AsyncClient) -> None:
    ids = [(await feed_post(client, message=f"n{index}")).json()["id"] for index in range(3)]
    response = await client.get(f"/v25.0/{PAGE_ID}/feed", params={"access_token": META_TOKEN, "limit": "2"})
    data = response.json()["data"]
    assert [item["id"] for item in data] == [ids[2], ids[1]]
    assert data[0]["message"] == "n2"
    assert data[0]["created_time"].endswith("+0000")
    one = await client.get(f"/{ids[0]}", params={"access_token": META_TOKEN, "fields": "id,message"})
    assert one.json() == {"id": ids[0], "message": "n0"}


async def test_list_comments_for_reconciliation(client: httpx.AsyncClient) -> None:
    post_id = (await feed_post(client, message="parent")).json()["id"]
    for text in ("first", "second"):
        await client.post(f"/{post_id}/comments", data={"message": text, "access_token": META_TOKEN})
    listing = await client.get(
        f"/v25.0/{post_id}/comments", params={"fields": "id,message", "access_token": META_TOKEN}
    )
    assert [item["message"] for item in listing.json()["data"]] == ["first", "second"]
    assert set(listing.json()["data"][0]) == {"id", "message"}
