#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_vpc
short_description: Create or converge the VPC of an EKS cluster as eksctl makes it, in one run
version_added: 0.1.0
description:
  - The VPC with its CIDR and DNS settings, a public and a private subnet per availability zone with their tags
    (C(Name), C(kubernetes.io/role/elb) on public subnets, C(kubernetes.io/role/internal-elb) on private ones, the
    ownership tag C(aews.eks/cluster-name)), public subnets mapping public IPs on launch, an internet gateway and the
    public route table, elastic IPs and NAT gateways (one, one per zone, or none), and one private route table per
    zone routing through its NAT gateway.
  - Every resource is found by its C(Name) tag (the VPC also by the ownership tag), so a run interrupted anywhere
    resumes where it stopped; an elastic IP an earlier attempt allocated is used rather than a second one, and NAT
    gateways are created with a client token, so a create repeated after a lost answer never makes a second one.
  - Changes are planned first and applied in order. The CIDR or zone of an existing VPC or subnet that differs from
    the one asked for fails before any change, naming the subnet, both values and the option.
  - EC2 answering C(NotFound) for an id it handed out a moment ago is tried again within the module (for up to 30
    seconds per call), and throttling with backoff; the waits are listed in RV(waits).
  - Does not wait for NAT gateways to become C(available) unless O(wait_nat=true), so the next stage can start
    while they are pending.
  - With O(vpc_id), adopts an existing VPC instead. It changes nothing and checks that the subnets of
    O(subnet_ids) exist in that VPC, in their zones, with the CIDRs of O(subnet_cidrs).
  - Tags are converged with O(purge_tags). Routes other than the default route of each table are left alone,
    and so are NAT gateways no longer needed when O(nat) changes.
  - With O(security_groups), the VPC's security groups are converged in the same run once the VPC is made or
    adopted, as M(aews.eks.eks_security_groups) converges its O(aews.eks.eks_security_groups#module:groups) (its own
    code, the same checks, changes and waits), and returned in RV(security_groups). They are read in one
    C(DescribeSecurityGroups) call, and not at all in a VPC the run makes (nothing is in it yet). Their change records
    follow the VPC's in RV(changes), and the diff shows them under C(security_groups).
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description:
      - The cluster name. Resources are named C(NAME-vpc), C(NAME-public-ZONE), C(NAME-private-ZONE), C(NAME-igw),
        C(NAME-public), C(NAME-private-ZONE), C(NAME-nat-ZONE), and tagged C(aews.eks/cluster-name=NAME).
    type: str
    required: true
  cidr:
    description: The VPC's IPv4 CIDR block. Required unless O(vpc_id) is given.
    type: str
  dns_support:
    description: DNS resolution in the VPC (C(enableDnsSupport)).
    type: bool
    default: true
  dns_hostnames:
    description: DNS hostnames for instances (C(enableDnsHostnames)); EKS needs both for private endpoints.
    type: bool
    default: true
  subnets:
    description:
      - C(public) and C(private), each a dict of availability zone to CIDR, with the same zones in the same order.
        The first zone holds the NAT gateway when O(nat=single).
    type: dict
  nat:
    description: One NAT gateway for all zones, one per zone, or none (private subnets without outbound access).
    type: str
    choices: [single, highly_available, disabled]
    default: single
  private_only:
    description:
      - The VPC of a fully private cluster (eksctl C(privateCluster)) - private subnets only (O(subnets) gives no
        C(public)), no internet gateway, no public route table, and O(nat=disabled); each private route table has no
        default route. Its VPC endpoints are made by M(aews.eks.eks_vpc_endpoints).
      - A public subnet or internet gateway left from before is not removed.
    type: bool
    default: false
  hostname_type:
    description:
      - The hostname of the instances the subnets launch (C(PrivateDnsHostnameTypeOnLaunch)) - C(resource-name)
        (the instance ID) or C(ip-name) (the private IPv4 address, EC2's default), set on every subnet and changed in
        place.
      - Unset, the subnets keep what they have.
    type: str
    choices: [resource-name, ip-name]
  tags:
    description: Tags of every resource, besides C(Name) and the ownership tag.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not asked for (C(aws:) tags are never removed).
    type: bool
    default: true
  wait_nat:
    description: Wait until the NAT gateways are C(available) (they take one to a few minutes).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the NAT gateways with O(wait_nat=true).
    type: int
    default: 600
  vpc_id:
    description: Adopt this existing VPC; nothing is created or changed. O(subnet_ids) gives its subnets.
    type: str
  subnet_ids:
    description: With O(vpc_id), C(public) and C(private), each a dict of zone to subnet id.
    type: dict
  subnet_cidrs:
    description:
      - With O(vpc_id), C(public) and C(private), each a dict of zone to the CIDR the subnet of O(subnet_ids) must
        have (eksctl's C(cidr) given with a subnet C(id)); a different CIDR fails naming the subnet and both CIDRs.
    type: dict
  security_groups:
    description:
      - Security groups of the VPC by name, with their tags and ingress rules, converged after the VPC (made or
        adopted) in the same run; the list M(aews.eks.eks_security_groups) takes as
        O(aews.eks.eks_security_groups#module:groups) (the vpc role builds it with the filter
        C(aews.eks.vpc_security_groups)). Their tags are purged with O(purge_tags).
      - Bad input fails before any call, naming C(security_groups[N]) and the field.
      - A group is created in a VPC EC2 does not know yet (made a moment ago) once EC2 knows it (up to 30 seconds);
        a group with O(security_groups[].state=absent) that something still uses is deleted once it lets go (up to
        300 seconds).
      - In check mode, groups of a VPC still to be made are predicted without a read, with a null C(group_id).
      - Unset, no group is read or changed.
    type: list
    elements: dict
    suboptions:
      name:
        description: The group's name (unique in the VPC).
        type: str
        required: true
      description:
        description: The group's description, set when it is created; required unless O(security_groups[].state=absent).
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
          - Ingress rules, each from exactly one source (O(security_groups[].rules[].group_name),
            O(security_groups[].rules[].group_id), O(security_groups[].rules[].cidr_ip) or
            O(security_groups[].rules[].cidr_ipv6)). A rule already there with another description is not changed.
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
            description: The last port (defaults to O(security_groups[].rules[].from_port)).
            type: int
          group_name:
            description: A group of O(security_groups) as the source (the group itself for traffic among its members).
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
        description: Remove the group's ingress rules that O(security_groups[].rules) does not list.
        type: bool
        default: false
attributes:
  check_mode:
    description: Reads only, and returns the changes and the end state a real run would make.
    support: full
  diff_mode:
    description:
      - Before and after of what the definition controls, in a stable order; nothing only AWS sets, besides the
        ids route targets name.
    support: full
notes:
  - The seconds between polls of pending NAT gateways and between attempts of a call EC2 answered C(NotFound) can
    be set with the E(AEWS_EKS_WAIT_DELAY) environment variable.
seealso:
  - module: aews.eks.eks_security_groups
  - module: aews.eks.eks_vpc_cleanup
  - module: aews.eks.eks_cluster
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The VPC of cluster myeks, eksctl's split of 192.168.0.0/16 over two zones
  aews.eks.eks_vpc:
    name: myeks
    cidr: 192.168.0.0/16
    subnets:
      public:
        ap-northeast-2a: 192.168.0.0/19
        ap-northeast-2c: 192.168.32.0/19
      private:
        ap-northeast-2a: 192.168.64.0/19
        ap-northeast-2c: 192.168.96.0/19
    nat: single
    tags:
      team: platform
  register: network

- name: The VPC and its control-plane and shared node security groups, in one run
  aews.eks.eks_vpc:
    name: myeks
    cidr: 192.168.0.0/16
    subnets: "{{ my_subnets }}"
    security_groups:
      - name: myeks-control-plane
        description: Communication between the control plane and worker nodegroups of myeks
        tags: {Name: myeks-control-plane}
      - name: myeks-shared-nodes
        description: Communication between all nodes of myeks
        tags: {Name: myeks-shared-nodes}
        rules:
          - group_name: myeks-shared-nodes
            description: Nodes to nodes
  register: network  # network.security_groups['myeks-shared-nodes'].group_id

- name: Wait for the NAT gateways before nodes in private subnets start
  aews.eks.eks_vpc:
    name: myeks
    cidr: 192.168.0.0/16
    subnets: "{{ my_subnets }}"
    wait_nat: true

- name: Adopt an existing VPC, checking its subnets' CIDRs
  aews.eks.eks_vpc:
    name: myeks
    vpc_id: vpc-0123456789abcdef0
    subnet_ids:
      public: {ap-northeast-2a: subnet-0a, ap-northeast-2c: subnet-0c}
      private: {ap-northeast-2a: subnet-1a, ap-northeast-2c: subnet-1c}
    subnet_cidrs:
      public: {ap-northeast-2a: 10.0.0.0/24}
    security_groups:
      - name: myeks-control-plane
        description: Communication between the control plane and worker nodegroups of myeks
        tags: {Name: myeks-control-plane}
"""

RETURN = r"""
vpc:
  description: The VPC (in check mode, C(id) is null when it is still to be created).
  returned: always
  type: dict
  sample: {"id": "vpc-0123456789abcdef0", "cidr_block": "192.168.0.0/16"}
subnet_ids:
  description: C(public) and C(private), each zone to subnet id (null in check mode for a subnet still to be created).
  returned: always
  type: dict
  sample: {"public": {"ap-northeast-2a": "subnet-0a"}, "private": {"ap-northeast-2a": "subnet-1a"}}
nat_gateways:
  description: Zone to C(id) and C(state) of its NAT gateway (C(pending) until available).
  returned: always
  type: dict
  sample: {"ap-northeast-2a": {"id": "nat-0123456789abcdef0", "state": "pending"}}
free_addresses:
  description:
    - Subnet id to its free IPv4 addresses (C(AvailableIpAddressCount)) as read at the start of the run, and for a
      subnet the run creates as C(CreateSubnet) answered (none in check mode).
  returned: always
  type: dict
  sample: {"subnet-0a": 8186}
changes:
  description: The changes made (in check mode, to be made), in order, one record per EC2 call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: The resource by its Name tag.
      type: str
    action:
      description:
        - The step (create_vpc, create_subnet, tag, create_nat, create_route, replace_route, associate ...); for a
          security group (C(security group NAME)), V(create), V(authorize), V(revoke), V(tag), V(untag) or V(delete).
      type: str
    why:
      description: The change, for a person to read.
      type: str
    call:
      description: The EC2 operation that makes the change (snake_case).
      type: str
    params:
      description: The step's values; resources still to be made are named by their logical keys.
      type: dict
  sample:
    - resource: myeks-vpc
      action: create_vpc
      why: create VPC myeks-vpc (192.168.0.0/16)
      call: create_vpc
      params: {key: vpc, cidr: 192.168.0.0/16, tags: {Name: myeks-vpc}}
waits:
  description: The calls tried again because EC2 did not yet know an id it had just handed out, and how long.
  returned: always
  type: list
  elements: str
  sample: ["CreateRoute rtb-0a: waited 2s over 2 attempts (EC2 did not yet know an id it had just handed out)"]
security_groups:
  description:
    - With O(security_groups), the groups by name after the run, as M(aews.eks.eks_security_groups) returns them (in
      check mode, predicted; C(group_id) is null for a group still to be created).
  returned: when O(security_groups) is given
  type: dict
  sample: {"myeks-shared-nodes": {"group_id": "sg-0123456789abcdef0", "group_name": "myeks-shared-nodes",
           "vpc_id": "vpc-0123456789abcdef0", "description": "Communication between all nodes of myeks",
           "tags": {"Name": "myeks-shared-nodes"}, "ingress": [{"protocol": "-1", "from_port": null,
           "to_port": null, "source": "group_id", "value": "sg-0123456789abcdef0", "description": "Nodes to nodes"}]}}
diff:
  description:
    - With C(--diff), C(before) and C(after), each with C(vpc) (name, CIDR, DNS settings, tags), C(subnets) by name
      (CIDR, zone, C(map_public_ip_on_launch), tags), C(internet_gateway), C(route_tables) by name (routes by
      destination, with the target's id, and associated subnets) and C(nat_gateways) by zone (subnet, elastic IP);
      with O(security_groups), C(security_groups) as RV(security_groups) shows them (C(before) has those there).
  returned: with --diff
  type: dict
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.security_groups import GROUP_SPEC
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc import HOSTNAME_TYPES
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc import NAT_MODES
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc import ensure

ARGUMENT_SPEC = eks.argument_spec(
    name=dict(type="str", required=True),
    cidr=dict(type="str"),
    dns_support=dict(type="bool", default=True),
    dns_hostnames=dict(type="bool", default=True),
    subnets=dict(type="dict"),
    nat=dict(type="str", choices=list(NAT_MODES), default="single"),
    private_only=dict(type="bool", default=False),
    hostname_type=dict(type="str", choices=list(HOSTNAME_TYPES)),
    tags=dict(type="dict", default={}),
    purge_tags=dict(type="bool", default=True),
    wait_nat=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=600),
    vpc_id=dict(type="str"),
    subnet_ids=dict(type="dict"),
    subnet_cidrs=dict(type="dict"),
    security_groups=dict(type="list", elements="dict", options=GROUP_SPEC),
)
CONSTRAINTS = dict(
    required_one_of=[("cidr", "vpc_id")],
    mutually_exclusive=[("cidr", "vpc_id"), ("subnets", "vpc_id"), ("hostname_type", "vpc_id")],
    required_by={"subnet_ids": "vpc_id", "subnet_cidrs": "vpc_id"},
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure, **CONSTRAINTS)


if __name__ == "__main__":
    main()
