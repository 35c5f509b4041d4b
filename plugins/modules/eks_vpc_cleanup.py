#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_vpc_cleanup
short_description: Delete the VPC of an EKS cluster and what Kubernetes left in it for the cluster
version_added: 0.1.0
description:
  - The last step of a teardown, as eksctl does it before deleting a VPC. First what Kubernetes made in the VPC
    for this cluster, and only that, load balancers (ELBv2 and classic) and security groups tagged
    C(kubernetes.io/cluster/NAME=owned) or C(elbv2.k8s.aws/cluster=NAME), the rules of other groups naming the
    groups that go, and the C(available) network interfaces the VPC CNI tagged C(cluster.k8s.amazonaws.com/name=NAME).
  - Then what carries the ownership tag C(aews.eks/cluster-name=NAME), in dependency order. NAT gateways come
    first and are waited for until C(deleted), and only then are their elastic IPs released. Internet gateways
    are detached and deleted, then route tables, subnets, security groups and the VPC.
  - Resources are read by their VPC's id, and each is kept only when its own tags name this cluster; a filter's
    answer is never trusted alone. A VPC, subnet or security group of the same name without the tag, or
    another cluster's resources, are left alone.
  - A delete refused because something still uses the resource (C(DependencyViolation), an address in use)
    is tried again until O(dependency_timeout). What still cannot be deleted is named with the reason,
    and the module fails. A re-run continues with what is left.
  - Check mode reads only and returns what would be deleted.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - The cluster whose VPC is torn down. Its VPCs are those tagged C(aews.eks/cluster-name) with this name.
    type: str
    required: true
  vpc_ids:
    description:
      - VPCs the cluster adopted (not made by the collection). What Kubernetes left in them and the
        collection's resources tagged for this cluster are deleted. The VPCs themselves are kept, unless
        they carry the ownership tag.
    type: list
    elements: str
  kubernetes_only:
    description:
      - Delete only what Kubernetes left for the cluster (load balancers, their security groups and the rules naming
        them, available CNI network interfaces), as a teardown does before it deletes the cluster, whose security
        group those rules name.
    type: bool
    default: false
  nodegroup_leftovers:
    description:
      - Also delete the nodegroups' launch templates and SSH key pairs, as a teardown does once the cluster and its
        nodegroups are gone. A launch template goes when it is named after the cluster (C(NAME-...)) and carries the
        ownership tag, on the template or in the tags one of its versions gives instances; a key pair when it
        carries the ownership tag. Ignored with O(kubernetes_only).
    type: bool
    default: false
  dependency_timeout:
    description:
      - Seconds in all to wait out deletes refused because of a dependency before reporting them.
    type: int
    default: 300
  nat_gateway_timeout:
    description:
      - Seconds to wait for the NAT gateways to be C(deleted).
    type: int
    default: 600
attributes:
  check_mode:
    description: Reads only, and returns what would be deleted.
    support: full
  diff_mode:
    description: Not supported.
    support: none
notes:
  - The seconds between polls of the NAT gateways and between attempts of a refused delete can be set with
    the E(AEWS_EKS_WAIT_DELAY) environment variable.
seealso:
  - module: aews.eks.eks_cluster
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Delete the cluster's VPC and what Kubernetes left in it
  aews.eks.eks_vpc_cleanup:
    cluster_name: myeks
    region: ap-northeast-2
  register: cleanup

- name: The same, with the nodegroups' launch templates and key pairs (the cluster deleted already)
  aews.eks.eks_vpc_cleanup:
    cluster_name: myeks
    nodegroup_leftovers: true

- name: See what a teardown would delete
  aews.eks.eks_vpc_cleanup:
    cluster_name: myeks
  check_mode: true
"""

RETURN = r"""
deleted:
  description: What was deleted (in check mode, what would be), in the order of the deletions.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description:
        - One of C(load_balancer), C(rule) (rules of a group naming a group that goes),
          C(kubernetes_security_group), C(network_interface), C(vpc_endpoint), C(launch_template), C(key_pair),
          C(nat_gateway), C(address),
          C(internet_gateway), C(route_table), C(subnet), C(security_group), C(vpc).
      type: str
      sample: nat_gateway
    id:
      description: Its id (the ARN or name of a load balancer, the allocation id of an address, the name of a key
        pair).
      type: str
      sample: nat-0123456789abcdef0
    name:
      description: Its C(Name) tag or name.
      type: str
      sample: myeks-nat-ap-northeast-2a
failed:
  description: What could not be deleted, each with C(type), C(id), C(name) and C(reason).
  returned: always
  type: list
  elements: dict
  sample: []
changes:
  description:
    - A change record of each deletion made (in check mode, that would be), in order, with C(resource), C(action)
      (V(delete), or V(revoke) for rules), C(why) (how it belongs to the cluster), C(call) and C(params).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "nat gateway nat-0123456789abcdef0", "action": "delete", "why": "tagged for cluster myeks",
            "call": "delete_nat_gateway", "params": {"id": "nat-0123456789abcdef0"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.vpc_cleanup import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME],
    vpc_ids=dict(type="list", elements="str"),
    kubernetes_only=dict(type="bool", default=False),
    nodegroup_leftovers=dict(type="bool", default=False),
    dependency_timeout=dict(type="int", default=300),
    nat_gateway_timeout=dict(type="int", default=600),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
