# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A managed nodegroup's own AMI and bootstrap, as eksctl takes them for managedNodeGroups: ``ami`` (a custom AMI: the
nodegroup's AMI type becomes EKS's CUSTOM and the launch template the nodegroup role writes carries the image and
user data that joins the node), ``pre_bootstrap_commands``, ``override_bootstrap_command`` (custom AMIs only) and
``instance_name`` (the instances' Name tag)."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _strings
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

AMI_RE = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")
# EC2 tag values: up to 256 characters.
TAG_VALUE_MAX = 256


def bootstrap(ng, field, out):
    """``ami``, ``pre_bootstrap_commands``, ``override_bootstrap_command`` and ``instance_name`` of the normalized
    nodegroup ``out`` (its AMI type already set), from the nodegroup ``ng`` as written."""
    ami = ng.get("ami")
    if ami is not None and (not isinstance(ami, str) or not AMI_RE.match(ami)):
        _fail(f"{field}.ami", f"{ami!r} is not an AMI ID (ami- and 8 or 17 hexadecimal digits)")
    pre = _strings(ng.get("pre_bootstrap_commands"), f"{field}.pre_bootstrap_commands")
    override = ng.get("override_bootstrap_command")
    if override is not None and (not isinstance(override, str) or not override.strip()):
        _fail(f"{field}.override_bootstrap_command", f"must be a non-empty string (a shell command), not {override!r}")
    name = ng.get("instance_name")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= TAG_VALUE_MAX):
        _fail(
            f"{field}.instance_name",
            f"must be a string of 1 to {TAG_VALUE_MAX} characters (the Name tag), not {name!r}",
        )
    ami_type = out["ami_type"]
    if ami_type.startswith("WINDOWS") and (ami or pre or override):
        key = "ami" if ami else "pre_bootstrap_commands" if pre else "override_bootstrap_command"
        _fail(
            f"{field}.{key}",
            f"is not supported for Windows managed nodegroups ({ami_type}): use a self-managed nodegroup",
        )
    if pre and ami_type.startswith("BOTTLEROCKET"):
        _fail(
            f"{field}.pre_bootstrap_commands",
            "Bottlerocket runs no shell commands from its user data (eksctl refuses them too): leave "
            "pre_bootstrap_commands out",
        )
    if override and not ami:
        _fail(
            f"{field}.override_bootstrap_command",
            f"can only be set with a custom AMI ({ref(field + '.ami')}), as eksctl: EKS bootstraps the nodes of its "
            "own AMIs",
        )
    if override and not ami_type.startswith("AL2_"):
        how = "nodeadm (a NodeConfig)" if ami_type.startswith("AL2023") else "Bottlerocket settings"
        _fail(
            f"{field}.override_bootstrap_command",
            f"is for AmazonLinux2 AMIs; {ami_type} nodes join with {how} that the collection writes with the "
            "cluster's details",
        )
    if ami and ami_type.startswith("AL2_") and not override:
        _fail(
            f"{field}.override_bootstrap_command",
            f"is required with a custom AmazonLinux2 AMI ({ref(field + '.ami')}), as eksctl requires it: the command "
            "that joins the node, such as /etc/eks/bootstrap.sh CLUSTER",
        )
    if ami:
        for key in ("version", "release_version"):
            if ng.get(key):
                _fail(f"{field}.{key}", f"cannot be set with a custom AMI ({ref(field + '.ami')}): the AMI sets the "
                                        "nodes' Kubernetes version (EKS refuses both)")  # fmt: skip
    return {
        "ami": ami,
        "pre_bootstrap_commands": pre,
        "override_bootstrap_command": override,
        "instance_name": name,
    }
