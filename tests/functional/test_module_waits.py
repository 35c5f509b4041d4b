"""Waits a module does itself, recognised by the AWS error code, against the local endpoint's injected faults:
eks_security_groups deleting a group something still uses (DependencyViolation) and creating a group in a VPC EC2
does not know yet (InvalidVpcID.NotFound)."""

from __future__ import annotations

import boto3
from module_runner import run_module


def requests(local_aws, operation):
    return [r for r in local_aws.requests() if r["operation"] == operation]


def test_a_security_group_still_used_is_deleted_once_it_is_let_go(local_aws, vpc_subnets):
    vpc = vpc_subnets["vpc_id"]
    ec2 = boto3.client("ec2")
    group_id = ec2.create_security_group(VpcId=vpc, GroupName="wt-ng-remote-access", Description="SSH")["GroupId"]
    params = {"vpc_id": vpc, "groups": [{"name": "wt-ng-remote-access", "state": "absent"}], "dependency_timeout": 60}

    check = run_module("eks_security_groups", params, check_mode=True)
    assert check["changed"] and [(c["action"], c["params"]) for c in check["changes"]] == [
        ("delete", {"GroupId": group_id})
    ]
    assert check["security_groups"] == {}

    # The network interfaces of terminated nodes hold the group for a while: EC2 refuses the delete twice.
    refused = {"code": "DependencyViolation", "status": 400, "message": f"resource {group_id} has a dependent object"}
    local_aws.faults(fail_next=[{"operation": "ec2:DeleteSecurityGroup", "count": 2, "error": refused}])
    local_aws.clear_requests()
    result = run_module("eks_security_groups", params)
    assert result["changed"] and result["security_groups"] == {}
    assert [r["error"] for r in requests(local_aws, "DeleteSecurityGroup")] == [
        "DependencyViolation", "DependencyViolation", None
    ]  # fmt: skip
    assert not [g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupId"] == group_id]

    assert not run_module("eks_security_groups", params, check_mode=True)["changed"]
    assert not run_module("eks_security_groups", params)["changed"]


def test_a_dependency_past_the_timeout_fails_naming_the_code(local_aws, vpc_subnets):
    vpc = vpc_subnets["vpc_id"]
    boto3.client("ec2").create_security_group(VpcId=vpc, GroupName="wt-held", Description="held")
    refused = {"code": "DependencyViolation", "status": 400, "message": "resource has a dependent object"}
    local_aws.faults(fail_next=[{"operation": "ec2:DeleteSecurityGroup", "count": 50, "error": refused}])
    params = {"vpc_id": vpc, "groups": [{"name": "wt-held", "state": "absent"}], "dependency_timeout": 0}
    result = run_module("eks_security_groups", params, expect_failure=True)
    assert "DependencyViolation" in result["msg"]


def test_a_group_is_created_in_a_vpc_ec2_does_not_know_yet(local_aws, vpc_subnets):
    vpc = vpc_subnets["vpc_id"]
    lag = {"code": "InvalidVpcID.NotFound", "status": 400, "message": f"The vpc ID '{vpc}' does not exist"}
    local_aws.faults(fail_next=[{"operation": "ec2:CreateSecurityGroup", "count": 2, "error": lag}])
    local_aws.clear_requests()
    params = {"vpc_id": vpc, "groups": [{"name": "wt-control-plane", "description": "Control plane"}]}
    result = run_module("eks_security_groups", params)
    assert result["changed"] and result["security_groups"]["wt-control-plane"]["group_id"].startswith("sg-")
    assert [r["error"] for r in requests(local_aws, "CreateSecurityGroup")] == [
        "InvalidVpcID.NotFound", "InvalidVpcID.NotFound", None
    ]  # fmt: skip
    named = boto3.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["wt-control-plane"]}]
    )
    assert len(named["SecurityGroups"]) == 1
    assert not run_module("eks_security_groups", params)["changed"]


NODEGROUP_PLAY = """
- name: The nodegroups deleted
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Nodegroups
      ansible.builtin.include_role:
        name: aews.eks.nodegroup
      vars:
        nodegroup_state: absent
        nodegroup_poll_delay: 1
"""


def test_the_nodegroup_roles_ssh_group_is_deleted_once_terminated_nodes_let_go_of_it(local_aws, tmp_path):
    from test_delete_resumed import NAME
    from test_delete_resumed import OWNER
    from test_delete_resumed import cluster_with_addons
    from test_delete_resumed import definition
    from test_site import playbook

    eks = cluster_with_addons([], tags={OWNER: NAME})
    ec2 = boto3.client("ec2")
    vpc = eks.describe_cluster(name=NAME)["cluster"]["resourcesVpcConfig"]["vpcId"]
    name = f"{NAME}-ng-remote-access"
    group_id = ec2.create_security_group(
        VpcId=vpc, GroupName=name, Description="SSH",
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": OWNER, "Value": NAME}]}],
    )["GroupId"]  # fmt: skip
    refused = {"code": "DependencyViolation", "status": 400, "message": f"resource {group_id} has a dependent object"}
    local_aws.faults(fail_next=[{"operation": "ec2:DeleteSecurityGroup", "count": 2, "error": refused}])
    local_aws.clear_requests()
    play = tmp_path / "nodegroups.yml"
    play.write_text(NODEGROUP_PLAY)

    result, _changed = playbook(local_aws, play, "-e", f"@{definition(tmp_path, [])}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "FAILED - RETRYING" not in result.stdout
    assert [r["error"] for r in requests(local_aws, "DeleteSecurityGroup")] == [
        "DependencyViolation", "DependencyViolation", None
    ]  # fmt: skip
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
