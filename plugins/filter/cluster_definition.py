# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate a cluster definition across fields and fill in eksctl's defaults."""

from __future__ import annotations

import copy
import ipaddress
import os
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.subnets import split
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message_text
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import suggestion
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import well_known_policies

DOCUMENTATION = r"""
name: cluster_definition
short_description: Validate a cluster definition and fill in eksctl's defaults
version_added: 0.1.0
author: aews.eks maintainers (@aews)
description:
  - Checks every field of the definition (unknown keys, types, choices) and across fields (sizes in order,
    subnets inside the VPC and apart, zones of the region, gp3 IOPS and throughput ranges, log types and
    retention values, ARNs, name lengths, AWS's label, taint and tag limits, the SSH public key file), and fails
    with one short message naming the field by its path in the user's input (C(nodegroups[1].desired_size), or
    the eksctl path such as C(managedNodeGroups[1].desiredCapacity) for a definition converted by
    P(aews.eks.eksctl_config#filter)), what is allowed and what to do.
  - Returns the definition with every default filled in, the subnets split as eksctl does, the
    AMI type of each nodegroup, prefix delegation folded into the vpc-cni configuration, the SSH public key
    path resolved against the directory ansible-playbook runs in, and C(warnings) for secure defaults the
    definition does not follow (API endpoint or SSH open to the world).
options:
  _input:
    description: The cluster definition (C(aews_eks_cluster)), see C(docs/cluster-definition.md).
    type: dict
    required: true
  availability_zones:
    description:
      - The zones to use when the definition names none (the first two of the region).
      - Names, or C(amazon.aws.aws_az_info) records (C(zone_name), C(zone_id)); zones EKS does not support
        (eksctl's list, by zone ID) are skipped.
    type: list
    elements: raw
  check_files:
    description:
      - Whether to check the files the definition names (the SSH public key); off, the paths are only resolved.
    type: bool
    default: true
  errors:
    description:
      - V(raise) fails the template on a problem; V(return) returns a dict with the message under C(error)
        instead, for a task that fails with the message alone.
    type: str
    default: raise
    choices: [raise, return]
  base_dir:
    description:
      - The directory relative file paths (C(ssh.public_key_path)) are read from; the directory ansible-playbook
        was started in by default.
    type: str
"""

EXAMPLES = r"""
- name: The normalized definition
  ansible.builtin.set_fact:
    cluster: "{{ aews_eks_cluster | aews.eks.cluster_definition }}"
"""

RETURN = r"""
_value:
  description: The normalized definition (with O(errors=return), a dict with the message under C(error) on a problem).
  type: dict
"""

LOG_TYPES = list(vocabulary.LOG_TYPES)
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
NAT_MODES = list(vocabulary.NAT_MODES)
VOLUME_TYPES = list(vocabulary.VOLUME_TYPES)
AMI_FAMILIES = ["AmazonLinux2", "AmazonLinux2023", "Bottlerocket", "Windows2019", "Windows2022"]
AMI_TYPES = list(vocabulary.AMI_TYPES)
# The AMI types whose max pods the nodegroup role sets: AL2023 in a NodeConfig, Bottlerocket in its TOML settings.
MAX_PODS_AMI_PREFIXES = ("AL2023_", "BOTTLEROCKET_")
# Kubernetes' spelling first (the definition's), then the EKS API's.
TAINT_EFFECTS = {
    **{k: vocabulary.TAINT_EFFECT_TO_EKS[k] for k in ("NoSchedule", "NoExecute", "PreferNoSchedule")},
    **{e: e for e in vocabulary.TAINT_EFFECTS},
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
DEFAULT_ADDONS = list(vocabulary.DEFAULT_ADDONS)
# Created right after the cluster, before any node exists: coredns cannot be healthy yet.
EARLY_ADDONS = ["vpc-cni", "kube-proxy", "coredns"]
OWNER_TAG = vocabulary.OWNER_TAG
NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
NODEGROUP_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$")
VERSION_RE = re.compile(r"^\d+\.\d+$")


# AWS's limits (botocore's EKS model and the EC2/IAM tag rules).
LABEL_KEY_MAX = 63
LABEL_VALUE_MAX = 63
TAINT_KEY_MAX = 63
TAINT_VALUE_MAX = 63
TAINTS_MAX = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_MAX = 50
POLICY_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$"
)
KMS_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/+=,.@-]+$")
SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
PRINCIPAL_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:(role|user)/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$"
)
ACCESS_POLICY_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:eks::aws:cluster-access-policy/[A-Za-z0-9]+$")
SUBNET_ID_RE = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
ACCESS_ENTRY_TYPES = ["STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"]
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
FARGATE_SELECTORS_MAX = 5
FARGATE_LABELS_MAX = 5
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
# Zones EKS does not support, by zone ID (eksctl's zoneIDsToAvoid, pkg/az/az.go): skipped when zones are picked.
ZONE_IDS_WITHOUT_EKS = {
    "us-east-1": ["use1-az3"],
    "us-west-1": ["usw1-az2"],
    "ca-central-1": ["cac1-az3"],
    "cn-north-1": ["cnn1-az4"],
}
PUBLIC_KEY_PREFIXES = ("ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-", "sk-ssh-ed25519", "sk-ecdsa-sha2-")
OPEN_CIDRS = ("0.0.0.0/0", "::/0")

