# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups of one VPC by name, with their tags and ingress rules, on the change model (eks_security_groups).

All the groups are read in one DescribeSecurityGroups call (the VPC and the names as filters); what differs is
planned as change records (create, authorize, revoke, tag, untag), check mode predicts it, and a run that changes
something reads the groups once more at its end. A re-run that changes nothing makes that one read.
"""

from __future__ import annotations

import copy

from . import api
from . import change as model
from .common import client
from .errors import EksError
from .errors import error_code
from .retry import aws_call
from .retry import DEPENDENCY_TIMEOUT
from .retry import dependency
from .security_group_rules import ports_of
from .security_group_rules import protocol_of

SOURCES = ("group_name", "group_id", "cidr_ip", "cidr_ipv6")
STATES = ("present", "absent")
# The argument spec of one group (eks_vpc's security_groups[] and eks_security_groups' groups[]).
RULE_SPEC = dict(
    protocol=dict(type="str", default="all"),
    from_port=dict(type="int"),
    to_port=dict(type="int"),
    group_name=dict(type="str"),
    group_id=dict(type="str"),
    cidr_ip=dict(type="str"),
    cidr_ipv6=dict(type="str"),
    description=dict(type="str"),
)
GROUP_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    state=dict(type="str", choices=list(STATES), default="present"),
    tags=dict(type="dict", default={}),
    rules=dict(type="list", elements="dict", default=[], options=RULE_SPEC),
    purge_rules=dict(type="bool", default=False),
)


def _rule(where, rule, names):
    protocol = protocol_of(where, rule)
    given = [s for s in SOURCES if rule.get(s)]
    if len(given) != 1:
        raise EksError(f"{where}: exactly one of {', '.join(SOURCES)} is required (got {', '.join(given) or 'none'})")
    source = given[0]
    if source == "group_name" and rule["group_name"] not in names:
        raise EksError(f"{where}.group_name: {rule['group_name']!r} is not one of the groups of this run")
    if source == "group_id" and not str(rule["group_id"]).startswith("sg-"):
        raise EksError(f"{where}.group_id: a security group id (sg-...) is required, not {rule['group_id']!r}")
    from_port, to_port = ports_of(where, protocol, rule)
    return dict(
        protocol=protocol,
        from_port=from_port,
        to_port=to_port,
        source=source,
        value=rule[source],
        description=rule.get("description"),
    )


def build_desired(params):
    """The groups asked for, normalized (pure). Bad input raises EksError naming the group and the field."""
    vpc_id = params.get("vpc_id")
    if not isinstance(vpc_id, str) or not vpc_id:
        raise EksError(f"vpc_id: a VPC id (vpc-...) is required, not {vpc_id!r}")
    groups = params.get("groups") or []
    names = [g.get("name") for g in groups]
    desired = []
    for index, group in enumerate(groups):
        where = f"groups[{index}]"
        name = group.get("name")
        if not name:
            raise EksError(f"{where}.name: required")
        if name in names[:index]:
            raise EksError(f"{where}.name: {name!r} is given more than once")
        state = group.get("state") or "present"
        if state not in STATES:
            raise EksError(f"{where}.state: {' or '.join(STATES)}, not {state!r}")
        if state == "absent":
            desired.append(dict(name=name, state=state))
            continue
        if not group.get("description"):
            raise EksError(f"{where}.description: required")
        rules = [_rule(f"{where}.rules[{i}]", r, names) for i, r in enumerate(group.get("rules") or [])]
        desired.append(
            dict(
                name=name,
                state=state,
                description=group["description"],
                tags=dict(group.get("tags") or {}),
                rules=rules,
                purge_rules=bool(group.get("purge_rules")),
            )
        )
    return {"vpc_id": vpc_id, "groups": desired, "purge_tags": bool(params.get("purge_tags", True))}


def ingress(group):
    """A DescribeSecurityGroups group's ingress rules, one entry per source (pure)."""
    rules = []
    for permission in group.get("IpPermissions") or []:
        protocol = permission.get("IpProtocol")
        ports = (None, None) if protocol == "-1" else (permission.get("FromPort"), permission.get("ToPort"))
        sources = [
            ("group_id", p.get("GroupId"), p.get("Description")) for p in permission.get("UserIdGroupPairs") or []
        ]
        sources += [("cidr_ip", r.get("CidrIp"), r.get("Description")) for r in permission.get("IpRanges") or []]
        sources += [("cidr_ipv6", r.get("CidrIpv6"), r.get("Description")) for r in permission.get("Ipv6Ranges") or []]
        for source, value, description in sources:
            rules.append(
                dict(protocol=protocol, from_port=ports[0], to_port=ports[1], source=source, value=value,
                     description=description)  # fmt: skip
            )
    return rules


