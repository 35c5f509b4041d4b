# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""availabilityZones and vpc (CIDR, NAT, subnets new or existing, cluster endpoints)."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import UNSUPPORTED

AZ_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+[a-z]$")

# A local zone's name: its parent region, the metro and a number (us-west-2-lax-1a).
LOCAL_ZONE_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+)+-\d+[a-z]$")
NAT = vocabulary.EKSCTL_NAT_MODES
DEFAULT_VPC_CIDR = vocabulary.DEFAULT_VPC_CIDR
# vpc.hostnameType: the hostname of the instances the subnets launch (EC2's HostnameType).
HOSTNAME_TYPES = ("resource-name", "ip-name")


def _validate_subnets(cfg, problems):
    vpc = cfg.get("vpc") or {}
    subnets = vpc.get("subnets") or {}
    with_ids = []
    with_cidrs_only = []
    for scope in ("public", "private"):
        seen = {}
        for key, spec in (subnets.get(scope) or {}).items():
            path = f"vpc.subnets.{scope}.{key}"
            spec = spec or {}
            zone = spec.get("az") or key
            if spec.get("az"):
                if LOCAL_ZONE_PATTERN.match(zone):
                    problems.append((f"{path}.az", f"{zone} is a local zone: local zones are {UNSUPPORTED}"))
                elif not AZ_PATTERN.match(zone):
                    problems.append((f"{path}.az", f"{zone!r} is not an availability zone name such as us-east-1a"))
            elif LOCAL_ZONE_PATTERN.match(key):
                problems.append((path, f"{key} is a local zone: local zones are {UNSUPPORTED}"))
            elif not AZ_PATTERN.match(key):
                problems.append(
                    (
                        path,
                        f"{key!r} is not an availability zone name: a subnet keyed by a name of your own needs az "
                        "(the availability zone it is in)",
                    )
                )
            if spec.get("cidr"):
                try:
                    ipaddress.ip_network(spec["cidr"])
                except ValueError:
                    problems.append((f"{path}.cidr", f"{spec['cidr']!r} is not a CIDR block such as 10.0.0.0/19"))
            if zone in seen:
                problems.append((path, f"a second {scope} subnet in {zone} (one per zone is supported)"))
            seen[zone] = key
            if spec.get("id"):
                with_ids.append(path)
            elif spec.get("cidr"):
                with_cidrs_only.append(path)
            else:
                problems.append((path, "needs an id or a cidr"))
    if with_ids and with_cidrs_only:
        problems.append(("vpc.subnets", "either every subnet has an id (an existing VPC) or none has"))
    if with_ids and not vpc.get("id"):
        problems.append(
            ("vpc.id", "is required with existing subnets (looking the VPC up from them is not supported yet)")
        )
    if vpc.get("id") and not with_ids:
        problems.append(("vpc.subnets", "an existing VPC (vpc.id) needs its subnets, each with its id"))


def _vpc(cfg):
    vpc = cfg.get("vpc") or {}
    result = {}
    if vpc.get("id"):
        result["id"] = vpc["id"]
    result["cidr"] = vpc.get("cidr") or DEFAULT_VPC_CIDR
    given_zones = _entries(cfg.get("availabilityZones"))
    zones = list(given_zones)
    subnets = vpc.get("subnets") or {}
    by_scope = {}
    for scope in ("public", "private"):
        for key, spec in (subnets.get(scope) or {}).items():
            spec = spec or {}
            zone = spec.get("az") or key
            if not AZ_PATTERN.match(zone):  # reported by _validate_subnets
                continue
            by_scope.setdefault(scope, {})[zone] = spec
            if zone not in zones and not given_zones:
                zones.append(zone)
    if zones:
        result["availability_zones"] = zones
    result["nat"] = NAT.get((vpc.get("nat") or {}).get("gateway") or "Single", "single")
    if by_scope:
        adopt = bool(vpc.get("id"))
        key = "subnet_ids" if adopt else "subnets"
        result[key] = {
            scope: {
                zone: spec.get("id" if adopt else "cidr")
                for zone, spec in specs.items()
                if spec.get("id" if adopt else "cidr")
            }
            for scope, specs in by_scope.items()
        }
    return result


def _endpoint(vpc):
    endpoints = vpc.get("clusterEndpoints") or {}
    result = {
        "public_access": endpoints.get("publicAccess") if endpoints.get("publicAccess") is not None else True,
        "private_access": bool(endpoints.get("privateAccess")),
    }
    if _entries(vpc.get("publicAccessCIDRs")):
        result["public_access_cidrs"] = _entries(vpc["publicAccessCIDRs"])
    return result


def _subnet_cidr_checks(cfg):
    """The CIDR of each existing subnet (given with both id and cidr), by scope and zone: eksctl compares it
    with the subnet's own and fails when they differ; the stage that reads the subnets compares it too."""
    vpc = cfg.get("vpc") or {}
    if not vpc.get("id"):
        return {}
    result = {}
    for scope in ("public", "private"):
        for key, spec in ((vpc.get("subnets") or {}).get(scope) or {}).items():
            spec = spec or {}
            if spec.get("id") and spec.get("cidr"):
                result.setdefault(scope, {})[spec.get("az") or key] = spec["cidr"]
    return result


def validate_zones(cfg, problems):
    zones = _entries(cfg.get("availabilityZones"))
    if zones and len(zones) < 2:
        problems.append(("availabilityZones", "needs at least 2 availability zones"))
    if len(set(zones)) != len(zones):
        problems.append(("availabilityZones", "lists a zone twice"))


