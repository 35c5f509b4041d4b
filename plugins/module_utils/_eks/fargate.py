# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS Fargate profiles: desired state (pure), comparison (pure), apply (api only).

A Fargate profile cannot be changed in EKS but for its tags: a different pod execution role, selectors or subnets
replace it (delete, then create). EKS creates or deletes one Fargate profile of a cluster at a time: the module
waits its turn.
"""

from __future__ import annotations

import re
import time

from . import api
from .change import apply
from .change import change
from .change import outcome
from .common import apply_tag_changes
from .common import client
from .common import described
from .common import raw_client
from .common import tag_changes
from .common import to_ansible
from .errors import EksError
from .errors import error_message
from .vocabulary import wait_failure
from .vocabulary import wait_success
from .waiters import Deadline
from .waiters import wait
from .waiters import waiter_delay

NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/[\w+=,.@/-]+$")
SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
MAX_SELECTORS = 5
MAX_LABELS = 5
BUSY = ("CREATING", "DELETING")
POD_EXECUTION_POLICY = "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
# What EKS says while IAM has not propagated the pod execution role's trust yet.
TRUST_NOT_PROPAGATED = "misconfigured podexecutionrole trust policy"
DIFF_KEYS = ("fargate_profile_name", "pod_execution_role_arn", "selectors", "subnets", "tags", "status")


# ---------------------------------------------------------------- desired state (pure)
def validate_params(params):
    """Every problem of the module's input, before any AWS call, by option path."""
    problems = []
    name = params.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(f"name: {name!r} must be 1 to 100 letters, digits, - and _, starting with a letter or digit")
    if params.get("state", "present") == "present":
        role = params.get("pod_execution_role_arn")
        if not role:
            problems.append("pod_execution_role_arn: is required to create or converge a Fargate profile")
        elif not ROLE_ARN_RE.match(role):
            problems.append(f"pod_execution_role_arn: {role!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        problems += validate_selectors(params.get("selectors"))
        for index, subnet in enumerate(params.get("subnets") or []):
            if not SUBNET_RE.match(str(subnet)):
                problems.append(f"subnets[{index}]: {subnet!r} is not a subnet id (subnet-...)")
    if problems:
        raise EksError(message="; ".join(problems), problems=problems)


def validate_selectors(selectors, field="selectors"):
    problems = []
    if not selectors:
        return [f"{field}: a Fargate profile needs 1 to {MAX_SELECTORS} selectors, each with a namespace"]
    if len(selectors) > MAX_SELECTORS:
        problems.append(f"{field}: {len(selectors)} selectors; EKS takes at most {MAX_SELECTORS} per profile")
    for index, selector in enumerate(selectors):
        if not (selector or {}).get("namespace"):
            problems.append(f"{field}[{index}].namespace: is required")
        labels = (selector or {}).get("labels") or {}
        if len(labels) > MAX_LABELS:
            problems.append(f"{field}[{index}].labels: {len(labels)} labels; EKS takes at most {MAX_LABELS}")
    return problems


def normalize_selectors(selectors):
    """Selectors in one order, labels as strings: a different order in the input or from AWS is no change."""
    out = []
    for selector in selectors or []:
        item = {"namespace": selector.get("namespace")}
        labels = selector.get("labels") or {}
        item["labels"] = {str(k): str(v) for k, v in sorted(labels.items())}
        out.append(item)
    return sorted(out, key=lambda s: (s["namespace"], sorted(s["labels"].items())))


def normalize(profile):
    """A Fargate profile as the modules return it (snake_case; selectors and subnets in a stable order)."""
    if not profile:
        return {}
    out = to_ansible({k: v for k, v in profile.items() if k not in ("selectors", "tags")})
    out["selectors"] = normalize_selectors(profile.get("selectors"))
    out["subnets"] = sorted(profile.get("subnets") or [])
    out["tags"] = dict(profile.get("tags") or {})
    return out


def compare(current, params):
    """(the attributes whose change replaces the profile, tags to set, tag keys to remove)."""
    replace = []
    if params["pod_execution_role_arn"] != current.get("pod_execution_role_arn"):
        replace.append("pod_execution_role_arn")
    if normalize_selectors(params["selectors"]) != current.get("selectors"):
        replace.append("selectors")
    if params.get("subnets") and sorted(set(params["subnets"])) != current.get("subnets"):
        replace.append("subnets")
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    return replace, to_set, to_remove


def predict_created(params, subnets, tags):
    """The profile as creating it with ``params`` makes it (check mode)."""
    return {
        "fargate_profile_name": params["name"],
        "cluster_name": params["cluster_name"],
        "pod_execution_role_arn": params["pod_execution_role_arn"],
        "selectors": normalize_selectors(params["selectors"]),
        "subnets": sorted(set(subnets)),
        "status": "ACTIVE",
        "tags": dict(tags),
    }


def create_request(params, subnets, tags):
    """CreateFargateProfile's parameters (subnets None: EKS takes the cluster's private subnets)."""
    request = dict(
        clusterName=params["cluster_name"],
        fargateProfileName=params["name"],
        podExecutionRoleArn=params["pod_execution_role_arn"],
        selectors=[
            dict(namespace=s["namespace"], **({"labels": s["labels"]} if s["labels"] else {}))
            for s in normalize_selectors(params["selectors"])
        ],
    )
    if subnets:
        request["subnets"] = sorted(set(subnets))
    if tags:
        request["tags"] = dict(tags)
    return request


def plan(current, params):
    """The change records from the normalized ``current`` profile (``{}`` when there is none) to the params
    (pure): create; delete; delete then create (replace) when what EKS cannot change differs; untag / tag."""
    name, cluster_name = params["name"], params["cluster_name"]
    what = f"Fargate profile {name}"
    ids = dict(clusterName=cluster_name, fargateProfileName=name)
    if params.get("state", "present") == "absent":
        if not current or current.get("status") == "DELETING":
            return []
        return [change(what, "delete", "state=absent", "delete_fargate_profile", ids)]
    if not current:
        request = create_request(params, params.get("subnets"), params.get("tags") or {})
        return [change(what, "create", "not found", "create_fargate_profile", request)]
    replace, to_set, to_remove = compare(current, params)
    if replace:
        why = (
            f"{', '.join(replace)} changed: EKS cannot change a Fargate profile: it is deleted and created again, "
            "and its pods are rescheduled"
        )
        tags = apply_tag_changes(current.get("tags"), to_set, to_remove)
        request = create_request(params, params.get("subnets") or current.get("subnets"), tags)
        return [
            change(what, "delete", why, "delete_fargate_profile", ids, replace=replace),
            change(what, "create", why, "create_fargate_profile", request, replace=replace),
        ]
    records = []
    if to_remove:
        records.append(change(what, "untag", ", ".join(sorted(to_remove)), "untag_resource",
                              dict(resourceArn=current["fargate_profile_arn"], tagKeys=sorted(to_remove))))  # fmt: skip
    if to_set:
        records.append(change(what, "tag", ", ".join(sorted(to_set)), "tag_resource",
                              dict(resourceArn=current["fargate_profile_arn"], tags=to_set)))  # fmt: skip
    return records


def predict(current, params, changes, default_subnets=None):
    """The profile once the changes are made (check mode). ``default_subnets()`` gives the cluster's private
    subnets, which EKS takes for a profile created without subnets."""
    out = dict(current or {})
    for record in changes:
        action, request = record["action"], record["params"]
        if action == "delete":
            out = {}
        elif action == "create":
            subnets = request.get("subnets")
            if subnets is None:
                subnets = default_subnets() if default_subnets else []
            out = predict_created(params, subnets, request.get("tags") or {})
        elif action == "untag":
            out["tags"] = apply_tag_changes(out.get("tags"), {}, request["tagKeys"])
        elif action == "tag":
            out["tags"] = apply_tag_changes(out.get("tags"), request["tags"], [])
    return out


def diff_view(profile):
    return {key: profile.get(key) for key in DIFF_KEYS} if profile else {}


def public_route(route_table):
    """The internet gateway a route table sends traffic to, or None: a subnet using it is public."""
    for route in (route_table or {}).get("Routes") or []:
        gateway = route.get("GatewayId") or ""
        if gateway.startswith("igw-"):
            return gateway
    return None


# ---------------------------------------------------------------- apply (api only)
def _route_table(ec2, subnet_id, vpc_id):
    tables = api.describe_route_tables(ec2, {"association.subnet-id": subnet_id})
    if not tables:
        tables = api.describe_route_tables(ec2, {"vpc-id": vpc_id, "association.main": "true"})
    return tables[0] if tables else None


def private_subnets(ec2, subnet_ids, vpc_id=None, field="subnets"):
    """``subnet_ids`` checked to be private subnets (of ``vpc_id`` when given); a public one fails, naming it."""
    problems = []
    subnets = {s["SubnetId"]: s for s in api.describe_subnets(ec2, subnet_ids)} if subnet_ids else {}
    for index, subnet_id in enumerate(subnet_ids):
        subnet = subnets.get(subnet_id)
        if subnet is None:
            problems.append(f"{field}[{index}]: subnet {subnet_id} does not exist")
            continue
        if vpc_id and subnet["VpcId"] != vpc_id:
            problems.append(
                f"{field}[{index}]: subnet {subnet_id} is in {subnet['VpcId']}, not the cluster's VPC {vpc_id}"
            )
            continue
        gateway = public_route(_route_table(ec2, subnet_id, subnet["VpcId"]))
        if gateway:
            problems.append(
                f"{field}[{index}]: subnet {subnet_id} is public (its route table sends traffic to the internet "
                f"gateway {gateway}); Fargate runs pods in private subnets only"
            )
    if problems:
        raise EksError(message="; ".join(problems), problems=problems)
    return list(subnet_ids)


def cluster_private_subnets(ec2, cluster):
    """The cluster's private subnets: the subnets EKS gives a profile created without any."""
    config = cluster.get("resourcesVpcConfig") or {}
    out = []
    for subnet_id in config.get("subnetIds") or []:
        if not public_route(_route_table(ec2, subnet_id, config.get("vpcId"))):
            out.append(subnet_id)
    return out


def describe_normalized(eks, cluster_name, name):
    return normalize(api.describe_fargate_profile(eks, cluster_name, name))


def _sleep(deadline, what):
    delay = waiter_delay("fargate_profile_deleted")
    if time.monotonic() + delay > deadline.end:
        raise EksError(message=f"Timed out after {deadline.seconds} seconds waiting for {what}")
    time.sleep(delay)


def wait_turn(eks, cluster_name, name, deadline):
    """Wait until no other Fargate profile of the cluster is being created or deleted (EKS does one at a time)."""
    while True:
        busy = []
        for other in api.list_fargate_profiles(eks, cluster_name):
            if other == name:
                continue
            profile = api.describe_fargate_profile(eks, cluster_name, other)
            if profile and profile.get("status") in BUSY:
                busy.append(f"{other} ({profile['status']})")
        if not busy:
            return
        _sleep(deadline, f"the Fargate profiles {', '.join(busy)} of cluster {cluster_name}: EKS creates or deletes "
                         "one profile of a cluster at a time")  # fmt: skip


def _in_turn(eks, cluster_name, name, deadline, call):
    """``call()`` once no other profile is busy; tried again when another run got there first."""
    while True:
        wait_turn(eks, cluster_name, name, deadline)
        try:
            return call()
        except EksError as e:
            if e.code != "ResourceInUseException" or "currently has Fargate profile" not in error_message(e):
                raise


def wait_active(eks, cluster_name, name, deadline):
    what = f"Fargate profile {name} of cluster {cluster_name} to be ACTIVE"
    while True:
        profile = api.describe_fargate_profile(eks, cluster_name, name)
        status = (profile or {}).get("status")
        if status in wait_success("fargate_profile", "active"):
            return profile
        if status is None or status in wait_failure("fargate_profile", "active"):
            issues = "; ".join(
                f"{i.get('code')}: {i.get('message')}"
                for i in ((profile or {}).get("health") or {}).get("issues") or []
            )
            raise EksError(
                message=f"Stopped waiting for {what}: it is {status or 'gone'}" + (f": {issues}" if issues else "")
            )
        _sleep(deadline, what)


def wait_deleted(eks, cluster_name, name, deadline):
    wait(
        raw_client(eks),
        "fargate_profile_deleted",
        deadline.remaining(),
        f"Fargate profile {name} of cluster {cluster_name} to be deleted",
        clusterName=cluster_name,
        fargateProfileName=name,
    )


def delete_profile(eks, cluster_name, name, deadline, wait_for=True):
    """Delete a profile in its turn (a profile being created first becomes ACTIVE), then wait for it to go."""
    profile = api.describe_fargate_profile(eks, cluster_name, name)
    if profile is None:
        return
    if profile.get("status") == "CREATING":
        wait_active(eks, cluster_name, name, deadline)
    if profile.get("status") != "DELETING":
        _in_turn(eks, cluster_name, name, deadline, lambda: api.delete_fargate_profile(eks, cluster_name, name))
    if wait_for:
        wait_deleted(eks, cluster_name, name, deadline)


def _create(eks, request, deadline, timeout):
    end = time.monotonic() + timeout
    while True:
        try:
            return _in_turn(
                eks,
                request["clusterName"],
                request["fargateProfileName"],
                deadline,
                lambda: api.create_fargate_profile(eks, **request),
            )
        except EksError as e:
            # IAM has not propagated the new role's trust of eks-fargate-pods.amazonaws.com yet.
            if TRUST_NOT_PROPAGATED not in error_message(e).lower() or time.monotonic() > end:
                raise
            time.sleep(min(5, waiter_delay("fargate_profile_deleted") * 2))


def _apply(eks, p, deadline, record):
    request = record["params"]
    call = record["call"]
    if call == "delete_fargate_profile":
        return delete_profile(eks, request["clusterName"], request["fargateProfileName"], deadline,
                              wait_for=p["wait"] or "replace" in record)  # fmt: skip
    if call == "create_fargate_profile":
        created = _create(eks, request, deadline, p["iam_propagation_timeout"])
        if p["wait"]:
            wait_active(eks, request["clusterName"], request["fargateProfileName"], deadline)
        return created
    if call == "untag_resource":
        return api.untag_resource(eks, request["resourceArn"], request["tagKeys"])
    return api.tag_resource(eks, request["resourceArn"], request["tags"])


def ensure_fargate_profile(module):
    p = module.params
    validate_params(p)
    eks = client(module, "eks")
    cluster_name, name = p["cluster_name"], p["name"]
    deadline = Deadline(p["wait_timeout"])
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(message=f"Cluster {cluster_name} does not exist")
    current = describe_normalized(eks, cluster_name, name)

    if p["state"] == "present":
        ec2 = client(module, "ec2")
        if p.get("subnets"):
            private_subnets(ec2, p["subnets"], (cluster.get("resourcesVpcConfig") or {}).get("vpcId"))
        if current.get("status") == "DELETING":
            if not module.check_mode:
                wait_deleted(eks, cluster_name, name, deadline)
            current = {}
    elif current.get("status") == "DELETING" and p["wait"] and not module.check_mode:
        wait_deleted(eks, cluster_name, name, deadline)

    changes = plan(current, p)
    replace = next((c["replace"] for c in changes if "replace" in c), None)
    if replace:
        module.warn(
            f"Fargate profile {name} of cluster {cluster_name} is replaced (deleted, then created) because its "
            f"{', '.join(replace)} changed: EKS cannot change a Fargate profile in place"
        )
    if module.check_mode:
        resource = predict(current, p, changes, lambda: cluster_private_subnets(client(module, "ec2"), cluster))
        return outcome(module, "fargate_profile", resource, changes, before=current, view=diff_view)
    if current and current.get("status") == "CREATING" and p["state"] == "present":
        wait_active(eks, cluster_name, name, deadline)
        current = describe_normalized(eks, cluster_name, name)
    apply(changes, lambda record: _apply(eks, p, deadline, record))
    resource = describe_normalized(eks, cluster_name, name) if p["state"] == "present" else {}
    return outcome(module, "fargate_profile", resource, changes, before=current, view=diff_view)


def fargate_profile_info(module):
    p = module.params
    eks = client(module, "eks")
    cluster_name = p["cluster_name"]
    profiles = described(p.get("name"), lambda: api.list_fargate_profiles(eks, cluster_name),
                         lambda name: describe_normalized(eks, cluster_name, name))  # fmt: skip
    return dict(changed=False, fargate_profiles=profiles)
