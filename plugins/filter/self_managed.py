# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The documentation of the filters is in self_managed_launch_template.yml, aws_auth_entry.yml and
# self_managed_family.yml.

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import aws_auth_entry as _aws_auth_entry
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import family_of_ami_type
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import node_launch_template


def self_managed_launch_template(
    nodegroup,
    cluster,
    tags=None,
    security_group_ids=None,
    ssh_security_group_id=None,
    image_id=None,
    instance_profile_arn=None,
    instance_type=None,
    prefix_delegation=False,
):
    if not isinstance(nodegroup, dict) or not nodegroup.get("name"):
        raise AnsibleFilterError("aews.eks.self_managed_launch_template: the input must be a normalized self-managed "
                                 "nodegroup (aews.eks.cluster_definition) with a name")  # fmt: skip
    if not isinstance(cluster, dict):
        raise AnsibleFilterError("aews.eks.self_managed_launch_template: cluster must be the cluster as "
                                 "aews.eks.eks_cluster_info returns it")  # fmt: skip
    try:
        return node_launch_template(
            nodegroup,
            cluster,
            tags=tags,
            security_group_ids=security_group_ids,
            ssh_security_group_id=ssh_security_group_id,
            image_id=image_id,
            instance_profile_arn=instance_profile_arn,
            instance_type=instance_type,
            prefix_delegation=bool(prefix_delegation),
        )
    except EksError as e:
        raise AnsibleFilterError(f"aews.eks.self_managed_launch_template: {e}") from e


def aws_auth_entry(role_arn, family="AmazonLinux2023"):
    try:
        return _aws_auth_entry(role_arn, family)
    except EksError as e:
        raise AnsibleFilterError(f"aews.eks.aws_auth_entry: {e}") from e


def self_managed_family(ami_type):
    try:
        return family_of_ami_type(str(ami_type or ""))
    except EksError as e:
        raise AnsibleFilterError(f"aews.eks.self_managed_family: {e}") from e


class FilterModule:
    def filters(self):
        return {
            "self_managed_launch_template": self_managed_launch_template,
            "aws_auth_entry": aws_auth_entry,
            "self_managed_family": self_managed_family,
        }
