# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade plan (module_utils/_eks/upgrade_plan.py) and its filter aews.eks.upgrade_plan."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.upgrade_plan import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks.upgrade_plan import UpgradePlanError
from ansible_collections.aews.eks.plugins.module_utils._eks.upgrade_plan import addon_targets
from ansible_collections.aews.eks.plugins.module_utils._eks.upgrade_plan import plan

CLUSTER = {"name": "myeks", "version": "1.31", "status": "ACTIVE"}
UPDATE_CONFIG = {"max_unavailable_percentage": 50}


def ng(name, version="1.31", ami_type="AL2023_x86_64_STANDARD", status="ACTIVE", **extra):
    return dict(nodegroup_name=name, version=version, ami_type=ami_type, status=status, **extra)


def offered(name, *versions, default=None):
    """Versions newest first; ``default`` marks one."""
    return [{"name": name, "version": v, "default": v == default} for v in versions]


# ---------------------------------------------------------------- control plane steps
@pytest.mark.parametrize(
    "current, target, steps",
    [
        ("1.31", "1.33", ["1.32", "1.33"]),
        ("1.32", "1.33", ["1.33"]),
        ("1.33", "1.33", []),
        ("1.9", "1.11", ["1.10", "1.11"]),  # numeric, not lexicographic
    ],
)
def test_control_plane_goes_one_minor_version_at_a_time(current, target, steps):
    result = plan(dict(CLUSTER, version=current), target)
    assert result["control_plane_steps"] == steps
    assert result["from"] == current and result["target"] == target
    assert result["problems"] == []


def test_plan_lines_show_every_part():
    nodegroups = [
        ng("ng-b", update_config=UPDATE_CONFIG),
        ng("ng-a", version="1.33"),
        ng("ng-custom", ami_type="CUSTOM"),
    ]
    addons = [{"name": "vpc-cni", "version": "v2"}, {"name": "coredns", "version": "c1"}]
    versions = offered("coredns", "c3", "c2", default="c2") + offered("vpc-cni", "v2", "v1", default="v1")
    result = plan(CLUSTER, "1.33", nodegroups, addons, versions)
    assert result["lines"] == [
        "Control plane: 1.31 -> 1.32 -> 1.33",
        "Add-on coredns: c1 -> c2",
        "Add-on vpc-cni: v2 (no change)",
        "Nodegroup ng-a: 1.33 (no change)",
        "Nodegroup ng-b: 1.31 -> 1.33 (update_config max_unavailable_percentage=50)",
        "Nodegroup ng-custom: 1.31 (custom AMI: not upgraded, give its launch template an AMI for 1.33)",
    ]
    assert plan(dict(CLUSTER, version="1.33"), "1.33")["lines"] == ["Control plane: 1.33 (already at 1.33)"]


# ---------------------------------------------------------------- nodegroups
def test_nodegroups_to_upgrade_leave_out_custom_deleting_and_current_ones():
    nodegroups = [
        ng("ng-z"),
        ng("ng-deleting", status="DELETING"),
        ng("ng-custom", ami_type="CUSTOM"),
        ng("ng-current", version="1.33"),
        ng("ng-custom-current", version="1.33", ami_type="CUSTOM"),
        ng("ng-a", version="1.32"),
    ]
    result = plan(CLUSTER, "1.33", nodegroups)
    assert [n["nodegroup_name"] for n in result["nodegroup_steps"]] == ["ng-a", "ng-z"]
    assert [n["nodegroup_name"] for n in result["custom_behind"]] == ["ng-custom"]
    # The records are passed on as they were read.
    assert result["nodegroup_steps"][0] == ng("ng-a", version="1.32")


# ---------------------------------------------------------------- version skew
@pytest.mark.parametrize(
    "target, skew, oldest",
    [("1.28", 3, "1.25"), ("1.33", 3, "1.30"), ("1.27", 2, "1.25"), ("1.10", 2, "1.8")],
)
def test_skew_policy_by_target(target, skew, oldest):
    result = plan(dict(CLUSTER, version=target), target)
    assert (result["skew"], result["oldest_allowed"]) == (skew, oldest)


def test_a_nodegroup_too_far_behind_stops_the_upgrade_naming_a_first_stop():
    result = plan(CLUSTER, "1.32", [ng("ng-old", version="1.28"), ng("ng-ok", version="1.29")])
    assert result["problems"] == [
        "Cannot upgrade myeks to 1.32: nodegroup ng-old at 1.28 would be more than 3 minor versions behind a 1.32"
        " control plane, which the Kubernetes version skew policy does not allow. Upgrade in smaller steps: first"
        " with -e target_version=1.31 (which upgrades the nodegroups too), then to 1.32."
    ]


def test_the_first_stop_is_never_below_the_control_plane():
    result = plan(dict(CLUSTER, version="1.30"), "1.33", [ng("a", "1.25"), ng("b", "1.26")])
    assert "nodegroups a at 1.25, b at 1.26 would be more than 3" in result["problems"][0]
    assert "first with -e target_version=1.30 " in result["problems"][0]


def test_the_skew_is_no_problem_once_the_control_plane_is_at_the_target():
    # Upgrading the nodegroups is then what brings them within the policy.
    result = plan(dict(CLUSTER, version="1.33"), "1.33", [ng("ng-old", version="1.28")])
    assert result["problems"] == []
    assert [n["nodegroup_name"] for n in result["nodegroup_steps"]] == ["ng-old"]


def test_the_limit_of_the_policy_is_allowed():
    assert plan(CLUSTER, "1.33", [ng("ng", version="1.30")])["problems"] == []


