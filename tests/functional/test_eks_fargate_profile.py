"""eks_fargate_profile and eks_fargate_profile_info against the local AWS endpoint: create, no-op, check mode, diff,
drift, replacement, one profile at a time, public subnets refused, delete."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps
from module_runner import run_module

CLUSTER = "fargate"


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets, monkeypatch):
    """An ACTIVE cluster on the three private subnets, a public subnet of its VPC and a pod execution role."""
    local_aws.post("/_aews/config", {"scale": 0.05})
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    ec2 = boto3.client("ec2")
    vpc_id = vpc_subnets["vpc_id"]
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.64.0/20", AvailabilityZone=ec2.meta.region_name + "c")
    public = public["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    eks = boto3.client("eks")
    eks.create_cluster(
        name=CLUSTER,
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"] + [public]},
    )
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "eks-fargate-pods.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = boto3.client("iam").create_role(RoleName="fargate-pods", AssumeRolePolicyDocument=json.dumps(trust))
    yield {"private": vpc_subnets["subnet_ids"], "public": public, "igw": igw, "role": role["Role"]["Arn"]}
    local_aws.post("/_aews/reset")


def run(params, check=False, diff=False, **kwargs):
    args = dict(cluster_name=CLUSTER, **params)
    return run_module("eks_fargate_profile", args, check_mode=check, diff=diff, **kwargs)


def mutations(local_aws, start):
    return [r["operation"] for r in local_aws.requests(mutating=True)[start:]]


def test_fargate_profile_lifecycle(local_aws, cluster):
    private = cluster["private"]
    params = dict(
        name="fp-a",
        pod_execution_role_arn=cluster["role"],
        selectors=[{"namespace": "batch", "labels": {"fargate": "true"}}, {"namespace": "kube-system"}],
        subnets=private[:2],
        tags={"team": "data"},
    )
    checked, applied, _final = four_steps(
        "eks_fargate_profile", "fargate_profile", dict(cluster_name=CLUSTER, **params), lambda *r: None,
        local_aws=local_aws,
    )  # fmt: skip
    profile = applied["fargate_profile"]
    assert profile["status"] == "ACTIVE"
    for key in ("fargate_profile_name", "pod_execution_role_arn", "selectors", "subnets", "status", "tags"):
        assert checked["fargate_profile"][key] == profile[key], key
    assert [(c["action"], c["call"]) for c in checked["changes"]] == [("create", "create_fargate_profile")]
    assert checked["diff"]["before"] == {}
    assert profile["selectors"] == [
        {"namespace": "batch", "labels": {"fargate": "true"}},
        {"namespace": "kube-system", "labels": {}},
    ]

    # Tag drift is repaired in place (no replacement).
    eks = boto3.client("eks")
    eks.tag_resource(resourceArn=profile["fargate_profile_arn"], tags={"extra": "1"})
    start = len(local_aws.requests(mutating=True))
    assert [(c["action"], c["params"]["tagKeys"]) for c in run(params, check=True)["changes"]] == [("untag", ["extra"])]
    assert mutations(local_aws, start) == []
    assert run(params)["fargate_profile"]["tags"] == {"team": "data"}
    assert mutations(local_aws, start) == ["UntagResource"]

    # A selector change replaces the profile: said in check mode, without any call.
    changed = dict(params, selectors=[{"namespace": "batch"}])
    start = len(local_aws.requests(mutating=True))
    planned = run(changed, check=True, diff=True)
    assert mutations(local_aws, start) == []
    assert [c["action"] for c in planned["changes"]] == ["delete", "create"]
    assert planned["changes"][0]["why"].startswith("selectors changed")
    assert "deleted and created again" in planned["changes"][0]["why"]
    assert "is replaced (deleted, then created)" in json.dumps(planned.get("warnings")), planned.keys()
    assert planned["diff"]["before"]["selectors"] != planned["diff"]["after"]["selectors"]
    replaced = run(changed, diff=True)
    assert mutations(local_aws, start) == ["DeleteFargateProfile", "CreateFargateProfile"]
    assert replaced["fargate_profile"]["fargate_profile_arn"] != profile["fargate_profile_arn"]
    for key in ("selectors", "subnets", "tags", "status"):
        assert replaced["fargate_profile"][key] == planned["fargate_profile"][key], key
    assert run(changed)["changed"] is False

    info = run_module("eks_fargate_profile_info", {"cluster_name": CLUSTER})["fargate_profiles"]
    assert [p["fargate_profile_name"] for p in info] == ["fp-a"]

    # Delete: predicted without a call, done, then nothing left to do.
    start = len(local_aws.requests(mutating=True))
    assert [(c["action"], c["params"]) for c in run({"name": "fp-a", "state": "absent"}, check=True)["changes"]] == [
        ("delete", {"clusterName": CLUSTER, "fargateProfileName": "fp-a"})
    ]
    assert mutations(local_aws, start) == []
    assert run({"name": "fp-a", "state": "absent"})["fargate_profile"] == {}
    assert run({"name": "fp-a", "state": "absent"})["changed"] is False
    assert eks.list_fargate_profiles(clusterName=CLUSTER)["fargateProfileNames"] == []


def test_one_profile_at_a_time_and_private_subnets(local_aws, cluster):
    local_aws.post("/_aews/config", {"delays": {"nodegroup": 1.0}, "scale": 1.0})
    eks = boto3.client("eks")
    eks.create_fargate_profile(
        clusterName=CLUSTER,
        fargateProfileName="first",
        podExecutionRoleArn=cluster["role"],
        selectors=[{"namespace": "one"}],
    )
    # EKS refuses a second profile while one is CREATING; the module waits its turn instead.
    refused = local_aws.requests()
    start = len(refused)
    second = run({"name": "second", "pod_execution_role_arn": cluster["role"], "selectors": [{"namespace": "two"}]})
    creates = [r for r in local_aws.requests()[start:] if r["operation"] == "CreateFargateProfile"]
    assert [r["error"] for r in creates] == [None]
    assert (
        eks.describe_fargate_profile(clusterName=CLUSTER, fargateProfileName="first")["fargateProfile"]["status"]
        == "ACTIVE"
    )
    # Without subnets, EKS gave the profile the cluster's private subnets, as check mode predicted.
    assert second["fargate_profile"]["subnets"] == sorted(cluster["private"])

    # A public subnet is refused by path before any call, as are bad inputs.
    start = len(local_aws.requests(mutating=True))
    failed = run(
        {
            "name": "third",
            "pod_execution_role_arn": cluster["role"],
            "selectors": [{"namespace": "three"}],
            "subnets": [cluster["private"][0], cluster["public"]],
        },
        expect_failure=True,
    )
    assert failed["msg"] == (
        f"subnets[1]: subnet {cluster['public']} is public (its route table sends traffic to the internet gateway "
        f"{cluster['igw']}); Fargate runs pods in private subnets only"
    )
    failed = run(
        {"name": "bad name", "pod_execution_role_arn": "arn:aws:iam::123456789012:user/u", "selectors": []},
        expect_failure=True,
    )
    assert "name: 'bad name' must be" in failed["msg"]
    assert "pod_execution_role_arn: 'arn:aws:iam::123456789012:user/u' is not an IAM role ARN" in failed["msg"]
    assert "selectors: a Fargate profile needs 1 to 5 selectors" in failed["msg"]
    assert mutations(local_aws, start) == []

    # Deleting the cluster's profiles one after the other: each waits for the one before.
    for name in ("first", "second"):
        run({"name": name, "state": "absent", "wait": False})
    run({"name": "second", "state": "absent"})
    assert eks.list_fargate_profiles(clusterName=CLUSTER)["fargateProfileNames"] == []
