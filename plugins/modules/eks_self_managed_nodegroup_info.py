#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_self_managed_nodegroup_info
short_description: Read the self-managed nodegroups of an Amazon EKS cluster, and the AMI their nodes run
version_added: 0.1.0
description:
  - The Auto Scaling groups M(aews.eks.eks_self_managed_nodegroup) made for a cluster (tagged
    C(kubernetes.io/cluster/CLUSTER=owned) and C(aews.eks/self-managed-nodegroup)), each with its nodes and latest
    instance refresh.
  - With O(ami), also the EKS-optimized AMI of a family for a Kubernetes version, read from its SSM parameter as
    eksctl reads it (AL2023 C(/aws/service/eks/optimized-ami/VERSION/amazon-linux-2023/ARCH/standard/recommended/image_id),
    Bottlerocket C(/aws/service/bottlerocket/aws-k8s-VERSION/ARCH/latest/image_id), AL2 up to 1.32
    C(/aws/service/eks/optimized-ami/VERSION/amazon-linux-2/recommended/image_id), Windows
    C(/aws/service/ami-windows-latest/Windows_Server-YEAR-English-Core-EKS_Optimized-VERSION/image_id)).
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description: Name of the EKS cluster.
    type: str
    required: true
  name:
    description: One nodegroup; unset lists all of the cluster's.
    type: str
  ami:
    description: The AMI to look up.
    type: dict
    suboptions:
      family:
        description: C(AmazonLinux2023), C(AmazonLinux2), C(Bottlerocket), C(WindowsServer2019CoreContainer),
          C(WindowsServer2022CoreContainer) (or their Full editions; C(Windows2019), C(Windows2022)).
        type: str
        required: true
      version:
        description: The Kubernetes version, C(MAJOR.MINOR).
        type: str
        required: true
      instance_type:
        description: An instance type of the nodes; Graviton types get the arm64 AMI, GPU types the NVIDIA one.
        type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: The nodegroups and the AL2023 AMI for 1.33
  aews.eks.eks_self_managed_nodegroup_info:
    cluster_name: myeks
    ami:
      family: AmazonLinux2023
      version: "1.33"
      instance_type: m5.large
  register: __found
"""

RETURN = r"""
self_managed_nodegroups:
  description: The nodegroups; see the C(self_managed_nodegroup) return value of M(aews.eks.eks_self_managed_nodegroup).
  returned: always
  type: list
  elements: dict
ami:
  description: The AMI asked for in O(ami).
  returned: with O(ami)
  type: dict
  contains:
    parameter:
      description: The SSM parameter read.
      type: str
    image_id:
      description: The AMI ID.
      type: str
    family:
      description: The AMI family, as eksctl names it.
      type: str
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import info

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME],
    name=dict(type="str"),
    ami=dict(
        type="dict",
        options=dict(
            family=dict(type="str", required=True),
            version=dict(type="str", required=True),
            instance_type=dict(type="str"),
        ),
    ),
)


def main():
    eks.run_module(ARGUMENT_SPEC, info)


if __name__ == "__main__":
    main()
