#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_iam_role_cleanup
short_description: Delete the IAM roles an EKS cluster owns
version_added: 0.1.0
description:
  - Part of a teardown. The candidates are the roles named like the cluster's (O(name_regex)) or named in
    O(names). Each is deleted only when its own tags carry C(aews.eks/cluster-name) with the cluster's name.
    A role of the same name pattern without that tag is left alone and returned in RV(kept).
  - A role is taken out of its instance profiles, its managed policies are detached and its inline
    policies deleted, and then it is deleted.
  - Check mode reads only and returns what would be deleted.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - The cluster whose roles are deleted.
    type: str
    required: true
  name_regex:
    description:
      - A regular expression that role names are searched with. The default matches the names that start with
        O(cluster_name) and a dash.
    type: str
  names:
    description:
      - Further role names to consider (for example the IRSA role names a definition gives).
    type: list
    elements: str
    default: []
  trusting_oidc:
    description:
      - V(true) keeps only the roles whose trust policy names an IAM OpenID Connect provider (IRSA roles),
        V(false) only the others. Unset, all of them.
    type: bool
  service_account_roles:
    description:
      - Also consider every role whose trust policy names an IAM OpenID Connect provider or EKS Pod Identity
        (C(pods.eks.amazonaws.com)), whatever its name, as the IRSA and Pod Identity roles of
        M(aews.eks.eks_irsa) are. Each still goes only when it carries the ownership tag.
    type: bool
    default: false
  oidc_provider:
    description:
      - Also delete the cluster's IAM OpenID Connect provider, once the roles are deleted, as a teardown does when
        the cluster is gone. It is found by its ownership tag C(aews.eks/cluster-name). While a role this collection
        made still trusts it, it is kept and reported in RV(failed).
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads only, and returns what would be deleted.
    support: full
  diff_mode:
    description: Not supported.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Delete the IRSA roles of cluster myeks
  aews.eks.eks_iam_role_cleanup:
    cluster_name: myeks
    trusting_oidc: true

- name: Delete its node roles
  aews.eks.eks_iam_role_cleanup:
    cluster_name: myeks
    name_regex: "^myeks-.*-node-role$"
"""

RETURN = r"""
deleted:
  description: The names of the roles deleted (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [myeks-cluster-role]
kept:
  description: Candidates left alone because they do not carry this cluster's ownership tag.
  returned: always
  type: list
  elements: str
  sample: []
oidc_provider:
  description: The ARN of the OpenID Connect provider deleted (in check mode, that would be), or null.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF
failed:
  description: Roles (and the OpenID Connect provider) that could not be deleted, each with C(name) and C(reason).
  returned: always
  type: list
  elements: dict
  sample: []
changes:
  description:
    - A change record of each role deleted (in check mode, that would be), with C(resource), C(action) (V(delete)),
      C(why), C(call) and C(params).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "IAM role myeks-cluster-role", "action": "delete", "why": "tagged aews.eks/cluster-name: myeks",
            "call": "delete_role", "params": {"RoleName": "myeks-cluster-role"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_cleanup import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME],
    name_regex=dict(type="str"),
    names=dict(type="list", elements="str", default=[]),
    trusting_oidc=dict(type="bool"),
    service_account_roles=dict(type="bool", default=False),
    oidc_provider=dict(type="bool", default=False),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
