# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-managed nodegroups (eksctl ``nodeGroups``): an Auto Scaling group of nodes that join the cluster by their
user data.

In parts kept apart, on the one change model (``change.py``):

- the nodes (pure): the AMI's SSM parameter for the family and Kubernetes version, the user data that joins a node
  (nodeadm NodeConfig for AL2023, TOML for Bottlerocket, ``/etc/eks/bootstrap.sh`` for AL2, the EKS bootstrap
  script for Windows), the aws-auth ConfigMap entry of a node role;
- the group: ``desired`` from the module's params, ``plan`` (current group, desired) -> change records, ``predict``
  (the group as the changes leave it, what check mode returns);
- the run: ``apply`` (``api`` calls only), the waits, ``ensure`` (the module) and ``info``.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import time

from . import api
from .change import change
from .change import outcome
from .common import client
from .common import tag_changes
from .errors import EksError
from .vocabulary import OWNER_TAG
from .vocabulary import SELF_MANAGED_NODEGROUP_TAG
from .vocabulary import kubernetes_cluster_tag

# The tag naming the nodegroup of a group (with kubernetes.io/cluster/CLUSTER=owned, the info module's filter).
NODEGROUP_TAG = SELF_MANAGED_NODEGROUP_TAG

# ---------------------------------------------------------------- the nodes (pure)
FAMILIES = (
    "AmazonLinux2023",
    "AmazonLinux2",
    "Bottlerocket",
    "WindowsServer2019CoreContainer",
    "WindowsServer2019FullContainer",
    "WindowsServer2022CoreContainer",
    "WindowsServer2022FullContainer",
)
# The definition's short Windows names.
FAMILY_ALIASES = {
    "Windows2019": "WindowsServer2019CoreContainer",
    "Windows2022": "WindowsServer2022CoreContainer",
}
# Amazon Linux 2 AMIs end with Kubernetes 1.32.
AL2_LAST_VERSION = (1, 32)
# eksctl's families for its nodeGroups that have no EKS-optimized AMI parameter here.
ARM_FAMILY_RE = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.", re.ASCII)
GPU_FAMILY_RE = re.compile(r"^(p\d|g\d)[a-z]*\.", re.ASCII)

# Every metric of an Auto Scaling group (EnableMetricsCollection's), what "all" stands for.
GROUP_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
)

# What AWS fills in for an InstancesDistribution key left out (filled in here too, so that a group compares equal).
DISTRIBUTION_DEFAULTS = {
    "OnDemandAllocationStrategy": "prioritized",
    "OnDemandBaseCapacity": 0,
    "OnDemandPercentageAboveBaseCapacity": 100,
    "SpotAllocationStrategy": "lowest-price",
}
DISTRIBUTION_KEYS = {
    "on_demand_allocation_strategy": "OnDemandAllocationStrategy",
    "on_demand_base_capacity": "OnDemandBaseCapacity",
    "on_demand_percentage_above_base_capacity": "OnDemandPercentageAboveBaseCapacity",
    "spot_allocation_strategy": "SpotAllocationStrategy",
    "spot_instance_pools": "SpotInstancePools",
    "max_price": "SpotMaxPrice",
}
# Instance refresh states.
REFRESH_ACTIVE = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")
REFRESH_FAILED = ("Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful")
DEFAULT_MAX_UNAVAILABLE_PERCENTAGE = 10


def family_of(family):
    """The eksctl AMI family name of ``family`` (the definition's short Windows names accepted), or EksError."""
    family = FAMILY_ALIASES.get(family, family)
    if family not in FAMILIES:
        raise EksError(
            message=f"ami_family must be one of {', '.join(FAMILIES)} (or Windows2019, Windows2022), not {family!r}"
        )
    return family


def _version(version):
    match = re.fullmatch(r"(\d+)\.(\d+)", str(version or ""))
    if not match:
        raise EksError(message=f'the Kubernetes version must be MAJOR.MINOR ("1.33"), not {version!r}')
    return int(match.group(1)), int(match.group(2))


def architecture(instance_type):
    """arm64 for Graviton instance types (m7g.large, t4g.medium, c6gn.xlarge), else x86_64."""
    return "arm64" if ARM_FAMILY_RE.match(str(instance_type or "")) else "x86_64"


def ami_parameter(family, version, instance_type=None):
    """The SSM parameter holding the EKS-optimized AMI of a family for a Kubernetes version (as eksctl reads it)."""
    family = family_of(family)
    major_minor = _version(version)
    version = "%d.%d" % major_minor
    arch = architecture(instance_type)
    gpu = bool(GPU_FAMILY_RE.match(str(instance_type or "")))
    if family == "AmazonLinux2023":
        flavour = "nvidia" if gpu else "standard"
        return f"/aws/service/eks/optimized-ami/{version}/amazon-linux-2023/{arch}/{flavour}/recommended/image_id"
    if family == "AmazonLinux2":
        if major_minor > AL2_LAST_VERSION:
            raise EksError(
                message=f"ami_family AmazonLinux2: EKS publishes no Amazon Linux 2 AMI for Kubernetes {version} "
                "(the last is 1.32): use AmazonLinux2023 or Bottlerocket"
            )
        name = "amazon-linux-2-gpu" if gpu else ("amazon-linux-2-arm64" if arch == "arm64" else "amazon-linux-2")
        return f"/aws/service/eks/optimized-ami/{version}/{name}/recommended/image_id"
    if family == "Bottlerocket":
        variant = f"aws-k8s-{version}-nvidia" if gpu else f"aws-k8s-{version}"
        return f"/aws/service/bottlerocket/{variant}/{arch}/latest/image_id"
    year = "2019" if "2019" in family else "2022"
    edition = "Core" if "Core" in family else "Full"
    return f"/aws/service/ami-windows-latest/Windows_Server-{year}-English-{edition}-EKS_Optimized-{version}/image_id"


def is_windows(family):
    return family_of(family).startswith("Windows")


def access_entry_type(family):
    """The access entry type of a node role: EC2_WINDOWS for Windows nodes, EC2_LINUX for the others."""
    return "EC2_WINDOWS" if is_windows(family) else "EC2_LINUX"


def aws_auth_entry(role_arn, family):
    """The aws-auth ConfigMap ``mapRoles`` entry a node role needs when the cluster authenticates by ConfigMap only
    (as eksctl writes it)."""
    groups = ["system:bootstrappers", "system:nodes"]
    if is_windows(family):
        groups.append("eks:kube-proxy-windows")
    return {"rolearn": role_arn, "username": "system:node:{{EC2PrivateDNSName}}", "groups": groups}


