#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_instance_types_info
short_description: EC2 instance types with the max pods of a node of each under the VPC CNI
version_added: 0.1.0
description:
  - Describes EC2 instance types (C(DescribeInstanceTypes)) and adds the max pods of one node of each,
    without and with VPC CNI prefix delegation, as P(aews.eks.max_pods#filter) computes them (the ENIs of the
    default network card; secondary IPs on Xen instance types, which cannot delegate prefixes).
  - The records feed P(aews.eks.max_pods#filter) and P(aews.eks.subnet_capacity#filter) directly.
author: aews.eks maintainers (@aews)
options:
  instance_types:
    description:
      - The instance types to describe, in the order to return them.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Pods per node of the nodegroup's instance types
  aews.eks.eks_instance_types_info:
    instance_types: [t3.medium, m5.large]
    region: ap-northeast-2
  register: __types

- name: Show them (17 and 29; 110 and 110 with prefix delegation)
  ansible.builtin.debug:
    msg: "{{ __types.instance_types | items2dict(key_name='instance_type', value_name='max_pods') }}"
"""

RETURN = r"""
instance_types:
  description: The instance types as DescribeInstanceTypes returns them, snake_cased, with their max pods.
  returned: always
  type: list
  elements: dict
  contains:
    instance_type:
      description: The instance type.
      type: str
      sample: t3.medium
    v_cpu_info:
      description: The vCPUs.
      type: dict
      sample: {default_v_cpus: 2}
    network_info:
      description: The network limits, among them C(maximum_network_interfaces) and C(ipv4_addresses_per_interface).
      type: dict
      sample: {maximum_network_interfaces: 3, ipv4_addresses_per_interface: 6}
    max_pods:
      description: The max pods of one node, secondary IP mode.
      type: int
      sample: 17
    max_pods_prefix_delegation:
      description: The max pods of one node with prefix delegation.
      type: int
      sample: 110
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import instance_types

ARGUMENT_SPEC = eks.argument_spec(instance_types=dict(type="list", elements="str", required=True))


def main():
    eks.run_module(ARGUMENT_SPEC, lambda m: instance_types.info(m, eks.client(m, "ec2")))


if __name__ == "__main__":
    main()
