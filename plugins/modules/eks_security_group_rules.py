#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_security_group_rules
short_description: Ingress rules from one security group to another, for groups that exist, in one run
version_added: 0.1.0
description:
  - Adds the ingress rules that are missing from existing security groups, each rule allowing traffic from another
    security group, as eksctl sets them between the EKS cluster security group and the shared node security group.
  - Every group named is read in one C(DescribeSecurityGroups) call; each group lacking rules gets one
    C(AuthorizeSecurityGroupIngress) call. Rules the groups have besides are left in place; a rule already there
    with another description is not changed.
  - The groups are not created, tagged or deleted here (M(amazon.aws.ec2_security_group) does that).
author: aews.eks maintainers (@aews)
options:
  rules:
    description:
      - The rules, each on the group O(rules[].group_id) from the group O(rules[].source_group_id).
    type: list
    elements: dict
    required: true
    suboptions:
      group_id:
        description: The security group the rule is on.
        type: str
        required: true
      source_group_id:
        description: The security group the traffic comes from.
        type: str
        required: true
      protocol:
        description: V(all) (every protocol and port), V(tcp), V(udp) or V(icmp).
        type: str
        default: all
      from_port:
        description: The first port (required unless O(rules[].protocol=all)).
        type: int
      to_port:
        description: The last port (defaults to O(rules[].from_port)).
        type: int
      description:
        description: The rule's description, set when the rule is added.
        type: str
attributes:
  check_mode:
    support: full
    description: Can run in check mode.
    details: Returns the predicted groups and the rules that would be added; makes no change.
  diff_mode:
    support: full
    description: Shows the ingress rules from other groups before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Nodes and the EKS cluster security group talk to each other
  aews.eks.eks_security_group_rules:
    rules:
      - group_id: "{{ shared_node_sg_id }}"
        source_group_id: "{{ cluster.resources_vpc_config.cluster_security_group_id }}"
        description: From the EKS cluster security group
      - group_id: "{{ cluster.resources_vpc_config.cluster_security_group_id }}"
        source_group_id: "{{ shared_node_sg_id }}"
        description: From the shared node security group
"""

RETURN = r"""
security_groups:
  description: The groups the rules are on, after the run (in check mode, predicted), sorted by id.
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: The group's id.
      type: str
      sample: sg-0123456789abcdef0
    group_name:
      description: The group's name.
      type: str
      sample: eks-cluster-sg-myeks-1234567890
    vpc_id:
      description: The group's VPC.
      type: str
      sample: vpc-0123456789abcdef0
    ingress_from_groups:
      description:
        - Its ingress rules from other groups, one per source group, with C(protocol) (C(-1) for all), C(from_port),
          C(to_port), C(source_group_id) and C(description).
      type: list
      elements: dict
      sample: [{"protocol": "-1", "from_port": null, "to_port": null, "source_group_id": "sg-0fedcba9876543210",
                "description": "From the shared node security group"}]
changes:
  description:
    - The changes made (or that would be made, in check mode), one record per group that gets rules, with the
      C(resource), the C(action) (V(authorize)), C(why) (the rules), the API C(call) and its C(params). Empty when
      nothing changes.
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "security group sg-0123456789abcdef0", "action": "authorize",
            "why": "ingress all traffic from sg-0fedcba9876543210", "call": "authorize_security_group_ingress",
            "params": {"GroupId": "sg-0123456789abcdef0", "IpPermissions": [{"IpProtocol": "-1",
            "UserIdGroupPairs": [{"GroupId": "sg-0fedcba9876543210"}]}]}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.security_group_rules import ensure

RULE = dict(
    group_id=dict(type="str", required=True),
    source_group_id=dict(type="str", required=True),
    protocol=dict(type="str", default="all"),
    from_port=dict(type="int"),
    to_port=dict(type="int"),
    description=dict(type="str"),
)
ARGUMENT_SPEC = eks.argument_spec(rules=dict(type="list", elements="dict", required=True, options=RULE))


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