def dns_cluster_ip(service_cidr):
    """The cluster DNS address: the tenth address of the service CIDR (10.100.0.10 for 10.100.0.0/16)."""
    import ipaddress

    try:
        network = ipaddress.ip_network(str(service_cidr), strict=False)
    except ValueError as e:
        raise EksError(message=f"cluster.service_cidr is not a CIDR block: {service_cidr!r}") from e
    return str(network.network_address + 10)


def _labels_flag(labels):
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))


def _taint_value(taint):
    value = taint.get("value")
    effect = taint.get("effect") or "NoSchedule"
    effect = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}.get(
        effect, effect
    )
    return (f"{value}:{effect}" if value not in (None, "") else f":{effect}"), effect


def _taints_flag(taints):
    out = []
    for taint in taints or []:
        value, _effect = _taint_value(taint)
        out.append(f"{taint['key']}={value}" if not value.startswith(":") else f"{taint['key']}{value}")
    return ",".join(out)


def _toml_string(value):
    return json.dumps(str(value))


def node_of(nodegroup, max_pods=None):
    """What ``join_user_data`` reads of a normalized nodegroup (self-managed, or managed with a custom AMI)."""
    return {
        "labels": nodegroup.get("labels") or {},
        "taints": nodegroup.get("taints") or [],
        "max_pods": max_pods,
        "pre_bootstrap_commands": nodegroup.get("pre_bootstrap_commands") or [],
        "override_bootstrap_command": nodegroup.get("override_bootstrap_command"),
        "kubelet_extra_args": nodegroup.get("kubelet_extra_args") or [],
    }


def join_user_data(family, cluster, node=None):
    """The user data (plain text) that joins a node of ``family`` to the cluster.

    cluster: ``name``, ``endpoint``, ``certificate_authority`` (base64, as DescribeCluster answers it),
    ``service_cidr``. node: ``labels``, ``taints`` (``{key, value, effect}``), ``max_pods``,
    ``pre_bootstrap_commands`` (AL2023, AL2 and Windows), ``override_bootstrap_command`` (AL2 and Windows: the
    command that replaces the bootstrap call), ``kubelet_extra_args``.
    """
    family = family_of(family)
    node = dict(node or {})
    for key in ("name", "endpoint", "certificate_authority", "service_cidr"):
        if not (cluster or {}).get(key):
            raise EksError(message=f"cluster.{key} is required to join the nodes (DescribeCluster answers it)")
    pre = [str(c) for c in node.get("pre_bootstrap_commands") or []]
    override = node.get("override_bootstrap_command")
    if override and family in ("AmazonLinux2023", "Bottlerocket"):
        raise EksError(
            message=f"override_bootstrap_command: {family} nodes join with nodeadm / Bottlerocket settings, not a "
            "bootstrap command (it is for AmazonLinux2 and Windows)"
        )
    if pre and family == "Bottlerocket":
        raise EksError(
            message="pre_bootstrap_commands: Bottlerocket runs no shell scripts from its user data (use "
            "bottlerocket settings or a bootstrap container)"
        )
    max_pods = node.get("max_pods")
    labels = node.get("labels") or {}
    taints = node.get("taints") or []
    dns_ip = dns_cluster_ip(cluster["service_cidr"])
    extra_args = [str(a) for a in node.get("kubelet_extra_args") or []]
    if extra_args and family == "Bottlerocket":
        raise EksError(
            message="kubelet_extra_args: Bottlerocket takes kubelet settings in its TOML settings, not flags"
        )
    if family == "AmazonLinux2023":
        return _nodeadm(cluster, labels, taints, max_pods, pre, extra_args)
    if family == "Bottlerocket":
        return _bottlerocket(cluster, labels, taints, max_pods, dns_ip)
    extra = []
    if labels:
        extra.append(f"--node-labels={_labels_flag(labels)}")
    if taints:
        extra.append(f"--register-with-taints={_taints_flag(taints)}")
    if max_pods is not None:
        extra.append(f"--max-pods={int(max_pods)}")
    extra.extend(str(a) for a in node.get("kubelet_extra_args") or [])
    if family == "AmazonLinux2":
        lines = ["#!/bin/bash", "set -o errexit -o pipefail -o nounset"] + pre
        if override:
            lines.append(str(override))
        else:
            command = (
                f"/etc/eks/bootstrap.sh {cluster['name']} --apiserver-endpoint '{cluster['endpoint']}'"
                f" --b64-cluster-ca '{cluster['certificate_authority']}' --dns-cluster-ip {dns_ip}"
            )
            if max_pods is not None:
                command += " --use-max-pods false"
            if extra:
                command += " --kubelet-extra-args '" + " ".join(extra) + "'"
            lines.append(command)
        return "\n".join(lines) + "\n"
    lines = ["<powershell>"] + pre
    if override:
        lines.append(str(override))
    else:
        command = (
            "& $env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1"
            f" -EKSClusterName '{cluster['name']}' -APIServerEndpoint '{cluster['endpoint']}'"
            f" -Base64ClusterCA '{cluster['certificate_authority']}' -DNSClusterIP '{dns_ip}'"
        )
        if extra:
            command += " -KubeletExtraArgs '" + " ".join(extra) + "'"
        lines.append(command)
    lines.append("</powershell>")
    return "\n".join(lines) + "\n"


def _nodeadm(cluster, labels, taints, max_pods, pre, extra_args=()):
    spec = [
        "  cluster:",
        f"    name: {cluster['name']}",
        f"    apiServerEndpoint: {cluster['endpoint']}",
        f"    certificateAuthority: {cluster['certificate_authority']}",
        f"    cidr: {cluster['service_cidr']}",
    ]
    flags = []
    if labels:
        flags.append(f"--node-labels={_labels_flag(labels)}")
    if taints:
        flags.append(f"--register-with-taints={_taints_flag(taints)}")
    flags.extend(extra_args)
    if max_pods is not None or flags:
        spec.append("  kubelet:")
        if max_pods is not None:
            spec += ["    config:", f"      maxPods: {int(max_pods)}"]
        if flags:
            spec.append("    flags:")
            spec += [f"      - {json.dumps(f)}" for f in flags]
    from .launch_template import mime_multipart
    from .launch_template import node_config_part
    from .launch_template import shell_script_part

    parts = [shell_script_part(pre)] if pre else []
    parts.append(node_config_part(spec))
    return mime_multipart(parts)


