# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The documentation of the filter is in node_launch_template.yml.

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks use none of these.
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of


def node_launch_template(nodegroup, cluster, **options):
    prefix_delegation = options.get("prefix_delegation", False)
    tags = options.get("tags")
    security_group_ids = options.get("security_group_ids")
    cluster_info = options.get("cluster_info")
    if not isinstance(prefix_delegation, bool):
        raise AnsibleFilterError(
            f"aews.eks.node_launch_template: prefix_delegation must be a boolean, not {prefix_delegation!r}"
        )
    if tags is not None and not isinstance(tags, dict):
        raise AnsibleFilterError(f"aews.eks.node_launch_template: tags must be a dict, not {tags!r}")
    if isinstance(security_group_ids, str) or (
        security_group_ids is not None and not isinstance(security_group_ids, (list, tuple))
    ):
        raise AnsibleFilterError(
            f"aews.eks.node_launch_template: security_group_ids must be a list, not {security_group_ids!r}"
        )
    if cluster_info is not None and not isinstance(cluster_info, dict):
        raise AnsibleFilterError(
            "aews.eks.node_launch_template: cluster_info must be the cluster as aews.eks.eks_cluster_info returns it"
        )
    from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import LaunchTemplateError
    from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import node_launch_template as _node_launch_template

    with problems_of("node_launch_template", LaunchTemplateError):
        return _node_launch_template(nodegroup, cluster, **options)


class FilterModule:
    def filters(self):
        return {"node_launch_template": node_launch_template}
