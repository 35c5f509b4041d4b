"""The Provisioned Control Plane tier (control_plane_tier, eksctl controlPlaneScalingConfig.tier): the desired state,
create parameters, the plan, its prediction and diff (pure), the definition's check and the eksctl importer's
conversion, each problem named by its path."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as c
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

eksctl_config = FilterModule().filters()["eksctl_config"]

ROLE = "arn:aws:iam::123456789012:role/myeks-cluster"
CLUSTER = {
    "name": "myeks",
    "status": "ACTIVE",
    "version": "1.33",
    "roleArn": ROLE,
    "resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b"], "endpointPublicAccess": True,
                           "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]},  # fmt: skip
    "accessConfig": {"authenticationMode": "API"},
    "tags": {},
}
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ["ap-northeast-2a", "ap-northeast-2c"]},
        "access": {}}  # fmt: skip
CONFIG = {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig", "metadata": {"name": "c1", "region": "ap-northeast-2"}}


def desired(**params):
    return c.build_desired(dict(name="myeks", **params))


def test_create_params_carry_the_tier_only_when_given():
    want = desired(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"], control_plane_tier="tier-xl")
    params = c.create_params(want)
    assert params["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    assert c.predict_created(want)["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    plain = c.create_params(desired(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert "controlPlaneScalingConfig" not in plain


def test_tier_changed_in_place_as_its_own_update():
    changes = c.plan(CLUSTER, desired(control_plane_tier="tier-2xl", zonal_shift=True))
    assert [(ch["type"], ch["why"]) for ch in changes] == [
        ("ZonalShiftConfigUpdate", "zonal_shift False -> True"),
        ("ControlPlaneScalingConfigUpdate", "control_plane_tier standard -> tier-2xl"),
    ]
    tier = changes[1]
    assert tier["params"] == {"name": "myeks", "controlPlaneScalingConfig": {"tier": "tier-2xl"}}
    scaled = c.predict(copy.deepcopy(CLUSTER), changes)
    assert scaled["controlPlaneScalingConfig"] == {"tier": "tier-2xl"}
    assert c.plan(scaled, desired(control_plane_tier="tier-2xl", zonal_shift=True)) == []
    assert c.diff_view(scaled)["control_plane_tier"] == "tier-2xl"
    # Back down to EKS's default is a change too; a cluster reporting no tier is on standard.
    down = c.plan(scaled, desired(control_plane_tier="standard"))
    assert [ch["why"] for ch in down] == ["control_plane_tier tier-2xl -> standard"]
    assert c.plan(CLUSTER, desired(control_plane_tier="standard")) == []
    # Not given: left as it is.
    assert c.plan(scaled, desired()) == []
    assert "control_plane_tier" not in c.diff_view(CLUSTER)


def test_definition_takes_a_tier_eks_offers():
    assert normalize(dict(copy.deepcopy(BASE)), check_files=False)["control_plane_tier"] is None
    given = normalize(dict(copy.deepcopy(BASE), control_plane_tier="tier-8xl"), check_files=False)
    assert given["control_plane_tier"] == "tier-8xl"
    with pytest.raises(DefinitionError) as info:
        normalize(dict(copy.deepcopy(BASE), control_plane_tier="tier-3xl"), check_files=False)
    assert "control_plane_tier: 'tier-3xl' is not one of standard, tier-xl, tier-2xl, tier-4xl, tier-8xl" in str(
        info.value
    )


def test_eksctl_control_plane_scaling_config_converts():
    converted = eksctl_config(dict(copy.deepcopy(CONFIG), controlPlaneScalingConfig={"tier": "tier-4xl"}))
    assert converted["control_plane_tier"] == "tier-4xl"
    assert converted["source"]["paths"]["control_plane_tier"] == "controlPlaneScalingConfig.tier"
    assert normalize(converted, check_files=False)["control_plane_tier"] == "tier-4xl"
    assert "control_plane_tier" not in eksctl_config(copy.deepcopy(CONFIG))


def test_eksctl_bad_tier_named_by_its_clusterconfig_path():
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(dict(copy.deepcopy(CONFIG), controlPlaneScalingConfig={"tier": "huge"}))
    lines = str(info.value).split("\n")[1:]
    assert len(lines) == 1 and lines[0].startswith("  controlPlaneScalingConfig.tier: 'huge' is not one of standard")
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(dict(copy.deepcopy(CONFIG), controlPlaneScalingConfig={"tier": "standard", "size": 3}))
    assert "controlPlaneScalingConfig.size" in str(info.value)
