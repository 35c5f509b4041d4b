# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate a cluster definition across fields and fill in eksctl's defaults."""

from __future__ import annotations

import copy
import ipaddress
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.subnets import split
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import well_known_policies

DOCUMENTATION = r"""
name: cluster_definition
short_description: Validate a cluster definition and fill in eksctl's defaults
version_added: 0.1.0
author: aews.eks maintainers (@aews)
description:
  - Checks what an argument spec cannot check (sizes in order, subnets inside the VPC and apart,
    gp3 IOPS and throughput ranges, log types and retention values) and fails naming the field.
  - Returns the definition with every default filled in, the subnets split as eksctl does, the
    AMI type of each nodegroup, and prefix delegation folded into the vpc-cni configuration.
options:
  _input:
    description: The cluster definition (C(aews_eks_cluster)), see C(docs/cluster-definition.md).
    type: dict
    required: true
  availability_zones:
    description: The zones to use when the definition names none (the first two of the region).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: The normalized definition
  ansible.builtin.set_fact:
    cluster: "{{ aews_eks_cluster | aews.eks.cluster_definition }}"
"""

RETURN = r"""
_value:
  description: The normalized definition.
  type: dict
"""

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
RETENTION_DAYS = [
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
]
NAT_MODES = ["single", "highly_available", "disabled"]
VOLUME_TYPES = ["gp2", "gp3", "io1", "io2", "sc1", "st1", "standard"]
AMI_FAMILIES = ["AmazonLinux2", "AmazonLinux2023", "Bottlerocket", "Windows2019", "Windows2022"]
AMI_TYPES = [
    "AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64", "CUSTOM", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64_FIPS", "BOTTLEROCKET_x86_64_FIPS", "BOTTLEROCKET_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA",
    "WINDOWS_CORE_2019_x86_64", "WINDOWS_FULL_2019_x86_64", "WINDOWS_CORE_2022_x86_64", "WINDOWS_FULL_2022_x86_64",
    "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NEURON", "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA",
]  # fmt: skip
# The AMI types whose max pods the nodegroup role sets: AL2023 in a NodeConfig, Bottlerocket in its TOML settings.
MAX_PODS_AMI_PREFIXES = ("AL2023_", "BOTTLEROCKET_")
TAINT_EFFECTS = {
    "NoSchedule": "NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    "NO_SCHEDULE": "NO_SCHEDULE",
    "NO_EXECUTE": "NO_EXECUTE",
    "PREFER_NO_SCHEDULE": "PREFER_NO_SCHEDULE",
}
ADDON_POLICIES = [
    "image_builder", "ebs", "cloud_watch", "auto_scaler", "external_dns", "cert_manager", "app_mesh",
    "app_mesh_preview", "fsx", "efs", "aws_load_balancer_controller", "alb_ingress", "xray",
]  # fmt: skip
# Add-ons that get an IRSA role with these well-known policies when OIDC is on, as eksctl does.
ADDON_ROLES = {"vpc-cni": "vpc-cni", "aws-ebs-csi-driver": "ebs-csi", "aws-efs-csi-driver": "efs-csi"}
ADDON_SERVICE_ACCOUNTS = {
    "vpc-cni": ("kube-system", "aws-node"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa"),
    "aws-efs-csi-driver": ("kube-system", "efs-csi-controller-sa"),
}
DEFAULT_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "metrics-server"]
# Created right after the cluster, before any node exists: coredns cannot be healthy yet.
EARLY_ADDONS = ["vpc-cni", "kube-proxy", "coredns"]
OWNER_TAG = "aews.eks/cluster-name"
NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
NODEGROUP_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$")
VERSION_RE = re.compile(r"^\d+\.\d+$")


class DefinitionError(ValueError):
    pass


def _fail(field, problem):
    raise DefinitionError(f"aews_eks_cluster.{field}: {problem}")


