# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A managed nodegroup's instance_selector: its instance types selected by vCPUs, memory (GiB), GPUs and CPU
architecture (eksctl's instanceSelector) instead of named. The definition stage resolves them from EC2
(aews.eks.eks_instance_selector_info) before any change; until then the nodegroup's instance_types are empty."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _int
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

ARCHITECTURES = ["x86_64", "arm64"]


def instance_selector(ng, field):
    """The normalized instance_selector of the nodegroup ``ng`` (as written), or None."""
    if ng.get("instance_selector") is None:
        return None
    where = f"{field}.instance_selector"
    selector = _section(ng["instance_selector"], where, "instance_selector")
    if not any(selector.get(key) is not None for key in ("vcpus", "memory_gib", "gpus", "cpu_architecture")):
        _fail(where, "give vcpus, memory_gib, gpus or cpu_architecture (or leave instance_selector out)")
    if ng.get("instance_types"):
        _fail(f"{field}.instance_types", f"cannot be given with {ref(where)}: the selector chooses the instance types")
    memory = selector.get("memory_gib")
    if memory is not None and (isinstance(memory, bool) or not isinstance(memory, (int, float)) or memory <= 0):
        _fail(f"{where}.memory_gib", f"{memory!r} is not an amount of GiB above 0 (0.5 for 512 MiB)")
    return {
        "vcpus": _int(selector.get("vcpus"), f"{where}.vcpus", None, 1),
        "memory_gib": float(memory) if memory is not None else None,
        "gpus": _int(selector.get("gpus"), f"{where}.gpus", None, 0),
        "cpu_architecture": _choice(selector.get("cpu_architecture"), f"{where}.cpu_architecture", ARCHITECTURES,
                                    "x86_64"),  # fmt: skip
    }


def representative_types(selector):
    """An instance type standing for what the selector selects, for the AMI type eksctl picks (ARM, NVIDIA)."""
    if not selector:
        return []
    if selector["cpu_architecture"] == "arm64":
        return ["m6g.large"]
    return ["g4dn.xlarge"] if selector.get("gpus") else ["m5.large"]
