# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""managedNodeGroups[].launchTemplate: an existing launch template (id, version) the nodegroup uses instead of the one
the collection writes. The fields eksctl refuses with it (what the template carries to the instances) are named by
their paths; the others keep their meaning (instance types and the AMI family only when given)."""

from __future__ import annotations

import re

# The fields the launch template takes over (eksctl refuses them with launchTemplate).
IN_THE_TEMPLATE = (
    "volumeSize",
    "volumeType",
    "volumeIOPS",
    "volumeThroughput",
    "volumeEncrypted",
    "volumeKmsKeyID",
    "maxPodsPerNode",
    "disableIMDSv1",
    "disablePodIMDS",
    "ami",
    "instanceName",
    "preBootstrapCommands",
    "overrideBootstrapCommand",
)


def validate(ng, path, problems):
    """The launch template's id and version, and the nodegroup's fields that belong in the template."""
    template = ng.get("launchTemplate")
    if not isinstance(template, dict) or not template:
        return
    where = f"{path}.launchTemplate"
    if not template.get("id"):
        problems.append((f"{where}.id", "is required with launchTemplate (the id of an existing launch template)"))
    version = template.get("version")
    if version is not None and not re.match(r"^[1-9][0-9]*$", str(version)):
        problems.append((f"{where}.version", f"must be a version number (1 or more), not {version!r}"))
    for key in IN_THE_TEMPLATE:
        if ng.get(key) is not None:
            problems.append((f"{path}.{key}", "cannot be set with launchTemplate: set it in the launch template"))
    ssh = ng.get("ssh") if isinstance(ng.get("ssh"), dict) else {}
    for key in ("allow", "publicKeyPath", "publicKeyName", "sourceSecurityGroupIds"):
        if ssh.get(key):
            problems.append((f"{path}.ssh.{key}", "cannot be set with launchTemplate: set SSH in the launch template"))
    groups = ng.get("securityGroups") if isinstance(ng.get("securityGroups"), dict) else {}
    if groups.get("attachIDs"):
        problems.append(
            (f"{path}.securityGroups.attachIDs", "cannot be set with launchTemplate: set them in the launch template")
        )


def convert(ng, result):
    """The nodegroup ``result`` converted from ``ng``, with the launch template instead of what it takes over."""
    template = ng.get("launchTemplate")
    if not isinstance(template, dict) or not template.get("id"):
        return
    result["launch_template"] = {"id": template["id"]}
    if template.get("version") is not None:
        result["launch_template"]["version"] = str(template["version"])
    # Reported by validate when given; eksctl's defaults for them do not apply (the template carries its own).
    for key in ("volume", "imds", "ssh", "max_pods", "security_group_ids"):
        result.pop(key, None)
    if not ng.get("instanceType") and not ng.get("instanceTypes"):
        result.pop("instance_types", None)
    if not ng.get("amiFamily"):
        result.pop("ami_family", None)


PATHS = {
    "launch_template": "launchTemplate",
    "launch_template.id": "launchTemplate.id",
    "launch_template.version": "launchTemplate.version",
}