# The keys each section takes (anything else is a mistake: a misspelt key would otherwise be ignored).
KEYS = {
    "": [
        "name", "region", "version", "tags", "vpc", "endpoint", "kubernetes_network", "iam", "logging",
        "secrets_encryption", "access", "nodegroups", "addons_config", "addons", "fargate_profiles", "source",
    ],
    "vpc": ["cidr", "availability_zones", "nat", "subnet_prefix", "subnets", "id", "subnet_ids"],
    "endpoint": ["public_access", "private_access", "public_access_cidrs"],
    "kubernetes_network": ["ip_family", "service_ipv4_cidr"],
    "iam": [
        "with_oidc", "vpc_resource_controller_policy", "service_accounts", "pod_identity_associations",
        "fargate_pod_execution_role_arn", "fargate_pod_execution_role_permissions_boundary",
        "service_role_permissions_boundary",
    ],
    "pod_identity_association": [
        "namespace", "service_account", "role_name", "managed_policy_arns", "well_known_policies", "inline_policies",
        "permissions_boundary", "tags",
    ],
    "addon_pod_identity_association": [
        "service_account", "role_arn", "role_name", "managed_policy_arns", "well_known_policies", "inline_policies",
        "permissions_boundary", "tags",
    ],
    "service_account": [
        "namespace", "name", "managed_policy_arns", "well_known_policies", "inline_policies", "role_name", "role_only",
    ],
    "logging": ["types", "retention_days"],
    "secrets_encryption": ["key_arn"],
    "access": ["authentication_mode", "bootstrap_cluster_creator_admin_permissions", "entries"],
    "access_entry": ["principal_arn", "type", "kubernetes_groups", "username", "access_policies", "tags"],
    "access_policy": ["policy_arn", "access_scope"],
    "access_scope": ["type", "namespaces"],
    "fargate_profile": ["name", "pod_execution_role_arn", "selectors", "subnets", "tags"],
    "fargate_selector": ["namespace", "labels"],
    "addons_config": ["prefix_delegation"],
    "nodegroup": [
        "name", "instance_types", "ami_family", "ami_type", "min_size", "desired_size", "max_size", "volume", "labels",
        "taints", "tags", "ssh", "private_networking", "addon_policies", "imds", "spot", "update_config", "max_pods",
        "version", "release_version",
    ],
    "volume": ["size", "type", "iops", "throughput", "encrypted", "kms_key_id"],
    "taint": ["key", "value", "effect"],
    "ssh": ["allow", "public_key_path", "public_key", "source_security_group_ids"],
    "imds": ["disable_imdsv1", "disable_pod_imds", "hop_limit"],
    "update_config": ["max_unavailable", "max_unavailable_percentage"],
    "addon": [
        "name", "version", "configuration_values", "resolve_conflicts", "service_account_role",
        "pod_identity_associations", "wait",
    ],
    "service_account_role": ["well_known_policies", "managed_policy_arns", "namespace", "service_account"],
}  # fmt: skip


class DefinitionError(ValueError):
    """A problem of the definition: ``field`` (its path in the definition) and ``problem``."""

    def __init__(self, field, problem, paths=None):
        self.field = field
        self.problem = problem
        self.paths = paths
        super().__init__(message(field, problem, paths))

    def __str__(self):
        return message(self.field, self.problem, self.paths)


def _fail(field, problem):
    raise DefinitionError(field, problem)


def _known(value, field, section):
    """Fail on the first key ``section`` does not take, suggesting the closest one."""
    allowed = KEYS[section]
    for key in value:
        if key not in allowed:
            where = f"{field}.{key}" if field else str(key)
            listed = ", ".join(k for k in allowed if k != "source")
            _fail(
                where,
                f"unknown key{suggestion(key, allowed)}; {ref(field) if field else 'the definition'} takes {listed}",
            )


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
        _fail(
            field, f"{number} is outside {low}-{high}" if high is not None else f"{number} is below the minimum {low}"
        )
    return number


def _choice(value, field, choices, default=None):
    if value is None:
        return default
    if value not in choices:
        _fail(field, f"{value!r} is not one of {', '.join(map(str, choices))}{suggestion(value, choices)}")
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
    first = instance_types[0] if instance_types else vocabulary.DEFAULT_INSTANCE_TYPE
    arm, gpu = _is_arm(first), _is_gpu(first)
    if family == "AmazonLinux2":
        return "AL2_ARM_64" if arm else "AL2_x86_64_GPU" if gpu else "AL2_x86_64"
    if family == "AmazonLinux2023":
        return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD"
    if family == "Bottlerocket":
        return "BOTTLEROCKET_ARM_64" if arm else "BOTTLEROCKET_x86_64_NVIDIA" if gpu else "BOTTLEROCKET_x86_64"
    return vocabulary.WINDOWS_AMI_TYPES[family]


def default_zones(zones, region):
    """The zone names of ``zones`` (names or aws_az_info records) but those EKS does not support (eksctl's list)."""
    avoid = ZONE_IDS_WITHOUT_EKS.get(region, [])
    names = []
    for zone in zones or []:
        if isinstance(zone, dict):
            zone_id = zone.get("zone_id") or zone.get("ZoneId")
            name = zone.get("zone_name") or zone.get("ZoneName")
            if zone_id in avoid or not name:
                continue
            names.append(str(name))
        else:
            names.append(str(zone))
    return names


def _vpc(vpc, region, zones_default):
    _known(vpc, "vpc", "vpc")
    out = {}
    out["cidr"] = str(_network(vpc.get("cidr") or vocabulary.DEFAULT_VPC_CIDR, "vpc.cidr"))
    network = ipaddress.ip_network(out["cidr"])
    if network.version != 4 or not 16 <= network.prefixlen <= 24:
        _fail("vpc.cidr", f"{out['cidr']} must be an IPv4 block with a prefix from /16 to /24")
    out["nat"] = _choice(vpc.get("nat"), "vpc.nat", NAT_MODES, vocabulary.DEFAULT_NAT_MODE)
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
        zones = default_zones(zones_default, region)[:2]
    if not zones and zones_default is None:
        # The first two zones of the region are looked up by the caller, then the definition is normalized again.
        out["availability_zones"] = None
        out["subnet_ids"] = subnet_ids or {"public": {}, "private": {}}
        out["subnets"] = None
        return out
    if not zones:
        _fail("vpc.availability_zones", f"no zones given and none found for the region {region}: name two or more")
    if len(zones) < 2:
        _fail(
            "vpc.availability_zones",
            f"at least 2 zones are needed (EKS needs subnets in two zones), got {zones}: name two or more zones of "
            f"{region}",
        )
    if len(set(zones)) != len(zones):
        _fail("vpc.availability_zones", f"has duplicates: {zones}; name each zone once")
    for index, zone in enumerate(zones):
        if region and not re.match(rf"^{re.escape(region)}[a-z]$", str(zone)):
            _fail(
                f"vpc.availability_zones[{index}]",
                f"{zone} is not a zone of {ref('region')} {region}: use zones such as {region}a, {region}b",
            )
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
        _fail("vpc.subnet_ids", f"subnet ids are only used with {ref('vpc.id')} (adopting an existing VPC)")
    out["subnet_ids"] = {"public": {}, "private": {}}
    try:
        generated = split(out["cidr"], zones, out["subnet_prefix"])
    except ValueError as e:
        field, _sep, problem = str(e).partition(" ")
        field = field.rstrip(":")
        raise DefinitionError(field, problem) from None
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


def _policy_arns(value, field):
    arns = [str(a) for a in _list(value, field)]
    for index, arn in enumerate(arns):
        if not POLICY_ARN_RE.match(arn):
            _fail(
                f"{field}[{index}]",
                f"{arn!r} is not an IAM policy ARN: write arn:aws:iam::aws:policy/NAME for an AWS managed policy or "
                "arn:aws:iam::ACCOUNT:policy/NAME for your own",
            )
    return arns


