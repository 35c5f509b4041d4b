#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_security_groups
short_description: Security groups of one VPC by name, with their tags and ingress rules, in one run
version_added: 0.1.0
description:
  - Creates the security groups named that the VPC lacks, adds the ingress rules they lack (and with
    O(groups[].purge_rules) removes those not listed) and converges their tags, as the vpc role makes eksctl's
    control-plane and shared node groups and the nodegroups' SSH groups.
  - All the groups are read in one C(DescribeSecurityGroups) call (the VPC and the names as filters); a run that
    changes something reads them once more at its end. Egress rules are left as they are.
  - A group's description cannot change once the group exists (EC2 has no such call); it is used when the group is
    created.
  - A group with O(groups[].state=absent) is deleted when it is there. A delete refused because something still uses
    the group (C(DependencyViolation), such as the network interfaces of nodes just terminated) is tried again until
    O(dependency_timeout).
  - A VPC made a moment ago that EC2 does not know yet (C(InvalidVpcID.NotFound)) is waited for (up to 30 seconds)
    before a group is created in it, and a create tried again after a fault whose first attempt went through takes
    the group that attempt made.
author: aews.eks maintainers (@aews)
options:
  vpc_id:
    description: The VPC of the groups.
    type: str
    required: true
  groups:
    description: The groups, each by its name in the VPC.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The group's name (unique in the VPC).
        type: str
        required: true
      description:
        description: The group's description, set when it is created; required unless O(groups[].state=absent).
        type: str
      state:
        description: Whether the group is there (V(present)) or deleted (V(absent); its other options are not used).
        type: str
        choices: [present, absent]
        default: present
      tags:
        description: The group's tags.
        type: dict
        default: {}
      rules:
        description:
          - Ingress rules, each from exactly one source (O(groups[].rules[].group_name), O(groups[].rules[].group_id),
            O(groups[].rules[].cidr_ip) or O(groups[].rules[].cidr_ipv6)). A rule already there with another
            description is not changed.
        type: list
        elements: dict
        default: []
        suboptions:
          protocol:
            description: V(all) (every protocol and port), V(tcp), V(udp) or V(icmp).
            type: str
            default: all
          from_port:
            description: The first port (required with a protocol other than V(all)).
            type: int
          to_port:
            description: The last port (defaults to O(groups[].rules[].from_port)).
            type: int
          group_name:
            description: A group of this run as the source (the group itself for traffic among its members).
            type: str
          group_id:
            description: A security group id as the source.
            type: str
          cidr_ip:
            description: An IPv4 CIDR as the source.
            type: str
          cidr_ipv6:
            description: An IPv6 CIDR as the source.
            type: str
          description:
            description: The rule's description.
            type: str
      purge_rules:
        description: Remove the group's ingress rules that O(groups[].rules) does not list.
        type: bool
        default: false
  purge_tags:
    description: Remove the tags the groups have that O(groups[].tags) does not list (not the C(aws:) ones).
    type: bool
    default: true
  dependency_timeout:
    description: Seconds in all to try again the deletes of groups something still uses before failing.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The control-plane and shared node security groups of a cluster's VPC
  aews.eks.eks_security_groups:
    vpc_id: "{{ vpc_id }}"
    groups:
      - name: myeks-control-plane
        description: Communication between the control plane and worker nodegroups of myeks
        tags: {Name: myeks-control-plane}
      - name: myeks-shared-nodes
        description: Communication between all nodes of myeks
        tags: {Name: myeks-shared-nodes}
        rules:
          - group_name: myeks-shared-nodes
            description: Nodes to nodes

- name: Delete a nodegroup's SSH group, once the network interfaces of its terminated nodes let go of it
  aews.eks.eks_security_groups:
    vpc_id: "{{ vpc_id }}"
    groups:
      - name: myeks-ng-remote-access
        state: absent
"""

RETURN = r"""
security_groups:
  description: The groups by name after the run (in check mode, predicted; C(group_id) is null for a group still to
    be created).
  returned: always
  type: dict
  sample: {"myeks-shared-nodes": {"group_id": "sg-0123456789abcdef0", "group_name": "myeks-shared-nodes",
           "vpc_id": "vpc-0123456789abcdef0", "description": "Communication between all nodes of myeks",
           "tags": {"Name": "myeks-shared-nodes"}, "ingress": [{"protocol": "-1", "from_port": null,
           "to_port": null, "source": "group_id", "value": "sg-0123456789abcdef0", "description": "Nodes to nodes"}]}}
changes:
  description:
    - The changes made (or that would be made, in check mode), in order, with the C(resource), the C(action)
      (V(create), V(authorize), V(revoke), V(tag), V(untag), V(delete)), C(why), the API C(call) and its C(params). Empty when
      nothing changes.
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "security group myeks-control-plane", "action": "create",
            "why": "create security group myeks-control-plane in vpc-0123456789abcdef0",
            "call": "create_security_group", "params": {"GroupName": "myeks-control-plane"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.security_groups import GROUP_SPEC
from ansible_collections.aews.eks.plugins.module_utils._eks.security_groups import ensure

ARGUMENT_SPEC = eks.argument_spec(
    vpc_id=dict(type="str", required=True),
    groups=dict(type="list", elements="dict", required=True, options=GROUP_SPEC),
    purge_tags=dict(type="bool", default=True),
    dependency_timeout=dict(type="int", default=300),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
