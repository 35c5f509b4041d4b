#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_kubeconfig
short_description: Write or remove the kubeconfig entry of an EKS cluster, as aws eks update-kubeconfig does
version_added: 0.1.0
description:
  - Writes a cluster, a user and a context entry for an EKS cluster into a kubeconfig file, or merges them
    into an existing one, the way C(aws eks update-kubeconfig) does. Other entries of the file are kept.
  - The cluster entry holds the cluster endpoint and certificate authority data, read with
    C(DescribeCluster) unless O(endpoint) and O(certificate_authority_data) are given.
  - The user entry runs C(aws eks get-token) through the C(client.authentication.k8s.io/v1beta1) exec
    plugin, with the cluster name and region, O(role_arn) when given, and C(AWS_PROFILE) set to O(profile)
    when given (the profile of the connection doubles as the profile of the token, as with the AWS CLI's own
    C(--profile)). No token is stored in the file.
  - The file is written atomically and only when its content changes. A new file is created with mode
    C(0600) (and its directory with mode C(0700)); an existing file keeps its mode.
  - With O(state=absent), removes this cluster's context, and its user and cluster entries unless another
    context still uses them. Nothing else in the file is touched.
author: aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - The name of the EKS cluster.
    type: str
    required: true
    aliases: [name]
  path:
    description:
      - The kubeconfig file.
    type: path
    default: ~/.kube/config
  context_name:
    description:
      - The name of the context entry. Defaults to the cluster ARN, as the AWS CLI names it.
    type: str
    aliases: [alias]
  user_alias:
    description:
      - The name of the user entry. Defaults to the cluster ARN, as the AWS CLI names it.
    type: str
  role_arn:
    description:
      - An IAM role for C(aws eks get-token) to assume (C(--role-arn)).
    type: str
  set_current_context:
    description:
      - Make the context the file's C(current-context), as the AWS CLI does.
    type: bool
    default: true
  endpoint:
    description:
      - The cluster's API server endpoint. With O(certificate_authority_data), the cluster is not described.
    type: str
  certificate_authority_data:
    description:
      - The cluster's base64 certificate authority data. With O(endpoint), the cluster is not described.
    type: str
  cluster_arn:
    description:
      - The cluster ARN the entries are named after. Found with C(DescribeCluster), or built from the
        caller's account (C(sts:GetCallerIdentity)) when the cluster is not described.
    type: str
  state:
    description:
      - V(present) writes or updates the entries; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - PyYAML
attributes:
  check_mode:
    support: full
    description: Returns whether the kubeconfig file would change; writes nothing.
  diff_mode:
    support: full
    description: Returns the kubeconfig before and after.
    details: The diff is the kubeconfig file's text before and after.
notes:
  - C(aws eks get-token) needs the AWS CLI wherever the kubeconfig is used.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Add the cluster to ~/.kube/config and make it the current context
  aews.eks.eks_kubeconfig:
    cluster_name: myeks
    region: ap-northeast-2

- name: A separate file, a short context name, and an admin role for the token
  aews.eks.eks_kubeconfig:
    cluster_name: myeks
    region: ap-northeast-2
    path: "{{ playbook_dir }}/kubeconfig-myeks"
    context_name: myeks
    role_arn: arn:aws:iam::111122223333:role/eks-admin
    profile: dev

- name: Remove the cluster's entries
  aews.eks.eks_kubeconfig:
    cluster_name: myeks
    region: ap-northeast-2
    state: absent
"""

RETURN = r"""
kubeconfig:
  description: The kubeconfig file and the entries of the cluster.
  returned: always
  type: dict
  contains:
    path:
      description: The kubeconfig file.
      type: str
      sample: /home/user/.kube/config
    state:
      description: The state asked for.
      type: str
      sample: present
    cluster:
      description: The name of the cluster entry (the cluster ARN).
      type: str
      returned: when the file exists
      sample: arn:aws:eks:ap-northeast-2:111122223333:cluster/myeks
    user:
      description: The name of the user entry.
      type: str
      returned: when the file exists
      sample: arn:aws:eks:ap-northeast-2:111122223333:cluster/myeks
    context:
      description: The name of the context entry.
      type: str
      returned: when the file exists
      sample: myeks
    server:
      description: The cluster endpoint written into the cluster entry.
      type: str
      returned: when O(state=present)
      sample: https://0123456789ABCDEF.gr7.ap-northeast-2.eks.amazonaws.com
    current_context:
      description: The file's current context afterwards.
      type: str
      returned: when the file exists
      sample: myeks
changes:
  description:
    - The change of the file made (in check mode, that would be), when its content changes, with C(resource),
      C(action) (V(create) or V(update)), C(why) (the entries that differ), C(call) and C(params).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "kubeconfig /home/user/.kube/config", "action": "update",
            "why": "contexts myeks, current-context", "call": "write", "params": {"path": "/home/user/.kube/config"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import kubeconfig

ARGUMENT_SPEC = eks.argument_spec(
    [eks.STATE],
    cluster_name=dict(type="str", required=True, aliases=["name"]),
    path=dict(type="path", default="~/.kube/config"),
    context_name=dict(type="str", aliases=["alias"]),
    user_alias=dict(type="str"),
    role_arn=dict(type="str"),
    set_current_context=dict(type="bool", default=True),
    endpoint=dict(type="str"),
    certificate_authority_data=dict(type="str"),
    cluster_arn=dict(type="str"),
)


def ensure(module):
    return kubeconfig.ensure(module, lambda: eks.client(module, "eks"), lambda: eks.client(module, "sts"))


def main():
    eks.run_module(ARGUMENT_SPEC, ensure, required_together=[("endpoint", "certificate_authority_data")])


if __name__ == "__main__":
    main()
