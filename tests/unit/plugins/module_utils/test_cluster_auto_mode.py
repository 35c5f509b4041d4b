"""eks_cluster's Auto Mode and zonal shift: desired state, create parameters, the plan and its prediction (pure)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as c
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ROLE = "arn:aws:iam::123456789012:role/myeks-cluster"
NODES = "arn:aws:iam::123456789012:role/myeks-auto-mode-node-role"
CLUSTER = {
    "name": "myeks",
    "arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks",
    "status": "ACTIVE",
    "version": "1.33",
    "roleArn": ROLE,
    "resourcesVpcConfig": {"vpcId": "vpc-1", "subnetIds": ["subnet-a", "subnet-b"], "endpointPublicAccess": True,
                           "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]},  # fmt: skip
    "kubernetesNetworkConfig": {"ipFamily": "ipv4", "serviceIpv4Cidr": "10.100.0.0/16",
                                "elasticLoadBalancing": {"enabled": False}},  # fmt: skip
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    "tags": {},
}
AUTO = {"enabled": True, "node_pools": None, "node_role_arn": NODES}


def desired(**params):
    return c.build_desired(dict(name="myeks", **params))


def test_create_params_carry_the_three_capabilities_and_zonal_shift():
    want = desired(
        role_arn=ROLE,
        subnet_ids=["subnet-a", "subnet-b"],
        auto_mode=AUTO,
        zonal_shift=True,
        access_config={"authentication_mode": "API"},
        kubernetes_network_config={"ip_family": "ipv4"},
    )
    params = c.create_params(want)
    assert params["computeConfig"] == {
        "enabled": True,
        "nodePools": ["general-purpose", "system"],
        "nodeRoleArn": NODES,
    }
    assert params["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert params["kubernetesNetworkConfig"] == {"ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": True}}
    assert params["zonalShiftConfig"] == {"enabled": True}
    created = c.predict(None, c.plan(None, want))
    assert created["computeConfig"]["nodeRoleArn"] == NODES and created["zonalShiftConfig"] == {"enabled": True}
    # Off at creation is EKS's default: nothing asked.
    off = c.create_params(desired(role_arn=ROLE, subnet_ids=["subnet-a"], auto_mode={"enabled": False}))
    assert "computeConfig" not in off and "storageConfig" not in off and "zonalShiftConfig" not in off


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(auto_mode={"enabled": True}), "auto_mode.node_role_arn: is required with node pools"),
        (dict(auto_mode={"enabled": True, "node_pools": ["gpu"], "node_role_arn": NODES}), "auto_mode.node_pools[0]"),
        (dict(auto_mode=AUTO, access_config={"authentication_mode": "CONFIG_MAP"}), "authentication mode must be API"),
        (dict(auto_mode={"enabled": False, "node_role_arn": NODES}), "only with auto_mode.enabled true"),
    ],
)
def test_bad_settings_fail_before_any_call(params, message):
    with pytest.raises(EksError, match=re_escape(message)):
        desired(**params)


def re_escape(text):
    import re

    return re.escape(text)


def test_auto_mode_needs_api_authentication():
    with pytest.raises(EksError, match="set access_config.authentication_mode to API or API_AND_CONFIG_MAP"):
        c.plan(None, desired(role_arn=ROLE, subnet_ids=["subnet-a"], auto_mode=AUTO))
    config_map = dict(CLUSTER, accessConfig={"authenticationMode": "CONFIG_MAP"})
    with pytest.raises(EksError, match="the cluster's is CONFIG_MAP"):
        c.plan(config_map, desired(auto_mode=AUTO))
    # Moving the authentication mode in the same run is enough: its updates come first.
    changes = c.plan(config_map, desired(auto_mode=AUTO, access_config={"authentication_mode": "API"}))
    assert [ch["type"] for ch in changes] == ["AccessConfigUpdate", "AccessConfigUpdate", "AutoModeUpdate"]


def test_turning_auto_mode_on_changing_pools_and_off_in_place():
    changes = c.plan(CLUSTER, desired(auto_mode=AUTO))
    assert [(ch["type"], ch["call"]) for ch in changes] == [("AutoModeUpdate", "update_cluster_config")]
    assert changes[0]["why"].startswith("auto_mode compute off -> on; auto_mode block storage off -> on")
    assert changes[0]["params"] == {
        "name": "myeks",
        "computeConfig": {"enabled": True, "nodePools": ["general-purpose", "system"], "nodeRoleArn": NODES},
        "storageConfig": {"blockStorage": {"enabled": True}},
        "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
    }
    on = c.predict(CLUSTER, changes)
    assert on["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "10.100.0.0/16"  # merged, not replaced
    assert c.plan(on, desired(auto_mode=AUTO)) == []
    assert c.diff_view(on)["auto_mode"] == {
        "compute": True,
        "block_storage": True,
        "load_balancing": True,
        "node_pools": ["general-purpose", "system"],
        "node_role_arn": NODES,
    }

    pools = c.plan(on, desired(auto_mode=dict(AUTO, node_pools=["system"])))
    assert [ch["why"] for ch in pools] == ["auto_mode.node_pools ['general-purpose', 'system'] -> ['system']"]
    assert c.predict(on, pools)["computeConfig"]["nodePools"] == ["system"]

    off = c.plan(on, desired(auto_mode={"enabled": False}))
    assert off[0]["params"]["computeConfig"] == {"enabled": False}
    assert c.plan(c.predict(on, off), desired(auto_mode={"enabled": False})) == []
    # Not asked: left as it is.
    assert c.plan(on, desired()) == []


def test_the_node_role_cannot_change_while_auto_mode_is_on():
    on = c.predict(CLUSTER, c.plan(CLUSTER, desired(auto_mode=AUTO)))
    with pytest.raises(EksError, match="EKS cannot change the node role while Auto Mode compute is on"):
        c.plan(on, desired(auto_mode=dict(AUTO, node_role_arn=NODES + "-2")))


def test_zonal_shift_in_place():
    changes = c.plan(CLUSTER, desired(zonal_shift=True))
    assert [(ch["type"], ch["why"]) for ch in changes] == [("ZonalShiftConfigUpdate", "zonal_shift False -> True")]
    shifted = c.predict(copy.deepcopy(CLUSTER), changes)
    assert c.plan(shifted, desired(zonal_shift=True)) == [] and c.diff_view(shifted)["zonal_shift"] is True
    assert c.plan(CLUSTER, desired(zonal_shift=False)) == []
