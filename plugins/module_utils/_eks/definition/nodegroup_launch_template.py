# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A managed nodegroup's launch_template: an existing launch template (id or name, and a version) the nodegroup uses
instead of the one the nodegroup role writes. What that template carries to the instances (root volume, metadata
options, SSH, security groups, max pods) cannot also be set on the nodegroup."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

TEMPLATE_ID_RE = re.compile(r"^lt-[0-9a-f]{8}([0-9a-f]{9})?$")
# EC2's CreateLaunchTemplate: 3 to 128 letters, digits and ( ) . / _ -.
TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")

# The nodegroup keys the launch template takes over, and why.
IN_THE_TEMPLATE = {
    "volume": "the root volume",
    "imds": "the instance metadata setting",
    "max_pods": "the max pods (in its user data)",
    "security_group_ids": "each security group of the nodes",
    "ami": "the AMI (its ImageId)",
    "pre_bootstrap_commands": "the bootstrap (its user data)",
    "override_bootstrap_command": "the bootstrap (its user data)",
    "instance_name": "the instances' Name tag (its tag specifications)",
}


def launch_template(ng, field):
    """The normalized launch_template of the nodegroup ``ng`` (its definition as written), or None.

    ``set_on_nodegroup`` lists the keys the nodegroup gives that the template may give too (``ami`` for ami_family or
    ami_type, ``instance_types``): the nodegroup role refuses them when the template version has its own (EKS does).
    """
    if ng.get("launch_template") is None:
        return None
    where = f"{field}.launch_template"
    template = _section(ng["launch_template"], where, "launch_template")
    template_id, name, version = template.get("id"), template.get("name"), template.get("version")
    if bool(template_id) == bool(name):
        _fail(where, "give the launch template's id or its name (one of them)")
    if template_id and not TEMPLATE_ID_RE.match(str(template_id)):
        _fail(f"{where}.id", f"{template_id!r} is not a launch template id (lt- and 8 or 17 hexadecimal digits)")
    if name and not TEMPLATE_NAME_RE.match(str(name)):
        _fail(f"{where}.name", f"{name!r} is not a launch template name (3 to 128 letters, digits and ( ) . / _ -)")
    if version is not None:
        if isinstance(version, bool) or not re.match(r"^[1-9][0-9]*$", str(version)):
            _fail(f"{where}.version", f"{version!r} is not a version number (1 or more)")
        version = str(version)
    ssh = ng.get("ssh") if isinstance(ng.get("ssh"), dict) else {}
    if ssh.get("allow") or ssh.get("public_key_name"):
        _fail(
            f"{field}.ssh.{'allow' if ssh.get('allow') else 'public_key_name'}",
            f"SSH to the nodes is set in the launch template ({ref(where)}): give the key pair and security group there,"
            " or leave ssh out",
        )
    for key, what in IN_THE_TEMPLATE.items():
        if ng.get(key) not in (None, {}, []):
            _fail(f"{field}.{key}", f"{what} is taken from the launch template ({ref(where)}): set it there, or leave {key} out")
    return {
        "id": str(template_id) if template_id else None,
        "name": str(name) if name else None,
        "version": version,
        "set_on_nodegroup": (["ami"] if ng.get("ami_family") or ng.get("ami_type") else [])
        + (["instance_types"] if ng.get("instance_types") else []),
    }
