#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_fargate_profile
short_description: Manage one Fargate profile of an Amazon EKS cluster
version_added: 0.1.0
description:
  - Create, replace or delete one Fargate profile of an EKS cluster (C(eksctl create fargateprofile),
    C(fargateProfiles)) with the pod execution role, the selectors (namespace and labels) of the pods that run on
    Fargate, the private subnets they run in, and tags.
  - EKS cannot change a Fargate profile but for its tags. A different O(pod_execution_role_arn), O(selectors) or
    O(subnets) replaces the profile (deleted, then created again; its pods are rescheduled). Check mode says so in
    C(changes) (C(replace) with the attributes and the reason) and in a warning.
  - Fargate runs pods in private subnets only. Each subnet of O(subnets) is checked before any change (it exists,
    it is in the cluster's VPC, its route table sends no traffic to an internet gateway) and the module fails naming
    each subnet that is not. Without O(subnets), EKS uses the cluster's private subnets.
  - EKS creates or deletes one Fargate profile of a cluster at a time. The module waits until no other profile of
    the cluster is being created or deleted, then makes its call.
  - The input is checked before any AWS call and the module fails with every problem, each by its option path.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster. It must exist (and be ACTIVE to create a profile).
    type: str
    required: true
  name:
    description:
      - Name of the Fargate profile.
    type: str
    required: true
    aliases: [fargate_profile_name]
  pod_execution_role_arn:
    description:
      - ARN of the IAM role the Fargate infrastructure uses for the pods (it trusts C(eks-fargate-pods.amazonaws.com)
        and carries C(AmazonEKSFargatePodExecutionRolePolicy)). Required with O(state=present).
    type: str
  selectors:
    description:
      - The pods that run on Fargate, 1 to 5 selectors, each a namespace and up to 5 labels a pod must all carry.
        Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      namespace:
        description: The namespace of the pods.
        type: str
        required: true
      labels:
        description: Labels the pods must carry.
        type: dict
  subnets:
    description:
      - IDs of private subnets of the cluster's VPC. When not set, a new profile gets the cluster's private subnets
        (as EKS chooses them) and an existing profile keeps its subnets.
    type: list
    elements: str
  state:
    description:
      - V(absent) deletes the profile (its pods stop).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until the profile is ACTIVE, or deleted with O(state=absent).
      - A replacement always waits for the old profile to be deleted before creating the new one.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all, the turn among the cluster's other profiles included.
    type: int
    default: 1200
attributes:
  check_mode:
    description: Makes no change and returns the predicted profile and changes (a replacement said as such).
    support: full
  diff_mode:
    description: Returns the profile before and after.
    support: full
seealso:
  - module: aews.eks.eks_fargate_profile_info
  - module: aews.eks.eks_cluster
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - aews.eks.iam_propagation
"""

EXAMPLES = r"""
- name: Pods of kube-system and of the batch namespace labelled fargate=true run on Fargate
  aews.eks.eks_fargate_profile:
    cluster_name: myeks
    name: fp-default
    pod_execution_role_arn: arn:aws:iam::123456789012:role/myeks-fargate-pods
    selectors:
      - namespace: kube-system
      - namespace: batch
        labels:
          fargate: "true"
    subnets: [subnet-0a1b2c3d4e5f60718, subnet-0f1e2d3c4b5a69788]
    tags:
      team: platform

- name: Delete a profile
  aews.eks.eks_fargate_profile:
    cluster_name: myeks
    name: fp-default
    state: absent
"""

RETURN = r"""
fargate_profile:
  description: The Fargate profile (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    fargate_profile_name:
      description: Name of the profile.
      type: str
      sample: fp-default
    fargate_profile_arn:
      description: ARN of the profile.
      type: str
      returned: when the profile exists
    pod_execution_role_arn:
      description: ARN of the pod execution role.
      type: str
    selectors:
      description: The selectors, sorted by namespace, each with its labels.
      type: list
      elements: dict
      sample: [{"namespace": "batch", "labels": {"fargate": "true"}}]
    subnets:
      description: The subnet IDs, sorted.
      type: list
      elements: str
    status:
      description: C(CREATING), C(ACTIVE), C(DELETING), C(CREATE_FAILED) or C(DELETE_FAILED).
      type: str
      sample: ACTIVE
    tags:
      description: Tags of the profile.
      type: dict
changes:
  description: The changes made (in check mode, to be made), in order, one record per AWS call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: What changes.
      type: str
    action:
      description: The verb (create, update, tag, untag, associate, disassociate, delete ...).
      type: str
    why:
      description: What differs, for a person to read.
      type: str
    call:
      description: The AWS operation that makes the change (snake_case).
      type: str
    params:
      description: Its parameters.
      type: dict
  sample:
    - resource: Fargate profile fp-default
      action: delete
      why: "selectors changed: EKS cannot change a Fargate profile: it is deleted and created again, and its pods are
        rescheduled"
      call: delete_fargate_profile
      params: {clusterName: myeks, fargateProfileName: fp-default}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.fargate import ensure_fargate_profile

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE, eks.WAIT, eks.IAM_PROPAGATION],
    name=dict(type="str", required=True, aliases=["fargate_profile_name"]),
    pod_execution_role_arn=dict(type="str"),
    selectors=dict(
        type="list",
        elements="dict",
        options=dict(namespace=dict(type="str", required=True), labels=dict(type="dict")),
    ),
    subnets=dict(type="list", elements="str"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_fargate_profile)


if __name__ == "__main__":
    main()