def _key(rule):
    return (rule["protocol"], rule["from_port"], rule["to_port"], rule["source"], rule["value"])


def permission(rule):
    """The IpPermissions entry of one resolved rule (source group_id, cidr_ip or cidr_ipv6)."""
    entry = {"IpProtocol": rule["protocol"]}
    if rule["protocol"] != "-1":
        entry.update(FromPort=rule["from_port"], ToPort=rule["to_port"])
    described = {"Description": rule["description"]} if rule.get("description") else {}
    if rule["source"] == "group_id":
        entry["UserIdGroupPairs"] = [dict({"GroupId": rule["value"]}, **described)]
    elif rule["source"] == "cidr_ip":
        entry["IpRanges"] = [dict({"CidrIp": rule["value"]}, **described)]
    else:
        entry["Ipv6Ranges"] = [dict({"CidrIpv6": rule["value"]}, **described)]
    return entry


def pending_id(name):
    """How a group still to be created is named in a plan (its id is known once it is made)."""
    return f"(pending: {name})"


def resolve(rule, ids):
    """A rule with its group_name source turned into the group's id (or its pending name) (pure)."""
    if rule["source"] != "group_name":
        return dict(rule)
    return dict(rule, source="group_id", value=ids.get(rule["value"]) or pending_id(rule["value"]))


def _ingress_change(name, group_id, action, rules):
    """The record that authorizes or revokes (``action``) the ingress ``rules`` of group ``name`` in one call."""
    return model.change(
        f"security group {name}", action, "ingress " + ", ".join(_describe(r) for r in rules),
        call=f"{action}_security_group_ingress",
        params={"GroupId": group_id, "IpPermissions": [permission(r) for r in rules]},
        group=name, rules=rules,
    )  # fmt: skip


def plan(current, desired):
    """The change records from the groups as they are (``current``: name -> DescribeSecurityGroups group) to
    ``desired`` (pure), in order: creates, then each group's rules and tags, then the deletes of the groups absent."""
    ids = {name: group["GroupId"] for name, group in current.items()}
    changes = []
    gone = [g["name"] for g in desired["groups"] if g["state"] == "absent"]
    kept = [g for g in desired["groups"] if g["state"] == "present"]
    for group in kept:
        name = group["name"]
        if name not in current:
            changes.append(
                model.change(
                    f"security group {name}", "create", f"create security group {name} in {desired['vpc_id']}",
                    call="create_security_group",
                    params={"GroupName": name, "Description": group["description"], "VpcId": desired["vpc_id"],
                            "Tags": dict(group["tags"])},
                    group=name,
                )  # fmt: skip
            )
    for group in kept:
        name = group["name"]
        found = current.get(name) or {}
        group_id = ids.get(name) or pending_id(name)
        present = ingress(found)
        present_keys = {_key(r) for r in present}
        wanted = [resolve(r, ids) for r in group["rules"]]
        wanted_keys = {_key(r) for r in wanted}
        missing, seen = [], set()
        for rule in wanted:
            if _key(rule) not in present_keys and _key(rule) not in seen:
                seen.add(_key(rule))
                missing.append(rule)
        if missing:
            changes.append(_ingress_change(name, group_id, "authorize", missing))
        extra = [r for r in present if _key(r) not in wanted_keys] if group["purge_rules"] else []
        if extra:
            changes.append(_ingress_change(name, group_id, "revoke", extra))
        if found:
            tags = {t["Key"]: t.get("Value", "") for t in found.get("Tags") or []}
            add = {k: v for k, v in group["tags"].items() if tags.get(k) != v}
            if add:
                changes.append(
                    model.change(
                        f"security group {name}", "tag", ", ".join(f"{k}={v}" for k, v in sorted(add.items())),
                        call="create_tags", params={"GroupId": group_id, "Tags": add}, group=name,
                    )  # fmt: skip
                )
            drop = sorted(k for k in tags if k not in group["tags"] and not k.startswith("aws:"))
            if drop and desired["purge_tags"]:
                changes.append(
                    model.change(
                        f"security group {name}", "untag", ", ".join(drop),
                        call="delete_tags", params={"GroupId": group_id, "Keys": drop}, group=name,
                    )  # fmt: skip
                )
    for name in gone:
        if name in current:
            changes.append(
                model.change(
                    f"security group {name}", "delete", f"state=absent: delete security group {name} ({ids[name]})",
                    call="delete_security_group", params={"GroupId": ids[name]}, group=name,
                )  # fmt: skip
            )
    return changes


