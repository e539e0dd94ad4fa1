import httpx
import pytest

from herald_emulator.testing import IG_USER_ID, META_TOKEN, SAMPLE_JPEG_PATH, created

JPEG_URL = f"http://emulator.test{SAMPLE_JPEG_PATH}"


async def create_container(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await client.post(f"/v25.0/{IG_USER_ID}/media", params={"access_token": META_TOKEN, **params})


async def status_of(client: httpx.AsyncClient, container_id: str) -> dict[str, str]:
    response = await client.get(
        f"/v25.0/{container_id}", params={"fields": "status_code,status", "access_token": META_TOKEN}
    )
    body: dict[str, str] = response.json()
    return body


async def publish(client: httpx.AsyncClient, creation_id: str) -> httpx.Response:
    return await client.post(
        f"/v25.0/{IG_USER_ID}/media_publish", params={"creation_id": creation_id, "access_token": META_TOKEN}
    )


async def finish_processing(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/clock", json={"advance_s": 2})


async def test_container_flow_in_progress_finished_published(client: httpx.AsyncClient) -> None:
    container = await create_container(client, image_url=JPEG_URL, caption="First #post")
    assert container.status_code == 200
    container_id = container.json()["id"]
    assert (await status_of(client, container_id))["status_code"] == "IN_PROGRESS"
    early = await publish(client, container_id)
    assert early.status_code == 400
    error = early.json()["error"]
    assert (error["code"], error["error_subcode"], error["message"]) == (
        9007,
        2207027,
        "Media ID is not available",
    )
    await finish_processing(client)
    assert (await status_of(client, container_id))["status_code"] == "FINISHED"
    published = await publish(client, container_id)
    assert published.status_code == 200
    media_id = published.json()["id"]
    assert (await status_of(client, container_id))["status_code"] == "PUBLISHED"
    [media] = await created(client, "instagram")
    assert media["id"] == media_id
    assert media["text"] == "First #post"
    assert media["url"].startswith("https://www.instagram.com/p/")
    again = await publish(client, container_id)
    assert again.status_code == 400


async def test_container_without_media_is_rejected(client: httpx.AsyncClient) -> None:
    response = await create_container(client, caption="text only")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "(#100) The parameter image_url is required."


@pytest.mark.parametrize(
    "url",
    [
        "http://emulator.test/_emulator/media/sample.png",
        "http://emulator.test/_emulator/media/not-really-a.jpg",
        "https://cdn.herald.test/picture.png",
        "http://emulator.test/_emulator/media/missing.jpg",
    ],
)
async def test_only_fetchable_jpeg_is_accepted(client: httpx.AsyncClient, url: str) -> None:
    response = await create_container(client, image_url=url)
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"]) == (9004, 2207052)


async def test_any_jpeg_url_is_accepted_and_check_can_be_disabled(client: httpx.AsyncClient) -> None:
    assert (await create_container(client, image_url="https://cdn.herald.test/a.jpeg")).status_code == 200
    await client.post("/_emulator/config", json={"instagram": {"require_jpeg": False}})
    assert (await create_container(client, image_url="https://cdn.herald.test/a.png")).status_code == 200


async def test_caption_limits(client: httpx.AsyncClient) -> None:
    too_long = await create_container(client, image_url=JPEG_URL, caption="a" * 2201)
    assert too_long.status_code == 400
    hashtags = " ".join(f"#t{index}" for index in range(31))
    assert (await create_container(client, image_url=JPEG_URL, caption=hashtags)).status_code == 400
    mentions = " ".join(f"@u{index}" for index in range(21))
    assert (await create_container(client, image_url=JPEG_URL, caption=mentions)).status_code == 400
    await client.post("/_emulator/config", json={"instagram": {"max_hashtags": 5}})
    six = " ".join(f"#t{index}" for index in range(6))
    assert (await create_container(client, image_url=JPEG_URL, caption=six)).status_code == 400


async def test_carousel(client: httpx.AsyncClient) -> None:
    children = [
        (await create_container(client, image_url=JPEG_URL, is_carousel_item="true")).json()["id"]
        for _ in range(2)
    ]
    carousel = await create_container(
        client, media_type="CAROUSEL", children=",".join(children), caption="album"
    )
    assert carousel.status_code == 200
    await finish_processing(client)
    published = await publish(client, carousel.json()["id"])
    assert published.status_code == 200
    [media] = await created(client, "instagram")
    assert media["media_ids"][1:] == children
    assert media["extra"]["media_type"] == "CAROUSEL"


async def test_carousel_needs_two_item_children(client: httpx.AsyncClient) -> None:
    single = (await create_container(client, image_url=JPEG_URL)).json()["id"]
    item = (await create_container(client, image_url=JPEG_URL, is_carousel_item="true")).json()["id"]
    assert (await create_container(client, media_type="CAROUSEL", children=item)).status_code == 400
    not_items = await create_container(client, media_type="CAROUSEL", children=f"{item},{single}")
    assert not_items.status_code == 400


async def test_publishing_quota(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"instagram": {"quota_total": 2}})
    containers = [
        (await create_container(client, image_url=JPEG_URL, caption=f"c{index}")).json()["id"]
        for index in range(3)
    ]
    await finish_processing(client)
    for container_id in containers[:2]:
        assert (await publish(client, container_id)).status_code == 200
    over = await publish(client, containers[2])
    error = over.json()["error"]
    assert (error["code"], error["error_subcode"]) == (9, 2207042)
    limit = await client.get(
        f"/v25.0/{IG_USER_ID}/content_publishing_limit",
        params={"fields": "quota_usage,config", "access_token": META_TOKEN},
    )
    assert limit.json() == {
        "data": [{"quota_usage": 2, "config": {"quota_total": 2, "quota_duration": 86400}}]
    }
    await client.post("/_emulator/clock", json={"advance_s": 86_400})
    fresh = (await create_container(client, image_url=JPEG_URL, caption="next day")).json()["id"]
    await finish_processing(client)
    assert (await publish(client, fresh)).status_code == 200


async def test_containers_expire_after_a_day(client: httpx.AsyncClient) -> None:
    container_id = (await create_container(client, image_url=JPEG_URL)).json()["id"]
    await client.post("/_emulator/clock", json={"advance_s": 86_401})
    assert (await status_of(client, container_id))["status_code"] == "EXPIRED"
    assert (await publish(client, container_id)).json()["error"]["error_subcode"] == 2207020


async def test_reels_need_video_and_video_type_is_carousel_only(client: httpx.AsyncClient) -> None:
    assert (await create_container(client, media_type="REELS")).status_code == 400
    assert (
        await create_container(client, media_type="VIDEO", video_url="https://cdn/a.mp4")
    ).status_code == 400
    reel = await create_container(client, media_type="REELS", video_url="https://cdn.herald.test/a.mp4")
    assert reel.status_code == 200


async def test_unknown_creation_id(client: httpx.AsyncClient) -> None:
    error = (await publish(client, "17889455560051444")).json()["error"]
    assert (error["code"], error["error_subcode"]) == (24, 2207008)


async def test_list_media_for_reconciliation(client: httpx.AsyncClient) -> None:
    container_id = (await create_container(client, image_url=JPEG_URL, caption="listed")).json()["id"]
    await finish_processing(client)
    media_id = (await publish(client, container_id)).json()["id"]
    listing = await client.get(
        f"/{IG_USER_ID}/media", params={"fields": "id,caption,permalink", "access_token": META_TOKEN}
    )
    [item] = listing.json()["data"]
    assert (item["id"], item["caption"]) == (media_id, "listed")


async def test_served_test_media(client: httpx.AsyncClient) -> None:
    jpeg = await client.get(SAMPLE_JPEG_PATH)
    assert jpeg.headers["content-type"] == "image/jpeg"
    assert jpeg.content.startswith(b"\xff\xd8\xff")
    png = await client.get("/_emulator/media/sample.png")
    assert png.content.startswith(b"\x89PNG")
    await client.put(
        "/_emulator/media/custom.jpg", content=jpeg.content, headers={"content-type": "image/jpeg"}
    )
    url = "http://emulator.test/_emulator/media/custom.jpg"
    assert (await create_container(client, image_url=url)).status_code == 200


async def published_media(client: httpx.AsyncClient, caption: str = "with comments") -> str:
    container_id = (await create_container(client, image_url=JPEG_URL, caption=caption)).json()["id"]
    await finish_processing(client)
    media_id: str = (await publish(client, container_id)).json()["id"]
    return media_id


async def test_comment_on_media_and_list_comments(client: httpx.AsyncClient) -> None:
    media_id = await published_media(client)
    response = await client.post(
        f"/v25.0/{media_id}/comments", data={"message": "first comment", "access_token": META_TOKEN}
    )
    assert response.status_code == 200
    comment = (await created(client, "instagram", kind="comment"))[0]
    assert (comment["id"], comment["in_reply_to"], comment["text"]) == (
        response.json()["id"],
        media_id,
        "first comment",
    )
    listing = await client.get(f"/{media_id}/comments", params={"access_token": META_TOKEN})
    assert [item["text"] for item in listing.json()["data"]] == ["first comment"]
    assert await created(client, "facebook") == []


async def test_instagram_faults_apply_to_shared_graph_paths(client: httpx.AsyncClient) -> None:
    container_id = (await create_container(client, image_url=JPEG_URL)).json()["id"]
    await client.post("/_emulator/faults", json={"platform": "instagram", "kind": "status", "status": 500})
    failed = await status_of(client, container_id)
    assert failed["error"]["code"] == 2  # type: ignore[index]
    calls = (await client.get("/_emulator/calls", params={"platform": "instagram"})).json()["calls"]
    assert calls[-1]["endpoint"] == "get_node"


async def test_get_published_media_permalink(client: httpx.AsyncClient) -> None:
    media_id = await published_media(client)
    response = await client.get(
        f"/v25.0/{media_id}", params={"fields": "permalink", "access_token": META_TOKEN}
    )
    body = response.json()
    assert body["id"] == media_id
    assert body["permalink"].startswith("https://www.instagram.com/p/")
