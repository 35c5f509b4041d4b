# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""accessConfig: the authentication mode, the creator's admin permissions, access entries and their policies."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _sub_paths

AUTHENTICATION_MODES = ("CONFIG_MAP", "API", "API_AND_CONFIG_MAP")
ACCESS_ENTRY_PATHS = {
    "principal_arn": "principalARN",
    "type": "type",
    "kubernetes_groups": "kubernetesGroups",
    "username": "kubernetesUsername",
    "access_policies": "accessPolicies",
}
ACCESS_POLICY_PATHS = {
    "policy_arn": "policyARN",
    "access_scope": "accessScope",
    "access_scope.type": "accessScope.type",
    "access_scope.namespaces": "accessScope.namespaces",
}


def _access(access):
    result = {}
    if access.get("authenticationMode"):
        result["authentication_mode"] = access["authenticationMode"]
    if access.get("bootstrapClusterCreatorAdminPermissions") is not None:
        result["bootstrap_cluster_creator_admin_permissions"] = access["bootstrapClusterCreatorAdminPermissions"]
    entries = []
    for _index, entry in _indexed(access.get("accessEntries")):
        item = {"principal_arn": entry.get("principalARN")}
        if entry.get("type"):
            item["type"] = entry["type"]
        if _entries(entry.get("kubernetesGroups")):
            item["kubernetes_groups"] = _entries(entry["kubernetesGroups"])
        if entry.get("kubernetesUsername"):
            item["username"] = entry["kubernetesUsername"]
        policies = []
        for _number, policy in _indexed(entry.get("accessPolicies")):
            scope = policy.get("accessScope") or {}
            out = {"policy_arn": policy.get("policyARN")}
            if scope:
                out["access_scope"] = {"type": scope.get("type") or "cluster"}
                if _entries(scope.get("namespaces")):
                    out["access_scope"]["namespaces"] = _entries(scope["namespaces"])
            policies.append(out)
        if policies:
            item["access_policies"] = policies
        entries.append(item)
    if entries:
        result["entries"] = entries
    return result


def validate_mode(cfg, problems):
    mode = (cfg.get("accessConfig") or {}).get("authenticationMode")
    if mode and mode not in AUTHENTICATION_MODES:
        problems.append(
            ("accessConfig.authenticationMode", f"must be one of {', '.join(AUTHENTICATION_MODES)}, not {mode!r}")
        )


def validate_entries(cfg, problems):
    mode = (cfg.get("accessConfig") or {}).get("authenticationMode")
    if mode == "CONFIG_MAP" and _indexed((cfg.get("accessConfig") or {}).get("accessEntries")):
        problems.append(
            ("accessConfig.authenticationMode", "must be API or API_AND_CONFIG_MAP to use accessConfig.accessEntries")
        )
    for index, entry in _indexed((cfg.get("accessConfig") or {}).get("accessEntries")):
        if not entry.get("principalARN"):
            problems.append((f"accessConfig.accessEntries[{index}].principalARN", "is required"))


def convert(cfg, result):
    access = _access(cfg.get("accessConfig") or {})
    if access:
        result["access"] = access


def add_paths(cfg, result, paths):
    for position, (index, entry) in enumerate(_indexed((cfg.get("accessConfig") or {}).get("accessEntries"))):
        base = f"accessConfig.accessEntries[{index}]"
        _sub_paths(paths, f"access.entries[{position}]", base, ACCESS_ENTRY_PATHS)
        for place, (number, _policy) in enumerate(_indexed(entry.get("accessPolicies"))):
            _sub_paths(paths, f"access.entries[{position}].access_policies[{place}]", f"{base}.accessPolicies[{number}]",
                       ACCESS_POLICY_PATHS)  # fmt: skip
