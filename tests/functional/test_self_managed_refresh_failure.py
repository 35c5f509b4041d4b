"""A self-managed nodegroup's instance refresh that fails (the local endpoint's refresh_failure control, as AWS ends a
refresh whose new instances do not become healthy): eks_self_managed_nodegroup fails naming the group, the refresh
and AWS's reason, with the nodes left as AWS left them; the next run sees the nodes still on the old version and
rolls them with a new refresh, then there is nothing left to do."""

from __future__ import annotations

import pytest
from test_eks_self_managed_nodegroup import GROUP
from test_eks_self_managed_nodegroup import base
from test_eks_self_managed_nodegroup import group
from test_eks_self_managed_nodegroup import run
from test_eks_self_managed_nodegroup import template
from test_eks_self_managed_nodegroup import writes


@pytest.fixture
def subnets(vpc_subnets):
    return vpc_subnets["subnet_ids"][:2]


REASON = "The instance refresh failed because instances were not healthy within the health check grace period."


def test_a_failed_refresh_is_reported_then_resumed(local_aws, subnets):
    local_aws.configure(delays={"update": 0.2})
    first = template()
    params = base(subnets, first)
    old = {i["instance_id"] for i in run(**params)["self_managed_nodegroup"]["instances"]}
    second = template(user_data="#!/bin/bash\necho two\n")
    rolled = {**params, "launch_template": {"name": "smc-ng-self", "version": str(second)}}

    # The refresh replaces one of the two nodes, then fails.
    local_aws.post("/_aews/refresh_failure", {"group": GROUP, "reason": REASON, "replaced": 1})
    local_aws.clear_requests()
    failed = run(expect_failure=True, **rolled)
    assert writes(local_aws) == ["UpdateAutoScalingGroup", "StartInstanceRefresh"]
    assert failed["failed"] is True
    assert failed["msg"].startswith(f"Auto Scaling group {GROUP}: instance refresh ")
    assert failed["msg"].endswith(f" ended Failed: {REASON}")

    # Check mode says what the next run does: roll the node still on the old version, with a new refresh.
    left = group()["Instances"]
    stale = [i["InstanceId"] for i in left if i["LaunchTemplate"]["Version"] == str(first)]
    assert len(left) == 2 and len(stale) == 1 and stale[0] in old  # one node replaced before the failure
    checked = run(check=True, **rolled)
    assert [(c["action"], c["why"]) for c in checked["changes"]] == [
        ("refresh", f"1 of 2 nodes still run an older launch template version ({stale[0]}), rolling with at least"
                    " 50% of the nodes in service")
    ]  # fmt: skip
    local_aws.clear_requests()
    resumed = run(**rolled)
    assert writes(local_aws) == ["StartInstanceRefresh"]
    result = resumed["self_managed_nodegroup"]
    assert result["instance_refresh"]["status"] == "Successful"
    assert {i["launch_template_version"] for i in result["instances"]} == {str(second)}
    assert not old & {i["instance_id"] for i in result["instances"]} and len(result["instances"]) == 2
    assert not run(**rolled)["changed"]
