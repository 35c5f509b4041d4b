# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of an upgrade to a Kubernetes minor version, from what the info modules read (pure).

The control plane goes one minor version at a time; each add-on moves to the target's default version unless it
already has a newer one the target accepts; every nodegroup behind the target follows, except those on a custom AMI
(their launch template names the AMI) and those being deleted. The plan says what stops the upgrade before any
change: a nodegroup the Kubernetes version skew policy would leave too far behind, an AMI type EKS does not offer
for the target, an add-on without a default version for the target. The upgrade role (filter
``aews.eks.upgrade_plan``) runs it as it is.
"""

from __future__ import annotations

from .vocabulary import AMI_TYPE_LAST_VERSION
from .vocabulary import CUSTOM_AMI_TYPE
from .vocabulary import GOING_STATES
from .vocabulary import compare_versions
from .vocabulary import format_version
from .vocabulary import max_kubelet_skew
from .vocabulary import parse_version
from .vocabulary import version_steps


class UpgradePlanError(ValueError):
    """Input the plan cannot be made from (named in the message)."""


def _version(value, field):
    try:
        parse_version(value)
    except ValueError as e:
        raise UpgradePlanError(f"{field}: {e}") from e
    return str(value)


def _records(items, keys, field):
    items = list(items or [])
    for index, item in enumerate(items):
        if not isinstance(item, dict) or any(key not in item for key in keys):
            raise UpgradePlanError(f"{field}[{index}]: expected a dict with {', '.join(keys)}, got {item!r}")
    return items


def _behind(version, than):
    return compare_versions(version, than) < 0


def _plural(items, one, many):
    return many if len(items) > 1 else one


def addon_targets(addons, addon_versions):
    """[{name, from, to, change}] per installed add-on, by name; ``to`` is '' when EKS offers no default version.

    ``addon_versions`` lists the versions offered for the target, newest first per add-on, with ``default`` on
    the default one: an add-on already at a version listed before the default keeps it.
    """
    plan = []
    for addon in sorted(addons, key=lambda a: a["name"]):
        offered = [v["version"] for v in addon_versions if v.get("name") == addon["name"]]
        defaults = [v["version"] for v in addon_versions if v.get("name") == addon["name"] and v.get("default")]
        default = defaults[0] if defaults else ""
        current = addon.get("version")
        keep = default != "" and current in offered and offered.index(current) < offered.index(default)
        to = current if keep else default
        plan.append({"name": addon["name"], "from": current, "to": to, "change": to != current})
    return plan


def plan(cluster, target_version, nodegroups=(), addons=(), addon_versions=(), ami_type_last_version=None):
    """The upgrade of ``cluster`` (as eks_cluster_info returns it) to ``target_version``.

    ``nodegroups``, ``addons`` and ``addon_versions`` are as eks_nodegroup_info and eks_addon_info (with
    kubernetes_version set to the target) return them. ``ami_type_last_version`` maps AMI types to the last
    Kubernetes version EKS offers them for (``vocabulary.AMI_TYPE_LAST_VERSION`` by default).
    """
    name = cluster.get("name")
    target = _version(target_version, "target_version")
    current = _version(cluster.get("version"), f"the version of cluster {name}")
    if parse_version(target)[0] != parse_version(current)[0]:
        raise UpgradePlanError(f"target_version: {target} is not of the cluster's major version ({current})")
    last_versions = AMI_TYPE_LAST_VERSION if ami_type_last_version is None else ami_type_last_version
    nodegroups = sorted(
        _records(nodegroups, ("nodegroup_name", "version"), "nodegroups"), key=lambda n: n["nodegroup_name"]
    )
    addons = _records(addons, ("name", "version"), "addons")
    addon_versions = _records(addon_versions, ("name", "version"), "addon_versions")
    for ng in nodegroups:
        _version(ng.get("version"), f"the version of nodegroup {ng['nodegroup_name']}")

    steps = version_steps(current, target)
    skew = max_kubelet_skew(target)
    major, target_minor = parse_version(target)
    oldest_allowed = format_version((major, target_minor - skew))
    retired_types = sorted(t for t, last in last_versions.items() if _behind(_version(last, t), target))

    behind = [ng for ng in nodegroups if _behind(ng["version"], oldest_allowed)]
    retired = [ng for ng in nodegroups if ng.get("ami_type") in retired_types]
    nodegroup_steps = [
        ng
        for ng in nodegroups
        if ng.get("ami_type") != CUSTOM_AMI_TYPE
        and ng.get("status") not in GOING_STATES
        and _behind(ng["version"], target)
    ]
    custom_behind = [
        ng for ng in nodegroups if ng.get("ami_type") == CUSTOM_AMI_TYPE and _behind(ng["version"], target)
    ]
    addon_plan = addon_targets(addons, addon_versions)

    problems = []
    # With the control plane at the target already, upgrading the nodegroups is what brings them within the policy.
    if behind and steps:
        oldest_minor = min(parse_version(ng["version"])[1] for ng in behind)
        first_stop = format_version((major, max(oldest_minor + skew, parse_version(current)[1])))
        listed = ", ".join(f"{ng['nodegroup_name']} at {ng['version']}" for ng in behind)
        problems.append(
            f"Cannot upgrade {name} to {target}: {_plural(behind, 'nodegroup', 'nodegroups')} {listed} would be more"
            f" than {skew} minor versions behind a {target} control plane, which the Kubernetes version skew policy"
            f" does not allow. Upgrade in smaller steps: first with -e target_version={first_stop} (which upgrades"
            f" the nodegroups too), then to {target}."
        )
    if retired:
        types = sorted({ng["ami_type"] for ng in retired})
        listed = ", ".join(f"{ng['nodegroup_name']} ({ng['ami_type']})" for ng in retired)
        ends = ", ".join(f"{t} ends at {last_versions[t]}" for t in types)
        highest = min((last_versions[t] for t in types), key=parse_version)
        problems.append(
            f"Cannot upgrade {name} to {target}: EKS does not offer the AMI type of"
            f" {_plural(retired, 'nodegroup', 'nodegroups')} {listed} for Kubernetes {target} ({ends})."
            " Move the workloads to nodegroups of another AMI type (AL2023 or Bottlerocket) and delete these first,"
            f" or upgrade to {highest} at most."
        )
    blocked = [a["name"] for a in addon_plan if a["to"] == ""]
    if blocked:
        problems.append(
            f"Cannot upgrade {name} to {target}: EKS offers no default version for Kubernetes {target} of"
            f" {_plural(blocked, 'add-on', 'add-ons')} {', '.join(blocked)} (DescribeAddonVersions)."
            f" Delete the add-on, or wait until EKS offers it for {target}."
        )

    return {
        "cluster_name": name,
        "from": current,
        "target": target,
        "control_plane_steps": steps,
        "skew": skew,
        "oldest_allowed": oldest_allowed,
        "addons": addon_plan,
        "nodegroup_steps": nodegroup_steps,
        "custom_behind": custom_behind,
        "problems": problems,
        "lines": _lines(current, target, steps, addon_plan, nodegroups),
    }


def _lines(current, target, steps, addon_plan, nodegroups):
    lines = [
        "Control plane: " + " -> ".join([current] + steps) + ("" if steps else f" (already at {target})"),
    ]
    for a in addon_plan:
        lines.append(
            f"Add-on {a['name']}: {a['from']}" + (f" -> {a['to']}" if a["to"] != a["from"] else " (no change)")
        )
    for ng in nodegroups:
        line = f"Nodegroup {ng['nodegroup_name']}: {ng['version']}"
        if not _behind(ng["version"], target):
            line += " (no change)"
        elif ng.get("ami_type") == CUSTOM_AMI_TYPE:
            line += f" (custom AMI: not upgraded, give its launch template an AMI for {target})"
        else:
            update_config = ", ".join(f"{k}={v}" for k, v in (ng.get("update_config") or {}).items())
            line += f" -> {target} (update_config {update_config})"
        lines.append(line)
    return lines
