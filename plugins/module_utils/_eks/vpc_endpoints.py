# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VPC endpoints of a fully private cluster, as eksctl makes them (``privateCluster``), in one module run.

eksctl (pkg/cfn/builder/vpc_endpoint.go, pkg/apis/eksctl.io/v1alpha5 endpoint services) makes an interface endpoint
for ec2, ecr.api, ecr.dkr and sts (private DNS on, in the private subnets of the zones the service is offered in) and
a gateway endpoint for s3 on the private subnets' route tables; cloudformation, autoscaling and logs on request
(``additionalEndpointServices``; logs also when control plane logging is on). The interface endpoints get the
security group ``NAME-vpc-endpoints``, which admits HTTPS (443) from the VPC's CIDR blocks. The VPC is the one the
collection builds or one of the user's (eksctl ``vpc.id``): only the endpoints and the group are made in it.

The change model (``change.py``): ``build_desired`` (pure), ``read`` (calls ``api`` only), ``plan`` (current and
desired into change records, pure), ``predict`` (pure), ``Applier`` (the records' calls, resolving the ids of what it
creates). Every endpoint and the group carry the ownership tag; an endpoint of a service no longer asked for is
deleted only when it carries this cluster's ownership tag. The VPC's other endpoints are left alone, but one that
stands where this cluster's would go (an interface endpoint of the service with private DNS, which EC2 takes once
per VPC; an s3 gateway endpoint on a private route table) is refused before any change, as are the VPC's DNS
attributes off (private DNS needs both): eksctl makes its endpoints regardless and its stack fails on them.
"""

from __future__ import annotations

import copy
import time

from . import api
from .change import change
from .change import outcome
from .errors import EksError
from .vocabulary import OWNER_TAG
from .vocabulary import is_pending
from .waiters import wait_all

# eksctl's endpoint services: always made, and made on request (privateCluster.additionalEndpointServices).
REQUIRED_SERVICES = ("ec2", "ecr.api", "ecr.dkr", "s3", "sts")
OPTIONAL_SERVICES = ("cloudformation", "autoscaling", "logs")
SERVICES = REQUIRED_SERVICES + OPTIONAL_SERVICES
# The services reached through a gateway endpoint on the route tables (the others: interface endpoints).
GATEWAY_SERVICES = ("s3",)
# Services whose name in the China partition starts with "cn." (eksctl's RequiresChinaPrefix).
CHINA_PREFIXED = ("ec2", "ecr.api", "ecr.dkr", "sts", "cloudformation")
HTTPS = 443
GONE_STATES = ("deleting", "deleted", "failed", "rejected", "expired")
FAILED_STATES = ("failed", "rejected", "expired")
# Private DNS of an interface endpoint needs both on in the VPC (EC2 refuses it otherwise).
DNS_ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames")


def service_name(region, service):
    """The endpoint service name of ``service`` in ``region`` (``com.amazonaws.REGION.SERVICE``)."""
    prefix = "cn.com.amazonaws" if str(region).startswith("cn-") and service in CHINA_PREFIXED else "com.amazonaws"
    return f"{prefix}.{region}.{service}"


def endpoint_type(service):
    return "Gateway" if service in GATEWAY_SERVICES else "Interface"


def _real(value):
    return bool(value) and not is_pending(value)


# ---------------------------------------------------------------- build (pure)
def build_desired(params, region):
    """The desired endpoints from the module's parameters; raises EksError naming the option."""
    name = params["name"]
    services = list(params.get("services") or [])
    problems = []
    for index, service in enumerate(services):
        if service not in SERVICES:
            problems.append(f"services[{index}]: {service!r} is not one of {', '.join(SERVICES)}")
        elif services.index(service) != index:
            problems.append(f"services[{index}]: {service} is listed twice")
    subnet_ids = [str(s) for s in params.get("subnet_ids") or [] if s is not None]
    if services and any(endpoint_type(s) == "Interface" for s in services) and not subnet_ids:
        problems.append("subnet_ids: the interface endpoints need the private subnets")
    if problems:
        raise EksError(message="; ".join(problems))
    tags = {str(k): str(v) for k, v in (params.get("tags") or {}).items()}
    tags[OWNER_TAG] = name
    return {
        "name": name,
        "region": region,
        "vpc_id": params.get("vpc_id"),
        "subnet_ids": subnet_ids,
        "services": [s for s in SERVICES if s in services],
        "group_name": f"{name}-vpc-endpoints",
        "tags": tags,
        "purge_tags": params.get("purge_tags", True) is not False,
    }


