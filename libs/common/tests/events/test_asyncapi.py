"""The published event contract: complete, valid AsyncAPI 3.0, true to the models, and in the docs."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from herald_common.events import PostRequested, PostTarget, topics
from herald_common.events.asyncapi import build_document
from herald_common.events.asyncapi_docs import BEGIN, END, render
from herald_common.events.registry import all_event_types
from herald_common.platforms import Platform

ROOT = Path(__file__).resolve().parents[4]
CHECKER = ROOT / "tools" / "asyncapi-check"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def test_every_event_type_is_a_message_and_every_topic_a_channel(document: dict[str, Any]) -> None:
    names = {m["name"] for m in document["components"]["messages"].values()}
    assert set(all_event_types()) <= names
    assert {c["address"] for c in document["channels"].values()} == set(topics.all_topics())


def test_the_asyncapi_parser_accepts_it(document: dict[str, Any], tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node and (CHECKER / "node_modules").is_dir(), (
        "run `make install` (it installs tools/asyncapi-check)"
    )
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    checked = subprocess.run(
        [node, str(CHECKER / "check.mjs"), str(path)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "valid AsyncAPI 3.0.0" in checked.stdout


def payload_validator(document: dict[str, Any], message: str) -> jsonschema.Draft202012Validator:
    schema = {**document["components"]["messages"][message]["payload"], "components": document["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_the_payload_schema_accepts_what_the_model_produces_and_refuses_what_it_refuses(
    document: dict[str, Any],
) -> None:
    event = PostRequested(
        post_id="p-1",
        business_id=1,
        targets=(PostTarget(platform=Platform.LINKEDIN, content="hi"),),
        requested_at=datetime.now(UTC),
    )
    validator = payload_validator(document, "PostRequested")
    validator.validate(json.loads(event.model_dump_json()))
    bad = {**json.loads(event.model_dump_json()), "targets": [{"platform": "myspace"}]}
    assert not validator.is_valid(bad)


def test_the_headers_name_the_cloudevents_type(document: dict[str, Any]) -> None:
    headers = document["components"]["messages"]["PostRequested"]["headers"]
    assert headers["properties"]["ce_type"]["const"] == PostRequested.ce_type
    assert {"ce_id", "ce_source", "ce_type", "ce_specversion"} <= set(headers["required"])


def test_docs_events_md_matches_the_models(document: dict[str, Any]) -> None:
    page = (ROOT / "docs" / "events.md").read_text()
    section = BEGIN + page.partition(BEGIN)[2].partition(END)[0] + END
    assert section == render(document), (
        "docs/events.md is stale: run `.venv/bin/python -m herald_common.events.asyncapi_docs docs/events.md`"
    )
