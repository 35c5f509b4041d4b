#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_instance_selector_info
short_description: The EC2 instance types with the vCPUs, memory, CPU architecture and GPUs asked for
version_added: 0.1.0
description:
  - Selects instance types by their resources, as eksctl's C(instanceSelector) does - vCPUs, memory and GPUs each
    exactly as given, one CPU architecture, HVM - with EC2 C(GetInstanceTypesFromInstanceRequirements) (every page).
  - Fails, naming the selector, when no instance type matches. Nothing is changed.
author: aews.eks maintainers (@aews)
options:
  vcpus:
    description: The vCPUs of the instance types. Unset, any.
    type: int
  memory_gib:
    description: The memory of the instance types in GiB (C(0.5) for 512 MiB). Unset, any.
    type: float
  cpu_architecture:
    description: The CPU architecture.
    type: str
    choices: [x86_64, arm64]
    default: x86_64
  gpus:
    description: The GPUs of the instance types (C(0) for none). Unset, any.
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: The instance types with 2 vCPUs and 4 GiB
  aews.eks.eks_instance_selector_info:
    vcpus: 2
    memory_gib: 4
    region: ap-northeast-2
  register: __selected

- name: Show them
  ansible.builtin.debug:
    msg: "{{ __selected.instance_types | join(', ') }}"
"""

RETURN = r"""
instance_types:
  description: The names of the instance types selected, sorted.
  returned: always
  type: list
  elements: str
  sample: [c5.large, t3.medium]
selector:
  description: The selector in words.
  returned: always
  type: str
  sample: 2 vCPUs, 4 GiB, x86_64
request:
  description: The parameters sent to C(GetInstanceTypesFromInstanceRequirements).
  returned: always
  type: dict
  sample: {ArchitectureTypes: [x86_64], VirtualizationTypes: [hvm], InstanceRequirements: {VCpuCount: {Min: 2, Max: 2}}}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import instance_selector

ARGUMENT_SPEC = eks.argument_spec(
    vcpus=dict(type="int"),
    memory_gib=dict(type="float"),
    cpu_architecture=dict(type="str", choices=list(instance_selector.ARCHITECTURES), default="x86_64"),
    gpus=dict(type="int"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, lambda m: instance_selector.info(m, eks.client(m, "ec2")))


if __name__ == "__main__":
    main()
