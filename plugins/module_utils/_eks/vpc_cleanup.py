# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown of a cluster's VPC: what Kubernetes left in it for the cluster, then what the vpc role made.

Three parts kept apart: ``inventory`` reads what is in the cluster's VPCs (calls ``api`` only), ``select``
decides what belongs to the cluster and ``changes`` makes a change record (``change``) of each deletion (pure,
unit-tested), ``Cleaner`` deletes it in dependency order, waiting out ``DependencyViolation`` for a bounded time
and naming what it could not delete; ``ensure`` returns the outcome.

Selection never trusts a filter alone: resources are read by the VPC's id, and each is kept only when its own
tags say it belongs to this cluster (``aews.eks/cluster-name`` for what the collection made;
``kubernetes.io/cluster/NAME: owned`` or ``elbv2.k8s.aws/cluster: NAME`` for what Kubernetes made, as eksctl's
cleanup does; ``cluster.k8s.amazonaws.com/name`` for the network interfaces of the VPC CNI).
"""

from __future__ import annotations

import time

from . import api
from .change import change
from .change import outcome
from .errors import EksError
from .vocabulary import CNI_TAG
from .vocabulary import LOAD_BALANCER_CONTROLLER_CLUSTER_TAG
from .vocabulary import OWNER_TAG
from .vocabulary import kubernetes_cluster_tag
from .vocabulary import wait_success
from .waiters import waiter_delay

EKS_CLUSTER_SG_TAG = "aws:eks:cluster-name"

# A delete refused for one of these is tried again until the deadline: something still uses the resource.
RETRY_LATER_CODES = (
    "DependencyViolation",
    "InvalidIPAddress.InUse",
    "InvalidNetworkInterface.InUse",
    "ResourceInUse",
    "IncorrectState",
)
# A delete answered with one of these found the resource already gone.
GONE_CODES = ("NatGatewayNotFound", "LoadBalancerNotFound", "AccessPointNotFound", "InvalidAllocationID.NotFound")


# ---------------------------------------------------------------- pure: ownership and selection
def tags_of(resource):
    """The tags of an EC2 resource (a list of Key/Value, ``TagSet`` for network interfaces) or of a load balancer
    (already a dict)."""
    tags = (resource.get("Tags") or resource.get("TagSet")) if isinstance(resource, dict) else None
    if isinstance(tags, dict):
        return tags
    return {t.get("Key"): t.get("Value", "") for t in tags or []}


def is_owned(resource, cluster):
    return tags_of(resource).get(OWNER_TAG) == cluster


def is_kubernetes_owned(tags, cluster):
    """Made by Kubernetes for this cluster (the in-tree cloud provider or the AWS Load Balancer Controller)."""
    by_cloud_provider = tags.get(kubernetes_cluster_tag(cluster)) == "owned"
    return by_cloud_provider or tags.get(LOAD_BALANCER_CONTROLLER_CLUSTER_TAG) == cluster


def is_cni_leftover(eni, cluster):
    """A network interface the VPC CNI made for this cluster, no longer attached to anything."""
    return eni.get("Status") == "available" and tags_of(eni).get(CNI_TAG) == cluster


def name_of(resource):
    return tags_of(resource).get("Name") or resource.get("GroupName") or resource.get("name") or ""


def referencing_permissions(group, group_ids):
    """The parts of ``group``'s ingress and egress rules that name another group of ``group_ids``.

    Returns (ingress, egress) in the form RevokeSecurityGroupIngress/Egress take. A group's rules naming itself
    are left out: they go with the group and never block its deletion.
    """
    result = []
    for key in ("IpPermissions", "IpPermissionsEgress"):
        kept = []
        for permission in group.get(key) or []:
            pairs = [
                p
                for p in permission.get("UserIdGroupPairs") or []
                if p.get("GroupId") in group_ids and p.get("GroupId") != group.get("GroupId")
            ]
            if pairs:
                revoke = {k: v for k, v in permission.items() if k in ("IpProtocol", "FromPort", "ToPort")}
                revoke["UserIdGroupPairs"] = [{"GroupId": p["GroupId"]} for p in pairs]
                kept.append(revoke)
        result.append(kept)
    return result[0], result[1]


def is_owned_launch_template(template, cluster):
    """A launch template of this cluster's nodegroups: named after the cluster and tagged for it, on the template or
    in the tags any of its versions gives instances (``versions``, as DescribeLaunchTemplateVersions answers)."""
    if not (template.get("LaunchTemplateName") or "").startswith(cluster + "-"):
        return False
    if is_owned(template, cluster):
        return True
    for version in template.get("versions") or []:
        for spec in (version.get("LaunchTemplateData") or {}).get("TagSpecifications") or []:
            if tags_of(spec).get(OWNER_TAG) == cluster:
                return True
    return False


def select(cluster, inventory, kubernetes_only=False):
    """What to delete, by kind, from what ``inventory`` read; each item checked against the cluster's tags.

    ``kubernetes_only``: only what Kubernetes left (load balancers, their groups and the rules naming them, CNI
    interfaces), as before the cluster is deleted. ``inventory``'s ``launch_templates`` and ``key_pairs`` (read
    only when asked): the nodegroups' launch templates and SSH key pairs of this cluster.

    ``inventory``: {"vpcs": [{"vpc": VPC, "owned": bool, "security_groups", "network_interfaces",
    "nat_gateways", "internet_gateways", "route_tables", "subnets"}], "load_balancers": [{"kind", "id",
    "name", "vpc_id", "tags"}], "addresses": [...], "internet_gateways": [...] (detached ones)}.
    """
    plan = {
        k: []
        for k in (
            "load_balancers",
            "rules",
            "kubernetes_security_groups",
            "network_interfaces",
            "vpc_endpoints",
            "launch_templates",
            "key_pairs",
            "nat_gateways",
            "addresses",
            "internet_gateways",
            "route_tables",
            "subnets",
            "security_groups",
            "vpcs",
        )
    }
    vpc_ids = {v["vpc"]["VpcId"] for v in inventory.get("vpcs", [])}
    for lb in inventory.get("load_balancers", []):
        if lb.get("vpc_id") in vpc_ids and is_kubernetes_owned(lb.get("tags") or {}, cluster):
            plan["load_balancers"].append(lb)
    nat_allocations = {}
    for entry in inventory.get("vpcs", []):
        vpc_id = entry["vpc"]["VpcId"]
        groups = [g for g in entry.get("security_groups", []) if g.get("VpcId") == vpc_id]
        # EKS tags its cluster security group kubernetes.io/cluster/NAME: owned too; EKS deletes it with the cluster.
        kube_groups = [
            g
            for g in groups
            if g.get("GroupName") != "default"
            and not is_owned(g, cluster)
            and is_kubernetes_owned(tags_of(g), cluster)
            and EKS_CLUSTER_SG_TAG not in tags_of(g)
        ]
        own_groups = [g for g in groups if g.get("GroupName") != "default" and is_owned(g, cluster)]
        if kubernetes_only:
            own_groups = []
        plan["kubernetes_security_groups"] += kube_groups
        plan["security_groups"] += own_groups
        # Rules in the groups that go (and in the cluster's own EKS security group) naming a group that goes.
        going = {g["GroupId"] for g in kube_groups + own_groups}
        holders = [
            g
            for g in groups
            if g["GroupId"] in going or tags_of(g).get(EKS_CLUSTER_SG_TAG) == cluster or is_owned(g, cluster)
        ]
        for group in holders:
            ingress, egress = referencing_permissions(group, going)
            if ingress or egress:
                plan["rules"].append({"group": group, "ingress": ingress, "egress": egress})
        plan["network_interfaces"] += [
            e for e in entry.get("network_interfaces", []) if e.get("VpcId") == vpc_id and is_cni_leftover(e, cluster)
        ]
        plan["vpc_endpoints"] += [
            e
            for e in entry.get("vpc_endpoints", [])
            if e.get("VpcId") == vpc_id and is_owned(e, cluster) and str(e.get("State", "")).lower() != "deleted"
        ]
        for nat in entry.get("nat_gateways", []):
            if nat.get("VpcId") == vpc_id and is_owned(nat, cluster) and nat.get("State") != "deleted":
                plan["nat_gateways"].append(nat)
                for a in nat.get("NatGatewayAddresses") or []:
                    nat_allocations[a.get("AllocationId")] = nat["NatGatewayId"]
        for igw in entry.get("internet_gateways", []):
            attached = [a.get("VpcId") for a in igw.get("Attachments") or []]
            if vpc_id in attached and is_owned(igw, cluster):
                plan["internet_gateways"].append(dict(igw, vpc_id=vpc_id))
        for table in entry.get("route_tables", []):
            main = any(a.get("Main") for a in table.get("Associations") or [])
            if table.get("VpcId") == vpc_id and is_owned(table, cluster) and not main:
                plan["route_tables"].append(table)
        plan["subnets"] += [s for s in entry.get("subnets", []) if s.get("VpcId") == vpc_id and is_owned(s, cluster)]
        if entry.get("owned") and is_owned(entry["vpc"], cluster):
            plan["vpcs"].append(entry["vpc"])
    if kubernetes_only:
        for key in ("vpc_endpoints", "nat_gateways", "internet_gateways", "route_tables", "subnets",
                    "security_groups", "vpcs"):  # fmt: skip
            plan[key] = []
        return plan
    plan["launch_templates"] = [
        t for t in inventory.get("launch_templates", []) if is_owned_launch_template(t, cluster)
    ]
    plan["key_pairs"] = [k for k in inventory.get("key_pairs", []) if is_owned(k, cluster)]
    # Internet gateways left detached by an interrupted run: owned, attached to nothing.
    known = {g["InternetGatewayId"] for g in plan["internet_gateways"]}
    for igw in inventory.get("internet_gateways", []):
        if igw["InternetGatewayId"] not in known and not igw.get("Attachments") and is_owned(igw, cluster):
            plan["internet_gateways"].append(dict(igw, vpc_id=None))
    # Each with the NAT gateway of this cluster that holds it, if any: released only once that one is deleted.
    plan["addresses"] = [
        dict(a, nat_gateway_id=nat_allocations.get(a.get("AllocationId")))
        for a in inventory.get("addresses", [])
        if is_owned(a, cluster)
    ]
    return plan


def describe_item(kind, resource):
    """One line of the result: {"type", "id", "name"}."""
    ids = {
        "load_balancer": lambda r: r.get("id"),
        "rule": lambda r: r["group"]["GroupId"],
        "kubernetes_security_group": lambda r: r["GroupId"],
        "network_interface": lambda r: r["NetworkInterfaceId"],
        "vpc_endpoint": lambda r: r["VpcEndpointId"],
        "nat_gateway": lambda r: r["NatGatewayId"],
        "address": lambda r: r.get("AllocationId"),
        "internet_gateway": lambda r: r["InternetGatewayId"],
        "route_table": lambda r: r["RouteTableId"],
        "subnet": lambda r: r["SubnetId"],
        "security_group": lambda r: r["GroupId"],
        "vpc": lambda r: r["VpcId"],
        "launch_template": lambda r: r["LaunchTemplateId"],
        "key_pair": lambda r: r["KeyName"],
    }
    if kind == "rule":
        name = f"rules of {name_of(resource['group'])} naming groups being deleted"
    elif kind == "address":
        name = name_of(resource) or resource.get("PublicIp") or ""
    elif kind == "launch_template":
        name = resource.get("LaunchTemplateName") or ""
    else:
        name = name_of(resource)
    return {"type": kind, "id": ids[kind](resource), "name": name}


PHASES = (
    ("load_balancers", "load_balancer"),
    ("rules", "rule"),
    ("kubernetes_security_groups", "kubernetes_security_group"),
    ("network_interfaces", "network_interface"),
    ("vpc_endpoints", "vpc_endpoint"),
    ("launch_templates", "launch_template"),
    ("key_pairs", "key_pair"),
    ("nat_gateways", "nat_gateway"),
    ("addresses", "address"),
    ("internet_gateways", "internet_gateway"),
    ("route_tables", "route_table"),
    ("subnets", "subnet"),
    ("security_groups", "security_group"),
    ("vpcs", "vpc"),
)


def planned(plan):
    """Every deletion of ``plan`` in the order it is made, as result lines."""
    return [describe_item(kind, r) for key, kind in PHASES for r in plan[key]]


# The call that deletes each kind, and why it belongs to the cluster.
_DELETES = {
    "load_balancer": ("delete_load_balancer", "made by Kubernetes for cluster {cluster}"),
    "rule": ("revoke_security_group_rules", "names security groups being deleted"),
    "kubernetes_security_group": ("delete_security_group", "made by Kubernetes for cluster {cluster}"),
    "network_interface": ("delete_network_interface", "left available by the VPC CNI of cluster {cluster}"),
    "vpc_endpoint": ("delete_vpc_endpoints", "tagged for cluster {cluster} (a fully private cluster's)"),
    "launch_template": ("delete_launch_template", "named after and tagged for cluster {cluster} (a nodegroup's)"),
    "key_pair": ("delete_key_pair", "tagged for cluster {cluster} (a nodegroup's SSH key)"),
    "nat_gateway": ("delete_nat_gateway", "tagged for cluster {cluster}"),
    "address": ("release_address", "tagged for cluster {cluster}"),
    "internet_gateway": ("delete_internet_gateway", "tagged for cluster {cluster}"),
    "route_table": ("delete_route_table", "tagged for cluster {cluster}"),
    "subnet": ("delete_subnet", "tagged for cluster {cluster}"),
    "security_group": ("delete_security_group", "tagged for cluster {cluster}"),
    "vpc": ("delete_vpc", "tagged for cluster {cluster}"),
}


def changes(cluster, plan):
    """A change record for each deletion of ``plan``, in the order it is made (pure); each keeps its result line
    (``item``, as ``planned`` gives it)."""
    records = []
    for item in planned(plan):
        call, why = _DELETES[item["type"]]
        action = "revoke" if item["type"] == "rule" else "delete"
        resource = f"{item['type'].replace('_', ' ')} {item['id']}" + (f" ({item['name']})" if item["name"] else "")
        records.append(change(resource, action, why.format(cluster=cluster), call, {"id": item["id"]}, item=item))
    return records


def failure_message(cluster, failed):
    lines = [f"{f['type']} {f['id']}{' (' + f['name'] + ')' if f['name'] else ''}: {f['reason']}" for f in failed]
    return (
        f"These resources of cluster {cluster} could not be deleted: "
        + "; ".join(lines)
        + ". What still uses them (network interfaces of load balancers or pods, rules of other security groups)"
        " is named in each reason; remove it and run the teardown again: what was deleted stays deleted."
    )


# ---------------------------------------------------------------- reading
def inventory(ec2, elbv2, elb, cluster, vpc_ids=(), kubernetes_only=False, nodegroup_leftovers=False):
    """Read the cluster's VPCs (owned ones by tag, checked; adopted ones by id) and what is in them.

    ``kubernetes_only``: only what ``select`` keeps then (load balancers, security groups, network interfaces).
    ``nodegroup_leftovers``: also the launch templates named after the cluster (with their versions when the
    template itself is not tagged) and the key pairs tagged for it.
    """
    vpcs = {}
    for vpc in api.describe_vpcs(ec2, filters={f"tag:{OWNER_TAG}": cluster}):
        if is_owned(vpc, cluster):
            vpcs[vpc["VpcId"]] = (vpc, True)
    for vpc in api.describe_vpcs(ec2, vpc_ids=vpc_ids) if vpc_ids else []:
        vpcs.setdefault(vpc["VpcId"], (vpc, is_owned(vpc, cluster)))
    entries = []
    for vpc_id, (vpc, owned) in vpcs.items():
        in_vpc = {"vpc-id": vpc_id}
        entry = {
            "vpc": vpc,
            "owned": owned,
            "security_groups": api.describe_security_groups_filtered(ec2, in_vpc),
            "network_interfaces": api.describe_network_interfaces(ec2, in_vpc),
        }
        if not kubernetes_only:
            entry.update(
                vpc_endpoints=api.describe_vpc_endpoints(ec2, in_vpc),
                nat_gateways=api.describe_nat_gateways(ec2, filters=in_vpc),
                internet_gateways=api.describe_internet_gateways(ec2, {"attachment.vpc-id": vpc_id}),
                route_tables=api.describe_route_tables(ec2, in_vpc),
                subnets=api.describe_subnets_filtered(ec2, in_vpc),
            )
        entries.append(entry)
    load_balancers = []
    if entries:
        v2 = api.describe_load_balancers_v2(elbv2)
        v2 = [lb for lb in v2 if lb.get("VpcId") in vpcs]
        tags = api.describe_tags_v2(elbv2, [lb["LoadBalancerArn"] for lb in v2]) if v2 else {}
        load_balancers += [
            {
                "kind": "v2",
                "id": lb["LoadBalancerArn"],
                "name": lb.get("LoadBalancerName"),
                "vpc_id": lb.get("VpcId"),
                "tags": tags.get(lb["LoadBalancerArn"], {}),
            }
            for lb in v2
        ]
        classic = [lb for lb in api.describe_load_balancers_classic(elb) if lb.get("VPCId") in vpcs]
        tags = api.describe_tags_classic(elb, [lb["LoadBalancerName"] for lb in classic]) if classic else {}
        load_balancers += [
            {
                "kind": "classic",
                "id": lb["LoadBalancerName"],
                "name": lb["LoadBalancerName"],
                "vpc_id": lb.get("VPCId"),
                "tags": tags.get(lb["LoadBalancerName"], {}),
            }
            for lb in classic
        ]
    if kubernetes_only:
        return {"vpcs": entries, "load_balancers": load_balancers}
    owned_filter = {f"tag:{OWNER_TAG}": cluster}
    found = {
        "vpcs": entries,
        "load_balancers": load_balancers,
        "addresses": api.describe_addresses(ec2, owned_filter),
        "internet_gateways": api.describe_internet_gateways(ec2, owned_filter),
    }
    if nodegroup_leftovers:
        templates = api.describe_launch_templates_filtered(ec2, {"launch-template-name": f"{cluster}-*"})
        found["launch_templates"] = [
            (
                t
                if is_owned(t, cluster)
                else dict(t, versions=api.list_launch_template_versions(ec2, t["LaunchTemplateId"]))
            )
            for t in templates
        ]
        found["key_pairs"] = api.describe_key_pairs_filtered(ec2, owned_filter)
    return found


# ---------------------------------------------------------------- deleting
class Cleaner:
    """Deletes a plan in order; a refusal because of a dependency is tried again until the deadline."""

    def __init__(self, ec2, elbv2, elb, dependency_timeout, nat_timeout, delay=None, sleep=time.sleep):
        self.ec2 = ec2
        self.elbv2 = elbv2
        self.elb = elb
        self.dependency_deadline = time.monotonic() + max(0, dependency_timeout)
        self.nat_timeout = nat_timeout
        self.delay = waiter_delay("dependency_retry") if delay is None else delay
        self.sleep = sleep
        self.deleted = []
        self.failed = []

    def _attempt(self, kind, resource, func, *args, record=True):
        item = describe_item(kind, resource)
        while True:
            try:
                func(*args)
            except EksError as e:
                code = e.code or ""
                if code in GONE_CODES or code.endswith(".NotFound"):
                    return True
                if code in RETRY_LATER_CODES and time.monotonic() + self.delay <= self.dependency_deadline:
                    self.sleep(self.delay)
                    continue
                self.failed.append(dict(item, reason=str(e)))
                return False
            if record:
                self.deleted.append(item)
            return True

    def run(self, plan):
        for lb in plan["load_balancers"]:
            if lb["kind"] == "v2":
                self._attempt("load_balancer", lb, api.delete_load_balancer_v2, self.elbv2, lb["id"])
            else:
                self._attempt("load_balancer", lb, api.delete_load_balancer_classic, self.elb, lb["id"])
        for rule in plan["rules"]:
            group_id = rule["group"]["GroupId"]
            self._attempt(
                "rule", rule, api.revoke_security_group_rules, self.ec2, group_id, rule["ingress"], rule["egress"]
            )
        for group in plan["kubernetes_security_groups"]:
            self._attempt("kubernetes_security_group", group, api.delete_security_group, self.ec2, group["GroupId"])
        for eni in plan["network_interfaces"]:
            self._attempt("network_interface", eni, api.delete_network_interface, self.ec2, eni["NetworkInterfaceId"])
        # A VPC endpoint's network interfaces go with it; what depends on them (subnets, groups, the VPC) waits out
        # the deletion through DependencyViolation.
        for endpoint in plan["vpc_endpoints"]:
            self._attempt("vpc_endpoint", endpoint, api.delete_vpc_endpoints, self.ec2, [endpoint["VpcEndpointId"]])
        for template in plan["launch_templates"]:
            self._attempt(
                "launch_template", template, api.delete_launch_template, self.ec2, template["LaunchTemplateId"]
            )
        for key in plan["key_pairs"]:
            self._attempt("key_pair", key, api.delete_key_pair, self.ec2, key["KeyName"])
        gone = self._delete_nat_gateways(plan["nat_gateways"])
        for address in plan["addresses"]:
            self._release(address, gone)
        for igw in plan["internet_gateways"]:
            # Detaching waits while NAT gateways' public addresses are still mapped (DependencyViolation).
            gateway_id = igw["InternetGatewayId"]
            detach = api.detach_internet_gateway
            if igw.get("vpc_id") and not self._attempt(
                "internet_gateway", igw, detach, self.ec2, gateway_id, igw["vpc_id"], record=False
            ):
                continue
            self._attempt("internet_gateway", igw, api.delete_internet_gateway, self.ec2, igw["InternetGatewayId"])
        for table in plan["route_tables"]:
            for association in table.get("Associations") or []:
                if association.get("RouteTableAssociationId") and not association.get("Main"):
                    try:
                        api.disassociate_route_table(self.ec2, association["RouteTableAssociationId"])
                    except EksError as e:
                        if not (e.code or "").endswith(".NotFound"):
                            raise
            self._attempt("route_table", table, api.delete_route_table, self.ec2, table["RouteTableId"])
        for subnet in plan["subnets"]:
            self._attempt("subnet", subnet, api.delete_subnet, self.ec2, subnet["SubnetId"])
        for group in plan["security_groups"]:
            self._attempt("security_group", group, api.delete_security_group, self.ec2, group["GroupId"])
        for vpc in plan["vpcs"]:
            self._attempt("vpc", vpc, api.delete_vpc, self.ec2, vpc["VpcId"])
        return self

    def _delete_nat_gateways(self, nats):
        """Delete, then wait until each is ``deleted`` (its elastic IP stays associated until then)."""
        if not nats:
            return set()
        for nat in nats:
            if nat.get("State") in ("pending", "available", "failed"):
                api.delete_nat_gateway(self.ec2, nat["NatGatewayId"])
        ids = [n["NatGatewayId"] for n in nats]
        states = {}
        deadline = time.monotonic() + max(0, self.nat_timeout)
        delay = waiter_delay("nat_gateway_deleted")
        while True:
            found = {
                n["NatGatewayId"]: n.get("State") for n in api.describe_nat_gateways(self.ec2, nat_gateway_ids=ids)
            }
            states = {i: found.get(i, "deleted") for i in ids}
            deleted_states = wait_success("nat_gateway", "deleted")
            if all(s in deleted_states for s in states.values()) or time.monotonic() + delay > deadline:
                break
            self.sleep(delay)
        gone = set()
        for nat in nats:
            item = describe_item("nat_gateway", nat)
            if states[nat["NatGatewayId"]] in wait_success("nat_gateway", "deleted"):
                gone.add(nat["NatGatewayId"])
                self.deleted.append(item)
            else:
                self.failed.append(
                    dict(
                        item,
                        reason=f"still {states[nat['NatGatewayId']]} after {self.nat_timeout}s (it is billed until"
                        " deleted; its elastic IP is released only once it is)",
                    )
                )
        return gone

    def _release(self, address, nats_gone):
        nat_id = address.get("nat_gateway_id")
        if nat_id and nat_id not in nats_gone:
            reason = f"its NAT gateway {nat_id} is not deleted yet (an address is released only after it)"
            self.failed.append(dict(describe_item("address", address), reason=reason))
            return

        def release():
            try:
                api.release_address(self.ec2, address["AllocationId"])
            except EksError as e:
                # The NAT gateway that held it is deleted: an association still shown is stale, undo it once.
                if e.code != "InvalidIPAddress.InUse" or not nat_id or not address.get("AssociationId"):
                    raise
                try:
                    api.disassociate_address(self.ec2, address.pop("AssociationId"))
                except EksError as again:
                    if not (again.code or "").endswith(".NotFound"):
                        raise
                api.release_address(self.ec2, address["AllocationId"])

        self._attempt("address", address, release)


# ---------------------------------------------------------------- the module
def ensure(module):
    """eks_vpc_cleanup: delete what belongs to the cluster in its VPCs; the outcome (``deleted``, ``failed``)."""
    from .common import client  # here: keeps the pure part of this file importable without Ansible

    params = module.params
    cluster = params["cluster_name"]
    ec2 = client(module, "ec2")
    elbv2 = client(module, "elbv2")
    elb = client(module, "elb")
    only = params["kubernetes_only"]
    leftovers = params["nodegroup_leftovers"] and not only
    plan = select(cluster, inventory(ec2, elbv2, elb, cluster, params["vpc_ids"] or (), only, leftovers), only)
    records = changes(cluster, plan)
    if module.check_mode:
        return _outcome(module, records, records, [])
    cleaner = Cleaner(ec2, elbv2, elb, params["dependency_timeout"], params["nat_gateway_timeout"]).run(plan)
    made = [r for r in records if r["item"] in cleaner.deleted]
    result = _outcome(module, records, made, cleaner.failed)
    if cleaner.failed:
        raise EksError(failure_message(cluster, cleaner.failed), **result)
    return result


def _outcome(module, records, made, failed):
    """The outcome: ``deleted`` the result lines of the records ``made`` (or predicted in check mode), ``failed``
    what could not be deleted; the diff shows the resources of ``records`` before and those left after."""
    deleted = [r["item"] for r in made]
    before = {"resources": [r["item"] for r in records]}
    after = {"resources": [i for i in before["resources"] if i not in deleted]}
    return outcome(module, "deleted", deleted, made, before=before, after=after, failed=failed)