def validate(cfg, problems):
    """vpc: the NAT mode, the endpoint access, the subnets."""
    vpc = cfg.get("vpc") or {}
    gateway = (vpc.get("nat") or {}).get("gateway")
    if gateway and gateway not in NAT:
        problems.append(("vpc.nat.gateway", f"must be one of {', '.join(NAT)}, not {gateway!r}"))
    hostname_type = vpc.get("hostnameType")
    if hostname_type and hostname_type not in HOSTNAME_TYPES:
        problems.append(("vpc.hostnameType", f"must be one of {', '.join(HOSTNAME_TYPES)}, not {hostname_type!r}"))
    elif hostname_type and vpc.get("id"):
        problems.append(
            ("vpc.hostnameType", "applies to the subnets aews.eks builds, not to those of an existing VPC (vpc.id)")
        )
    endpoints = vpc.get("clusterEndpoints") or {}
    if endpoints.get("publicAccess") is False and endpoints.get("privateAccess") is not True:
        problems.append(("vpc.clusterEndpoints", "public and private access cannot both be disabled"))
    _validate_subnets(cfg, problems)


def convert(cfg, result):
    """vpc, endpoint."""
    result["vpc"] = _vpc(cfg)
    result["endpoint"] = _endpoint(cfg.get("vpc") or {})
    for key, name in (("controlPlaneSubnetIDs", "control_plane_subnet_ids"),
                      ("controlPlaneSecurityGroupIDs", "control_plane_security_group_ids")):  # fmt: skip
        if _entries((cfg.get("vpc") or {}).get(key)):
            result["vpc"][name] = _entries(cfg["vpc"][key])
    if (cfg.get("vpc") or {}).get("hostnameType") in HOSTNAME_TYPES and not cfg["vpc"].get("id"):  # else reported
        result["vpc"]["hostname_type"] = cfg["vpc"]["hostnameType"]


def add_paths(cfg, result, paths):
    """The subnets, by scope and zone."""
    paths["vpc.control_plane_subnet_ids"] = "vpc.controlPlaneSubnetIDs"
    paths["vpc.control_plane_security_group_ids"] = "vpc.controlPlaneSecurityGroupIDs"
    paths["vpc.hostname_type"] = "vpc.hostnameType"
    for scope in ("public", "private"):
        for key, spec in (((cfg.get("vpc") or {}).get("subnets") or {}).get(scope) or {}).items():
            zone = (spec or {}).get("az") or key
            kind = "id" if (spec or {}).get("id") else "cidr"
            paths[f"vpc.subnets.{scope}.{zone}"] = f"vpc.subnets.{scope}.{key}.{kind}"
            paths[f"vpc.subnet_ids.{scope}.{zone}"] = f"vpc.subnets.{scope}.{key}.id"


# privateCluster.additionalEndpointServices: eksctl's optional endpoint services.
ADDITIONAL_ENDPOINT_SERVICES = ("cloudformation", "autoscaling", "logs")


def validate_private_cluster(cfg, problems):
    """privateCluster as eksctl validates it (ValidatePrivateCluster, ValidateAdditionalEndpointServices)."""
    private = cfg.get("privateCluster") or {}
    services = _entries(private.get("additionalEndpointServices"))
    for index, service in enumerate(services):
        path = f"privateCluster.additionalEndpointServices[{index}]"
        if service not in ADDITIONAL_ENDPOINT_SERVICES:
            problems.append(
                (path, f"unsupported endpoint service {service!r}: one of {', '.join(ADDITIONAL_ENDPOINT_SERVICES)}")
            )
        elif services.index(service) != index:
            problems.append((path, f"found duplicate endpoint service {service!r}"))
    if not private.get("enabled"):
        if private.get("skipEndpointCreation") or services:
            problems.append(
                ("privateCluster.enabled", "is needed for skipEndpointCreation and additionalEndpointServices")
            )
        return
    if services and private.get("skipEndpointCreation"):
        problems.append(
            (
                "privateCluster.additionalEndpointServices",
                "cannot be set when privateCluster.skipEndpointCreation is true",
            )
        )
    vpc = cfg.get("vpc") or {}
    if vpc.get("id") and not (vpc.get("subnets") or {}).get("private"):
        problems.append(
            ("vpc.subnets.private", "must be specified in a fully-private cluster when a pre-existing VPC is supplied")
        )
    if vpc.get("publicAccessCIDRs"):
        problems.append(("vpc.publicAccessCIDRs", "a fully-private cluster has no public endpoint: remove them"))


def convert_private_cluster(cfg, result):
    """privateCluster -> private_cluster; the endpoint private only (eksctl's end state), unless publicAccess is
    given true (the definition's check reports it)."""
    private = cfg.get("privateCluster") or {}
    if not private.get("enabled"):
        return
    result["private_cluster"] = {
        "enabled": True,
        "skip_endpoint_creation": bool(private.get("skipEndpointCreation")),
        "additional_endpoint_services": list(
            dict.fromkeys(
                s for s in _entries(private.get("additionalEndpointServices")) if s in ADDITIONAL_ENDPOINT_SERVICES
            )
        ),
    }
    endpoints = (cfg.get("vpc") or {}).get("clusterEndpoints") or {}
    if endpoints.get("publicAccess") is not True:
        result["endpoint"] = {"public_access": False, "private_access": True}
    if ((cfg.get("vpc") or {}).get("nat") or {}).get("gateway") is None and isinstance(result.get("vpc"), dict):
        result["vpc"]["nat"] = "disabled"


def add_private_cluster_paths(cfg, result, paths):
    paths["private_cluster"] = "privateCluster"
    paths["private_cluster.enabled"] = "privateCluster.enabled"
    paths["private_cluster.skip_endpoint_creation"] = "privateCluster.skipEndpointCreation"
    paths["private_cluster.additional_endpoint_services"] = "privateCluster.additionalEndpointServices"
