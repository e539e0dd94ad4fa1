"""The OpenAPI document describes the API: problems, statuses, security, ids and examples.

The running gateway is fuzzed against this document in tests/e2e/test_openapi_fuzz.py; these
tests pin what the document promises, and the behaviours the fuzzer first found wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from herald_gateway.main import create_app
from herald_gateway.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return create_app(Settings()).openapi()  # building the app connects nothing


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_operation_ids_are_set_and_unique(doc: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in operations(doc)]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    assert {"publishPost", "schedulePost", "getPost", "cancelPost", "createApiKey"} <= set(ids)


def test_every_error_is_a_problem_document(doc: dict[str, Any]) -> None:
    assert {"type", "title", "status", "detail", "instance"} <= set(
        doc["components"]["schemas"]["Problem"]["properties"]
    )
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for method, path, op in operations(doc):
        for status, response in op["responses"].items():
            if status[0] not in "45" or (path, status) in {("/health/ready", "503"), ("/health", "503")}:
                continue
            assert list(response["content"]) == [PROBLEM], (method, path, status)
            assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        # 200: with `?wait`, every platform's result arrived in time
        ("POST", "/api/v2/publish", {"200", "202", "400", "401", "404", "413", "422", "429", "500"}),
        ("POST", "/api/v2/schedule", {"202", "400", "401", "404", "413", "422", "429", "500"}),
        ("GET", "/api/v2/scheduled", {"200", "401", "404", "422", "429", "500"}),
        ("DELETE", "/api/v2/schedule/{post_id}", {"200", "202", "401", "404", "409", "422", "429", "500"}),
        ("POST", "/api/v2/api-keys", {"201", "400", "401", "403", "404", "413", "422", "429", "500"}),
        ("DELETE", "/api/v2/api-keys/{key_id}", {"204", "401", "403", "404", "422", "429", "500"}),
        (
            "GET",
            "/api/oauth/{platform}/authorize",
            {"200", "302", "401", "403", "404", "422", "429", "500", "503"},
        ),
        ("GET", "/api/oauth/{platform}/callback", {"200", "302", "422", "429", "500", "502", "503"}),
    ],
)
def test_routes_document_every_status_they_answer(
    doc: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    assert set(doc["paths"][path][method.lower()]["responses"]) == statuses


def test_redirects_and_empty_answers_have_no_body(doc: dict[str, Any]) -> None:
    authorize = doc["paths"]["/api/oauth/{platform}/authorize"]["get"]["responses"]
    assert "content" not in authorize["302"]
    assert "Location" in authorize["302"]["headers"]
    assert authorize["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AuthorizationStart"
    }
    assert "content" not in doc["paths"]["/api/v2/api-keys/{key_id}"]["delete"]["responses"]["204"]


def test_bearer_and_api_key_schemes_guard_every_api_route(doc: dict[str, Any]) -> None:
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        **schemes["bearer"],
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    public = {"/api/v2/auth/config"}  # how the dashboard signs in: asked before anyone has a token
    for method, path, op in operations(doc):
        if (path.startswith("/api/v2/") and path not in public) or path.endswith(("/authorize", "/links")):
            assert op.get("security") == [{"bearer": []}, {"apiKey": []}], (method, path)
        else:
            assert "security" not in op, (method, path)


def _examples(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for every request body and response with content."""
    for method, path, op in operations(doc):
        bodies = [("request", op["requestBody"]["content"])] if "requestBody" in op else []
        bodies += [(status, r["content"]) for status, r in op["responses"].items() if "content" in r]
        for status, content in bodies:
            for media_type, entry in content.items():
                schema = entry["schema"]
                where = f"{method} {path} {status} {media_type}"
                examples = [entry["example"]] if "example" in entry else resolve(doc, schema).get("examples")
                if resolve(doc, schema).get("type") == "array":
                    examples = [[e] for e in resolve(doc, resolve(doc, schema)["items"]).get("examples", [])]
                assert examples, f"no example for {where}"
                for example in examples:
                    yield where, schema, example


def test_every_request_and_response_has_an_example_that_fits_its_schema(doc: dict[str, Any]) -> None:
    checked = 0
    for where, schema, example in _examples(doc):
        # The schema is put into the document, so its `#/components/...` references resolve.
        scratch = {
            **doc,
            "components": {**doc["components"], "schemas": {**doc["components"]["schemas"], "_": schema}},
        }
        registry: Registry[Any] = Registry().with_resource(
            "urn:doc", Resource.from_contents(scratch, DRAFT202012)
        )
        validator = jsonschema.Draft202012Validator(
            {"$ref": "urn:doc#/components/schemas/_"}, registry=registry
        )
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, f"{where}: {errors}"
        checked += 1
    assert checked > 30


# The behaviours the fuzzer found, against a gateway on the real infrastructure.


@pytest.mark.infra
@pytest.mark.parametrize("bad", ["0.5", "1700000000", "2030-01-01", "2030-01-01T09:00:00", "tomorrow"])
async def test_list_filters_take_rfc3339_times_only(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str], bad: str
) -> None:
    async with gateway_factory() as client:
        headers = {"Authorization": f"Bearer {token_for()}"}
        refused = await client.get("/api/v2/scheduled", params={"to": bad}, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == PROBLEM
        fine = await client.get(
            "/api/v2/scheduled", params={"to": "2030-01-01T09:00:00+02:00"}, headers=headers
        )
        assert fine.status_code == 200, fine.text


@pytest.mark.infra
@pytest.mark.parametrize(
    "change",
    [
        {"thread_numbering": 0},
        {"business_id": "1"},
        {"business_id": 1.0},
        {"platforms": ["twitter", "twitter"]},
        {"content": "nul \x00 inside"},
    ],
)
async def test_bodies_are_taken_as_the_schema_says(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str], change: dict[str, Any]
) -> None:
    body = {"content": "Hello", "platforms": ["twitter"], **change}
    async with gateway_factory() as client:
        answer = await client.post(
            "/api/v2/publish", json=body, headers={"Authorization": f"Bearer {token_for()}"}
        )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM


@pytest.mark.infra
async def test_405_names_every_method_of_the_path(gateway_factory: Callable[..., Any]) -> None:
    async with gateway_factory() as client:
        answer = await client.request("PATCH", "/api/v2/api-keys")
    assert answer.status_code == 405
    assert answer.headers["content-type"] == PROBLEM
    assert {m.strip() for m in answer.headers["allow"].split(",")} >= {"GET", "POST"}


@pytest.mark.infra
async def test_api_key_header_and_bearer_both_authenticate(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    async with gateway_factory() as client:
        person = {"Authorization": f"Bearer {token_for()}"}
        created = await client.post("/api/v2/api-keys", json={"name": "script"}, headers=person)
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}, person):
            assert (await client.get("/api/v2/scheduled", headers=headers)).status_code == 200
        missing = await client.get("/api/v2/scheduled")
        assert missing.status_code == 401
        assert missing.headers["content-type"] == PROBLEM
        forbidden = await client.get("/api/v2/api-keys", headers={"X-API-Key": key})
        assert forbidden.status_code == 403