def _service_account(sa, field):
    sa = _dict(sa, field)
    _known(sa, field, "service_account")
    for key in ("namespace", "name"):
        if not sa.get(key):
            _fail(f"{field}.{key}", "is required")
    role_name = sa.get("role_name") or None
    if role_name is not None and not ROLE_NAME_RE.match(str(role_name)):
        _fail(f"{field}.role_name", f"{role_name!r} must be at most 64 letters, digits and +=,.@_-")
    return {
        "namespace": sa["namespace"],
        "name": sa["name"],
        "managed_policy_arns": _policy_arns(sa.get("managed_policy_arns"), f"{field}.managed_policy_arns"),
        "well_known_policies": _well_known(sa.get("well_known_policies"), f"{field}.well_known_policies"),
        "inline_policies": _dict(sa.get("inline_policies"), f"{field}.inline_policies"),
        "role_name": role_name,
        "role_only": _bool(sa.get("role_only"), f"{field}.role_only", True),
    }


def _role_arn(value, field):
    if value is None or value == "":
        return None
    if not ROLE_ARN_RE.match(str(value)):
        _fail(field, f"{value!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    return str(value)


def _boundary(value, field):
    if value is None or value == "":
        return None
    if not POLICY_ARN_RE.match(str(value)):
        _fail(field, f"{value!r} is not an IAM policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")
    return str(value)


def _strings(value, field):
    items = _list(value, field)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            _fail(f"{field}[{index}]", f"must be a non-empty string, got {item!r}")
    return list(items)


def _access_entry(entry, field):
    """An access entry (eks_access_entry's options), checked as EKS checks it."""
    entry = _dict(entry, field)
    _known(entry, field, "access_entry")
    principal = entry.get("principal_arn")
    if not principal:
        _fail(f"{field}.principal_arn", "is required")
    if not PRINCIPAL_ARN_RE.match(str(principal)):
        _fail(
            f"{field}.principal_arn",
            f"{principal!r} is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME or "
            "arn:aws:iam::ACCOUNT:user/NAME)",
        )
    entry_type = _choice(str(entry.get("type") or "STANDARD").upper(), f"{field}.type", ACCESS_ENTRY_TYPES)
    groups = _strings(entry.get("kubernetes_groups"), f"{field}.kubernetes_groups")
    username = entry.get("username") or None
    if entry_type != "STANDARD":
        if groups:
            _fail(f"{field}.kubernetes_groups", f"EKS sets the groups of {entry_type} access entries: leave it out")
        if username:
            _fail(f"{field}.username", f"EKS sets the username of {entry_type} access entries: leave it out")
    for index, group in enumerate(groups):
        if group.startswith("system:"):
            _fail(f"{field}.kubernetes_groups[{index}]", f"{group!r}: the system: prefix is reserved by Kubernetes")
    if username is not None and str(username).startswith(RESERVED_USERNAME_PREFIXES):
        _fail(
            f"{field}.username",
            f"{username!r} starts with a prefix EKS reserves ({', '.join(RESERVED_USERNAME_PREFIXES)})",
        )
    policies = []
    seen = {}
    for index, policy in enumerate(_list(entry.get("access_policies"), f"{field}.access_policies")):
        where = f"{field}.access_policies[{index}]"
        policy = _dict(policy, where)
        _known(policy, where, "access_policy")
        if entry_type != "STANDARD":
            _fail(where, f"access policies are for STANDARD access entries only, not {entry_type}")
        arn = policy.get("policy_arn")
        if not arn:
            _fail(f"{where}.policy_arn", "is required")
        if not ACCESS_POLICY_ARN_RE.match(str(arn)):
            _fail(
                f"{where}.policy_arn",
                f"{arn!r} is not an EKS access policy ARN (arn:aws:eks::aws:cluster-access-policy/NAME, for example "
                "AmazonEKSClusterAdminPolicy)",
            )
        if arn in seen:
            _fail(f"{where}.policy_arn", f"{arn} is already listed as {ref(f'{field}.access_policies[{seen[arn]}]')}")
        seen[arn] = index
        scope = _dict(policy.get("access_scope"), f"{where}.access_scope")
        _known(scope, f"{where}.access_scope", "access_scope")
        scope_type = _choice(str(scope.get("type") or "cluster").lower(), f"{where}.access_scope.type",
                             ["cluster", "namespace"])  # fmt: skip
        namespaces = _strings(scope.get("namespaces"), f"{where}.access_scope.namespaces")
        if scope_type == "namespace" and not namespaces:
            _fail(f"{where}.access_scope.namespaces", "a namespace scope needs at least one namespace")
        if scope_type == "cluster" and namespaces:
            _fail(f"{where}.access_scope.namespaces", "a cluster scope takes no namespaces (use type namespace)")
        policies.append({"policy_arn": str(arn), "access_scope": {"type": scope_type, "namespaces": namespaces}})
    return {
        "principal_arn": str(principal),
        "type": entry_type,
        "kubernetes_groups": groups,
        "username": username,
        "access_policies": policies,
        "tags": _tags(entry.get("tags"), f"{field}.tags"),
    }


def _fargate_profile(profile, field):
    """A Fargate profile (eks_fargate_profile's options), checked as EKS checks it."""
    profile = _dict(profile, field)
    _known(profile, field, "fargate_profile")
    name = profile.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    if not NAME_RE.match(str(name)):
        _fail(f"{field}.name", f"{name!r} must be 1 to 100 letters, digits, - and _, starting with a letter or digit")
    selectors = _list(profile.get("selectors"), f"{field}.selectors")
    if not 1 <= len(selectors) <= FARGATE_SELECTORS_MAX:
        _fail(
            f"{field}.selectors",
            f"{len(selectors)} selectors; a Fargate profile takes 1 to {FARGATE_SELECTORS_MAX}, each with a namespace",
        )
    out_selectors = []
    for index, selector in enumerate(selectors):
        where = f"{field}.selectors[{index}]"
        selector = _dict(selector, where)
        _known(selector, where, "fargate_selector")
        if not selector.get("namespace"):
            _fail(f"{where}.namespace", "is required")
        labels = _labels(selector.get("labels"), f"{where}.labels")
        if len(labels) > FARGATE_LABELS_MAX:
            _fail(
                f"{where}.labels",
                f"{len(labels)} labels; a Fargate profile selector takes at most {FARGATE_LABELS_MAX}",
            )
        out_selectors.append({"namespace": str(selector["namespace"]), "labels": labels})
    subnets = _strings(profile.get("subnets"), f"{field}.subnets")
    for index, subnet in enumerate(subnets):
        if not SUBNET_ID_RE.match(subnet):
            _fail(f"{field}.subnets[{index}]", f"{subnet!r} is not a subnet id (subnet-...)")
    return {
        "name": str(name),
        "pod_execution_role_arn": _role_arn(profile.get("pod_execution_role_arn"), f"{field}.pod_execution_role_arn"),
        "selectors": out_selectors,
        "subnets": subnets,
        "tags": _tags(profile.get("tags"), f"{field}.tags", extra=1),
    }


def _pod_identity(assoc, field, section):
    """A pod identity association: the role given (add-ons only) or the permissions of the role to make."""
    assoc = _dict(assoc, field)
    _known(assoc, field, section)
    keys = ["service_account"] if section == "addon_pod_identity_association" else ["namespace", "service_account"]
    for key in keys:
        if not assoc.get(key):
            _fail(f"{field}.{key}", "is required")
    role_name = assoc.get("role_name") or None
    if role_name is not None and not ROLE_NAME_RE.match(str(role_name)):
        _fail(f"{field}.role_name", f"{role_name!r} must be at most 64 letters, digits and +=,.@_-")
    out = {
        "service_account": str(assoc["service_account"]),
        "role_arn": _role_arn(assoc.get("role_arn"), f"{field}.role_arn"),
        "role_name": role_name,
        "managed_policy_arns": _policy_arns(assoc.get("managed_policy_arns"), f"{field}.managed_policy_arns"),
        "well_known_policies": _well_known(assoc.get("well_known_policies"), f"{field}.well_known_policies"),
        "inline_policies": _dict(assoc.get("inline_policies"), f"{field}.inline_policies"),
        "permissions_boundary": _boundary(assoc.get("permissions_boundary"), f"{field}.permissions_boundary"),
        "tags": _tags(assoc.get("tags"), f"{field}.tags", extra=1),
    }
    if "namespace" in keys:
        out = dict(namespace=str(assoc["namespace"]), **out)
    permissions = out["managed_policy_arns"] or out["well_known_policies"] or out["inline_policies"]
    if out["role_arn"]:
        extra = [k for k in ("role_name", "managed_policy_arns", "well_known_policies", "inline_policies",
                             "permissions_boundary") if out[k]]  # fmt: skip
        if extra:
            _fail(
                f"{field}.{extra[0]}",
                f"is for the role the collection makes; {ref(f'{field}.role_arn')} names a role of your own",
            )
    elif not permissions:
        _fail(
            field,
            "names no role and no permissions: give role_arn, or managed_policy_arns, well_known_policies or "
            "inline_policies for the role the collection makes",
        )
    return out


def _labels(value, field):
    labels = {str(k): "" if v is None else str(v) for k, v in _dict(value, field).items()}
    for key, label in labels.items():
        if not 1 <= len(key) <= LABEL_KEY_MAX:
            _fail(f"{field}.{key}", f"the label key is {len(key)} characters; EKS takes 1 to {LABEL_KEY_MAX}")
        if not 1 <= len(label) <= LABEL_VALUE_MAX:
            _fail(f"{field}.{key}", f"the label value is {len(label)} characters; EKS takes 1 to {LABEL_VALUE_MAX}")
    return labels


def _tags(value, field, extra=0):
    """Tags within AWS's limits: keys 1-128 characters not starting with aws:, values up to 256, 50 per resource."""
    tags = {str(k): "" if v is None else str(v) for k, v in _dict(value, field).items()}
    for key, tag in tags.items():
        if not 1 <= len(key) <= TAG_KEY_MAX:
            _fail(f"{field}.{key}", f"the tag key is {len(key)} characters; AWS takes 1 to {TAG_KEY_MAX}")
        if key.lower().startswith("aws:"):
            _fail(f"{field}.{key}", "tag keys starting with aws: are reserved for AWS; choose another key")
        if len(tag) > TAG_VALUE_MAX:
            _fail(f"{field}.{key}", f"the tag value is {len(tag)} characters; AWS takes up to {TAG_VALUE_MAX}")
    if len(tags) + extra > TAGS_MAX:
        _fail(
            field,
            f"{len(tags)} tags plus the {extra} the collection adds are more than the {TAGS_MAX} AWS allows on a "
            "resource: remove some",
        )
    return tags


def _nodegroup(ng, index, cluster_name, cluster_version, cluster_tags, base_dir, warnings):
    field = f"nodegroups[{index}]"
    ng = _dict(ng, field)
    _known(ng, field, "nodegroup")
    name = ng.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    if not NODEGROUP_RE.match(str(name)):
        _fail(
            f"{field}.name",
            f"{name!r} must be 1 to 63 letters, digits, - and _, starting with a letter or digit",
        )
    out = {"name": name}
    types = _list(ng.get("instance_types"), f"{field}.instance_types")
    for t_index, itype in enumerate(types):
        if not isinstance(itype, str) or not re.match(r"^[a-z0-9-]+\.[a-z0-9-]+$", itype):
            _fail(f"{field}.instance_types[{t_index}]", f"{itype!r} is not an instance type name such as m5.large")
    out["instance_types"] = [str(t) for t in types] or [vocabulary.DEFAULT_INSTANCE_TYPE]
    if ng.get("ami_type"):
        out["ami_type"] = _choice(ng["ami_type"], f"{field}.ami_type", AMI_TYPES)
        out["ami_family"] = ng.get("ami_family")
    else:
        out["ami_family"] = _choice(ng.get("ami_family"), f"{field}.ami_family", AMI_FAMILIES, "AmazonLinux2023")
        out["ami_type"] = ami_type(out["ami_family"], out["instance_types"])
    version = str(ng["version"]) if ng.get("version") else None
    ami_version = version or cluster_version
    if out["ami_type"].startswith("AL2_") and ami_version and _version_tuple(ami_version) >= (1, 33):
        key = "ami_type" if ng.get("ami_type") else "ami_family"
        _fail(
            f"{field}.{key}",
            f"Amazon Linux 2 AMIs stop at Kubernetes 1.32, not offered for {ami_version}: use AmazonLinux2023 "
            "(or Bottlerocket)",
        )
    out["min_size"] = _int(ng.get("min_size"), f"{field}.min_size", 2, 0)
    out["max_size"] = _int(ng.get("max_size"), f"{field}.max_size", None, 1)
    out["desired_size"] = _int(ng.get("desired_size"), f"{field}.desired_size", None, 0)
    if out["desired_size"] is None:
        out["desired_size"] = (
            max(out["min_size"], 2) if out["max_size"] is None else min(max(out["min_size"], 2), out["max_size"])
        )
    if out["max_size"] is None:
        out["max_size"] = max(out["desired_size"], 1)
    low, desired, high = out["min_size"], out["desired_size"], out["max_size"]
    if low > high:
        _fail(
            f"{field}.min_size",
            f"{low} is above {ref(field + '.max_size')} {high}: min_size <= desired_size <= max_size",
        )
    if desired < low:
        _fail(
            f"{field}.desired_size",
            f"{desired} is below {ref(field + '.min_size')} {low}: min_size <= desired_size <= max_size",
        )
    if desired > high:
        _fail(
            f"{field}.desired_size",
            f"{desired} is above {ref(field + '.max_size')} {high}: min_size <= desired_size <= max_size",
        )
    volume = _dict(ng.get("volume"), f"{field}.volume")
    _known(volume, f"{field}.volume", "volume")
    vtype = _choice(volume.get("type"), f"{field}.volume.type", VOLUME_TYPES, vocabulary.DEFAULT_VOLUME_TYPE)
    vol = {
        "size": _int(volume.get("size"), f"{field}.volume.size", vocabulary.DEFAULT_VOLUME_SIZE, 1, 16384),
        "type": vtype,
    }
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
        _fail(f"{field}.volume.kms_key_id", f"needs {ref(field + '.volume.encrypted')} true")
    out["volume"] = vol
    out["labels"] = _labels(ng.get("labels"), f"{field}.labels")
    out["labels"].setdefault("alpha.eksctl.io/cluster-name", cluster_name)
    out["labels"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    taints = []
    taint_list = _list(ng.get("taints"), f"{field}.taints")
    if len(taint_list) > TAINTS_MAX:
        _fail(f"{field}.taints", f"{len(taint_list)} taints; EKS allows {TAINTS_MAX} per nodegroup")
    for t_index, taint in enumerate(taint_list):
        t_field = f"{field}.taints[{t_index}]"
        taint = _dict(taint, t_field)
        _known(taint, t_field, "taint")
        if not taint.get("key"):
            _fail(f"{t_field}.key", "is required")
        if len(str(taint["key"])) > TAINT_KEY_MAX:
            _fail(f"{t_field}.key", f"is {len(str(taint['key']))} characters; EKS takes 1 to {TAINT_KEY_MAX}")
        effect = taint.get("effect")
        if effect is None:
            _fail(f"{t_field}.effect", "is required: NoSchedule, NoExecute or PreferNoSchedule")
        if effect not in TAINT_EFFECTS:
            _fail(
                f"{t_field}.effect",
                f"{effect!r} is not a taint effect{suggestion(effect, TAINT_EFFECTS)}; use NoSchedule, NoExecute or "
                "PreferNoSchedule",
            )
        item = {"key": str(taint["key"]), "effect": TAINT_EFFECTS[effect]}
        if taint.get("value") is not None:
            item["value"] = str(taint["value"])
            if len(item["value"]) > TAINT_VALUE_MAX:
                _fail(f"{t_field}.value", f"is {len(item['value'])} characters; EKS takes up to {TAINT_VALUE_MAX}")
        taints.append(item)
    out["taints"] = taints
    out["tags"] = _dict(ng.get("tags"), f"{field}.tags")
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-type", "managed")
    out["tags"] = _tags(out["tags"], f"{field}.tags", extra=len(set(cluster_tags) - set(out["tags"])) + 1)
    out["ssh"] = _ssh(ng.get("ssh"), f"{field}.ssh", base_dir, warnings)
    out["private_networking"] = _bool(ng.get("private_networking"), f"{field}.private_networking", False)
    policies = ng.get("addon_policies")
    if isinstance(policies, dict):
        policies = [key for key, value in policies.items() if _bool(value, f"{field}.addon_policies.{key}", False)]
    policies = _list(policies, f"{field}.addon_policies")
    for policy in policies:
        _choice(policy, f"{field}.addon_policies", ADDON_POLICIES)
    out["addon_policies"] = sorted(set(policies))
    out["imds"] = _imds(ng.get("imds"), f"{field}.imds")
    out["spot"] = _bool(ng.get("spot"), f"{field}.spot", False)
    update = _dict(ng.get("update_config"), f"{field}.update_config")
    _known(update, f"{field}.update_config", "update_config")
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
    out["version"] = version
    if version is not None:
        if not VERSION_RE.match(version):
            _fail(f"{field}.version", f"{version!r} must be a Kubernetes minor version such as 1.33")
        if cluster_version and _version_tuple(version) > _version_tuple(cluster_version):
            _fail(f"{field}.version", f"{version} is newer than the cluster's {ref('version')} {cluster_version}")
    out["release_version"] = ng.get("release_version") or None
    return out


def _ssh(ssh, field, base_dir, warnings):
    ssh = _dict(ssh, field)
    _known(ssh, field, "ssh")
    out = {
        "allow": _bool(ssh.get("allow"), f"{field}.allow", False),
        "public_key_path": ssh.get("public_key_path") or "~/.ssh/id_rsa.pub",
        "public_key": ssh.get("public_key") or None,
        "source_security_group_ids": [
            str(g) for g in _list(ssh.get("source_security_group_ids"), f"{field}.source_security_group_ids")
        ],
    }
    for index, group in enumerate(out["source_security_group_ids"]):
        if not SECURITY_GROUP_RE.match(group):
            _fail(f"{field}.source_security_group_ids[{index}]", f"{group!r} is not a security group ID (sg-...)")
    if not out["allow"]:
        return out
    if not out["source_security_group_ids"]:
        warnings.append(
            f"{ref(field)}: SSH (tcp/22) to the nodes is open to the world (0.0.0.0/0); restrict it with "
            f"{ref(field + '.source_security_group_ids')} or set {ref(field + '.allow')} false"
        )
    if out["public_key"]:
        if not str(out["public_key"]).startswith(PUBLIC_KEY_PREFIXES):
            _fail(f"{field}.public_key", "is not an OpenSSH public key (ssh-ed25519 AAAA..., ssh-rsa AAAA...)")
        return out
    if base_dir is False:
        # Files are not read (teardown): the path is only resolved.
        out["public_key_path"] = user_path(out["public_key_path"])
        return out
    path = user_path(out["public_key_path"], base_dir)
    what_to_do = (
        f"create it (ssh-keygen), set {ref(field + '.public_key_path')} to your public key file or "
        f"{ref(field + '.public_key')} to the key itself, or set {ref(field + '.allow')} false"
    )
    if not os.path.isfile(path):
        _fail(
            f"{field}.public_key_path",
            f"no public key file {path} (relative paths are read from the directory ansible-playbook runs in): "
            + what_to_do,
        )
    try:
        with open(path, "rb") as f:
            head = f.read(64).decode("utf-8", "replace").lstrip()
    except OSError as e:
        _fail(f"{field}.public_key_path", f"cannot read {path}: {e.strerror}: " + what_to_do)
    if head.startswith("-----BEGIN") or "PRIVATE KEY" in head:
        _fail(f"{field}.public_key_path", f"{path} is a private key: name its public key (the .pub file)")
    if not head.startswith(PUBLIC_KEY_PREFIXES):
        _fail(f"{field}.public_key_path", f"{path} is not an OpenSSH public key: " + what_to_do)
    out["public_key_path"] = path
    return out


def _imds(imds, field):
    """IMDSv2 required unless disable_imdsv1 is false; pods kept off IMDS with hop limit 1 (disable_pod_imds)."""
    imds = _dict(imds, field)
    _known(imds, field, "imds")
    disable_pod = _bool(imds.get("disable_pod_imds"), f"{field}.disable_pod_imds", False)
    out = {
        "disable_imdsv1": _bool(imds.get("disable_imdsv1"), f"{field}.disable_imdsv1", True),
        "disable_pod_imds": disable_pod,
        "hop_limit": _int(imds.get("hop_limit"), f"{field}.hop_limit", 1 if disable_pod else 2, 1, 64),
    }
    if disable_pod and out["hop_limit"] != 1:
        _fail(
            f"{field}.hop_limit",
            f"{out['hop_limit']} lets pods reach the instance metadata, which {ref(field + '.disable_pod_imds')} true "
            "forbids: leave hop_limit out (1) or set disable_pod_imds false",
        )
    if disable_pod and imds.get("disable_imdsv1") is None:
        out["disable_imdsv1"] = True
    return out


def user_path(path, base_dir=None):
    """A file a user named: ~ expanded, relative to ``base_dir`` (the directory ansible-playbook runs in)."""
    path = os.path.expanduser(str(path))
    if not os.path.isabs(path):
        path = os.path.join(base_dir or os.getcwd(), path)
    return os.path.normpath(path)


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
    names = list(vocabulary.NODE_ROLE_POLICIES)
    if not with_oidc:
        # With OIDC, vpc-cni gets its own IRSA role instead.
        names.append(vocabulary.CNI_POLICY)
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


def _addon(addon, index, with_oidc, cluster_name=None, region=None):
    field = f"addons[{index}]"
    if isinstance(addon, str):
        addon = {"name": addon}
    addon = _dict(addon, field)
    _known(addon, field, "addon")
    name = addon.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    config = addon.get("configuration_values")
    if config is not None and not isinstance(config, (dict, str)):
        _fail(f"{field}.configuration_values", "must be a dict, or a JSON or YAML string")
    role = _dict(addon.get("service_account_role"), f"{field}.service_account_role")
    _known(role, f"{field}.service_account_role", "service_account_role")
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
            "managed_policy_arns": _policy_arns(
                role.get("managed_policy_arns"), f"{field}.service_account_role.managed_policy_arns"
            ),
        },
        "wait": _choice(
            addon.get("wait"), f"{field}.wait", ["created", "active"], "created" if name in EARLY_ADDONS else "active"
        ),
    }
    associations = [
        _pod_identity(a, f"{field}.pod_identity_associations[{i}]", "addon_pod_identity_association")
        for i, a in enumerate(_list(addon.get("pod_identity_associations"), f"{field}.pod_identity_associations"))
    ]
    seen = {}
    for i, association in enumerate(associations):
        account = association["service_account"]
        if account in seen:
            _fail(
                f"{field}.pod_identity_associations[{i}].service_account",
                f"{account} already has {ref(f'{field}.pod_identity_associations[{seen[account]}]')}",
            )
        seen[account] = i
        if not association["role_arn"]:
            association["role_name"] = association["role_name"] or f"{cluster_name}-addon-{name}-{account}"[:64]
            managed, inline = well_known_policies(association["well_known_policies"], partition(region or ""),
                                                  cluster_name)  # fmt: skip
            association["role_policies"] = {
                "managed_policy_arns": association["managed_policy_arns"]
                + [a for a in managed if a not in association["managed_policy_arns"]],
                "inline_policies": dict(association["inline_policies"], **inline),
            }
    out["pod_identity_associations"] = associations
    role_out = out["service_account_role"]
    if associations and (role.get("well_known_policies") or role.get("managed_policy_arns")):
        _fail(
            f"{field}.service_account_role",
            f"an add-on's service account gets its role through IRSA or through "
            f"{ref(f'{field}.pod_identity_associations')}, not both: remove one",
        )
    if (
        not associations
        and with_oidc
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


def normalize(definition, availability_zones=None, base_dir=None, check_files=True):
    """The normalized cluster definition; raise DefinitionError naming the field.

    A definition converted from an eksctl ClusterConfig carries ``source.paths`` (definition path -> eksctl
    path): problems then name the eksctl path.
    """
    paths = None
    if isinstance(definition, dict) and isinstance(definition.get("source"), dict):
        paths = definition["source"].get("paths") or None
    try:
        return _normalize(definition, availability_zones, base_dir, check_files)
    except DefinitionError as e:
        e.paths = paths
        raise


def _normalize(definition, availability_zones, base_dir, check_files):
    if not isinstance(definition, dict):
        _fail("", f"must be a dict (the cluster definition), got {type(definition).__name__}")
    d = copy.deepcopy(dict(definition))
    _known(d, "", "")
    source = _dict(d.get("source"), "source")
    warnings = []
    name = d.get("name")
    if not name:
        _fail("name", "is required")
    if not NAME_RE.match(str(name)):
        _fail("name", f"{name!r} must be 1 to 100 letters, digits, - and _, starting with a letter or digit")
    region = d.get("region")
    if not region:
        _fail("region", "is required")
    if not re.match(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$", str(region)):
        _fail("region", f"{region!r} is not an AWS region name such as ap-northeast-2")
    out = {"name": str(name), "region": str(region)}
    version = d.get("version")
    if version is not None:
        version = str(version)
        if not VERSION_RE.match(version):
            _fail("version", f"{version!r} must be a Kubernetes minor version such as 1.33 (quote it in YAML)")
    out["version"] = version
    out["tags"] = _tags(d.get("tags"), "tags", extra=1)
    out["owner_tag"] = {OWNER_TAG: out["name"]}
    out["vpc"] = _vpc(_dict(d.get("vpc"), "vpc"), out["region"], availability_zones)
    endpoint = _dict(d.get("endpoint"), "endpoint")
    _known(endpoint, "endpoint", "endpoint")
    out["endpoint"] = {
        "public_access": _bool(endpoint.get("public_access"), "endpoint.public_access", True),
        "private_access": _bool(endpoint.get("private_access"), "endpoint.private_access", False),
        "public_access_cidrs": [
            str(c) for c in _list(endpoint.get("public_access_cidrs"), "endpoint.public_access_cidrs")
        ]
        or ["0.0.0.0/0"],
    }
    if not out["endpoint"]["public_access"] and not out["endpoint"]["private_access"]:
        _fail("endpoint", "public_access and private_access cannot both be false: turn one of them on")
    for i, cidr in enumerate(out["endpoint"]["public_access_cidrs"]):
        _network(cidr, f"endpoint.public_access_cidrs[{i}]")
    if out["endpoint"]["public_access"] and any(c in OPEN_CIDRS for c in out["endpoint"]["public_access_cidrs"]):
        warnings.append(
            f"{ref('endpoint')}: the cluster's API endpoint is public to the whole internet (0.0.0.0/0); restrict it "
            f"with {ref('endpoint.public_access_cidrs')} or use {ref('endpoint.private_access')} true and "
            f"{ref('endpoint.public_access')} false"
        )
    network = _dict(d.get("kubernetes_network"), "kubernetes_network")
    _known(network, "kubernetes_network", "kubernetes_network")
    out["kubernetes_network"] = {
        "ip_family": _choice(network.get("ip_family"), "kubernetes_network.ip_family", ["ipv4", "ipv6"], "ipv4"),
        "service_ipv4_cidr": network.get("service_ipv4_cidr") or None,
    }
    if out["kubernetes_network"]["service_ipv4_cidr"]:
        service = _network(out["kubernetes_network"]["service_ipv4_cidr"], "kubernetes_network.service_ipv4_cidr")
        if service.overlaps(ipaddress.ip_network(out["vpc"]["cidr"])):
            _fail(
                "kubernetes_network.service_ipv4_cidr",
                f"{service} overlaps the VPC CIDR {out['vpc']['cidr']} ({ref('vpc.cidr')}): choose a block outside it",
            )
    iam = _dict(d.get("iam"), "iam")
    _known(iam, "iam", "iam")
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
        _fail("iam.service_accounts", f"IAM roles for service accounts need {ref('iam.with_oidc')} true")
    out["iam"]["pod_identity_associations"] = [
        _pod_identity(a, f"iam.pod_identity_associations[{i}]", "pod_identity_association")
        for i, a in enumerate(_list(iam.get("pod_identity_associations"), "iam.pod_identity_associations"))
    ]
    seen = {}
    for i, association in enumerate(out["iam"]["pod_identity_associations"]):
        key = (association["namespace"], association["service_account"])
        if key in seen:
            _fail(
                f"iam.pod_identity_associations[{i}]",
                f"{key[0]}/{key[1]} already has {ref(f'iam.pod_identity_associations[{seen[key]}]')}: EKS takes one "
                "association per service account",
            )
        seen[key] = i
        irsa = [
            j
            for j, sa in enumerate(out["iam"]["service_accounts"])
            if (sa["namespace"], sa["name"]) == key and not sa["role_name"]
        ]
        if irsa and not association["role_name"]:
            _fail(
                f"iam.pod_identity_associations[{i}].role_name",
                f"{key[0]}/{key[1]} also has an IRSA role ({ref(f'iam.service_accounts[{irsa[0]}]')}) of the same "
                "default name: give one of them a role_name",
            )
    out["iam"]["fargate_pod_execution_role_arn"] = _role_arn(
        iam.get("fargate_pod_execution_role_arn"), "iam.fargate_pod_execution_role_arn"
    )
    out["iam"]["fargate_pod_execution_role_permissions_boundary"] = _boundary(
        iam.get("fargate_pod_execution_role_permissions_boundary"),
        "iam.fargate_pod_execution_role_permissions_boundary",
    )
    out["iam"]["service_role_permissions_boundary"] = _boundary(
        iam.get("service_role_permissions_boundary"), "iam.service_role_permissions_boundary"
    )
    logging = _dict(d.get("logging"), "logging")
    _known(logging, "logging", "logging")
    types = _list(logging.get("types"), "logging.types")
    for i, t in enumerate(types):
        _choice(t, f"logging.types[{i}]", LOG_TYPES + ["all", "*"])
    if "all" in types or "*" in types:
        types = list(LOG_TYPES)
    out["logging"] = {
        "types": [t for t in LOG_TYPES if t in types],
        "retention_days": _int(logging.get("retention_days"), "logging.retention_days"),
    }
    if out["logging"]["retention_days"] is not None:
        _choice(out["logging"]["retention_days"], "logging.retention_days", RETENTION_DAYS)
    secrets = _dict(d.get("secrets_encryption"), "secrets_encryption")
    _known(secrets, "secrets_encryption", "secrets_encryption")
    out["secrets_encryption"] = {"key_arn": secrets.get("key_arn") or None}
    if out["secrets_encryption"]["key_arn"] and not KMS_ARN_RE.match(str(out["secrets_encryption"]["key_arn"])):
        _fail(
            "secrets_encryption.key_arn",
            f"{out['secrets_encryption']['key_arn']!r} is not a KMS key ARN " "(arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)",
        )
    access = _dict(d.get("access"), "access")
    _known(access, "access", "access")
    out["access"] = {
        "authentication_mode": _choice(
            access.get("authentication_mode"),
            "access.authentication_mode",
            ["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"],
            "API_AND_CONFIG_MAP",
        ),
        "bootstrap_cluster_creator_admin_permissions": _bool(
            access.get("bootstrap_cluster_creator_admin_permissions"),
            "access.bootstrap_cluster_creator_admin_permissions",
            True,
        ),
        "entries": [
            _access_entry(e, f"access.entries[{i}]")
            for i, e in enumerate(_list(access.get("entries"), "access.entries"))
        ],
    }
    seen = {}
    for i, entry in enumerate(out["access"]["entries"]):
        if entry["principal_arn"] in seen:
            first = seen[entry["principal_arn"]]
            _fail(
                f"access.entries[{i}].principal_arn",
                f"{entry['principal_arn']} already has {ref(f'access.entries[{first}]')}: "
                "EKS takes one access entry per principal",
            )
        seen[entry["principal_arn"]] = i
    if out["access"]["entries"] and out["access"]["authentication_mode"] == "CONFIG_MAP":
        _fail(
            "access.entries",
            f"access entries need {ref('access.authentication_mode')} API or API_AND_CONFIG_MAP, not CONFIG_MAP",
        )
    all_tags = dict(out["tags"], **out["owner_tag"])
    nodegroups = [
        _nodegroup(ng, i, out["name"], out["version"], all_tags, base_dir if check_files else False, warnings)
        for i, ng in enumerate(_list(d.get("nodegroups"), "nodegroups"))
    ]
    seen = {}
    for i, ng in enumerate(nodegroups):
        if ng["name"] in seen:
            other = ref(f"nodegroups[{seen[ng['name']]}]")
            _fail(
                f"nodegroups[{i}].name", f"{ng['name']} is already the name of {other}: nodegroup names must be unique"
            )
        seen[ng["name"]] = i
    for ng in nodegroups:
        ng["node_role"] = node_role_policies(ng, out["region"], out["name"], out["iam"]["with_oidc"])
    out["nodegroups"] = nodegroups
    addons_config = _dict(d.get("addons_config"), "addons_config")
    _known(addons_config, "addons_config", "addons_config")
    out["addons_config"] = {
        "prefix_delegation": _bool(addons_config.get("prefix_delegation"), "addons_config.prefix_delegation", False)
    }
    addons = d.get("addons")
    if addons is None:
        addons = list(DEFAULT_ADDONS)
    addons = [
        _addon(a, i, out["iam"]["with_oidc"], out["name"], out["region"]) for i, a in enumerate(_list(addons, "addons"))
    ]
    addon_names = [a["name"] for a in addons]
    for i, addon_name in enumerate(addon_names):
        first = addon_names.index(addon_name)
        if first != i:
            _fail(f"addons[{i}].name", f"{addon_name} is already listed as {ref(f'addons[{first}]')}: list it once")
    if out["addons_config"]["prefix_delegation"]:
        if "vpc-cni" not in addon_names:
            _fail("addons_config.prefix_delegation", f"needs the vpc-cni add-on in {ref('addons')}")
        index = addon_names.index("vpc-cni")
        cni = addons[index]
        config = cni["configuration_values"] or {}
        if isinstance(config, str):
            _fail(f"addons[{index}].configuration_values", "must be a dict when prefix_delegation is on")
        env = dict(config.get("env") or {})
        env.update({"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"})
        config["env"] = env
        cni["configuration_values"] = config
    out["addons"] = addons
    for i, addon in enumerate(addons):
        if addon["pod_identity_associations"] and POD_IDENTITY_AGENT not in addon_names:
            _fail(
                f"addons[{i}].pod_identity_associations",
                f"EKS Pod Identity needs the {POD_IDENTITY_AGENT} add-on: add it to {ref('addons')}",
            )
    if out["iam"]["pod_identity_associations"] and POD_IDENTITY_AGENT not in addon_names:
        _fail(
            "iam.pod_identity_associations",
            f"EKS Pod Identity needs the {POD_IDENTITY_AGENT} add-on: add it to {ref('addons')}",
        )
    out["fargate_profiles"] = [
        _fargate_profile(f, f"fargate_profiles[{i}]")
        for i, f in enumerate(_list(d.get("fargate_profiles"), "fargate_profiles"))
    ]
    seen = {}
    for i, profile in enumerate(out["fargate_profiles"]):
        if profile["name"] in seen:
            first = seen[profile["name"]]
            _fail(
                f"fargate_profiles[{i}].name",
                f"{profile['name']} is already the name of {ref(f'fargate_profiles[{first}]')}: "
                "Fargate profile names must be unique",
            )
        seen[profile["name"]] = i
        if not profile["subnets"] and out["vpc"]["id"] and not (out["vpc"].get("subnet_ids") or {}).get("private"):
            _fail(
                f"fargate_profiles[{i}].subnets",
                f"Fargate runs pods in private subnets: give them here or in {ref('vpc.subnet_ids')} (private)",
            )
    if out["iam"]["fargate_pod_execution_role_arn"] and out["iam"]["fargate_pod_execution_role_permissions_boundary"]:
        _fail(
            "iam.fargate_pod_execution_role_permissions_boundary",
            f"is for the role the collection makes; {ref('iam.fargate_pod_execution_role_arn')} names a role of your own",
        )
    if out["kubernetes_network"]["ip_family"] == "ipv6":
        _ipv6(out, addon_names)
    paths = source.get("paths") or None
    out["source"] = {"kind": source.get("kind") or "definition", "paths": paths or {}}
    # The CIDRs given with existing subnet ids (scope -> zone -> CIDR): the vpc stage compares them with the subnets.
    out["source"]["subnet_cidrs"] = {
        kind: {str(z): str(c) for z, c in _dict(cidrs, f"source.subnet_cidrs.{kind}").items()}
        for kind, cidrs in _dict(source.get("subnet_cidrs"), "source.subnet_cidrs").items()
    }
    out["warnings"] = [message_text(w, paths) for w in warnings]
    return out


def _ipv6(out, addon_names):
    """What an IPv6 cluster needs (EKS's and eksctl's rules), what the vpc role cannot build, and vpc-cni's
    IPv6 policy on its IRSA role in place of AmazonEKS_CNI_Policy (which covers IPv4 only)."""
    field = "kubernetes_network.ip_family"
    if out["vpc"]["id"] is None:
        _fail(
            field,
            f"ipv6 needs a VPC with IPv6 subnets, which the vpc role does not build: give {ref('vpc.id')} and "
            f"{ref('vpc.subnet_ids')} of such a VPC, or use ipv4",
        )
    if not out["iam"]["with_oidc"]:
        _fail(field, f"ipv6 needs {ref('iam.with_oidc')} true (vpc-cni runs on an IRSA role)")
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


def cluster_definition(definition, availability_zones=None, base_dir=None, check_files=True, errors="raise"):
    if errors not in ("raise", "return"):
        raise AnsibleFilterError("aews.eks.cluster_definition: errors must be raise or return")
    try:
        return normalize(definition, availability_zones, base_dir, check_files)
    except DefinitionError as e:
        if errors == "return":
            return {"error": str(e)}
        raise AnsibleFilterError(str(e)) from None


def user_path_filter(path, base_dir=None):
    """The documentation is in user_path.yml."""
    if path is None or str(path) == "":
        raise AnsibleFilterError("aews.eks.user_path: the path is empty")
    return user_path(path, base_dir)


class FilterModule:
    def filters(self):
        return {"cluster_definition": cluster_definition, "user_path": user_path_filter}