def _bottlerocket(cluster, labels, taints, max_pods, dns_ip):
    lines = [
        "[settings.kubernetes]",
        f"cluster-name = {_toml_string(cluster['name'])}",
        f"api-server = {_toml_string(cluster['endpoint'])}",
        f"cluster-certificate = {_toml_string(cluster['certificate_authority'])}",
        f"cluster-dns-ip = {_toml_string(dns_ip)}",
    ]
    if max_pods is not None:
        lines.append(f"max-pods = {int(max_pods)}")
    if labels:
        lines += ["", "[settings.kubernetes.node-labels]"]
        lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in sorted(labels.items())]
    if taints:
        by_key = {}
        for taint in taints:
            by_key.setdefault(taint["key"], []).append(_taint_value(taint)[0].lstrip(":") if not taint.get("value")
                                                       else _taint_value(taint)[0])  # fmt: skip
        lines += ["", "[settings.kubernetes.node-taints]"]
        lines += [f"{_toml_string(k)} = [{', '.join(_toml_string(v) for v in vs)}]" for k, vs in sorted(by_key.items())]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the group (pure)
def group_name(cluster_name, name):
    return f"{cluster_name}-{name}"


def _tags_of(group):
    return {t["Key"]: t.get("Value", "") for t in (group or {}).get("Tags") or []}


def _int(value, field):
    if value is None:
        return None
    if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
        raise EksError(message=f"{field} must be a whole number of 0 or more, not {value!r}")
    return int(value)


def build_desired(params):
    """What the user asked for, from the module's params (pure); options left unset are None."""
    cluster_name, name = params["cluster_name"], params["name"]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", name or ""):
        raise EksError(message=f"name must be 1 to 63 letters, digits, - and _ (starting with a letter or digit), "
                               f"not {name!r}")  # fmt: skip
    desired = {"cluster_name": cluster_name, "name": name, "group_name": group_name(cluster_name, name)}
    if params["state"] == "absent":
        return desired
    sizes = {k: _int(params.get(k), k) for k in ("min_size", "max_size", "desired_size")}
    if sizes["min_size"] is not None and sizes["max_size"] is not None and sizes["min_size"] > sizes["max_size"]:
        raise EksError(message=f"min_size {sizes['min_size']} is more than max_size {sizes['max_size']}")
    if sizes["desired_size"] is not None:
        for key, ok in (("min_size", lambda d, v: d >= v), ("max_size", lambda d, v: d <= v)):
            if sizes[key] is not None and not ok(sizes["desired_size"], sizes[key]):
                raise EksError(message=f"desired_size {sizes['desired_size']} is outside min_size..max_size "
                                       f"({sizes['min_size']}..{sizes['max_size']})")  # fmt: skip
    desired.update(sizes)
    template = params.get("launch_template") or {}
    if params.get("launch_template") is not None:
        if bool(template.get("id")) == bool(template.get("name")):
            raise EksError(message="launch_template takes exactly one of id and name")
        version = str(template.get("version") or "$Default")
        if not re.fullmatch(r"\d+|\$Latest|\$Default", version):
            raise EksError(message=f"launch_template.version must be a version number, $Latest or $Default, "
                                   f"not {version!r}")  # fmt: skip
        spec = {"LaunchTemplateId": template["id"]} if template.get("id") else {"LaunchTemplateName": template["name"]}
        spec["Version"] = version
        desired["launch_template"] = spec
    else:
        desired["launch_template"] = None
    desired["distribution"] = None
    desired["instance_types"] = None
    distribution = params.get("instances_distribution")
    if distribution is not None:
        types = [str(t) for t in distribution.get("instance_types") or []]
        if not types:
            raise EksError(message="instances_distribution.instance_types must name at least one instance type")
        if len(set(types)) != len(types):
            raise EksError(message=f"instances_distribution.instance_types names a type twice: {', '.join(types)}")
        dist = dict(DISTRIBUTION_DEFAULTS)
        for key, aws_key in DISTRIBUTION_KEYS.items():
            if distribution.get(key) is not None:
                dist[aws_key] = distribution[key] if key == "max_price" else distribution[key]
        percentage = dist["OnDemandPercentageAboveBaseCapacity"]
        if not 0 <= int(percentage) <= 100:
            raise EksError(message="instances_distribution.on_demand_percentage_above_base_capacity must be 0 to "
                                   f"100, not {percentage}")  # fmt: skip
        if "SpotMaxPrice" in dist:
            dist["SpotMaxPrice"] = str(dist["SpotMaxPrice"])
        if dist.get("SpotAllocationStrategy") == "lowest-price":
            dist.setdefault("SpotInstancePools", 2)
        elif "SpotInstancePools" in dist:
            raise EksError(message="instances_distribution.spot_instance_pools is only for the lowest-price spot "
                                   "allocation strategy")  # fmt: skip
        desired["distribution"] = dist
        desired["instance_types"] = types
    desired["capacity_rebalance"] = params.get("capacity_rebalance")
    subnets = params.get("subnet_ids")
    desired["subnet_ids"] = sorted(set(subnets)) if subnets is not None else None
    if subnets is not None and not subnets:
        raise EksError(message="subnet_ids must name at least one subnet")
    tags = params.get("tags")
    fixed = {kubernetes_cluster_tag(cluster_name): "owned", NODEGROUP_TAG: name}
    desired["tags"] = dict(tags or {}, **fixed) if tags is not None else None
    desired["fixed_tags"] = fixed
    desired["purge_tags"] = params.get("purge_tags", True)
    metrics = params.get("metrics_collection")
    if metrics is not None:
        unknown = [m for m in metrics if m != "all" and m not in GROUP_METRICS]
        if unknown:
            raise EksError(message=f"metrics_collection: unknown metric(s) {', '.join(unknown)}; the metrics are "
                                   f"all, {', '.join(GROUP_METRICS)}")  # fmt: skip
        metrics = sorted(set(GROUP_METRICS) if "all" in metrics else set(metrics))
    desired["metrics"] = metrics
    for key in ("target_group_arns", "load_balancer_names"):
        value = params.get(key)
        desired[key] = sorted(set(value)) if value is not None else None
    update = params.get("update_config") or {}
    if update.get("max_unavailable") is not None and update.get("max_unavailable_percentage") is not None:
        raise EksError(message="update_config takes one of max_unavailable and max_unavailable_percentage")
    if update.get("max_unavailable_percentage") is not None and not 0 <= update["max_unavailable_percentage"] <= 100:
        raise EksError(message="update_config.max_unavailable_percentage must be 0 to 100")
    if update.get("max_unavailable") is not None and update["max_unavailable"] < 1:
        raise EksError(message="update_config.max_unavailable must be 1 or more")
    desired["update_config"] = {k: update.get(k) for k in ("max_unavailable", "max_unavailable_percentage")}
    desired["refresh"] = params.get("instance_refresh", True)
    return desired