def _dict(value, field):
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(field, f"must be a dict, got {type(value).__name__}")
    return copy.deepcopy(dict(value))


def _list(value, field):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        _fail(field, f"must be a list, got {type(value).__name__}")
    return list(value)


def _bool(value, field, default):
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.lower() in ("true", "yes", "on")
    _fail(field, f"must be true or false, got {value!r}")


def _int(value, field, default=None, low=None, high=None):
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail(field, f"must be an integer, got {value!r}")
    if isinstance(value, bool) or (isinstance(value, float) and value != number):
        _fail(field, f"must be an integer, got {value!r}")
    if low is not None and number < low or high is not None and number > high:
        _fail(field, f"{number} is outside {low}-{high}")
    return number


def _choice(value, field, choices, default=None):
    if value is None:
        return default
    if value not in choices:
        _fail(field, f"{value!r} is not one of {', '.join(map(str, choices))}")
    return value


def _network(value, field):
    try:
        return ipaddress.ip_network(str(value))
    except ValueError as e:
        _fail(field, f"{value!r} is not a CIDR block ({e})")


def _is_arm(instance_type):
    match = re.match(r"^[a-z]+\d+([a-z-]*)\.", instance_type)
    return bool(match and "g" in match.group(1))


def _is_gpu(instance_type):
    return bool(re.match(r"^(p|g)\d", instance_type)) and not _is_arm(instance_type)


def ami_type(family, instance_types):
    """The EKS amiType eksctl picks for an AMI family and the nodegroup's instance types."""
    first = instance_types[0] if instance_types else "m5.large"
    arm, gpu = _is_arm(first), _is_gpu(first)
    if family == "AmazonLinux2":
        return "AL2_ARM_64" if arm else "AL2_x86_64_GPU" if gpu else "AL2_x86_64"
    if family == "AmazonLinux2023":
        return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD"
    if family == "Bottlerocket":
        return "BOTTLEROCKET_ARM_64" if arm else "BOTTLEROCKET_x86_64_NVIDIA" if gpu else "BOTTLEROCKET_x86_64"
    return {"Windows2019": "WINDOWS_CORE_2019_x86_64", "Windows2022": "WINDOWS_CORE_2022_x86_64"}[family]


