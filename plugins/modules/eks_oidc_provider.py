#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_oidc_provider
short_description: Manage the IAM OpenID Connect provider of an Amazon EKS cluster
version_added: 0.1.0
description:
  - What C(eksctl utils associate-iam-oidc-provider) does, as an idempotent module. It registers the
    cluster's OIDC issuer (C(identity.oidc.issuer)) as an IAM OpenID Connect provider, so that IAM roles
    for service accounts (M(aews.eks.eks_irsa)) can trust it.
  - The provider is found by its ARN, C(arn:PARTITION:iam::ACCOUNT:oidc-provider/ISSUER). Partition and
    account come from the cluster ARN. A re-run changes nothing.
  - Client IDs and thumbprints are updated in place.
  - The provider carries the tag C(aews.eks/cluster-name). With O(state=absent) the provider is found by
    that tag when the cluster is already gone.
  - O(state=absent) refuses while roles made by this collection (tagged C(aews.eks/cluster-name)) still
    trust the provider, unless O(force=true).
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster whose OIDC issuer is registered.
    type: str
    required: true
  client_ids:
    description:
      - The client IDs (audiences) the provider accepts. Client IDs not listed are removed.
    type: list
    elements: str
    default: [sts.amazonaws.com]
  thumbprints:
    description:
      - SHA-1 thumbprints (40 hex digits) of the issuer's server certificate authority.
      - When neither O(thumbprints) nor O(compute_thumbprint) is set, none are given when the provider
        is created (IAM then derives them), and existing ones are left as they are. For EKS issuers
        IAM validates the certificate against its own trusted root authorities anyway.
    type: list
    elements: str
  compute_thumbprint:
    description:
      - Compute the thumbprint the way eksctl does, as the SHA-1 of the last certificate of the chain the
        issuer's TLS server presents (its root certificate authority). This needs network access from the
        Ansible controller to the issuer. Overrides O(thumbprints).
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), delete the provider even when roles made by this collection still trust it.
    type: bool
    default: false
  state:
    description:
      - Whether the provider should exist.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Can run in check mode and return the predicted resource and changes.
    support: full
  diff_mode:
    description: Returns before and after of the resource in diff mode.
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
- name: Register the cluster's OIDC issuer with IAM
  aews.eks.eks_oidc_provider:
    cluster_name: demo
  register: oidc

- name: With the thumbprint computed from the issuer's certificate chain, and tags
  aews.eks.eks_oidc_provider:
    cluster_name: demo
    compute_thumbprint: true
    tags:
      team: platform

- name: Remove it once the roles that trust it are gone
  aews.eks.eks_oidc_provider:
    cluster_name: demo
    state: absent
"""

RETURN = r"""
provider:
  description: The OpenID Connect provider as it is (or, in check mode, would be). Null when absent.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the provider.
      type: str
      sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E5
    url:
      description: The issuer URL, without C(https://), as IAM returns it.
      type: str
    client_ids:
      description: Client IDs (audiences).
      type: list
      elements: str
    thumbprints:
      description: Server certificate thumbprints.
      type: list
      elements: str
    create_date:
      description: When the provider was created (null in check mode before creation).
      type: str
    tags:
      description: Tags of the provider.
      type: dict
changes:
  description:
    - The changes made (or, in check mode, to be made), in order, one change record each with C(resource), C(action),
      C(why), C(call) (the AWS operation) and C(params) (its parameters).
  returned: always
  type: list
  elements: dict
  sample:
    - resource: IAM OIDC provider arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X
      action: add_client_id
      why: vault
      call: add_client_id_to_open_id_connect_provider
      params:
        OpenIDConnectProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X
        ClientID: vault
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.oidc_provider import ensure_oidc_provider

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE],
    client_ids=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
    thumbprints=dict(type="list", elements="str"),
    compute_thumbprint=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_oidc_provider)


if __name__ == "__main__":
    main()
