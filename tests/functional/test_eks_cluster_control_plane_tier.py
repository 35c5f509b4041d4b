"""eks_cluster's Provisioned Control Plane tier against the local AWS endpoint: created on a tier in four steps,
changed in place in four steps (its own ControlPlaneScalingConfigUpdate), a tier EKS does not offer refused before
any call."""

from __future__ import annotations

import pytest
from four_steps import four_steps
from four_steps import predicted
from module_runner import run_module

NAME = "tiered"


@pytest.fixture
def base(local_aws, cluster_role, vpc_subnets, monkeypatch):
    local_aws.post("/_aews/config", {"scale": 0.05})
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    return dict(name=NAME, role_arn=cluster_role, subnet_ids=vpc_subnets["subnet_ids"][:2])


def test_created_on_a_tier_then_changed_in_place(local_aws, base):
    created = dict(base, control_plane_tier="tier-xl")
    checked, applied, _final = four_steps(
        "eks_cluster", "cluster", created, predicted("control_plane_scaling_config"), local_aws=local_aws, diff=True
    )
    assert applied["cluster"]["control_plane_scaling_config"] == {"tier": "tier-xl"}
    assert checked["diff"]["after"]["control_plane_tier"] == "tier-xl"

    bigger = dict(base, control_plane_tier="tier-4xl")
    checked, applied, _final = four_steps(
        "eks_cluster", "cluster", bigger, predicted("control_plane_scaling_config"), local_aws=local_aws, diff=True
    )
    assert [u["type"] for u in checked["cluster"]["updates"]] == ["ControlPlaneScalingConfigUpdate"]
    assert [ch["why"] for ch in checked["changes"]] == ["control_plane_tier tier-xl -> tier-4xl"]
    assert (checked["diff"]["before"]["control_plane_tier"], checked["diff"]["after"]["control_plane_tier"]) == (
        "tier-xl",
        "tier-4xl",
    )
    assert applied["cluster"]["control_plane_scaling_config"] == {"tier": "tier-4xl"}
    # Not given: left as it is.
    left = run_module("eks_cluster", base)
    assert left["changed"] is False and left["cluster"]["control_plane_scaling_config"] == {"tier": "tier-4xl"}


def test_a_tier_eks_does_not_offer_is_refused_before_any_call(local_aws, base):
    local_aws.clear_requests()
    failed = run_module("eks_cluster", dict(base, control_plane_tier="tier-3xl"), expect_failure=True)
    assert "control_plane_tier" in failed["msg"] and "tier-3xl" in failed["msg"]
    assert local_aws.requests(mutating=True) == []
