"""The gateway's loops use the shared `BackgroundLoop` (herald_common.background)."""

from herald_common.background import BackgroundLoop

__all__ = ["BackgroundLoop"]
