#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_iam_role
short_description: Manage one IAM role completely (trust, managed and inline policies, tags) in one run
version_added: 0.1.0
description:
  - The IAM roles of a cluster that are not for service accounts, as eksctl makes them. The cluster service role
    (trusting C(eks.amazonaws.com)) and the node role (trusting C(ec2.amazonaws.com)) of managed nodegroups.
    For the roles of Kubernetes service accounts see M(aews.eks.eks_irsa).
  - One run converges the role, its trust policy, its managed policies, its inline policies and its tags.
  - Policy documents are compared by meaning. Order does not count, and a single C(Action) or C(Resource) equals
    a list of one. IAM returns documents URL-encoded and reordered, so a re-run changes nothing.
  - Check mode makes no change and returns the role as the run would leave it, with the changes it would make.
    In diff mode before and after hold the role without what only AWS sets (ARN, ID, creation date), with the
    documents in canonical form (sorted lists) and the policies and tags sorted.
  - Every option is checked before any AWS call. A malformed policy ARN fails naming the option and the value.
  - IAM is eventually consistent. EKS may refuse a role for a few seconds after its creation or a policy
    attachment. The return value RV(created) tells the next task. M(aews.eks.eks_cluster) and
    M(aews.eks.eks_nodegroup) retry such a refusal for their O(aews.eks.eks_cluster#module:iam_propagation_timeout).
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description:
      - Name of the IAM role.
    type: str
    required: true
    aliases: [role_name]
  path:
    description:
      - Path of the role. Defaults to C(/) when the role is made. IAM cannot change the path of a role. A role
        found under another path makes the module fail.
    type: str
  trusted_service:
    description:
      - The AWS service that assumes the role. The trust policy is the one eksctl writes for it.
      - V(eks.amazonaws.com) (the cluster service role) and V(pods.eks.amazonaws.com) (EKS Pod Identity) may
        use C(sts:AssumeRole) and C(sts:TagSession). V(ec2.amazonaws.com) (nodes) and
        V(eks-fargate-pods.amazonaws.com) (the Fargate pod execution role) may use C(sts:AssumeRole).
      - Mutually exclusive with O(assume_role_policy). One of them is needed to create the role. When
        neither is set, the trust of an existing role is left as it is.
    type: str
    choices: [eks.amazonaws.com, ec2.amazonaws.com, pods.eks.amazonaws.com, eks-fargate-pods.amazonaws.com]
  assume_role_policy:
    description:
      - The whole trust policy document, as a dict or a JSON string.
    type: raw
  managed_policy_arns:
    description:
      - ARNs of the managed policies to attach. With O(purge_policies=true), the only ones attached.
      - Left as they are when not set.
    type: list
    elements: str
    aliases: [managed_policies]
  inline_policies:
    description:
      - Inline policies by name. Each one is a policy document, as a dict or a JSON string.
      - With O(purge_policies=true), the only inline policies of the role. Left as they are when not set.
    type: dict
  purge_policies:
    description:
      - Detach the managed policies not in O(managed_policy_arns) and delete the inline policies not in
        O(inline_policies) (each only when that option is set).
    type: bool
    default: true
  additional_roles:
    description:
      - More roles made or converged in the same run, each as the role of O(name) is (its trust, policies and tags),
        after it; only with O(state=present). Every entry is checked before any AWS call.
      - One module run for several roles (the collection's cluster role makes the cluster's role and the nodegroups'
        node roles so).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the IAM role.
        type: str
        required: true
        aliases: [role_name]
      path:
        description: As O(path).
        type: str
      trusted_service:
        description: As O(trusted_service).
        type: str
        choices: [eks.amazonaws.com, ec2.amazonaws.com, pods.eks.amazonaws.com, eks-fargate-pods.amazonaws.com]
      assume_role_policy:
        description: As O(assume_role_policy).
        type: raw
      managed_policy_arns:
        description: As O(managed_policy_arns).
        type: list
        elements: str
        aliases: [managed_policies]
      inline_policies:
        description: As O(inline_policies).
        type: dict
      purge_policies:
        description: As O(purge_policies).
        type: bool
        default: true
      description:
        description: As O(description).
        type: str
      permissions_boundary:
        description: As O(permissions_boundary).
        type: str
      max_session_duration:
        description: As O(max_session_duration).
        type: int
      tags:
        description: As O(tags).
        type: dict
        aliases: [resource_tags]
      purge_tags:
        description: As O(purge_tags).
        type: bool
        default: true
  state:
    description:
      - V(absent) takes the role out of its instance profiles, detaches its managed policies, deletes its inline
        policies and deletes the role.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Can run in check mode and return the predicted role and changes.
    support: full
  diff_mode:
    description: Returns before and after of the role in diff mode.
    support: full
notes:
  - The role gets no instance profile. Managed nodegroups do not need one (EKS makes its own from the node role).
seealso:
  - module: aews.eks.eks_irsa
  - module: aews.eks.eks_iam_role_cleanup
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - aews.eks.iam_role
"""

EXAMPLES = r"""
- name: The cluster service role
  aews.eks.eks_iam_role:
    name: myeks-cluster-role
    description: EKS control plane of myeks
    trusted_service: eks.amazonaws.com
    managed_policy_arns:
      - arn:aws:iam::aws:policy/AmazonEKSClusterPolicy
    tags:
      aews.eks/cluster-name: myeks
  register: cluster_role

- name: The control plane, with the role made a moment ago
  aews.eks.eks_cluster:
    name: myeks
    role_arn: "{{ cluster_role.arn }}"
    subnet_ids: [subnet-0a, subnet-0b]

- name: A node role with an inline policy
  aews.eks.eks_iam_role:
    name: myeks-ng1-node-role
    trusted_service: ec2.amazonaws.com
    managed_policy_arns:
      - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
      - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly
      - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
    inline_policies:
      read-config:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::myeks-config/*
    permissions_boundary: arn:aws:iam::123456789012:policy/boundary

- name: A trust policy of its own
  aews.eks.eks_iam_role:
    name: myeks-deployer
    assume_role_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            AWS: arn:aws:iam::123456789012:role/ci
          Action: sts:AssumeRole
    max_session_duration: 7200

- name: The cluster role and a nodegroup's node role in one run
  aews.eks.eks_iam_role:
    name: myeks-cluster-role
    trusted_service: eks.amazonaws.com
    managed_policy_arns:
      - arn:aws:iam::aws:policy/AmazonEKSClusterPolicy
    additional_roles:
      - name: myeks-ng1-node-role
        trusted_service: ec2.amazonaws.com
        managed_policy_arns:
          - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
          - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly
          - arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy
  register: roles
  # roles.arn: the cluster role's; roles.additional_roles[0].arn: the node role's

- name: Delete the role
  aews.eks.eks_iam_role:
    name: myeks-deployer
    state: absent
"""

RETURN = r"""
arn:
  description: ARN of the role (in check mode, the one it would have). Null when absent.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/myeks-cluster-role
role_name:
  description: Name of the role.
  returned: always
  type: str
  sample: myeks-cluster-role
created:
  description:
    - Whether this run created the role (in check mode, would create it). IAM may take seconds to propagate a new
      role, and a create that names it right after may be refused for a while.
  returned: always
  type: bool
role:
  description: The role as it is (or, in check mode, would be), policy documents in canonical form. Null when absent.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the role.
      type: str
    name:
      description: Name of the role.
      type: str
    path:
      description: Path of the role.
      type: str
    role_id:
      description: The role's unique ID (null in check mode before creation).
      type: str
    create_date:
      description: When the role was created.
      type: str
    trust_policy:
      description: The trust (assume role) policy document.
      type: dict
    description:
      description: Description of the role.
      type: str
    max_session_duration:
      description: Maximum session duration in seconds.
      type: int
    permissions_boundary:
      description: ARN of the permissions boundary policy, or null.
      type: str
    managed_policies:
      description: ARNs of the attached managed policies, sorted.
      type: list
      elements: str
    inline_policies:
      description: Inline policy documents by name.
      type: dict
    tags:
      description: Tags of the role.
      type: dict
additional_roles:
  description:
    - The O(additional_roles) as they are (or, in check mode, would be), in their order, each with C(role_name),
      C(arn), C(created) and C(role) (as RV(role)).
  returned: when O(additional_roles) is given
  type: list
  elements: dict
  sample:
    - role_name: myeks-ng1-node-role
      arn: arn:aws:iam::123456789012:role/myeks-ng1-node-role
      created: false
      role: {}
changes:
  description:
    - The changes made (in check mode, to be made), in order, one record per AWS call; those of the
      O(additional_roles) follow the role's, each naming its role.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: What changes.
      type: str
    action:
      description: The step (create_role, update_trust, attach_policy, put_inline_policy, tag_role, delete_role ...).
      type: str
    why:
      description: What differs, for a person to read.
      type: str
    call:
      description: The IAM operation that makes the change (snake_case).
      type: str
    params:
      description: Its parameters.
      type: dict
  sample:
    - resource: IAM role myeks-cluster-role
      action: attach_policy
      why: arn:aws:iam::aws:policy/AmazonEKSVPCResourceController
      call: attach_role_policy
      params: {RoleName: myeks-cluster-role, PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController"}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_role import TRUSTED_SERVICES
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_role import ensure_role

ROLE_OPTIONS = dict(
    path=dict(type="str"),
    trusted_service=dict(type="str", choices=list(TRUSTED_SERVICES)),
    assume_role_policy=dict(type="raw"),
    managed_policy_arns=dict(type="list", elements="str", aliases=["managed_policies"]),
    inline_policies=dict(type="dict"),
    purge_policies=dict(type="bool", default=True),
)

ARGUMENT_SPEC = eks.argument_spec(
    [eks.RESOURCE, eks.ROLE],
    name=dict(type="str", required=True, aliases=["role_name"]),
    additional_roles=dict(
        type="list",
        elements="dict",
        default=[],
        options=eks.argument_spec(
            [eks.TAGS, eks.ROLE, ROLE_OPTIONS], name=dict(type="str", required=True, aliases=["role_name"])
        ),
        mutually_exclusive=[("trusted_service", "assume_role_policy")],
    ),
    **ROLE_OPTIONS,
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_role, mutually_exclusive=[("trusted_service", "assume_role_policy")])


if __name__ == "__main__":
    main()
