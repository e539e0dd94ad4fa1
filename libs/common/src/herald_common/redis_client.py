"""The Redis client factory (one pool per process, created in the lifespan)."""

from __future__ import annotations

from redis.asyncio import Redis


def create_redis(url: str) -> Redis:
    # Short timeouts: readiness must answer fast when Redis is gone, and a request must not hang on it.
    return Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=10)
