#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_addon_info
short_description: List Amazon EKS add-ons and the versions available
version_added: 0.1.0
description:
  - With O(cluster_name), lists the add-ons installed on the cluster with their status, health issues and
    version, and whether a newer version compatible with the cluster exists.
  - With O(name) or O(kubernetes_version), lists the add-on versions available for that Kubernetes version
    (the cluster's when only O(cluster_name) gives it), newest first, with the default version marked.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the cluster whose installed add-ons to list.
    type: str
  name:
    description:
      - Only this add-on. Its available versions are listed too.
      - An add-on name EKS does not know fails.
    type: str
    aliases: [addon_name]
  kubernetes_version:
    description:
      - The Kubernetes version to list available add-on versions for, for example V(1.31).
      - Defaults to the cluster's version when O(cluster_name) is set.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
notes:
  - At least one of O(cluster_name), O(name) or O(kubernetes_version) is required.
"""

EXAMPLES = r"""
- name: The add-ons of a cluster, and which of them can be upgraded
  aews.eks.eks_addon_info:
    cluster_name: prod
  register: __addons

- name: Show the add-ons with a newer version
  ansible.builtin.debug:
    msg: "{{ __addons.addons | selectattr('update_available') | map(attribute='name') | list }}"

- name: The coredns versions for Kubernetes 1.31, the default marked
  aews.eks.eks_addon_info:
    name: coredns
    kubernetes_version: "1.31"
  register: __coredns

- name: Every add-on available for Kubernetes 1.31
  aews.eks.eks_addon_info:
    kubernetes_version: "1.31"
"""

RETURN = r"""
addons:
  description:
    - The add-ons installed on O(cluster_name) (only O(name) when set).
    - Empty without O(cluster_name), or when the cluster does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the add-on.
      type: str
      sample: vpc-cni
    version:
      description: The installed version.
      type: str
      sample: v1.18.3-eksbuild.3
    status:
      description: Status of the add-on.
      type: str
      sample: DEGRADED
    health_issues:
      description: Health issues EKS reports (code, message, resource IDs).
      type: list
      elements: dict
    configuration_values:
      description: The configuration values, as a dictionary.
      type: dict
    service_account_role_arn:
      description: ARN of the IAM role of the add-on's service account.
      type: str
    pod_identity_associations:
      description: The pod identity associations of the add-on (service account and role ARN).
      type: list
      elements: dict
    tags:
      description: Tags of the add-on.
      type: dict
    latest_version:
      description: The newest version compatible with the cluster's Kubernetes version.
      type: str
      sample: v1.19.2-eksbuild.1
    update_available:
      description: Whether RV(addons[].latest_version) is newer than the installed version.
      type: bool
      sample: true
addon_versions:
  description:
    - The versions available for O(kubernetes_version) (or the cluster's version), of O(name) or of every
      add-on, newest first per add-on. Empty unless O(name) or O(kubernetes_version) is set.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the add-on.
      type: str
      sample: coredns
    version:
      description: The add-on version.
      type: str
      sample: v1.11.3-eksbuild.2
    default:
      description: Whether EKS installs this version by default for the Kubernetes version.
      type: bool
    architecture:
      description: CPU architectures the version supports.
      type: list
      elements: str
    compute_types:
      description: Compute types the version supports.
      type: list
      elements: str
    requires_configuration:
      description: Whether the version must be given configuration values.
      type: bool
    requires_iam_permissions:
      description: Whether the version needs an IAM role (IRSA or Pod Identity).
      type: bool
    kubernetes_versions:
      description: The Kubernetes versions listed for this add-on version (the one asked for, when set).
      type: list
      elements: str
    type:
      description: Category of the add-on.
      type: str
      sample: networking
    publisher:
      description: Publisher of the add-on.
      type: str
    owner:
      description: Owner of the add-on.
      type: str
kubernetes_version:
  description: The Kubernetes version the available versions are for.
  returned: always
  type: str
  sample: "1.31"
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.addon import addon_info

ARGUMENT_SPEC = eks.argument_spec(
    cluster_name=dict(type="str"),
    name=dict(type="str", aliases=["addon_name"]),
    kubernetes_version=dict(type="str"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, addon_info, required_one_of=[["cluster_name", "name", "kubernetes_version"]])


if __name__ == "__main__":
    main()
