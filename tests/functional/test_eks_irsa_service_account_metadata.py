"""eks_irsa's service_accounts[].labels and .annotations against the local AWS endpoint: in the ServiceAccount
manifests of both modes, in check mode too; what Kubernetes or the role contradicts refused before any AWS call (or,
for the role's exact ARN, before any change)."""

from __future__ import annotations

import json

import boto3
import pytest
from kubernetes.client import ApiClient
from module_runner import run_module
from test_eks_irsa import CLUSTER
from test_eks_irsa import _create_cluster

WEB = {
    "namespace": "apps",
    "name": "web",
    "labels": {"team": "web", "app.kubernetes.io/name": "web"},
    "annotations": {"eks.amazonaws.com/sts-regional-endpoints": "true"},
}
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    """A cluster made with boto3, ACTIVE at once, and its IAM OIDC provider."""
    previous = local_aws.post("/_aews/config", {})["delays"]["cluster"]
    local_aws.post("/_aews/config", {"delays": {"cluster": 0}})
    created = _create_cluster(CLUSTER, cluster_role, vpc_subnets)
    local_aws.post("/_aews/config", {"delays": {"cluster": previous}})
    boto3.client("iam").create_open_id_connect_provider(
        Url=created["identity"]["oidc"]["issuer"], ClientIDList=["sts.amazonaws.com"]
    )
    return created


def _account(manifest):
    return ApiClient().deserialize(json.dumps(manifest), "V1ServiceAccount", "application/json")


def test_labels_and_annotations_in_the_manifests(local_aws, cluster, aws_calls):
    params = {"cluster_name": CLUSTER, "service_accounts": [WEB], "managed_policies": [S3_READ]}
    checked = run_module("eks_irsa", params, check_mode=True)
    applied = run_module("eks_irsa", params)
    arn = boto3.client("iam").get_role(RoleName=f"{CLUSTER}-apps-web")["Role"]["Arn"]
    assert checked["service_account_manifests"] == applied["service_account_manifests"]
    metadata = _account(applied["service_account_manifests"][0]).metadata
    assert metadata.labels == {"team": "web", "app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "aews.eks"}
    assert metadata.annotations == {"eks.amazonaws.com/sts-regional-endpoints": "true", "eks.amazonaws.com/role-arn": arn}
    # The same annotation, naming the role: taken, and nothing to change.
    same = dict(WEB, annotations=dict(WEB["annotations"], **{"eks.amazonaws.com/role-arn": arn}))
    again = run_module("eks_irsa", dict(params, service_accounts=[same]))
    assert again["changed"] is False
    assert again["service_account_manifests"] == applied["service_account_manifests"]

    # Pod identity: the labels and annotations, no role annotation.
    pod = {"cluster_name": CLUSTER, "mode": "pod_identity", "role_name": f"{CLUSTER}-jobs", "managed_policies": [S3_READ],
           "service_accounts": [{"namespace": "jobs", "name": "runner", "labels": {"team": "jobs"}}]}  # fmt: skip
    manifest = run_module("eks_irsa", pod)["service_account_manifests"][0]
    assert manifest["metadata"] == {"name": "runner", "namespace": "jobs",
                                    "labels": {"team": "jobs", "app.kubernetes.io/managed-by": "aews.eks"}}  # fmt: skip


@pytest.mark.parametrize(
    "entry, problem",
    [
        (dict(WEB, labels={"bad key": "x"}), "service_accounts[0].labels: key 'bad key'"),
        (dict(WEB, labels={"team": "web!"}), "service_accounts[0].labels.team: 'web!': a label value"),
        (dict(WEB, labels={"replicas": 2}), "service_accounts[0].labels.replicas: must be a string, not int 2"),
        (dict(WEB, annotations={"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}),
         "service_accounts[0].annotations.eks.amazonaws.com/role-arn: 'arn:aws:iam::123456789012:role/other' "
         f"contradicts the service account's role {CLUSTER}-apps-web"),
        (dict(WEB, labels={"app.kubernetes.io/managed-by": "eksctl"}), "is the collection's own label (aews.eks)"),
        ({"namespace": "apps", "name": "*", "labels": {"a": "b"}}, "not a pattern"),
    ],
)
def test_bad_metadata_fails_before_any_call(local_aws, cluster, aws_calls, entry, problem):
    aws_calls.clear()
    params = {"cluster_name": CLUSTER, "service_accounts": [entry], "managed_policies": [S3_READ],
              "role_name": None if entry["name"] != "*" else f"{CLUSTER}-apps"}  # fmt: skip
    result = run_module("eks_irsa", params, expect_failure=True)
    assert problem in result["msg"], result["msg"]
    assert aws_calls.calls == []


def test_annotation_of_another_role_path_refused_before_any_change(local_aws, cluster, aws_calls):
    """Same role name, another path: found only once the role's ARN is known, still before any change."""
    entry = dict(WEB, annotations={"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/team/{CLUSTER}-apps-web"})
    aws_calls.clear()
    result = run_module("eks_irsa", {"cluster_name": CLUSTER, "service_accounts": [entry], "managed_policies": [S3_READ]},
                        expect_failure=True)  # fmt: skip
    assert "contradicts the service account's role arn:aws:iam::123456789012:role/irsa-demo-apps-web" in result["msg"]
    assert aws_calls.calls and aws_calls.mutating() == []


def test_pod_identity_refuses_a_role_annotation(local_aws, cluster, aws_calls):
    aws_calls.clear()
    result = run_module(
        "eks_irsa",
        {"cluster_name": CLUSTER, "mode": "pod_identity", "managed_policies": [S3_READ],
         "service_accounts": [dict(WEB, annotations={"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"})]},
        expect_failure=True,
    )  # fmt: skip
    assert "EKS Pod Identity needs no annotation" in result["msg"]
    assert aws_calls.calls == []
