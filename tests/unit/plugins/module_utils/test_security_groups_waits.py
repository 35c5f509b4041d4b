# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_security_groups' own waits, by error code: a group deleted (state absent) while something still uses it
(DependencyViolation), a group created in a VPC EC2 does not know yet (InvalidVpcID.NotFound), a create tried again
whose first attempt went through (InvalidGroup.Duplicate)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import retry
from ansible_collections.aews.eks.plugins.module_utils._eks import security_groups as sg
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def client_error(code, operation):
    response = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": 400}}
    return botocore.exceptions.ClientError(response, operation)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    monkeypatch.delenv("AEWS_EKS_WAIT_DELAY", raising=False)
    return clock


class EC2:
    """Answers each operation from its list in turn: an exception is raised, anything else returned."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def __getattr__(self, operation):
        def call(**params):
            self.calls.append((operation, params))
            answer = self.answers[operation].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def desired(*groups):
    return sg.build_desired({"vpc_id": "vpc-1", "groups": list(groups)})


def found(name, group_id):
    return {"GroupId": group_id, "GroupName": name, "VpcId": "vpc-1", "Description": "d", "Tags": [],
            "IpPermissions": []}  # fmt: skip


# ---------------------------------------------------------------- state absent
def test_a_group_absent_is_deleted_when_there_and_nothing_is_left_to_do_after():
    current = {"ng-remote-access": found("ng-remote-access", "sg-7")}
    want = desired({"name": "ng-remote-access", "state": "absent"})
    changes = sg.plan(current, want)
    assert [(c["action"], c["call"], c["params"]) for c in changes] == [
        ("delete", "delete_security_group", {"GroupId": "sg-7"})
    ]
    assert changes[0]["why"] == "state=absent: delete security group ng-remote-access (sg-7)"
    predicted = sg.predict(current, want, changes)
    assert predicted == {}
    assert sg.plan(predicted, want) == []


def test_a_group_absent_needs_no_description_and_a_bad_state_is_refused():
    assert desired({"name": "a", "state": "absent"})["groups"] == [{"name": "a", "state": "absent"}]
    with pytest.raises(EksError, match=r"^groups\[0\].description: required$"):
        desired({"name": "a"})
    with pytest.raises(EksError, match=r"^groups\[0\].state: present or absent, not 'gone'$"):
        desired({"name": "a", "description": "d", "state": "gone"})


def test_deletes_come_after_the_other_groups_changes():
    want = desired({"name": "old", "state": "absent"}, {"name": "new", "description": "d"})
    changes = sg.plan({"old": found("old", "sg-1")}, want)
    assert [(c["action"], c["group"]) for c in changes] == [("create", "new"), ("delete", "old")]


def test_a_delete_refused_for_a_dependency_is_tried_again_until_it_goes(clock):
    refused = client_error("DependencyViolation", "DeleteSecurityGroup")
    ec2 = EC2(delete_security_group=[refused, refused, {}])
    changes = sg.plan({"ng": found("ng", "sg-7")}, desired({"name": "ng", "state": "absent"}))
    assert sg.apply(ec2, {"ng": found("ng", "sg-7")}, changes, dependency_timeout=60) == {}
    assert [c[0] for c in ec2.calls] == ["delete_security_group"] * 3
    assert clock.now == 1000.0 + 2 * retry.DEPENDENCY_DELAY


def test_a_dependency_that_outlasts_the_timeout_fails_with_its_code(clock):
    refused = client_error("DependencyViolation", "DeleteSecurityGroup")
    ec2 = EC2(delete_security_group=[refused] * 10)
    changes = sg.plan({"ng": found("ng", "sg-7")}, desired({"name": "ng", "state": "absent"}))
    with pytest.raises(EksError) as raised:
        sg.apply(ec2, {"ng": found("ng", "sg-7")}, changes, dependency_timeout=25)
    assert raised.value.code == "DependencyViolation"
    assert len(ec2.calls) == 3  # at 0, 10 and 20 s; another pause would pass the 25 s


def test_other_delete_errors_are_not_tried_again_and_a_group_already_gone_is_fine(clock):
    ec2 = EC2(delete_security_group=[client_error("UnauthorizedOperation", "DeleteSecurityGroup")])
    changes = sg.plan({"ng": found("ng", "sg-7")}, desired({"name": "ng", "state": "absent"}))
    with pytest.raises(EksError):
        sg.apply(ec2, {"ng": found("ng", "sg-7")}, changes, dependency_timeout=60)
    assert len(ec2.calls) == 1 and clock.now == 1000.0
    ec2 = EC2(delete_security_group=[client_error("InvalidGroup.NotFound", "DeleteSecurityGroup")])
    assert sg.apply(ec2, {"ng": found("ng", "sg-7")}, changes, dependency_timeout=60) == {}


# ---------------------------------------------------------------- creates
def test_a_create_in_a_vpc_ec2_does_not_know_yet_is_tried_again(clock):
    lag = client_error("InvalidVpcID.NotFound", "CreateSecurityGroup")
    ec2 = EC2(create_security_group=[lag, lag, {"GroupId": "sg-9"}])
    changes = sg.plan({}, desired({"name": "cp", "description": "d"}))
    assert sg.apply(ec2, {}, changes) == {"cp": "sg-9"}
    assert len(ec2.calls) == 3 and clock.now > 1000.0


def test_a_create_whose_first_attempt_went_through_takes_the_group_it_made(clock, monkeypatch):
    read = []

    def describe(client, filters):
        read.append(filters)
        return [found("cp", "sg-5")]

    monkeypatch.setattr(sg.api, "describe_security_groups_filtered", describe)
    ec2 = EC2(create_security_group=[client_error("InvalidGroup.Duplicate", "CreateSecurityGroup")])
    changes = sg.plan({}, desired({"name": "cp", "description": "d"}))
    assert sg.apply(ec2, {}, changes) == {"cp": "sg-5"}
    assert read == [{"vpc-id": "vpc-1", "group-name": ["cp"]}]
