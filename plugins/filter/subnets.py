# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subnet split eksctl makes of a VPC CIDR: public and private subnets per availability zone."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks do not use this one.

DOCUMENTATION = r"""
name: subnets
short_description: Split a VPC CIDR into public and private subnets per availability zone, as eksctl does
version_added: 0.1.0
author: aews.eks maintainers (@aews)
description:
  - Cuts the VPC CIDR into 8 equal blocks (prefix + 3) when there are at most 8 subnets, or 16 blocks
    (prefix + 4) for up to 16 subnets, as eksctl does.
  - The public subnet of the I(i)th availability zone is block I(i); its private subnet is block
    I(i) + the number of availability zones.
options:
  _input:
    description: The VPC CIDR.
    type: str
    required: true
  availability_zones:
    description: The availability zones, in order.
    type: list
    elements: str
    required: true
  prefix:
    description: The prefix length of every subnet, instead of eksctl's split.
    type: int
"""

EXAMPLES = r"""
- name: The seed VPC's subnets
  ansible.builtin.debug:
    msg: "{{ '172.20.0.0/16' | aews.eks.subnets(['ap-northeast-2a', 'ap-northeast-2c']) }}"
  # public: {ap-northeast-2a: 172.20.0.0/19, ap-northeast-2c: 172.20.32.0/19}
  # private: {ap-northeast-2a: 172.20.64.0/19, ap-northeast-2c: 172.20.96.0/19}
"""

RETURN = r"""
_value:
  description: C(public) and C(private), each a dict of availability zone to subnet CIDR.
  type: dict
"""


def subnets(cidr, availability_zones, prefix=None):
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import split

    try:
        return split(cidr, availability_zones, prefix)
    except ValueError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"subnets": subnets}
