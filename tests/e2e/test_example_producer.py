"""The documented way for another service to publish: examples/produce_post.py, end to end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "produce_post.py"


async def test_the_example_producer_publishes_a_post(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    text = "Produced straight onto Kafka by another team"
    args = ["--bootstrap", kafka_bootstrap, "--business-id", "1", "--content", text]
    produced = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(EXAMPLE), *args, "--platform", "linkedin", "--platform", "twitter"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert produced.returncode == 0, produced.stderr
    post_id = produced.stdout.strip()

    post = await wait_for_status(api, post_id, timeout=30)
    assert post["status"] == "published", post
    for platform in ("linkedin", "twitter"):
        (created,) = [c for c in await created_on(emulator, platform) if c["text"] == text]
        assert by_platform(post)[platform]["platform_post_id"] == created["id"]