def endpoint_name(desired, service):
    return f"{desired['name']}-{service}"


def desired_tags(desired, resource_name):
    return dict(desired["tags"], Name=resource_name)


# ---------------------------------------------------------------- read (calls api only)
def _tags(resource):
    return {t.get("Key"): t.get("Value", "") for t in resource.get("Tags") or []}


def vpc_cidrs(vpc):
    """The VPC's IPv4 CIDR blocks, the primary first, then the associated secondary ones (nodes of an existing VPC's
    subnets may be in any of them)."""
    cidrs = [vpc.get("CidrBlock")] if vpc.get("CidrBlock") else []
    for association in vpc.get("CidrBlockAssociationSet") or []:
        state = (association.get("CidrBlockState") or {}).get("State", "associated")
        if state == "associated" and association.get("CidrBlock") and association["CidrBlock"] not in cidrs:
            cidrs.append(association["CidrBlock"])
    return cidrs


def read(ec2, desired):
    """What exists: the VPC's CIDRs and DNS attributes (with interface endpoints to make), the subnets' zones, the
    route tables of the subnets, the group, the endpoints of the VPC that are not gone, and the zones each service is
    offered in. A pending VPC (check mode, still to be made) has nothing."""
    current = {"vpc": None, "zones": {}, "route_tables": [], "group": None, "endpoints": [], "offered": {}}
    names = [service_name(desired["region"], s) for s in desired["services"]]
    if names:
        try:
            current["offered"] = api.describe_vpc_endpoint_services(ec2, names)
        except EksError as e:
            if e.code != "InvalidServiceName":
                raise
            raise EksError(
                message=f"services: {desired['region']} does not offer every endpoint service a fully private cluster"
                f" needs ({', '.join(names)}): {e}"
            ) from None
    vpc_id = desired["vpc_id"]
    if not _real(vpc_id):
        return current
    vpcs = api.describe_vpcs(ec2, filters={"vpc-id": vpc_id})
    if not vpcs:
        raise EksError(message=f"vpc_id: no VPC {vpc_id}")
    current["vpc"] = {"id": vpc_id, "cidrs": vpc_cidrs(vpcs[0]), "dns": {}}
    if any(endpoint_type(s) == "Interface" for s in desired["services"]):
        current["vpc"]["dns"] = {a: api.describe_vpc_attribute(ec2, vpc_id, a) for a in DNS_ATTRIBUTES}
    real_subnets = [s for s in desired["subnet_ids"] if _real(s)]
    if real_subnets:
        found = api.describe_subnets_filtered(ec2, {"subnet-id": real_subnets})
        current["zones"] = {s["SubnetId"]: s.get("AvailabilityZone") for s in found if s.get("VpcId") == vpc_id}
        missing = [s for s in real_subnets if s not in current["zones"]]
        if missing:
            raise EksError(message=f"subnet_ids: no subnet {', '.join(missing)} in VPC {vpc_id}")
        tables = api.describe_route_tables(ec2, {"association.subnet-id": real_subnets})
        by_subnet = {}
        for table in tables:
            for association in table.get("Associations") or []:
                if association.get("SubnetId"):
                    by_subnet[association["SubnetId"]] = table["RouteTableId"]
        current["route_tables"] = list(dict.fromkeys(by_subnet[s] for s in real_subnets if s in by_subnet))
        current["subnet_tables"] = by_subnet
    groups = api.describe_security_groups_filtered(ec2, {"vpc-id": vpc_id, "group-name": desired["group_name"]})
    if groups:
        group = groups[0]
        current["group"] = {
            "id": group["GroupId"],
            "tags": _tags(group),
            "https_from": sorted(
                r.get("CidrIp")
                for p in group.get("IpPermissions") or []
                if p.get("IpProtocol") == "tcp" and p.get("FromPort") == HTTPS and p.get("ToPort") == HTTPS
                for r in p.get("IpRanges") or []
            ),
        }
    for endpoint in api.describe_vpc_endpoints(ec2, {"vpc-id": vpc_id}):
        if str(endpoint.get("State", "")).lower() in GONE_STATES:
            continue
        current["endpoints"].append(
            {
                "id": endpoint["VpcEndpointId"],
                "service_name": endpoint.get("ServiceName"),
                "type": endpoint.get("VpcEndpointType"),
                "state": str(endpoint.get("State", "")).lower(),
                "subnet_ids": sorted(endpoint.get("SubnetIds") or []),
                "route_table_ids": sorted(endpoint.get("RouteTableIds") or []),
                "group_ids": sorted(g.get("GroupId") for g in endpoint.get("Groups") or []),
                "private_dns": bool(endpoint.get("PrivateDnsEnabled")),
                "tags": _tags(endpoint),
            }
        )
    return current


