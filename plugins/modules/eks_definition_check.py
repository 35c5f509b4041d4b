#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_definition_check
short_description: Check a cluster definition against what AWS offers, before any change
version_added: 0.1.0
description:
  - Checks a normalized cluster definition (the output of P(aews.eks.cluster_definition#filter)) with read-only
    calls only, so that mistakes are found before the first AWS change.
  - The Kubernetes version is one EKS offers (C(DescribeClusterVersions)); an existing cluster is not newer than
    the definition (C(DescribeCluster); EKS cannot downgrade).
  - Each add-on is offered for the Kubernetes version, in the version asked for (C(DescribeAddonVersions)), and
    its configuration values match the add-on version's schema (C(DescribeAddonConfiguration), needs jsonschema).
  - Each nodegroup instance type exists (C(DescribeInstanceTypes)) and the nodegroup's max_pods is at most what
    each of its instance types allows under the VPC CNI.
  - Every problem names its field in the user's input (the eksctl ClusterConfig path for a definition converted
    by P(aews.eks.eksctl_config#filter)), what is allowed and what to do; all problems are reported at once.
  - The definition's C(warnings) (secure defaults it does not follow) are shown as warnings.
author: aews.eks maintainers (@aews)
options:
  definition:
    description:
      - The normalized cluster definition.
    type: dict
    required: true
  key_names:
    description:
      - Names of EC2 key pairs the run will make unless they exist (the nodegroups' SSH key pairs); which exist is
        read with the checks (C(DescribeKeyPairs)) and returned in RV(key_pairs); none missing is a problem.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - aews.eks.read_only
"""

EXAMPLES = r"""
- name: Check the definition before any change
  aews.eks.eks_definition_check:
    definition: "{{ aews_eks_cluster | aews.eks.cluster_definition }}"
    region: ap-northeast-2
"""

RETURN = r"""
kubernetes_version:
  description: The Kubernetes version the cluster gets (the definition's, or EKS's default when it names none).
  returned: success
  type: str
  sample: "1.33"
cluster_version:
  description: The version of the cluster when it exists already.
  returned: success
  type: str
  sample: "1.33"
addon_versions:
  description: The exact version each add-on resolves to.
  returned: success
  type: dict
  sample: {vpc-cni: v1.19.2-eksbuild.1}
instance_types:
  description:
    - The nodegroups' instance types that exist, as C(DescribeInstanceTypes) answers them (snake_cased), each with
      C(max_pods) and C(max_pods_prefix_delegation), as M(aews.eks.eks_nodegroup_inputs_info) returns them.
  returned: success
  type: list
  elements: dict
  sample: [{"instance_type": "t3.medium", "max_pods": 17, "max_pods_prefix_delegation": 110}]
key_pairs:
  description: The key pairs of O(key_names) that exist (C(key_name), C(key_pair_id), C(key_fingerprint)).
  returned: success
  type: list
  elements: dict
  sample: [{"key_name": "myeks-ng-1", "key_pair_id": "key-0123456789abcdef0", "key_fingerprint": "1f:51:ae"}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import definition_paths
from ansible_collections.aews.eks.plugins.module_utils._eks import preflight


def check(module):
    definition = module.params["definition"]
    paths = (definition.get("source") or {}).get("paths")
    for warning in definition.get("warnings") or []:
        module.warn(warning)
    problems, facts = preflight.run_checks(
        definition, eks.client(module, "eks"), eks.client(module, "ec2"), key_names=module.params["key_names"]
    )
    for skipped in facts.pop("skipped", []):
        module.warn(f"{skipped}: not checked against the add-on's schema (install the jsonschema Python library)")
    if problems:
        lines = [definition_paths.message(path, problem, paths) for path, problem in problems]
        raise eks.EksError(message="\n".join(lines))
    return dict(changed=False, **facts)


ARGUMENT_SPEC = eks.argument_spec(
    definition=dict(type="dict", required=True), key_names=dict(type="list", elements="str", default=[], no_log=False)
)


def main():
    eks.run_module(ARGUMENT_SPEC, check)


if __name__ == "__main__":
    main()
