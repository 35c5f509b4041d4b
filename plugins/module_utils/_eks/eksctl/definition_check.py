# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster definition's own check run over a converted ClusterConfig: every problem it finds, each
translated to the ClusterConfig path it comes from (the part holding a problem left out to find the next)."""

from __future__ import annotations

import copy
import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import REF
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message_text
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import source_path

# The parts of a definition that can be left out to look for problems past the first one; a problem in any
# other part (name, region) ends the search, as every check depends on it.
_DEFINITION_LISTS = (
    "nodegroups", "self_managed_nodegroups", "addons", "iam.service_accounts", "iam.pod_identity_associations", "access.entries",
    "fargate_profiles", "identity_providers",
)  # fmt: skip
_DEFINITION_SECTIONS = (
    "version", "tags", "vpc", "endpoint", "kubernetes_network", "iam", "logging", "secrets_encryption", "access",
    "addons_config", "auto_mode", "zonal_shift", "control_plane_tier",
)  # fmt: skip
_MAX_DEFINITION_PROBLEMS = 50


def _definition_problems(definition, definition_check):
    """Every problem the definition's check finds, as (ClusterConfig path, ClusterConfig paths named in the
    problem, problem). The check stops at its first problem: the part of the definition it is in (a nodegroup,
    an add-on, a section) is left out and the check run again, until it passes. One problem per part is
    reported, as the next one there may follow from the first."""
    definition = copy.deepcopy(definition)
    paths = definition["source"]["paths"]
    # The check sees the definition without the path map: its problems are translated here, as entries
    # are left out.
    definition["source"] = {"kind": "eksctl"}
    found = []
    for _attempt in range(_MAX_DEFINITION_PROBLEMS):
        problem = definition_check(definition)
        if not problem:
            break
        field, text = problem
        path = source_path(field, paths) if field else ""
        named = [source_path(one, paths) for one in re.findall(f"{REF}(.*?){REF}", text)]
        found.append((path, named, message_text(text, paths)))
        if not _leave_out(definition, paths, field):
            break
    return found


def _leave_out(definition, paths, field):
    """Take the part of the definition ``field`` is in out of it (and ``paths``); False when it cannot be."""
    for name in _DEFINITION_LISTS:
        match = re.match(rf"^{re.escape(name)}\[(\d+)\]", field)
        if not match:
            continue
        index = int(match.group(1))
        parent = definition
        *heads, last = name.split(".")
        for head in heads:
            parent = parent.get(head) if isinstance(parent, dict) else None
        items = parent.get(last) if isinstance(parent, dict) else None
        if not isinstance(items, list) or index >= len(items):
            return False
        del items[index]
        # The entries after it move up one place: so do their paths.
        shifted = {}
        for key, value in paths.items():
            entry = re.match(rf"^{re.escape(name)}\[(\d+)\](.*)$", key)
            if entry and int(entry.group(1)) == index:
                continue
            if entry and int(entry.group(1)) > index:
                key = f"{name}[{int(entry.group(1)) - 1}]{entry.group(2)}"
            shifted[key] = value
        paths.clear()
        paths.update(shifted)
        return True
    top = re.match(r"^[^.\[]*", field).group(0)
    if top in _DEFINITION_SECTIONS and top in definition:
        del definition[top]
        return True
    if top in ("nodegroups", "self_managed_nodegroups", "addons", "fargate_profiles", "identity_providers") and top in definition:
        definition[top] = []
        return True
    return False


def _section(path):
    """The top-level section of a ClusterConfig path, with its list index (managedNodeGroups[0])."""
    match = re.match(r"^[^.\[ ]*(\[\d+\])?", path)
    return match.group(0)


def _related(one, other):
    """Whether one path is the other, or inside it, or contains it."""
    if not one or not other:
        return True
    for a, b in ((one, other), (other, one)):
        if a == b or a.startswith(b + ".") or a.startswith(b + "["):
            return True
    return False
