"""X API v2 posts: `POST /2/tweets`, look-ups for reconciliation, and `GET /2/users/me`.

A publisher that lost a response can reconcile with `GET /2/users/me` followed by
`GET /2/users/{id}/tweets` (newest first) or `GET /2/tweets/{id}`.
"""

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import x_invalid_request, x_problem
from herald_emulator.paging import decode_cursor, page_after
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.store import CreatedObject, iso
from herald_emulator.tweet_length import weighted_length
from herald_emulator.twitter_auth import apply_rate_limit, authenticate, json_body
from herald_emulator.twitter_media import media_is_ready

router = platform_router("twitter")

_TWEET_ID = re.compile(r"^[0-9]{1,19}$")
_BODY_FIELDS = {
    "text", "reply", "media", "quote_tweet_id", "reply_settings", "poll", "geo", "card_uri",
    "community_id", "nullcast", "direct_message_deep_link", "for_super_followers_only", "edit_options",
    "share_with_followers", "made_with_ai", "paid_partnership",
}  # fmt: skip
_DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")


def status_url(tweet_id: str) -> str:
    return f"https://x.com/i/web/status/{tweet_id}"


@router.post("/2/tweets", name="create_tweet", status_code=201)
async def create_tweet(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(
        state, request, identity, "create_tweet", state.config.twitter.post_window_limit, daily_caps=True
    )
    body = await json_object(request)
    text = body.get("text")
    reply_to = validated_reply_target(state, body.get("reply"))
    media_ids = validated_media_ids(state, body.get("media"), identity.subject)
    if not text and not media_ids and "poll" not in body and "quote_tweet_id" not in body:
        raise x_invalid_request("$.text: text or media is required", {"text": [""]})
    text = text or ""
    check_length(state, text)
    check_duplicate(state, identity.subject, text)
    tweet_id = state.ids.snowflake()
    parent = state.objects.get("twitter", reply_to) if reply_to else None
    state.objects.add(
        CreatedObject(
            platform="twitter",
            kind="tweet",
            id=tweet_id,
            account=identity.subject,
            text=text,
            raw_text=text,
            created_at=state.clock.now(),
            url=status_url(tweet_id),
            in_reply_to=reply_to,
            media_ids=media_ids,
            extra={
                "username": identity.name,
                "conversation_id": parent.extra["conversation_id"] if parent else tweet_id,
                "in_reply_to_user_id": parent.account if parent else None,
                "quote_tweet_id": body.get("quote_tweet_id"),
            },
        )
    )
    return JSONResponse(
        {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, status_code=201
    )


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    unknown = sorted(set(body) - _BODY_FIELDS)
    if unknown:
        raise x_invalid_request(
            f"$.{unknown[0]}: is not defined in the schema and the schema does not allow "
            "additional properties"
        )
    if "text" in body and not isinstance(body["text"], str):
        raise x_invalid_request("$.text: string found, but expected one", {"text": [str(body["text"])]})
    return body


def validated_reply_target(state: EmulatorState, reply: Any) -> str | None:
    if reply is None:
        return None
    if not isinstance(reply, dict) or "in_reply_to_tweet_id" not in reply:
        raise x_invalid_request(
            "$.reply.in_reply_to_tweet_id: is missing but it is required", {"$.reply": [str(reply)]}
        )
    target = str(reply["in_reply_to_tweet_id"])
    if not _TWEET_ID.match(target):
        raise x_invalid_request(
            "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$",
            {"reply.in_reply_to_tweet_id": [target]},
        )
    if state.objects.get("twitter", target) is None:
        if state.config.twitter.reply_to_unknown == "forbidden":
            raise x_problem(403, "You attempted to reply to a Tweet that is deleted or not visible to you.")
        raise x_invalid_request(
            f"The `reply.in_reply_to_tweet_id` query parameter value [{target}] "
            "does not exist or is not visible",
            {"reply.in_reply_to_tweet_id": [target]},
        )
    return target


def validated_media_ids(state: EmulatorState, media: Any, user_id: str) -> list[str]:
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= 4 or not all(isinstance(item, str) for item in ids):
        raise x_invalid_request(
            "$.media.media_ids: must be an array of 1 to 4 id strings", {"media.media_ids": [str(ids)]}
        )
    for media_id in ids:
        upload = state.uploads.get(media_id)
        if (
            upload is None
            or upload.platform != "twitter"
            or upload.owner != user_id
            or not media_is_ready(state, upload)
        ):
            raise x_invalid_request("Your media IDs are invalid.", {"media.media_ids": [media_id]})
    return list(ids)


def check_length(state: EmulatorState, text: str) -> None:
    limit = state.config.twitter.max_weighted_length
    if text and not weighted_length(text, limit).valid:
        error = x_invalid_request(
            "Your Tweet text is too long. For more information on how X determines text length see "
            "https://github.com/twitter/twitter-text.",
            {"text": [text]},
        )
        error.status = state.config.twitter.too_long_status
        raise error


def check_duplicate(state: EmulatorState, user_id: str, text: str) -> None:
    if not text:
        return
    since = state.clock.now() - state.config.twitter.duplicate_window_s
    if state.objects.find_duplicate("twitter", "tweet", user_id, text, since) is not None:
        raise x_problem(
            403, "You are not allowed to create a Tweet with duplicate content.", title="Forbidden"
        )


# --- look-ups -------------------------------------------------------------------------------


def tweet_view(obj: CreatedObject, requested_fields: str | None) -> dict[str, Any]:
    fields = set(_DEFAULT_FIELDS) | set(filter(None, (requested_fields or "").split(",")))
    available: dict[str, Any] = {
        "id": obj.id,
        "text": obj.text,
        "edit_history_tweet_ids": [obj.id],
        "author_id": obj.account,
        "created_at": iso(obj.created_at).replace("Z", ".000Z"),
        "conversation_id": obj.extra.get("conversation_id"),
    }
    if obj.in_reply_to:
        available["in_reply_to_user_id"] = obj.extra.get("in_reply_to_user_id")
        available["referenced_tweets"] = [{"type": "replied_to", "id": obj.in_reply_to}]
    if obj.media_ids:
        available["attachments"] = {"media_keys": [f"3_{media_id}" for media_id in obj.media_ids]}
    return {name: value for name, value in available.items() if name in fields}


@router.get("/2/tweets/{tweet_id}", name="get_tweet")
async def get_tweet(tweet_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "get_tweet", state.config.twitter.read_window_limit)
    obj = state.objects.get("twitter", tweet_id)
    if obj is None:
        # X answers look-ups of missing posts with 200 and an `errors` array.
        return JSONResponse({"errors": [not_found_error(tweet_id)]})
    return JSONResponse({"data": tweet_view(obj, request.query_params.get("tweet.fields"))})


@router.delete("/2/tweets/{tweet_id}", name="delete_tweet")
async def delete_tweet(tweet_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "delete_tweet", 50)
    obj = state.objects.get("twitter", tweet_id)
    if obj is not None and obj.account != identity.subject:
        raise x_problem(403, "You are not authorized to delete this Tweet.")
    if obj is not None:
        obj.deleted = True
    return JSONResponse({"data": {"deleted": obj is not None}})


def not_found_error(tweet_id: str) -> dict[str, str]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with id: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "id",
        "resource_id": tweet_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


@router.get("/2/users/me", name="users_me")
async def users_me(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "users_me", 75)
    return JSONResponse(
        {
            "data": {
                "id": identity.subject,
                "name": identity.name.replace("_", " ").title(),
                "username": identity.name,
            }
        }
    )


@router.get("/2/users/{user_id}/tweets", name="user_tweets")
async def user_tweets(user_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "user_tweets", state.config.twitter.read_window_limit)
    params = request.query_params
    max_results = params.get("max_results", "10")
    if not max_results.isdigit() or not 5 <= int(max_results) <= 100:
        raise x_invalid_request(
            f"The `max_results` query parameter value [{max_results}] is not between 5 and 100",
            {"max_results": [max_results]},
        )
    # Newest first; deleted tweets stay in the list so a pagination token naming one still resolves.
    keep = timeline_filter(params)
    tweets = [
        obj for obj in reversed(state.objects.list("twitter", account=user_id, kind="tweet")) if keep(obj)
    ]
    after = None
    if params.get("pagination_token"):
        after = decode_cursor(params["pagination_token"])
        if after is None:
            raise x_invalid_request(
                f"The `pagination_token` query parameter value [{params['pagination_token']}] is not valid",
                {"pagination_token": [params["pagination_token"]]},
            )
    found = page_after(tweets, after, int(max_results))
    page = found.items
    if not page:
        return JSONResponse({"meta": {"result_count": 0}})
    meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
    if found.has_more:
        meta["next_token"] = found.last_cursor
    fields = params.get("tweet.fields")
    return JSONResponse({"data": [tweet_view(obj, fields) for obj in page], "meta": meta})


def timeline_filter(params: Mapping[str, str]) -> Callable[[CreatedObject], bool]:
    """`since_id`/`until_id` (exclusive) and `start_time`/`end_time` (ISO 8601, inclusive/exclusive)."""
    since_id, until_id = _id_param(params, "since_id"), _id_param(params, "until_id")
    start, end = _time_param(params, "start_time"), _time_param(params, "end_time")

    def keep(obj: CreatedObject) -> bool:
        return (
            (since_id is None or int(obj.id) > since_id)
            and (until_id is None or int(obj.id) < until_id)
            and (start is None or obj.created_at >= start)
            and (end is None or obj.created_at < end)
        )

    return keep


def _id_param(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise x_invalid_request(f"The `{name}` query parameter value [{value}] is not valid", {name: [value]})
    return int(value)


def _time_param(params: Mapping[str, str], name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise x_invalid_request(
            f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 date-time", {name: [value]}
        )
    return parsed.timestamp()
