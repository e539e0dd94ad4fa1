"""Listing endpoints page like the real APIs: LinkedIn `start`/`count` with Rest.li links, X
`pagination_token` with `start_time`/`since_id`, Graph `paging.cursors`/`next`. Walking every page
returns every object exactly once, even when new ones arrive at the head while paging."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from herald_emulator.testing import (
    IG_USER_ID,
    LINKEDIN_HEADERS,
    META_TOKEN,
    PAGE_ID,
    SAMPLE_JPEG_PATH,
    X_HEADERS,
    linkedin_post_body,
)

X_USER = "1000000000000000001"


@pytest.fixture(autouse=True)
async def no_rate_limits(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"rate_limits_enabled": False})


async def linkedin_posts(client: httpx.AsyncClient, count: int) -> list[str]:
    urns = []
    for index in range(count):
        response = await client.post(
            "/rest/posts", json=linkedin_post_body(f"paged {index}"), headers=LINKEDIN_HEADERS
        )
        urns.append(response.headers["x-restli-id"])
    return urns


async def test_linkedin_posts_by_author_page_with_start_count_and_next_links(
    client: httpx.AsyncClient,
) -> None:
    urns = await linkedin_posts(client, 7)
    seen: list[str] = []
    url: str | None = "/rest/posts?q=author&author=urn%3Ali%3Aperson%3Ademo&count=3&sortBy=CREATED"
    pages = 0
    while url is not None:
        body = (await client.get(url, headers=LINKEDIN_HEADERS)).json()
        seen += [element["id"] for element in body["elements"]]
        nexts = [link["href"] for link in body["paging"]["links"] if link["rel"] == "next"]
        url = nexts[0] if nexts else None
        pages += 1
    assert seen == urns[::-1]
    assert pages == 3
    last = (await client.get(url or "/rest/posts?q=author&author=urn:li:person:demo&start=6&count=3",
                             headers=LINKEDIN_HEADERS)).json()  # fmt: skip
    assert [link["rel"] for link in last["paging"]["links"]] == ["prev"]


async def test_linkedin_rejects_an_unknown_sort(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/rest/posts",
        params={"q": "author", "author": "urn:li:person:demo", "sortBy": "OLDEST"},
        headers=LINKEDIN_HEADERS,
    )
    assert response.status_code == 400


async def tweet(client: httpx.AsyncClient, text: str) -> str:
    response = await client.post("/2/tweets", json={"text": text}, headers=X_HEADERS)
    assert response.status_code == 201, response.text
    tweet_id: str = response.json()["data"]["id"]
    return tweet_id


async def timeline(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get(f"/2/users/{X_USER}/tweets", params=params, headers=X_HEADERS)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_x_timeline_pages_with_next_token_and_new_tweets_do_not_shift_pages(
    client: httpx.AsyncClient,
) -> None:
    ids = [await tweet(client, f"timeline {index}") for index in range(12)]
    first = await timeline(client, max_results="5")
    assert [t["id"] for t in first["data"]] == ids[::-1][:5]
    await tweet(client, "arrived while paging")
    seen = [t["id"] for t in first["data"]]
    token = first["meta"].get("next_token")
    while token:
        page = await timeline(client, max_results="5", pagination_token=token)
        seen += [t["id"] for t in page["data"]]
        token = page["meta"].get("next_token")
    assert seen == ids[::-1]


async def test_x_timeline_since_id_and_start_time_bound_the_search(client: httpx.AsyncClient) -> None:
    old = await tweet(client, "before")
    await client.post("/_emulator/clock", json={"advance_s": 600})
    cut = datetime.now(UTC) + timedelta(seconds=300)
    newer = [await tweet(client, f"after {index}") for index in range(2)]
    since = await timeline(client, max_results="5", since_id=old)
    assert [t["id"] for t in since["data"]] == newer[::-1]
    started = await timeline(client, max_results="5", start_time=cut.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert [t["id"] for t in started["data"]] == newer[::-1]
    bad = await client.get(f"/2/users/{X_USER}/tweets", params={"start_time": "yesterday"}, headers=X_HEADERS)
    assert bad.status_code == 400


async def walk_graph(client: httpx.AsyncClient, path: str, **params: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    query = {"access_token": META_TOKEN, **params}
    while True:
        body = (await client.get(path, params=query)).json()
        items += body["data"]
        pages += 1
        paging = body.get("paging") or {}
        if "next" not in paging:
            return items, pages
        next_query = parse_qs(urlsplit(paging["next"]).query)
        assert next_query["after"] == [paging["cursors"]["after"]]
        query = {**query, "after": paging["cursors"]["after"]}


async def test_facebook_feed_pages_with_cursors_and_next(client: httpx.AsyncClient) -> None:
    ids = []
    for index in range(5):
        response = await client.post(
            f"/{PAGE_ID}/feed", data={"message": f"feed {index}", "access_token": META_TOKEN}
        )
        ids.append(response.json()["id"])
    items, pages = await walk_graph(client, f"/v25.0/{PAGE_ID}/feed", limit="2", fields="id,message")
    assert [item["id"] for item in items] == ids[::-1]
    assert pages == 3
    later = datetime.now(UTC) + timedelta(days=1)
    none = await client.get(
        f"/{PAGE_ID}/feed", params={"access_token": META_TOKEN, "since": str(int(later.timestamp()))}
    )
    assert none.json()["data"] == []


async def test_instagram_media_and_comments_page_with_cursors(client: httpx.AsyncClient) -> None:
    media_ids = []
    for index in range(3):
        container = await client.post(
            f"/{IG_USER_ID}/media",
            params={"image_url": f"http://emulator.test{SAMPLE_JPEG_PATH}", "caption": f"ig {index}",
                    "access_token": META_TOKEN},
        )  # fmt: skip
        await client.post("/_emulator/clock", json={"advance_s": 2})
        published = await client.post(
            f"/{IG_USER_ID}/media_publish",
            params={"creation_id": container.json()["id"], "access_token": META_TOKEN},
        )
        media_ids.append(published.json()["id"])
    items, pages = await walk_graph(client, f"/{IG_USER_ID}/media", limit="2", fields="id,caption")
    assert [item["id"] for item in items] == media_ids[::-1]
    assert pages == 2
    comment_ids = []
    for index in range(3):
        response = await client.post(
            f"/{media_ids[0]}/comments", data={"message": f"c{index}", "access_token": META_TOKEN}
        )
        comment_ids.append(response.json()["id"])
    comments, pages = await walk_graph(client, f"/{media_ids[0]}/comments", limit="2")
    assert [c["id"] for c in comments] == comment_ids
    assert pages == 2


async def test_graph_rejects_a_cursor_it_did_not_issue(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/{PAGE_ID}/feed", params={"access_token": META_TOKEN, "after": "%%%"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
