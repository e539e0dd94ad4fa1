"""Judging a run: every accepted post's every requested platform, as the emulator holds it and as
the status store tells it.

- published: the platform holds each part exactly once and the status says published with the same ids.
- lost: a part is missing on the platform although the post was accepted.
- duplicated: some part exists more than once on the platform.
- stuck: the status never became final within the bound.
- wrong-status: a final status that disagrees with the platform (published without the object,
  failed with the object there, or naming another object's id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator import Holdings
from workload import PlannedPost

FINAL = {"published", "failed", "cancelled", "missed"}


@dataclass
class Verdict:
    accepted: int = 0
    targets: int = 0
    published: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)
    expired: int = 0
    stuck_but_delivered: int = 0  # stuck in the status store, though the platform holds every part once
    replay_refused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.stuck
            or self.wrong_status
            or self.refused
            or self.unaccounted
            or self.replay_refused
        )

    def summary(self) -> dict[str, int]:
        return {
            "accepted posts": self.accepted,
            "platform targets": self.targets,
            "published": self.published,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "stuck": len(self.stuck),
            "  of which delivered (status behind)": self.stuck_but_delivered,
            "wrong-status": len(self.wrong_status),
            "refused": len(self.refused),
            "unaccounted objects": len(self.unaccounted),
            "never accepted (due passed while the gateway was down)": self.expired,
            "accepted, retry refused 422": len(self.replay_refused),
        }


def judge(posts: list[PlannedPost], statuses: dict[str, dict[str, Any]], held: Holdings) -> Verdict:
    v = Verdict()
    requested: set[tuple[str, str]] = set()
    for post in posts:
        if post.expired:
            v.expired += 1
            continue
        if post.replay_refused:
            v.replay_refused.append(f"{post.marker} ({post.post_id}): accepted, its retry answered 422")
        if post.refused:
            v.refused.append(f"{post.marker}: {post.refused}")
            continue
        if post.post_id is None:
            v.refused.append(f"{post.marker}: never accepted")
            continue
        v.accepted += 1
        view = statuses.get(post.post_id, {})
        targets = {t["platform"]: t for t in view.get("platforms", [])}
        for platform in post.platforms:
            requested.add((post.marker, platform))
            v.targets += 1
            _judge_target(v, post, platform, targets.get(platform), held.at(post.marker, platform))
    for (marker, platform), depths in held.parts.items():
        if (marker, platform) not in requested:
            ids = [i for d in depths.values() for i in d]
            v.unaccounted.append(f"{marker} on {platform}: {ids} (no accepted post asked for it)")
    v.unaccounted += [f"{o['platform']} {o['id']}: reply to a missing object" for o in held.unaccounted]
    return v


def _judge_target(
    v: Verdict, post: PlannedPost, platform: str, target: dict[str, Any] | None, depths: dict[int, list[str]]
) -> None:
    where = f"{post.marker} ({post.post_id}) on {platform}"
    expected = post.expected_parts.get(platform, 1)
    missing = [d for d in range(expected) if not depths.get(d)]
    extra = {d: ids for d, ids in depths.items() if len(ids) > 1 or d >= expected}
    status = target["status"] if target else "absent"
    if extra:
        v.duplicated.append(f"{where}: {extra} (status {status})")
    if status not in FINAL:
        if not missing and not extra:
            v.stuck_but_delivered += 1
        v.stuck.append(
            f"{where}: still {status} (attempts {target and target.get('attempts')}, next attempt {target and target.get('next_attempt_at')}, reason {target and target.get('reason')}, parts held {depths})"
        )
        return
    if missing:
        if status == "published":
            v.wrong_status.append(f"{where}: status published but parts {missing} are not on the platform")
        else:
            v.lost.append(
                f"{where}: status {status} ({target and target.get('reason')}), parts {missing} missing"
            )
        return
    if status != "published" or target is None:
        v.wrong_status.append(f"{where}: every part is on the platform but the status says {status}")
        return
    said = [p["platform_post_id"] for p in sorted(target.get("parts") or [], key=lambda p: p["index"])] or [
        target.get("platform_post_id")
    ]
    held = [depths[d][0] for d in range(expected)]
    if said[: len(held)] != held and not extra:
        v.wrong_status.append(f"{where}: status names {said}, the platform holds {held}")
        return
    if not extra:
        v.published += 1
