#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_self_managed_nodegroup
short_description: Manage one self-managed nodegroup of an Amazon EKS cluster (an Auto Scaling group)
version_added: 0.1.0
description:
  - Create, update or delete the Auto Scaling group of a self-managed nodegroup (eksctl C(nodeGroups)). The nodes
    run from a launch template (made by M(aews.eks.eks_launch_template), its data from the
    P(aews.eks.self_managed_launch_template#filter) filter, with the EKS-optimized AMI, the user data that joins the
    node, the instance profile of the node role, the node security groups), across the subnets given.
  - The group is named C(CLUSTER-NAME) and tagged C(kubernetes.io/cluster/CLUSTER=owned) and
    C(aews.eks/self-managed-nodegroup=NAME), with every tag propagated to the instances at launch.
  - Sizes, subnets, tags, metrics, target groups, classic load balancers and the instances distribution change in
    place. A new launch template (or version, or instance types) is given to the group and rolled through its nodes
    with an instance refresh that keeps at least the share of O(update_config) in service; nodes left on an older
    version by an interrupted run are rolled by the next run.
  - O(state=absent) scales the group to zero first (its nodes terminate), then deletes it.
  - The node's access to the cluster (an access entry of type C(EC2_LINUX) / C(EC2_WINDOWS), or the aws-auth
    ConfigMap entry) is not made here, see M(aews.eks.eks_access_entry) and the C(aews.eks.nodegroup) role.
  - Every change is a record of C(changes); check mode makes no change and returns the group as predicted.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description: Name of the EKS cluster the nodes join.
    type: str
    required: true
  name:
    description: Name of the nodegroup (1 to 63 letters, digits, C(-) and C(_)).
    type: str
    required: true
  state:
    description: V(absent) scales the group to zero and deletes it.
    type: str
    choices: [present, absent]
    default: present
  launch_template:
    description:
      - The nodes' launch template, by O(launch_template.name) or O(launch_template.id). Required to create.
    type: dict
    suboptions:
      name:
        description: Name of the template.
        type: str
      id:
        description: ID of the template.
        type: str
      version:
        description: A version number, V($Latest) or V($Default) (the default).
        type: str
  subnet_ids:
    description: Subnets the nodes run in (one or more zones). Required to create.
    type: list
    elements: str
  min_size:
    description: Fewest nodes. Required to create.
    type: int
  max_size:
    description: Most nodes. Required to create.
    type: int
  desired_size:
    description:
      - Nodes wanted. When not set, a new group starts at O(min_size) and an existing one keeps its desired capacity
        (a cluster autoscaler may own it).
    type: int
  instances_distribution:
    description:
      - Mixed instance types and On-Demand / Spot capacity (eksctl C(instancesDistribution)), as the group's
        MixedInstancesPolicy. Without it, the group runs the launch template's instance type, On-Demand.
    type: dict
    suboptions:
      instance_types:
        description: The instance types, in order of priority.
        type: list
        elements: str
        required: true
      max_price:
        description: The most paid per hour for a Spot instance (the On-Demand price when not set).
        type: str
      on_demand_base_capacity:
        description: Nodes always On-Demand (AWS's default 0).
        type: int
      on_demand_percentage_above_base_capacity:
        description: Percentage of On-Demand nodes above the base (AWS's default 100; 0 is all Spot).
        type: int
      on_demand_allocation_strategy:
        description: V(prioritized) (default) or V(lowest-price).
        type: str
      spot_allocation_strategy:
        description: V(lowest-price) (default), V(capacity-optimized), V(capacity-optimized-prioritized) or V(price-capacity-optimized).
        type: str
      spot_instance_pools:
        description: Spot pools with V(lowest-price) (default 2).
        type: int
  capacity_rebalance:
    description: Replace Spot nodes at an elevated risk of interruption. Not set, left as it is.
    type: bool
  metrics_collection:
    description:
      - The group metrics collected at one-minute granularity (eksctl C(asgMetricsCollection)), exactly; V(all) for
        every one; V([]) for none. Not set, left as they are.
    type: list
    elements: str
  target_group_arns:
    description: The ELB target groups the nodes register with, exactly. Not set, left as they are.
    type: list
    elements: str
  load_balancer_names:
    description: The classic load balancers the nodes register with, exactly. Not set, left as they are.
    type: list
    elements: str
  update_config:
    description:
      - How many nodes an instance refresh takes out of service at once. Without either key, 10 percent
        (the refresh's minimum healthy percentage 90).
    type: dict
    suboptions:
      max_unavailable:
        description: A number of nodes (the minimum healthy percentage is what stays of the desired capacity).
        type: int
      max_unavailable_percentage:
        description: A percentage of the nodes (the minimum healthy percentage is 100 minus it).
        type: int
  instance_refresh:
    description: Roll the nodes when the launch template or the instance types change (or nodes run an older version).
    type: bool
    default: true
  tags:
    description: Tags of the group, propagated to its instances at launch.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not in O(tags) (the two tags the module sets stay).
    type: bool
    default: true
  wait:
    description:
      - Wait until the nodes are in service and the instance refresh this run started has ended (a failed refresh
        fails the module); with O(state=absent), until the group is gone.
      - A delete always waits for the nodes to terminate before deleting the group; a refresh waits for one under way.
      - E(AEWS_EKS_WAIT_DELAY) sets the seconds between polls.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait in all.
    type: int
    default: 1200
attributes:
  check_mode:
    description: Makes no change and returns the predicted group and changes.
    support: full
  diff_mode:
    description: Returns the group before and after.
    support: full
seealso:
  - module: aews.eks.eks_self_managed_nodegroup_info
  - module: aews.eks.eks_launch_template
  - module: aews.eks.eks_access_entry
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two to four nodes across two subnets, from the launch template made before
  aews.eks.eks_self_managed_nodegroup:
    cluster_name: myeks
    name: ng-workers
    launch_template:
      name: myeks-ng-workers
      version: "{{ template.version }}"
    subnet_ids: [subnet-0a1b2c3d4e5f60718, subnet-0f1e2d3c4b5a69788]
    min_size: 2
    desired_size: 2
    max_size: 4
    metrics_collection: [all]
    update_config:
      max_unavailable: 1
    tags:
      Name: myeks-ng-workers-Node

- name: Mostly Spot, two On-Demand nodes at least
  aews.eks.eks_self_managed_nodegroup:
    cluster_name: myeks
    name: ng-spot
    launch_template: {name: myeks-ng-spot, version: "3"}
    subnet_ids: [subnet-0a1b2c3d4e5f60718]
    min_size: 2
    max_size: 10
    instances_distribution:
      instance_types: [m5.large, m5a.large, m6i.large]
      on_demand_base_capacity: 2
      on_demand_percentage_above_base_capacity: 0
      spot_allocation_strategy: price-capacity-optimized

- name: Delete it (scaled to zero first)
  aews.eks.eks_self_managed_nodegroup:
    cluster_name: myeks
    name: ng-spot
    state: absent
"""

RETURN = r"""
self_managed_nodegroup:
  description: The nodegroup (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The nodegroup's name.
      type: str
    cluster_name:
      description: The cluster.
      type: str
    auto_scaling_group_name:
      description: C(CLUSTER-NAME).
      type: str
    arn:
      description: The group's ARN (null in check mode before it exists).
      type: str
    min_size:
      description: Fewest nodes.
      type: int
    max_size:
      description: Most nodes.
      type: int
    desired_size:
      description: Desired capacity.
      type: int
    subnet_ids:
      description: Subnets, sorted.
      type: list
      elements: str
    launch_template:
      description: C(id), C(name) and C(version) of the launch template the group launches from.
      type: dict
    instance_types:
      description: The types of the instances distribution (empty without one).
      type: list
      elements: str
    instances_distribution:
      description: The InstancesDistribution in snake_case, or null.
      type: dict
    enabled_metrics:
      description: Metrics collected.
      type: list
      elements: str
    target_group_arns:
      description: Target groups.
      type: list
      elements: str
    load_balancer_names:
      description: Classic load balancers.
      type: list
      elements: str
    tags:
      description: Tags of the group (all propagated at launch).
      type: dict
    instances:
      description: The nodes, each with C(instance_id), C(lifecycle_state), C(health_status), C(availability_zone),
        C(instance_type) and the C(launch_template_version) it was launched from.
      type: list
      elements: dict
    instance_refresh:
      description: The latest instance refresh (C(id), C(status), C(percentage_complete), C(min_healthy_percentage)), or null.
      type: dict
changes:
  description: The changes made (in check mode, to be made), in order, one record per AWS call.
  returned: always
  type: list
  elements: dict
  sample:
    - resource: self-managed nodegroup ng-workers
      action: refresh
      why: replaces the 2 nodes with the new launch template, rolling with at least 50% of the nodes in service
      call: start_instance_refresh
      params: {AutoScalingGroupName: myeks-ng-workers, Strategy: Rolling, Preferences: {MinHealthyPercentage: 50}}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE, eks.WAIT],
    name=dict(type="str", required=True),
    launch_template=dict(
        type="dict", options=dict(name=dict(type="str"), id=dict(type="str"), version=dict(type="str"))
    ),
    subnet_ids=dict(type="list", elements="str"),
    min_size=dict(type="int"),
    max_size=dict(type="int"),
    desired_size=dict(type="int"),
    instances_distribution=dict(
        type="dict",
        options=dict(
            instance_types=dict(type="list", elements="str", required=True),
            max_price=dict(type="str"),
            on_demand_base_capacity=dict(type="int"),
            on_demand_percentage_above_base_capacity=dict(type="int"),
            on_demand_allocation_strategy=dict(type="str"),
            spot_allocation_strategy=dict(type="str"),
            spot_instance_pools=dict(type="int"),
        ),
    ),
    capacity_rebalance=dict(type="bool"),
    metrics_collection=dict(type="list", elements="str"),
    target_group_arns=dict(type="list", elements="str"),
    load_balancer_names=dict(type="list", elements="str"),
    update_config=dict(
        type="dict", options=dict(max_unavailable=dict(type="int"), max_unavailable_percentage=dict(type="int"))
    ),
    instance_refresh=dict(type="bool", default=True),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