# ---------------------------------------------------------------- AMI types EKS no longer offers
def test_an_ami_type_not_offered_for_the_target_stops_the_upgrade():
    nodegroups = [ng("ng-al2", ami_type="AL2_x86_64"), ng("ng-new"), ng("ng-arm", ami_type="AL2_ARM_64")]
    result = plan(CLUSTER, "1.33", nodegroups)
    assert result["problems"] == [
        "Cannot upgrade myeks to 1.33: EKS does not offer the AMI type of nodegroups ng-al2 (AL2_x86_64),"
        " ng-arm (AL2_ARM_64) for Kubernetes 1.33 (AL2_ARM_64 ends at 1.32, AL2_x86_64 ends at 1.32). Move the"
        " workloads to nodegroups of another AMI type (AL2023 or Bottlerocket) and delete these first, or upgrade"
        " to 1.32 at most."
    ]
    assert plan(CLUSTER, "1.32", nodegroups)["problems"] == []


def test_ami_type_last_versions_can_be_given_and_compare_as_versions():
    last = {"AL2023_x86_64_STANDARD": "1.10", "BOTTLEROCKET_x86_64": "1.9"}
    nodegroups = [ng("a", version="1.9"), ng("b", version="1.9", ami_type="BOTTLEROCKET_x86_64")]
    result = plan(dict(CLUSTER, version="1.9"), "1.11", nodegroups, ami_type_last_version=last)
    assert result["problems"][0].endswith("or upgrade to 1.9 at most.")
    assert plan(dict(CLUSTER, version="1.9"), "1.10", [ng("a", "1.9")], ami_type_last_version=last)["problems"] == []


# ---------------------------------------------------------------- add-ons
def test_addon_targets():
    versions = (
        offered("coredns", "c3", "c2", "c1", default="c2")
        + offered("kube-proxy", "k2", "k1", default="k2")
        + offered("vpc-cni", "v3", "v2", default="v2")
    )
    addons = [
        {"name": "vpc-cni", "version": "v3"},  # newer than the default, accepted by the target: kept
        {"name": "coredns", "version": "c1"},  # older: to the default
        {"name": "kube-proxy", "version": "k0"},  # not offered for the target: to the default
        {"name": "metrics-server", "version": "m1"},  # nothing offered: no target
    ]
    assert addon_targets(addons, versions) == [
        {"name": "coredns", "from": "c1", "to": "c2", "change": True},
        {"name": "kube-proxy", "from": "k0", "to": "k2", "change": True},
        {"name": "metrics-server", "from": "m1", "to": "", "change": True},
        {"name": "vpc-cni", "from": "v3", "to": "v3", "change": False},
    ]


def test_an_addon_without_a_default_version_stops_the_upgrade():
    addons = [{"name": "coredns", "version": "c1"}, {"name": "kube-proxy", "version": "k1"}]
    versions = offered("coredns", "c2") + offered("kube-proxy", "k2", default="k2")
    assert plan(CLUSTER, "1.33", addons=addons, addon_versions=versions)["problems"] == [
        "Cannot upgrade myeks to 1.33: EKS offers no default version for Kubernetes 1.33 of add-on coredns"
        " (DescribeAddonVersions). Delete the add-on, or wait until EKS offers it for 1.33."
    ]


def test_problems_come_in_order():
    result = plan(
        CLUSTER,
        "1.33",
        [ng("ng-al2", version="1.28", ami_type="AL2_x86_64")],
        [{"name": "coredns", "version": "c1"}],
        [],
    )
    assert [p.split(": ", 1)[1].split(" ", 3)[:3] for p in result["problems"]] == [
        ["nodegroup", "ng-al2", "at"],
        ["EKS", "does", "not"],
        ["EKS", "offers", "no"],
    ]


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "cluster, target, nodegroups, message",
    [
        (CLUSTER, "1.3x", [], "target_version: '1.3x' is not a Kubernetes minor version"),
        (CLUSTER, 1.33, [], "target_version: 1.33 is not a Kubernetes minor version"),
        ({"name": "c"}, "1.33", [], "the version of cluster c: None is not"),
        (CLUSTER, "2.0", [], "target_version: 2.0 is not of the cluster's major version (1.31)"),
        (CLUSTER, "1.33", [{"version": "1.31"}], "nodegroups[0]: expected a dict with nodegroup_name, version"),
        (CLUSTER, "1.33", [ng("x", version="latest")], "the version of nodegroup x: 'latest' is not"),
    ],
)
def test_bad_input_names_the_field(cluster, target, nodegroups, message):
    with pytest.raises(UpgradePlanError) as raised:
        plan(cluster, target, nodegroups)
    assert message in str(raised.value)


def test_target_older_than_the_cluster_plans_no_step():
    # eks_cluster refuses the downgrade (the role checks the target with it before planning).
    assert plan(dict(CLUSTER, version="1.33"), "1.32")["control_plane_steps"] == []


# ---------------------------------------------------------------- the filter
def test_filter():
    upgrade_plan = FilterModule().filters()["upgrade_plan"]
    result = upgrade_plan(CLUSTER, "1.32", nodegroups=[ng("a")])
    assert result["control_plane_steps"] == ["1.32"]
    with pytest.raises(AnsibleFilterError, match="aews.eks.upgrade_plan: target_version: "):
        upgrade_plan(CLUSTER, "one")
    with pytest.raises(AnsibleFilterError, match="nodegroups must be a list"):
        upgrade_plan(CLUSTER, "1.32", nodegroups="a")
    with pytest.raises(AnsibleFilterError, match="the input must be a cluster"):
        upgrade_plan([CLUSTER], "1.32")
