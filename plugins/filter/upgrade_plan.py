# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a cluster's upgrade to a Kubernetes minor version (the upgrade role's)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.upgrade_plan import UpgradePlanError
from ansible_collections.aews.eks.plugins.module_utils._eks.upgrade_plan import plan
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of

DOCUMENTATION = r"""
name: upgrade_plan
short_description: What an upgrade of an EKS cluster to a Kubernetes minor version does, and what stops it
version_added: 0.1.0
author: aews.eks maintainers (@aews)
description:
  - Plans the upgrade of a cluster, from what M(aews.eks.eks_cluster_info), M(aews.eks.eks_nodegroup_info) and
    M(aews.eks.eks_addon_info) (with O(aews.eks.eks_addon_info#module:kubernetes_version) set to the target) read.
  - The control plane goes one minor version at a time. Each add-on moves to the target's default version, unless
    it already has a newer version the target accepts. Every nodegroup behind the target follows, except those on a
    custom AMI (C(CUSTOM), listed in RV(_value.custom_behind)) and those being deleted.
  - RV(_value.problems) says what stops the upgrade before any change, in this order. A nodegroup that would be more
    minor versions behind the target than the Kubernetes version skew policy allows (3 from 1.28 on, 2 before)
    while the control plane still has to move. A nodegroup whose AMI type EKS does not offer for the target. An
    add-on without a default version for the target.
  - Fails naming the field when a version is not a Kubernetes minor version such as C("1.33").
options:
  _input:
    description: The cluster, as M(aews.eks.eks_cluster_info) returns it (C(name) and C(version) are read).
    type: dict
    required: true
  target_version:
    description: The Kubernetes minor version to upgrade to, for example C("1.33").
    type: str
    required: true
  nodegroups:
    description: The cluster's nodegroups, as M(aews.eks.eks_nodegroup_info) returns them.
    type: list
    elements: dict
    default: []
  addons:
    description: The cluster's add-ons, as M(aews.eks.eks_addon_info) returns them.
    type: list
    elements: dict
    default: []
  addon_versions:
    description:
      - The add-on versions offered for O(target_version), newest first per add-on, as
        M(aews.eks.eks_addon_info) returns them.
    type: list
    elements: dict
    default: []
  ami_type_last_version:
    description:
      - The last Kubernetes version EKS offers each AMI type for; a target beyond it is a problem.
      - By default the Amazon Linux 2 types, which end at 1.32.
    type: dict
"""

EXAMPLES = r"""
- name: Plan the upgrade
  ansible.builtin.set_fact:
    plan: >-
      {{ cluster_info.clusters[0] | aews.eks.upgrade_plan('1.33', nodegroups=nodegroup_info.nodegroups,
         addons=addon_info.addons, addon_versions=addon_info.addon_versions) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    from:
      description: The control plane's version now.
      type: str
    target:
      description: The target version.
      type: str
    control_plane_steps:
      description: The versions the control plane goes through, in order (empty when it is at the target).
      type: list
      elements: str
    skew:
      description: How many minor versions nodes may be behind a control plane at the target.
      type: int
    oldest_allowed:
      description: The oldest nodegroup version the target control plane allows.
      type: str
    addons:
      description: Per add-on, by name, C(name), C(from), C(to) (empty when EKS offers no default version) and C(change).
      type: list
      elements: dict
    nodegroup_steps:
      description: The nodegroups to upgrade, by name, as they were read.
      type: list
      elements: dict
    custom_behind:
      description: The nodegroups behind the target on a custom AMI, which are not upgraded.
      type: list
      elements: dict
    problems:
      description: What stops the upgrade before any change, one message each; empty when it can go.
      type: list
      elements: str
    lines:
      description: The plan as lines to show, the control plane, each add-on and each nodegroup.
      type: list
      elements: str
"""


def upgrade_plan(
    cluster, target_version, nodegroups=None, addons=None, addon_versions=None, ami_type_last_version=None
):
    if not isinstance(cluster, dict):
        raise AnsibleFilterError(f"aews.eks.upgrade_plan: the input must be a cluster (a dict), not {cluster!r}")
    for field, value in (("nodegroups", nodegroups), ("addons", addons), ("addon_versions", addon_versions)):
        if value is not None and not isinstance(value, list):
            raise AnsibleFilterError(f"aews.eks.upgrade_plan: {field} must be a list, not {value!r}")
    if ami_type_last_version is not None and not isinstance(ami_type_last_version, dict):
        raise AnsibleFilterError(
            f"aews.eks.upgrade_plan: ami_type_last_version must be a dict, not {ami_type_last_version!r}"
        )
    with problems_of("upgrade_plan", UpgradePlanError):
        return plan(
            cluster,
            target_version,
            nodegroups=nodegroups or [],
            addons=addons or [],
            addon_versions=addon_versions or [],
            ami_type_last_version=ami_type_last_version,
        )


class FilterModule:
    def filters(self):
        return {"upgrade_plan": upgrade_plan}
