# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes ServiceAccounts of a cluster definition, as eksctl writes them."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks use none of these.

DOCUMENTATION = r"""
name: service_account_manifests
short_description: The Kubernetes ServiceAccounts of a cluster definition, as eksctl writes them
version_added: 0.1.0
author: aews.eks maintainers (@aews)
description:
  - The ServiceAccount of every C(iam.service_accounts) entry of a normalized cluster definition but the
    C(role_only) ones, annotated C(eks.amazonaws.com/role-arn) with its role, and of every
    C(iam.pod_identity_associations) entry with C(create_service_account) (no annotation); each with the entry's
    C(labels) and C(annotations) and the label C(app.kubernetes.io/managed-by=aews.eks).
  - The role of a service account is its C(role_arn) (a role of your own), else the role M(aews.eks.eks_irsa)
    returned for it (O(irsa_results)), else the one it makes, named from O(cluster_arn) as it names it.
  - With O(namespaces=true), the Namespaces they are in come first (but C(default), C(kube-system),
    C(kube-public) and C(kube-node-lease)), as eksctl creates a missing namespace.
options:
  _input:
    description: The normalized cluster definition (C(definition__cluster)).
    type: dict
    required: true
  cluster_arn:
    description: The cluster's ARN (its partition and account name the roles the collection makes).
    type: str
  irsa_results:
    description:
      - Results of M(aews.eks.eks_irsa) run in a loop over C(iam.service_accounts) (the loop's C(item) with
        C(namespace) and C(name), the result's C(role.arn)); skipped ones and roles of another cluster (their
        C(aews.eks/cluster-name) tag) are left out.
    type: list
    elements: dict
  namespaces:
    description: Put the Namespace manifests first.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The ServiceAccounts to apply
  ansible.builtin.set_fact:
    manifests: "{{ definition__cluster | aews.eks.service_account_manifests(cluster_arn=cluster.arn, namespaces=true) }}"
"""

RETURN = r"""
_value:
  description: The manifests (C(apiVersion), C(kind), C(metadata)), Namespaces first when asked.
  type: list
  elements: dict
"""


def service_account_manifests(definition, cluster_arn=None, irsa_results=None, namespaces=False):
    if not isinstance(definition, dict):
        raise AnsibleFilterError("aews.eks.service_account_manifests: the input must be a normalized cluster definition")

    from ansible_collections.aews.eks.plugins.module_utils._eks.iam_role import account_of_arn
    from ansible_collections.aews.eks.plugins.module_utils._eks.iam_role import partition_of_arn
    from ansible_collections.aews.eks.plugins.module_utils._eks.iam_role import role_arn
    from ansible_collections.aews.eks.plugins.module_utils._eks.irsa import default_role_name
    from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import definition_manifests
    from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import namespace_manifests
    from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import OWNER_TAG

    arns = {}
    for result in irsa_results or []:
        item, role = result.get("item") or {}, result.get("role") or {}
        if (role.get("tags") or {}).get(OWNER_TAG, definition.get("name")) != definition.get("name"):
            continue  # another cluster's role (the results of an earlier play)
        if item.get("namespace") and item.get("name") and role.get("arn"):
            arns[f"{item['namespace']}/{item['name']}"] = role["arn"]
    if cluster_arn:
        for account in (definition.get("iam") or {}).get("service_accounts") or []:
            key = f"{account['namespace']}/{account['name']}"
            if key in arns or account.get("role_arn"):
                continue
            name = account.get("role_name") or default_role_name(definition["name"],
                                                                 [(account["namespace"], account["name"])])  # fmt: skip
            arns[key] = role_arn(partition_of_arn(cluster_arn), account_of_arn(cluster_arn), name)
    manifests = definition_manifests(definition, arns)
    return namespace_manifests(manifests) + manifests if namespaces else manifests


class FilterModule:
    def filters(self):
        return {"service_account_manifests": service_account_manifests}
