# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subnet split eksctl makes of a VPC CIDR: public and private subnets per availability zone."""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

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


def split(cidr, availability_zones, prefix=None):
    """Return {"public": {az: cidr}, "private": {az: cidr}}; raise ValueError naming the problem."""
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError as e:
        raise ValueError(f"vpc.cidr {cidr!r} is not a network: {e}") from None
    zones = list(availability_zones)
    if not zones:
        raise ValueError("vpc.availability_zones is empty")
    if len(set(zones)) != len(zones):
        raise ValueError(f"vpc.availability_zones has duplicates: {zones}")
    count = 2 * len(zones)
    if prefix is None:
        if count <= 8:
            prefix = network.prefixlen + 3
        elif count <= 16:
            prefix = network.prefixlen + 4
        else:
            raise ValueError(f"vpc.availability_zones: {len(zones)} zones need {count} subnets, more than 16")
    prefix = int(prefix)
    if prefix < network.prefixlen or prefix > network.max_prefixlen:
        raise ValueError(f"vpc.subnet_prefix /{prefix} does not fit in {network}")
    if network.version == 4 and prefix > 28:
        raise ValueError(f"vpc.subnet_prefix /{prefix} is smaller than /28, the smallest subnet AWS allows")
    blocks = 2 ** (prefix - network.prefixlen)
    if blocks < count:
        raise ValueError(f"vpc.subnet_prefix /{prefix} gives {blocks} subnets of {network}, {count} are needed")
    cut = network.subnets(new_prefix=prefix)
    first = [str(next(cut)) for _index in range(count)]
    return {
        "public": {zone: first[i] for i, zone in enumerate(zones)},
        "private": {zone: first[i + len(zones)] for i, zone in enumerate(zones)},
    }


def subnets(cidr, availability_zones, prefix=None):
    try:
        return split(cidr, availability_zones, prefix)
    except ValueError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"subnets": subnets}
