# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fargateProfiles."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _sub_paths

FARGATE_PROFILE_PATHS = {
    "name": "name",
    "pod_execution_role_arn": "podExecutionRoleARN",
    "selectors": "selectors",
    "subnets": "subnets",
    "tags": "tags",
}


def _fargate_profile(profile):
    result = {"name": profile.get("name")}
    if profile.get("podExecutionRoleARN"):
        result["pod_execution_role_arn"] = profile["podExecutionRoleARN"]
    selectors = []
    for _index, selector in _indexed(profile.get("selectors")):
        item = {"namespace": selector.get("namespace")}
        if selector.get("labels"):
            item["labels"] = dict(selector["labels"])
        selectors.append(item)
    result["selectors"] = selectors
    if _entries(profile.get("subnets")):
        result["subnets"] = _entries(profile["subnets"])
    if profile.get("tags"):
        result["tags"] = dict(profile["tags"])
    return result


def validate(cfg, problems):
    for index, profile in _indexed(cfg.get("fargateProfiles")):
        path = f"fargateProfiles[{index}]"
        if not profile.get("name"):
            problems.append((f"{path}.name", "is required"))
        elif profile["name"].startswith("eks-"):
            problems.append((f"{path}.name", f"{profile['name']}: a Fargate profile name must not start with eks-"))


def convert(cfg, result):
    profiles = [_fargate_profile(profile) for _index, profile in _indexed(cfg.get("fargateProfiles"))]
    if profiles:
        result["fargate_profiles"] = profiles


def add_paths(cfg, result, paths):
    for position, (index, _profile) in enumerate(_indexed(cfg.get("fargateProfiles"))):
        _sub_paths(paths, f"fargate_profiles[{position}]", f"fargateProfiles[{index}]", FARGATE_PROFILE_PATHS)