def _vpc(vpc, region, zones_default):
    out = {}
    out["cidr"] = str(_network(vpc.get("cidr") or "192.168.0.0/16", "vpc.cidr"))
    network = ipaddress.ip_network(out["cidr"])
    if network.version != 4 or not 16 <= network.prefixlen <= 24:
        _fail("vpc.cidr", f"{out['cidr']} must be an IPv4 block with a prefix from /16 to /24")
    out["nat"] = _choice(vpc.get("nat"), "vpc.nat", NAT_MODES, "single")
    out["id"] = vpc.get("id") or None
    subnet_ids = _dict(vpc.get("subnet_ids"), "vpc.subnet_ids")
    explicit = _dict(vpc.get("subnets"), "vpc.subnets")
    for key in list(subnet_ids) + list(explicit):
        if key not in ("public", "private"):
            _fail(f"vpc.subnets.{key}", "only public and private are known")
    zones = _list(vpc.get("availability_zones"), "vpc.availability_zones")
    if not zones:
        zones = list(_dict(explicit.get("public") or subnet_ids.get("public"), "vpc.subnets.public"))
    if not zones:
        zones = list(_dict(explicit.get("private") or subnet_ids.get("private"), "vpc.subnets.private"))
    if not zones:
        zones = list(zones_default or [])[:2]
    if not zones and zones_default is None:
        # The first two zones of the region are looked up by the caller, then the definition is normalized again.
        out["availability_zones"] = None
        out["subnet_ids"] = subnet_ids or {"public": {}, "private": {}}
        out["subnets"] = None
        return out
    if not zones:
        _fail("vpc.availability_zones", "no zones given and none found for the region")
    if len(zones) < 2:
        _fail("vpc.availability_zones", f"at least 2 zones are needed, got {zones}")
    if len(set(zones)) != len(zones):
        _fail("vpc.availability_zones", f"has duplicates: {zones}")
    for zone in zones:
        if region and not str(zone).startswith(region):
            _fail("vpc.availability_zones", f"{zone} is not in region {region}")
    out["availability_zones"] = zones
    out["subnet_prefix"] = _int(vpc.get("subnet_prefix"), "vpc.subnet_prefix", None, network.prefixlen, 28)
    if out["id"]:
        if not subnet_ids.get("public") and not subnet_ids.get("private"):
            _fail("vpc.subnet_ids", "an adopted VPC (vpc.id) needs its subnet ids per zone")
        out["subnet_ids"] = {
            kind: _dict(subnet_ids.get(kind), f"vpc.subnet_ids.{kind}") for kind in ("public", "private")
        }
        out["subnets"] = {"public": {}, "private": {}}
        return out
    if subnet_ids:
        _fail("vpc.subnet_ids", "subnet ids are only used with vpc.id (adopting an existing VPC)")
    out["subnet_ids"] = {"public": {}, "private": {}}
    try:
        generated = split(out["cidr"], zones, out["subnet_prefix"])
    except ValueError as e:
        raise DefinitionError(f"aews_eks_cluster.{e}") from None
    seen = []
    subnets = {}
    for kind in ("public", "private"):
        given = _dict(explicit.get(kind), f"vpc.subnets.{kind}")
        for zone in given:
            if zone not in zones:
                _fail(f"vpc.subnets.{kind}.{zone}", f"zone is not in vpc.availability_zones {zones}")
        subnets[kind] = {}
        for zone in zones:
            cidr = given.get(zone) or generated[kind][zone]
            field = f"vpc.subnets.{kind}.{zone}"
            block = _network(cidr, field)
            if block.version != 4 or not block.subnet_of(network):
                _fail(field, f"{cidr} is not inside the VPC CIDR {network}")
            if block.prefixlen > 28:
                _fail(field, f"{cidr} is smaller than /28, the smallest subnet AWS allows")
            for other_field, other in seen:
                if block.overlaps(other):
                    _fail(field, f"{cidr} overlaps {other_field} {other}")
            seen.append((field, block))
            subnets[kind][zone] = str(block)
    out["subnets"] = subnets
    return out


WELL_KNOWN_POLICIES = [
    "vpc-cni", "vpc-cni-ipv6", "ebs-csi", "efs-csi", "aws-load-balancer-controller", "cluster-autoscaler",
    "external-dns", "cert-manager",
]  # fmt: skip


def _well_known(value, field):
    """A list of aews.eks.eks_irsa controller names; a dict of name: bool is accepted too."""
    if isinstance(value, dict):
        value = [key for key, enabled in value.items() if _bool(enabled, f"{field}.{key}", False)]
    names = _list(value, field)
    for name in names:
        _choice(name, field, WELL_KNOWN_POLICIES)
    return names


def _service_account(sa, field):
    sa = _dict(sa, field)
    for key in ("namespace", "name"):
        if not sa.get(key):
            _fail(f"{field}.{key}", "is required")
    return {
        "namespace": sa["namespace"],
        "name": sa["name"],
        "managed_policy_arns": _list(sa.get("managed_policy_arns"), f"{field}.managed_policy_arns"),
        "well_known_policies": _well_known(sa.get("well_known_policies"), f"{field}.well_known_policies"),
        "inline_policies": _dict(sa.get("inline_policies"), f"{field}.inline_policies"),
        "role_name": sa.get("role_name") or None,
        "role_only": _bool(sa.get("role_only"), f"{field}.role_only", True),
    }


