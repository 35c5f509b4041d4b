#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_irsa_info
short_description: List the service account IAM roles this collection made for an Amazon EKS cluster
version_added: 0.1.0
description:
  - Lists the IAM roles M(aews.eks.eks_irsa) made for a cluster. These are the roles whose trust names
    the cluster's IAM OIDC provider or C(pods.eks.amazonaws.com), and whose tag
    C(aews.eks/cluster-name) names the cluster.
  - Each role comes with its trust policy, its managed and inline policies, its mode and the service
    accounts it was made for.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster.
      - When the cluster no longer exists (during teardown), the roles are found by their tag alone among
        the roles that trust an OIDC provider or C(pods.eks.amazonaws.com).
    type: str
    required: true
  role_name:
    description:
      - Return only the role of this name.
    type: str
seealso:
  - module: aews.eks.eks_irsa
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: The service account roles of the cluster
  aews.eks.eks_irsa_info:
    cluster_name: demo
  register: demo_roles

- name: Delete them (teardown)
  aews.eks.eks_irsa:
    cluster_name: demo
    role_name: "{{ item.name }}"
    state: absent
  loop: "{{ demo_roles.roles }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
roles:
  description: The roles, sorted by name.
  returned: always
  type: list
  elements: dict
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
      description: The role's unique ID.
      type: str
    create_date:
      description: When the role was created.
      type: str
    trust_policy:
      description: The trust policy document, as IAM holds it.
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
      description: ARNs of the attached managed policies.
      type: list
      elements: str
    inline_policies:
      description: Inline policy documents by name.
      type: dict
    tags:
      description: Tags of the role.
      type: dict
    mode:
      description: V(irsa) or V(pod_identity).
      type: str
    service_accounts:
      description: The service accounts the role was made for (from its tag).
      type: list
      elements: dict
      sample: [{"namespace": "kube-system", "name": "aws-node"}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.irsa_info import describe_roles_for_cluster

ARGUMENT_SPEC = eks.argument_spec([eks.CLUSTER_NAME], role_name=dict(type="str"))


def main():
    eks.run_module(ARGUMENT_SPEC, describe_roles_for_cluster)


if __name__ == "__main__":
    main()
