#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_nodegroup_info
short_description: Read the managed nodegroups of an Amazon EKS cluster
version_added: 0.1.0
description:
  - Describe one managed nodegroup of an EKS cluster, or all of them.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster.
    type: str
    required: true
  name:
    description:
      - Name of one nodegroup. Unset describes every nodegroup of the cluster.
    type: str
    aliases: [nodegroup_name]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Read every nodegroup of a cluster
  aews.eks.eks_nodegroup_info:
    cluster_name: myeks
  register: __nodegroups

- name: Read one nodegroup
  aews.eks.eks_nodegroup_info:
    cluster_name: myeks
    name: ng-general
"""

RETURN = r"""
nodegroups:
  description:
    - The nodegroups found, as DescribeNodegroup returns them with snake_case keys (label and tag keys kept
      as they are); see the C(nodegroup) return value of M(aews.eks.eks_nodegroup) for the keys.
    - Empty when the cluster or the named nodegroup does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - nodegroup_name: ng-general
      status: ACTIVE
      scaling_config: {min_size: 2, max_size: 6, desired_size: 2}
      labels: {role: general}
      version: "1.31"
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.nodegroup import nodegroup_info

ARGUMENT_SPEC = eks.argument_spec([eks.CLUSTER_NAME], name=dict(type="str", aliases=["nodegroup_name"]))


def main():
    eks.run_module(ARGUMENT_SPEC, nodegroup_info)


if __name__ == "__main__":
    main()
