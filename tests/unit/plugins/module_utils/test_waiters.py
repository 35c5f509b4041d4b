# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the EKS waiters: a real boto3 EKS client whose responses come from botocore's Stubber."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.aews.eks.plugins.module_utils._eks import waiters
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

DELAY = 0.1


@pytest.fixture(autouse=True)
def short_delay(monkeypatch):
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", str(DELAY))


@pytest.fixture(name="eks")
def eks_fixture():
    client = boto3.client(
        "eks",
        region_name="ap-northeast-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def cluster(status, issues=None):
    resource = {"name": "myeks", "arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks", "status": status}
    if issues is not None:
        resource["health"] = {"issues": issues}
    return {"cluster": resource}


def nodegroup(status, issues=None):
    resource = {"nodegroupName": "ng1", "clusterName": "myeks", "status": status}
    if issues is not None:
        resource["health"] = {"issues": issues}
    return {"nodegroup": resource}


def addon(status, issues=None):
    resource = {"addonName": "coredns", "clusterName": "myeks", "status": status}
    if issues is not None:
        resource["health"] = {"issues": issues}
    return {"addon": resource}


def update(status, errors=None):
    resource = {"id": "u-1", "status": status, "type": "VersionUpdate"}
    if errors is not None:
        resource["errors"] = errors
    return {"update": resource}


CLUSTER = {"name": "myeks"}
NODEGROUP = {"clusterName": "myeks", "nodegroupName": "ng1"}
ADDON = {"clusterName": "myeks", "addonName": "coredns"}


# ---------------------------------------------------------------- success
def test_cluster_active_after_creating(eks):
    client, stubber = eks
    stubber.add_response("describe_cluster", cluster("CREATING"), CLUSTER)
    stubber.add_response("describe_cluster", cluster("CREATING"), CLUSTER)
    stubber.add_response("describe_cluster", cluster("ACTIVE"), CLUSTER)
    assert waiters.wait(client, "cluster_active", 60, "cluster myeks to be ACTIVE", name="myeks") is None


def test_nodegroup_active_at_once(eks):
    client, stubber = eks
    stubber.add_response("describe_nodegroup", nodegroup("ACTIVE"), NODEGROUP)
    waiters.wait(client, "nodegroup_active", 60, "nodegroup ng1", **NODEGROUP)


def test_cluster_deleted_when_not_found(eks):
    client, stubber = eks
    stubber.add_response("describe_cluster", cluster("DELETING"), CLUSTER)
    stubber.add_client_error("describe_cluster", "ResourceNotFoundException", "No cluster found for name: myeks.")
    waiters.wait(client, "cluster_deleted", 60, "cluster myeks to be deleted", name="myeks")


@pytest.mark.parametrize("status", ["ACTIVE", "DEGRADED", "UPDATING"])
def test_addon_created_accepts_any_state_past_creating(eks, status):
    client, stubber = eks
    stubber.add_response("describe_addon", addon("CREATING"), ADDON)
    stubber.add_response("describe_addon", addon(status), ADDON)
    waiters.wait(client, "addon_created", 60, "add-on coredns", **ADDON)


def test_update_successful(eks):
    client, stubber = eks
    params = {"name": "myeks", "updateId": "u-1"}
    stubber.add_response("describe_update", update("InProgress"), params)
    stubber.add_response("describe_update", update("Successful"), params)
    waiters.wait(client, "update_successful", 60, "update u-1", **params)


# ---------------------------------------------------------------- failure states stop at once
# Each test stubs exactly the responses up to the failure state: one more poll would find no stubbed
# response and fail with a botocore stub error instead of EksError.


def test_cluster_failed_stops_at_once_with_health_issues(eks):
    client, stubber = eks
    issues = [
        {"code": "Ec2SubnetNotFound", "message": "The subnet was not found", "resourceIds": ["subnet-1", "subnet-2"]},
        {"code": "IamRoleNotFound", "message": "The role was not found"},
    ]
    stubber.add_response("describe_cluster", cluster("FAILED", issues), CLUSTER)
    started = time.monotonic()
    with pytest.raises(EksError) as e:
        waiters.wait(client, "cluster_active", 1200, "cluster myeks to be ACTIVE", name="myeks")
    assert time.monotonic() - started < 60  # no sleep up to the 1200 s timeout
    assert str(e.value) == (
        "Stopped waiting for cluster myeks to be ACTIVE: it reached status FAILED: "
        "Ec2SubnetNotFound: The subnet was not found (subnet-1, subnet-2); IamRoleNotFound: The role was not found"
    )
    assert e.value.kwargs["details"] == issues


def test_nodegroup_degraded_stops_at_once(eks):
    client, stubber = eks
    issues = [{"code": "AsgInstanceLaunchFailures", "message": "Instance quota exceeded", "resourceIds": ["asg-1"]}]
    stubber.add_response("describe_nodegroup", nodegroup("CREATING"), NODEGROUP)
    stubber.add_response("describe_nodegroup", nodegroup("DEGRADED", issues), NODEGROUP)
    with pytest.raises(EksError) as e:
        waiters.wait(client, "nodegroup_active", 1200, "nodegroup ng1 to be ACTIVE", **NODEGROUP)
    message = str(e.value)
    assert "it reached status DEGRADED" in message
    assert "AsgInstanceLaunchFailures: Instance quota exceeded (asg-1)" in message
    assert e.value.kwargs["details"] == issues


def test_addon_create_failed_without_issues(eks):
    client, stubber = eks
    stubber.add_response("describe_addon", addon("CREATE_FAILED", []), ADDON)
    with pytest.raises(EksError) as e:
        waiters.wait(client, "addon_active", 1200, "add-on coredns to be ACTIVE", **ADDON)
    assert str(e.value) == "Stopped waiting for add-on coredns to be ACTIVE: it reached status CREATE_FAILED"
    assert e.value.kwargs["details"] == []


def test_update_failed_reports_the_update_errors(eks):
    client, stubber = eks
    params = {"name": "myeks", "updateId": "u-1", "nodegroupName": "ng1"}
    errors = [
        {
            "errorCode": "NodeCreationFailure",
            "errorMessage": "Instances failed to join the kubernetes cluster",
            "resourceIds": ["i-0abc"],
        }
    ]
    stubber.add_response("describe_update", update("InProgress"), params)
    stubber.add_response("describe_update", update("Failed", errors), params)
    with pytest.raises(EksError) as e:
        waiters.wait(client, "update_successful", 1200, "update u-1 of nodegroup ng1", **params)
    assert str(e.value) == (
        "Stopped waiting for update u-1 of nodegroup ng1: it reached status Failed: "
        "NodeCreationFailure: Instances failed to join the kubernetes cluster (i-0abc)"
    )
    assert e.value.kwargs["details"] == errors


def test_update_cancelled_is_a_failure(eks):
    client, stubber = eks
    params = {"name": "myeks", "updateId": "u-1"}
    stubber.add_response("describe_update", update("Cancelled"), params)
    with pytest.raises(EksError, match="it reached status Cancelled"):
        waiters.wait(client, "update_successful", 1200, "update u-1", **params)


def test_an_unexpected_api_error_stops_the_wait(eks):
    client, stubber = eks
    stubber.add_client_error("describe_cluster", "AccessDeniedException", "not authorized", expected_params=CLUSTER)
    with pytest.raises(EksError) as e:
        waiters.wait(client, "cluster_active", 1200, "cluster myeks to be ACTIVE", name="myeks")
    assert "AccessDeniedException: not authorized" in str(e.value)


# ---------------------------------------------------------------- timeout
def test_timeout(eks):
    client, stubber = eks
    timeout = 0.5
    attempts = int(timeout // DELAY) + 1
    issues = [{"code": "ClusterUnreachable", "message": "still starting"}]
    for _attempt in range(attempts):
        stubber.add_response("describe_cluster", cluster("CREATING", issues), CLUSTER)
    with pytest.raises(EksError) as e:
        waiters.wait(client, "cluster_active", timeout, "cluster myeks to be ACTIVE", name="myeks")
    assert str(e.value) == "Timed out after 0.5 seconds waiting for cluster myeks to be ACTIVE"
    assert e.value.kwargs["details"] == issues


def test_a_timeout_shorter_than_the_delay_polls_once(eks):
    client, stubber = eks
    stubber.add_response("describe_nodegroup", nodegroup("CREATING"), NODEGROUP)
    with pytest.raises(EksError, match="Timed out after 0 seconds waiting for nodegroup ng1"):
        waiters.wait(client, "nodegroup_active", 0, "nodegroup ng1", **NODEGROUP)


# ---------------------------------------------------------------- helpers
def test_delay_defaults_and_override(monkeypatch):
    monkeypatch.delenv("AEWS_EKS_WAIT_DELAY")
    assert waiters.waiter_delay("cluster_active") == 20
    assert waiters.waiter_delay("update_successful") == 15
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0")
    assert waiters.waiter_delay("cluster_active") == 0.1
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "2.5")
    assert waiters.waiter_delay("addon_active") == 2.5


@pytest.mark.parametrize(
    "response, expected",
    [
        pytest.param(cluster("ACTIVE"), [], id="no-health"),
        pytest.param(cluster("FAILED", [{"code": "x"}]), [{"code": "x"}], id="cluster-issues"),
        pytest.param(addon("DEGRADED", [{"code": "y"}]), [{"code": "y"}], id="addon-issues"),
        pytest.param(update("Failed", [{"errorCode": "z"}]), [{"errorCode": "z"}], id="update-errors"),
        pytest.param({"Error": {"Code": "Throttling"}}, [], id="error-response"),
        pytest.param(None, [], id="nothing"),
    ],
)
def test_failure_details(response, expected):
    assert waiters.failure_details(response) == expected


def test_every_waiter_has_a_default_delay():
    assert set(waiters._WAITERS) <= set(waiters._DEFAULT_DELAYS)


# ---------------------------------------------------------------- wait_all (EC2 resources without a botocore waiter)
class Polls:
    """``read`` answering one poll after another from ``answers`` (id -> state, or a resource dict)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked = []
        self.slept = []

    def read(self, ids):
        self.asked.append(list(ids))
        answer = self.answers.pop(0)
        return {i: v if isinstance(v, dict) else {"State": v} for i, v in answer.items()}

    def sleep(self, seconds):
        self.slept.append(seconds)


def wait_all(polls, ids, timeout=60):
    return waiters.wait_all(
        polls.read, ids, timeout, "Things", state=lambda r: r["State"], success=("available",),
        failure=("failed", "rejected"), delay_name="vpc_endpoint_available", sleep=polls.sleep,
        failed=lambda bad: "; ".join(f"{i} is {s} ({r.get('Why', '')})" for i, s, r in bad),
    )  # fmt: skip


def test_wait_all_polls_until_every_id_is_in_a_success_state():
    # One not found yet counts as pending; the pause between polls is the waiter delay (AEWS_EKS_WAIT_DELAY here).
    polls = Polls({"a": "pending"}, {"a": "available", "b": "pending"}, {"a": "available", "b": "available"})
    assert wait_all(polls, ["a", "b"]) == {"a": "available", "b": "available"}
    assert polls.asked == [["a", "b"]] * 3 and polls.slept == [DELAY, DELAY]


def test_wait_all_of_nothing_reads_nothing():
    polls = Polls()
    assert wait_all(polls, []) == {} and polls.asked == []


def test_wait_all_stops_at_once_on_a_failure_state_with_what_the_caller_says():
    polls = Polls({"a": "pending", "b": {"State": "rejected", "Why": "quota"}, "c": "failed"})
    with pytest.raises(waiters.WaitFailed) as e:
        wait_all(polls, ["a", "b", "c"])
    assert str(e.value) == "b is rejected (quota); c is failed ()" and polls.slept == []


def test_wait_all_out_of_time_names_each_state():
    polls = Polls({"b": "pending"})
    with pytest.raises(waiters.WaitTimeout) as e:
        wait_all(polls, ["b", "a"], timeout=0)
    assert str(e.value) == (
        "Things not available after 0s: a pending, b pending. Run again to wait longer (nothing is created twice)."
    )
    assert polls.slept == []


def test_wait_all_callers_messages(monkeypatch):
    """eks_vpc's NAT gateway wait and eks_vpc_endpoints' endpoint wait through wait_all: their messages."""
    from ansible_collections.aews.eks.plugins.module_utils._eks import api
    from ansible_collections.aews.eks.plugins.module_utils._eks import vpc
    from ansible_collections.aews.eks.plugins.module_utils._eks import vpc_endpoints

    asked = []
    nats = [{"NatGatewayId": "nat-1", "State": "failed", "FailureCode": "Gateway.NotAttached", "FailureMessage": "no"},
            {"NatGatewayId": "nat-2", "State": "pending"}]  # fmt: skip
    monkeypatch.setattr(api, "describe_nat_gateways", lambda ec2, filters: asked.append(filters) or nats)
    with pytest.raises(EksError) as e:
        vpc.wait_nat_gateways("ec2", ["nat-1", "nat-2"], 60, sleep=lambda s: None)
    assert (
        str(e.value)
        == "NAT gateway nat-1 is failed: Gateway.NotAttached no. Run again: a new gateway is created in its place."
    )
    assert asked == [{"nat-gateway-id": ["nat-1", "nat-2"]}]
    nats[0].update(State="available")
    with pytest.raises(EksError, match=r"^NAT gateways not available after 0s: nat-1 available, nat-2 pending\. Run"):
        vpc.wait_nat_gateways("ec2", ["nat-1", "nat-2"], 0)

    endpoints = [{"VpcEndpointId": "vpce-1", "State": "Rejected"}, {"VpcEndpointId": "vpce-2", "State": "Available"}]
    monkeypatch.setattr(api, "describe_vpc_endpoints", lambda ec2, filters: endpoints)
    with pytest.raises(EksError) as e:
        vpc_endpoints.wait_available("ec2", ["vpce-1", "vpce-2", "vpce-3"], 60)
    assert (
        str(e.value)
        == "VPC endpoint vpce-1 is rejected: delete it (playbooks/teardown.yml, or the console) and run again"
    )
    endpoints[0].update(State="available")
    with pytest.raises(EksError, match=r"^VPC endpoints not available after 0s: vpce-1 available, vpce-2 available, vpce-3"
                       r" pending\. Run again to wait longer \(nothing is created twice\)\.$"):  # fmt: skip
        vpc_endpoints.wait_available("ec2", ["vpce-1", "vpce-2", "vpce-3"], 0)
    endpoints.append({"VpcEndpointId": "vpce-3", "State": "available"})
    assert vpc_endpoints.wait_available("ec2", ["vpce-1", "vpce-2", "vpce-3"], 0) == dict.fromkeys(
        ["vpce-1", "vpce-2", "vpce-3"], "available")  # fmt: skip
