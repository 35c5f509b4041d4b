# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_vpc's security_groups: the groups checked as eks_security_groups checks them (named by security_groups[N]),
none read in a VPC the run makes, read once in one that exists, reconciled by security_groups.reconcile."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import security_groups as sg
from ansible_collections.aews.eks.plugins.module_utils._eks import vpc
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

GROUPS = [
    {"name": "myeks-control-plane", "description": "Control plane", "tags": {"Name": "myeks-control-plane"}},
    {"name": "myeks-shared-nodes", "description": "Shared nodes", "tags": {"Name": "myeks-shared-nodes"},
     "rules": [{"group_name": "myeks-shared-nodes", "description": "Nodes to nodes"}]},
]  # fmt: skip


class Module:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.region = "ap-northeast-2"


class EC2:
    """Answers DescribeSecurityGroups from ``groups`` (by filter or by id), makes groups and rules, records calls."""

    def __init__(self, groups=(), fail=None):
        self.groups = {g["GroupName"]: g for g in groups}
        self.calls = []
        self.fail = fail

    def _call(self, operation, params):
        self.calls.append((operation, params))
        if operation == self.fail:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "SecurityGroupLimitExceeded", "Message": "The maximum number has been reached."}},
                operation,
            )

    def create_security_group(self, **params):
        self._call("create_security_group", params)
        group_id = f"sg-{len(self.groups) + 1}"
        tags = params.get("TagSpecifications", [{}])[0].get("Tags", [])
        self.groups[params["GroupName"]] = {"GroupId": group_id, "GroupName": params["GroupName"],
                                            "VpcId": params["VpcId"], "Description": params["Description"],
                                            "Tags": tags, "IpPermissions": []}  # fmt: skip
        return {"GroupId": group_id}

    def authorize_security_group_ingress(self, **params):
        self._call("authorize_security_group_ingress", params)
        group = next(g for g in self.groups.values() if g["GroupId"] == params["GroupId"])
        group["IpPermissions"] += params["IpPermissions"]

    def get_paginator(self, operation):
        client = self

        class Paginator:
            def paginate(self, **params):
                client._call(operation, params)
                found = list(client.groups.values())
                if params.get("GroupIds"):
                    found = [g for g in found if g["GroupId"] in params["GroupIds"]]
                return [{"SecurityGroups": found}]

        return Paginator()


def found(name, group_id, rules=()):
    return {"GroupId": group_id, "GroupName": name, "VpcId": "vpc-1", "Description": "d",
            "Tags": [{"Key": "Name", "Value": name}], "IpPermissions": list(rules)}  # fmt: skip


def test_no_option_no_groups():
    assert vpc.security_groups_desired({"name": "myeks"}) is None
    assert vpc.security_groups_desired({"name": "myeks", "security_groups": None}) is None


def test_the_groups_are_those_eks_security_groups_builds_with_the_vpc_pending_and_the_modules_purge_tags():
    desired = vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS, "purge_tags": False})
    assert desired == sg.build_desired({"vpc_id": "pending:vpc", "groups": GROUPS, "purge_tags": False})
    assert desired["vpc_id"] == "pending:vpc" and desired["purge_tags"] is False
    assert vpc.security_groups_desired({"name": "myeks", "security_groups": []})["groups"] == []


@pytest.mark.parametrize(
    "group, message",
    [
        ({"name": "x"}, "security_groups[2].description: required"),
        ({"name": "myeks-control-plane", "description": "d"},
         "security_groups[2].name: 'myeks-control-plane' is given more than once"),
        ({"name": "x", "description": "d", "rules": [{"group_name": "nope"}]},
         "security_groups[2].rules[0].group_name: 'nope' is not one of the groups of this run"),
        ({"name": "x", "description": "d", "rules": [{"cidr_ip": "10.0.0.0/8", "group_id": "sg-1"}]},
         "security_groups[2].rules[0]: exactly one of group_name, group_id, cidr_ip, cidr_ipv6 is required"
         " (got group_id, cidr_ip)"),
    ],
)  # fmt: skip
def test_bad_groups_fail_naming_the_option_of_eks_vpc(group, message):
    with pytest.raises(EksError) as e:
        vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS + [group]})
    assert str(e.value) == message


