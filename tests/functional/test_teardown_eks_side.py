"""eks_cluster_cleanup against the local AWS endpoint: one run deletes the EKS side of a cluster (add-ons, a
nodegroup, a Fargate profile, an identity provider config, the cluster, its log group); check mode predicts it with no
mutating call; a run resumed after an interrupted one waits for what that one left being deleted; a re-run changes
nothing."""

from __future__ import annotations

import json

import boto3
import pytest
from module_runner import run_module

NAME = "oneteardown"
OWN = {"aews.eks/cluster-name": NAME}
LOG_GROUP = f"/aws/eks/{NAME}/cluster"


def _role(name, service):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}  # fmt: skip
    return boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets, monkeypatch):
    """An ACTIVE cluster the collection owns, with two add-ons, a nodegroup, a Fargate profile, an identity provider
    config and its log group, all tagged for it; and a log group of another cluster."""
    local_aws.configure(scale=0.05)
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    eks = boto3.client("eks")
    subnets = vpc_subnets["subnet_ids"]
    eks.create_cluster(name=NAME, roleArn=cluster_role, resourcesVpcConfig={"subnetIds": subnets}, tags=OWN)
    eks.get_waiter("cluster_active").wait(name=NAME, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    for addon in ("vpc-cni", "kube-proxy"):
        eks.create_addon(clusterName=NAME, addonName=addon, tags=OWN)
    eks.create_nodegroup(clusterName=NAME, nodegroupName="ng-1", nodeRole=_role(f"{NAME}-node", "ec2.amazonaws.com"),
                         subnets=subnets[:2], tags=OWN)  # fmt: skip
    eks.get_waiter("nodegroup_active").wait(clusterName=NAME, nodegroupName="ng-1",
                                            WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})  # fmt: skip
    eks.create_fargate_profile(
        clusterName=NAME, fargateProfileName="fp-1", podExecutionRoleArn=_role(f"{NAME}-pods", "eks-fargate-pods.amazonaws.com"),
        subnets=subnets[:2], selectors=[{"namespace": "batch"}], tags=OWN,
    )  # fmt: skip
    eks.associate_identity_provider_config(
        clusterName=NAME, oidc={"identityProviderConfigName": "corp", "issuerUrl": "https://issuer.example.com",
                                "clientId": "kubernetes"}, tags=OWN,
    )  # fmt: skip
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=LOG_GROUP, tags=OWN)
    logs.create_log_group(logGroupName=f"{LOG_GROUP}-other", tags={"aews.eks/cluster-name": "other"})
    yield eks


def run(check=False, diff=False):
    return run_module("eks_cluster_cleanup", {"cluster_name": NAME, "wait_timeout": 300}, check_mode=check, diff=diff)


def log_groups():
    return [g["logGroupName"] for g in boto3.client("logs").describe_log_groups()["logGroups"]]


def test_one_run_deletes_the_eks_side_check_mode_predicts_it_and_a_resumed_run_waits(local_aws, cluster):
    eks = cluster
    local_aws.clear_requests()
    predicted = run(check=True, diff=True)
    assert local_aws.requests(mutating=True) == []
    assert predicted["changed"] is True
    assert predicted["deleted"] == [
        {"type": "addon", "name": "vpc-cni"},  # vpc-cni first
        {"type": "addon", "name": "kube-proxy"},
        {"type": "nodegroup", "name": "ng-1"},
        {"type": "fargate_profile", "name": "fp-1"},
        {"type": "identity_provider_config", "name": "corp"},
        {"type": "cluster", "name": NAME},
        {"type": "log_group", "name": LOG_GROUP},
    ]
    assert predicted["diff"]["before"]["nodegroup"] == ["ng-1"] and predicted["diff"]["after"] == {}
    assert eks.describe_cluster(name=NAME)["cluster"]["status"] == "ACTIVE"

    # An interrupted teardown: it deleted the nodegroup and stopped before its wait; EKS takes a while to delete it.
    local_aws.configure(delays={"nodegroup": 40})  # 2 s at the fixture's scale
    eks.delete_nodegroup(clusterName=NAME, nodegroupName="ng-1")
    assert eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng-1")["nodegroup"]["status"] == "DELETING"

    local_aws.clear_requests()
    result = run()
    assert result["changed"] is True
    assert {"type": "nodegroup", "name": "ng-1"} in result["waited"]
    assert [d["type"] for d in result["deleted"]] == [
        "addon", "addon", "fargate_profile", "identity_provider_config", "cluster", "log_group",
    ]  # fmt: skip
    mutating = [r["operation"] for r in local_aws.requests(mutating=True)]
    assert "DeleteNodegroup" not in mutating  # deleted by the interrupted run, only waited for
    # eksctl's order: add-ons, the nodegroup gone, the profile, the config, then the cluster, then its log group.
    order = ["DeleteAddon", "DeleteFargateProfile", "DisassociateIdentityProviderConfig", "DeleteCluster"]
    assert [op for op in mutating if op in order] == ["DeleteAddon", "DeleteAddon"] + order[1:]
    assert eks.list_clusters()["clusters"] == []
    assert log_groups() == [f"{LOG_GROUP}-other"]  # another cluster's log group is left alone

    again = run()
    assert again["changed"] is False and again["deleted"] == [] and again["waited"] == []


def test_a_cluster_left_deleting_is_waited_for_and_its_log_group_deleted(local_aws, cluster):
    eks = cluster
    eks.delete_nodegroup(clusterName=NAME, nodegroupName="ng-1")
    eks.get_waiter("nodegroup_deleted").wait(clusterName=NAME, nodegroupName="ng-1",
                                             WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})  # fmt: skip
    eks.delete_fargate_profile(clusterName=NAME, fargateProfileName="fp-1")
    eks.get_waiter("fargate_profile_deleted").wait(clusterName=NAME, fargateProfileName="fp-1",
                                                   WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})  # fmt: skip
    local_aws.configure(delays={"cluster": 40})  # 2 s at the fixture's scale
    eks.delete_cluster(name=NAME)
    assert eks.describe_cluster(name=NAME)["cluster"]["status"] == "DELETING"

    result = run()
    # EKS deletes the add-ons with the cluster: they are DELETING too, waited for with it.
    assert result["waited"] == [{"type": "addon", "name": "vpc-cni"}, {"type": "addon", "name": "kube-proxy"},
                                {"type": "cluster", "name": NAME}]  # fmt: skip
    assert result["deleted"] == [{"type": "log_group", "name": LOG_GROUP}]
    assert eks.list_clusters()["clusters"] == []
