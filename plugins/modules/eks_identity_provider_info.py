#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_identity_provider_info
short_description: Read the OIDC identity provider configs of an Amazon EKS cluster
version_added: 0.1.0
description:
  - Describe one OIDC identity provider config of an EKS cluster, or all of them.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster. It must exist.
    type: str
    required: true
  name:
    description:
      - Name of one config. Unset describes every OIDC identity provider config of the cluster.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: The identity provider configs of a cluster
  aews.eks.eks_identity_provider_info:
    cluster_name: myeks
  register: __idps
"""

RETURN = r"""
identity_providers:
  description:
    - The configs found; see the C(identity_provider) return value of M(aews.eks.eks_identity_provider) for the keys.
    - Empty when the named config does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - identity_provider_config_name: cognito
      type: oidc
      issuer_url: https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abcDEF123
      client_id: 10basodnbu3gs9b1bf9r566btu
      status: ACTIVE
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.identity_provider import identity_provider_info

ARGUMENT_SPEC = eks.argument_spec([eks.CLUSTER_NAME], name=dict(type="str"))


def main():
    eks.run_module(ARGUMENT_SPEC, identity_provider_info)


if __name__ == "__main__":
    main()
