"""eks_security_groups against the local AWS endpoint: the groups of one VPC read in one call, created with their
rules and tags (check mode first), then a re-run that changes nothing and makes that one read; drift converged."""

from __future__ import annotations

import boto3
from module_runner import run_module


def ec2():
    return boto3.client("ec2")


def groups(prefix):
    return [
        {
            "name": f"{prefix}-control-plane",
            "description": "Control plane",
            "tags": {"Name": f"{prefix}-control-plane"},
        },
        {
            "name": f"{prefix}-shared-nodes",
            "description": "Shared nodes",
            "tags": {"Name": f"{prefix}-shared-nodes", "team": "a"},
            "rules": [{"group_name": f"{prefix}-shared-nodes", "description": "Nodes to nodes"}],
        },
        {
            "name": f"{prefix}-ng-remote-access",
            "description": "SSH",
            "purge_rules": True,
            "rules": [
                {"protocol": "tcp", "from_port": 22, "cidr_ip": "0.0.0.0/0", "description": "SSH"},
                {"protocol": "tcp", "from_port": 22, "cidr_ipv6": "::/0", "description": "SSH"},
            ],
        },
    ]


def test_check_create_no_change(local_aws, vpc_subnets, aws_calls):
    vpc = vpc_subnets["vpc_id"]
    params = {"vpc_id": vpc, "groups": groups("sg")}
    aws_calls.clear()
    predicted = run_module("eks_security_groups", params, check_mode=True, diff=True)
    assert predicted["changed"] and aws_calls.mutating() == []
    assert [(c["resource"], c["action"]) for c in predicted["changes"]] == [
        ("security group sg-control-plane", "create"),
        ("security group sg-shared-nodes", "create"),
        ("security group sg-ng-remote-access", "create"),
        ("security group sg-shared-nodes", "authorize"),
        ("security group sg-ng-remote-access", "authorize"),
    ]
    assert predicted["security_groups"]["sg-control-plane"]["group_id"] is None
    assert predicted["diff"]["before"] == {}

    aws_calls.clear()
    made = run_module("eks_security_groups", params, diff=True)
    assert made["changed"]
    assert aws_calls.mutating() == ["ec2:CreateSecurityGroup"] * 3 + ["ec2:AuthorizeSecurityGroupIngress"] * 2
    shared = made["security_groups"]["sg-shared-nodes"]
    assert shared["group_id"].startswith("sg-") and shared["tags"] == {"Name": "sg-shared-nodes", "team": "a"}
    assert [(r["source"], r["value"], r["description"]) for r in shared["ingress"]] == [
        ("group_id", shared["group_id"], "Nodes to nodes")
    ]
    found = ec2().describe_security_groups(GroupIds=[made["security_groups"]["sg-ng-remote-access"]["group_id"]])
    permissions = found["SecurityGroups"][0]["IpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"]) for p in permissions] == [("tcp", 22)]
    assert permissions[0]["IpRanges"][0]["CidrIp"] == "0.0.0.0/0"
    assert permissions[0]["Ipv6Ranges"][0]["CidrIpv6"] == "::/0"
    # what check mode predicted, but for the ids it could not know
    for name, group in predicted["security_groups"].items():
        assert made["security_groups"][name]["tags"] == group["tags"]
        assert len(made["security_groups"][name]["ingress"]) == len(group["ingress"])

    aws_calls.clear()
    again = run_module("eks_security_groups", params)
    assert not again["changed"] and again["changes"] == []
    assert aws_calls.calls == [("ec2", "DescribeSecurityGroups")]
    assert again["security_groups"] == made["security_groups"]


def test_drift_is_converged(local_aws, vpc_subnets, aws_calls):
    vpc = vpc_subnets["vpc_id"]
    params = {"vpc_id": vpc, "groups": groups("dr")}
    made = run_module("eks_security_groups", params)["security_groups"]
    ssh = made["dr-ng-remote-access"]["group_id"]
    shared = made["dr-shared-nodes"]["group_id"]
    client = ec2()
    client.authorize_security_group_ingress(
        GroupId=ssh,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    rules = client.describe_security_groups(GroupIds=[shared])["SecurityGroups"][0]["IpPermissions"]
    client.revoke_security_group_ingress(GroupId=shared, IpPermissions=rules)
    client.create_tags(Resources=[shared], Tags=[{"Key": "stray", "Value": "x"}, {"Key": "team", "Value": "b"}])

    aws_calls.clear()
    fixed = run_module("eks_security_groups", params)
    assert [(c["resource"], c["action"]) for c in fixed["changes"]] == [
        ("security group dr-shared-nodes", "authorize"),
        ("security group dr-shared-nodes", "tag"),
        ("security group dr-shared-nodes", "untag"),
        ("security group dr-ng-remote-access", "revoke"),
    ]
    assert fixed["security_groups"] == made
    assert not run_module("eks_security_groups", params)["changed"]


def test_bad_input_fails_before_any_call(local_aws, vpc_subnets, aws_calls):
    bad = groups("bad")
    bad[1]["rules"] = [{"group_name": "not-in-this-run"}]
    failed = run_module("eks_security_groups", {"vpc_id": vpc_subnets["vpc_id"], "groups": bad}, expect_failure=True)
    assert failed["msg"] == "groups[1].rules[0].group_name: 'not-in-this-run' is not one of the groups of this run"
    assert aws_calls.calls == []
