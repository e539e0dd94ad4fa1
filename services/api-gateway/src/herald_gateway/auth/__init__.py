"""Authentication: OpenID Connect JWTs and API keys, both ending in a `Caller`."""