def _nodegroup(ng, index, cluster_name, cluster_version):
    field = f"nodegroups[{index}]"
    ng = _dict(ng, field)
    name = ng.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    if not NODEGROUP_RE.match(str(name)):
        _fail(f"{field}.name", f"{name!r} must be letters, digits, - and _, at most 63, starting alphanumeric")
    field = f"nodegroups[{name}]"
    out = {"name": name}
    out["instance_types"] = [str(t) for t in _list(ng.get("instance_types"), f"{field}.instance_types")] or ["m5.large"]
    if ng.get("ami_type"):
        out["ami_type"] = _choice(ng["ami_type"], f"{field}.ami_type", AMI_TYPES)
        out["ami_family"] = ng.get("ami_family")
    else:
        out["ami_family"] = _choice(ng.get("ami_family"), f"{field}.ami_family", AMI_FAMILIES, "AmazonLinux2023")
        out["ami_type"] = ami_type(out["ami_family"], out["instance_types"])
    if out["ami_type"].startswith("AL2_") and cluster_version and _version_tuple(cluster_version) >= (1, 33):
        _fail(f"{field}.ami_family", f"AmazonLinux2 AMIs are not offered for Kubernetes {cluster_version}")
    out["min_size"] = _int(ng.get("min_size"), f"{field}.min_size", 2, 0)
    out["max_size"] = _int(ng.get("max_size"), f"{field}.max_size", None, 1)
    out["desired_size"] = _int(ng.get("desired_size"), f"{field}.desired_size", None, 0)
    if out["desired_size"] is None:
        out["desired_size"] = (
            max(out["min_size"], 2) if out["max_size"] is None else min(max(out["min_size"], 2), out["max_size"])
        )
    if out["max_size"] is None:
        out["max_size"] = max(out["desired_size"], 1)
    if not out["min_size"] <= out["desired_size"] <= out["max_size"]:
        _fail(
            field,
            f"sizes must be min_size <= desired_size <= max_size, got {out['min_size']} <= {out['desired_size']}"
            f" <= {out['max_size']}",
        )
    volume = _dict(ng.get("volume"), f"{field}.volume")
    vtype = _choice(volume.get("type"), f"{field}.volume.type", VOLUME_TYPES, "gp3")
    vol = {"size": _int(volume.get("size"), f"{field}.volume.size", 80, 1, 16384), "type": vtype}
    if vtype == "gp3":
        vol["iops"] = _int(volume.get("iops"), f"{field}.volume.iops", 3000, 3000, 16000)
        vol["throughput"] = _int(volume.get("throughput"), f"{field}.volume.throughput", 125, 125, 1000)
    else:
        if volume.get("throughput") is not None:
            _fail(f"{field}.volume.throughput", f"is only for gp3 volumes, not {vtype}")
        if vtype in ("io1", "io2"):
            vol["iops"] = _int(volume.get("iops"), f"{field}.volume.iops", None, 100, 256000)
            if vol["iops"] is None:
                _fail(f"{field}.volume.iops", f"is required for {vtype} volumes")
        elif volume.get("iops") is not None:
            _fail(f"{field}.volume.iops", f"is only for gp3, io1 and io2 volumes, not {vtype}")
    vol["encrypted"] = _bool(volume.get("encrypted"), f"{field}.volume.encrypted", False)
    vol["kms_key_id"] = volume.get("kms_key_id") or None
    if vol["kms_key_id"] and not vol["encrypted"]:
        _fail(f"{field}.volume.kms_key_id", "needs volume.encrypted true")
    out["volume"] = vol
    out["labels"] = _dict(ng.get("labels"), f"{field}.labels")
    out["labels"].setdefault("alpha.eksctl.io/cluster-name", cluster_name)
    out["labels"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    out["labels"] = {str(k): str(v) for k, v in out["labels"].items()}
    taints = []
    for t_index, taint in enumerate(_list(ng.get("taints"), f"{field}.taints")):
        taint = _dict(taint, f"{field}.taints[{t_index}]")
        if not taint.get("key"):
            _fail(f"{field}.taints[{t_index}].key", "is required")
        effect = _choice(taint.get("effect"), f"{field}.taints[{t_index}].effect", list(TAINT_EFFECTS))
        if effect is None:
            _fail(f"{field}.taints[{t_index}].effect", "is required")
        item = {"key": str(taint["key"]), "effect": TAINT_EFFECTS[effect]}
        if taint.get("value") is not None:
            item["value"] = str(taint["value"])
        taints.append(item)
    out["taints"] = taints
    out["tags"] = _dict(ng.get("tags"), f"{field}.tags")
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-type", "managed")
    out["tags"] = {str(k): str(v) for k, v in out["tags"].items()}
    ssh = _dict(ng.get("ssh"), f"{field}.ssh")
    out["ssh"] = {
        "allow": _bool(ssh.get("allow"), f"{field}.ssh.allow", False),
        "public_key_path": ssh.get("public_key_path") or "~/.ssh/id_rsa.pub",
        "public_key": ssh.get("public_key") or None,
        "source_security_group_ids": _list(
            ssh.get("source_security_group_ids"), f"{field}.ssh.source_security_group_ids"
        ),
    }
    out["private_networking"] = _bool(ng.get("private_networking"), f"{field}.private_networking", False)
    policies = ng.get("addon_policies")
    if isinstance(policies, dict):
        policies = [key for key, value in policies.items() if _bool(value, f"{field}.addon_policies.{key}", False)]
    policies = _list(policies, f"{field}.addon_policies")
    for policy in policies:
        _choice(policy, f"{field}.addon_policies", ADDON_POLICIES)
    out["addon_policies"] = sorted(set(policies))
    imds = _dict(ng.get("imds"), f"{field}.imds")
    disable_pod = _bool(imds.get("disable_pod_imds"), f"{field}.imds.disable_pod_imds", False)
    out["imds"] = {
        "disable_imdsv1": _bool(imds.get("disable_imdsv1"), f"{field}.imds.disable_imdsv1", True),
        "disable_pod_imds": disable_pod,
        "hop_limit": _int(imds.get("hop_limit"), f"{field}.imds.hop_limit", 1 if disable_pod else 2, 1, 64),
    }
    out["spot"] = _bool(ng.get("spot"), f"{field}.spot", False)
    update = _dict(ng.get("update_config"), f"{field}.update_config")
    if update.get("max_unavailable") is not None and update.get("max_unavailable_percentage") is not None:
        _fail(f"{field}.update_config", "max_unavailable and max_unavailable_percentage are mutually exclusive")
    out["update_config"] = {
        "max_unavailable": _int(update.get("max_unavailable"), f"{field}.update_config.max_unavailable", None, 1, 100),
        "max_unavailable_percentage": _int(
            update.get("max_unavailable_percentage"), f"{field}.update_config.max_unavailable_percentage", None, 1, 100
        ),
    }
    out["max_pods"] = _int(ng.get("max_pods"), f"{field}.max_pods", None, 1, 737)
    if out["max_pods"] is not None and not out["ami_type"].startswith(MAX_PODS_AMI_PREFIXES):
        _fail(
            f"{field}.max_pods",
            f"is set through the launch template for AmazonLinux2023 and Bottlerocket nodes only, not {out['ami_type']}",
        )
    out["version"] = str(ng["version"]) if ng.get("version") else None
    out["release_version"] = ng.get("release_version") or None
    unknown = set(ng) - set(out) - {"ami_type"}
    if unknown:
        _fail(field, f"unknown keys: {', '.join(sorted(unknown))}")
    return out


# eksctl's withAddonPolicies: managed policies ("path/name") and well-known controller policies (inline).
NODE_ADDON_POLICIES = {
    "image_builder": (["AmazonEC2ContainerRegistryPowerUser"], []),
    "ebs": ([], ["ebs-csi"]),
    "efs": ([], ["efs-csi"]),
    "cloud_watch": (["CloudWatchAgentServerPolicy"], []),
    "xray": (["AWSXRayDaemonWriteAccess"], []),
    "fsx": (["AmazonFSxFullAccess"], []),
    "app_mesh": (["AWSAppMeshFullAccess"], []),
    "app_mesh_preview": (["AWSAppMeshPreviewEnvoyAccess"], []),
    "auto_scaler": ([], ["cluster-autoscaler"]),
    "external_dns": ([], ["external-dns"]),
    "cert_manager": ([], ["cert-manager"]),
    "aws_load_balancer_controller": ([], ["aws-load-balancer-controller"]),
    "alb_ingress": ([], ["aws-load-balancer-controller"]),
}


def partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def node_role_policies(nodegroup, region, cluster_name, with_oidc):
    """The managed policy ARNs and inline policies of a nodegroup's node role, as eksctl attaches them."""
    part = partition(region)
    names = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]
    if not with_oidc:
        # With OIDC, vpc-cni gets its own IRSA role instead.
        names.append("AmazonEKS_CNI_Policy")
    controllers = []
    for policy in nodegroup["addon_policies"]:
        managed, known = NODE_ADDON_POLICIES[policy]
        names += [n for n in managed if n not in names]
        controllers += [c for c in known if c not in controllers]
    managed_arns, inline = well_known_policies(controllers, part, cluster_name)
    arns = [f"arn:{part}:iam::aws:policy/{n}" for n in names]
    return {"managed_policy_arns": arns + [a for a in managed_arns if a not in arns], "inline_policies": inline}


