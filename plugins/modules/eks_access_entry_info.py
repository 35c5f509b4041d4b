#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_access_entry_info
short_description: Read the access entries of an Amazon EKS cluster
version_added: 0.1.0
description:
  - Describe one access entry of an EKS cluster, or all of them, each with its associated access policies.
  - The cluster's authentication mode must be C(API) or C(API_AND_CONFIG_MAP).
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster.
    type: str
    required: true
  principal_arn:
    description:
      - ARN of one IAM principal. Unset describes every access entry of the cluster.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Every access entry of a cluster
  aews.eks.eks_access_entry_info:
    cluster_name: myeks
  register: __entries
"""

RETURN = r"""
access_entries:
  description:
    - The access entries found; see the C(access_entry) return value of M(aews.eks.eks_access_entry) for the keys.
    - Empty when the named entry does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - principal_arn: arn:aws:iam::123456789012:role/dev
      type: STANDARD
      kubernetes_groups: [dev-readers]
      access_policies: [{"policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                         "access_scope": {"type": "cluster", "namespaces": []}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.access_entry import access_entry_info

ARGUMENT_SPEC = eks.argument_spec([eks.CLUSTER_NAME], principal_arn=dict(type="str"))


def main():
    eks.run_module(ARGUMENT_SPEC, access_entry_info)


if __name__ == "__main__":
    main()
