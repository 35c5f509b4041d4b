# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's vpc: a VPC to build (CIDR, zones, NAT, the subnet split eksctl makes) or an existing one
(its id and subnet ids)."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.cluster_features import _control_plane
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _int
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _known
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _network
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

NAT_MODES = list(vocabulary.NAT_MODES)
# The hostname types of EC2 instances a subnet launches (ModifySubnetAttribute PrivateDnsHostnameTypeOnLaunch).
HOSTNAME_TYPES = ["resource-name", "ip-name"]

# Zones EKS does not support, by zone ID (eksctl's zoneIDsToAvoid, pkg/az/az.go): skipped when zones are picked.
ZONE_IDS_WITHOUT_EKS = {
    "us-east-1": ["use1-az3"],
    "us-west-1": ["usw1-az2"],
    "ca-central-1": ["cac1-az3"],
    "cn-north-1": ["cnn1-az4"],
}


def default_zones(zones, region):
    """The zone names of ``zones`` (names or aws_az_info records) but those EKS does not support (eksctl's list)."""
    avoid = ZONE_IDS_WITHOUT_EKS.get(region, [])
    names = []
    for zone in zones or []:
        if isinstance(zone, dict):
            zone_id = zone.get("zone_id") or zone.get("ZoneId")
            name = zone.get("zone_name") or zone.get("ZoneName")
            if zone_id in avoid or not name:
                continue
            names.append(str(name))
        else:
            names.append(str(zone))
    return names


def _vpc(vpc, region, zones_default):
    _known(vpc, "vpc", "vpc")
    out = {}
    out["cidr"] = str(_network(vpc.get("cidr") or vocabulary.DEFAULT_VPC_CIDR, "vpc.cidr"))
    network = ipaddress.ip_network(out["cidr"])
    if network.version != 4 or not 16 <= network.prefixlen <= 24:
        _fail("vpc.cidr", f"{out['cidr']} must be an IPv4 block with a prefix from /16 to /24")
    out["nat"] = _choice(vpc.get("nat"), "vpc.nat", NAT_MODES, vocabulary.DEFAULT_NAT_MODE)
    out["id"] = vpc.get("id") or None
    out.update(_control_plane(vpc))
    out["hostname_type"] = _choice(vpc.get("hostname_type"), "vpc.hostname_type", HOSTNAME_TYPES)
    if out["hostname_type"] and out["id"]:
        _fail(
            "vpc.hostname_type",
            f"sets the hostname type of the subnets the vpc role builds; an adopted VPC ({ref('vpc.id')}) keeps its"
            " subnets' settings: remove it, or set it on the subnets yourself",
        )
    subnet_ids = _dict(vpc.get("subnet_ids"), "vpc.subnet_ids")
    explicit = _dict(vpc.get("subnets"), "vpc.subnets")
    for key in list(subnet_ids) + list(explicit):
        if key not in ("public", "private"):
            _fail(f"vpc.subnets.{key}", "only public and private are known")
    zones = _list(vpc.get("availability_zones"), "vpc.availability_zones")
    if not zones:
        zones = list(_dict(explicit.get("public") or subnet_ids.get("public"), "vpc.subnets.public"))
    if not zones:
        zones = list(_dict(explicit.get("private") or subnet_ids.get("private"), "vpc.subnets.private"))
    if not zones:
        zones = default_zones(zones_default, region)[:2]
    if not zones and zones_default is None:
        # The first two zones of the region are looked up by the caller, then the definition is normalized again.
        out["availability_zones"] = None
        out["subnet_ids"] = subnet_ids or {"public": {}, "private": {}}
        out["subnets"] = None
        return out
    if not zones:
        _fail("vpc.availability_zones", f"no zones given and none found for the region {region}: name two or more")
    if len(zones) < 2:
        _fail(
            "vpc.availability_zones",
            f"at least 2 zones are needed (EKS needs subnets in two zones), got {zones}: name two or more zones of "
            f"{region}",
        )
    if len(set(zones)) != len(zones):
        _fail("vpc.availability_zones", f"has duplicates: {zones}; name each zone once")
    for index, zone in enumerate(zones):
        if region and not re.match(rf"^{re.escape(region)}[a-z]$", str(zone)):
            _fail(
                f"vpc.availability_zones[{index}]",
                f"{zone} is not a zone of {ref('region')} {region}: use zones such as {region}a, {region}b",
            )
    out["availability_zones"] = zones
    out["subnet_prefix"] = _int(vpc.get("subnet_prefix"), "vpc.subnet_prefix", None, network.prefixlen, 28)
    if out["id"]:
        if not subnet_ids.get("public") and not subnet_ids.get("private"):
            _fail("vpc.subnet_ids", "an adopted VPC (vpc.id) needs its subnet ids per zone")
        out["subnet_ids"] = {
            kind: _dict(subnet_ids.get(kind), f"vpc.subnet_ids.{kind}") for kind in ("public", "private")
        }
        out["subnets"] = {"public": {}, "private": {}}
        return out
    if subnet_ids:
        _fail("vpc.subnet_ids", f"subnet ids are only used with {ref('vpc.id')} (adopting an existing VPC)")
    out["subnet_ids"] = {"public": {}, "private": {}}
    try:
        generated = split(out["cidr"], zones, out["subnet_prefix"])
    except ValueError as e:
        field, _sep, problem = str(e).partition(" ")
        field = field.rstrip(":")
        raise DefinitionError(field, problem) from None
    seen = []
    subnets = {}
    for kind in ("public", "private"):
        given = _dict(explicit.get(kind), f"vpc.subnets.{kind}")
        for zone in given:
            if zone not in zones:
                _fail(f"vpc.subnets.{kind}.{zone}", f"zone is not in vpc.availability_zones {zones}")
        subnets[kind] = {}
        for zone in zones:
            cidr = given.get(zone) or generated[kind][zone]
            field = f"vpc.subnets.{kind}.{zone}"
            block = _network(cidr, field)
            if block.version != 4 or not block.subnet_of(network):
                _fail(field, f"{cidr} is not inside the VPC CIDR {network}")
            if block.prefixlen > 28:
                _fail(field, f"{cidr} is smaller than /28, the smallest subnet AWS allows")
            for other_field, other in seen:
                if block.overlaps(other):
                    _fail(field, f"{cidr} overlaps {other_field} {other}")
            seen.append((field, block))
            subnets[kind][zone] = str(block)
    out["subnets"] = subnets
    return out


