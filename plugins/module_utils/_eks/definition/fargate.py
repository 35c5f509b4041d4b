# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's Fargate profiles, checked as EKS checks them."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import NAME_RE
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _required
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import NAME_PROBLEM
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _labels
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _strings
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.iam import _role_arn

SUBNET_ID_RE = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
FARGATE_SELECTORS_MAX = 5
FARGATE_LABELS_MAX = 5


def _fargate_profile(profile, field):
    """A Fargate profile (eks_fargate_profile's options), checked as EKS checks it."""
    profile = _section(profile, field, "fargate_profile")
    name = _required(profile.get("name"), f"{field}.name", NAME_RE, NAME_PROBLEM)
    selectors = _list(profile.get("selectors"), f"{field}.selectors")
    if not 1 <= len(selectors) <= FARGATE_SELECTORS_MAX:
        _fail(
            f"{field}.selectors",
            f"{len(selectors)} selectors; a Fargate profile takes 1 to {FARGATE_SELECTORS_MAX}, each with a namespace",
        )
    out_selectors = []
    for index, selector in enumerate(selectors):
        where = f"{field}.selectors[{index}]"
        selector = _section(selector, where, "fargate_selector")
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
