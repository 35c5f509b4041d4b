# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's self-managed nodegroups (eksctl ``nodeGroups``): the keys of a managed nodegroup (checked as
``nodegroups.py`` checks them) and those of an Auto Scaling group and of the nodes' bootstrap."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _int
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _strings
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import _nodegroup
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import family_of_ami_type

# Keys of a self-managed nodegroup besides a managed nodegroup's (which it takes but for spot and release_version).
OWN_KEYS = (
    "ami", "instances_distribution", "metrics_collection", "target_group_arns", "classic_load_balancer_names",
    "pre_bootstrap_commands", "override_bootstrap_command", "instance_name", "kubelet_extra_args",
)  # fmt: skip
NOT_TAKEN = ("spot", "release_version", "node_repair")
# Keys of a managed nodegroup a self-managed one does not take yet.
NOT_YET = ("availability_zones", "security_group_ids", "launch_template", "instance_selector")
SSH_OWN_KEYS = ("public_key_name", "enable_ssm")
DISTRIBUTION_KEYS = (
    "instance_types", "max_price", "on_demand_base_capacity", "on_demand_percentage_above_base_capacity",
    "spot_instance_pools", "spot_allocation_strategy", "capacity_rebalance",
)  # fmt: skip
SPOT_STRATEGIES = ("lowest-price", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized")
METRICS = (
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
    "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances", "GroupInServiceCapacity",
    "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity",
    "WarmPoolDesiredCapacity", "WarmPoolWarmedCapacity", "WarmPoolPendingCapacity", "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity", "GroupAndWarmPoolDesiredCapacity", "GroupAndWarmPoolTotalCapacity",
)  # fmt: skip
AMI_RE = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")
KEY_PAIR_MAX = 255


def self_managed_nodegroup(ng, index, cluster_name, cluster_version, cluster_tags, base_dir, warnings):
    """One self-managed nodegroup, normalized; DefinitionError naming ``self_managed_nodegroups[index]...``."""
    field = f"self_managed_nodegroups[{index}]"
    ng = _dict(ng, field)
    for key in NOT_TAKEN:
        if key in ng:
            _fail(f"{field}.{key}", "is for managed nodegroups; a self-managed nodegroup takes "
                                    "instances_distribution (On-Demand and Spot) and its AMI from ami or ami_family")  # fmt: skip
    for key in NOT_YET:
        if ng.get(key) not in (None, [], {}):
            _fail(f"{field}.{key}", "is not supported for self-managed nodegroups yet: they run in the cluster's "
                                    "public or private subnets (private_networking), with the cluster and shared node "
                                    "security groups, from the launch template the collection writes for the instance "
                                    "types named")  # fmt: skip
    own = {key: ng.pop(key) for key in OWN_KEYS if key in ng}
    ssh = _dict(ng.get("ssh"), f"{field}.ssh")
    ssh_own = {key: ssh.pop(key) for key in SSH_OWN_KEYS if key in ssh}
    allow_given = ssh.get("allow")
    if ssh_own.get("public_key_name"):
        # An existing key pair: no public key file to read.
        if allow_given is not None and str(allow_given).lower() in ("false", "no", "off"):
            _fail(f"{field}.ssh.public_key_name", f"needs {ref(field + '.ssh.allow')} true (or left out)")
        ssh.pop("allow", None)
    if ng.get("ssh") is not None:
        ng["ssh"] = ssh
    max_pods = ng.pop("max_pods", None)
    distribution = _dict(own.get("instances_distribution"), f"{field}.instances_distribution")
    if distribution and not ng.get("instance_types") and distribution.get("instance_types"):
        # The AMI (architecture, GPU) follows the first type of the distribution.
        ng["instance_types"] = list(_list(distribution["instance_types"], f"{field}.instances_distribution"
                                          ".instance_types"))[:1]  # fmt: skip
    try:
        out = _nodegroup(ng, index, cluster_name, cluster_version, cluster_tags, base_dir, warnings)
    except DefinitionError as e:
        e.field = re.sub(r"^nodegroups\[", "self_managed_nodegroups[", e.field)
        raise
    out["tags"]["alpha.eksctl.io/nodegroup-type"] = "unmanaged"
    for key in NOT_TAKEN + NOT_YET:
        out.pop(key, None)
    out["max_pods"] = _int(max_pods, f"{field}.max_pods", None, 1, 737)
    if out["ami_type"].startswith(("WINDOWS_FULL", "WINDOWS_CORE")) and out["max_pods"] is not None:
        _fail(f"{field}.max_pods", "is not set on Windows nodes (their bootstrap sets it)")
    out["ami"] = own.get("ami") or None
    if out["ami"] is not None and not AMI_RE.match(str(out["ami"])):
        _fail(f"{field}.ami", f"{out['ami']!r} is not an AMI ID (ami-...); leave it out for the EKS-optimized AMI of "
                              f"{ref(field + '.ami_family')}")  # fmt: skip
    out["pre_bootstrap_commands"] = _strings(own.get("pre_bootstrap_commands"), f"{field}.pre_bootstrap_commands")
    out["override_bootstrap_command"] = own.get("override_bootstrap_command") or None
    out["kubelet_extra_args"] = _strings(own.get("kubelet_extra_args"), f"{field}.kubelet_extra_args")
    family = family_of_ami_type(out["ami_type"])
    if out["override_bootstrap_command"] and family in ("AmazonLinux2023", "Bottlerocket"):
        _fail(f"{field}.override_bootstrap_command", f"{family} nodes join with "
              f"{'nodeadm (NodeConfig)' if family == 'AmazonLinux2023' else 'Bottlerocket settings'}, not a "
              "bootstrap command: it is for AmazonLinux2 and Windows nodes")  # fmt: skip
    if out["pre_bootstrap_commands"] and family == "Bottlerocket":
        _fail(f"{field}.pre_bootstrap_commands", "Bottlerocket runs no shell commands from its user data")
    if out["kubelet_extra_args"] and family == "Bottlerocket":
        _fail(f"{field}.kubelet_extra_args", "Bottlerocket takes kubelet settings in its TOML settings, not flags")
    if out["ami"] and family == "AmazonLinux2" and not out["override_bootstrap_command"]:
        warnings.append(f"{ref(field + '.ami')}: a custom AmazonLinux2 AMI must have /etc/eks/bootstrap.sh, or set "
                        f"{ref(field + '.override_bootstrap_command')}")  # fmt: skip
    out["instance_name"] = own.get("instance_name") or None
    out["ssh"]["public_key_name"] = ssh_own.get("public_key_name") or None
    if out["ssh"]["public_key_name"]:
        out["ssh"]["allow"] = True
        if len(str(out["ssh"]["public_key_name"])) > KEY_PAIR_MAX:
            _fail(f"{field}.ssh.public_key_name", f"is longer than {KEY_PAIR_MAX} characters")
    out["ssh"]["enable_ssm"] = _bool(ssh_own.get("enable_ssm"), f"{field}.ssh.enable_ssm", True)
    if not out["ssh"]["enable_ssm"]:
        _fail(f"{field}.ssh.enable_ssm", "false is not taken: the node role always carries "
                                         "AmazonSSMManagedInstanceCore (as eksctl's does)")  # fmt: skip
    out["instances_distribution"] = _distribution(distribution, f"{field}.instances_distribution") if distribution \
        else None  # fmt: skip
    if out["instances_distribution"] is None and len(out["instance_types"]) > 1:
        _fail(f"{field}.instance_types", "more than one instance type needs "
                                         f"{ref(field + '.instances_distribution')} (a mixed instances policy)")  # fmt: skip
    if out["instances_distribution"] is not None:
        out["instance_types"] = list(out["instances_distribution"]["instance_types"])
    metrics = own.get("metrics_collection")
    if metrics is not None:
        metrics = _strings(metrics, f"{field}.metrics_collection")
        for m_index, metric in enumerate(metrics):
            if metric != "all" and metric not in METRICS:
                _fail(f"{field}.metrics_collection[{m_index}]", f"{metric!r} is not an Auto Scaling group metric "
                                                                f"(all, {', '.join(METRICS)})")  # fmt: skip
    out["metrics_collection"] = metrics
    out["target_group_arns"] = _strings(own.get("target_group_arns"), f"{field}.target_group_arns")
    for t_index, arn in enumerate(out["target_group_arns"]):
        if not re.match(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/", arn):
            _fail(f"{field}.target_group_arns[{t_index}]", f"{arn!r} is not a target group ARN")
    out["classic_load_balancer_names"] = _strings(own.get("classic_load_balancer_names"),
                                                  f"{field}.classic_load_balancer_names")  # fmt: skip
    return out


def _distribution(value, field):
    unknown = [k for k in value if k not in DISTRIBUTION_KEYS]
    if unknown:
        _fail(f"{field}.{unknown[0]}", f"unknown key; {ref(field)} takes {', '.join(DISTRIBUTION_KEYS)}")
    types = _strings(value.get("instance_types"), f"{field}.instance_types")
    if not types:
        _fail(f"{field}.instance_types", "is required: the instance types to mix")
    out = {"instance_types": types}
    for key, low, high in (("on_demand_base_capacity", 0, None), ("on_demand_percentage_above_base_capacity", 0, 100),
                           ("spot_instance_pools", 1, 20)):  # fmt: skip
        out[key] = _int(value.get(key), f"{field}.{key}", None, low, high)
    out["spot_allocation_strategy"] = _choice(value.get("spot_allocation_strategy"), f"{field}.spot_allocation_strategy",
                                              list(SPOT_STRATEGIES), None)  # fmt: skip
    if out["spot_instance_pools"] is not None and out["spot_allocation_strategy"] not in (None, "lowest-price"):
        _fail(f"{field}.spot_instance_pools", "is only for the lowest-price spot allocation strategy")
    price = value.get("max_price")
    if price is not None:
        try:
            float(price)
        except (TypeError, ValueError):
            _fail(f"{field}.max_price", f"{price!r} is not a price (US dollars per hour, such as 0.05)")
        price = str(price)
    out["max_price"] = price
    out["capacity_rebalance"] = _bool(value.get("capacity_rebalance"), f"{field}.capacity_rebalance", False)
    return out


def check_names(nodegroups, self_managed):
    """Nodegroup names are unique across managed and self-managed nodegroups."""
    seen = {ng["name"]: f"nodegroups[{i}]" for i, ng in enumerate(nodegroups)}
    for i, ng in enumerate(self_managed):
        if ng["name"] in seen:
            _fail(f"self_managed_nodegroups[{i}].name", f"{ng['name']} is already the name of {ref(seen[ng['name']])}: "
                                                        "nodegroup names must be unique")  # fmt: skip
        seen[ng["name"]] = f"self_managed_nodegroups[{i}]"
