"""docker-compose.yml is valid against the Compose specification and keeps the stack healthy and hardened.

No Docker engine here: the file is checked against the schema compose-go (what `docker compose` loads
files with) embeds, then for what the schema cannot say."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from deploy_support import EMULATOR, ROOT, SERVICES, compose_schema_path

INFRA = {"kafka", "postgres", "redis"}
OBSERVABILITY = {"prometheus", "grafana", "jaeger"}
ONE_SHOT = {"seed-demo-accounts"}  # runs once and exits: nothing to health-check


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(compose_schema_path().read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(compose)
    with pytest.raises(jsonschema.ValidationError):  # and the schema does reject what is wrong
        jsonschema.validate({**compose, "services": {"x": {"depends_on": 3}}}, schema)


def test_every_service_and_the_emulator_is_built_from_its_dockerfile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == INFRA | OBSERVABILITY | ONE_SHOT | {s.name for s in [*SERVICES, EMULATOR]}
    for s in [*SERVICES, EMULATOR]:
        build = services[s.name]["build"]
        assert build["context"] == "."
        assert (ROOT / build["dockerfile"]) == s.folder / "Dockerfile"


def test_every_service_is_healthchecked_hardened_and_waits_for_its_dependencies(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, svc in services.items():
        if name == "jaeger" or name in ONE_SHOT:
            continue  # jaeger's image has no shell tool to probe with; nothing depends on either
        assert svc["healthcheck"]["test"][0] == "CMD", name
    for s in SERVICES:
        svc = services[s.name]
        assert svc["user"] == "10001:10001" and svc["read_only"] is True, s.name
        assert svc["cap_drop"] == ["ALL"] and "no-new-privileges:true" in svc["security_opt"], s.name
        assert "/tmp" in svc["tmpfs"], s.name
        assert svc["environment"]["HERALD_HTTP_PORT"] == str(s.port), s.name
        assert svc["environment"]["HERALD_HTTP_HOST"] == "0.0.0.0"
        assert "/health/ready" in " ".join(svc["healthcheck"]["test"]), s.name
        deps = svc["depends_on"]
        assert {"kafka", "postgres"} <= set(deps), s.name
        assert all(d["condition"] == "service_healthy" for d in deps.values()), s.name
        assert int(svc["stop_grace_period"].rstrip("s")) > 15, "longer than HERALD_SHUTDOWN_GRACE_SECONDS"


def test_publishers_use_the_emulator_and_the_seeded_demo_accounts(compose: dict[str, Any]) -> None:
    expected = {
        "HERALD_LINKEDIN_API_BASE_URL": "http://platform-emulator:8090",
        "HERALD_TWITTER_API_BASE_URL": "http://platform-emulator:8090",
        "HERALD_GRAPH_API_BASE_URL": "http://platform-emulator:8090",
    }
    seed = compose["services"]["seed-demo-accounts"]
    assert (
        seed["command"] == ["seed-dev-accounts"]
        and seed["image"] == compose["services"]["api-gateway"]["image"]
    )
    assert seed["depends_on"]["api-gateway"]["condition"] == "service_healthy"
    for s in SERVICES:
        if s.name.startswith("publisher-"):
            env = compose["services"][s.name]["environment"]
            assert expected.items() <= env.items(), s.name
            assert (
                compose["services"][s.name]["depends_on"]["platform-emulator"]["condition"]
                == "service_healthy"
            )


def test_kafka_is_a_single_kraft_node(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    env = kafka["environment"]
    assert kafka["image"].startswith("apache/kafka:")
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    ):
        assert env[key] == 1, key
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert len(str(env["CLUSTER_ID"])) == 22, "a base64-encoded UUID"
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_the_observability_profile_loads_the_alerts_and_the_dashboard(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in OBSERVABILITY:
        assert services[name]["profiles"] == ["observability"]
    mounts = " ".join(services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    for path in (
        "deploy/prometheus/alerts.yml",
        "deploy/prometheus/prometheus.yml",
        "deploy/grafana/herald-dashboard.json",
    ):
        assert f"./{path}:" in mounts and (ROOT / path).exists(), path
    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {c["job_name"]: c["static_configs"][0]["targets"] for c in scrape["scrape_configs"]}
    assert targets == {s.name: [f"{s.name}:{s.port}"] for s in SERVICES}
