#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_access_entry
short_description: Manage one access entry of an Amazon EKS cluster and its access policies
version_added: 0.1.0
description:
  - Create, update in place, or delete the access entry of one IAM principal (role or user) in an EKS cluster,
    with its Kubernetes groups, username, tags and the EKS access policies associated with it, each scoped to the
    cluster or to namespaces (C(eksctl create accessentry), C(accessConfig.accessEntries)).
  - The cluster's authentication mode must be C(API) or C(API_AND_CONFIG_MAP); with C(CONFIG_MAP) the module fails
    before any change and says so.
  - Every option is checked before any AWS call (the principal and policy ARNs, scopes, groups and username
    EKS reserves) and the module fails with every problem it finds, each by its option path.
  - Kubernetes groups and the username are updated in place (C(UpdateAccessEntry)); access policies are associated
    (C(AssociateAccessPolicy), which also changes the scope of an associated one) and disassociated
    (C(DisassociateAccessPolicy)); tags with C(TagResource) / C(UntagResource). The type cannot change, a different
    type fails before any change.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster. It must exist.
    type: str
    required: true
  principal_arn:
    description:
      - ARN of the IAM role or user, C(arn:aws:iam::ACCOUNT:role/NAME) or C(arn:aws:iam::ACCOUNT:user/NAME).
    type: str
    required: true
  type:
    description:
      - Type of the access entry. The node types (C(EC2_LINUX), C(EC2_WINDOWS), C(FARGATE_LINUX), C(HYBRID_LINUX),
        C(EC2), C(HYPERPOD_LINUX)) get their groups and username from EKS and take no access policy.
      - Set only when the entry is created; a different type fails.
    type: str
    choices: [STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, EC2, HYBRID_LINUX, HYPERPOD_LINUX]
    default: STANDARD
  kubernetes_groups:
    description:
      - Kubernetes groups of the principal (STANDARD only), for RBAC bindings. Exclusive when set (an empty list
        removes them all); left as they are when not set. Groups starting with C(system:) are refused.
    type: list
    elements: str
  username:
    description:
      - Kubernetes username of the principal (STANDARD only). Left as it is when not set; a new entry gets EKS's
        default (the role's assumed-role ARN with the session name, or the user's ARN).
    type: str
  access_policies:
    description:
      - The EKS access policies associated with the entry (STANDARD only). Exclusive when set, policies not listed
        are disassociated (an empty list removes them all). Left as they are when not set.
    type: list
    elements: dict
    suboptions:
      policy_arn:
        description: ARN of the access policy, C(arn:aws:eks::aws:cluster-access-policy/NAME).
        type: str
        required: true
      access_scope:
        description: Where the policy applies.
        type: dict
        suboptions:
          type:
            description: V(cluster) or V(namespace).
            type: str
            choices: [cluster, namespace]
            default: cluster
          namespaces:
            description: The namespaces, for O(access_policies[].access_scope.type=namespace).
            type: list
            elements: str
  state:
    description:
      - V(absent) deletes the access entry (its access policies go with it).
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Makes no change and returns the predicted access entry and changes.
    support: full
  diff_mode:
    description: Returns the access entry before and after.
    support: full
seealso:
  - module: aews.eks.eks_access_entry_info
  - module: aews.eks.eks_cluster
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Cluster admin for a role
  aews.eks.eks_access_entry:
    cluster_name: myeks
    principal_arn: arn:aws:iam::123456789012:role/platform-admin
    access_policies:
      - policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy

- name: Read-only in two namespaces, with a group for RBAC
  aews.eks.eks_access_entry:
    cluster_name: myeks
    principal_arn: arn:aws:iam::123456789012:role/dev
    kubernetes_groups: [dev-readers]
    access_policies:
      - policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
        access_scope:
          type: namespace
          namespaces: [dev, staging]
    tags:
      team: dev

- name: Nodes of a self-managed group join the cluster
  aews.eks.eks_access_entry:
    cluster_name: myeks
    principal_arn: arn:aws:iam::123456789012:role/myeks-nodes
    type: EC2_LINUX

- name: Remove an access entry
  aews.eks.eks_access_entry:
    cluster_name: myeks
    principal_arn: arn:aws:iam::123456789012:role/dev
    state: absent
"""

RETURN = r"""
access_entry:
  description: The access entry (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    principal_arn:
      description: ARN of the IAM principal.
      type: str
      sample: arn:aws:iam::123456789012:role/dev
    access_entry_arn:
      description: ARN of the access entry.
      type: str
      returned: when the entry exists
    type:
      description: Type of the access entry.
      type: str
      sample: STANDARD
    kubernetes_groups:
      description: Kubernetes groups, sorted.
      type: list
      elements: str
      sample: [dev-readers]
    username:
      description: Kubernetes username.
      type: str
      sample: arn:aws:sts::123456789012:assumed-role/dev/{{SessionName}}
    access_policies:
      description: The associated access policies, sorted by ARN.
      type: list
      elements: dict
      sample: [{"policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                "access_scope": {"type": "namespace", "namespaces": ["dev"]}}]
    tags:
      description: Tags of the access entry.
      type: dict
      sample: {"team": "dev"}
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
    - resource: access entry arn:aws:iam::123456789012:role/dev
      action: associate
      why: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy (cluster scope)
      call: associate_access_policy
      params: {clusterName: myeks, principalArn: "arn:aws:iam::123456789012:role/dev",
               policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: {type: cluster}}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.access_entry import TYPES
from ansible_collections.aews.eks.plugins.module_utils._eks.access_entry import ensure_access_entry

# One access policy of the entry and where it applies.
ACCESS_SCOPE = dict(
    type=dict(type="str", choices=["cluster", "namespace"], default="cluster"),
    namespaces=dict(type="list", elements="str"),
)
ACCESS_POLICY = dict(policy_arn=dict(type="str", required=True), access_scope=dict(type="dict", options=ACCESS_SCOPE))

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE],
    principal_arn=dict(type="str", required=True),
    type=dict(type="str", choices=list(TYPES), default="STANDARD"),
    kubernetes_groups=dict(type="list", elements="str"),
    username=dict(type="str"),
    access_policies=dict(type="list", elements="dict", options=ACCESS_POLICY),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_access_entry)


if __name__ == "__main__":
    main()
