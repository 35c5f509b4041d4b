#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_addon
short_description: Manage one Amazon EKS add-on
version_added: 0.1.0
description:
  - Create, update in place, or delete one EKS add-on (for example C(vpc-cni), C(coredns), C(kube-proxy),
    C(aws-ebs-csi-driver), C(eks-pod-identity-agent) or C(metrics-server)) of an existing cluster.
  - Versions are resolved with C(DescribeAddonVersions) for the Kubernetes version of the cluster.
    An unknown add-on, or a version not compatible with the cluster, fails before any change and lists
    the compatible versions. A downgrade is refused.
  - O(configuration_values) are checked against the JSON schema C(DescribeAddonConfiguration) returns
    for the version to be installed before any change, and are compared by meaning, so key order and
    JSON versus YAML never make a change.
  - Version, configuration values, service account role and pod identity associations are updated in
    place with C(UpdateAddon); the module waits for the update through C(DescribeUpdate).
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster the add-on belongs to. The cluster must exist.
    type: str
    required: true
  name:
    description:
      - Name of the add-on, as C(DescribeAddonVersions) knows it, for example C(vpc-cni).
    type: str
    required: true
    aliases: [addon_name]
  version:
    description:
      - The add-on version.
      - V(default) is the version EKS marks as default for the Kubernetes version of the cluster.
      - V(latest) is the newest version compatible with the Kubernetes version of the cluster.
      - A full version such as V(v1.19.0-eksbuild.1) is used as it is; a partial one such as V(v1.19) or
        V(v1.19.0) resolves to the newest compatible version it starts with.
      - When not set, an installed add-on keeps its version and a new one gets V(default).
    type: str
  configuration_values:
    description:
      - Configuration values of the add-on, as a dictionary or as a JSON or YAML string.
      - Validated against the add-on version's configuration schema before any change.
      - An empty dictionary removes all configuration values. When not set, they are left as they are.
    type: raw
  resolve_conflicts:
    description:
      - How to resolve conflicts with fields of the add-on's Kubernetes objects changed outside EKS, on
        create and update.
      - When not set, the EKS default applies.
    type: str
    choices: [none, overwrite, preserve]
  service_account_role_arn:
    description:
      - ARN of the IAM role the add-on's service account assumes (IAM roles for service accounts).
      - When not set, the current role is left as it is. EKS cannot remove a role from an add-on in place.
    type: str
  pod_identity_associations:
    description:
      - EKS Pod Identity associations of the add-on's service accounts, in the add-on's namespace.
      - The whole list is managed; an empty list removes every association. When not set, they are left as
        they are.
    type: list
    elements: dict
    suboptions:
      service_account:
        description: Name of the Kubernetes service account.
        type: str
        required: true
      role_arn:
        description: ARN of the IAM role the service account's pods get.
        type: str
        required: true
  preserve:
    description:
      - With O(state=absent), keep the add-on's software on the cluster and only stop EKS managing it.
    type: bool
    default: false
  state:
    description:
      - Whether the add-on should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - What to wait for after creating or updating the add-on.
      - V(active) waits until the add-on is C(ACTIVE) (and, after an update, until the update is
        C(Successful)).
      - V(created) only waits until creation is over (C(ACTIVE), C(DEGRADED) or C(UPDATING)), for add-ons such
        as C(coredns) that stay C(DEGRADED) until the cluster has nodes; after an update it waits for the update.
      - V(none) does not wait.
      - With O(state=absent), any value but V(none) waits until the add-on is gone.
      - A failure state (for example C(CREATE_FAILED), C(DEGRADED) with V(active), or an update with status
        C(Failed)) ends the wait at once with the health issues or update errors AWS reports.
      - The seconds between polls can be set for all waits with the E(AEWS_EKS_WAIT_DELAY) environment variable.
    type: str
    choices: [active, created, none]
    default: active
  wait_timeout:
    description:
      - How many seconds to wait in all before failing.
    type: int
    default: 1200
requirements:
  - jsonschema (when O(configuration_values) is set)
attributes:
  check_mode:
    support: full
    description: Returns the predicted add-on and the updates that would be made; makes no change.
  diff_mode:
    support: full
    description: Returns the add-on before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - aews.eks.iam_propagation
