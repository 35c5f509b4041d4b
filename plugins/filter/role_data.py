# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles compute from the definition and their modules' results (plugins/plugin_utils/role_data.py)."""

from __future__ import annotations

# The documentation of each filter is in its own <name>.yml.

from ansible_collections.aews.eks.plugins.plugin_utils import role_data
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of

NAMES = (
    "nodegroup_reference_problems",
    "with_instance_types",
    "addon_deletes",
    "addon_entries",
    "wait_updates",
    "loop_wait_updates",
    "with_waited_status",
    "addon_waits",
    "known_nodegroup_inputs",
    "ssh_rules",
    "vpc_security_groups",
    "node_roles",
    "cluster_summary",
)


def _filter(name):
    func = getattr(role_data, name)

    def run(*args, **kwargs):
        with problems_of(name, role_data.RoleDataError):
            return func(*args, **kwargs)

    run.__name__ = name
    run.__doc__ = func.__doc__
    return run


class FilterModule:
    def filters(self):
        return {name: _filter(name) for name in NAMES}
