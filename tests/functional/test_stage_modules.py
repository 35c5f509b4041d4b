"""The modules that reconcile or read a whole stage in one run, against the local AWS endpoint: eks_addons (several
add-ons of one cluster), eks_security_group_rules (rules between existing groups) and eks_nodegroup_inputs_info
(instance types, subnets and key pairs)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from module_runner import run_module

from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import pending

CLUSTER = "stage"


def eks():
    return boto3.client("eks")


def ec2():
    return boto3.client("ec2")


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    local_aws.post("/_aews/config", {"scale": 0.1})
    client = eks()
    client.create_cluster(
        name=CLUSTER,
        version="1.31",
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
    )
    client.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120})
    yield CLUSTER
    local_aws.post("/_aews/reset")


def settled(*names):
    """Wait until each add-on is past CREATING / UPDATING (coredns stays DEGRADED without nodes)."""
    deadline = time.monotonic() + 60
    for name in names:
        while eks().describe_addon(clusterName=CLUSTER, addonName=name)["addon"]["status"] in ("CREATING", "UPDATING"):
            assert time.monotonic() < deadline, f"add-on {name} still changing"
            time.sleep(0.2)


def addons(entries, check=False, diff=False, **kwargs):
    return run_module("eks_addons", dict(cluster_name=CLUSTER, addons=entries), check_mode=check, diff=diff, **kwargs)


def test_addons_in_one_run_check_then_apply_then_no_change(cluster, aws_calls):
    entries = [
        {"name": "vpc-cni", "version": "v1.19.2-eksbuild.1", "tags": {"team": "a"}},
        {"name": "kube-proxy"},
        {"name": "coredns", "configuration_values": {"replicaCount": 3}},
    ]
    aws_calls.clear()
    predicted = addons(entries, check=True, diff=True)
    assert aws_calls.mutating() == []
    assert predicted["changed"] and [c["action"] for c in predicted["changes"]] == ["create"] * 3
    assert predicted["addons"]["vpc-cni"]["version"] == "v1.19.2-eksbuild.1"
    assert sorted(predicted["diff"]["after"]) == ["coredns", "kube-proxy", "vpc-cni"]
    assert eks().list_addons(clusterName=CLUSTER)["addons"] == []

    aws_calls.clear()
    applied = addons(entries)
    assert applied["changed"] and [r["name"] for r in applied["results"]] == ["vpc-cni", "kube-proxy", "coredns"]
    # the cluster described once for the three add-ons
    assert aws_calls.calls.count(("eks", "DescribeCluster")) == 1
    assert aws_calls.mutating() == ["eks:CreateAddon"] * 3
    assert sorted(eks().list_addons(clusterName=CLUSTER)["addons"]) == ["coredns", "kube-proxy", "vpc-cni"]
    described = eks().describe_addon(clusterName=CLUSTER, addonName="coredns")["addon"]
    assert json.loads(described["configurationValues"]) == {"replicaCount": 3}

    settled("vpc-cni", "kube-proxy", "coredns")
    aws_calls.clear()
    again = addons(entries, diff=True)
    assert not again["changed"] and again["changes"] == [] and again["updates"] == []
    assert aws_calls.mutating() == []
    assert {n: a["status"] for n, a in again["addons"].items()} == {
        "vpc-cni": "ACTIVE", "kube-proxy": "ACTIVE", "coredns": "DEGRADED",
    }  # fmt: skip


def test_addons_update_is_returned_with_the_addon_it_belongs_to(cluster):
    addons([{"name": "vpc-cni", "version": "v1.19.2-eksbuild.1"}])
    settled("vpc-cni")
    result = addons([{"name": "vpc-cni", "version": "v1.19.6-eksbuild.7"}, {"name": "kube-proxy"}])
    assert [u["addon"] for u in result["updates"]] == ["vpc-cni"] and result["updates"][0]["id"]
    assert [c["action"] for c in result["changes"]] == ["update", "create"]


def test_addons_bad_entry_fails_before_any_change_naming_it(cluster, aws_calls):
    aws_calls.clear()
    failed = addons([{"name": "vpc-cni"}, {"name": "coredns", "version": " "}], expect_failure=True)
    assert failed["msg"].startswith("addons[1] (coredns): version must be")
    assert aws_calls.calls == []
    twice = addons([{"name": "vpc-cni"}, {"name": "vpc-cni"}], expect_failure=True)
    assert twice["msg"] == "addons[1]: add-on vpc-cni is listed twice"


def test_addons_one_failing_does_not_stop_the_others(cluster):
    failed = addons(
        [{"name": "coredns", "configuration_values": {"replicaCount": 0}}, {"name": "kube-proxy"}], expect_failure=True
    )
    assert failed["msg"].startswith("add-on coredns: ") and "replicaCount" in failed["msg"]
    assert [r.get("failed", False) for r in failed["results"]] == [True, False]
    assert eks().list_addons(clusterName=CLUSTER)["addons"] == ["kube-proxy"]


def test_addons_of_a_missing_cluster_fail(local_aws):
    failed = addons([{"name": "vpc-cni"}], expect_failure=True)
    assert failed["msg"] == f"Cluster {CLUSTER} does not exist"


def test_security_group_rules_check_apply_no_change(local_aws, vpc_subnets, aws_calls):
    a = vpc_subnets["security_group_id"]
    b = ec2().create_security_group(VpcId=vpc_subnets["vpc_id"], GroupName="b", Description="b")["GroupId"]
    rules = [
        {"group_id": a, "source_group_id": b, "description": "From b"},
        {"group_id": b, "source_group_id": a, "protocol": "tcp", "from_port": 443},
    ]
    aws_calls.clear()
    predicted = run_module("eks_security_group_rules", {"rules": rules}, check_mode=True, diff=True)
    assert aws_calls.mutating() == [] and predicted["changed"]
    assert [c["resource"] for c in predicted["changes"]] == [f"security group {a}", f"security group {b}"]
    assert predicted["diff"]["before"][a]["ingress_from_groups"] == []
    assert predicted["diff"]["after"][a]["ingress_from_groups"][0]["source_group_id"] == b

    applied = run_module("eks_security_group_rules", {"rules": rules}, diff=True)
    assert applied["changed"] and aws_calls.mutating() == ["ec2:AuthorizeSecurityGroupIngress"] * 2
    assert applied["security_groups"] == predicted["security_groups"]
    group = ec2().describe_security_groups(GroupIds=[b])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p.get("FromPort"), [g["GroupId"] for g in p["UserIdGroupPairs"]])
            for p in group["IpPermissions"]] == [("tcp", 443, [a])]  # fmt: skip

    aws_calls.clear()
    again = run_module("eks_security_group_rules", {"rules": rules})
    assert not again["changed"] and aws_calls.mutating() == []


def test_security_group_rules_missing_group_fails_naming_it(local_aws, vpc_subnets, aws_calls):
    a = vpc_subnets["security_group_id"]
    failed = run_module(
        "eks_security_group_rules", {"rules": [{"group_id": a, "source_group_id": "sg-0123456789abcdef0"}]},
        expect_failure=True,
    )  # fmt: skip
    assert "sg-0123456789abcdef0" in failed["msg"]
    assert aws_calls.mutating() == []


def test_nodegroup_inputs_in_one_read(local_aws, vpc_subnets, aws_calls):
    ec2().import_key_pair(
        KeyName="stage-ng",
        PublicKeyMaterial=b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOKpDxS2J7K4z8aQ0x2bqvP9aRr0R4L3zQeR6mYbKp1C t",
    )
    aws_calls.clear()
    found = run_module(
        "eks_nodegroup_inputs_info",
        {"instance_types": ["t3.medium", "t3.medium"], "subnet_ids": vpc_subnets["subnet_ids"][:2] + [pending("subnet")],
         "key_names": ["stage-ng", "stage-other"]},
        check_mode=True,
    )  # fmt: skip
    assert aws_calls.mutating() == [] and not found["changed"]
    assert [t["instance_type"] for t in found["instance_types"]] == ["t3.medium"]
    assert found["instance_types"][0]["max_pods"] == 17
    assert [s["subnet_id"] for s in found["subnets"]] == vpc_subnets["subnet_ids"][:2]
    assert all(isinstance(s["available_ip_address_count"], int) for s in found["subnets"])
    assert [k["key_name"] for k in found["key_pairs"]] == ["stage-ng"]
    failed = run_module("eks_nodegroup_inputs_info", {"instance_types": ["t9.nonesuch"]}, expect_failure=True)
    assert failed["msg"].startswith("instance_types: t9.nonesuch: not all offered in ap-northeast-2")
