"""Deciding what a media URL points at, without fetching anything from the internet.

URLs under `/_emulator/media/{name}` (any host) are the emulator's own assets: they are
"fetchable" when the asset exists, and their bytes decide the format. Any other http(s) URL is
judged by its file extension.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from herald_emulator.media_assets import sniff_format

_EXTENSIONS = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".gif": "gif",
    ".mp4": "mp4",
    ".mov": "mp4",
    ".webp": "webp",
}
_ASSET_PREFIX = "/_emulator/media/"


@dataclass(frozen=True)
class MediaProbe:
    fetchable: bool
    format: str  # jpeg, png, gif, mp4, webp or unknown


def probe_media_url(url: str, assets: dict[str, tuple[bytes, str]]) -> MediaProbe:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return MediaProbe(False, "unknown")
    if parts.path.startswith(_ASSET_PREFIX):
        asset = assets.get(parts.path.removeprefix(_ASSET_PREFIX))
        return MediaProbe(True, sniff_format(asset[0])) if asset else MediaProbe(False, "unknown")
    lowered = parts.path.lower()
    for extension, media_format in _EXTENSIONS.items():
        if lowered.endswith(extension):
            return MediaProbe(True, media_format)
    return MediaProbe(True, "unknown")
