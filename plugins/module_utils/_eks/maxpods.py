# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pods per node under the Amazon VPC CNI, and whether a nodegroup's subnets hold their IPs (pure).

The formulas are those of amazon-eks-ami's max-pods-calculator.sh:
https://github.com/awslabs/amazon-eks-ami/blob/main/templates/al2/runtime/max-pods-calculator.sh
"""

from __future__ import annotations

import math

# An IPv4 prefix assigned to an ENI under prefix delegation is a /28.
PREFIX_SIZE = 16
# Pods with host networking (aws-node, kube-proxy) take no IP of their own; the CNI counts them in.
HOST_NETWORK_PODS = 2
# Kubernetes' scalability guidance, applied by the calculator when prefixes lift the IP limit.
SMALL_INSTANCE_CAP = 110
LARGE_INSTANCE_CAP = 250
LARGE_INSTANCE_VCPUS = 30


class MaxPodsError(ValueError):
    """The instance type record lacks the network information the computation needs."""


def _get(record, *paths):
    """The first value found at one of ``paths`` (tuples of keys), in AWS or snake_case spelling."""
    for path in paths:
        value = record
        for key in path:
            if not isinstance(value, dict) or key not in value:
                value = None
                break
            value = value[key]
        if value is not None:
            return value
    return None


def network_limits(record):
    """(name, vCPUs, ENIs, IPv4 addresses per ENI) of a DescribeInstanceTypes record, raw or snake_cased."""
    if not isinstance(record, dict):
        raise MaxPodsError(f"an instance type record must be a dict, not {type(record).__name__}")
    name = _get(record, ("InstanceType",), ("instance_type",)) or "the instance type"
    enis = _get(
        record,
        ("NetworkInfo", "MaximumNetworkInterfaces"),
        ("network_info", "maximum_network_interfaces"),
    )
    ips = _get(
        record,
        ("NetworkInfo", "Ipv4AddressesPerInterface"),
        ("network_info", "ipv4_addresses_per_interface"),
    )
    vcpus = _get(record, ("VCpuInfo", "DefaultVCpus"), ("v_cpu_info", "default_v_cpus"))
    missing = [
        label
        for label, value in (
            ("NetworkInfo.MaximumNetworkInterfaces", enis),
            ("NetworkInfo.Ipv4AddressesPerInterface", ips),
            ("VCpuInfo.DefaultVCpus", vcpus),
        )
        if not isinstance(value, int) or isinstance(value, bool) or value < 1
    ]
    if missing:
        raise MaxPodsError(f"{name}: the record has no usable {', '.join(missing)}")
    return name, vcpus, enis, ips


def max_pods(record, prefix_delegation=False):
    """The max pods of one node of this instance type.

    Secondary IPs: ENIs x (IPv4 per ENI - 1) + 2. Prefix delegation: ENIs x ((IPv4 per ENI - 1) x 16) + 2,
    capped at 110 below 30 vCPUs and at 250 from 30 vCPUs on.
    """
    _name, vcpus, enis, ips = network_limits(record)
    if not prefix_delegation:
        return enis * (ips - 1) + HOST_NETWORK_PODS
    pods = enis * ((ips - 1) * PREFIX_SIZE) + HOST_NETWORK_PODS
    cap = SMALL_INSTANCE_CAP if vcpus < LARGE_INSTANCE_VCPUS else LARGE_INSTANCE_CAP
    return min(pods, cap)


def ips_per_node(record, prefix_delegation=False, pods=None):
    """The VPC IPv4 addresses one full node takes from its subnet.

    ``pods`` is the node's max pods (default: what the instance type allows). Secondary IPs: the CNI fills
    whole ENIs, each with its primary address and its secondary ones. Prefix delegation: the pods' /28
    prefixes plus one warm prefix (WARM_PREFIX_TARGET=1), and the primary address of each ENI in use.
    """
    _name, _vcpus, enis, ips = network_limits(record)
    if pods is None:
        pods = max_pods(record, prefix_delegation)
    pod_ips = max(int(pods) - HOST_NETWORK_PODS, 0)
    if not prefix_delegation:
        enis_used = min(enis, max(1, math.ceil(pod_ips / (ips - 1))))
        return enis_used * ips
    prefixes = math.ceil(pod_ips / PREFIX_SIZE) + 1
    enis_used = min(enis, max(1, math.ceil(prefixes / (ips - 1))))
    return prefixes * PREFIX_SIZE + enis_used


def free_ips(subnets):
    """The free IPv4 addresses of DescribeSubnets records (raw or snake_cased), or of plain counts."""
    total = 0
    for index, subnet in enumerate(subnets or []):
        if isinstance(subnet, int) and not isinstance(subnet, bool):
            count = subnet
        elif isinstance(subnet, dict):
            count = _get(subnet, ("AvailableIpAddressCount",), ("available_ip_address_count",))
        else:
            count = None
        if not isinstance(count, int) or isinstance(count, bool):
            raise MaxPodsError(f"subnets[{index}]: no AvailableIpAddressCount")
        total += count
    return total


def subnet_capacity(subnets, record, max_size, prefix_delegation=False, pods=None):
    """Whether ``subnets`` hold the IPs of ``max_size`` full nodes of this instance type.

    Returns a dict: ``free_ips``, ``ips_per_node``, ``needed_ips``, ``max_pods``, ``sufficient`` and a
    ``message`` that names the shortfall (empty when the subnets suffice).
    """
    name = network_limits(record)[0]
    if pods is None:
        pods = max_pods(record, prefix_delegation)
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 0:
        raise MaxPodsError(f"max_size must be a non-negative integer, not {max_size!r}")
    per_node = ips_per_node(record, prefix_delegation, pods)
    free = free_ips(subnets)
    needed = per_node * max_size
    sufficient = free >= needed
    message = ""
    if not sufficient:
        message = (
            f"the subnets have {free} free IPv4 addresses but {max_size} {name} nodes with {pods} pods each "
            f"need {needed} ({per_node} per node)"
        )
        if prefix_delegation:
            message += "; prefix delegation also needs free contiguous /28 blocks"
    return dict(
        free_ips=free,
        ips_per_node=per_node,
        needed_ips=needed,
        max_pods=pods,
        sufficient=sufficient,
        message=message,
    )