def min_healthy_percentage(update_config, desired_capacity):
    """The instance refresh's MinHealthyPercentage for a max-unavailable setting: 100 - the percentage, or for a
    count, the share of the group that stays in service (rounded up: never more than the count out at once)."""
    update_config = update_config or {}
    if update_config.get("max_unavailable") is not None:
        size = max(int(desired_capacity or 0), 1)
        staying = max(size - int(update_config["max_unavailable"]), 0)
        return int(math.ceil(100.0 * staying / size))
    percentage = update_config.get("max_unavailable_percentage")
    return 100 - int(DEFAULT_MAX_UNAVAILABLE_PERCENTAGE if percentage is None else percentage)


def template_of(group):
    """(the group's launch template specification, the MixedInstancesPolicy's InstancesDistribution or None,
    the instance types of its overrides or None)."""
    mixed = (group or {}).get("MixedInstancesPolicy")
    if mixed:
        spec = (mixed.get("LaunchTemplate") or {}).get("LaunchTemplateSpecification") or {}
        overrides = (mixed.get("LaunchTemplate") or {}).get("Overrides") or []
        return spec, mixed.get("InstancesDistribution") or {}, [o.get("InstanceType") for o in overrides]
    return (group or {}).get("LaunchTemplate") or {}, None, None


def _same_template(spec, want):
    if want.get("LaunchTemplateId") and spec.get("LaunchTemplateId") != want["LaunchTemplateId"]:
        return False
    if want.get("LaunchTemplateName") and spec.get("LaunchTemplateName") != want["LaunchTemplateName"]:
        return False
    return str(spec.get("Version") or "$Default") == want["Version"]


def _template_params(desired):
    if desired["distribution"] is not None:
        return {
            "MixedInstancesPolicy": {
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": dict(desired["launch_template"]),
                    "Overrides": [{"InstanceType": t} for t in desired["instance_types"]],
                },
                "InstancesDistribution": dict(desired["distribution"]),
            }
        }
    return {"LaunchTemplate": dict(desired["launch_template"])}


def _distribution_differs(have, want):
    have = dict(DISTRIBUTION_DEFAULTS, **(have or {}))
    for key, value in want.items():
        if str(have.get(key)) != str(value):
            return True
    return any(key not in want for key in ("SpotMaxPrice",) if have.get(key) not in (None, ""))


def _template_words(spec):
    name = spec.get("LaunchTemplateName") or spec.get("LaunchTemplateId") or "?"
    return f"{name} version {spec.get('Version') or '$Default'}"


def stale_instances(group):
    """The instances launched from another launch template version than the group's (numbered versions only)."""
    spec, _dist, _types = template_of(group)
    version = str(spec.get("Version") or "")
    if not version.isdigit():
        return []
    stale = []
    for instance in (group or {}).get("Instances") or []:
        got = str(((instance.get("LaunchTemplate") or {}).get("Version")) or "")
        if got.isdigit() and got != version and instance.get("LifecycleState") not in ("Terminating", "Terminated"):
            stale.append(instance["InstanceId"])
    return stale


def active_refresh(refreshes):
    return next((r for r in refreshes or [] if r.get("Status") in REFRESH_ACTIVE), None)


