"""nodeGroups (self-managed nodegroups): the eksctl importer's mapping of each field, the definition it makes, and
the problems named by their ClusterConfig paths."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule

eksctl_config = FilterModule().filters()["eksctl_config"]

ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
TG = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/web/0123456789abcdef"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ZONES,
}


def config(**sections):
    return dict(copy.deepcopy(CONFIG), **sections)


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def test_every_field_of_a_self_managed_nodegroup_converts():
    converted = eksctl_config(
        config(
            nodeGroups=[
                {
                    "name": "web",
                    "instanceType": "mixed",
                    "instancesDistribution": {
                        "instanceTypes": ["m5.large", "m5a.large"],
                        "maxPrice": 0.05,
                        "onDemandBaseCapacity": 1,
                        "onDemandPercentageAboveBaseCapacity": 25,
                        "spotAllocationStrategy": "capacity-optimized",
                        "capacityRebalance": True,
                    },
                    "minSize": 1,
                    "maxSize": 4,
                    "asgMetricsCollection": [{"granularity": "1Minute"}],
                    "targetGroupARNs": [TG],
                    "classicLoadBalancerNames": ["legacy"],
                    "preBootstrapCommands": ["echo one"],
                    "instanceName": "web-node",
                    "ami": "ami-0123456789abcdef0",
                    "ssh": {"publicKeyName": "ops"},
                    "updateConfig": {"maxUnavailable": 1},
                    "privateNetworking": True,
                }
            ]
        )
    )
    ng = converted["self_managed_nodegroups"][0]
    assert ng["instances_distribution"] == {
        "instance_types": ["m5.large", "m5a.large"], "max_price": 0.05, "on_demand_base_capacity": 1,
        "on_demand_percentage_above_base_capacity": 25, "spot_allocation_strategy": "capacity-optimized",
        "capacity_rebalance": True,
    }  # fmt: skip
    assert "instance_types" not in ng
    assert ng["metrics_collection"] == ["all"] and ng["target_group_arns"] == [TG]
    assert ng["classic_load_balancer_names"] == ["legacy"] and ng["pre_bootstrap_commands"] == ["echo one"]
    assert ng["instance_name"] == "web-node" and ng["ami"] == "ami-0123456789abcdef0"
    assert ng["ssh"] == {"allow": True, "public_key_name": "ops"}
    assert ng["tags"]["alpha.eksctl.io/nodegroup-type"] == "unmanaged"
    assert ng["update_config"] == {"max_unavailable": 1} and ng["private_networking"] is True
    assert converted["source"]["paths"]["self_managed_nodegroups[0].metrics_collection"] == (
        "nodeGroups[0].asgMetricsCollection"
    )
    # The definition takes it as it is.
    normalized = normalize(converted, availability_zones=ZONES)["self_managed_nodegroups"][0]
    assert normalized["instance_types"] == ["m5.large", "m5a.large"]
    assert normalized["instances_distribution"]["max_price"] == "0.05"
    assert normalized["metrics_collection"] == ["all"] and normalized["ssh"]["public_key_name"] == "ops"


def test_problems_are_named_by_their_node_groups_paths_in_one_run():
    lines = problems(
        config(
            managedNodeGroups=[{"name": "dup"}],
            nodeGroups=[
                {"name": "dup"},
                {"name": "al2023", "overrideBootstrapCommand": "/opt/join.sh", "kubeletExtraConfig": {"a": 1}},
                {"name": "tg", "targetGroupARNs": ["not-an-arn"]},
                {"name": "br", "amiFamily": "Bottlerocket", "preBootstrapCommands": ["echo"]},
                {"name": "dist", "instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 120}},
                {"name": "m", "asgMetricsCollection": [{"granularity": "5Minute", "metrics": ["GroupMinSize"]}]},
            ],
        )
    )
    assert lines == [
        "  nodeGroups[1].kubeletExtraConfig: not supported by aews.eks yet",
        "  nodeGroups[0].name: nodegroup dup is listed twice",
        "  nodeGroups[4].instancesDistribution.instanceTypes: is required: the instance types to mix",
        "  nodeGroups[4].instancesDistribution.onDemandPercentageAboveBaseCapacity: must be 0 to 100, not 120",
        "  nodeGroups[5].asgMetricsCollection[0].granularity: must be 1Minute (the only granularity Auto Scaling "
        "offers), not '5Minute'",
        "  nodeGroups[2].targetGroupARNs[0]: 'not-an-arn' is not a target group ARN",
        "  nodeGroups[3].preBootstrapCommands: Bottlerocket runs no shell commands from its user data",
    ]


def test_override_bootstrap_command_is_for_al2_and_windows():
    lines = problems(config(nodeGroups=[{"name": "a", "overrideBootstrapCommand": "/opt/join.sh"}]))
    assert lines == [
        "  nodeGroups[0].overrideBootstrapCommand: AmazonLinux2023 nodes join with nodeadm (NodeConfig), not a "
        "bootstrap command: it is for AmazonLinux2 and Windows nodes"
    ]
    al2 = config(nodeGroups=[{"name": "a", "amiFamily": "AmazonLinux2", "overrideBootstrapCommand": "/opt/join.sh"}])
    al2["metadata"]["version"] = "1.32"
    assert eksctl_config(al2)["self_managed_nodegroups"][0]["override_bootstrap_command"] == "/opt/join.sh"
