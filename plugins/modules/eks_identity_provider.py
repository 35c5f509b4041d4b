#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_identity_provider
short_description: Associate an OIDC identity provider config with an Amazon EKS cluster
version_added: 0.1.0
description:
  - Associate, keep, or disassociate one OIDC identity provider config of an EKS cluster, so that users of that
    provider authenticate to the cluster's Kubernetes API (C(eksctl associate identityprovider),
    C(identityProviders) of a ClusterConfig).
  - EKS takes one OIDC identity provider config per cluster. When the cluster has another one, the module fails
    before any change and names it; disassociate it first (O(state=absent)).
  - EKS cannot change a config, only its tags. A different issuer URL, client ID, claim, prefix or required claims
    disassociates the config and associates it again (the plan says so in check mode); the cluster's users of the
    provider cannot authenticate in between. Tags change in place (C(TagResource), C(UntagResource)).
  - Associating and disassociating are updates of the cluster, one at a time. The module waits until the cluster is
    C(ACTIVE) with no update in progress, then makes its own update; EKS takes minutes to make a config C(ACTIVE).
  - Every option is checked before any AWS call, and the module fails with every problem it finds.
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
      - Name of the identity provider config.
    type: str
    required: true
    aliases: [identity_provider_config_name]
  issuer_url:
    description:
      - URL of the OIDC issuer, C(https://) and without query parameters; the C(iss) claim of its ID tokens.
      - Required with O(state=present) when the config is created.
    type: str
  client_id:
    description:
      - The client ID (audience) of the tokens. Required with O(state=present).
    type: str
  username_claim:
    description:
      - The JWT claim used as the username (EKS's default C(sub)). Left as it is when not set.
    type: str
  username_prefix:
    description:
      - Prefix of the usernames (C(-) for none). Left as it is when not set.
    type: str
  groups_claim:
    description:
      - The JWT claim holding the user's groups. Left as it is when not set.
    type: str
  groups_prefix:
    description:
      - Prefix of the group names, for example C(oidc:). It cannot contain C(system:). Left as it is when not set.
    type: str
  required_claims:
    description:
      - Claims the ID token must carry with these values. Left as they are when not set; C({}) asks for none.
    type: dict
  state:
    description:
      - V(absent) disassociates the config.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Makes no change and returns the predicted config and changes (a replacement said as such).
    support: full
  diff_mode:
    description: Returns the config before and after.
    support: full
seealso:
  - module: aews.eks.eks_identity_provider_info
  - module: aews.eks.eks_cluster
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - aews.eks.wait
"""

EXAMPLES = r"""
- name: Users of a Cognito user pool sign in to the cluster
  aews.eks.eks_identity_provider:
    cluster_name: myeks
    name: cognito
    issuer_url: https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abcDEF123
    client_id: 10basodnbu3gs9b1bf9r566btu
    username_claim: email
    groups_claim: cognito:groups
    groups_prefix: "oidc:"
    required_claims:
      token_use: id
    tags:
      team: platform

- name: Disassociate it
  aews.eks.eks_identity_provider:
    cluster_name: myeks
    name: cognito
    state: absent
"""

RETURN = r"""
identity_provider:
  description: The identity provider config (predicted in check mode); empty when there is none.
  returned: always
  type: dict
  contains:
    identity_provider_config_name:
      description: Name of the config.
      type: str
      sample: cognito
    identity_provider_config_arn:
      description: ARN of the config.
      type: str
      returned: when the config exists
    cluster_name:
      description: Name of the cluster.
      type: str
    type:
      description: C(oidc).
      type: str
    issuer_url:
      description: URL of the OIDC issuer.
      type: str
    client_id:
      description: Client ID of the tokens.
      type: str
    username_claim:
      description: The JWT claim used as the username.
      type: str
    username_prefix:
      description: Prefix of the usernames.
      type: str
    groups_claim:
      description: The JWT claim holding the groups.
      type: str
    groups_prefix:
      description: Prefix of the group names.
      type: str
    required_claims:
      description: Claims the ID token must carry.
      type: dict
    tags:
      description: Tags of the config.
      type: dict
    status:
      description: C(CREATING), C(ACTIVE) or C(DELETING).
      type: str
      sample: ACTIVE
changes:
  description: The changes made (or that would be made, in check mode), in order.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: What changes.
      type: str
    action:
      description: C(associate), C(disassociate), C(tag) or C(untag).
      type: str
    why:
      description: What differs.
      type: str
    call:
      description: The AWS operation's wrapper.
      type: str
    params:
      description: Its parameters.
      type: dict
  sample:
    - resource: identity provider config cognito of cluster myeks
      action: disassociate
      why: "client_id 'a' -> 'b': EKS cannot change an identity provider config: it is disassociated, then associated
        again"
      call: disassociate_identity_provider_config
      params: {cluster_name: myeks, name: cognito}
updates:
  description: IDs of the cluster updates this run started (C(DescribeUpdate)).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.identity_provider import ensure_identity_provider

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE, eks.WAIT],
    name=dict(type="str", required=True, aliases=["identity_provider_config_name"]),
    issuer_url=dict(type="str"),
    client_id=dict(type="str"),
    username_claim=dict(type="str"),
    username_prefix=dict(type="str"),
    groups_claim=dict(type="str"),
    groups_prefix=dict(type="str"),
    required_claims=dict(type="dict"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_identity_provider)


if __name__ == "__main__":
    main()
