# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""addons and addonsConfig: eksctl's default add-ons, configuration values, IRSA policies and pod identity
associations of an add-on, prefix delegation."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.auto_mode import BUILT_IN_ADDONS
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _enabled
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _listed_once
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _parse_document
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _sub_paths
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.iam import ATTACH_POLICY_NAME
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.iam import POD_IDENTITY_PATHS
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.iam import WELL_KNOWN_POLICIES
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.iam import _pod_identity
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import _kind

RESOLVE_CONFLICTS = ("none", "overwrite", "preserve")
DEFAULT_ADDONS = vocabulary.DEFAULT_ADDONS
ADDON_PATHS = {
    "name": "name",
    "version": "version",
    "configuration_values": "configurationValues",
    "resolve_conflicts": "resolveConflicts",
    "service_account_role.managed_policy_arns": "attachPolicyARNs",
    "service_account_role.well_known_policies": "wellKnownPolicies",
    "service_account_role.inline_policies": "attachPolicy",
    "tags": "tags",
    "pod_identity_associations": "podIdentityAssociations",
}


def _addons(addons, addons_config, auto_mode_on=False):
    """The add-ons eksctl installs: its defaults (unless disableDefaultAddons; with Auto Mode on, not the networking
    ones Auto Mode runs itself), then those listed."""
    listed = {}
    for _index, addon in _indexed(addons):
        if isinstance(addon.get("name"), str) and addon["name"].lower() not in listed:
            listed[addon["name"].lower()] = _addon(addon)
    result = []
    if not addons_config.get("disableDefaultAddons"):
        for name in DEFAULT_ADDONS:
            if auto_mode_on and name in BUILT_IN_ADDONS and name not in listed:
                continue
            result.append(listed.pop(name, {"name": name}))
    result.extend(listed.values())
    prefix_delegation = False
    for addon in result:
        if addon["name"].lower() == "vpc-cni":
            values = addon.get("configuration_values")
            env = (values.get("env") if isinstance(values, dict) else None) or {}
            if not isinstance(env, dict):  # reported by _validate
                env = {}
            prefix_delegation = str(env.get("ENABLE_PREFIX_DELEGATION", "")).lower() == "true"
    return result, prefix_delegation


def _addon(addon):
    result = {"name": addon["name"]}
    if addon.get("version"):
        result["version"] = addon["version"]
    if addon.get("configurationValues"):
        try:
            values = _parse_document(addon["configurationValues"])
        except ValueError:  # reported by _validate
            values = None
        if isinstance(values, dict):
            result["configuration_values"] = values
    if addon.get("resolveConflicts"):
        result["resolve_conflicts"] = addon["resolveConflicts"].lower()
    role = {}
    policies = _enabled(addon.get("wellKnownPolicies"), WELL_KNOWN_POLICIES)
    if policies:
        role["well_known_policies"] = policies
    if _entries(addon.get("attachPolicyARNs")):
        role["managed_policy_arns"] = _entries(addon["attachPolicyARNs"])
    if addon.get("attachPolicy"):
        role["inline_policies"] = {ATTACH_POLICY_NAME: addon["attachPolicy"]}
    if role:
        result["service_account_role"] = role
    associations = [
        _pod_identity(a, with_namespace=False) for _index, a in _indexed(addon.get("podIdentityAssociations"))
    ]
    if associations:
        result["pod_identity_associations"] = associations
    if addon.get("tags"):
        result["tags"] = dict(addon["tags"])
    return result


def validate(cfg, problems):
    """addons: names listed once, resolveConflicts, configurationValues (a JSON or YAML object)."""
    names = {}
    for index, addon in _indexed(cfg.get("addons")):
        path = f"addons[{index}]"
        _listed_once(addon, path, names, problems, lambda name, _first: f"add-on {name} is listed twice", str.lower)
        resolve = addon.get("resolveConflicts")
        if resolve and resolve.lower() not in RESOLVE_CONFLICTS:
            problems.append((f"{path}.resolveConflicts", f"must be none, overwrite or preserve, not {resolve!r}"))
        values = addon.get("configurationValues")
        if values:
            try:
                parsed = _parse_document(values)
            except ValueError as e:
                problems.append((f"{path}.configurationValues", str(e)))
            else:
                if not isinstance(parsed, dict):
                    problems.append(
                        (f"{path}.configurationValues", f"must be a JSON or YAML object, not {_kind(parsed)}")
                    )
                elif "env" in parsed and not isinstance(parsed["env"], dict):
                    problems.append(
                        (
                            f"{path}.configurationValues",
                            f"env must be a mapping of variable names to values, not {_kind(parsed['env'])}",
                        )
                    )


def validate_pod_identity_associations(cfg, problems):
    for index, addon in _indexed(cfg.get("addons")):
        for position, association in _indexed(addon.get("podIdentityAssociations")):
            if not association.get("serviceAccountName"):
                problems.append(
                    (f"addons[{index}].podIdentityAssociations[{position}].serviceAccountName", "is required")
                )


def convert(cfg, result):
    """addons, addons_config."""
    auto_mode_on = bool((cfg.get("autoModeConfig") or {}).get("enabled"))
    addons, prefix_delegation = _addons(cfg.get("addons"), cfg.get("addonsConfig") or {}, auto_mode_on)
    result["addons"] = addons
    if prefix_delegation:
        result["addons_config"] = {"prefix_delegation": True}


def add_paths(cfg, result, paths):
    listed = {}
    for index, addon in _indexed(cfg.get("addons")):
        if isinstance(addon.get("name"), str):
            listed.setdefault(addon["name"].lower(), index)
    for index, addon in enumerate(result.get("addons") or []):
        name = str(addon["name"]).lower()
        if name not in listed:
            # One of eksctl's default add-ons, not written in the file.
            paths[f"addons[{index}]"] = f"addons (eksctl's default add-on {addon['name']})"
            continue
        base = f"addons[{listed[name]}]"
        paths[f"addons[{index}]"] = base
        for key, value in ADDON_PATHS.items():
            paths[f"addons[{index}].{key}"] = f"{base}.{value}"
        source = (cfg.get("addons") or [])[listed[name]]
        for position, (number, _association) in enumerate(_indexed(source.get("podIdentityAssociations"))):
            _sub_paths(paths, f"addons[{index}].pod_identity_associations[{position}]",
                       f"{base}.podIdentityAssociations[{number}]", POD_IDENTITY_PATHS)  # fmt: skip
        if name == "vpc-cni":
            paths["addons_config.prefix_delegation"] = f"{base}.configurationValues"