def test_in_a_vpc_the_run_makes_nothing_is_read_before_the_creates():
    ec2 = EC2()
    desired = vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS})
    current, changes, after = vpc.converge_security_groups(Module(), ec2, desired, "vpc-new", True)
    assert current == {}
    assert [(c["action"], c["group"]) for c in changes] == [
        ("create", "myeks-control-plane"), ("create", "myeks-shared-nodes"), ("authorize", "myeks-shared-nodes")
    ]  # fmt: skip
    assert [c[0] for c in ec2.calls] == [
        "create_security_group", "create_security_group", "authorize_security_group_ingress", "describe_security_groups"
    ]  # fmt: skip
    assert ec2.calls[0][1]["VpcId"] == "vpc-new" and ec2.calls[-1][1] == {"GroupIds": ["sg-1", "sg-2"]}
    shown = sg.view(after)
    assert shown["myeks-shared-nodes"]["ingress"][0]["value"] == "sg-2"
    assert {g["vpc_id"] for g in shown.values()} == {"vpc-new"}


def test_check_mode_predicts_the_groups_of_a_vpc_still_to_be_made_without_a_call():
    ec2 = EC2()
    desired = vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS})
    current, changes, after = vpc.converge_security_groups(Module(check_mode=True), ec2, desired, None, True)
    assert ec2.calls == [] and current == {}
    assert changes[0]["params"]["VpcId"] == "pending:vpc"
    shown = sg.view(after)
    assert {g["group_id"] for g in shown.values()} == {None}
    assert shown["myeks-shared-nodes"]["ingress"][0]["value"] == sg.pending_id("myeks-shared-nodes")


def test_in_a_vpc_that_exists_the_groups_are_read_once_and_a_converged_run_makes_that_read_only():
    rule = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": "Nodes to nodes"}]}
    ec2 = EC2([found("myeks-control-plane", "sg-1"), found("myeks-shared-nodes", "sg-2", [rule])])
    desired = vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS})
    for check_mode in (True, False):
        ec2.calls.clear()
        current, changes, after = vpc.converge_security_groups(Module(check_mode), ec2, desired, "vpc-1", False)
        assert changes == [] and after == current
        assert ec2.calls == [("describe_security_groups", {"Filters": [
            {"Name": "vpc-id", "Values": ["vpc-1"]},
            {"Name": "group-name", "Values": ["myeks-control-plane", "myeks-shared-nodes"]},
        ]})]  # fmt: skip


def test_a_security_group_quota_counts_the_groups_in_use_in_the_region():
    ec2 = EC2([found("other", "sg-9")], fail="create_security_group")
    desired = vpc.security_groups_desired({"name": "myeks", "security_groups": GROUPS[:1]})
    with pytest.raises(EksError) as e:
        vpc.converge_security_groups(Module(), ec2, desired, "vpc-1", True)
    assert e.value.code == "SecurityGroupLimitExceeded"
    assert (
        "AWS quota 'VPC security groups per Region' reached (SecurityGroupLimitExceeded): 1 security groups in use in"
        " ap-northeast-2. Either delete security groups nothing uses" in str(e.value)
    )
    assert ec2.calls[-1] == ("describe_security_groups", {"Filters": []})


def test_the_diff_shows_the_groups_under_security_groups_only_when_there_are_any():
    assert vpc._with_groups({}, {}) == {}
    assert vpc._with_groups({"vpc": {"name": "v"}}, {}) == {"vpc": {"name": "v"}}
    assert vpc._with_groups({"vpc": {"name": "v"}}, {"g": {}}) == {"vpc": {"name": "v"}, "security_groups": {"g": {}}}
