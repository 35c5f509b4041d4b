#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_pod_identity_association
short_description: An EKS Pod Identity association with an IAM role of your own
version_added: 0.1.0
description:
  - Associates a Kubernetes service account of a cluster with an existing IAM role through EKS Pod Identity (eksctl
    C(iam.podIdentityAssociations[].roleARN)); no role is made or changed. For a role the collection makes from
    permissions, use M(aews.eks.eks_irsa) with O(aews.eks.eks_irsa#module:mode=pod_identity).
  - A different role updates the association in place. Without O(tags) the association's tags are left as they
    are; C(aws:) tags are never removed.
  - An association an add-on owns is refused (EKS changes it through the add-on only).
  - The role must trust C(pods.eks.amazonaws.com) (C(sts:AssumeRole), C(sts:TagSession)); EKS checks it, not this
    module.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description: The cluster.
    type: str
    required: true
  namespace:
    description: The service account's namespace.
    type: str
    required: true
  service_account:
    description: The service account's name.
    type: str
    required: true
  role_arn:
    description: The IAM role's ARN; required with O(state=present).
    type: str
  state:
    description: Present or absent.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reads only, and returns the changes and the association a real run would leave.
    support: full
  diff_mode:
    description: The association before and after.
    support: full
seealso:
  - module: aews.eks.eks_irsa
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The app's service account on a role of the platform team
  aews.eks.eks_pod_identity_association:
    cluster_name: myeks
    namespace: app
    service_account: app
    role_arn: arn:aws:iam::111122223333:role/app-pod-role
"""

RETURN = r"""
association:
  description: The association (empty once deleted); in check mode, what a real run would leave.
  returned: always
  type: dict
  sample: {"cluster_name": "myeks", "namespace": "app", "service_account": "app",
           "role_arn": "arn:aws:iam::111122223333:role/app-pod-role", "association_id": "a-0123456789abcdef0",
           "association_arn": "arn:aws:eks:ap-northeast-2:111122223333:podidentityassociation/myeks/a-0123",
           "tags": {}}
changes:
  description: The changes made (in check mode, to be made), in order.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: The association.
      type: str
    action:
      description: create_association, update_association, delete_association, tag or untag.
      type: str
    why:
      description: The change, for a person to read.
      type: str
    call:
      description: The EKS operation (snake_case).
      type: str
    params:
      description: Its parameters.
      type: dict
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.pod_identity_association import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE],
    namespace=dict(type="str", required=True),
    service_account=dict(type="str", required=True),
    role_arn=dict(type="str"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure, required_if=[("state", "present", ["role_arn"])])


if __name__ == "__main__":
    main()
