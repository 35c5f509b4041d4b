# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pods per node under the Amazon VPC CNI, and whether a nodegroup's subnets hold their IPs (pure).

The formulas are those of amazon-eks-ami's max-pods-calculator.sh and of the VPC CNI's
misc/eni-max-pods.txt (amazon-vpc-cni-k8s):

- the ENIs are those of the instance type's default network card
  (``NetworkInfo.NetworkCards[DefaultNetworkCardIndex].MaximumNetworkInterfaces``), not the total over
  all its cards: the CNI attaches pod ENIs to the default card only (p5.48xlarge: 2 ENIs, not 64);
- secondary IPs: ENIs x (IPv4 per ENI - 1) + 2, whatever the vCPUs;
- prefix delegation only works on Nitro instances (and bare metal): on Xen types (t2, m4, c4, ...) the CNI
  falls back to secondary IPs; the result is then capped at 110 pods up to 30 vCPUs, 250 above.
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


def _default_card_enis(record):
    """The ENIs of the default network card, when the record lists its network cards."""
    cards = _get(record, ("NetworkInfo", "NetworkCards"), ("network_info", "network_cards"))
    if not isinstance(cards, list) or not cards:
        return None
    index = _get(record, ("NetworkInfo", "DefaultNetworkCardIndex"), ("network_info", "default_network_card_index"))
    index = index if isinstance(index, int) and not isinstance(index, bool) else 0
    for card in cards:
        if not isinstance(card, dict):
            continue
        if _get(card, ("NetworkCardIndex",), ("network_card_index",)) == index:
            return _get(card, ("MaximumNetworkInterfaces",), ("maximum_network_interfaces",))
    return None


def supports_prefix_delegation(record):
    """Whether the VPC CNI can delegate prefixes on this instance type: Nitro instances and bare metal."""
    hypervisor = _get(record, ("Hypervisor",), ("hypervisor",))
    if hypervisor:
        return str(hypervisor).lower() == "nitro"
    # Bare metal types have no hypervisor; records without the field are taken as current (Nitro) types.
    return True


def network_limits(record):
    """(name, vCPUs, ENIs, IPv4 addresses per ENI) of a DescribeInstanceTypes record, raw or snake_cased.

    The ENIs are those of the default network card; vCPUs are None when the record has none.
    """
    if not isinstance(record, dict):
        raise MaxPodsError(f"an instance type record must be a dict, not {type(record).__name__}")
    name = _get(record, ("InstanceType",), ("instance_type",)) or "the instance type"
    enis = _default_card_enis(record)
    if enis is None:
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
        )
        if not _positive(value)
    ]
    if missing:
        raise MaxPodsError(f"{name}: the record has no usable {', '.join(missing)}")
    return name, vcpus if _positive(vcpus) else None, enis, ips


def _positive(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def max_pods(record, prefix_delegation=False):
    """The max pods of one node of this instance type.

    Secondary IPs: ENIs x (IPv4 per ENI - 1) + 2 (the vCPUs play no part). Prefix delegation (Nitro and bare
    metal only; Xen types keep secondary IPs): ENIs x ((IPv4 per ENI - 1) x 16) + 2; with prefix delegation
    asked for, the result is capped at 110 up to 30 vCPUs and at 250 above, as max-pods-calculator.sh does.
    """
    name, vcpus, enis, ips = network_limits(record)
    if not prefix_delegation:
        return enis * (ips - 1) + HOST_NETWORK_PODS
    if supports_prefix_delegation(record):
        pods = enis * ((ips - 1) * PREFIX_SIZE) + HOST_NETWORK_PODS
    else:
        pods = enis * (ips - 1) + HOST_NETWORK_PODS
    if vcpus is None:
        raise MaxPodsError(f"{name}: the record has no usable VCpuInfo.DefaultVCpus")
    cap = LARGE_INSTANCE_CAP if vcpus > LARGE_INSTANCE_VCPUS else SMALL_INSTANCE_CAP
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
    if not prefix_delegation or not supports_prefix_delegation(record):
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
