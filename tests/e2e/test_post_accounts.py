"""Posting under a chosen account: `targets` name connected accounts, every business has one default
per platform (PUT /api/v2/accounts/{id}/default), and a missing or foreign account is a 422 naming it."""

from __future__ import annotations

import httpx
import pytest
from e2e_support import by_platform, connect, wait_for_status

pytestmark = pytest.mark.e2e


async def test_a_post_names_its_account_and_defaults_are_per_business(
    api: httpx.AsyncClient, stack: object
) -> None:
    headers = {"Authorization": f"Bearer {stack.token(81)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=headers) as own:
        assert (await connect(own, "facebook")).status_code == 200
        accounts = {a["platform"]: a for a in (await own.get("/api/v2/accounts")).json()}
        page, insta = accounts["facebook"], accounts["instagram"]
        assert page["is_default"] and insta["is_default"], "the first account of a platform is its default"

        chosen = await own.put(f"/api/v2/accounts/{page['id']}/default")
        assert chosen.status_code == 200, chosen.text
        assert chosen.json()["is_default"] is True

        created = await own.post(
            "/api/v2/publish",
            json={
                "content": "from the chosen page",
                "targets": [{"platform": "facebook", "account_id": page["id"]}],
            },
        )
        assert created.status_code == 202, created.text
        assert created.json()["platforms"] == ["facebook"]
        post = await wait_for_status(own, created.json()["id"], timeout=30)
        assert post["status"] == "published", post
        assert by_platform(post)["facebook"]["account_id"] == page["id"]

        mine = (await api.get("/api/v2/accounts")).json()  # business 1's accounts
        for wrong in (insta["id"], mine[0]["id"], "acc_not_there"):
            refused = await own.post(
                "/api/v2/publish",
                json={"content": "x", "targets": [{"platform": "facebook", "account_id": wrong}]},
            )
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert wrong in refused.json()["detail"]

        mismatch = await own.post(
            "/api/v2/publish",
            json={"content": "x", "platforms": ["twitter"], "targets": [{"platform": "facebook"}]},
        )
        assert mismatch.status_code == 422, mismatch.text

    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        assert (await intruder.put(f"/api/v2/accounts/{page['id']}/default")).status_code == 404
