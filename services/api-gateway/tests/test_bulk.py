"""POST /api/v2/posts/bulk: CSV or JSON lines, each row checked as a single post, one answer per
row, a bad row never blocks the others, and re-sending the same file creates nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

LATER = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)


def csv_file(tag: str) -> bytes:
    day = LATER.strftime("%Y-%m-%dT09:00:00")
    lines = [
        "external_id,content,platforms,scheduled_for,timezone,media_urls,first_comment",
        f"{tag}-1,Monday news {tag},linkedin|twitter,{day},Europe/Paris,,",
        f'{tag}-2,"Tuesday, with a comma {tag}",linkedin,{LATER.isoformat()},,,See the link',
        f"{tag}-3,No time zone {tag},twitter,{day},,,",
        f"{tag}-4,Instagram without an image {tag},instagram,{LATER.isoformat()},,,",
        f"{tag}-5,Bad platform {tag},myspace,{LATER.isoformat()},,,",
        f",No external id {tag},linkedin,{LATER.isoformat()},,https://example.com/a.jpg,",
        f",No external id {tag},linkedin,{LATER.isoformat()},,https://example.com/a.jpg,",
    ]
    return ("\n".join(lines) + "\n").encode()


async def test_csv_rows_are_checked_one_by_one_and_a_resend_creates_nothing(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    mine = {"Authorization": f"Bearer {token_for('user-11', businesses=(11,))}", "Content-Type": "text/csv"}
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    async with gateway_factory(rate_limits_enabled=False) as api:
        first = await api.post("/api/v2/posts/bulk", content=csv_file(tag), headers=mine)
        assert first.status_code == 200, first.text
        body = first.json()
        by_row = {r["row"]: r for r in body["results"]}
        assert [by_row[n]["status"] for n in range(1, 8)] == [
            "created", "created", "invalid", "invalid", "invalid", "created", "existing",
        ]  # fmt: skip
        assert (body["created"], body["existing"], body["invalid"]) == (3, 1, 3)
        assert "time zone" in by_row[3]["violations"][0]["message"]
        assert "instagram" in by_row[4]["violations"][0]["message"].lower()
        assert by_row[5]["violations"][0]["field"].startswith("platforms")
        assert by_row[6]["id"] == by_row[7]["id"], "the same row twice is one post"

        post = (await api.get(f"/api/v2/posts/{by_row[1]['id']}", headers=mine)).json()
        assert post["status"] == "scheduled" and post["timezone"] == "Europe/Paris"
        assert post["scheduled_for"].startswith(LATER.strftime("%Y-%m-%dT07:00:00")) or post[
            "scheduled_for"
        ].startswith(LATER.strftime("%Y-%m-%dT08:00:00"))
        assert {t["platform"] for t in post["platforms"]} == {"linkedin", "twitter"}

        again = (await api.post("/api/v2/posts/bulk", content=csv_file(tag), headers=mine)).json()
        assert (again["created"], again["existing"], again["invalid"]) == (0, 4, 3)
        assert [r["id"] for r in again["results"]] == [r["id"] for r in body["results"]]

        changed = csv_file(tag).replace(f"Monday news {tag}".encode(), b"Something else")
        reused = (await api.post("/api/v2/posts/bulk", content=changed, headers=mine)).json()
        assert reused["results"][0]["status"] == "invalid"
        assert "already used" in reused["results"][0]["violations"][0]["message"]

        theirs = {
            "Authorization": f"Bearer {token_for('user-2', businesses=(2,))}",
            "Content-Type": "text/csv",
        }
        other = (await api.post("/api/v2/posts/bulk", content=csv_file(tag), headers=theirs)).json()
        assert other["created"] == 3, "external ids are per business"
        assert (await api.get(f"/api/v2/posts/{other['results'][0]['id']}", headers=mine)).status_code == 404


async def test_json_lines_and_refusals_of_the_upload_itself(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    auth = {"Authorization": f"Bearer {token_for('user-11', businesses=(11,))}"}
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    lines = [
        {
            "external_id": f"{tag}-a",
            "content": f"one {tag}",
            "platforms": ["twitter"],
            "scheduled_for": LATER.isoformat(),
        },
        "this is not JSON",
        {"content": f"now {tag}", "targets": [{"platform": "linkedin"}]},
        [1, 2],
    ]
    payload = b"\n".join(x.encode() if isinstance(x, str) else orjson.dumps(x) for x in lines)
    async with gateway_factory(rate_limits_enabled=False) as api:
        response = await api.post(
            "/api/v2/posts/bulk", content=payload, headers={**auth, "Content-Type": "application/x-ndjson"}
        )
        assert response.status_code == 200, response.text
        assert [r["status"] for r in response.json()["results"]] == [
            "created",
            "invalid",
            "created",
            "invalid",
        ]
        wrong = await api.post(
            "/api/v2/posts/bulk", content=b"x", headers={**auth, "Content-Type": "text/plain"}
        )
        assert wrong.status_code == 422
        assert wrong.headers["content-type"].startswith("application/problem+json")
        big = b"content,platforms\n" + b"".join(
            b"row %d of a long file %s,twitter\n" % (n, tag.encode()) for n in range(9000)
        )
        assert len(big) > 300 * 1024
        accepted = await api.post(
            "/api/v2/posts/bulk", content=big, headers={**auth, "Content-Type": "text/csv"}
        )
        assert accepted.status_code == 200, "the bulk route has its own, larger body cap"
        assert accepted.json()["created"] == 9000
        refused = await api.post(
            "/api/v2/publish", content=big, headers={**auth, "Content-Type": "application/json"}
        )
        assert refused.status_code == 413