def _describe(rule):
    what = "all traffic" if rule["protocol"] == "-1" else f"{rule['protocol']} {_ports(rule)}"
    return f"{what} from {rule['value']}"


def _ports(rule):
    return str(rule["from_port"]) if rule["from_port"] == rule["to_port"] else f"{rule['from_port']}-{rule['to_port']}"


def predict(current, desired, changes):
    """The groups once ``changes`` are made (pure); a group still to be created has no id (None)."""
    predicted = copy.deepcopy(current)
    for c in changes:
        name = c["group"]
        if c["action"] == "delete":
            predicted.pop(name, None)
            continue
        if c["action"] == "create":
            predicted[name] = {
                "GroupId": None,
                "GroupName": name,
                "Description": c["params"]["Description"],
                "VpcId": desired["vpc_id"],
                "Tags": [{"Key": k, "Value": v} for k, v in c["params"]["Tags"].items()],
                "IpPermissions": [],
            }
            continue
        group = predicted[name]
        if c["action"] == "authorize":
            group.setdefault("IpPermissions", []).extend(copy.deepcopy(c["params"]["IpPermissions"]))
        elif c["action"] == "revoke":
            gone = {_key(r) for r in c["rules"]}
            kept = [r for r in ingress(group) if _key(r) not in gone]
            group["IpPermissions"] = [permission(r) for r in kept]
        elif c["action"] == "tag":
            tags = {t["Key"]: t.get("Value", "") for t in group.get("Tags") or []}
            tags.update(c["params"]["Tags"])
            group["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        elif c["action"] == "untag":
            group["Tags"] = [t for t in group.get("Tags") or [] if t["Key"] not in c["params"]["Keys"]]
    return predicted


def view(groups):
    """The groups as the module returns them (and as the diff shows them): by name, id, VPC, description, tags and
    ingress rules, sorted."""
    out = {}
    for name in sorted(groups or {}):
        group = groups[name]
        rules = sorted(ingress(group), key=lambda r: (r["source"], str(r["value"]), r["protocol"], r["from_port"] or 0))
        out[name] = dict(
            group_id=group.get("GroupId"),
            group_name=name,
            vpc_id=group.get("VpcId"),
            description=group.get("Description"),
            tags=dict(sorted((t["Key"], t.get("Value", "")) for t in group.get("Tags") or [])),
            ingress=rules,
        )
    return out


@aws_call("create the security group")
def create_security_group(ec2, name, description, vpc_id, tags):
    params = {"GroupName": name, "Description": description, "VpcId": vpc_id}
    if tags:  # EC2 refuses a tag specification without tags
        params["TagSpecifications"] = [
            {"ResourceType": "security-group", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    answer = ec2.create_security_group(**params)
    return answer["GroupId"]


@aws_call("revoke the security group ingress rules")
def revoke_security_group_ingress(ec2, group_id, permissions):
    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=list(permissions))


def _with_ids(params, ids):
    """A planned call's params with the pending ids of groups made in this run replaced by their ids."""
    pending = {pending_id(name): group_id for name, group_id in ids.items()}
    out = copy.deepcopy(params)
    out["GroupId"] = pending.get(out["GroupId"], out["GroupId"])
    for entry in out.get("IpPermissions") or []:
        for pair in entry.get("UserIdGroupPairs") or []:
            pair["GroupId"] = pending.get(pair["GroupId"], pair["GroupId"])
    return out


def _create(ec2, params):
    """A new group's id. A VPC made a moment ago may be unknown to EC2 for a while (InvalidVpcID.NotFound): the
    create is tried again meanwhile; one tried again after a fault whose first attempt went through
    (InvalidGroup.Duplicate) takes the group that attempt made."""
    try:
        return api._lagging(ec2, "CreateSecurityGroup", create_security_group, params["GroupName"],
                            params["Description"], params["VpcId"], params["Tags"])  # fmt: skip
    except EksError as e:
        if error_code(e) != "InvalidGroup.Duplicate":
            raise
        found = api.describe_security_groups_filtered(
            ec2, {"vpc-id": params["VpcId"], "group-name": [params["GroupName"]]}
        )
        if not found:
            raise
        return found[0]["GroupId"]


def _delete(ec2, group_id, retrying):
    """Delete a group; one still held (DependencyViolation: network interfaces of nodes just terminated) is tried
    again until ``retrying``'s timeout, one already gone is fine."""
    try:
        retrying.call("DeleteSecurityGroup", api.delete_security_group, ec2, group_id)
    except EksError as e:
        if error_code(e) != "InvalidGroup.NotFound":
            raise


def apply(ec2, current, changes, dependency_timeout=DEPENDENCY_TIMEOUT):
    """Make the changes in order; the ids of the groups by name (those deleted left out)."""
    ids = {name: group["GroupId"] for name, group in current.items()}
    retrying = dependency(dependency_timeout)
    for c in changes:
        p = c["params"]
        if c["action"] == "create":
            ids[c["group"]] = _create(ec2, p)
            continue
        if c["action"] == "delete":
            _delete(ec2, p["GroupId"], retrying)
            ids.pop(c["group"], None)
            continue
        p = _with_ids(p, ids)
        if c["action"] == "authorize":
            try:
                # A group made a moment ago may be unknown to EC2 for a while: the call is tried again meanwhile.
                api._lagging(ec2, "AuthorizeSecurityGroupIngress", api.authorize_security_group_ingress,
                             p["GroupId"], p["IpPermissions"])  # fmt: skip
            except EksError as e:
                # A retried call whose first attempt went through (or another run adding the same rule at once).
                if error_code(e) != "InvalidPermission.Duplicate":
                    raise
        elif c["action"] == "revoke":
            revoke_security_group_ingress(ec2, p["GroupId"], p["IpPermissions"])
        elif c["action"] == "tag":
            api.create_tags(ec2, p["GroupId"], p["Tags"])
        elif c["action"] == "untag":
            api.delete_tags(ec2, p["GroupId"], p["Keys"])
    return ids


def read(ec2, desired, check_mode=False):
    """The groups of the VPC by name ({} for a VPC check mode still predicts: nothing is in it yet)."""
    names = [g["name"] for g in desired["groups"]]
    if not desired["vpc_id"].startswith("vpc-"):
        if check_mode:
            return {}
        raise EksError(f"vpc_id: a VPC id (vpc-...) is required, not {desired['vpc_id']!r}")
    if not names:
        return {}
    found = api.describe_security_groups_filtered(ec2, {"vpc-id": desired["vpc_id"], "group-name": names})
    return {g["GroupName"]: g for g in found if g.get("GroupName") in names}


def reconcile(ec2, desired, check_mode, dependency_timeout=None, current=None):
    """Bring the groups of ``desired`` in line: ``(current, changes, after)``, the groups as read (``current`` when
    the caller knows them already, as for a VPC it has just made), the change records, and the groups once they are
    made (read again) or, in check mode, predicted. Used by eks_security_groups and by eks_vpc's groups."""
    if current is None:
        current = read(ec2, desired, check_mode)
    changes = plan(current, desired)
    if changes and not check_mode:
        ids = apply(ec2, current, changes, DEPENDENCY_TIMEOUT if dependency_timeout is None else dependency_timeout)
        # No ids left (every group deleted): DescribeSecurityGroups without ids would answer every group.
        after = {g["GroupName"]: g for g in api.describe_security_groups(ec2, list(ids.values()))} if ids else {}
    else:
        after = predict(current, desired, changes)
    return current, changes, after


def ensure(module):
    desired = build_desired(module.params)
    ec2 = client(module, "ec2")
    current, changes, after = reconcile(ec2, desired, module.check_mode, module.params.get("dependency_timeout"))
    return model.outcome(module, "security_groups", view(after), changes, before=current, after=after, view=view)
