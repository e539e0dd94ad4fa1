"""The kustomize overlays render, every object is valid Kubernetes, and the manifests keep their promises:
hardened containers, probes and resources, Secrets by reference only, a topic per Kafka topic, and the full
set of objects for every service."""

from __future__ import annotations

from collections import Counter
from typing import Any

import kubernetes_validate
import pytest
from deploy_support import EMULATOR, OVERLAYS, SERVICES, containers_of, pod_spec

from herald_common.events.topics import all_topics

K8S_VERSION = "1.33.0"
CRDS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"), ("keda.sh/v1alpha1", "ScaledObject")}


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_the_kubernetes_schemas(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    errors = []
    for obj in rendered[overlay]:
        if (obj["apiVersion"], obj["kind"]) in CRDS:
            continue  # checked below: kubernetes-validate bundles core schemas only
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_validator_would_catch_a_broken_object(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    deployment = next(o for o in rendered[overlay] if o["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_hardened_and_has_probes_and_resources(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    workloads = [o for o in rendered[overlay] if pod_spec(o) is not None]
    assert workloads
    for obj in workloads:
        where = f"{overlay} {obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        assert spec is not None
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert spec.get("automountServiceAccountToken") is False, where
        assert any(v.get("emptyDir") is not None for v in spec["volumes"]), f"{where}: no emptyDir for /tmp"
        for c in containers_of(obj):
            at = f"{where} container {c['name']}"
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True and sc.get("runAsUser", 10001) != 0, at
            assert sc["readOnlyRootFilesystem"] is True, at
            assert sc["allowPrivilegeEscalation"] is False, at
            assert sc.get("privileged", False) is False, at
            assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add"), at
            assert sc["seccompProfile"]["type"] == "RuntimeDefault", at
            assert {m["mountPath"] for m in c["volumeMounts"]} >= {"/tmp"}, at
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{at}: {kind}"
            assert ":" in c["image"] and not c["image"].endswith(":latest"), (
                f"{at}: untagged image {c['image']}"
            )
            if obj["kind"] == "Job":
                continue
            assert c["livenessProbe"]["httpGet"]["path"] == "/health/live", at
            assert c["startupProbe"]["httpGet"]["path"] == "/health/live", at
            assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready", at


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_outlive_their_shutdown_grace(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    config = next(
        o
        for o in rendered[overlay]
        if o["kind"] == "ConfigMap" and "HERALD_SHUTDOWN_GRACE_SECONDS" in o["data"]
    )
    grace = float(config["data"]["HERALD_SHUTDOWN_GRACE_SECONDS"])
    for name in (s.name for s in SERVICES):
        spec = by_kind(rendered[overlay], "Deployment")[name]["spec"]["template"]["spec"]
        pre_stop = 5  # the preStop sleep
        assert spec["terminationGracePeriodSeconds"] > grace + pre_stop, name
    assert config["data"]["HERALD_AUTO_MIGRATE"] == "false", "the migration Job migrates, not the pods"


def test_every_service_has_its_objects_and_dockerfile(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for overlay in OVERLAYS:
        objects = rendered[overlay]
        for service in SERVICES:
            for kind in ("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy"):
                assert service.name in by_kind(objects, kind), f"{overlay}: {kind}/{service.name} is missing"
            deployment = by_kind(objects, "Deployment")[service.name]
            pod = deployment["spec"]["template"]["spec"]
            assert pod["serviceAccountName"] == service.name
            (container,) = pod["containers"]
            assert container["ports"][0]["containerPort"] == service.port
            assert by_kind(objects, "Service")[service.name]["spec"]["ports"][0]["port"] == service.port
            assert (service.folder / "Dockerfile").exists()
            migrate = by_kind(objects, "Job")["herald-migrate"]
            names = {c["name"]: c for c in containers_of(migrate)}
            assert names[service.name]["args"] == ["migrate"], f"the migration Job skips {service.name}"
            assert names[service.name]["image"].split(":")[0] == container["image"].split(":")[0]


def test_the_emulator_is_deployed_in_dev_only(rendered: dict[str, list[dict[str, Any]]]) -> None:
    assert EMULATOR.name in by_kind(rendered["dev"], "Deployment")
    assert EMULATOR.name not in by_kind(rendered["prod"], "Deployment")
    dev_config = next(o for o in rendered["dev"] if o["kind"] == "ConfigMap")["data"]
    prod_config = next(o for o in rendered["prod"] if o["kind"] == "ConfigMap")["data"]
    assert dev_config["HERALD_LINKEDIN_API_BASE_URL"] == "http://platform-emulator:8090"
    assert prod_config["HERALD_LINKEDIN_API_BASE_URL"] == "https://api.linkedin.com"


SECRET_WORDS = ("TOKEN", "DATABASE_URL", "REDIS_URL", "KEYS", "SECRET", "PASSWORD")


def test_the_base_carries_no_secret_values(base_objects: list[dict[str, Any]]) -> None:
    assert not [o for o in base_objects if o["kind"] == "Secret"], "the base references Secrets only"
    for obj in base_objects:
        for c in containers_of(obj):
            for env in c.get("env", []):
                if any(word in env["name"] for word in SECRET_WORDS) and not env["name"].endswith("_FILE"):
                    assert "value" not in env, f"{c['name']}: {env['name']} has a value"
                    assert "secretKeyRef" in env["valueFrom"], f"{c['name']}: {env['name']}"
        if obj["kind"] == "ConfigMap":
            for key, value in obj["data"].items():
                assert not any(word in key for word in SECRET_WORDS), key
                assert "@" not in value.partition("://")[2].partition("/")[0], f"credentials in {key}"


def test_prod_defines_no_secrets(rendered: dict[str, list[dict[str, Any]]]) -> None:
    assert not [o for o in rendered["prod"] if o["kind"] == "Secret"]


def test_every_topic_has_a_kafka_topic(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for overlay in OVERLAYS:
        topics = [o for o in rendered[overlay] if o["kind"] == "KafkaTopic"]
        names = Counter(o["spec"].get("topicName", o["metadata"]["name"]) for o in topics)
        assert set(names) == set(all_topics()), overlay
        assert max(names.values()) == 1
        for t in topics:
            assert t["apiVersion"] == "kafka.strimzi.io/v1beta2"
            assert t["metadata"]["labels"]["strimzi.io/cluster"] == "herald"
            spec = t["spec"]
            assert isinstance(spec["partitions"], int) and spec["partitions"] >= 1
            assert isinstance(spec["replicas"], int) and spec["replicas"] >= 1
            assert int(spec["config"]["retention.ms"]) > 0
            assert int(spec["config"]["min.insync.replicas"]) <= spec["replicas"]
        dead_letter = next(t for t in topics if t["spec"]["topicName"] == "herald.dead-letter.v1")
        assert dead_letter["spec"]["config"]["retention.ms"] == str(30 * 24 * 3600 * 1000)


def test_scaled_objects_follow_the_consumer_groups(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for overlay in OVERLAYS:
        objects = rendered[overlay]
        deployments = by_kind(objects, "Deployment")
        topics = {
            t["spec"]["topicName"]: t["spec"]["partitions"] for t in objects if t["kind"] == "KafkaTopic"
        }
        scaled = by_kind(objects, "ScaledObject")
        assert set(scaled) == {s.name for s in SERVICES if s.name != "api-gateway"}, overlay
        for name, obj in scaled.items():
            assert obj["apiVersion"] == "keda.sh/v1alpha1"
            spec = obj["spec"]
            assert spec["scaleTargetRef"]["name"] in deployments
            assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
            assert spec["triggers"], name
            for trigger in spec["triggers"]:
                meta = trigger["metadata"]
                assert trigger["type"] == "kafka"
                assert {"bootstrapServers", "consumerGroup", "topic", "lagThreshold"} <= set(meta), name
                assert meta["topic"] in topics, f"{name} scales on an unknown topic {meta['topic']}"
                assert spec["maxReplicaCount"] <= topics[meta["topic"]], (
                    f"{name}: more replicas than partitions"
                )
                assert int(meta["lagThreshold"]) > 0
        hpa = by_kind(objects, "HorizontalPodAutoscaler")["api-gateway"]
        assert hpa["spec"]["scaleTargetRef"]["name"] == "api-gateway"


def test_network_policies_deny_by_default_and_open_only_the_flows(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay in OVERLAYS:
        policies = by_kind(rendered[overlay], "NetworkPolicy")
        deny = policies["default-deny-all"]["spec"]
        assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
        assert not deny.get("ingress") and not deny.get("egress")
        for service in SERVICES:
            spec = policies[service.name]["spec"]
            egress_ports = {p["port"] for rule in spec["egress"] for p in rule.get("ports", [])}
            ingress_ports = {p["port"] for rule in spec["ingress"] for p in rule.get("ports", [])}
            assert ingress_ports == {service.port}, service.name
            assert {9092, 5432} <= egress_ports, service.name
            assert (443 in egress_ports) == service.name.startswith("publisher-"), service.name