# ---------------------------------------------------------------- compare (pure)
def _tag_records(desired, resource, key, current_tags, wanted):
    to_set = {k: v for k, v in wanted.items() if current_tags.get(k) != v}
    remove = (
        sorted(k for k in current_tags if k not in wanted and not k.startswith("aws:")) if desired["purge_tags"] else []
    )
    records = []
    if to_set:
        records.append(change(resource, "tag", f"tags {', '.join(sorted(to_set))}", "create_tags",
                              {"key": key, "tags": to_set}, key=key, tags=to_set))  # fmt: skip
    if remove:
        records.append(change(resource, "untag", f"tags {', '.join(remove)} removed", "delete_tags",
                              {"key": key, "keys": remove}, key=key, keys=remove))  # fmt: skip
    return records


def interface_subnets(desired, current, service):
    """The subnets an interface endpoint of ``service`` goes in: those of the zones the service is offered in (a
    subnet still to be made, whose zone is not known yet, counts)."""
    offered = current["offered"].get(service_name(desired["region"], service))
    zones = set((offered or {}).get("zones") or [])
    chosen = []
    for subnet in desired["subnet_ids"]:
        zone = current["zones"].get(subnet)
        if zone is None or not zones or zone in zones:
            chosen.append(subnet)
    return chosen


def route_tables(desired, current):
    """The route tables of the private subnets (pending ones stand for those still to be made)."""
    if current["vpc"] is None or any(not _real(s) for s in desired["subnet_ids"]):
        pending = [f"route table of {s}" for s in desired["subnet_ids"] if not _real(s)]
        return list(current["route_tables"]) + pending
    return list(current["route_tables"])


def _add_remove(modify, field, wanted, have):
    """``modify``'s add_FIELD / remove_FIELD (ModifyVpcEndpoint's lists) taking ``have`` to ``wanted``, in order."""
    add = [v for v in wanted if v not in have]
    remove = [v for v in have if v not in wanted]
    if add:
        modify[f"add_{field}"] = add
    if remove:
        modify[f"remove_{field}"] = remove


def _owned(endpoint, desired):
    return endpoint["tags"].get(OWNER_TAG) == desired["name"]


def _dns_problems(current, desired):
    """Private DNS of the interface endpoints needs the VPC's DNS support and DNS hostnames on."""
    off = [a for a in DNS_ATTRIBUTES if (current["vpc"] or {}).get("dns", {}).get(a) is False]
    if not off:
        return []
    vpc_id = current["vpc"]["id"]
    return [
        f"vpc_id: {vpc_id} has {' and '.join(off)} off; the interface endpoints' private DNS needs enableDnsSupport"
        f" and enableDnsHostnames on: turn them on (aws ec2 modify-vpc-attribute --vpc-id {vpc_id}"
        " --enable-dns-support / --enable-dns-hostnames, one at a time) and run again"
    ]


