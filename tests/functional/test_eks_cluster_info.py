"""eks_cluster_info against the local AWS endpoint."""

from __future__ import annotations

import json

import boto3
import pytest
from module_runner import run_module

WAIT = {"Delay": 0.5, "MaxAttempts": 240}


@pytest.fixture
def two_clusters(local_aws, cluster_role, vpc_subnets):
    """Clusters "alpha" (a nodegroup and an add-on, tagged) and "beta", made directly with boto3."""
    eks = boto3.client("eks")
    for name, tags in (("alpha", {"Owner": "Team A", "env": "study"}), ("beta", {})):
        eks.create_cluster(
            name=name,
            version="1.33",
            roleArn=cluster_role,
            resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
            tags=tags,
        )
    for name in ("alpha", "beta"):
        eks.get_waiter("cluster_active").wait(name=name, WaiterConfig=WAIT)
    node_role = boto3.client("iam").create_role(
        RoleName="info-node",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    eks.create_nodegroup(
        clusterName="alpha", nodegroupName="ng-1", nodeRole=node_role, subnets=vpc_subnets["subnet_ids"][:2]
    )
    eks.create_addon(clusterName="alpha", addonName="kube-proxy")
    eks.get_waiter("nodegroup_active").wait(clusterName="alpha", nodegroupName="ng-1", WaiterConfig=WAIT)
    return eks


def test_info_one_cluster(two_clusters):
    result = run_module("eks_cluster_info", {"name": "alpha"})
    assert result["changed"] is False
    assert [c["name"] for c in result["clusters"]] == ["alpha"]
    info = result["clusters"][0]
    raw = two_clusters.describe_cluster(name="alpha")["cluster"]
    assert info["arn"] == raw["arn"]
    assert info["status"] == "ACTIVE"
    assert info["version"] == "1.33"
    assert info["platform_version"] == raw["platformVersion"]
    assert info["endpoint"] == raw["endpoint"]
    assert info["certificate_authority"]["data"] == raw["certificateAuthority"]["data"]
    assert info["identity"]["oidc"]["issuer"] == raw["identity"]["oidc"]["issuer"]
    assert (
        info["resources_vpc_config"]["cluster_security_group_id"] == raw["resourcesVpcConfig"]["clusterSecurityGroupId"]
    )
    assert info["resources_vpc_config"]["endpoint_public_access"] is True
    assert info["enabled_log_types"] == []
    # Tag keys are kept as they are, not snake_cased.
    assert info["tags"] == {"Owner": "Team A", "env": "study"}
    assert info["nodegroups"] == ["ng-1"]
    assert info["addons"] == ["kube-proxy"]


def test_info_same_shape_as_eks_cluster(two_clusters):
    info = run_module("eks_cluster_info", {"name": "alpha"})["clusters"][0]
    managed = run_module("eks_cluster", {"name": "alpha"})
    assert managed["changed"] is False
    expected = {k: v for k, v in managed["cluster"].items() if k != "updates"}
    assert {k: v for k, v in info.items() if k not in ("nodegroups", "addons")} == expected


def test_info_all_clusters_in_the_region(two_clusters):
    result = run_module("eks_cluster_info", {})
    by_name = {c["name"]: c for c in result["clusters"]}
    assert sorted(by_name) == ["alpha", "beta"]
    assert by_name["beta"]["nodegroups"] == [] and by_name["beta"]["addons"] == []
    assert by_name["beta"]["tags"] == {}


def test_info_missing_cluster_and_empty_region(local_aws):
    assert run_module("eks_cluster_info", {"name": "nope"})["clusters"] == []
    assert run_module("eks_cluster_info", {})["clusters"] == []


def test_info_in_check_mode(two_clusters):
    result = run_module("eks_cluster_info", {"name": "beta"}, check_mode=True)
    assert result["changed"] is False
    assert [c["name"] for c in result["clusters"]] == ["beta"]