def _version_tuple(version):
    return tuple(int(part) for part in str(version).split(".")[:2])


def _addon(addon, index, with_oidc):
    field = f"addons[{index}]"
    if isinstance(addon, str):
        addon = {"name": addon}
    addon = _dict(addon, field)
    name = addon.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    field = f"addons[{name}]"
    config = addon.get("configuration_values")
    if config is not None and not isinstance(config, (dict, str)):
        _fail(f"{field}.configuration_values", "must be a dict, or a JSON or YAML string")
    role = _dict(addon.get("service_account_role"), f"{field}.service_account_role")
    out = {
        "name": name,
        "version": str(addon.get("version") or "default"),
        "configuration_values": copy.deepcopy(config) if config is not None else None,
        "resolve_conflicts": _choice(
            str(addon.get("resolve_conflicts") or "overwrite").lower(),
            f"{field}.resolve_conflicts",
            ["none", "overwrite", "preserve"],
        ),
        "service_account_role": {
            "well_known_policies": _well_known(
                role.get("well_known_policies"), f"{field}.service_account_role.well_known_policies"
            ),
            "managed_policy_arns": _list(
                role.get("managed_policy_arns"), f"{field}.service_account_role.managed_policy_arns"
            ),
        },
        "wait": _choice(
            addon.get("wait"), f"{field}.wait", ["created", "active"], "created" if name in EARLY_ADDONS else "active"
        ),
    }
    role_out = out["service_account_role"]
    if (
        with_oidc
        and name in ADDON_ROLES
        and not role_out["managed_policy_arns"]
        and not role_out["well_known_policies"]
    ):
        role_out["well_known_policies"] = [ADDON_ROLES[name]]
    role_out["needed"] = bool(with_oidc and (role_out["managed_policy_arns"] or role_out["well_known_policies"]))
    namespace, account = ADDON_SERVICE_ACCOUNTS.get(name, (None, None))
    role_out["namespace"] = role.get("namespace") or namespace or "kube-system"
    role_out["service_account"] = role.get("service_account") or account
    if role_out["needed"] and not role_out["service_account"]:
        _fail(f"{field}.service_account_role.service_account", "is required for this add-on's IRSA role")
    out["early"] = name in EARLY_ADDONS
    return out


