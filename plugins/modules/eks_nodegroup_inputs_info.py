#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_nodegroup_inputs_info
short_description: The instance types, subnets and SSH key pairs nodegroups need, read in one run
version_added: 0.1.0
description:
  - Reads in one run what the nodegroup role needs before it makes anything; the instance types with the max pods
    of a node of each (as M(aews.eks.eks_instance_types_info)), the subnets with their free addresses (for
    P(aews.eks.subnet_capacity#filter)) and which of the named SSH key pairs exist.
  - Reads only (C(DescribeInstanceTypes), C(DescribeSubnets), C(DescribeKeyPairs)).
author: aews.eks maintainers (@aews)
options:
  instance_types:
    description: The instance types to describe; one not offered in the region fails the run, naming it.
    type: list
    elements: str
    default: []
  subnet_ids:
    description:
      - The subnets to describe. A pending value (a subnet a check run predicts, see the test
        P(aews.eks.pending#test)) is left out.
    type: list
    elements: str
    default: []
  key_names:
    description: The SSH key pairs to look for; those that do not exist are left out of RV(key_pairs).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: What the nodegroups need, read once
  aews.eks.eks_nodegroup_inputs_info:
    instance_types: [t3.medium]
    subnet_ids: "{{ subnet_ids }}"
    key_names: [myeks-mynodegroup]
  register: __inputs

- name: Import the key pair when it does not exist
  amazon.aws.ec2_key:
    name: myeks-mynodegroup
    key_material: "{{ lookup('ansible.builtin.file', '~/.ssh/id_rsa.pub') }}"
  when: __inputs.key_pairs | selectattr('key_name', '==', 'myeks-mynodegroup') | list | length == 0
"""

RETURN = r"""
instance_types:
  description:
    - The instance types in the order asked, as M(aews.eks.eks_instance_types_info) returns them (DescribeInstanceTypes
      snake_cased, with C(max_pods) and C(max_pods_prefix_delegation)).
  returned: always
  type: list
  elements: dict
  sample: [{"instance_type": "t3.medium", "max_pods": 17, "max_pods_prefix_delegation": 110}]
subnets:
  description: The subnets in the order asked, as DescribeSubnets returns them, snake_cased.
  returned: always
  type: list
  elements: dict
  sample: [{"subnet_id": "subnet-0123456789abcdef0", "available_ip_address_count": 4091}]
key_pairs:
  description: The named key pairs that exist, in the order asked.
  returned: always
  type: list
  elements: dict
  sample: [{"key_name": "myeks-mynodegroup", "key_pair_id": "key-0123456789abcdef0", "key_fingerprint": "..."}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.nodegroup_inputs import read

ARGUMENT_SPEC = eks.argument_spec(
    instance_types=dict(type="list", elements="str", default=[]),
    subnet_ids=dict(type="list", elements="str", default=[]),
    key_names=dict(type="list", elements="str", default=[], no_log=False),
)


def main():
    eks.run_module(ARGUMENT_SPEC, read)


if __name__ == "__main__":
    main()