def _made_by(endpoint):
    owner = endpoint["tags"].get(OWNER_TAG)
    return f"cluster {owner}'s" if owner else "not made by this collection"


def _conflicts(current, desired):
    """The VPC's endpoints that are not this cluster's and stand where its own would go: an interface endpoint of a
    service asked for with private DNS (EC2 takes one per service and VPC), an s3 gateway endpoint on a private
    subnet's route table (a route table takes one route to it). eksctl creates its own anyway and its stack fails;
    they are refused before any change. Others of the same service are left alone beside this cluster's own."""
    problems = []
    tables = set(route_tables(desired, current))
    for service in desired["services"]:
        full = service_name(desired["region"], service)
        for endpoint in current["endpoints"]:
            if endpoint["service_name"] != full or _owned(endpoint, desired):
                continue
            if endpoint_type(service) == "Interface" and endpoint["type"] == "Interface" and endpoint["private_dns"]:
                where = "has private DNS in the VPC (EC2 takes one endpoint with private DNS per service and VPC)"
            elif endpoint_type(service) == "Gateway" and tables & set(endpoint["route_table_ids"]):
                where = (f"is on route table {', '.join(sorted(tables & set(endpoint['route_table_ids'])))} of the"
                         " private subnets (a route table takes one route to the service)")  # fmt: skip
            else:
                continue
            problems.append(
                f"services: {service}: VPC endpoint {endpoint['id']} of {full} ({_made_by(endpoint)}) {where}: delete"
                " it, or make none of them and use the VPC's own (a fully private cluster:"
                " private_cluster.skip_endpoint_creation true)"
            )
    return problems


