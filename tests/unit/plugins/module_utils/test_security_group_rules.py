# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import security_group_rules as sgr
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def group(group_id, *permissions):
    return {"GroupId": group_id, "GroupName": f"name-{group_id}", "VpcId": "vpc-1", "IpPermissions": list(permissions)}


ALL_FROM_B = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-b", "Description": "old words"}]}


def test_missing_rules_are_planned_one_change_per_group():
    desired = sgr.build_desired([
        {"group_id": "sg-a", "source_group_id": "sg-b", "description": "From b"},
        {"group_id": "sg-b", "source_group_id": "sg-a", "description": "From a"},
        {"group_id": "sg-b", "source_group_id": "sg-c", "protocol": "tcp", "from_port": 443},
    ])  # fmt: skip
    groups = {"sg-a": group("sg-a"), "sg-b": group("sg-b")}
    changes = sgr.plan(groups, desired)
    assert [c["resource"] for c in changes] == ["security group sg-a", "security group sg-b"]
    assert changes[0]["params"] == {
        "GroupId": "sg-a",
        "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-b", "Description": "From b"}]}],
    }
    assert changes[1]["params"]["IpPermissions"][1] == {
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-c"}],
    }  # fmt: skip
    assert changes[1]["why"] == "ingress all traffic from sg-a, tcp 443 from sg-c"


def test_a_rule_there_with_another_description_or_asked_twice_is_no_change():
    desired = sgr.build_desired([
        {"group_id": "sg-a", "source_group_id": "sg-b", "description": "new words"},
        {"group_id": "sg-a", "source_group_id": "sg-b"},
    ])  # fmt: skip
    assert sgr.plan({"sg-a": group("sg-a", ALL_FROM_B)}, desired) == []
    # the same source on other ports is another rule
    tcp = sgr.build_desired([{"group_id": "sg-a", "source_group_id": "sg-b", "protocol": "tcp", "from_port": 22}])
    assert len(sgr.plan({"sg-a": group("sg-a", ALL_FROM_B)}, tcp)) == 1


def test_predict_adds_the_rules_and_the_view_shows_them():
    desired = sgr.build_desired([{"group_id": "sg-a", "source_group_id": "sg-b", "description": "From b"}])
    groups = {"sg-a": group("sg-a")}
    predicted = sgr.predict(groups, sgr.plan(groups, desired))
    assert groups["sg-a"]["IpPermissions"] == []  # not changed in place
    assert sgr.view(predicted) == [{
        "group_id": "sg-a", "group_name": "name-sg-a", "vpc_id": "vpc-1",
        "ingress_from_groups": [{"protocol": "-1", "from_port": None, "to_port": None, "source_group_id": "sg-b",
                                 "description": "From b"}],
    }]  # fmt: skip


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"group_id": "a", "source_group_id": "sg-b"}, "rules[0].group_id: a security group id"),
        ({"group_id": "sg-a", "source_group_id": None}, "rules[0].source_group_id: a security group id"),
        ({"group_id": "sg-a", "source_group_id": "sg-b", "protocol": "sctp"}, "rules[0].protocol: one of"),
        ({"group_id": "sg-a", "source_group_id": "sg-b", "protocol": "tcp"}, "rules[0].from_port: required"),
        ({"group_id": "sg-a", "source_group_id": "sg-b", "from_port": 22}, "only go with a protocol other than all"),
        ({"group_id": "sg-a", "source_group_id": "sg-b", "protocol": "tcp", "from_port": 90, "to_port": 80},
         "ports 90-80 are not a range"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(rule, message):
    with pytest.raises(EksError, match=message.replace("[", r"\[").replace("]", r"\]")):
        sgr.build_desired([rule])


def test_read_looks_up_real_groups_in_one_call_and_takes_a_pending_one_as_a_group_without_rules(monkeypatch):
    looked_up = []
    monkeypatch.setattr(sgr.api, "describe_security_groups", lambda ec2, ids: looked_up.append(ids) or [
        group(i) for i in ids])  # fmt: skip
    found = sgr.read("ec2", ["sg-a", "pending:security-group/nodes", "sg-a"])
    assert looked_up == [["sg-a"]]
    assert found["pending:security-group/nodes"] == {"GroupId": "pending:security-group/nodes", "IpPermissions": []}
    # only pending groups: nothing read
    assert sgr.read("ec2", ["pending:security-group/nodes"]) and looked_up == [["sg-a"]]
    # build_desired takes a pending group only when asked to
    rule = {"group_id": "pending:security-group/nodes", "source_group_id": "sg-a"}
    assert sgr.build_desired([rule], pending=True)[0]["group_id"] == "pending:security-group/nodes"
    with pytest.raises(EksError, match=r"rules\[0\].group_id: a security group id"):
        sgr.build_desired([rule])


def test_read_names_the_option_of_a_group_ec2_does_not_know(monkeypatch):
    def not_found(ec2, ids):
        error = EksError("describe the security groups: InvalidGroup.NotFound: The security group 'sg-x' does not exist")
        error.code = "InvalidGroup.NotFound"
        raise error

    monkeypatch.setattr(sgr.api, "describe_security_groups", not_found)
    with pytest.raises(EksError) as e:
        sgr.read("ec2", ["sg-x"], where="node_security_group_id")
    assert str(e.value) == (
        "node_security_group_id: describe the security groups: InvalidGroup.NotFound: The security group 'sg-x' does "
        "not exist"
    )
    assert e.value.code == "InvalidGroup.NotFound"

    def denied(ec2, ids):
        error = EksError("describe the security groups: UnauthorizedOperation: You are not authorized")
        error.code = "UnauthorizedOperation"
        raise error

    monkeypatch.setattr(sgr.api, "describe_security_groups", denied)
    with pytest.raises(EksError, match="^describe the security groups: UnauthorizedOperation"):
        sgr.read("ec2", ["sg-x"], where="node_security_group_id")
