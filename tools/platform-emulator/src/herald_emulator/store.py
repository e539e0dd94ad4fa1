"""In-memory records of everything the emulated platforms hold."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PLATFORMS = ("linkedin", "twitter", "facebook", "instagram")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


@dataclass
class CreatedObject:
    """A user-visible object (post, tweet, comment, photo, IG media) as the platform stored it."""

    platform: str
    kind: str
    id: str
    account: str
    text: str | None
    created_at: float
    url: str | None
    in_reply_to: str | None = None
    media_ids: list[str] = field(default_factory=list)
    raw_text: str | None = None
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "kind": self.kind,
            "id": self.id,
            "account": self.account,
            "text": self.text,
            "raw_text": self.raw_text,
            "in_reply_to": self.in_reply_to,
            "media_ids": list(self.media_ids),
            "created_at": iso(self.created_at),
            "url": self.url,
            "deleted": self.deleted,
            "extra": self.extra,
        }


class ObjectStore:
    def __init__(self) -> None:
        self._objects: list[CreatedObject] = []
        self._by_key: dict[tuple[str, str], CreatedObject] = {}

    def add(self, obj: CreatedObject) -> CreatedObject:
        self._objects.append(obj)
        self._by_key[(obj.platform, obj.id)] = obj
        return obj

    def get(self, platform: str, object_id: str) -> CreatedObject | None:
        obj = self._by_key.get((platform, object_id))
        return None if obj is None or obj.deleted else obj

    def list(self, platform: str, account: str | None = None, kind: str | None = None) -> list[CreatedObject]:
        return [
            obj
            for obj in self._objects
            if obj.platform == platform
            and (account is None or obj.account == account)
            and (kind is None or obj.kind == kind)
        ]

    def find_duplicate(
        self, platform: str, kind: str, account: str, raw_text: str, since: float
    ) -> CreatedObject | None:
        for obj in reversed(self._objects):
            if obj.created_at < since:
                break
            if (obj.platform, obj.kind, obj.account, obj.raw_text) == (platform, kind, account, raw_text):
                return obj
        return None

    def clear(self) -> None:
        self._objects.clear()
        self._by_key.clear()


@dataclass
class UploadedMedia:
    """A LinkedIn image or an X media upload, tracked from initialisation to availability."""

    platform: str
    id: str
    owner: str
    media_type: str
    created_at: float
    total_bytes: int | None = None
    data: bytearray = field(default_factory=bytearray)
    segments: dict[int, int] = field(default_factory=dict)  # segment index -> size
    uploaded_at: float | None = None  # LinkedIn: PUT done; X: FINALIZE done
    category: str | None = None
    upload_token: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class IgContainer:
    """An Instagram media container between creation and publishing."""

    id: str
    ig_user_id: str
    media_type: str
    created_at: float
    image_url: str | None = None
    video_url: str | None = None
    caption: str | None = None
    alt_text: str | None = None
    is_carousel_item: bool = False
    children: list[str] = field(default_factory=list)
    published_media_id: str | None = None