def plan(current, desired, refreshes=()):
    """The change records that take the group from ``current`` (DescribeAutoScalingGroups' answer, or None) to
    ``desired`` (``build_desired``); EksError, before any call, for what cannot be done."""
    name = desired["group_name"]
    resource = f"self-managed nodegroup {desired['name']}"
    if "min_size" not in desired:  # state absent
        if current is None:
            return []
        changes = []
        if int(current.get("MinSize") or 0) or int(current.get("DesiredCapacity") or 0) or current.get("Instances"):
            changes.append(
                change(
                    resource,
                    "scale",
                    f"to zero nodes before the group is deleted (from "
                    f"{current.get('DesiredCapacity')})",  # fmt: skip
                    call="update_auto_scaling_group",
                    params={"AutoScalingGroupName": name, "MinSize": 0, "DesiredCapacity": 0},
                )
            )
        changes.append(change(resource, "delete", f"Auto Scaling group {name}", call="delete_auto_scaling_group",
                              params={"AutoScalingGroupName": name}))  # fmt: skip
        return changes

    if current is None:
        missing = [k for k in ("launch_template", "subnet_ids", "min_size", "max_size") if desired.get(k) is None]
        if missing:
            raise EksError(message=f"{', '.join(missing)} required to create the self-managed nodegroup "
                                   f"{desired['name']}")  # fmt: skip
        size = desired["desired_size"] if desired["desired_size"] is not None else desired["min_size"]
        if not desired["min_size"] <= size <= desired["max_size"]:
            raise EksError(message=f"desired_size {size} is outside min_size..max_size")
        tags = dict(desired["tags"] or {}, **desired["fixed_tags"])
        params = {
            "AutoScalingGroupName": name,
            "MinSize": desired["min_size"],
            "MaxSize": desired["max_size"],
            "DesiredCapacity": size,
            "VPCZoneIdentifier": ",".join(desired["subnet_ids"]),
            "Tags": [{"Key": k, "Value": str(v), "PropagateAtLaunch": True} for k, v in sorted(tags.items())],
        }
        params.update(_template_params(desired))
        if desired["capacity_rebalance"] is not None:
            params["CapacityRebalance"] = bool(desired["capacity_rebalance"])
        if desired["target_group_arns"]:
            params["TargetGroupARNs"] = list(desired["target_group_arns"])
        if desired["load_balancer_names"]:
            params["LoadBalancerNames"] = list(desired["load_balancer_names"])
        types = ",".join(desired["instance_types"]) if desired["instance_types"] else "the launch template's type"
        changes = [change(resource, "create", f"{desired['min_size']}/{size}/{desired['max_size']} nodes of "
                                              f"{types} from {_template_words(desired['launch_template'])}",
                          call="create_auto_scaling_group", params=params)]  # fmt: skip
        if desired["metrics"]:
            changes.append(change(resource, "enable_metrics", ", ".join(desired["metrics"]),
                                  call="enable_metrics_collection",
                                  params={"AutoScalingGroupName": name, "Metrics": desired["metrics"]}))  # fmt: skip
        return changes

    changes = []
    update = {}
    words = []
    for key, aws_key in (("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_size", "DesiredCapacity")):
        if desired[key] is not None and int(current.get(aws_key) or 0) != desired[key]:
            update[aws_key] = desired[key]
            words.append(f"{key} {current.get(aws_key)} -> {desired[key]}")
    low = update.get("MinSize", current.get("MinSize"))
    high = update.get("MaxSize", current.get("MaxSize"))
    size = update.get("DesiredCapacity", current.get("DesiredCapacity"))
    if not int(low) <= int(size) <= int(high):
        raise EksError(message=f"self-managed nodegroup {desired['name']}: desired capacity {size} would be outside "
                               f"min_size..max_size {low}..{high}: set desired_size")  # fmt: skip
    if update:
        changes.append(change(resource, "scale", ", ".join(words), call="update_auto_scaling_group",
                              params=dict(update, AutoScalingGroupName=name)))  # fmt: skip
    if desired["subnet_ids"] is not None:
        have = sorted(s for s in (current.get("VPCZoneIdentifier") or "").split(",") if s)
        if have != desired["subnet_ids"]:
            changes.append(change(resource, "update", f"subnets {','.join(have)} -> {','.join(desired['subnet_ids'])}",
                                  call="update_auto_scaling_group",
                                  params={"AutoScalingGroupName": name,
                                          "VPCZoneIdentifier": ",".join(desired["subnet_ids"])}))  # fmt: skip
    template_changed = False
    if desired["launch_template"] is not None:
        spec, dist, types = template_of(current)
        why = []
        if not _same_template(spec, desired["launch_template"]):
            why.append(f"launch template {_template_words(spec)} -> {_template_words(desired['launch_template'])}")
        if desired["distribution"] is None and dist is not None:
            why.append("instances distribution removed (one instance type, the launch template's)")
        if desired["distribution"] is not None:
            if dist is None:
                why.append(f"instances distribution set ({', '.join(desired['instance_types'])})")
            else:
                if list(types or []) != desired["instance_types"]:
                    why.append(f"instance types {','.join(t for t in types or [] if t)} -> "
                               f"{','.join(desired['instance_types'])}")  # fmt: skip
                if _distribution_differs(dist, desired["distribution"]):
                    why.append(
                        "instances distribution "
                        + ", ".join(
                            f"{k} {dist.get(k, DISTRIBUTION_DEFAULTS.get(k))} -> {v}"
                            for k, v in desired["distribution"].items()
                            if str(dict(DISTRIBUTION_DEFAULTS, **dist).get(k)) != str(v)
                        )
                        or "instances distribution"
                    )
        if why:
            template_changed = True
            changes.append(change(resource, "update", "; ".join(why), call="update_auto_scaling_group",
                                  params=dict(_template_params(desired), AutoScalingGroupName=name)))  # fmt: skip
    if desired["capacity_rebalance"] is not None and bool(current.get("CapacityRebalance")) != bool(
        desired["capacity_rebalance"]
    ):
        changes.append(change(resource, "update", f"capacity rebalance -> {bool(desired['capacity_rebalance'])}",
                              call="update_auto_scaling_group",
                              params={"AutoScalingGroupName": name,
                                      "CapacityRebalance": bool(desired["capacity_rebalance"])}))  # fmt: skip
    have_tags = _tags_of(current)
    want_tags = None if desired["tags"] is None else dict(desired["tags"])
    to_set, to_remove = tag_changes(have_tags, want_tags, desired["purge_tags"])
    for key, value in desired["fixed_tags"].items():
        if have_tags.get(key) != value:
            to_set[key] = value
    to_remove = [k for k in to_remove if k not in desired["fixed_tags"]]
    propagate_missing = sorted(t["Key"] for t in current.get("Tags") or []
                               if not t.get("PropagateAtLaunch") and t["Key"] not in to_remove)  # fmt: skip
    for key in propagate_missing:
        to_set.setdefault(key, have_tags[key])
    if to_set:
        changes.append(change(resource, "tag", ", ".join(f"{k}={v}" for k, v in sorted(to_set.items())),
                              call="create_or_update_auto_scaling_tags",
                              params={"AutoScalingGroupName": name, "Tags": dict(sorted(to_set.items()))}))  # fmt: skip
    if to_remove:
        changes.append(change(resource, "untag", ", ".join(sorted(to_remove)), call="delete_auto_scaling_tags",
                              params={"AutoScalingGroupName": name, "Keys": sorted(to_remove)}))  # fmt: skip
    if desired["metrics"] is not None:
        have = sorted(m["Metric"] for m in current.get("EnabledMetrics") or [])
        enable = [m for m in desired["metrics"] if m not in have]
        disable = [m for m in have if m not in desired["metrics"]]
        if enable:
            changes.append(change(resource, "enable_metrics", ", ".join(enable), call="enable_metrics_collection",
                                  params={"AutoScalingGroupName": name, "Metrics": enable}))  # fmt: skip
        if disable:
            changes.append(change(resource, "disable_metrics", ", ".join(disable), call="disable_metrics_collection",
                                  params={"AutoScalingGroupName": name, "Metrics": disable}))  # fmt: skip
    for key, aws_key, noun, attach, detach in (
        ("target_group_arns", "TargetGroupARNs", "target groups", "attach_load_balancer_target_groups",
         "detach_load_balancer_target_groups"),
        ("load_balancer_names", "LoadBalancerNames", "classic load balancers", "attach_load_balancers",
         "detach_load_balancers"),
    ):  # fmt: skip
        if desired[key] is None:
            continue
        have = sorted(current.get(aws_key) or [])
        add = [v for v in desired[key] if v not in have]
        drop = [v for v in have if v not in desired[key]]
        if add:
            params = {"AutoScalingGroupName": name, aws_key: add}
            changes.append(change(resource, "attach", f"{noun} {', '.join(add)}", call=attach, params=params))
        if drop:
            params = {"AutoScalingGroupName": name, aws_key: drop}
            changes.append(change(resource, "detach", f"{noun} {', '.join(drop)}", call=detach, params=params))
    if desired["refresh"]:
        refresh = _refresh_change(current, desired, template_changed, refreshes, resource, size)
        if refresh:
            changes.append(refresh)
    return changes


