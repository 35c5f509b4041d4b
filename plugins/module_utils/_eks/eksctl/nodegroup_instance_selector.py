# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""managedNodeGroups[].instanceSelector: vCPUs, memory, GPUs and CPU architecture select the nodegroup's instance
types (resolved from EC2 in the definition stage, before any change) instead of naming them."""

from __future__ import annotations

import re

MEMORY_RE = re.compile(r"^\s*(\d+(\.\d+)?)\s*(GiB|Gi|GB|G|MiB|Mi|MB|M)?\s*$")
# eksctl's spellings of the two architectures.
ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "arm64"}
KEYS = ("vCPUs", "memory", "gpus", "cpuArchitecture")


def memory_gib(value):
    """GiB of eksctl's memory (``4``, ``4GiB``, ``512MiB``), or None when it is not one."""
    match = MEMORY_RE.match(str(value))
    if not match:
        return None
    number = float(match.group(1))
    return number / 1024 if (match.group(3) or "G").startswith("M") else number


def _selector(ng):
    selector = ng.get("instanceSelector")
    if not isinstance(selector, dict) or all(selector.get(key) is None for key in KEYS):
        return None
    return selector


def validate(ng, path, problems):
    selector = _selector(ng)
    if selector is None:
        return
    where = f"{path}.instanceSelector"
    if ng.get("instanceType") or ng.get("instanceTypes"):
        key = "instanceTypes" if ng.get("instanceTypes") else "instanceType"
        problems.append((f"{path}.{key}", "cannot be set with instanceSelector: the selector chooses the instance types"))
    if selector.get("vCPUs") is not None and selector["vCPUs"] < 1:
        problems.append((f"{where}.vCPUs", "must be at least 1"))
    if selector.get("gpus") is not None and selector["gpus"] < 0:
        problems.append((f"{where}.gpus", "cannot be negative"))
    if selector.get("memory") is not None and not memory_gib(selector["memory"]):
        problems.append((f"{where}.memory", f"{selector['memory']!r} is not an amount of memory such as 4, 4GiB or 512MiB"))
    architecture = selector.get("cpuArchitecture")
    if architecture is not None and architecture not in ARCHITECTURES:
        problems.append((f"{where}.cpuArchitecture", f"must be one of {', '.join(ARCHITECTURES)}, not {architecture!r}"))


def convert(ng, result):
    selector = _selector(ng)
    if selector is None:
        return
    out = {}
    if selector.get("vCPUs") is not None:
        out["vcpus"] = selector["vCPUs"]
    if selector.get("memory") is not None and memory_gib(selector["memory"]):
        out["memory_gib"] = memory_gib(selector["memory"])
    if selector.get("gpus") is not None:
        out["gpus"] = selector["gpus"]
    if selector.get("cpuArchitecture") in ARCHITECTURES:
        out["cpu_architecture"] = ARCHITECTURES[selector["cpuArchitecture"]]
    result["instance_selector"] = out
    if not ng.get("instanceType") and not ng.get("instanceTypes"):
        result.pop("instance_types", None)  # eksctl's default instance type does not apply


PATHS = {
    "instance_selector": "instanceSelector",
    "instance_selector.vcpus": "instanceSelector.vCPUs",
    "instance_selector.memory_gib": "instanceSelector.memory",
    "instance_selector.gpus": "instanceSelector.gpus",
    "instance_selector.cpu_architecture": "instanceSelector.cpuArchitecture",
}