def normalize(definition, availability_zones=None):
    """The normalized cluster definition; raise DefinitionError naming the field."""
    if not isinstance(definition, dict):
        raise DefinitionError("aews_eks_cluster: must be a dict (the cluster definition)")
    d = copy.deepcopy(dict(definition))
    name = d.get("name")
    if not name:
        _fail("name", "is required")
    if not NAME_RE.match(str(name)):
        _fail("name", f"{name!r} must be letters, digits, - and _, at most 100, starting alphanumeric")
    region = d.get("region")
    if not region:
        _fail("region", "is required")
    out = {"name": str(name), "region": str(region)}
    version = d.get("version")
    if version is not None:
        version = str(version)
        if not VERSION_RE.match(version):
            _fail("version", f"{version!r} must look like 1.33")
    out["version"] = version
    out["tags"] = {str(k): str(v) for k, v in _dict(d.get("tags"), "tags").items()}
    out["owner_tag"] = {OWNER_TAG: out["name"]}
    out["vpc"] = _vpc(_dict(d.get("vpc"), "vpc"), out["region"], availability_zones)
    endpoint = _dict(d.get("endpoint"), "endpoint")
    out["endpoint"] = {
        "public_access": _bool(endpoint.get("public_access"), "endpoint.public_access", True),
        "private_access": _bool(endpoint.get("private_access"), "endpoint.private_access", False),
        "public_access_cidrs": _list(endpoint.get("public_access_cidrs"), "endpoint.public_access_cidrs")
        or ["0.0.0.0/0"],
    }
    if not out["endpoint"]["public_access"] and not out["endpoint"]["private_access"]:
        _fail("endpoint", "public_access and private_access cannot both be false")
    for i, cidr in enumerate(out["endpoint"]["public_access_cidrs"]):
        _network(cidr, f"endpoint.public_access_cidrs[{i}]")
    network = _dict(d.get("kubernetes_network"), "kubernetes_network")
    out["kubernetes_network"] = {
        "ip_family": _choice(network.get("ip_family"), "kubernetes_network.ip_family", ["ipv4", "ipv6"], "ipv4"),
        "service_ipv4_cidr": network.get("service_ipv4_cidr") or None,
    }
    if out["kubernetes_network"]["service_ipv4_cidr"]:
        service = _network(out["kubernetes_network"]["service_ipv4_cidr"], "kubernetes_network.service_ipv4_cidr")
        if service.overlaps(ipaddress.ip_network(out["vpc"]["cidr"])):
            _fail("kubernetes_network.service_ipv4_cidr", f"{service} overlaps the VPC CIDR {out['vpc']['cidr']}")
    iam = _dict(d.get("iam"), "iam")
    out["iam"] = {
        "with_oidc": _bool(iam.get("with_oidc"), "iam.with_oidc", False),
        "vpc_resource_controller_policy": _bool(
            iam.get("vpc_resource_controller_policy"), "iam.vpc_resource_controller_policy", True
        ),
        "service_accounts": [
            _service_account(sa, f"iam.service_accounts[{i}]")
            for i, sa in enumerate(_list(iam.get("service_accounts"), "iam.service_accounts"))
        ],
    }
    if out["iam"]["service_accounts"] and not out["iam"]["with_oidc"]:
        _fail("iam.service_accounts", "IAM roles for service accounts need iam.with_oidc true")
    logging = _dict(d.get("logging"), "logging")
    types = _list(logging.get("types"), "logging.types")
    if "all" in types or "*" in types:
        types = list(LOG_TYPES)
    for t in types:
        _choice(t, "logging.types", LOG_TYPES + ["all"])
    out["logging"] = {
        "types": [t for t in LOG_TYPES if t in types],
        "retention_days": _int(logging.get("retention_days"), "logging.retention_days"),
    }
    if out["logging"]["retention_days"] is not None:
        _choice(out["logging"]["retention_days"], "logging.retention_days", RETENTION_DAYS)
    secrets = _dict(d.get("secrets_encryption"), "secrets_encryption")
    out["secrets_encryption"] = {"key_arn": secrets.get("key_arn") or None}
    access = _dict(d.get("access"), "access")
    out["access"] = {
        "authentication_mode": _choice(
            access.get("authentication_mode"),
            "access.authentication_mode",
            ["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"],
            "API_AND_CONFIG_MAP",
        )
    }
    nodegroups = [
        _nodegroup(ng, i, out["name"], out["version"]) for i, ng in enumerate(_list(d.get("nodegroups"), "nodegroups"))
    ]
    names = [ng["name"] for ng in nodegroups]
    for ng_name in names:
        if names.count(ng_name) > 1:
            _fail("nodegroups", f"the name {ng_name} is used more than once")
    for ng in nodegroups:
        ng["node_role"] = node_role_policies(ng, out["region"], out["name"], out["iam"]["with_oidc"])
    out["nodegroups"] = nodegroups
    addons_config = _dict(d.get("addons_config"), "addons_config")
    out["addons_config"] = {
        "prefix_delegation": _bool(addons_config.get("prefix_delegation"), "addons_config.prefix_delegation", False)
    }
    addons = d.get("addons")
    if addons is None:
        addons = list(DEFAULT_ADDONS)
    addons = [_addon(a, i, out["iam"]["with_oidc"]) for i, a in enumerate(_list(addons, "addons"))]
    addon_names = [a["name"] for a in addons]
    for addon_name in addon_names:
        if addon_names.count(addon_name) > 1:
            _fail("addons", f"the add-on {addon_name} is listed more than once")
    if out["addons_config"]["prefix_delegation"]:
        if "vpc-cni" not in addon_names:
            _fail("addons_config.prefix_delegation", "needs the vpc-cni add-on in addons")
        cni = addons[addon_names.index("vpc-cni")]
        config = cni["configuration_values"] or {}
        if isinstance(config, str):
            _fail("addons[vpc-cni].configuration_values", "must be a dict when prefix_delegation is on")
        env = dict(config.get("env") or {})
        env.update({"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"})
        config["env"] = env
        cni["configuration_values"] = config
    out["addons"] = addons
    if out["kubernetes_network"]["ip_family"] == "ipv6":
        _ipv6(out, addon_names)
    return out


