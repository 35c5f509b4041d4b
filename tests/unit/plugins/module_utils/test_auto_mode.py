"""auto_mode: the Auto Mode settings checked, as EKS takes them, and compared with a cluster (pure)."""

from __future__ import annotations

import pytest
from ansible_collections.aews.eks.plugins.module_utils._eks import auto_mode

ROLE = "arn:aws:iam::123456789012:role/nodes"
OFF = {"kubernetesNetworkConfig": {"ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": False}}}
ON = {
    "computeConfig": {"enabled": True, "nodePools": ["system", "general-purpose"], "nodeRoleArn": ROLE},
    "storageConfig": {"blockStorage": {"enabled": True}},
    "kubernetesNetworkConfig": {"ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": True}},
}


def test_request_turns_the_three_capabilities_on_and_off_together():
    assert auto_mode.request({"enabled": True, "node_role_arn": ROLE}) == {
        "computeConfig": {"enabled": True, "nodePools": ["general-purpose", "system"], "nodeRoleArn": ROLE},
        "storageConfig": {"blockStorage": {"enabled": True}},
        "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
    }
    # No node pools: no node role either (eksctl makes none).
    assert auto_mode.request({"enabled": True, "node_pools": []}, ROLE)["computeConfig"] == {
        "enabled": True,
        "nodePools": [],
    }
    off = auto_mode.request({"enabled": False})
    assert off["computeConfig"] == {"enabled": False}
    assert off["storageConfig"]["blockStorage"]["enabled"] is False
    assert off["kubernetesNetworkConfig"]["elasticLoadBalancing"]["enabled"] is False


def test_differences():
    assert auto_mode.differences(ON, None) == []
    assert auto_mode.differences(ON, {"enabled": True, "node_role_arn": ROLE}) == []
    assert auto_mode.differences(OFF, {"enabled": False}) == []
    assert auto_mode.differences(OFF, {"enabled": True}, node_role_arn=ROLE) == [
        "auto_mode compute off -> on",
        "auto_mode block storage off -> on",
        "auto_mode load balancing off -> on",
        "auto_mode.node_pools [] -> ['general-purpose', 'system']",
    ]
    assert auto_mode.differences(ON, {"enabled": True, "node_pools": ["system"]}, ROLE) == [
        "auto_mode.node_pools ['general-purpose', 'system'] -> ['system']"
    ]
    assert auto_mode.differences(ON, {"enabled": False})[0] == "auto_mode compute on -> off"
    # Half on (a cluster changed outside): what differs is named.
    half = dict(ON, storageConfig={"blockStorage": {"enabled": False}})
    assert auto_mode.differences(half, {"enabled": True}, ROLE) == ["auto_mode block storage off -> on"]
    # Snake-cased, as the modules return a cluster.
    snake = {"compute_config": {"enabled": True, "node_pools": ["system", "general-purpose"], "node_role_arn": ROLE},
             "storage_config": {"block_storage": {"enabled": True}},
             "kubernetes_network_config": {"elastic_load_balancing": {"enabled": True}}}  # fmt: skip
    assert auto_mode.differences(snake, {"enabled": True}, ROLE) == []


def test_the_node_role_of_enabled_compute_cannot_change():
    with pytest.raises(ValueError, match="auto_mode.node_role_arn: the cluster's Auto Mode nodes use .*nodes.*cannot"):
        auto_mode.differences(ON, {"enabled": True, "node_role_arn": ROLE + "-2"})


def test_problems_are_named_by_field():
    assert auto_mode.problems(None) == []
    assert auto_mode.problems({"enabled": True, "node_pools": ["general-purpose"], "node_role_arn": ROLE}) == []
    settings = {
        "enabled": True,
        "node_pools": ["gpu", "system", "system"],
        "node_role_arn": "nodes",
        "node_role_permissions_boundary": "boundary",
    }
    assert auto_mode.problems(settings, field="autoModeConfig", authentication_mode="CONFIG_MAP") == [
        "autoModeConfig.node_pools[0]: 'gpu' is not a built-in node pool of Auto Mode (general-purpose, system)",
        "autoModeConfig.node_pools[2]: system is listed twice",
        "autoModeConfig.node_role_arn: 'nodes' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
        "autoModeConfig.node_role_permissions_boundary: 'boundary' is not an IAM policy ARN",
        "autoModeConfig.enabled: Auto Mode needs access entries: the authentication mode must be API or "
        "API_AND_CONFIG_MAP, not CONFIG_MAP",
    ]
    assert auto_mode.problems({"enabled": False, "node_pools": ["system"]}) == [
        "auto_mode.node_pools: only with auto_mode.enabled true (Auto Mode is off)"
    ]
    assert auto_mode.problems({"enabled": "yes"}) == ["auto_mode.enabled: must be true or false, not 'yes'"]


def test_node_pools_and_role_defaults():
    assert auto_mode.node_pools({"enabled": True}) == ["general-purpose", "system"]
    assert auto_mode.node_pools({"enabled": True, "node_pools": []}) == []
    assert auto_mode.node_pools({"enabled": False}) == []
    assert auto_mode.needs_node_role({"enabled": True})
    assert not auto_mode.needs_node_role({"enabled": True, "node_pools": []})
    assert auto_mode.node_role_name("c" * 70) == ("c" * 70)[:64]
    assert auto_mode.node_role_name("myeks") == "myeks-auto-mode-node-role"


def test_predict_keeps_the_network_config():
    predicted = auto_mode.predict(OFF, {"enabled": True}, ROLE)
    assert predicted["kubernetesNetworkConfig"] == {"ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": True}}
    assert predicted["computeConfig"]["nodeRoleArn"] == ROLE
    assert auto_mode.differences(dict(OFF, **predicted), {"enabled": True}, ROLE) == []
