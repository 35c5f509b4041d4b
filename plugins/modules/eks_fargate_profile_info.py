#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_fargate_profile_info
short_description: Read the Fargate profiles of an Amazon EKS cluster
version_added: 0.1.0
description:
  - Describe one Fargate profile of an EKS cluster, or all of them.
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
      - Name of one profile. Unset describes every Fargate profile of the cluster.
    type: str
    aliases: [fargate_profile_name]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Every Fargate profile of a cluster
  aews.eks.eks_fargate_profile_info:
    cluster_name: myeks
  register: __profiles
"""

RETURN = r"""
fargate_profiles:
  description:
    - The profiles found; see the C(fargate_profile) return value of M(aews.eks.eks_fargate_profile) for the keys.
    - Empty when the cluster or the named profile does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - fargate_profile_name: fp-default
      status: ACTIVE
      selectors: [{"namespace": "kube-system", "labels": {}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.fargate import fargate_profile_info

ARGUMENT_SPEC = eks.argument_spec([eks.CLUSTER_NAME], name=dict(type="str", aliases=["fargate_profile_name"]))


def main():
    eks.run_module(ARGUMENT_SPEC, fargate_profile_info)


if __name__ == "__main__":
    main()
