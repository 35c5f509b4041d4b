# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's OIDC identity provider configs (identity_providers), EKS Auto Mode (auto_mode) zonal shift and the
Provisioned Control Plane tier, checked as EKS checks them."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks import auto_mode as auto_mode_settings
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.identity_provider import FIELDS
from ansible_collections.aews.eks.plugins.module_utils._eks.identity_provider import config_problems

IDENTITY_PROVIDER_KEYS = ["name"] + [key for key, _api in FIELDS] + ["tags"]
AUTO_MODE_KEYS = ["enabled", "node_pools", "node_role_arn", "node_role_permissions_boundary"]


def _first(problems):
    if problems:
        field, problem = problems[0].split(": ", 1)
        _fail(field, problem)


def _identity_providers(value, field="identity_providers"):
    """The OIDC identity provider configs: one at most (EKS takes one per cluster), each checked as EKS checks it."""
    out = []
    seen = {}
    for index, provider in enumerate(_list(value, field)):
        where = f"{field}[{index}]"
        provider = _section(provider, where, "identity_provider")
        name = provider.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 100 or "/" in name or " " in name:
            _fail(f"{where}.name", f"{name!r} must be 1 to 100 characters, without spaces or / (it is required)")
        if name in seen:
            _fail(f"{where}.name", f"{name} is already the name of {ref(f'{field}[{seen[name]}]')}")
        seen[name] = index
        claims = provider.get("required_claims")
        if claims is not None:
            claims = {str(k): str(v) for k, v in _dict(claims, f"{where}.required_claims").items()}
        item = {"name": name, "required_claims": claims or {}}
        for key, _api in FIELDS:
            if key != "required_claims":
                value_ = provider.get(key)
                item[key] = None if value_ is None else str(value_)
        _first(config_problems(item, lambda key, where=where: f"{where}.{key}"))
        item["tags"] = _tags(provider.get("tags"), f"{where}.tags", extra=1)
        out.append(item)
    if len(out) > 1:
        _fail(field, f"{len(out)} configs: EKS takes one OIDC identity provider config per cluster")
    return out


def _auto_mode(value, authentication_mode, field="auto_mode"):
    """Auto Mode: None (not given: left as it is) or {enabled, node_pools (eksctl's default when on),
    node_role_arn, node_role_permissions_boundary}; on needs the API or API_AND_CONFIG_MAP authentication mode."""
    if value is None:
        return None
    settings = _section(value, field, "auto_mode")
    if settings.get("enabled") is None:
        _fail(f"{field}.enabled", "is required: true (Auto Mode on) or false (off)")
    settings["enabled"] = _bool(settings.get("enabled"), f"{field}.enabled", False)
    if settings.get("node_pools") is not None:
        settings["node_pools"] = list(_list(settings["node_pools"], f"{field}.node_pools"))
    _first(auto_mode_settings.problems(settings, field, authentication_mode))
    return {
        "enabled": settings["enabled"],
        "node_pools": auto_mode_settings.node_pools(settings),
        "node_role_arn": settings.get("node_role_arn"),
        "node_role_permissions_boundary": settings.get("node_role_permissions_boundary"),
    }


def _zonal_shift(value, field="zonal_shift"):
    """ARC zonal shift: None (not given: left as it is), true or false."""
    return _bool(value, field, None)


# EKS Provisioned Control Plane tiers (ControlPlaneScalingConfig.tier); standard is EKS's default.
CONTROL_PLANE_TIERS = ("standard", "tier-xl", "tier-2xl", "tier-4xl", "tier-8xl")


def _control_plane_tier(value, field="control_plane_tier"):
    """The Provisioned Control Plane tier: None (not given: left as it is) or one of CONTROL_PLANE_TIERS."""
    return _choice(value, field, CONTROL_PLANE_TIERS)


SUBNET_ID_RE = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
SECURITY_GROUP_ID_RE = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")


def _control_plane(vpc):
    """vpc.control_plane_subnet_ids (the subnets the control plane uses instead of all the cluster's; 2 or more, in
    the cluster's VPC) and vpc.control_plane_security_group_ids (security groups the control plane gets besides the
    collection's own)."""
    out = {}
    for key, pattern, kind in (
        ("control_plane_subnet_ids", SUBNET_ID_RE, "a subnet id (subnet-...)"),
        ("control_plane_security_group_ids", SECURITY_GROUP_ID_RE, "a security group id (sg-...)"),
    ):
        ids = [str(i) for i in _list(vpc.get(key), f"vpc.{key}")]
        for index, item in enumerate(ids):
            if not pattern.match(item):
                _fail(f"vpc.{key}[{index}]", f"{item!r} is not {kind}")
            if ids.index(item) != index:
                _fail(f"vpc.{key}[{index}]", f"{item} is listed twice")
        out[key] = ids
    if len(out["control_plane_subnet_ids"]) == 1:
        _fail("vpc.control_plane_subnet_ids", "EKS needs at least 2 subnets, in different availability zones")
    return out


def _addon_extras(addon, role, field):
    """An add-on's tags and the inline policies of its IRSA role (eksctl attachPolicy: {name: document})."""
    inline = _dict(role.get("inline_policies"), f"{field}.service_account_role.inline_policies")
    for name, document in inline.items():
        if not isinstance(document, (dict, str)):
            _fail(f"{field}.service_account_role.inline_policies.{name}", "must be a policy document (a dict or JSON)")
    return _tags(addon.get("tags"), f"{field}.tags", extra=1), inline


def _nodegroup_zones(nodegroups, given, zones):
    """Each nodegroup's availability_zones (eksctl availabilityZones): the zones of the cluster's subnets its nodes
    use ([]: all of them), each one of ``zones`` (the cluster's, None while they are still to be looked up)."""
    for index, nodegroup in enumerate(nodegroups):
        field = f"nodegroups[{index}].availability_zones"
        raw = given[index] if index < len(given) and isinstance(given[index], dict) else {}
        chosen = [str(z) for z in _list(raw.get("availability_zones"), field)]
        for position, zone in enumerate(chosen):
            if chosen.index(zone) != position:
                _fail(f"{field}[{position}]", f"{zone} is listed twice")
            if zones is not None and zone not in zones:
                cluster_zones = f"{ref('vpc.availability_zones')}: {', '.join(zones)}"
                _fail(f"{field}[{position}]", f"{zone} is not one of the cluster's zones ({cluster_zones})")
        nodegroup["availability_zones"] = chosen


def _nodegroup_security_groups(nodegroups, given):
    """Each nodegroup's security_group_ids (eksctl securityGroups.attachIDs): security groups its nodes get besides
    the shared node group (and the cluster's), through the launch template."""
    for index, nodegroup in enumerate(nodegroups):
        field = f"nodegroups[{index}].security_group_ids"
        raw = given[index] if index < len(given) and isinstance(given[index], dict) else {}
        groups = [str(g) for g in _list(raw.get("security_group_ids"), field)]
        for position, group in enumerate(groups):
            if not SECURITY_GROUP_ID_RE.match(group):
                _fail(f"{field}[{position}]", f"{group!r} is not a security group id (sg-...)")
            if groups.index(group) != position:
                _fail(f"{field}[{position}]", f"{group} is listed twice")
        nodegroup["security_group_ids"] = groups
