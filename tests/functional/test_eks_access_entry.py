"""eks_access_entry and eks_access_entry_info against the local AWS endpoint: create, no-op, check mode, diff,
drift, delete, and input refused before any call."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps
from module_runner import run_module

CLUSTER = "access"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets, monkeypatch):
    """An ACTIVE API_AND_CONFIG_MAP cluster and a CONFIG_MAP one; IAM roles dev and nodes."""
    local_aws.post("/_aews/config", {"scale": 0.05})
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    eks = boto3.client("eks")
    for name, mode in ((CLUSTER, "API_AND_CONFIG_MAP"), ("configmap", "CONFIG_MAP")):
        eks.create_cluster(
            name=name,
            roleArn=cluster_role,
            resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
            accessConfig={"authenticationMode": mode},
        )
    for name in (CLUSTER, "configmap"):
        eks.get_waiter("cluster_active").wait(name=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    iam = boto3.client("iam")
    roles = {
        name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))["Role"][
            "Arn"
        ]
        for name in ("dev", "nodes")
    }
    yield roles
    local_aws.post("/_aews/reset")


def run(params, check=False, diff=False, **kwargs):
    return run_module("eks_access_entry", dict(cluster_name=CLUSTER, **params), check_mode=check, diff=diff, **kwargs)


def test_access_entry_lifecycle(local_aws, cluster):
    dev = cluster["dev"]
    params = dict(
        principal_arn=dev,
        kubernetes_groups=["readers"],
        access_policies=[
            {"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["dev", "apps"]}},
            {"policy_arn": EDIT},
        ],
        tags={"team": "dev"},
    )
    checked, applied, _final = four_steps(
        "eks_access_entry", "access_entry", dict(cluster_name=CLUSTER, **params), lambda *r: None, local_aws=local_aws
    )
    entry = applied["access_entry"]
    # Check mode predicted what the apply made (but the ARNs and times only AWS knows).
    for key in ("principal_arn", "type", "kubernetes_groups", "username", "access_policies", "tags"):
        assert checked["access_entry"][key] == entry[key], key
    assert checked["diff"]["before"] == {} and checked["diff"]["after"]["access_policies"] == entry["access_policies"]
    assert entry["username"] == "arn:aws:sts::123456789012:assumed-role/dev/{{SessionName}}"
    assert entry["access_policies"] == [
        {"policy_arn": EDIT, "access_scope": {"type": "cluster", "namespaces": []}},
        {"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["apps", "dev"]}},
    ]
    eks = boto3.client("eks")
    assert eks.describe_access_entry(clusterName=CLUSTER, principalArn=dev)["accessEntry"]["kubernetesGroups"] == [
        "readers"
    ]

    # Drift made outside: a policy added, the scope and groups changed, a tag added. The next run puts it back.
    eks.associate_access_policy(
        clusterName=CLUSTER,
        principalArn=dev,
        policyArn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
        accessScope={"type": "cluster"},
    )
    eks.associate_access_policy(clusterName=CLUSTER, principalArn=dev, policyArn=VIEW, accessScope={"type": "cluster"})
    eks.update_access_entry(clusterName=CLUSTER, principalArn=dev, kubernetesGroups=["admins"])
    eks.tag_resource(resourceArn=entry["access_entry_arn"], tags={"extra": "1"})
    start = len(local_aws.requests(mutating=True))
    planned = run(params, check=True, diff=True)
    assert local_aws.requests(mutating=True)[start:] == []
    assert planned["changed"] is True
    assert [(c["action"], c["call"]) for c in planned["changes"]] == [
        ("update", "update_access_entry"),
        ("untag", "untag_resource"),
        ("disassociate", "disassociate_access_policy"),
        ("associate", "associate_access_policy"),
    ]
    assert planned["changes"][0]["params"]["kubernetesGroups"] == params["kubernetes_groups"]
    assert planned["changes"][1]["params"]["tagKeys"] == ["extra"]
    assert planned["changes"][2]["params"]["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"
    assert planned["changes"][3]["params"]["policyArn"] == VIEW
    assert planned["diff"]["before"]["kubernetes_groups"] == ["admins"]
    repaired = run(params, diff=True)
    assert repaired["access_entry"] == {
        **planned["access_entry"],
        "modified_at": repaired["access_entry"]["modified_at"],
    }
    assert {k: repaired["access_entry"][k] for k in ("kubernetes_groups", "access_policies", "tags")} == {
        k: entry[k] for k in ("kubernetes_groups", "access_policies", "tags")
    }
    assert run(params)["changed"] is False

    listed = run_module("eks_access_entry_info", {"cluster_name": CLUSTER})["access_entries"]
    assert [e["principal_arn"] for e in listed] == sorted([dev, "arn:aws:iam::123456789012:user/moto"])

    # Delete: check mode predicts it without a call, then it goes, then nothing is left to do.
    start = len(local_aws.requests(mutating=True))
    assert run({"principal_arn": dev, "state": "absent"}, check=True)["changed"] is True
    assert local_aws.requests(mutating=True)[start:] == []
    gone = run({"principal_arn": dev, "state": "absent"}, diff=True)
    assert gone["changed"] is True and gone["access_entry"] == {} and gone["diff"]["after"] == {}
    assert run({"principal_arn": dev, "state": "absent"})["changed"] is False
    assert run_module("eks_access_entry_info", {"cluster_name": CLUSTER, "principal_arn": dev})["access_entries"] == []


def test_node_entry_and_refusals(local_aws, cluster):
    nodes = cluster["nodes"]
    created = run({"principal_arn": nodes, "type": "EC2_LINUX"})
    assert created["access_entry"]["kubernetes_groups"] == ["system:nodes"]
    assert created["access_entry"]["username"] == "system:node:{{EC2PrivateDNSName}}"
    assert run({"principal_arn": nodes, "type": "EC2_LINUX"})["changed"] is False
    start = len(local_aws.requests())
    # A different type cannot be changed in place: refused before any write.
    failed = run({"principal_arn": nodes, "type": "STANDARD"}, expect_failure=True)
    assert "type: the access entry of" in failed["msg"] and "EC2_LINUX" in failed["msg"]
    # Every problem of the input at once, by option path, before any AWS call.
    failed = run(
        {
            "principal_arn": "arn:aws:iam::123456789012:group/devs",
            "type": "EC2_LINUX",
            "kubernetes_groups": ["system:masters"],
            "access_policies": [
                {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                {"policy_arn": VIEW, "access_scope": {"type": "namespace"}},
            ],
        },
        expect_failure=True,
    )
    for text in (
        "principal_arn: 'arn:aws:iam::123456789012:group/devs' is not an IAM role or user ARN",
        "kubernetes_groups: EKS sets the groups of EC2_LINUX access entries",
        "kubernetes_groups[0]: 'system:masters'",
        "access_policies: access policies are for STANDARD access entries only",
        "access_policies[0].policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' is not an EKS access policy",
        "access_policies[1].access_scope.namespaces: a namespace scope needs at least one namespace",
    ):
        assert text in failed["msg"], text
    # A CONFIG_MAP cluster takes no access entry: said before any write.
    failed = run_module(
        "eks_access_entry", {"cluster_name": "configmap", "principal_arn": cluster["dev"]}, expect_failure=True
    )
    assert "authentication mode CONFIG_MAP: access entries need API or API_AND_CONFIG_MAP" in failed["msg"]
    assert [r for r in local_aws.requests()[start:] if r["mutating"]] == []
