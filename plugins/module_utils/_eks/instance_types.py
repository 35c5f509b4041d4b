# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 instance types with the pods a node of each can run under the VPC CNI."""

from __future__ import annotations

from . import api
from .common import to_ansible
from .errors import EksError
from .maxpods import MaxPodsError
from .maxpods import max_pods


def with_max_pods(record):
    """The snake_cased record, plus its max pods without and with prefix delegation (pure)."""
    result = to_ansible(record)
    try:
        result["max_pods"] = max_pods(record, prefix_delegation=False)
        result["max_pods_prefix_delegation"] = max_pods(record, prefix_delegation=True)
    except MaxPodsError as e:
        raise EksError(str(e)) from e
    return result


def info(module, ec2):
    """eks_instance_types_info: the instance types asked for, in order, each with its max pods; the result."""
    names = list(dict.fromkeys(module.params["instance_types"]))
    if not names:
        raise EksError("instance_types: name at least one instance type")
    records = api.describe_instance_types(ec2, names)
    by_name = {record["InstanceType"]: record for record in records}
    missing = [name for name in names if name not in by_name]
    if missing:
        raise EksError(f"instance_types: {', '.join(missing)} not offered in {module.region}")
    return dict(changed=False, instance_types=[with_max_pods(by_name[name]) for name in names])
