# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate a cluster definition across fields and fill in eksctl's defaults."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks use none of these.
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import check_errors
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import reported

DOCUMENTATION = r"""
name: cluster_definition
short_description: Validate a cluster definition and fill in eksctl's defaults
version_added: 0.1.0
author: aews.eks maintainers (@aews)
extends_documentation_fragment:
  - aews.eks.filter_errors
description:
  - Checks every field of the definition (unknown keys, types, choices) and across fields (sizes in order,
    subnets inside the VPC and apart, zones of the region, gp3 IOPS and throughput ranges, log types and
    retention values, ARNs, name lengths, AWS's label, taint and tag limits, the SSH public key file), and fails
    with one short message naming the field by its path in the user's input (C(nodegroups[1].desired_size), or
    the eksctl path such as C(managedNodeGroups[1].desiredCapacity) for a definition converted by
    P(aews.eks.eksctl_config#filter)), what is allowed and what to do.
  - Returns the definition with every default filled in, the subnets split as eksctl does, the
    AMI type of each nodegroup, prefix delegation folded into the vpc-cni configuration, the SSH public key
    path resolved against the directory ansible-playbook runs in, and C(warnings) for secure defaults the
    definition does not follow (API endpoint or SSH open to the world).
options:
  _input:
    description: The cluster definition (C(aews_eks_cluster)), see C(docs/cluster-definition.md).
    type: dict
    required: true
  availability_zones:
    description:
      - The zones to use when the definition names none (the first two of the region).
      - Names, or C(amazon.aws.aws_az_info) records (C(zone_name), C(zone_id)); zones EKS does not support
        (eksctl's list, by zone ID) are skipped.
    type: list
    elements: raw
  check_files:
    description:
      - Whether to check the files the definition names (the SSH public key); off, the paths are only resolved.
    type: bool
    default: true
  base_dir:
    description:
      - The directory relative file paths (C(ssh.public_key_path)) are read from; the directory ansible-playbook
        was started in by default.
    type: str
"""

EXAMPLES = r"""
- name: The normalized definition
  ansible.builtin.set_fact:
    cluster: "{{ aews_eks_cluster | aews.eks.cluster_definition }}"
"""

RETURN = r"""
_value:
  description: The normalized definition (with O(errors=return), a dict with the message under C(error) on a problem).
  type: dict
"""


def cluster_definition(definition, availability_zones=None, base_dir=None, check_files=True, errors="raise"):
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

    check_errors("cluster_definition", errors)
    try:
        return normalize(_plain(definition), _plain(availability_zones), base_dir, check_files)
    except DefinitionError as e:
        return reported(e, errors, str(e))


def _plain(value):
    """``value`` as plain data (module_utils' plain: normalizing copies it); as it is when nested deeper than Python
    recurses (the normalization then names where)."""
    from ansible_collections.aews.eks.plugins.module_utils._eks.plain import plain

    try:
        return plain(value)
    except RecursionError:
        return value


def user_path_filter(path, base_dir=None):
    """The documentation is in user_path.yml."""
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import user_path

    if path is None or str(path) == "":
        raise AnsibleFilterError("aews.eks.user_path: the path is empty")
    return user_path(path, base_dir)


class FilterModule:
    def filters(self):
        return {"cluster_definition": cluster_definition, "user_path": user_path_filter}
