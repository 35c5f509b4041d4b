#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_addons
short_description: Several EKS add-ons of one cluster created, updated or deleted in one run
version_added: 0.1.0
description:
  - Brings each add-on of O(addons) in line as M(aews.eks.eks_addon) does (version resolution, configuration values
    checked against the add-on's schema, IAM role, EKS Pod Identity associations, tags, conflicts), in one module
    run; the cluster is described once and one client serves every add-on.
  - Every entry is checked before any AWS call (an error names the entry, for example C(addons[1] (coredns))). An add-on
    that fails does not stop the others; the run then fails naming each failed add-on, with every add-on's result.
  - With O(wait=none) (the default) nothing is waited for; M(aews.eks.eks_wait) follows RV(updates) and waits for the
    add-ons together.
author: aews.eks maintainers (@aews)
options:
  cluster_name:
    description: The cluster of the add-ons.
    type: str
    required: true
  addons:
    description: The add-ons, each with the options of M(aews.eks.eks_addon) but O(cluster_name) and the wait.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The add-on's name.
        type: str
        required: true
        aliases: [addon_name]
      version:
        description: As O(aews.eks.eks_addon#module:version).
        type: str
      configuration_values:
        description: As O(aews.eks.eks_addon#module:configuration_values).
        type: raw
      resolve_conflicts:
        description: As O(aews.eks.eks_addon#module:resolve_conflicts).
        type: str
        choices: [none, overwrite, preserve]
      service_account_role_arn:
        description: As O(aews.eks.eks_addon#module:service_account_role_arn).
        type: str
      pod_identity_associations:
        description: As O(aews.eks.eks_addon#module:pod_identity_associations).
        type: list
        elements: dict
        suboptions:
          service_account:
            description: The service account.
            type: str
            required: true
          role_arn:
            description: The IAM role it assumes.
            type: str
            required: true
      preserve:
        description: As O(aews.eks.eks_addon#module:preserve).
        type: bool
        default: false
      tags:
        description: As O(aews.eks.eks_addon#module:tags).
        type: dict
        aliases: [resource_tags]
      purge_tags:
        description: As O(aews.eks.eks_addon#module:purge_tags).
        type: bool
        default: true
      state:
        description: V(present) creates or updates the add-on, V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
  wait:
    description:
      - As O(aews.eks.eks_addon#module:wait), for each add-on in turn; V(none) waits for none (M(aews.eks.eks_wait)
        then waits for them together).
    type: str
    choices: [active, created, none]
    default: none
  wait_timeout:
    description: How long each wait may take, in seconds.
    type: int
    default: 1200
extends_documentation_fragment:
  - aews.eks.iam_propagation
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Can run in check mode.
    details: Returns the predicted add-ons and the changes that would be made; makes no change.
  diff_mode:
    support: full
    description: Shows each add-on's fields before and after, by name.
"""

EXAMPLES = r"""
- name: The networking add-ons, then wait for them together
  aews.eks.eks_addons:
    cluster_name: myeks
    addons:
      - name: vpc-cni
        version: latest
      - name: kube-proxy
      - name: coredns
  register: __addons

- name: Wait until they are past CREATING
  aews.eks.eks_wait:
    cluster_name: myeks
    addons: [vpc-cni, kube-proxy, coredns]
    state: created
    updates: "{{ __addons.updates }}"
"""

RETURN = r"""
addons:
  description: Each add-on by name, as M(aews.eks.eks_addon) returns it under C(addon) (in check mode, predicted).
  returned: always
  type: dict
  sample: {"vpc-cni": {"name": "vpc-cni", "version": "v1.19.6-eksbuild.7", "status": "ACTIVE"}}
results:
  description:
    - Each add-on's own result in the order given, as M(aews.eks.eks_addon) returns it (C(changed), C(changes),
      C(addon), C(updates), C(diff) in diff mode), with its C(name); a failed one has C(failed) and C(msg).
  returned: always
  type: list
  elements: dict
changes:
  description: The changes of every add-on, in order, as M(aews.eks.eks_addon) returns them.
  returned: always
  type: list
  elements: dict
updates:
  description: The C(UpdateAddon) updates this run started, each with the C(addon) it belongs to, its C(id) and C(type).
  returned: always
  type: list
  elements: dict
  sample: [{"addon": "vpc-cni", "id": "b8ba2dd2-4e4a-3d6b-8c2a-1f2a6a4e7c11", "type": "AddonUpdate"}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.addon import WAIT_CHOICES
from ansible_collections.aews.eks.plugins.module_utils._eks.addon_batch import ADDON_SPEC
from ansible_collections.aews.eks.plugins.module_utils._eks.addon_batch import reconcile_all

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.wait_choices(WAIT_CHOICES, "none"), eks.IAM_PROPAGATION],
    addons=dict(type="list", elements="dict", required=True, options=ADDON_SPEC),
)


def main():
    eks.run_module(ARGUMENT_SPEC, reconcile_all)


if __name__ == "__main__":
    main()
