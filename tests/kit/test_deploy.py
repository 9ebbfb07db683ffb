"""The Kubernetes manifests are valid against the Kubernetes schemas (kubernetes-validate, strict: an unknown field
is an error) and say what running the system needs: each service a Deployment with probes on /readyz and
/healthz, requests and limits, two replicas, a Service, an autoscaler and a disruption budget; secrets only by
reference; the services reachable from the gateway and each other only."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import kubernetes_validate
import yaml

from tests.conftest import REPO

MANIFESTS = REPO / "deploy" / "k8s"
SERVICES = {"catalogue", "commissioning", "gateway"}
VERSION = "1.30.0"


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        found += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def test_every_manifest_is_valid_kubernetes():
    docs = documents()
    assert len(docs) >= 16
    for doc in docs:
        kubernetes_validate.validate(doc, VERSION, strict=True)


def test_the_manifests_run_the_system_as_it_needs():
    by_kind: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for doc in documents():
        by_kind[doc["kind"]][doc["metadata"]["name"]] = doc
    assert "Secret" not in by_kind  # created beforehand, referenced by name
    assert set(by_kind["Deployment"]) == set(by_kind["Service"]) == SERVICES
    assert set(by_kind["HorizontalPodAutoscaler"]) == set(by_kind["PodDisruptionBudget"]) == SERVICES
    assert by_kind["Job"]["cus-migrate"]["spec"]["template"]["spec"]["containers"][0]["command"][-1] == "migrate"
    for name, deployment in by_kind["Deployment"].items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert deployment["spec"]["replicas"] >= 2, name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"] and container["resources"]["limits"]
        for variable in container.get("env", []):
            assert "value" not in variable or variable["name"] == "SERVICE", (name, variable)  # secrets by reference
        assert {"name": "SERVICE", "value": name} in container["env"]
    internal = by_kind["NetworkPolicy"]["services-from-the-gateway-and-each-other"]["spec"]
    assert set(internal["podSelector"]["matchExpressions"][0]["values"]) == {"catalogue", "commissioning"}
    allowed = internal["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    assert set(allowed) == SERVICES


def test_compose_runs_two_replicas_of_everything_with_the_broker_and_shared_rate_limits():
    """deploy/compose.yaml as compose reads it (YAML anchors merged): not run here (no compose on CI's machine),
    so what it must say is checked."""
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())["services"]
    for name in SERVICES:
        replicas = [s for s in compose if s.rsplit("-", 1)[0] == name and s != name]
        assert len(replicas) == 2, name
    for name in ("catalogue-1", "catalogue-2", "commissioning-1", "commissioning-2"):
        env = compose[name]["environment"]
        assert env["EVENTS_NATS_URL"] == "nats://nats:4222"
        assert "nats" in compose[name]["depends_on"] and "migrate" in compose[name]["depends_on"]
    for name in ("gateway-1", "gateway-2"):
        env = compose[name]["environment"]
        assert env["GATEWAY_REDIS_URL"] == "redis://redis:6379"
        assert env["GATEWAY_CATALOGUE_URL"].split(",") == ["http://catalogue-1:8000", "http://catalogue-2:8000"]
        assert len(env["GATEWAY_COMMISSIONING_URL"].split(",")) == 2
    assert "-js" in compose["nats"]["command"] and compose["redis"]["image"].startswith("redis")
    assert compose["migrate"]["command"][-1] == "migrate"
