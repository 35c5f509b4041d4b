#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_cluster_info
short_description: Read Amazon EKS clusters
version_added: 0.1.0
description:
  - Returns one EKS cluster by name, or every cluster in the region, in the shape
    M(aews.eks.eks_cluster) returns, with the names of their nodegroups and add-ons.
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description:
      - The name of the cluster. Without it, every cluster in the region is returned.
      - A cluster that does not exist gives an empty list.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Read the seed cluster
  aews.eks.eks_cluster_info:
    name: myeks
  register: myeks_info

- name: Show its API endpoint and OIDC issuer
  ansible.builtin.debug:
    msg: "{{ myeks_info.clusters[0].endpoint }} {{ myeks_info.clusters[0].identity.oidc.issuer }}"
  when: myeks_info.clusters | length > 0

- name: List every cluster in the region with its nodegroups
  aews.eks.eks_cluster_info:
    region: ap-northeast-2
  register: all_clusters
"""

RETURN = r"""
clusters:
  description:
    - The clusters, each as C(DescribeCluster) returns it with keys in snake_case (tags as they are),
      the same shape M(aews.eks.eks_cluster) returns.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The cluster name.
      type: str
      sample: myeks
    arn:
      description: The cluster ARN.
      type: str
    status:
      description: The cluster status.
      type: str
      sample: ACTIVE
    version:
      description: The Kubernetes version.
      type: str
      sample: "1.33"
    platform_version:
      description: The EKS platform version.
      type: str
    endpoint:
      description: The Kubernetes API server URL.
      type: str
    certificate_authority:
      description: The cluster's certificate authority (C(data) is the base64-encoded CA certificate).
      type: dict
    identity:
      description: The OpenID Connect issuer, under C(oidc.issuer).
      type: dict
    resources_vpc_config:
      description: Network and endpoint settings, including C(cluster_security_group_id).
      type: dict
    logging:
      description: The control plane logging configuration.
      type: dict
    enabled_log_types:
      description: The log types that are on.
      type: list
      elements: str
    tags:
      description: The cluster's tags.
      type: dict
    nodegroups:
      description: The names of the cluster's managed nodegroups.
      type: list
      elements: str
      sample: [mynodegroup]
    addons:
      description: The names of the cluster's EKS add-ons.
      type: list
      elements: str
      sample: [coredns, kube-proxy, vpc-cni]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.cluster import describe_all

ARGUMENT_SPEC = eks.argument_spec(name=dict(type="str"))


def main():
    eks.run_module(ARGUMENT_SPEC, describe_all)


if __name__ == "__main__":
    main()