def _refresh_change(current, desired, template_changed, refreshes, resource, size):
    gone = ("Terminating", "Terminated")
    running = [i for i in current.get("Instances") or [] if i.get("LifecycleState") not in gone]
    if not running:
        return None
    stale = stale_instances(current)
    if template_changed:
        why = f"replaces the {len(running)} nodes with the new launch template, rolling"
    elif stale and active_refresh(refreshes) is None:
        why = (f"{len(stale)} of {len(running)} nodes still run an older launch template version "
               f"({', '.join(sorted(stale))}), rolling")  # fmt: skip
    else:
        return None
    healthy = min_healthy_percentage(desired["update_config"], size)
    why += f" with at least {healthy}% of the nodes in service"
    return change(resource, "refresh", why, call="start_instance_refresh",
                  params={"AutoScalingGroupName": desired["group_name"], "Strategy": "Rolling",
                          "Preferences": {"MinHealthyPercentage": healthy, "SkipMatching": True}})  # fmt: skip


# ---------------------------------------------------------------- the group as the module returns it (pure)
def view(group, cluster_name, name, refreshes=()):
    """The group as the module returns it (None when there is none)."""
    if group is None:
        return None
    spec, dist, types = template_of(group)
    tags = _tags_of(group)
    refresh = (refreshes or [None])[0]
    return {
        "name": name,
        "cluster_name": cluster_name,
        "auto_scaling_group_name": group.get("AutoScalingGroupName"),
        "arn": group.get("AutoScalingGroupARN"),
        "status": group.get("Status") or "ACTIVE",
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "desired_size": group.get("DesiredCapacity"),
        "subnet_ids": sorted(s for s in (group.get("VPCZoneIdentifier") or "").split(",") if s),
        "launch_template": {
            "id": spec.get("LaunchTemplateId"),
            "name": spec.get("LaunchTemplateName"),
            "version": str(spec.get("Version") or "$Default"),
        },
        "instance_types": list(types) if types is not None else [],
        "instances_distribution": {_snake(k): v for k, v in dist.items()} if dist is not None else None,
        "capacity_rebalance": bool(group.get("CapacityRebalance")),
        "target_group_arns": sorted(group.get("TargetGroupARNs") or []),
        "load_balancer_names": sorted(group.get("LoadBalancerNames") or []),
        "enabled_metrics": sorted(m["Metric"] for m in group.get("EnabledMetrics") or []),
        "tags": tags,
        "instances": [
            {
                "instance_id": i.get("InstanceId"),
                "instance_type": i.get("InstanceType"),
                "availability_zone": i.get("AvailabilityZone"),
                "lifecycle_state": i.get("LifecycleState"),
                "health_status": i.get("HealthStatus"),
                "launch_template_version": str((i.get("LaunchTemplate") or {}).get("Version") or "") or None,
            }
            for i in group.get("Instances") or []
        ],
        "instance_refresh": {
            "id": refresh.get("InstanceRefreshId"),
            "status": refresh.get("Status"),
            "percentage_complete": refresh.get("PercentageComplete"),
            "min_healthy_percentage": (refresh.get("Preferences") or {}).get("MinHealthyPercentage"),
        } if refresh else None,
    }  # fmt: skip


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def predict(current, changes, desired):
    """The group (as DescribeAutoScalingGroups answers it) once the changes are made: what check mode returns."""
    group = copy.deepcopy(current) if current is not None else None
    for c in changes:
        params = c["params"]
        call = c["call"]
        if call == "create_auto_scaling_group":
            group = {
                "AutoScalingGroupName": params["AutoScalingGroupName"],
                "AutoScalingGroupARN": None,
                "MinSize": params["MinSize"],
                "MaxSize": params["MaxSize"],
                "DesiredCapacity": params["DesiredCapacity"],
                "VPCZoneIdentifier": params["VPCZoneIdentifier"],
                "Tags": params["Tags"],
                "TargetGroupARNs": params.get("TargetGroupARNs", []),
                "LoadBalancerNames": params.get("LoadBalancerNames", []),
                "CapacityRebalance": params.get("CapacityRebalance", False),
                "Instances": [],
                "EnabledMetrics": [],
            }
            for key in ("LaunchTemplate", "MixedInstancesPolicy"):
                if key in params:
                    group[key] = copy.deepcopy(params[key])
        elif call == "update_auto_scaling_group" and c["action"] != "delete":
            for key, value in params.items():
                if key == "LaunchTemplate":
                    group.pop("MixedInstancesPolicy", None)
                if key == "MixedInstancesPolicy":
                    group.pop("LaunchTemplate", None)
                group[key] = copy.deepcopy(value)
        elif call == "create_or_update_auto_scaling_tags":
            tags = dict(_tags_of(group), **params["Tags"])
            group["Tags"] = [{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in sorted(tags.items())]
        elif call == "delete_auto_scaling_tags":
            group["Tags"] = [t for t in group.get("Tags") or [] if t["Key"] not in params["Keys"]]
        elif call == "enable_metrics_collection":
            have = {m["Metric"] for m in group.get("EnabledMetrics") or []}
            group["EnabledMetrics"] = [{"Metric": m, "Granularity": "1Minute"}
                                       for m in sorted(have | set(params["Metrics"]))]  # fmt: skip
        elif call == "disable_metrics_collection":
            group["EnabledMetrics"] = [
                m for m in group.get("EnabledMetrics") or [] if m["Metric"] not in params["Metrics"]
            ]
        elif call in ("attach_load_balancer_target_groups", "attach_load_balancers"):
            key = "TargetGroupARNs" if "TargetGroupARNs" in params else "LoadBalancerNames"
            group[key] = sorted(set(group.get(key) or []) | set(params[key]))
        elif call in ("detach_load_balancer_target_groups", "detach_load_balancers"):
            key = "TargetGroupARNs" if "TargetGroupARNs" in params else "LoadBalancerNames"
            group[key] = sorted(set(group.get(key) or []) - set(params[key]))
        elif call == "delete_auto_scaling_group":
            group = None
    return group


# ---------------------------------------------------------------- the run (api calls)
def _delay():
    return max(float(os.environ.get("AEWS_EKS_WAIT_DELAY") or 15), 0.1)


def read(asg, name):
    found = api.describe_auto_scaling_groups(asg, names=[name])
    return found[0] if found else None


def refreshes_of(asg, name):
    return api.describe_instance_refreshes(asg, name)


def apply(module, asg, changes, desired, wait_timeout):
    """Make the changes in order; a refresh waits for one already under way, a delete for the nodes to go."""
    deadline = time.monotonic() + wait_timeout
    for c in changes:
        params = dict(c["params"])
        call = c["call"]
        name = params.pop("AutoScalingGroupName")
        if call == "create_auto_scaling_group":
            api.create_auto_scaling_group(asg, AutoScalingGroupName=name, **params)
        elif call == "update_auto_scaling_group":
            api.update_auto_scaling_group(asg, AutoScalingGroupName=name, **params)
        elif call == "create_or_update_auto_scaling_tags":
            api.create_or_update_auto_scaling_tags(asg, name, params["Tags"])
        elif call == "delete_auto_scaling_tags":
            api.delete_auto_scaling_tags(asg, name, params["Keys"])
        elif call == "enable_metrics_collection":
            api.enable_metrics_collection(asg, name, params["Metrics"])
        elif call == "disable_metrics_collection":
            api.disable_metrics_collection(asg, name, params["Metrics"])
        elif call == "attach_load_balancer_target_groups":
            api.attach_load_balancer_target_groups(asg, name, params["TargetGroupARNs"])
        elif call == "detach_load_balancer_target_groups":
            api.detach_load_balancer_target_groups(asg, name, params["TargetGroupARNs"])
        elif call == "attach_load_balancers":
            api.attach_load_balancers(asg, name, params["LoadBalancerNames"])
        elif call == "detach_load_balancers":
            api.detach_load_balancers(asg, name, params["LoadBalancerNames"])
        elif call == "start_instance_refresh":
            _wait_refresh(asg, name, deadline, started=None)
            c["refresh_id"] = api.start_instance_refresh(asg, name, params["Preferences"])
        elif call == "delete_auto_scaling_group":
            _wait_instances_gone(asg, name, deadline)
            api.delete_auto_scaling_group(asg, name)


def _wait_refresh(asg, name, deadline, started):
    """Until no refresh of the group is under way; a refresh this run started that failed is an error."""
    while True:
        refreshes = refreshes_of(asg, name)
        if started is not None:
            mine = next((r for r in refreshes if r.get("InstanceRefreshId") == started), None)
            if mine is not None and mine.get("Status") in REFRESH_FAILED:
                raise EksError(message=f"Auto Scaling group {name}: instance refresh {started} ended "
                                       f"{mine.get('Status')}: {mine.get('StatusReason') or 'no reason given'}")  # fmt: skip
        running = active_refresh(refreshes)
        if running is None:
            return refreshes
        if time.monotonic() > deadline:
            raise EksError(message=f"Auto Scaling group {name}: instance refresh {running.get('InstanceRefreshId')} "
                                   f"still {running.get('Status')} ({running.get('PercentageComplete') or 0}% done) "
                                   "after wait_timeout")  # fmt: skip
        time.sleep(_delay())


def _wait_instances_gone(asg, name, deadline):
    while True:
        group = read(asg, name)
        if group is None or not [i for i in group.get("Instances") or [] if i.get("LifecycleState") != "Terminated"]:
            return
        if time.monotonic() > deadline:
            raise EksError(message=f"Auto Scaling group {name}: {len(group['Instances'])} instances still "
                                   "terminating after wait_timeout; run again to delete the group")  # fmt: skip
        time.sleep(_delay())


def _wait_in_service(asg, name, deadline):
    while True:
        group = read(asg, name)
        if group is None:
            raise EksError(message=f"Auto Scaling group {name} is gone")
        in_service = [i for i in group.get("Instances") or [] if i.get("LifecycleState") == "InService"]
        if len(in_service) >= int(group.get("DesiredCapacity") or 0):
            return group
        if time.monotonic() > deadline:
            raise EksError(message=f"Auto Scaling group {name}: {len(in_service)} of {group.get('DesiredCapacity')} "
                                   "nodes in service after wait_timeout")  # fmt: skip
        time.sleep(_delay())


def wait_deleted(asg, name, deadline):
    """Until the Auto Scaling group ``name`` is gone (``deadline``: a time.monotonic() value)."""
    while read(asg, name) is not None:
        if time.monotonic() > deadline:
            raise EksError(message=f"Auto Scaling group {name} still being deleted after wait_timeout")
        time.sleep(_delay())


def ensure(module):
    params = module.params
    desired = build_desired(params)
    asg = client(module, "autoscaling")
    name = desired["group_name"]
    current = read(asg, name)
    if current is not None and _tags_of(current).get(NODEGROUP_TAG) not in (None, desired["name"]):
        raise EksError(message=f"Auto Scaling group {name} belongs to nodegroup {_tags_of(current)[NODEGROUP_TAG]}")
    refreshes = refreshes_of(asg, name) if current is not None else []
    changes = plan(current, desired, refreshes)
    deadline_s = params["wait_timeout"]
    if changes and not module.check_mode:
        apply(module, asg, changes, desired, deadline_s)
    if module.check_mode or params["state"] == "absent" and not params["wait"]:
        after = predict(current, changes, desired)
        after_refreshes = refreshes
    else:
        deadline = time.monotonic() + deadline_s
        if params["state"] == "absent":
            if params["wait"] and current is not None:
                wait_deleted(asg, name, deadline)
            after, after_refreshes = None, []
        else:
            started = next((c.get("refresh_id") for c in changes if c["call"] == "start_instance_refresh"), None)
            if params["wait"]:
                _wait_refresh(asg, name, deadline, started)
                _wait_in_service(asg, name, deadline)
            after = read(asg, name)
            after_refreshes = refreshes_of(asg, name)
    resource = view(after, desired["cluster_name"], desired["name"], after_refreshes) or {}
    return outcome(
        module,
        "self_managed_nodegroup",
        resource,
        changes,
        before=view(current, desired["cluster_name"], desired["name"], refreshes),
        view=_diff_view,
    )


def _diff_view(value):
    if not value:
        return {}
    shown = {k: v for k, v in value.items() if k not in ("instances", "instance_refresh", "arn", "status")}
    return shown


def info(module):
    params = module.params
    asg = client(module, "autoscaling")
    cluster_name = params["cluster_name"]
    filters = {"tag-key": [kubernetes_cluster_tag(cluster_name)]}
    if params.get("name"):
        filters[f"tag:{NODEGROUP_TAG}"] = [params["name"]]
    groups = [g for g in api.describe_auto_scaling_groups(asg, filters=filters)
              if _tags_of(g).get(kubernetes_cluster_tag(cluster_name)) == "owned" and NODEGROUP_TAG in _tags_of(g)
              and (not params.get("name") or _tags_of(g)[NODEGROUP_TAG] == params["name"])]  # fmt: skip
    nodegroups = [view(g, cluster_name, _tags_of(g)[NODEGROUP_TAG], refreshes_of(asg, g["AutoScalingGroupName"]))
                  for g in sorted(groups, key=lambda g: g["AutoScalingGroupName"])]  # fmt: skip
    result = {"changed": False, "self_managed_nodegroups": nodegroups}
    ami = params.get("ami")
    if ami:
        parameter = ami_parameter(ami["family"], ami["version"], ami.get("instance_type"))
        ssm = client(module, "ssm")
        values, invalid = api.get_parameters(ssm, [parameter])
        if invalid or parameter not in values:
            raise EksError(message=f"SSM has no parameter {parameter}: no EKS-optimized {ami['family']} AMI for "
                                   f"Kubernetes {ami['version']} in this region")  # fmt: skip
        result["ami"] = {"parameter": parameter, "image_id": values[parameter], "family": family_of(ami["family"])}
    return result


def owned_by(group, cluster_name):
    """Whether the group is a self-managed nodegroup the collection made for the cluster."""
    tags = _tags_of(group)
    return tags.get(OWNER_TAG) == cluster_name and NODEGROUP_TAG in tags


# ---------------------------------------------------------------- the nodes' launch template (pure, the filter)
def cluster_join_info(cluster):
    """name, endpoint, certificate_authority and service_cidr of a cluster as aews.eks.eks_cluster_info returns it
    (snake_case) or as DescribeCluster answers it."""
    cluster = cluster or {}
    ca = cluster.get("certificate_authority") or cluster.get("certificateAuthority") or {}
    network = cluster.get("kubernetes_network_config") or cluster.get("kubernetesNetworkConfig") or {}
    return {
        "name": cluster.get("name"),
        "endpoint": cluster.get("endpoint"),
        "certificate_authority": ca.get("data"),
        "service_cidr": network.get("service_ipv4_cidr") or network.get("serviceIpv4Cidr"),
    }


def node_launch_template(nodegroup, cluster, tags=None, security_group_ids=None, ssh_security_group_id=None,
                         image_id=None, instance_profile_arn=None, instance_type=None, prefix_delegation=False):  # fmt: skip
    """The launch template of a self-managed nodegroup's nodes, from its normalized definition.

    What ``launch_template.node_launch_template`` gives a managed nodegroup's (root volume, metadata options, SSH
    key, security groups, instance tags), and what EKS does not do for these nodes: the AMI (``nodegroup.ami``, else
    ``image_id``, the EKS-optimized one), the instance type (without an instances distribution), the instance
    profile of the node role and the user data that joins the node (``join_user_data``: labels, taints, max pods,
    pre-bootstrap commands). ``cluster`` is the cluster as aews.eks.eks_cluster_info returns it.
    """
    from .launch_template import LaunchTemplateError
    from .launch_template import node_launch_template as managed_template

    join = cluster_join_info(cluster)
    name = nodegroup.get("name")
    family = family_of_ami_type(nodegroup.get("ami_type") or "")
    # The user data and the AMI are this module's (join_user_data), not those of a managed nodegroup's nodes.
    base_nodegroup = dict(nodegroup, max_pods=None, ami=None, pre_bootstrap_commands=[])
    base_nodegroup["override_bootstrap_command"] = None
    base_nodegroup["ssh"] = dict(nodegroup.get("ssh") or {})
    try:
        base = managed_template(base_nodegroup, join["name"], tags=tags, security_group_ids=security_group_ids,
                                ssh_security_group_id=ssh_security_group_id)  # fmt: skip
    except LaunchTemplateError as e:
        raise EksError(message=str(e)) from e
    data = base["data"]
    image = nodegroup.get("ami") or image_id
    if not image:
        raise EksError(message=f"nodegroup {name}: image_id (the EKS-optimized AMI, aews.eks.eks_self_managed_nodegroup_"
                               "info ami) or the nodegroup's ami is required")  # fmt: skip
    if not instance_profile_arn:
        raise EksError(message=f"nodegroup {name}: instance_profile_arn (the node role's instance profile) is required")
    data["ImageId"] = image
    data["IamInstanceProfile"] = {"Arn": instance_profile_arn}
    if not nodegroup.get("instances_distribution"):
        data["InstanceType"] = nodegroup["instance_types"][0]
    key_name = (nodegroup.get("ssh") or {}).get("public_key_name")
    if key_name:
        data["KeyName"] = key_name
    instance_name = nodegroup.get("instance_name") or f"{join['name']}-{name}-Node"
    for spec in data["TagSpecifications"]:
        spec["Tags"] = [t for t in spec["Tags"] if t["Key"] != "Name"] + [{"Key": "Name", "Value": instance_name}]
    max_pods = nodegroup.get("max_pods")
    if max_pods is None and prefix_delegation and family in ("AmazonLinux2023", "Bottlerocket"):
        max_pods = (instance_type or {}).get("max_pods_prefix_delegation")
    user_data = join_user_data(family, join, node_of(nodegroup, max_pods))
    import base64

    data["UserData"] = base64.b64encode(user_data.encode()).decode()
    return {
        "name": base["name"],
        "description": f"{join['name']} self-managed nodegroup {name}",
        "data": data,
        "user_data": user_data,
        "max_pods": max_pods,
        "family": family,
        "tags": base["tags"],
    }


def family_of_ami_type(ami_type):
    """The eksctl AMI family of an EKS AMI type (AL2023_x86_64_STANDARD -> AmazonLinux2023)."""
    if ami_type.startswith("AL2023"):
        return "AmazonLinux2023"
    if ami_type.startswith("AL2_"):
        return "AmazonLinux2"
    if ami_type.startswith("BOTTLEROCKET"):
        return "Bottlerocket"
    if ami_type.startswith("WINDOWS"):
        year = "2019" if "2019" in ami_type else "2022"
        return f"WindowsServer{year}{'Full' if 'FULL' in ami_type else 'Core'}Container"
    raise EksError(message=f"ami_type {ami_type!r} has no AMI family of self-managed nodes")
