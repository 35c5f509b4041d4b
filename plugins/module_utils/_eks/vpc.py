# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster's VPC as eksctl makes it, in one module run: VPC, subnets, internet gateway, elastic IPs, NAT
gateways, route tables, routes and associations.

Three parts kept apart:

- build: ``build_desired`` turns module parameters into the desired state (pure; bad input raises EksError).
- compare: ``read`` turns what EC2 answers into a plain model (calls ``api`` only), ``plan`` compares that model
  with the desired state into an ordered list of change records, ``predict`` applies them to a copy of the model,
  and ``view`` shows a model as the user controls it (the ``diff``). Pure, unit-tested with dict literals.
- apply: ``Applier`` runs the change records in order, resolving the ids of what it creates as it goes. A call
  naming an id EC2 handed out a moment ago is tried again while EC2 does not know it yet (bounded); a NAT
  gateway is created with a client token derived from its subnet and address, so a create repeated after a lost
  answer never makes a second one.

Every resource is found again by its C(Name) tag (and the VPC also by the ownership tag), so an interrupted run
resumes: what an earlier attempt made is found, never made twice.

With ``security_groups``, the VPC's security groups are reconciled in the same run once the VPC is ensured (or
adopted), by ``security_groups.reconcile`` (eks_security_groups' own functions): one read of the groups, none for a
VPC this run makes (or, in check mode, predicts).
"""

from __future__ import annotations

import copy
import ipaddress
import time
import uuid

from . import api
from .change import change
from .change import outcome
from .errors import QUOTAS
from .errors import EksError
from .errors import error_code
from .errors import quota_error
from .retry import not_found_lag
from .vocabulary import ELB_ROLE_TAG
from .vocabulary import INTERNAL_ELB_ROLE_TAG
from .vocabulary import NAT_MODES
from .vocabulary import OWNER_TAG
from .vocabulary import pending
from .vocabulary import wait_failure
from .vocabulary import wait_success
from .waiters import wait_all

KINDS = ("public", "private")
ELB_ROLE = {"public": ELB_ROLE_TAG, "private": INTERNAL_ELB_ROLE_TAG}
ANYWHERE = "0.0.0.0/0"
LIVE_NAT_STATES = ("pending", "available")
# The hostname types of the instances a subnet launches; a new IPv4 subnet has ip-name.
HOSTNAME_TYPES = ("resource-name", "ip-name")
DEFAULT_HOSTNAME_TYPE = "ip-name"
_TOKEN_NAMESPACE = uuid.UUID("0b6f1f4e-8a52-5c1e-9d3e-7c2a4e9b1f60")


# ---------------------------------------------------------------- build (pure)
def _network(value, field):
    try:
        network = ipaddress.ip_network(str(value), strict=True)
    except ValueError as e:
        raise EksError(message=f"{field}: {value!r} is not an IPv4 CIDR block ({e})")
    if network.version != 4:
        raise EksError(message=f"{field}: {value!r} is not an IPv4 CIDR block")
    return network


def build_desired(params):
    """The desired VPC from the module's parameters. Raises EksError naming the option on bad input."""
    name = params["name"]
    if params.get("vpc_id"):
        return None
    if not params.get("cidr"):
        raise EksError(message="cidr: required to create a VPC (or give vpc_id to adopt one)")
    cidr = _network(params["cidr"], "cidr")
    subnets = params.get("subnets") or {}
    unknown = sorted(set(subnets) - set(KINDS))
    if unknown:
        raise EksError(message=f"subnets: only public and private are known, not {', '.join(unknown)}")
    private_only = params.get("private_only") is True
    if private_only:
        # A fully private cluster's VPC (eksctl privateCluster): private subnets only, no internet gateway or NAT.
        if subnets.get("public"):
            raise EksError(message="subnets.public: a private-only VPC (private_only) has no public subnets")
        if (params.get("nat") or "single") != "disabled":
            raise EksError(message="nat: a private-only VPC (private_only) has no NAT gateway: use disabled")
        subnets = {"public": {}, "private": subnets.get("private") or {}}
        zones = list(subnets["private"].keys())
        if not zones:
            raise EksError(message="subnets.private: give a private subnet CIDR per availability zone")
    else:
        zones = list((subnets.get("public") or {}).keys())
    if not zones:
        raise EksError(message="subnets.public: give a public subnet CIDR per availability zone")
    if not private_only and list((subnets.get("private") or {}).keys()) != zones:
        raise EksError(
            message=f"subnets.private: give a private subnet CIDR for each zone of subnets.public, in the same order"
            f" ({', '.join(zones)}); got {', '.join(subnets.get('private') or {}) or 'none'}"
        )
    seen = []
    for kind in KINDS:
        for zone, block in subnets[kind].items():
            field = f"subnets.{kind}.{zone}"
            network = _network(block, field)
            if not network.subnet_of(cidr):
                raise EksError(message=f"{field}: {block} is not inside the VPC CIDR {cidr}")
            for other_field, other in seen:
                if network.overlaps(other):
                    raise EksError(message=f"{field}: {block} overlaps {other_field} ({other})")
            seen.append((field, network))
    nat = params.get("nat") or "single"
    if nat not in NAT_MODES:
        raise EksError(message=f"nat: {nat!r} is not one of {', '.join(NAT_MODES)}")
    hostname_type = params.get("hostname_type") or None
    if hostname_type not in (None,) + HOSTNAME_TYPES:
        raise EksError(message=f"hostname_type: {hostname_type!r} is not one of {', '.join(HOSTNAME_TYPES)}")
    tags = {str(k): str(v) for k, v in (params.get("tags") or {}).items()}
    tags[OWNER_TAG] = name
    return {
        "name": name,
        "cidr": str(cidr),
        "dns_support": params.get("dns_support", True) is not False,
        "dns_hostnames": params.get("dns_hostnames", True) is not False,
        "zones": zones,
        "subnets": {
            kind: {zone: str(_network(subnets[kind][zone], kind)) for zone in zones if zone in subnets[kind]}
            for kind in KINDS
        },
        "private_only": private_only,
        "nat": nat,
        "nat_zones": [] if nat == "disabled" else (zones[:1] if nat == "single" else list(zones)),
        "hostname_type": hostname_type,
        "tags": tags,
        "purge_tags": params.get("purge_tags", True) is not False,
    }


def names(desired):
    """The Name tag of each resource, by logical key."""
    prefix = desired["name"]
    out = {"vpc": f"{prefix}-vpc", "igw": f"{prefix}-igw", "rt:public": f"{prefix}-public"}
    for zone in desired["zones"]:
        for kind in KINDS:
            out[f"subnet:{kind}:{zone}"] = f"{prefix}-{kind}-{zone}"
        out[f"rt:private:{zone}"] = f"{prefix}-private-{zone}"
        out[f"eip:{zone}"] = f"{prefix}-nat-{zone}"
        out[f"nat:{zone}"] = f"{prefix}-nat-{zone}"
    return out


def desired_tags(desired, key, extra=None):
    tags = dict(desired["tags"])
    tags["Name"] = names(desired)[key]
    tags.update(extra or {})
    return tags


def built_kinds(desired):
    """The kinds of subnet the VPC has: private only for a fully private cluster's."""
    return ("private",) if desired.get("private_only") else KINDS


def nat_zone_for(desired, zone):
    """The zone whose NAT gateway the private subnet of ``zone`` routes through (None: no NAT)."""
    if desired["nat"] == "disabled":
        return None
    return zone if desired["nat"] == "highly_available" else desired["zones"][0]


# ---------------------------------------------------------------- read (calls api only)
def tags_of(resource):
    return {t.get("Key"): t.get("Value", "") for t in resource.get("Tags") or []}


def empty_model():
    return {
        "vpc": None,
        "subnets": {},
        "igw": None,
        "route_tables": {},
        "addresses": {},
        "nats": {},
        "retired_nats": {},
    }


def route_targets(route):
    for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId"):
        if route.get(key):
            return route[key]
    return route.get("InstanceId") or route.get("LocalGatewayId") or route.get("CarrierGatewayId") or "?"


def addresses_of(desired, addresses):
    """The elastic IPs of the NAT gateways by logical key: an address an earlier attempt allocated is found by its
    Name and ownership tags (Elastic IPs and NAT gateways share their Name, NAME-nat-ZONE)."""
    keys = {v: k for k, v in names(desired).items() if k.startswith("eip:")}
    found = {}
    for address in addresses:
        key = keys.get(tags_of(address).get("Name"))
        if key and tags_of(address).get(OWNER_TAG) == desired["name"]:
            current = found.get(key)
            # Prefer the address a NAT gateway holds; else the first one an earlier attempt allocated.
            if current is None or (address.get("AssociationId") and not current.get("association")):
                found[key] = {
                    "id": address["AllocationId"],
                    "association": address.get("AssociationId"),
                    "tags": tags_of(address),
                }
    return found


def model_from(desired, vpc, dns, subnets, igws, tables, addresses, nats):
    """The plain model of what EC2 answered (pure): each resource by its logical key."""
    model = empty_model()
    model["addresses"] = addresses_of(desired, addresses)
    if vpc is None:
        return model
    wanted = {v: k for k, v in names(desired).items()}
    vpc_id = vpc["VpcId"]
    model["vpc"] = {
        "id": vpc_id,
        "cidr": vpc.get("CidrBlock"),
        "dns_support": dns.get("enableDnsSupport"),
        "dns_hostnames": dns.get("enableDnsHostnames"),
        "tags": tags_of(vpc),
    }
    by_cidr = {}
    for subnet in subnets:
        if subnet.get("VpcId") != vpc_id:
            continue
        entry = {
            "id": subnet["SubnetId"],
            "cidr": subnet.get("CidrBlock"),
            "zone": subnet.get("AvailabilityZone"),
            "map_public": bool(subnet.get("MapPublicIpOnLaunch")),
            "hostname_type": (subnet.get("PrivateDnsNameOptionsOnLaunch") or {}).get("HostnameType"),
            "tags": tags_of(subnet),
            "free_addresses": subnet.get("AvailableIpAddressCount"),
        }
        key = wanted.get(entry["tags"].get("Name"))
        if key and key.startswith("subnet:") and key not in model["subnets"]:
            model["subnets"][key] = entry
        else:
            by_cidr[entry["cidr"]] = entry
    # A subnet of the desired CIDR without its Name tag (made by hand, or tagged otherwise) is the same subnet:
    # EC2 refuses a second subnet with that block.
    for kind in KINDS:
        for zone, block in desired["subnets"][kind].items():
            key = f"subnet:{kind}:{zone}"
            if key not in model["subnets"] and block in by_cidr:
                model["subnets"][key] = by_cidr.pop(block)
    for igw in igws:
        attached = [a.get("VpcId") for a in igw.get("Attachments") or [] if a.get("State") != "detached"]
        if attached and vpc_id not in attached:
            continue
        if vpc_id in attached or tags_of(igw).get("Name") == names(desired)["igw"]:
            if model["igw"] is None or vpc_id in attached:
                model["igw"] = {"id": igw["InternetGatewayId"], "attached": vpc_id in attached, "tags": tags_of(igw)}
    associations = {}
    for table in tables:
        if table.get("VpcId") != vpc_id:
            continue
        for association in table.get("Associations") or []:
            if association.get("SubnetId"):
                associations[association["SubnetId"]] = (table["RouteTableId"], association["RouteTableAssociationId"])
        key = wanted.get(tags_of(table).get("Name"))
        if not key or not key.startswith("rt:") or key in model["route_tables"]:
            continue
        routes = {}
        for route in table.get("Routes") or []:
            destination = route.get("DestinationCidrBlock")
            if not destination or route.get("GatewayId") == "local" or route.get("Origin") == "CreateRouteTable":
                continue
            routes[destination] = route_targets(route)
        model["route_tables"][key] = {"id": table["RouteTableId"], "tags": tags_of(table), "routes": routes}
    model["associations"] = associations
    subnet_zone = {
        entry["id"]: key.split(":", 2)[2] for key, entry in model["subnets"].items() if key.startswith("subnet:public:")
    }
    for nat in sorted(nats, key=lambda n: str(n.get("CreateTime", ""))):
        zone = subnet_zone.get(nat.get("SubnetId"))
        if zone is None or nat.get("VpcId", vpc_id) != vpc_id:
            continue
        key = f"nat:{zone}"
        if nat.get("State") in LIVE_NAT_STATES:
            if key not in model["nats"]:
                allocations = [a.get("AllocationId") for a in nat.get("NatGatewayAddresses") or []]
                model["nats"][key] = {
                    "id": nat["NatGatewayId"],
                    "state": nat["State"],
                    "subnet_id": nat["SubnetId"],
                    "allocation_id": allocations[0] if allocations else None,
                }
        else:
            model["retired_nats"].setdefault(key, []).append(nat["NatGatewayId"])
    return model


def read(ec2, desired, lag=None):
    """What exists of the desired VPC, as a model (``model_from``)."""
    name = desired["name"]
    vpcs = [
        v
        for v in api.describe_vpcs(ec2, filters={"tag:Name": f"{name}-vpc", f"tag:{OWNER_TAG}": name})
        if v.get("State") != "deleted"
    ]
    if len(vpcs) > 1:
        raise EksError(
            message=f"{len(vpcs)} VPCs named {name}-vpc carry {OWNER_TAG}={name} ({', '.join(v['VpcId'] for v in vpcs)}):"
            " delete the extra ones (playbooks/teardown.yml deletes them all) and run again"
        )
    addresses = api.describe_addresses(ec2, {f"tag:{OWNER_TAG}": name})
    if not vpcs:
        return model_from(desired, None, {}, [], [], [], addresses, [])
    vpc = vpcs[0]
    vpc_id = vpc["VpcId"]
    call = lag or (lambda _what, func, *args: func(*args))
    dns = {
        attribute: call(f"DescribeVpcAttribute {vpc_id}", api.describe_vpc_attribute, ec2, vpc_id, attribute)
        for attribute in ("enableDnsSupport", "enableDnsHostnames")
    }
    in_vpc = {"vpc-id": vpc_id}
    igws = api.describe_internet_gateways(ec2, {f"tag:{OWNER_TAG}": name})
    igws += [
        g
        for g in api.describe_internet_gateways(ec2, {"attachment.vpc-id": vpc_id})
        if g["InternetGatewayId"] not in {i["InternetGatewayId"] for i in igws}
    ]
    return model_from(
        desired,
        vpc,
        dns,
        api.describe_subnets_filtered(ec2, in_vpc),
        igws,
        api.describe_route_tables(ec2, in_vpc),
        addresses,
        api.describe_nat_gateways(ec2, filters=in_vpc),
    )


# ---------------------------------------------------------------- compare (pure)
def _tag_change(key, current, wanted, purge, what):
    to_set = {k: v for k, v in wanted.items() if current.get(k) != v}
    to_remove = sorted(k for k in current if k not in wanted and not k.startswith("aws:")) if purge else []
    if not to_set and not to_remove:
        return []
    return [{"action": "tag", "key": key, "set": to_set, "remove": to_remove, "summary": f"tags of {what}"}]


def immutable_differences(model, desired):
    """What the definition asks that cannot change in place (a VPC's or subnet's CIDR, a subnet's zone)."""
    problems = []
    n = names(desired)
    vpc = model.get("vpc")
    if vpc and vpc["cidr"] != desired["cidr"]:
        problems.append(
            f"cidr: VPC {vpc['id']} ({n['vpc']}) has CIDR {vpc['cidr']}, the definition asks {desired['cidr']}"
        )
    for kind in KINDS:
        for zone, block in desired["subnets"][kind].items():
            key = f"subnet:{kind}:{zone}"
            subnet = model["subnets"].get(key)
            if not subnet:
                continue
            if subnet["cidr"] != block:
                problems.append(
                    f"subnets.{kind}.{zone}: subnet {subnet['id']} ({n[key]}) has CIDR {subnet['cidr']}, the"
                    f" definition asks {block}"
                )
            if subnet["zone"] != zone:
                problems.append(
                    f"subnets.{kind}.{zone}: subnet {subnet['id']} ({n[key]}) is in {subnet['zone']}, not {zone}"
                )
    return problems


def plan(model, desired):
    """The ordered change records that take ``model`` to ``desired``. Raises EksError, before any change, for what
    cannot change in place."""
    problems = immutable_differences(model, desired)
    if problems:
        raise EksError(
            message="The VPC cannot change in place: " + "; ".join(problems) + ". Subnets and VPCs keep their CIDR"
            " and zone: put the definition back, or delete the VPC (playbooks/teardown.yml) to make it anew.",
            immutable=problems,
        )
    n = names(desired)
    purge = desired["purge_tags"]
    changes = []
    vpc = model.get("vpc")
    if vpc is None:
        changes.append(
            {"action": "create_vpc", "key": "vpc", "cidr": desired["cidr"], "tags": desired_tags(desired, "vpc"),
             "summary": f"create VPC {n['vpc']} ({desired['cidr']})"}
        )  # fmt: skip
        # A new VPC has DNS support on and DNS hostnames off.
        vpc = {"dns_support": True, "dns_hostnames": False, "tags": None}
    else:
        changes += _tag_change("vpc", vpc["tags"], desired_tags(desired, "vpc"), purge, n["vpc"])
    for attribute, option in (("enableDnsSupport", "dns_support"), ("enableDnsHostnames", "dns_hostnames")):
        if vpc[option] != desired[option]:
            changes.append(
                {"action": "vpc_attribute", "key": "vpc", "attribute": attribute, "value": desired[option],
                 "summary": f"set {attribute} of {n['vpc']} to {desired[option]}"}
            )  # fmt: skip
    for kind in built_kinds(desired):
        for zone in desired["zones"]:
            key = f"subnet:{kind}:{zone}"
            tags = desired_tags(desired, key, {ELB_ROLE[kind]: "1"})
            subnet = model["subnets"].get(key)
            map_public = kind == "public"
            if subnet is None:
                block = desired["subnets"][kind][zone]
                changes.append(
                    {"action": "create_subnet", "key": key, "cidr": block, "zone": zone, "tags": tags,
                     "summary": f"create subnet {n[key]} ({block})"}
                )  # fmt: skip
                current_map = False
                current_hostname = DEFAULT_HOSTNAME_TYPE
            else:
                changes += _tag_change(key, subnet["tags"], tags, purge, n[key])
                current_map = subnet["map_public"]
                current_hostname = subnet.get("hostname_type") or DEFAULT_HOSTNAME_TYPE
            if current_map != map_public:
                changes.append(
                    {"action": "subnet_map_public", "key": key, "value": map_public,
                     "summary": f"set map-public-ip-on-launch of {n[key]} to {map_public}"}
                )  # fmt: skip
            wanted_hostname = desired.get("hostname_type")
            if wanted_hostname and current_hostname != wanted_hostname:
                changes.append(
                    {"action": "subnet_hostname_type", "key": key, "value": wanted_hostname,
                     "summary": f"set the hostname type of the instances {n[key]} launches to {wanted_hostname}"
                                f" (was {current_hostname})"}
                )  # fmt: skip
    igw = model.get("igw")
    if desired.get("private_only"):
        pass  # no internet gateway (one left from before is not removed: its VPC's public subnets may still use it)
    elif igw is None:
        changes.append(
            {"action": "create_igw", "key": "igw", "tags": desired_tags(desired, "igw"),
             "summary": f"create internet gateway {n['igw']}"}
        )  # fmt: skip
        igw = {"attached": False}
    else:
        changes += _tag_change("igw", igw["tags"], desired_tags(desired, "igw"), purge, n["igw"])
    if not desired.get("private_only") and not igw["attached"]:
        changes.append({"action": "attach_igw", "key": "igw", "summary": f"attach {n['igw']} to {n['vpc']}"})
    for zone in desired["nat_zones"]:
        eip, nat = f"eip:{zone}", f"nat:{zone}"
        address = model["addresses"].get(eip)
        existing = model["nats"].get(nat)
        if address is None and not (existing and existing.get("allocation_id")):
            changes.append(
                {"action": "allocate_address", "key": eip, "tags": desired_tags(desired, eip),
                 "summary": f"allocate elastic IP {n[eip]}"}
            )  # fmt: skip
        elif address is not None:
            changes += _tag_change(eip, address["tags"], desired_tags(desired, eip), purge, n[eip])
        if existing is None:
            changes.append(
                {"action": "create_nat", "key": nat, "subnet": f"subnet:public:{zone}", "address": eip,
                 "retired": sorted(model["retired_nats"].get(nat, [])), "tags": desired_tags(desired, nat),
                 "summary": f"create NAT gateway {n[nat]}"}
            )  # fmt: skip
    tables = []
    if not desired.get("private_only"):
        tables.append(("rt:public", {ANYWHERE: "igw"}, [f"subnet:public:{z}" for z in desired["zones"]]))
    for zone in desired["zones"]:
        nat_zone = nat_zone_for(desired, zone)
        routes = {ANYWHERE: f"nat:{nat_zone}"} if nat_zone else {}
        tables.append((f"rt:private:{zone}", routes, [f"subnet:private:{zone}"]))
    associations = model.get("associations") or {}
    for key, routes, subnet_keys in tables:
        table = model["route_tables"].get(key)
        if table is None:
            changes.append(
                {"action": "create_route_table", "key": key, "tags": desired_tags(desired, key),
                 "summary": f"create route table {n[key]}"}
            )  # fmt: skip
            table = {"id": None, "routes": {}}
        else:
            changes += _tag_change(key, table["tags"], desired_tags(desired, key), purge, n[key])
        current_routes = table["routes"]
        for destination, target in routes.items():
            target_id = _id_of(model, target)
            if destination not in current_routes:
                changes.append(
                    {"action": "create_route", "key": key, "destination": destination, "target": target,
                     "summary": f"route {destination} of {n[key]} to {n[target]}"}
                )  # fmt: skip
            elif target_id is None or current_routes[destination] != target_id:
                changes.append(
                    {"action": "replace_route", "key": key, "destination": destination, "target": target,
                     "summary": f"route {destination} of {n[key]} to {n[target]} (was {current_routes[destination]})"}
                )  # fmt: skip
        if key.startswith("rt:private:") and not routes and ANYWHERE in current_routes:
            if str(current_routes[ANYWHERE]).startswith("nat-"):
                changes.append(
                    {"action": "delete_route", "key": key, "destination": ANYWHERE,
                     "summary": f"remove the NAT route {ANYWHERE} of {n[key]} (nat: disabled)"}
                )  # fmt: skip
        for subnet_key in subnet_keys:
            subnet = model["subnets"].get(subnet_key)
            held = associations.get(subnet["id"]) if subnet else None
            if held and table["id"] and held[0] == table["id"]:
                continue
            changes.append(
                {"action": "associate", "key": key, "subnet": subnet_key, "replace": held[1] if held else None,
                 "summary": f"associate {n[subnet_key]} with {n[key]}"}
            )  # fmt: skip
    return [_record(n, step) for step in changes]


# The EC2 operation of each step.
CALLS = {
    "create_vpc": "create_vpc",
    "vpc_attribute": "modify_vpc_attribute",
    "tag": "create_tags / delete_tags",
    "create_subnet": "create_subnet",
    "subnet_map_public": "modify_subnet_attribute",
    "subnet_hostname_type": "modify_subnet_attribute",
    "create_igw": "create_internet_gateway",
    "attach_igw": "attach_internet_gateway",
    "allocate_address": "allocate_address",
    "create_nat": "create_nat_gateway",
    "create_route_table": "create_route_table",
    "create_route": "create_route",
    "replace_route": "replace_route",
    "delete_route": "delete_route",
    "associate": "associate_route_table",
}


def _record(n, step):
    """A step of ``plan`` as a change record (``change.change``): the resource by name, the step's summary as why,
    the EC2 call, and as params the step's values (resources still to be made named by their logical keys); the
    step's own fields stay in the record for ``Applier`` and ``predict``."""
    fields = {k: v for k, v in step.items() if k not in ("action", "summary")}
    call = CALLS[step["action"]]
    if step["action"] == "associate" and step.get("replace"):
        call = "replace_route_table_association"
    return change(n[step["key"]], step["action"], step["summary"], call, fields, **fields)


def _id_of(model, key):
    """The id of the resource of logical ``key`` in ``model``, or None."""
    if key == "vpc":
        return (model.get("vpc") or {}).get("id")
    if key == "igw":
        return (model.get("igw") or {}).get("id")
    for group in ("subnets", "route_tables", "addresses", "nats"):
        if key in model.get(group, {}):
            return model[group][key].get("id")
    return None


def pending_id(desired, key):
    """What stands for the id of a resource check mode predicts (it has none yet)."""
    return f"{names(desired)[key]} (to be created)"


def predict(model, desired, changes, ids=None):
    """``model`` after ``changes`` (pure). ``ids``: the ids the run gave created resources (else placeholders)."""
    ids = ids or {}
    out = copy.deepcopy(model)
    out.setdefault("associations", {})

    def id_for(key):
        return ids.get(key) or _id_of(out, key) or pending_id(desired, key)

    for change in changes:
        action, key = change["action"], change["key"]
        if action == "create_vpc":
            out["vpc"] = {"id": id_for(key), "cidr": change["cidr"], "dns_support": True, "dns_hostnames": False,
                          "tags": dict(change["tags"])}  # fmt: skip
        elif action == "vpc_attribute":
            out["vpc"]["dns_support" if change["attribute"] == "enableDnsSupport" else "dns_hostnames"] = change[
                "value"
            ]
        elif action == "tag":
            resource = _resource(out, key)
            resource["tags"] = {k: v for k, v in resource["tags"].items() if k not in change["remove"]}
            resource["tags"].update(change["set"])
        elif action == "create_subnet":
            out["subnets"][key] = {"id": id_for(key), "cidr": change["cidr"], "zone": change["zone"],
                                   "map_public": False, "hostname_type": DEFAULT_HOSTNAME_TYPE,
                                   "tags": dict(change["tags"])}  # fmt: skip
        elif action == "subnet_map_public":
            out["subnets"][key]["map_public"] = change["value"]
        elif action == "subnet_hostname_type":
            out["subnets"][key]["hostname_type"] = change["value"]
        elif action == "create_igw":
            out["igw"] = {"id": id_for(key), "attached": False, "tags": dict(change["tags"])}
        elif action == "attach_igw":
            out["igw"]["attached"] = True
        elif action == "allocate_address":
            out["addresses"][key] = {"id": id_for(key), "association": None, "tags": dict(change["tags"])}
        elif action == "create_nat":
            out["nats"][key] = {"id": id_for(key), "state": "pending", "subnet_id": id_for(change["subnet"]),
                                "allocation_id": id_for(change["address"])}  # fmt: skip
        elif action == "create_route_table":
            out["route_tables"][key] = {"id": id_for(key), "tags": dict(change["tags"]), "routes": {}}
        elif action in ("create_route", "replace_route"):
            out["route_tables"][key]["routes"][change["destination"]] = id_for(change["target"])
        elif action == "delete_route":
            out["route_tables"][key]["routes"].pop(change["destination"], None)
        elif action == "associate":
            out["associations"][id_for(change["subnet"])] = (id_for(key), None)
    return out


def _resource(model, key):
    if key in ("vpc", "igw"):
        return model[key]
    for group in ("subnets", "route_tables", "addresses"):
        if key in model[group]:
            return model[group][key]
    raise KeyError(key)


def view(model, desired):
    """What ``--diff`` shows of a model: what the user controls, in a stable order, nothing only AWS sets."""
    if model.get("vpc") is None:
        return {}
    n = names(desired)
    vpc = model["vpc"]
    out = {
        "vpc": {
            "name": n["vpc"],
            "cidr_block": vpc["cidr"],
            "enable_dns_support": vpc["dns_support"],
            "enable_dns_hostnames": vpc["dns_hostnames"],
            "tags": dict(sorted(vpc["tags"].items())),
        },
        "subnets": {},
        "route_tables": {},
        "nat_gateways": {},
    }
    for kind in KINDS:
        for zone in desired["zones"]:
            subnet = model["subnets"].get(f"subnet:{kind}:{zone}")
            if subnet:
                out["subnets"][n[f"subnet:{kind}:{zone}"]] = {
                    "cidr_block": subnet["cidr"],
                    "availability_zone": subnet["zone"],
                    "map_public_ip_on_launch": subnet["map_public"],
                    "tags": dict(sorted(subnet["tags"].items())),
                }
                if desired.get("hostname_type"):
                    out["subnets"][n[f"subnet:{kind}:{zone}"]]["private_dns_hostname_type_on_launch"] = (
                        subnet.get("hostname_type") or DEFAULT_HOSTNAME_TYPE
                    )
    if model.get("igw"):
        out["internet_gateway"] = {"name": n["igw"], "attached": model["igw"]["attached"]}
    subnet_names = {s["id"]: n[k] for k, s in model["subnets"].items()}
    associations = model.get("associations") or {}
    for key in ["rt:public"] + [f"rt:private:{z}" for z in desired["zones"]]:
        table = model["route_tables"].get(key)
        if table:
            out["route_tables"][n[key]] = {
                "routes": dict(sorted(table["routes"].items())),
                "subnets": sorted(subnet_names.get(s, s) for s, (t, _a) in associations.items() if t == table["id"]),
            }
    for zone in desired["zones"]:
        nat = model["nats"].get(f"nat:{zone}")
        if nat:
            address = model["addresses"].get(f"eip:{zone}")
            out["nat_gateways"][zone] = {
                "subnet": subnet_names.get(nat["subnet_id"], nat["subnet_id"]),
                "elastic_ip": (
                    n[f"eip:{zone}"] if address and address["id"] == nat["allocation_id"] else nat["allocation_id"]
                ),
            }
    return out


def client_token(subnet_id, allocation_id, retired=()):
    """CreateNatGateway's ClientToken: the same for the same subnet and address (a repeated create returns the
    gateway the first made), another once a gateway made with it has failed or been deleted."""
    body = "|".join([subnet_id or "", allocation_id or ""] + sorted(retired))
    return str(uuid.uuid5(_TOKEN_NAMESPACE, body))


def adoption_problems(subnet_ids, subnet_cidrs, found):
    """Checks of an adopted VPC's subnets (pure): each exists, in its zone, with the CIDR the definition gives."""
    problems = []
    by_id = {s["SubnetId"]: s for s in found}
    for kind in KINDS:
        for zone, subnet_id in (subnet_ids.get(kind) or {}).items():
            subnet = by_id.get(subnet_id)
            field = f"subnet_ids.{kind}.{zone}"
            if subnet is None:
                problems.append(f"{field}: no subnet {subnet_id}")
                continue
            if subnet.get("AvailabilityZone") != zone:
                problems.append(f"{field}: subnet {subnet_id} is in {subnet.get('AvailabilityZone')}, not {zone}")
            given = (subnet_cidrs.get(kind) or {}).get(zone)
            if given and str(given) != subnet.get("CidrBlock"):
                problems.append(
                    f"subnet_cidrs.{kind}.{zone}: subnet {subnet_id} has CIDR {subnet.get('CidrBlock')}, the definition"
                    f" gives {given}"
                )
    return problems


# ---------------------------------------------------------------- apply
class Applier:
    """Runs change records in order; ``ids`` maps logical keys to the ids of what exists or was created, ``free``
    the subnets it created to their free IPv4 addresses as CreateSubnet answered them."""

    def __init__(self, ec2, desired, model, lag):
        self.ec2 = ec2
        self.desired = desired
        self.model = model
        self.lag = lag
        self.ids = {}
        self.free = {}

    def id_of(self, key):
        found = self.ids.get(key) or _id_of(self.model, key)
        if found is None:
            raise EksError(message=f"{names(self.desired)[key]}: no id (it was not created)")
        return found

    def run(self, changes):
        for change in changes:
            getattr(self, "_" + change["action"])(change)
        return self.ids

    def _create_vpc(self, change):
        self.ids["vpc"] = api.create_vpc(self.ec2, change["cidr"], change["tags"])["VpcId"]

    def _vpc_attribute(self, change):
        vpc_id = self.id_of("vpc")
        self.lag(f"ModifyVpcAttribute {vpc_id}", api.modify_vpc_attribute, self.ec2, vpc_id, change["attribute"],
                 change["value"])  # fmt: skip

    def _tag(self, change):
        resource_id = self.id_of(change["key"])
        if change["set"]:
            self.lag(f"CreateTags {resource_id}", api.create_tags, self.ec2, resource_id, change["set"])
        if change["remove"]:
            self.lag(f"DeleteTags {resource_id}", api.delete_tags, self.ec2, resource_id, change["remove"])

    def _create_subnet(self, change):
        vpc_id = self.id_of("vpc")
        subnet = self.lag(f"CreateSubnet in {vpc_id}", api.create_subnet, self.ec2, vpc_id, change["cidr"],
                          change["zone"], change["tags"])  # fmt: skip
        self.ids[change["key"]] = subnet["SubnetId"]
        if subnet.get("AvailableIpAddressCount") is not None:
            self.free[subnet["SubnetId"]] = subnet["AvailableIpAddressCount"]

    def _subnet_map_public(self, change):
        subnet_id = self.id_of(change["key"])
        self.lag(f"ModifySubnetAttribute {subnet_id}", api.modify_subnet_map_public, self.ec2, subnet_id,
                 change["value"])  # fmt: skip

    def _subnet_hostname_type(self, change):
        subnet_id = self.id_of(change["key"])
        self.lag(f"ModifySubnetAttribute {subnet_id}", api.modify_subnet_hostname_type, self.ec2, subnet_id,
                 change["value"])  # fmt: skip

    def _create_igw(self, change):
        self.ids["igw"] = api.create_internet_gateway(self.ec2, change["tags"])["InternetGatewayId"]

    def _attach_igw(self, change):
        igw_id, vpc_id = self.id_of("igw"), self.id_of("vpc")
        self.lag(f"AttachInternetGateway {igw_id}", api.attach_internet_gateway, self.ec2, igw_id, vpc_id)

    def _allocate_address(self, change):
        self.ids[change["key"]] = api.allocate_address(self.ec2, change["tags"])["AllocationId"]

    def _create_nat(self, change):
        subnet_id, allocation_id = self.id_of(change["subnet"]), self.id_of(change["address"])
        token = client_token(subnet_id, allocation_id, change["retired"])
        nat = self.lag(f"CreateNatGateway in {subnet_id}", api.create_nat_gateway, self.ec2, subnet_id, allocation_id,
                       change["tags"], token)  # fmt: skip
        self.ids[change["key"]] = nat["NatGatewayId"]
        if subnet_id in self.free:
            self.free[subnet_id] -= 1  # the gateway's network interface takes an address of the subnet made here

    def _create_route_table(self, change):
        vpc_id = self.id_of("vpc")
        table = self.lag(f"CreateRouteTable in {vpc_id}", api.create_route_table, self.ec2, vpc_id, change["tags"])
        self.ids[change["key"]] = table["RouteTableId"]

    def _route(self, change, func):
        table_id, target_id = self.id_of(change["key"]), self.id_of(change["target"])
        target = {"NatGatewayId": target_id} if target_id.startswith("nat-") else {"GatewayId": target_id}
        self.lag(f"{func.__name__} {table_id}", func, self.ec2, table_id, change["destination"], target)

    def _create_route(self, change):
        self._route(change, api.create_route)

    def _replace_route(self, change):
        self._route(change, api.replace_route)

    def _delete_route(self, change):
        table_id = self.id_of(change["key"])
        self.lag(f"DeleteRoute {table_id}", api.delete_route, self.ec2, table_id, change["destination"])

    def _associate(self, change):
        table_id, subnet_id = self.id_of(change["key"]), self.id_of(change["subnet"])
        if change["replace"]:
            self.lag(f"ReplaceRouteTableAssociation {subnet_id}", api.replace_route_table_association, self.ec2,
                     change["replace"], table_id)  # fmt: skip
        else:
            self.lag(f"AssociateRouteTable {subnet_id}", api.associate_route_table, self.ec2, table_id, subnet_id)


def wait_nat_gateways(ec2, nat_ids, timeout, sleep=time.sleep):
    """Wait until the NAT gateways are ``available``; fail at once on ``failed`` with AWS's reason."""

    def failed(bad):
        return ("NAT gateway "
                + "; ".join(f"{i} is {s}: {n.get('FailureCode', '')} {n.get('FailureMessage', '')}".strip() for i, s, n in bad)
                + ". Run again: a new gateway is created in its place.")  # fmt: skip

    # By filter: EC2's read path answers a filter for a gateway it does not know by id yet.
    return wait_all(
        lambda ids: {n["NatGatewayId"]: n for n in api.describe_nat_gateways(ec2, filters={"nat-gateway-id": ids})},
        nat_ids, timeout, "NAT gateways", state=lambda n: n.get("State", "pending"),
        success=wait_success("nat_gateway", "active"), failure=wait_failure("nat_gateway", "active"), failed=failed,
        delay_name="nat_gateway_available", sleep=sleep,
    )  # fmt: skip


# ---------------------------------------------------------------- quotas
# What is counted in use in the region when a create meets a quota: one read each.
QUOTA_READS = {
    "AddressLimitExceeded": lambda ec2: api.describe_addresses(ec2, filters={"domain": "vpc"}),
    "VpcLimitExceeded": api.describe_vpcs,
    "InternetGatewayLimitExceeded": api.describe_internet_gateways,
    "NatGatewayLimitExceeded": lambda ec2: api.describe_nat_gateways(
        ec2, filters={"state": list(LIVE_NAT_STATES)}
    ),
    "SecurityGroupLimitExceeded": lambda ec2: api.describe_security_groups_filtered(ec2, {}),
}


def in_use(ec2, code):
    """How many of what the quota ``code`` counts are in use in the client's region, or None when that is not
    counted or its read fails (the advice then says the quota is used up, without a count)."""
    read = QUOTA_READS.get(code)
    if read is None:
        return None
    try:
        return len(read(ec2))
    except EksError:
        return None


def apply_counting_quotas(ec2, region, func, *args):
    """``func(*args)``; a quota error it raises is raised again with what is in use in ``region`` and what to do."""
    try:
        return func(*args)
    except EksError as e:
        code = error_code(e)
        if code not in QUOTAS:
            raise
        raise quota_error(e, region, in_use(ec2, code)) from None


# ---------------------------------------------------------------- the module
def _lag_retry(notes):
    """Calls naming an id EC2 handed out a moment ago are tried again while it answers NotFound (bounded); the
    waits go to ``notes`` (returned by the module), not to warnings."""
    retrying = not_found_lag()
    retrying.notes = notes

    def call(what, func, *args):
        return retrying.call(what, func, *args)

    return call


def _ids(model, desired):
    subnet_ids = {
        kind: (
            {zone: (model["subnets"].get(f"subnet:{kind}:{zone}") or {}).get("id") for zone in desired["zones"]}
            if kind in built_kinds(desired)
            else {}
        )
        for kind in KINDS
    }
    nats = {}
    for zone in desired["zones"]:
        nat = model["nats"].get(f"nat:{zone}")
        if nat:
            nats[zone] = {"id": nat["id"], "state": nat["state"]}
    return subnet_ids, nats


def _real(value):
    return None if value is None or " (to be created)" in str(value) else value


# ---------------------------------------------------------------- the VPC's security groups
def security_groups_desired(params):
    """The groups of the ``security_groups`` option checked and normalized as eks_security_groups checks its
    ``groups`` (``security_groups.build_desired``), or None when the option is not given. Its VPC id is the pending
    value of the VPC until the run knows it (``converge_security_groups`` sets it). Bad input raises EksError naming
    ``security_groups[i]`` and the field, before any call."""
    from . import security_groups as sg  # here: keeps the pure part of this file importable without Ansible

    groups = params.get("security_groups")
    if groups is None:
        return None
    try:
        return sg.build_desired(
            {"vpc_id": pending("vpc"), "groups": groups, "purge_tags": params.get("purge_tags", True) is not False}
        )
    except EksError as e:
        message = str(e)
        if message.startswith("groups["):
            raise EksError(message="security_" + message) from None
        raise


def converge_security_groups(module, ec2, groups, vpc_id, new_vpc):
    """The groups of ``groups`` (``security_groups_desired``) in VPC ``vpc_id`` brought in line through
    ``security_groups.reconcile``: ``(current, changes, after)``. A VPC this run makes (``new_vpc``; in check mode
    still to be made, ``vpc_id`` None) holds none of them yet: nothing is read for it. A quota error of a create
    says how many groups are in use in the region and what to do."""
    from . import security_groups as sg

    desired = dict(groups, vpc_id=vpc_id or pending("vpc"))
    current = {} if new_vpc else None
    return apply_counting_quotas(ec2, module.region, sg.reconcile, ec2, desired, module.check_mode, None, current)


def _with_groups(shown, groups):
    """A diff view with the security groups' view (``security_groups.view``) under ``security_groups``, when any."""
    return dict(shown, security_groups=groups) if groups else shown


def ensure_adopted(module, ec2, groups=None):
    params = module.params
    vpc_id = params["vpc_id"]
    vpcs = api.describe_vpcs(ec2, filters={"vpc-id": vpc_id})
    if not vpcs:
        raise EksError(message=f"vpc_id: no VPC {vpc_id} in {module.region}")
    subnet_ids = params.get("subnet_ids") or {}
    wanted = sorted({i for kind in KINDS for i in (subnet_ids.get(kind) or {}).values()})
    found = api.describe_subnets_filtered(ec2, {"subnet-id": wanted}) if wanted else []
    found = [s for s in found if s.get("VpcId") == vpc_id] + [
        dict(s, AvailabilityZone=f"{s.get('AvailabilityZone')} (in VPC {s.get('VpcId')}, not {vpc_id})")
        for s in found
        if s.get("VpcId") != vpc_id
    ]
    problems = adoption_problems(subnet_ids, params.get("subnet_cidrs") or {}, found)
    if problems:
        raise EksError(
            message=f"The subnets of VPC {vpc_id} are not those the definition gives: " + "; ".join(problems)
        )
    vpc = vpcs[0]
    found_vpc = {"id": vpc_id, "cidr_block": vpc.get("CidrBlock"), "tags": tags_of(vpc)}
    changes, before, after, extra = [], found_vpc, found_vpc, {}
    if groups is not None:
        from . import security_groups as sg

        current, changes, made = converge_security_groups(module, ec2, groups, vpc_id, False)
        before, after = _with_groups(found_vpc, sg.view(current)), _with_groups(found_vpc, sg.view(made))
        extra["security_groups"] = sg.view(made)
    return outcome(
        module, "vpc", found_vpc, changes, before=before, after=after,
        subnet_ids={kind: dict(subnet_ids.get(kind) or {}) for kind in KINDS}, nat_gateways={}, waits=[],
        free_addresses={s["SubnetId"]: s["AvailableIpAddressCount"] for s in found
                        if s.get("VpcId") == vpc_id and s.get("AvailableIpAddressCount") is not None},
        **extra,
    )  # fmt: skip


def ensure(module):
    from .common import client  # here: keeps the pure part of this file importable without Ansible

    # Every check of the input, the groups' included, before any call.
    desired = None if module.params.get("vpc_id") else build_desired(module.params)
    groups = security_groups_desired(module.params)
    ec2 = client(module, "ec2")
    if module.params.get("vpc_id"):
        return ensure_adopted(module, ec2, groups)
    notes = []
    lag = _lag_retry(notes)
    model = read(ec2, desired, lag)
    changes = plan(model, desired)
    after = predict(model, desired, changes)
    created_free = {}
    if changes and not module.check_mode:
        applier = Applier(ec2, desired, model, lag)
        ids = apply_counting_quotas(ec2, module.region, applier.run, changes)
        after = predict(model, desired, changes, ids)
        created_free = applier.free
    vpc_id = _real((after.get("vpc") or {}).get("id"))
    before_view, after_view, extra = view(model, desired), view(after, desired), {}
    if groups is not None:
        from . import security_groups as sg

        current, group_changes, made = converge_security_groups(module, ec2, groups, vpc_id, model.get("vpc") is None)
        changes = list(changes) + list(group_changes)
        before_view, after_view = _with_groups(before_view, sg.view(current)), _with_groups(after_view, sg.view(made))
        extra["security_groups"] = sg.view(made)
    subnet_ids, nats = _ids(after, desired)
    subnet_ids = {kind: {z: _real(i) for z, i in zones.items()} for kind, zones in subnet_ids.items()}
    nats = {z: dict(n, id=_real(n["id"])) for z, n in nats.items()}
    if module.params.get("wait_nat") and not module.check_mode:
        states = wait_nat_gateways(ec2, sorted(n["id"] for n in nats.values()), module.params["wait_timeout"])
        for nat in nats.values():
            nat["state"] = states.get(nat["id"], nat["state"])
    return outcome(
        module, "vpc", {"id": vpc_id, "cidr_block": desired["cidr"]}, changes,
        before=before_view, after=after_view,
        subnet_ids=subnet_ids, nat_gateways=nats, waits=list(notes),
        # The free IPv4 addresses of the subnets as read at the start of the run, and of those it made as
        # CreateSubnet answered (the nodegroup stage then reads none).
        free_addresses=dict({e["id"]: e["free_addresses"] for e in model["subnets"].values()
                             if e.get("free_addresses") is not None}, **created_free),
        **extra,
    )  # fmt: skip
