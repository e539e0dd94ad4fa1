"""Bulk upload: 10,000 CSV rows (a month of scheduled posts, two platforms each) in one request,
then the same file again (every row found, nothing created)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

ROWS = 10_000


def csv_file(run_id: str) -> bytes:
    start = datetime.now(UTC) + timedelta(days=2)
    lines = ["external_id,content,platforms,scheduled_for,timezone"]
    for n in range(ROWS):
        when = (start + timedelta(minutes=4 * n)).strftime("%Y-%m-%dT%H:%M:00")
        lines.append(f"{run_id}-{n},Post number {n} of the month #bulk,linkedin|twitter,{when},Europe/Paris")
    return ("\n".join(lines) + "\n").encode()


def run(gateway: str, token: str) -> dict[str, float]:
    body = csv_file(uuid.uuid4().hex[:8])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    with httpx.Client(base_url=gateway, headers=headers, timeout=120) as client:
        began = time.perf_counter()
        first = client.post("/api/v2/posts/bulk", content=body).raise_for_status().json()
        first_s = time.perf_counter() - began
        began = time.perf_counter()
        again = client.post("/api/v2/posts/bulk", content=body).raise_for_status().json()
        again_s = time.perf_counter() - began
    return {
        "rows": ROWS,
        "bytes": len(body),
        "created": first["created"],
        "seconds": first_s,
        "resend_existing": again["existing"],
        "resend_seconds": again_s,
    }