def plan(current, desired):
    """The ordered change records taking ``current`` to ``desired``; raises EksError before any change for what
    cannot be made (a service the region does not offer, a private subnet without a route table, the VPC's DNS
    attributes off, an endpoint of the VPC's own where this cluster's would go)."""
    problems = []
    for service in desired["services"]:
        offered = current["offered"].get(service_name(desired["region"], service))
        if offered is None or endpoint_type(service) not in offered["types"]:
            problems.append(
                f"services: {service_name(desired['region'], service)} ({endpoint_type(service)}) is not offered in"
                f" {desired['region']}: fully private clusters need it (eksctl: not supported in this region)"
            )
    if current["vpc"] is not None and "s3" in desired["services"]:
        lacking = [s for s in desired["subnet_ids"] if _real(s) and s not in current.get("subnet_tables", {})]
        if lacking:
            problems.append(
                f"subnet_ids: {', '.join(lacking)} use the VPC's main route table; the s3 gateway endpoint needs the"
                " private subnets associated with route tables of their own"
            )
    problems += _dns_problems(current, desired) + _conflicts(current, desired)
    if problems:
        raise EksError(message="; ".join(problems))
    records = []
    group_name = desired["group_name"]
    group = current["group"]
    cidrs = (current["vpc"] or {}).get("cidrs") or ["the VPC's CIDR"]
    interface = [s for s in desired["services"] if endpoint_type(s) == "Interface"]
    if interface:
        if group is None:
            records.append(change(
                f"security group {group_name}", "create", f"HTTPS from {', '.join(cidrs)} to the interface endpoints",
                "create_security_group", {"name": group_name, "vpc_id": desired["vpc_id"],
                                          "tags": desired_tags(desired, group_name)},
                key="group", tags=desired_tags(desired, group_name)))  # fmt: skip
            group = {"id": None, "tags": desired_tags(desired, group_name), "https_from": []}
        else:
            records += _tag_records(desired, f"security group {group_name}", "group", group["tags"],
                                    desired_tags(desired, group_name))  # fmt: skip
        missing = [c for c in cidrs if c not in group["https_from"]]
        if missing:
            records.append(change(
                f"security group {group_name}", "authorize", f"tcp/443 from {', '.join(missing)}",
                "authorize_security_group_ingress", {"key": "group", "cidrs": missing}, key="group",
                cidrs=missing))  # fmt: skip
    by_service = {}
    for endpoint in current["endpoints"]:
        by_service.setdefault(endpoint["service_name"], []).append(endpoint)
    for service in desired["services"]:
        name = endpoint_name(desired, service)
        full = service_name(desired["region"], service)
        kind = endpoint_type(service)
        owned = [e for e in by_service.get(full, []) if e["type"] == kind and _owned(e, desired)]
        wanted = {"service_name": full, "type": kind, "tags": desired_tags(desired, name)}
        if kind == "Interface":
            wanted.update(subnet_ids=interface_subnets(desired, current, service), group="group", private_dns=True)
        else:
            wanted.update(route_table_ids=route_tables(desired, current))
        if not owned:
            records.append(change(
                f"VPC endpoint {name}", "create", f"{kind.lower()} endpoint of {full}", "create_vpc_endpoint",
                dict(wanted), key=service, wanted=wanted))  # fmt: skip
            continue
        endpoint = owned[0]
        records += _tag_records(desired, f"VPC endpoint {name}", service, endpoint["tags"], wanted["tags"])
        modify = {}
        if kind == "Interface":
            _add_remove(modify, "subnet_ids", wanted["subnet_ids"], endpoint["subnet_ids"])
            group_id = (current["group"] or {}).get("id")
            if group_id is None or group_id not in endpoint["group_ids"]:
                modify["add_security_group_ids"] = ["group"]
            others = [g for g in endpoint["group_ids"] if g != group_id]
            if others:
                modify["remove_security_group_ids"] = others
            if not endpoint["private_dns"]:
                modify["private_dns"] = True
        else:
            _add_remove(modify, "route_table_ids", wanted["route_table_ids"], endpoint["route_table_ids"])
        if modify:
            why = "; ".join(f"{k} {v}" for k, v in modify.items())
            records.append(change(f"VPC endpoint {name} ({endpoint['id']})", "update", why, "modify_vpc_endpoint",
                                  dict(modify, id=endpoint["id"]), key=service, modify=modify))  # fmt: skip
    asked = {service_name(desired["region"], s) for s in desired["services"]}
    for endpoint in current["endpoints"]:
        if endpoint["tags"].get(OWNER_TAG) == desired["name"] and endpoint["service_name"] not in asked:
            records.append(change(
                f"VPC endpoint {endpoint['tags'].get('Name', endpoint['id'])} ({endpoint['id']})", "delete",
                f"{endpoint['service_name']} is no longer asked for", "delete_vpc_endpoints", {"id": endpoint["id"]},
                key=endpoint["id"], endpoint_id=endpoint["id"]))  # fmt: skip
    return records


def pending_id(desired, key):
    if key == "group":
        return f"{desired['group_name']} (to be created)"
    return f"{endpoint_name(desired, key)} (to be created)"


