# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The documentation of the filters is in self_managed_launch_template.yml, aws_auth_entry.yml and
# self_managed_family.yml.

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks use none of these.
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of


def self_managed_launch_template(nodegroup, cluster, **options):
    if not isinstance(nodegroup, dict) or not nodegroup.get("name"):
        raise AnsibleFilterError("aews.eks.self_managed_launch_template: the input must be a normalized self-managed "
                                 "nodegroup (aews.eks.cluster_definition) with a name")  # fmt: skip
    if not isinstance(cluster, dict):
        raise AnsibleFilterError("aews.eks.self_managed_launch_template: cluster must be the cluster as "
                                 "aews.eks.eks_cluster_info returns it")  # fmt: skip
    options["prefix_delegation"] = bool(options.get("prefix_delegation"))
    from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
    from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import node_launch_template

    with problems_of("self_managed_launch_template", EksError):
        return node_launch_template(nodegroup, cluster, **options)


def aws_auth_entry(role_arn, family="AmazonLinux2023"):
    from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
    from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import aws_auth_entry as _aws_auth_entry

    with problems_of("aws_auth_entry", EksError):
        return _aws_auth_entry(role_arn, family)


def self_managed_family(ami_type):
    from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
    from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import family_of_ami_type

    with problems_of("self_managed_family", EksError):
        return family_of_ami_type(str(ami_type or ""))


class FilterModule:
    def filters(self):
        return {
            "self_managed_launch_template": self_managed_launch_template,
            "aws_auth_entry": aws_auth_entry,
            "self_managed_family": self_managed_family,
        }
