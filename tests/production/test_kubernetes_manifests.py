"""deploy/ against the Kubernetes schemas (kubernetes-validate ships them, so
this runs offline), plus what the schemas cannot say: every Deployment is
probed, sized and configured by reference, and only Rasa reaches the actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.30.0"


def documents() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found += [(path, doc) for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return found


@pytest.mark.parametrize(
    "path,document", documents(), ids=lambda v: v.name if isinstance(v, Path) else v["kind"]
)
def test_every_manifest_is_valid_kubernetes(path: Path, document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_names_every_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_deployments_are_probed_sized_and_configured_by_reference() -> None:
    deployments = [doc for _, doc in documents() if doc["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {"rasa", "actions", "desk", "rasa-metrics"}
    for deployment in deployments:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["readinessProbe"] and container["livenessProbe"]
            assert container["resources"]["requests"] and container["resources"]["limits"]
            refs = {next(iter(ref)) for ref in container["envFrom"]}
            assert refs == {"configMapRef", "secretRef"}
            assert "env" not in container  # no value, secret or not, inline


def test_only_rasa_reaches_the_action_server() -> None:
    policies = [doc for _, doc in documents() if doc["kind"] == "NetworkPolicy"]
    guarding = [
        p
        for p in policies
        if p["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "actions"}
    ]
    assert len(guarding) == 1
    sources = [peer for rule in guarding[0]["spec"]["ingress"] for peer in rule["from"]]
    assert sources == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}}]


def test_the_ingress_is_sticky_and_budgets_keep_a_replica() -> None:
    kinds = {doc["kind"]: doc for _, doc in documents()}
    annotations = kinds["Ingress"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    budgets = [doc for _, doc in documents() if doc["kind"] == "PodDisruptionBudget"]
    assert {b["metadata"]["name"] for b in budgets} >= {"rasa", "actions", "desk"}
    desk = next(
        doc for _, doc in documents() if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "desk"
    )
    assert desk["spec"]["replicas"] >= 2
