# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance types selected by their resources, as eksctl's instanceSelector selects them: vCPUs, memory (GiB) and GPUs
each exactly as given, one CPU architecture (x86_64 by default), HVM; resolved read-only with EC2
GetInstanceTypesFromInstanceRequirements.

``request`` (pure) builds the request from a selector, ``resolve`` sends it (every page) and returns the instance
types sorted, ``info`` is eks_instance_selector_info."""

from __future__ import annotations

from . import api
from .errors import EksError

ARCHITECTURES = ("x86_64", "arm64")


def _number(selector, key, integer=True):
    value = selector.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and int(value) != value):
        raise EksError(message=f"{key}: {value!r} is not a {'whole ' if integer else ''}number")
    if value < 0 or (key != "gpus" and value <= 0):
        raise EksError(message=f"{key}: {value} must be {'0 or more' if key == 'gpus' else 'above 0'}")
    return value


def request(selector):
    """GetInstanceTypesFromInstanceRequirements parameters for ``selector`` (vcpus, memory_gib, cpu_architecture,
    gpus; each optional). Raises EksError naming the field."""
    architecture = selector.get("cpu_architecture") or "x86_64"
    if architecture not in ARCHITECTURES:
        raise EksError(message=f"cpu_architecture: {architecture!r} is not one of {', '.join(ARCHITECTURES)}")
    vcpus = _number(selector, "vcpus")
    memory = _number(selector, "memory_gib", integer=False)
    gpus = _number(selector, "gpus")
    requirements = {
        "VCpuCount": {"Min": int(vcpus), "Max": int(vcpus)} if vcpus is not None else {"Min": 0},
        "MemoryMiB": {"Min": int(memory * 1024), "Max": int(memory * 1024)} if memory is not None else {"Min": 0},
    }
    if gpus is not None:
        requirements["AcceleratorCount"] = {"Min": int(gpus), "Max": int(gpus)}
        requirements["AcceleratorTypes"] = ["gpu"]
    return {"ArchitectureTypes": [architecture], "VirtualizationTypes": ["hvm"], "InstanceRequirements": requirements}


def describe(selector):
    """The selector in words: ``2 vCPUs, 4 GiB, x86_64``."""
    parts = []
    if selector.get("vcpus") is not None:
        parts.append(f"{selector['vcpus']} vCPUs")
    if selector.get("memory_gib") is not None:
        parts.append(f"{selector['memory_gib']:g} GiB")
    if selector.get("gpus") is not None:
        parts.append(f"{selector['gpus']} GPUs")
    parts.append(selector.get("cpu_architecture") or "x86_64")
    return ", ".join(parts)


def resolve(ec2, selector):
    """The instance types (sorted) EC2 offers for ``selector``; EksError when there are none."""
    names = sorted(set(api.instance_types_from_requirements(ec2, request(selector))))
    if not names:
        raise EksError(message=f"no instance type has {describe(selector)}: change the selector")
    return names


def info(module, ec2):
    """eks_instance_selector_info: the instance types of the selector given; nothing is changed."""
    selector = {key: module.params.get(key) for key in ("vcpus", "memory_gib", "cpu_architecture", "gpus")}
    sent = request(selector)
    return dict(changed=False, instance_types=resolve(ec2, selector), request=sent, selector=describe(selector))