"""

EXAMPLES = r"""
- name: Install the default vpc-cni with prefix delegation and an IRSA role
  aews.eks.eks_addon:
    cluster_name: prod
    name: vpc-cni
    version: default
    service_account_role_arn: arn:aws:iam::123456789012:role/prod-vpc-cni
    configuration_values:
      env:
        ENABLE_PREFIX_DELEGATION: "true"
        WARM_PREFIX_TARGET: "1"
    resolve_conflicts: overwrite

- name: Install coredns before the cluster has nodes, without waiting for it to be healthy
  aews.eks.eks_addon:
    cluster_name: prod
    name: coredns
    wait: created

- name: Move kube-proxy to the newest v1.31 build
  aews.eks.eks_addon:
    cluster_name: prod
    name: kube-proxy
    version: v1.31

- name: The EBS CSI driver with EKS Pod Identity
  aews.eks.eks_addon:
    cluster_name: prod
    name: aws-ebs-csi-driver
    version: latest
    pod_identity_associations:
      - service_account: ebs-csi-controller-sa
        role_arn: arn:aws:iam::123456789012:role/prod-ebs-csi
    tags:
      team: platform

- name: Stop managing metrics-server with EKS but keep it running
  aews.eks.eks_addon:
    cluster_name: prod
    name: metrics-server
    state: absent
    preserve: true
"""

RETURN = r"""
addon:
  description:
    - The add-on; in check mode the predicted one. Empty when the add-on does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the add-on.
      type: str
      sample: vpc-cni
    cluster_name:
      description: Name of the cluster.
      type: str
      sample: prod
    arn:
      description: ARN of the add-on (V(null) in check mode before creation).
      type: str
      sample: arn:aws:eks:eu-west-1:123456789012:addon/prod/vpc-cni/a2c7d3e0-1234-5678-9abc-def012345678
    version:
      description: The installed version.
      type: str
      sample: v1.19.0-eksbuild.1
    status:
      description: Status of the add-on.
      type: str
      sample: ACTIVE
    health_issues:
      description: Health issues EKS reports (code, message, resource IDs).
      type: list
      elements: dict
      sample: [{"code": "InsufficientNumberOfReplicas", "message": "The add-on is unhealthy", "resource_ids": []}]
    configuration_values:
      description: The configuration values, as a dictionary (keys exactly as set).
      type: dict
      sample: {"env": {"ENABLE_PREFIX_DELEGATION": "true"}}
    service_account_role_arn:
      description: ARN of the IAM role of the add-on's service account.
      type: str
      sample: arn:aws:iam::123456789012:role/prod-vpc-cni
    pod_identity_associations:
      description: The pod identity associations of the add-on.
      type: list
      elements: dict
      sample: [{"service_account": "ebs-csi-controller-sa", "role_arn": "arn:aws:iam::123456789012:role/ebs"}]
    tags:
      description: Tags of the add-on.
      type: dict
      sample: {"team": "platform"}
    created_at:
      description: When the add-on was created.
      type: str
      returned: when the add-on exists
    modified_at:
      description: When the add-on was last changed.
      type: str
      returned: when the add-on exists
    publisher:
      description: Publisher of the add-on.
      type: str
      sample: eks
    owner:
      description: Owner of the add-on.
      type: str
      sample: aws
changes:
  description:
    - The changes made (or that would be made, in check mode), in order, one record each with the C(resource), the
      C(action) (V(create), V(update), V(untag), V(tag) or V(delete)), C(why) (what differs), the API C(call) and its
      C(params). Empty when nothing changes.
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "addon vpc-cni", "action": "update", "why": "version v1.19.0-eksbuild.1 -> v1.19.6-eksbuild.7",
            "call": "update_addon", "params": {"clusterName": "prod", "addonName": "vpc-cni",
            "addonVersion": "v1.19.6-eksbuild.7"}}]
updates:
  description:
    - The C(UpdateAddon) update this run started, with its C(id) and C(type), for M(aews.eks.eks_wait) to follow
      after O(wait=none). Empty when no update was started.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "b8ba2dd2-4e4a-3d6b-8c2a-1f2a6a4e7c11", "type": "AddonUpdate"}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.addon import WAIT_CHOICES
from ansible_collections.aews.eks.plugins.module_utils._eks.addon import ensure_addon
from ansible_collections.aews.eks.plugins.module_utils._eks.addon_batch import ADDON_SPEC

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, ADDON_SPEC, eks.wait_choices(WAIT_CHOICES, "active"), eks.IAM_PROPAGATION]
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_addon)


if __name__ == "__main__":
    main()
