import base64

import httpx

from herald_emulator.media_assets import tiny_jpeg
from herald_emulator.testing import X_HEADERS


async def chunked_upload(client: httpx.AsyncClient, data: bytes, media_type: str = "image/jpeg") -> str:
    init = await client.post(
        "/2/media/upload",
        data={"command": "INIT", "media_type": media_type, "total_bytes": str(len(data))},
        headers=X_HEADERS,
    )
    assert init.status_code == 200
    media_id: str = init.json()["data"]["id"]
    half = len(data) // 2
    for index, chunk in enumerate((data[:half], data[half:])):
        append = await client.post(
            "/2/media/upload",
            data={"command": "APPEND", "media_id": media_id, "segment_index": str(index)},
            files={"media": ("chunk", chunk)},
            headers=X_HEADERS,
        )
        assert append.status_code == 200
    final = await client.post(
        "/2/media/upload", data={"command": "FINALIZE", "media_id": media_id}, headers=X_HEADERS
    )
    assert final.status_code == 200
    assert final.json()["data"]["size"] == len(data)
    return media_id


async def test_image_upload_and_tweet_with_media(client: httpx.AsyncClient) -> None:
    media_id = await chunked_upload(client, tiny_jpeg())
    response = await client.post(
        "/2/tweets", json={"text": "look", "media": {"media_ids": [media_id]}}, headers=X_HEADERS
    )
    assert response.status_code == 201
    post = (await client.get("/_emulator/twitter/posts")).json()["posts"][0]
    assert post["media_ids"] == [media_id]


async def test_unknown_media_id_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/2/tweets",
        json={"text": "ghost", "media": {"media_ids": ["1880028106020515840"]}},
        headers=X_HEADERS,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Your media IDs are invalid."


async def test_video_processes_before_it_can_be_used(client: httpx.AsyncClient) -> None:
    media_id = await chunked_upload(client, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4")
    status = await client.get(
        "/2/media/upload", params={"command": "STATUS", "media_id": media_id}, headers=X_HEADERS
    )
    assert status.json()["data"]["processing_info"]["state"] == "in_progress"
    early = await client.post(
        "/2/tweets", json={"text": "v", "media": {"media_ids": [media_id]}}, headers=X_HEADERS
    )
    assert early.status_code == 400
    await client.post("/_emulator/clock", json={"advance_s": 2})
    status = await client.get(
        "/2/media/upload", params={"command": "STATUS", "media_id": media_id}, headers=X_HEADERS
    )
    assert status.json()["data"]["processing_info"]["state"] == "succeeded"
    later = await client.post(
        "/2/tweets", json={"text": "v", "media": {"media_ids": [media_id]}}, headers=X_HEADERS
    )
    assert later.status_code == 201


async def test_new_style_endpoints(client: httpx.AsyncClient) -> None:
    data = tiny_jpeg()
    init = await client.post(
        "/2/media/upload/initialize",
        json={"media_type": "image/jpeg", "total_bytes": len(data), "media_category": "tweet_image"},
        headers=X_HEADERS,
    )
    media_id = init.json()["data"]["id"]
    assert init.json()["data"]["media_key"] == f"3_{media_id}"
    append = await client.post(
        f"/2/media/upload/{media_id}/append",
        data={"segment_index": "0", "media_data": base64.b64encode(data).decode()},
        headers=X_HEADERS,
    )
    assert append.status_code == 200
    final = await client.post(f"/2/media/upload/{media_id}/finalize", headers=X_HEADERS)
    assert final.json()["data"]["id"] == media_id
    assert "processing_info" not in final.json()["data"]


async def test_finalize_with_missing_bytes_fails(client: httpx.AsyncClient) -> None:
    init = await client.post(
        "/2/media/upload",
        data={"command": "INIT", "media_type": "image/png", "total_bytes": "100"},
        headers=X_HEADERS,
    )
    media_id = init.json()["data"]["id"]
    await client.post(
        "/2/media/upload",
        data={"command": "APPEND", "media_id": media_id, "segment_index": "0"},
        files={"media": ("c", b"12345")},
        headers=X_HEADERS,
    )
    final = await client.post(
        "/2/media/upload", data={"command": "FINALIZE", "media_id": media_id}, headers=X_HEADERS
    )
    assert final.status_code == 400


async def test_one_shot_upload(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/2/media/upload", files={"media": ("a.jpg", tiny_jpeg(), "image/jpeg")}, headers=X_HEADERS
    )
    assert response.status_code == 200
    assert response.json()["data"]["size"] == len(tiny_jpeg())


async def test_media_of_another_user_is_invalid(client: httpx.AsyncClient) -> None:
    media_id = await chunked_upload(client, tiny_jpeg())
    response = await client.post(
        "/2/tweets",
        json={"text": "stolen", "media": {"media_ids": [media_id]}},
        headers={"Authorization": "Bearer dev-x-mallory"},
    )
    assert response.status_code == 400