def predict(current, desired, changes, ids=None):
    """``current`` after ``changes`` (pure); ``ids``: the ids a run gave what it created (else placeholders)."""
    ids = ids or {}
    out = copy.deepcopy(current)
    if out["group"] is not None and "group" not in ids:
        ids = dict(ids, group=out["group"]["id"])

    def id_for(key):
        return ids.get(key) or pending_id(desired, key)

    for record in changes:
        key, action = record.get("key"), record["action"]
        if key == "group":
            if action == "create":
                out["group"] = {"id": id_for("group"), "tags": dict(record["tags"]), "https_from": []}
            elif action == "authorize":
                out["group"]["https_from"] = sorted(out["group"]["https_from"] + record["cidrs"])
            elif action == "tag":
                out["group"]["tags"].update(record["tags"])
            elif action == "untag":
                out["group"]["tags"] = {k: v for k, v in out["group"]["tags"].items() if k not in record["keys"]}
            continue
        if action == "delete":
            out["endpoints"] = [e for e in out["endpoints"] if e["id"] != record["endpoint_id"]]
            continue
        full = service_name(desired["region"], key)
        if action == "create":
            wanted = record["wanted"]
            out["endpoints"].append({
                "id": id_for(key), "service_name": full, "type": wanted["type"], "state": "pending",
                "subnet_ids": sorted(wanted.get("subnet_ids") or []),
                "route_table_ids": sorted(wanted.get("route_table_ids") or []),
                "group_ids": [id_for("group")] if wanted["type"] == "Interface" else [],
                "private_dns": wanted["type"] == "Interface", "tags": dict(wanted["tags"]),
            })  # fmt: skip
            continue
        endpoint = next(e for e in out["endpoints"] if e["service_name"] == full and _owned(e, desired))
        if action == "tag":
            endpoint["tags"].update(record["tags"])
        elif action == "untag":
            endpoint["tags"] = {k: v for k, v in endpoint["tags"].items() if k not in record["keys"]}
        elif action == "update":
            modify = record["modify"]
            for field, add_key, remove_key in (
                ("subnet_ids", "add_subnet_ids", "remove_subnet_ids"),
                ("route_table_ids", "add_route_table_ids", "remove_route_table_ids"),
                ("group_ids", "add_security_group_ids", "remove_security_group_ids"),
            ):
                added = [id_for("group") if v == "group" else v for v in modify.get(add_key, [])]
                kept = [v for v in endpoint[field] if v not in modify.get(remove_key, [])]
                endpoint[field] = sorted(kept + added)
            if modify.get("private_dns"):
                endpoint["private_dns"] = True
    return out


def view(current, desired):
    """What ``--diff`` shows: the group and each endpoint of the VPC by service, in a stable order."""
    if current["vpc"] is None and not current["endpoints"] and current["group"] is None:
        return {}
    out = {"endpoints": {}}
    if current["group"] is not None:
        out["security_group"] = {
            "name": desired["group_name"],
            "https_from": list(current["group"]["https_from"]),
            "tags": dict(sorted(current["group"]["tags"].items())),
        }
    for endpoint in sorted(current["endpoints"], key=lambda e: (e["service_name"], e["id"])):
        entry = {"type": endpoint["type"], "tags": dict(sorted(endpoint["tags"].items()))}
        if endpoint["type"] == "Interface":
            entry.update(subnets=endpoint["subnet_ids"], security_groups=endpoint["group_ids"],
                         private_dns=endpoint["private_dns"])  # fmt: skip
        else:
            entry["route_tables"] = endpoint["route_table_ids"]
        out["endpoints"][endpoint["service_name"]] = entry
    return out


# ---------------------------------------------------------------- apply
class Applier:
    """Runs the records in order; ``ids`` maps "group" and each service to the id made."""

    def __init__(self, ec2, desired, current):
        self.ec2 = ec2
        self.desired = desired
        self.current = current
        self.ids = {}
        if current["group"] is not None:
            self.ids["group"] = current["group"]["id"]
        for endpoint in current["endpoints"]:
            for service in desired["services"]:
                if endpoint["service_name"] == service_name(desired["region"], service) and _owned(endpoint, desired):
                    self.ids.setdefault(service, endpoint["id"])

    def _id(self, key):
        if key not in self.ids:
            raise EksError(message=f"{pending_id(self.desired, key)}: no id (it was not created)")
        return self.ids[key]

    def run(self, records):
        for record in records:
            key, action = record.get("key"), record["action"]
            if action == "tag":
                api.create_tags(self.ec2, self._id(key), record["tags"])
            elif action == "untag":
                api.delete_tags(self.ec2, self._id(key), record["keys"])
            elif key == "group" and action == "create":
                self.ids["group"] = api.create_security_group(
                    self.ec2, self.desired["group_name"],
                    f"HTTPS to the VPC endpoints of cluster {self.desired['name']}", self.desired["vpc_id"],
                    record["tags"])  # fmt: skip
            elif key == "group" and action == "authorize":
                permission = {"IpProtocol": "tcp", "FromPort": HTTPS, "ToPort": HTTPS,
                              "IpRanges": [{"CidrIp": c, "Description": "HTTPS from the VPC"} for c in record["cidrs"]]}  # fmt: skip
                api.authorize_security_group_ingress(self.ec2, self._id("group"), [permission])
            elif action == "create":
                wanted = record["wanted"]
                if wanted["type"] == "Interface":
                    made = api.create_vpc_endpoint(
                        self.ec2, self.desired["vpc_id"], wanted["service_name"], "Interface", wanted["tags"],
                        subnet_ids=wanted["subnet_ids"], security_group_ids=[self._id("group")], private_dns=True)  # fmt: skip
                else:
                    made = api.create_vpc_endpoint(
                        self.ec2, self.desired["vpc_id"], wanted["service_name"], "Gateway", wanted["tags"],
                        route_table_ids=wanted["route_table_ids"])  # fmt: skip
                self.ids[key] = made["VpcEndpointId"]
            elif action == "update":
                modify = dict(record["modify"])
                for name in ("add_security_group_ids", "remove_security_group_ids"):
                    if name in modify:
                        modify[name] = [self._id("group") if g == "group" else g for g in modify[name]]
                api.modify_vpc_endpoint(self.ec2, record["params"]["id"], modify)
            elif action == "delete":
                api.delete_vpc_endpoints(self.ec2, [record["endpoint_id"]])
        return self.ids