def _ipv6(out, addon_names):
    """What an IPv6 cluster needs (EKS's and eksctl's rules), what the vpc role cannot build, and vpc-cni's
    IPv6 policy on its IRSA role in place of AmazonEKS_CNI_Policy (which covers IPv4 only)."""
    field = "kubernetes_network.ip_family"
    if out["vpc"]["id"] is None:
        _fail(
            field,
            "ipv6 needs a VPC with IPv6 subnets, which the vpc role does not build: give vpc.id and vpc.subnet_ids "
            "of such a VPC, or use ipv4",
        )
    if not out["iam"]["with_oidc"]:
        _fail(field, "ipv6 needs iam.with_oidc true (vpc-cni runs on an IRSA role)")
    missing = [name for name in EARLY_ADDONS if name not in addon_names]
    if missing:
        _fail(field, f"ipv6 needs the add-ons vpc-cni, kube-proxy and coredns; addons lacks {', '.join(missing)}")
    if out["version"] is not None and _version_tuple(out["version"]) < (1, 21):
        _fail(field, f"ipv6 needs Kubernetes 1.21 or later, not {out['version']}")
    if out["kubernetes_network"]["service_ipv4_cidr"]:
        _fail("kubernetes_network.service_ipv4_cidr", "is for ipv4 clusters (EKS picks the IPv6 service range)")
    for addon in out["addons"]:
        role = addon["service_account_role"]
        if addon["name"] == "vpc-cni" and role["well_known_policies"] == ["vpc-cni"]:
            role["well_known_policies"] = ["vpc-cni-ipv6"]


def cluster_definition(definition, availability_zones=None):
    try:
        return normalize(definition, availability_zones)
    except DefinitionError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"cluster_definition": cluster_definition}
