# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster definition (the value of ``aews_eks_cluster``) checked and normalized: ``normalize`` returns it with
every default filled in, or raises ``DefinitionError`` naming the field (its eksctl path when the definition was
converted from a ClusterConfig). The sections' own checks are in the modules beside this one."""

from __future__ import annotations

import copy
import ipaddress
import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.access import _access_entry
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.addons import DEFAULT_ADDONS
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.addons import EARLY_ADDONS
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.addons import POD_IDENTITY_AGENT
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.addons import _addon
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _auto_mode
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _identity_providers
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _nodegroup_security_groups
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _nodegroup_zones
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _control_plane_tier
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _zonal_shift
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import NAME_RE
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import VERSION_RE
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _required
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import NAME_PROBLEM
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _int
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _known
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _network
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _version_tuple
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.fargate import _fargate_profile
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _boundary
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _pod_identity
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _role_arn
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _service_account
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import _nodegroup
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import node_role_policies
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.self_managed import (
    check_names as check_self_managed_names,
)
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.self_managed import self_managed_nodegroup
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import _vpc
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import private_cluster
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import private_cluster_services
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message_text
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

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
OWNER_TAG = vocabulary.OWNER_TAG
KMS_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/+=,.@-]+$")
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


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
    name = _required(d.get("name"), "name", NAME_RE, NAME_PROBLEM)
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
    out["private_cluster"] = private_cluster(d)
    out["vpc"] = _vpc(_dict(d.get("vpc"), "vpc"), out["region"], availability_zones)
    if out["private_cluster"]["enabled"] and out["vpc"]["subnets"]:
        out["vpc"]["subnets"]["public"] = {}  # a fully private cluster's VPC has private subnets only
    endpoint = _section(d.get("endpoint"), "endpoint", "endpoint")
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
    network = _section(d.get("kubernetes_network"), "kubernetes_network", "kubernetes_network")
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
    iam = _section(d.get("iam"), "iam", "iam")
    out["iam"] = {
        "with_oidc": _bool(iam.get("with_oidc"), "iam.with_oidc", False),
        "vpc_resource_controller_policy": _bool(
            iam.get("vpc_resource_controller_policy"), "iam.vpc_resource_controller_policy", True
        ),
        "service_accounts": [
            _service_account(sa, f"iam.service_accounts[{i}]", out["name"])
            for i, sa in enumerate(_list(iam.get("service_accounts"), "iam.service_accounts"))
        ],
    }
    if out["iam"]["service_accounts"] and not out["iam"]["with_oidc"]:
        _fail("iam.service_accounts", f"IAM roles for service accounts need {ref('iam.with_oidc')} true")
    out["iam"]["pod_identity_associations"] = [
        _pod_identity(a, f"iam.pod_identity_associations[{i}]", "pod_identity_association")
        for i, a in enumerate(_list(iam.get("pod_identity_associations"), "iam.pod_identity_associations"))
    ]
    keys = [(a["namespace"], a["service_account"]) for a in out["iam"]["pod_identity_associations"]]
    for i, association in enumerate(out["iam"]["pod_identity_associations"]):
        key = keys[i]
        first = _earlier(keys, i)
        if first is not None:
            _fail(
                f"iam.pod_identity_associations[{i}]",
                f"{key[0]}/{key[1]} already has {ref(f'iam.pod_identity_associations[{first}]')}: EKS takes one "
                "association per service account",
            )
        irsa = [
            j
            for j, sa in enumerate(out["iam"]["service_accounts"])
            if (sa["namespace"], sa["name"]) == key and not sa["role_name"]
        ]
        if irsa and not association["role_name"] and not association["role_arn"]:
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
    logging = _section(d.get("logging"), "logging", "logging")
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
    out["private_cluster"]["endpoint_services"] = private_cluster_services(
        out["private_cluster"], out["logging"]["types"]
    )
    secrets = _section(d.get("secrets_encryption"), "secrets_encryption", "secrets_encryption")
    out["secrets_encryption"] = {"key_arn": secrets.get("key_arn") or None}
    if out["secrets_encryption"]["key_arn"] and not KMS_ARN_RE.match(str(out["secrets_encryption"]["key_arn"])):
        _fail(
            "secrets_encryption.key_arn",
            f"{out['secrets_encryption']['key_arn']!r} is not a KMS key ARN " "(arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)",
        )
    access = _section(d.get("access"), "access", "access")
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
    principals = [entry["principal_arn"] for entry in out["access"]["entries"]]
    for i, principal in enumerate(principals):
        first = _earlier(principals, i)
        if first is not None:
            _fail(
                f"access.entries[{i}].principal_arn",
                f"{principal} already has {ref(f'access.entries[{first}]')}: EKS takes one access entry per principal",
            )
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
    names = [ng["name"] for ng in nodegroups]
    for i, name in enumerate(names):
        first = _earlier(names, i)
        if first is not None:
            other = ref(f"nodegroups[{first}]")
            _fail(f"nodegroups[{i}].name", f"{name} is already the name of {other}: nodegroup names must be unique")
    _nodegroup_zones(nodegroups, _list(d.get("nodegroups"), "nodegroups"), out["vpc"]["availability_zones"])
    _nodegroup_security_groups(nodegroups, _list(d.get("nodegroups"), "nodegroups"))
    for ng in nodegroups:
        ng["node_role"] = node_role_policies(ng, out["region"], out["name"], out["iam"]["with_oidc"])
    out["nodegroups"] = nodegroups
    self_managed = [
        self_managed_nodegroup(
            ng, i, out["name"], out["version"], all_tags, base_dir if check_files else False, warnings
        )
        for i, ng in enumerate(_list(d.get("self_managed_nodegroups"), "self_managed_nodegroups"))
    ]
    check_self_managed_names(nodegroups, self_managed)
    for ng in self_managed:
        ng["node_role"] = node_role_policies(ng, out["region"], out["name"], out["iam"]["with_oidc"])
    out["self_managed_nodegroups"] = self_managed
    addons_config = _section(d.get("addons_config"), "addons_config", "addons_config")
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
        first = _earlier(addon_names, i)
        if first is not None:
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
    names = [profile["name"] for profile in out["fargate_profiles"]]
    for i, profile in enumerate(out["fargate_profiles"]):
        first = _earlier(names, i)
        if first is not None:
            _fail(
                f"fargate_profiles[{i}].name",
                f"{profile['name']} is already the name of {ref(f'fargate_profiles[{first}]')}: "
                "Fargate profile names must be unique",
            )
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
    out["identity_providers"] = _identity_providers(d.get("identity_providers"))
    out["auto_mode"] = _auto_mode(d.get("auto_mode"), out["access"]["authentication_mode"])
    out["zonal_shift"] = _zonal_shift(d.get("zonal_shift"))
    out["control_plane_tier"] = _control_plane_tier(d.get("control_plane_tier"))
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


def _earlier(values, index):
    """The index of the first of ``values`` equal to ``values[index]`` when it comes before ``index``, else None."""
    first = values.index(values[index])
    return first if first < index else None


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
