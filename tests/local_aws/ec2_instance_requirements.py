"""EC2 GetInstanceTypesFromInstanceRequirements (moto 5.2.5 lacks it), answered over moto's instance type catalogue
(the same records DescribeInstanceTypes returns), always on.

The instance types whose architecture is one of ``ArchitectureTypes``, whose virtualization type is one of
``VirtualizationTypes``, whose vCPUs and memory (MiB) are within ``InstanceRequirements.VCpuCount`` and ``MemoryMiB``
(``Min`` required, ``Max`` optional, as EC2 takes them) and whose GPU count is within ``AcceleratorCount`` (with
``AcceleratorTypes`` ``[gpu]``; unset: any), sorted by name, paginated by ``MaxResults`` (100 when not given) /
``NextToken``. A missing
``ArchitectureTypes``, ``VirtualizationTypes``, ``VCpuCount.Min`` or ``MemoryMiB.Min`` answers
``MissingParameter``; a ``Min`` above its ``Max`` ``InvalidParameterValue``, as EC2 does.
"""

from __future__ import annotations

_PATCHED = {}
# Items a page when MaxResults is not given (small, so a caller that reads one page only is caught).
DEFAULT_PAGE = 100


def _range(requirements, key, required):
    from moto.ec2.exceptions import InvalidParameterValueError
    from moto.ec2.exceptions import MissingParameterError

    given = requirements.get(key) or {}
    low, high = given.get("Min"), given.get("Max")
    if required and low is None:
        raise MissingParameterError(f"InstanceRequirements.{key}.Min")
    low = int(low) if low is not None else None
    high = int(high) if high is not None else None
    if low is not None and high is not None and low > high:
        raise InvalidParameterValueError(f"InstanceRequirements.{key}: Min {low} is above Max {high}")
    return low, high


def _within(value, bounds):
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def matching(catalogue, architectures, virtualizations, requirements):
    """The names of the instance types of ``catalogue`` (moto's INSTANCE_TYPES) meeting the request (pure)."""
    from moto.ec2.exceptions import MissingParameterError

    if not architectures:
        raise MissingParameterError("ArchitectureTypes")
    if not virtualizations:
        raise MissingParameterError("VirtualizationTypes")
    vcpus = _range(requirements, "VCpuCount", True)
    memory = _range(requirements, "MemoryMiB", True)
    gpus = _range(requirements, "AcceleratorCount", False)
    if requirements.get("AcceleratorTypes") and "gpu" not in requirements["AcceleratorTypes"]:
        gpus = (None, None)  # counts of other accelerators are not in the catalogue
    names = []
    for name, record in catalogue.items():
        if not set((record.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []) & set(architectures):
            continue
        if not set(record.get("SupportedVirtualizationTypes") or []) & set(virtualizations):
            continue
        if not _within((record.get("VCpuInfo") or {}).get("DefaultVCpus", 0), vcpus):
            continue
        if not _within((record.get("MemoryInfo") or {}).get("SizeInMiB", 0), memory):
            continue
        count = sum(g.get("Count", 0) for g in (record.get("GpuInfo") or {}).get("Gpus") or [])
        if not _within(count, gpus):
            continue
        names.append(name)
    return sorted(names)


def install():
    """Add the operation to moto's EC2 responses (idempotent)."""
    from moto.core.responses import ActionResult
    from moto.ec2.models.instance_types import INSTANCE_TYPES
    from moto.ec2.responses.instances import InstanceResponse

    if InstanceResponse in _PATCHED:
        return
    _PATCHED[InstanceResponse] = True

    def get_instance_types_from_instance_requirements(self):
        requirements = self._get_param("InstanceRequirements") or {}
        names = matching(
            INSTANCE_TYPES,
            self._get_param("ArchitectureTypes") or [],
            self._get_param("VirtualizationTypes") or [],
            requirements,
        )
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or DEFAULT_PAGE)
        page = names[start : start + size]
        result = {"InstanceTypes": [{"InstanceType": n} for n in page]}
        if start + size < len(names):
            result["NextToken"] = str(start + size)
        return ActionResult(result)

    InstanceResponse.get_instance_types_from_instance_requirements = get_instance_types_from_instance_requirements
