# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nodeGroups (self-managed nodegroups): a managed nodegroup's checks and defaults (nodegroups.py), and the keys of
an Auto Scaling group and of the nodes' bootstrap: ami, instancesDistribution, asgMetricsCollection,
targetGroupARNs, classicLoadBalancerNames, preBootstrapCommands, overrideBootstrapCommand, instanceName,
ssh.publicKeyName."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.cluster import _minor
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import NODEGROUP_PATHS
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import _nodegroup
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import _validate_nodegroup

SPOT_STRATEGIES = ("lowest-price", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized")
DISTRIBUTION = {
    "instanceTypes": "instance_types",
    "maxPrice": "max_price",
    "onDemandBaseCapacity": "on_demand_base_capacity",
    "onDemandPercentageAboveBaseCapacity": "on_demand_percentage_above_base_capacity",
    "spotInstancePools": "spot_instance_pools",
    "spotAllocationStrategy": "spot_allocation_strategy",
    "capacityRebalance": "capacity_rebalance",
}
SELF_MANAGED_PATHS = dict(
    {k: v for k, v in NODEGROUP_PATHS.items() if k not in ("spot", "release_version")},
    **{
        "ami": "ami",
        "ssh.public_key_name": "ssh.publicKeyName",
        "instances_distribution": "instancesDistribution",
        "metrics_collection": "asgMetricsCollection",
        "target_group_arns": "targetGroupARNs",
        "classic_load_balancer_names": "classicLoadBalancerNames",
        "pre_bootstrap_commands": "preBootstrapCommands",
        "override_bootstrap_command": "overrideBootstrapCommand",
        "instance_name": "instanceName",
    },
    **{f"instances_distribution.{v}": f"instancesDistribution.{k}" for k, v in DISTRIBUTION.items()},
)


def validate(cfg, problems):
    """nodeGroups: each nodegroup as eksctl checks it; names unique across managedNodeGroups and nodeGroups."""
    version = (cfg.get("metadata") or {}).get("version")
    managed = _indexed(cfg.get("managedNodeGroups"))
    names = {ng["name"]: f"managedNodeGroups[{i}]" for i, ng in managed if ng.get("name")}
    for index, ng in _indexed(cfg.get("nodeGroups")):
        path = f"nodeGroups[{index}]"
        _validate_nodegroup(ng, path, names, _minor(version), problems)
        distribution = ng.get("instancesDistribution") or {}
        if distribution:
            if not _entries(distribution.get("instanceTypes")):
                problems.append(
                    (f"{path}.instancesDistribution.instanceTypes", "is required: the instance types to mix")
                )
            if ng.get("instanceType") not in (None, "", "mixed"):
                problems.append((f"{path}.instanceType", "must be unset or mixed with instancesDistribution"))
            percentage = distribution.get("onDemandPercentageAboveBaseCapacity")
            if percentage is not None and not 0 <= percentage <= 100:
                problems.append((f"{path}.instancesDistribution.onDemandPercentageAboveBaseCapacity",
                                 f"must be 0 to 100, not {percentage}"))  # fmt: skip
            strategy = distribution.get("spotAllocationStrategy")
            if strategy is not None and strategy not in SPOT_STRATEGIES:
                problems.append((f"{path}.instancesDistribution.spotAllocationStrategy",
                                 f"must be one of {', '.join(SPOT_STRATEGIES)}, not {strategy!r}"))  # fmt: skip
        elif ng.get("instanceType") == "mixed":
            problems.append((f"{path}.instanceType", "mixed needs instancesDistribution.instanceTypes"))
        for m_index, metrics in _indexed(ng.get("asgMetricsCollection")):
            if metrics.get("granularity") not in (None, "1Minute"):
                problems.append((f"{path}.asgMetricsCollection[{m_index}].granularity",
                                 f"must be 1Minute (the only granularity Auto Scaling offers), not "
                                 f"{metrics.get('granularity')!r}"))  # fmt: skip


def _self_managed(ng, cluster_name):
    base_ng = dict(ng)
    distribution = ng.get("instancesDistribution") or {}
    if distribution:
        base_ng.pop("instanceType", None)
        base_ng["instanceTypes"] = _entries(distribution.get("instanceTypes"))[:1] or None
    result = _nodegroup(base_ng, cluster_name)
    for key in ("spot", "release_version"):
        result.pop(key, None)
    result["tags"]["alpha.eksctl.io/nodegroup-type"] = "unmanaged"
    if distribution:
        result.pop("instance_types", None)
        result["instances_distribution"] = {
            snake: distribution[key] for key, snake in DISTRIBUTION.items() if distribution.get(key) is not None
        }
    metrics = [m for _i, m in _indexed(ng.get("asgMetricsCollection"))]
    if metrics:
        names = []
        for entry in metrics:
            names += _entries(entry.get("metrics")) or ["all"]
        result["metrics_collection"] = sorted(set(names))
    for key, snake in (("targetGroupARNs", "target_group_arns"),
                       ("classicLoadBalancerNames", "classic_load_balancer_names"),
                       ("preBootstrapCommands", "pre_bootstrap_commands")):  # fmt: skip
        if _entries(ng.get(key)):
            result[snake] = _entries(ng[key])
    for key, snake in (("ami", "ami"), ("overrideBootstrapCommand", "override_bootstrap_command"),
                       ("instanceName", "instance_name")):  # fmt: skip
        if ng.get(key):
            result[snake] = ng[key]
    key_name = (ng.get("ssh") or {}).get("publicKeyName")
    if key_name and (ng.get("ssh") or {}).get("allow") is not False:
        result["ssh"] = {k: v for k, v in result["ssh"].items() if k != "public_key_path"}
        result["ssh"].update(allow=True, public_key_name=key_name)
    return result


def convert(cfg, result):
    cluster_name = (cfg.get("metadata") or {}).get("name")
    nodegroups = [_self_managed(ng, cluster_name) for _index, ng in _indexed(cfg.get("nodeGroups"))]
    if nodegroups:
        result["self_managed_nodegroups"] = nodegroups


def add_paths(cfg, result, paths):
    for position, (index, ng) in enumerate(_indexed(cfg.get("nodeGroups"))):
        base = f"nodeGroups[{index}]"
        paths[f"self_managed_nodegroups[{position}]"] = base
        for key, value in SELF_MANAGED_PATHS.items():
            paths[f"self_managed_nodegroups[{position}].{key}"] = f"{base}.{value}"
        paths[f"self_managed_nodegroups[{position}].instance_types"] = (
            f"{base}.instancesDistribution.instanceTypes" if ng.get("instancesDistribution")
            else f"{base}.instanceType"
        )  # fmt: skip
