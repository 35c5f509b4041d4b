# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The documentation of the filter is in node_launch_template.yml.

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import LaunchTemplateError
from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import (
    node_launch_template as _node_launch_template,
)


def node_launch_template(
    nodegroup,
    cluster,
    tags=None,
    security_group_ids=None,
    ssh_security_group_id=None,
    instance_type=None,
    prefix_delegation=False,
    cluster_info=None,
):
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
    try:
        return _node_launch_template(
            nodegroup,
            cluster,
            tags=tags,
            security_group_ids=security_group_ids,
            ssh_security_group_id=ssh_security_group_id,
            instance_type=instance_type,
            prefix_delegation=prefix_delegation,
            cluster_info=cluster_info,
        )
    except LaunchTemplateError as e:
        raise AnsibleFilterError(f"aews.eks.node_launch_template: {e}") from e


class FilterModule:
    def filters(self):
        return {"node_launch_template": node_launch_template}