def split(cidr, availability_zones, prefix=None):
    """Return {"public": {az: cidr}, "private": {az: cidr}}; raise ValueError naming the problem."""
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError as e:
        raise ValueError(f"vpc.cidr {cidr!r} is not a network: {e}") from None
    zones = list(availability_zones)
    if not zones:
        raise ValueError("vpc.availability_zones is empty")
    if len(set(zones)) != len(zones):
        raise ValueError(f"vpc.availability_zones has duplicates: {zones}")
    count = 2 * len(zones)
    if prefix is None:
        if count <= 8:
            prefix = network.prefixlen + 3
        elif count <= 16:
            prefix = network.prefixlen + 4
        else:
            raise ValueError(f"vpc.availability_zones: {len(zones)} zones need {count} subnets, more than 16")
    prefix = int(prefix)
    if prefix < network.prefixlen or prefix > network.max_prefixlen:
        raise ValueError(f"vpc.subnet_prefix /{prefix} does not fit in {network}")
    if network.version == 4 and prefix > 28:
        raise ValueError(f"vpc.subnet_prefix /{prefix} is smaller than /28, the smallest subnet AWS allows")
    blocks = 2 ** (prefix - network.prefixlen)
    if blocks < count:
        raise ValueError(f"vpc.subnet_prefix /{prefix} gives {blocks} subnets of {network}, {count} are needed")
    cut = network.subnets(new_prefix=prefix)
    first = [str(next(cut)) for _index in range(count)]
    return {
        "public": {zone: first[i] for i, zone in enumerate(zones)},
        "private": {zone: first[i + len(zones)] for i, zone in enumerate(zones)},
    }


# A fully private cluster (eksctl privateCluster): eksctl's endpoint services (pkg/apis/eksctl.io/v1alpha5): made
# always, and on request (additional_endpoint_services; logs also when control plane logging is on).
REQUIRED_ENDPOINT_SERVICES = ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"]
ADDITIONAL_ENDPOINT_SERVICES = ["cloudformation", "autoscaling", "logs"]


