# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: max_pods
short_description: The max pods of a node of an instance type under the Amazon VPC CNI
version_added: 0.1.0
author: aews.eks maintainers
description:
  - Computes how many pods a node of an instance type can run, from the network information
    EC2 C(DescribeInstanceTypes) returns (as AWS spells it, or snake_cased as
    M(aews.eks.eks_instance_types_info) and M(amazon.aws.ec2_instance_type_info)-style modules return it).
  - Without prefix delegation, ENIs x (IPv4 addresses per ENI - 1) + 2.
  - With prefix delegation, ENIs x ((IPv4 addresses per ENI - 1) x 16) + 2, capped at 110 for instance
    types with fewer than 30 vCPUs and at 250 for the others, as amazon-eks-ami's max-pods-calculator does.
  - The companion filter P(aews.eks.subnet_capacity#filter) checks that subnets hold the pod IPs of a nodegroup.
options:
  _input:
    description:
      - One instance type record with C(NetworkInfo.MaximumNetworkInterfaces),
        C(NetworkInfo.Ipv4AddressesPerInterface) and C(VCpuInfo.DefaultVCpus)
        (or C(network_info.maximum_network_interfaces), C(network_info.ipv4_addresses_per_interface)
        and C(v_cpu_info.default_v_cpus)).
    type: dict
    required: true
  prefix_delegation:
    description:
      - Whether the VPC CNI assigns /28 prefixes (C(ENABLE_PREFIX_DELEGATION=true)) rather than single IPs.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Describe the nodegroup's instance type
  aews.eks.eks_instance_types_info:
    instance_types: [t3.medium]
  register: __types

- name: Max pods of a t3.medium, without then with prefix delegation (17, then 110)
  ansible.builtin.debug:
    msg:
      - "{{ __types.instance_types[0] | aews.eks.max_pods }}"
      - "{{ __types.instance_types[0] | aews.eks.max_pods(prefix_delegation=true) }}"
"""

RETURN = r"""
_value:
  description: The max pods of one node.
  type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import MaxPodsError
from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import max_pods as _max_pods
from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import subnet_capacity as _subnet_capacity


def _bool(value, name):
    if isinstance(value, bool):
        return value
    raise AnsibleFilterError(f"{name} must be a boolean, not {value!r}")


def max_pods(record, prefix_delegation=False):
    try:
        return _max_pods(record, _bool(prefix_delegation, "prefix_delegation"))
    except MaxPodsError as e:
        raise AnsibleFilterError(f"aews.eks.max_pods: {e}") from e


def subnet_capacity(subnets, instance_type, max_size, prefix_delegation=False, max_pods=None):
    if max_pods is not None and (isinstance(max_pods, bool) or not isinstance(max_pods, int) or max_pods < 1):
        raise AnsibleFilterError(f"aews.eks.subnet_capacity: max_pods must be a positive integer, not {max_pods!r}")
    try:
        return _subnet_capacity(
            subnets, instance_type, max_size, _bool(prefix_delegation, "prefix_delegation"), pods=max_pods
        )
    except MaxPodsError as e:
        raise AnsibleFilterError(f"aews.eks.subnet_capacity: {e}") from e


class FilterModule:
    def filters(self):
        return {
            "max_pods": max_pods,
            "subnet_capacity": subnet_capacity,
        }
