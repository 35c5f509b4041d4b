# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The documentation of each filter is in max_pods.yml and subnet_capacity.yml.

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import MaxPodsError
from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import max_pods as _max_pods
from ansible_collections.aews.eks.plugins.module_utils._eks.maxpods import subnet_capacity as _subnet_capacity
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of


def _bool(value, name):
    if isinstance(value, bool):
        return value
    raise AnsibleFilterError(f"{name} must be a boolean, not {value!r}")


def max_pods(record, prefix_delegation=False):
    with problems_of("max_pods", MaxPodsError):
        return _max_pods(record, _bool(prefix_delegation, "prefix_delegation"))


def subnet_capacity(subnets, instance_type, max_size, prefix_delegation=False, max_pods=None):
    if max_pods is not None and (isinstance(max_pods, bool) or not isinstance(max_pods, int) or max_pods < 1):
        raise AnsibleFilterError(f"aews.eks.subnet_capacity: max_pods must be a positive integer, not {max_pods!r}")
    with problems_of("subnet_capacity", MaxPodsError):
        return _subnet_capacity(
            subnets, instance_type, max_size, _bool(prefix_delegation, "prefix_delegation"), pods=max_pods
        )


class FilterModule:
    def filters(self):
        return {
            "max_pods": max_pods,
            "subnet_capacity": subnet_capacity,
        }