def private_cluster(d):
    """``private_cluster`` checked, and what it implies set on the raw definition ``d`` before the other sections are
    normalized (nodegroups default to private networking). Returns the normalized section without
    ``endpoint_services`` (``private_cluster_services`` adds it once logging is known)."""
    section = _section(d.get("private_cluster"), "private_cluster", "private_cluster")
    enabled = _bool(section.get("enabled"), "private_cluster.enabled", False)
    skip = _bool(section.get("skip_endpoint_creation"), "private_cluster.skip_endpoint_creation", False)
    additional = _list(section.get("additional_endpoint_services"), "private_cluster.additional_endpoint_services")
    for index, service in enumerate(additional):
        field = f"private_cluster.additional_endpoint_services[{index}]"
        _choice(service, field, ADDITIONAL_ENDPOINT_SERVICES)
        if additional.index(service) != index:
            _fail(field, f"{service} is listed twice")
    out = {"enabled": enabled, "skip_endpoint_creation": skip, "additional_endpoint_services": list(additional)}
    if not enabled:
        for key in ("skip_endpoint_creation", "additional_endpoint_services"):
            if out[key]:
                _fail(
                    f"private_cluster.{key}",
                    f"applies to a fully private cluster: set {ref('private_cluster.enabled')} true, or remove it",
                )
        return out
    if additional and skip:
        _fail(
            "private_cluster.additional_endpoint_services",
            f"cannot be set with {ref('private_cluster.skip_endpoint_creation')} true (no endpoint is made)",
        )
    vpc = _dict(d.get("vpc"), "vpc")
    if vpc.get("nat") not in (None, "disabled"):
        _fail(
            "vpc.nat",
            f"{vpc['nat']}: a fully private cluster ({ref('private_cluster.enabled')}) has no NAT gateway (nor public"
            " subnets or internet gateway): remove it or use disabled",
        )
    if vpc.get("id") and not _dict(
        _dict(vpc.get("subnet_ids"), "vpc.subnet_ids").get("private"), "vpc.subnet_ids.private"
    ):
        _fail("vpc.subnet_ids.private", f"a fully private cluster with {ref('vpc.id')} needs its private subnets")
    if vpc.get("id") and _dict(vpc.get("subnet_ids"), "vpc.subnet_ids").get("public"):
        _fail(
            "vpc.subnet_ids.public",
            f"a fully private cluster ({ref('private_cluster.enabled')}) uses private subnets only: remove them",
        )
    if not vpc.get("id") and _dict(_dict(vpc.get("subnets"), "vpc.subnets").get("public"), "vpc.subnets.public"):
        _fail(
            "vpc.subnets.public", f"a fully private cluster ({ref('private_cluster.enabled')}) has private subnets only"
        )
    vpc["nat"] = "disabled"
    d["vpc"] = vpc
    endpoint = _dict(d.get("endpoint"), "endpoint")
    if _bool(endpoint.get("public_access"), "endpoint.public_access", False):
        _fail(
            "endpoint.public_access",
            f"a fully private cluster ({ref('private_cluster.enabled')}) has no public API endpoint: remove it or set"
            " it false",
        )
    if endpoint.get("public_access_cidrs"):
        _fail(
            "endpoint.public_access_cidrs",
            f"a fully private cluster ({ref('private_cluster.enabled')}) has no public API endpoint",
        )
    if endpoint.get("private_access") is False:
        _fail(
            "endpoint.private_access",
            f"a fully private cluster ({ref('private_cluster.enabled')}) is reached through it: remove it or set it true",
        )
    endpoint.update(public_access=False, private_access=True)
    d["endpoint"] = endpoint
    for section_name in ("nodegroups", "self_managed_nodegroups"):
        groups = _list(d.get(section_name), section_name)
        for index, ng in enumerate(groups):
            if isinstance(ng, dict) and ng.get("private_networking") is None:
                ng["private_networking"] = True
            elif (
                isinstance(ng, dict)
                and _bool(ng["private_networking"], f"{section_name}[{index}].private_networking", True) is False
            ):
                _fail(
                    f"{section_name}[{index}].private_networking",
                    f"must be true in a fully private cluster ({ref('private_cluster.enabled')}): it has no public subnets",
                )
        if groups:
            d[section_name] = groups
    return out


def private_cluster_services(section, logging_types):
    """The endpoint services of a fully private cluster: eksctl's five, the additional ones, and logs when control
    plane logging is on; none with skip_endpoint_creation or when it is not private."""
    if not section["enabled"] or section["skip_endpoint_creation"]:
        return []
    services = REQUIRED_ENDPOINT_SERVICES + section["additional_endpoint_services"]
    if logging_types and "logs" not in services:
        services.append("logs")
    return services