def wait_available(ec2, endpoint_ids, timeout, sleep=time.sleep):
    """Wait until the endpoints are ``available``; fail at once on a failed or rejected one."""

    def failed(bad):
        return ("VPC endpoint " + ", ".join(f"{i} is {s}" for i, s, _endpoint in bad)
                + ": delete it (playbooks/teardown.yml, or the console) and run again")  # fmt: skip

    return wait_all(
        lambda ids: {e["VpcEndpointId"]: e for e in api.describe_vpc_endpoints(ec2, {"vpc-endpoint-id": ids})},
        endpoint_ids, timeout, "VPC endpoints", state=lambda e: str(e.get("State", "pending")).lower(),
        success=("available",), failure=FAILED_STATES, failed=failed, delay_name="vpc_endpoint_available", sleep=sleep,
    )  # fmt: skip


# ---------------------------------------------------------------- the module
def _result_endpoints(after, desired):
    """The endpoint of each service asked for: this cluster's (one of the VPC's own only where it has none)."""
    out = []
    for service in desired["services"]:
        full = service_name(desired["region"], service)
        found = sorted(
            (e for e in after["endpoints"] if e["service_name"] == full), key=lambda e: not _owned(e, desired)
        )
        for endpoint in found[:1]:
            out.append({"service": service, "service_name": full, "id": endpoint["id"], "type": endpoint["type"],
                        "state": endpoint["state"], "owned": _owned(endpoint, desired)})  # fmt: skip
    return out


def ensure(module):
    from .common import client  # here: keeps the pure part of this file importable without Ansible

    ec2 = client(module, "ec2")
    desired = build_desired(module.params, module.region)
    if not module.check_mode and not _real(desired["vpc_id"]):
        raise EksError(message=f"vpc_id: {desired['vpc_id']!r} is not the id of a VPC (it is still to be created)")
    if not module.check_mode and any(not _real(s) for s in desired["subnet_ids"]):
        raise EksError(message="subnet_ids: every private subnet must exist (a pending subnet is for check mode)")
    current = read(ec2, desired)
    records = plan(current, desired)
    after = predict(current, desired, records)
    if records and not module.check_mode:
        ids = Applier(ec2, desired, current).run(records)
        after = predict(current, desired, records, ids)
    if module.params.get("wait") and not module.check_mode:
        ids = [e["id"] for e in after["endpoints"] if e["tags"].get(OWNER_TAG) == desired["name"]]
        states = wait_available(ec2, ids, module.params["wait_timeout"])
        for endpoint in after["endpoints"]:
            endpoint["state"] = states.get(endpoint["id"], endpoint["state"])
    group = after["group"]
    return outcome(
        module, "vpc_endpoints", _result_endpoints(after, desired), records,
        before=view(current, desired), after=view(after, desired),
        security_group_id=group["id"] if group and "(to be created)" not in str(group["id"]) else None,
    )  # fmt: skip
