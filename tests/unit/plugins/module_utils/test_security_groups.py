# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import security_groups as sg
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def desired(*groups, purge_tags=True):
    return sg.build_desired({"vpc_id": "vpc-1", "groups": list(groups), "purge_tags": purge_tags})


SHARED = {"name": "shared", "description": "d", "tags": {"Name": "shared"}, "rules": [{"group_name": "shared"}]}


def found(name, group_id, permissions=(), tags=None):
    return {
        "GroupId": group_id, "GroupName": name, "VpcId": "vpc-1", "Description": "d",
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()], "IpPermissions": list(permissions),
    }  # fmt: skip


def test_a_new_group_is_created_then_its_self_rule_names_it_pending():
    changes = sg.plan({}, desired(SHARED))
    assert [c["action"] for c in changes] == ["create", "authorize"]
    assert changes[1]["params"] == {
        "GroupId": sg.pending_id("shared"),
        "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg.pending_id("shared")}]}],
    }
    predicted = sg.predict({}, desired(SHARED), changes)
    assert sg.view(predicted)["shared"]["group_id"] is None
    assert sg.view(predicted)["shared"]["tags"] == {"Name": "shared"}
    # the pending ids are the made group's once it exists
    assert sg._with_ids(changes[1]["params"], {"shared": "sg-9"})["IpPermissions"][0]["UserIdGroupPairs"] == [
        {"GroupId": "sg-9"}
    ]


def test_a_group_as_it_should_be_is_no_change():
    self_rule = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1", "Description": "other words"}]}
    current = {"shared": found("shared", "sg-1", [self_rule], {"Name": "shared", "aws:cloudformation:x": "y"})}
    assert sg.plan(current, desired(SHARED)) == []


def test_purge_rules_revokes_what_is_not_listed_and_tags_converge():
    ssh = {"name": "ssh", "description": "d", "purge_rules": True,
           "rules": [{"protocol": "tcp", "from_port": 22, "cidr_ip": "0.0.0.0/0"}]}  # fmt: skip
    extra = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    kept = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    current = {"ssh": found("ssh", "sg-2", [kept, extra], {"stray": "x"})}
    changes = sg.plan(current, desired(ssh))
    assert [(c["action"], c["why"]) for c in changes] == [
        ("revoke", "ingress tcp 80 from 10.0.0.0/8"),
        ("untag", "stray"),
    ]
    assert sg.plan(current, desired(ssh, purge_tags=False))[1:] == []
    after = sg.view(sg.predict(current, desired(ssh), changes))["ssh"]
    assert [r["value"] for r in after["ingress"]] == ["0.0.0.0/0"] and after["tags"] == {}


ONE_SOURCE = "groups[0].rules[0]: exactly one of group_name, group_id, cidr_ip, cidr_ipv6 is required"


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"protocol": "tcp"}, ONE_SOURCE + " (got none)"),
        ({"cidr_ip": "0.0.0.0/0", "cidr_ipv6": "::/0"}, ONE_SOURCE + " (got cidr_ip, cidr_ipv6)"),
        ({"protocol": "tcp", "cidr_ip": "0.0.0.0/0"}, "groups[0].rules[0].from_port: required with protocol tcp"),
        (
            {"from_port": 22, "cidr_ip": "0.0.0.0/0"},
            "groups[0].rules[0]: from_port and to_port only go with a protocol other than all",
        ),
        (
            {"protocol": "gre", "cidr_ip": "0.0.0.0/0"},
            "groups[0].rules[0].protocol: one of -1, all, icmp, tcp, udp, not 'gre'",
        ),
        ({"group_id": "x"}, "groups[0].rules[0].group_id: a security group id (sg-...) is required, not 'x'"),
    ],
)  # fmt: skip
def test_bad_rules_name_the_field(rule, message):
    with pytest.raises(EksError) as raised:
        desired({"name": "a", "description": "d", "rules": [rule]})
    assert str(raised.value) == message


def test_a_name_given_twice_is_refused():
    with pytest.raises(EksError, match=r"groups\[1\].name: 'a' is given more than once"):
        desired({"name": "a", "description": "d"}, {"name": "a", "description": "d"})
