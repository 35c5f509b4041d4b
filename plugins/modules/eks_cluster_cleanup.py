#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_cluster_cleanup
short_description: Delete an EKS cluster and everything of it on the EKS side, in one run
version_added: 0.1.0
description:
  - Part of a teardown, in eksctl's order. The self-managed nodegroups (Auto Scaling groups) are scaled to zero,
    their nodes waited for, and then deleted. The add-ons are deleted (vpc-cni first), then the managed nodegroups
    together, waited for until gone. The Fargate profiles are deleted one after the other, as EKS deletes them. The
    OIDC identity provider configs are disassociated, each update waited for. Then the cluster is deleted and waited
    for until gone, and last its control plane log group C(/aws/eks/NAME/cluster).
  - Each add-on, nodegroup, self-managed nodegroup, the cluster and the log group is deleted only when its own tags
    carry C(aews.eks/cluster-name) with the cluster's name; what does not is left alone and returned in RV(kept).
    The Fargate profiles and identity provider configs go with a cluster that carries the tag (EKS refuses to
    delete a cluster that still has them).
  - The add-ons are not waited for when the cluster is deleted (EKS ends them with it); when the cluster is kept,
    they are.
  - A run that resumes an interrupted teardown waits for what the earlier run left being deleted (returned in
    RV(waited), not a change), and what is gone already is fine.
  - The IAM roles (IRSA, Pod Identity, cluster and node roles) and the IAM OIDC provider are left to
    M(aews.eks.eks_iam_role_cleanup), the VPC and what Kubernetes left in it to M(aews.eks.eks_vpc_cleanup).
  - Check mode reads only and returns what would be deleted.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - The cluster to delete.
    type: str
    required: true
  self_managed_nodegroups:
    description:
      - Also delete the self-managed nodegroups of the cluster, the Auto Scaling groups tagged
        C(kubernetes.io/cluster/NAME) that carry the ownership tag and C(aews.eks/self-managed-nodegroup).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds in all for the waits of the run (nodes, nodegroups, Fargate profiles, updates, the cluster).
    type: int
    default: 1800
attributes:
  check_mode:
    description: Reads only, and returns what would be deleted.
    support: full
  diff_mode:
    description: The names of what goes, by kind, before and after.
    support: full
notes:
  - The seconds between polls can be set with the E(AEWS_EKS_WAIT_DELAY) environment variable.
seealso:
  - module: aews.eks.eks_iam_role_cleanup
  - module: aews.eks.eks_vpc_cleanup
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Delete cluster myeks with its add-ons, nodegroups, Fargate profiles and log group
  aews.eks.eks_cluster_cleanup:
    cluster_name: myeks
    region: ap-northeast-2
  register: cleanup

- name: See what a teardown would delete on the EKS side
  aews.eks.eks_cluster_cleanup:
    cluster_name: myeks
  check_mode: true
"""

RETURN = r"""
deleted:
  description: What was deleted (in check mode, what would be), in the order of the deletions.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description:
        - One of C(self_managed_nodegroup), C(addon), C(nodegroup), C(fargate_profile), C(identity_provider_config)
          (disassociated), C(cluster), C(log_group).
      type: str
      sample: nodegroup
    name:
      description: Its name.
      type: str
      sample: mynodegroup
  sample: [{"type": "addon", "name": "vpc-cni"}, {"type": "nodegroup", "name": "mynodegroup"},
           {"type": "cluster", "name": "myeks"}]
waited:
  description: What an earlier run left being deleted, waited for until gone (not waited for in check mode), each
    with C(type) and C(name).
  returned: always
  type: list
  elements: dict
  sample: [{"type": "cluster", "name": "myeks"}]
kept:
  description: What was left alone because it does not carry the cluster's ownership tag, each with C(type),
    C(name) and C(reason).
  returned: always
  type: list
  elements: dict
  sample: []
changes:
  description:
    - A change record of each deletion made (in check mode, that would be), in order, with C(resource), C(action)
      (V(delete), V(scale) for a self-managed nodegroup scaled to zero, V(disassociate) for an identity provider
      config), C(why), C(call) and C(params).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "cluster myeks", "action": "delete", "why": "tagged aews.eks/cluster-name: myeks",
            "call": "delete_cluster", "params": {"name": "myeks"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.cluster_cleanup import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME],
    self_managed_nodegroups=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
