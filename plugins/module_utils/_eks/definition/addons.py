# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's add-ons: versions, configuration values, their IRSA role or pod identity associations."""

from __future__ import annotations

import copy

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _addon_extras
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import partition
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _pod_identity
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _policy_arns
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _well_known
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import well_known_policies

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
POD_IDENTITY_AGENT = "eks-pod-identity-agent"


def _addon(addon, index, with_oidc, cluster_name=None, region=None):
    field = f"addons[{index}]"
    if isinstance(addon, str):
        addon = {"name": addon}
    addon = _section(addon, field, "addon")
    name = addon.get("name")
    if not name:
        _fail(f"{field}.name", "is required")
    config = addon.get("configuration_values")
    if config is not None and not isinstance(config, (dict, str)):
        _fail(f"{field}.configuration_values", "must be a dict, or a JSON or YAML string")
    role = _section(addon.get("service_account_role"), f"{field}.service_account_role", "service_account_role")
    tags, inline = _addon_extras(addon, role, field)
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
            "inline_policies": inline,
        },
        "tags": tags,
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
    if associations and (role.get("well_known_policies") or role.get("managed_policy_arns") or inline):
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
        and not inline
    ):
        role_out["well_known_policies"] = [ADDON_ROLES[name]]
    role_out["needed"] = bool(
        with_oidc and (role_out["managed_policy_arns"] or role_out["well_known_policies"] or inline)
    )
    namespace, account = ADDON_SERVICE_ACCOUNTS.get(name, (None, None))
    role_out["namespace"] = role.get("namespace") or namespace or "kube-system"
    role_out["service_account"] = role.get("service_account") or account
    if role_out["needed"] and not role_out["service_account"]:
        _fail(f"{field}.service_account_role.service_account", "is required for this add-on's IRSA role")
    out["early"] = name in EARLY_ADDONS
    return out
