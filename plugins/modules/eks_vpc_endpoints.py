#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_vpc_endpoints
short_description: The VPC endpoints of a fully private EKS cluster, as eksctl makes them, in one run
version_added: 0.1.0
description:
  - The endpoints nodes without internet access need (eksctl C(privateCluster)) - an interface endpoint with private
    DNS for each of C(ec2), C(ecr.api), C(ecr.dkr), C(sts) and the optional C(cloudformation), C(autoscaling),
    C(logs) in the private subnets of the zones the service is offered in, and a gateway endpoint for C(s3) on the
    route tables of the private subnets.
  - The interface endpoints get the security group C(NAME-vpc-endpoints), which admits HTTPS (tcp/443) from each
    of the VPC's IPv4 CIDR blocks (the primary and the associated secondary ones).
  - The VPC may be one the collection built or one of your own (eksctl C(vpc.id) with C(privateCluster)); nothing
    of the VPC itself, its subnets or its route tables' other routes is changed.
  - Each endpoint is tagged C(Name=NAME-SERVICE) and with the ownership tag C(aews.eks/cluster-name=NAME). An
    endpoint this cluster owns whose service is no longer listed in O(services) is deleted; other endpoints of the
    VPC are left alone.
  - Checked before any change, each problem named - the VPC's C(enableDnsSupport) and C(enableDnsHostnames) are on
    (private DNS needs them; read only with interface endpoints to make), each private subnet has a route table of
    its own (not the VPC's main one, which eksctl does not change either), and no endpoint that is not this
    cluster's stands where one of this cluster's goes - an interface endpoint of a listed service with private DNS
    (EC2 takes one per service and VPC) or an C(s3) gateway endpoint on a private subnet's route table. eksctl
    creates its endpoints regardless and its stack fails there; leave such a service out, or delete that endpoint.
  - Subnets, route tables, the security group and private DNS of an endpoint it owns are changed in place.
  - A service the region does not offer fails before any change, naming it.
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description: The cluster name.
    type: str
    required: true
  vpc_id:
    description:
      - The VPC. In check mode a pending value (C(pending:vpc), a VPC still to be made) predicts every endpoint.
    type: str
    required: true
  subnet_ids:
    description:
      - The private subnets (each with a route table of its own, which the C(s3) gateway endpoint is put on). In
        check mode pending values stand for subnets still to be made.
    type: list
    elements: str
    default: []
  services:
    description:
      - The endpoint services, eksctl's short names. An empty list deletes the endpoints this cluster owns.
    type: list
    elements: str
    choices: [ec2, ecr.api, ecr.dkr, s3, sts, cloudformation, autoscaling, logs]
    default: [ec2, ecr.api, ecr.dkr, s3, sts]
  tags:
    description: Tags of the endpoints and the security group, besides C(Name) and the ownership tag.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not asked for (C(aws:) tags are never removed).
    type: bool
    default: true
  wait:
    description: Wait until the endpoints this cluster owns are C(available).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait=true).
    type: int
    default: 600
attributes:
  check_mode:
    description: Reads only, and returns the changes and the endpoints a real run would make.
    support: full
  diff_mode:
    description: The security group and each endpoint of the VPC by service, before and after.
    support: full
notes:
  - The seconds between polls of pending endpoints can be set with the E(AEWS_EKS_WAIT_DELAY) environment variable.
seealso:
  - module: aews.eks.eks_vpc
  - module: aews.eks.eks_vpc_cleanup
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The endpoints of the fully private cluster myeks, with CloudWatch Logs
  aews.eks.eks_vpc_endpoints:
    name: myeks
    vpc_id: "{{ network.vpc.id }}"
    subnet_ids: "{{ network.subnet_ids.private.values() | list }}"
    services: [ec2, ecr.api, ecr.dkr, s3, sts, logs]
"""

RETURN = r"""
vpc_endpoints:
  description: The endpoint of each service asked for (in check mode, a name in place of the id of one to be made).
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: The short name (C(ec2), C(s3) ...).
      type: str
    service_name:
      description: The endpoint service name (C(com.amazonaws.REGION.SERVICE)).
      type: str
    id:
      description: The endpoint id.
      type: str
    type:
      description: C(Interface) or C(Gateway).
      type: str
    state:
      description: The endpoint's state (C(available) once waited for).
      type: str
    owned:
      description: Whether it carries this cluster's ownership tag.
      type: bool
  sample:
    - {service: s3, service_name: com.amazonaws.ap-northeast-2.s3, id: vpce-0a1b, type: Gateway, state: available,
       owned: true}
security_group_id:
  description: The id of C(NAME-vpc-endpoints) (null in check mode while it is to be created, or without interface
    endpoints).
  returned: always
  type: str
changes:
  description: The changes made (in check mode, to be made), in order, one record per EC2 call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: The endpoint or the security group by name.
      type: str
    action:
      description: create, authorize, update, tag, untag or delete.
      type: str
    why:
      description: The change, for a person to read.
      type: str
    call:
      description: The EC2 operation (snake_case).
      type: str
    params:
      description: Its values; the security group still to be made is named C(group).
      type: dict
diff:
  description: With C(--diff), C(before) and C(after) - the security group and the endpoints by service name.
  returned: with --diff
  type: dict
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc_endpoints import REQUIRED_SERVICES
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc_endpoints import SERVICES
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc_endpoints import ensure

ARGUMENT_SPEC = eks.argument_spec(
    name=dict(type="str", required=True),
    vpc_id=dict(type="str", required=True),
    subnet_ids=dict(type="list", elements="str", default=[]),
    services=dict(type="list", elements="str", choices=list(SERVICES), default=list(REQUIRED_SERVICES)),
    tags=dict(type="dict", default={}),
    purge_tags=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
