# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ingress rules from one security group to another, on the change model (eks_security_group_rules).

The groups exist already (the cluster security group EKS makes, the shared node group of the vpc role): every
group named is read in one DescribeSecurityGroups call, the rules missing are planned as change records, check mode
predicts them, and they are added with one AuthorizeSecurityGroupIngress per group. Rules the groups have besides
are left as they are; a rule already there with another description is not changed. eks_cluster reconciles the
rules between its cluster security group and the shared node group through the same functions
(``read`` / ``current``, ``plan``, ``settle``).
"""

from __future__ import annotations

import copy

from . import api
from . import change as model
from .common import client
from .errors import EksError
from .errors import error_code
from .vocabulary import is_pending

PROTOCOLS = {"all": "-1", "-1": "-1", "tcp": "tcp", "udp": "udp", "icmp": "icmp"}


def protocol_of(where, rule):
    """The rule's protocol as EC2 names it ("-1" for all); EksError naming ``where``.protocol otherwise (pure)."""
    protocol = PROTOCOLS.get(str(rule.get("protocol") or "all").lower())
    if protocol is None:
        raise EksError(f"{where}.protocol: one of {', '.join(sorted(PROTOCOLS))}, not {rule.get('protocol')!r}")
    return protocol


def ports_of(where, protocol, rule):
    """(from_port, to_port) of a rule of ``protocol``: none for all protocols, to_port defaulting to from_port, a
    range within 0-65535 but for ICMP's type and code; EksError naming ``where`` otherwise (pure)."""
    from_port, to_port = rule.get("from_port"), rule.get("to_port")
    if protocol == "-1":
        if from_port is not None or to_port is not None:
            raise EksError(f"{where}: from_port and to_port only go with a protocol other than all")
        return from_port, to_port
    if from_port is None:
        raise EksError(f"{where}.from_port: required with protocol {protocol}")
    to_port = from_port if to_port is None else to_port
    if protocol != "icmp" and not 0 <= from_port <= to_port <= 65535:
        raise EksError(f"{where}: ports {from_port}-{to_port} are not a range within 0-65535")
    return from_port, to_port


def build_desired(rules, pending=False):
    """The rules asked for, normalized (pure): [{group_id, source_group_id, protocol, from_port, to_port,
    description}]. Bad input raises EksError naming the rule and the field, before any call. With ``pending``, a
    group may be a pending value (a check run's prediction of a group still to be made)."""
    desired = []
    for index, rule in enumerate(rules or []):
        where = f"rules[{index}]"
        for field in ("group_id", "source_group_id"):
            value = rule.get(field)
            if pending and is_pending(value):
                continue
            if not isinstance(value, str) or not value.startswith("sg-"):
                raise EksError(f"{where}.{field}: a security group id (sg-...) is required, not {value!r}")
        protocol = protocol_of(where, rule)
        from_port, to_port = ports_of(where, protocol, rule)
        desired.append(
            dict(
                group_id=rule["group_id"],
                source_group_id=rule["source_group_id"],
                protocol=protocol,
                from_port=from_port,
                to_port=to_port,
                description=rule.get("description"),
            )
        )
    return desired


def ingress(group):
    """A DescribeSecurityGroups group's ingress rules from other groups, one entry per source group (pure)."""
    rules = []
    for permission in group.get("IpPermissions") or []:
        protocol = permission.get("IpProtocol")
        for pair in permission.get("UserIdGroupPairs") or []:
            rules.append(
                dict(
                    protocol=protocol,
                    from_port=None if protocol == "-1" else permission.get("FromPort"),
                    to_port=None if protocol == "-1" else permission.get("ToPort"),
                    source_group_id=pair.get("GroupId"),
                    description=pair.get("Description"),
                )
            )
    return rules


def _same(rule, present):
    return (
        rule["protocol"] == present["protocol"]
        and rule["source_group_id"] == present["source_group_id"]
        and (
            rule["protocol"] == "-1"
            or (rule["from_port"], rule["to_port"]) == (present["from_port"], present["to_port"])
        )
    )


def permission(rule):
    """The IpPermissions entry of one rule."""
    entry = {"IpProtocol": rule["protocol"], "UserIdGroupPairs": [{"GroupId": rule["source_group_id"]}]}
    if rule["description"]:
        entry["UserIdGroupPairs"][0]["Description"] = rule["description"]
    if rule["protocol"] != "-1":
        entry.update(FromPort=rule["from_port"], ToPort=rule["to_port"])
    return entry


def plan(groups, desired):
    """The change records adding the rules ``groups`` ({group id: DescribeSecurityGroups group}) lack, one per
    group (pure)."""
    missing = {}
    for rule in desired:
        present = ingress(groups[rule["group_id"]])
        wanted = missing.setdefault(rule["group_id"], [])
        if not any(_same(rule, p) for p in present) and not any(_same(rule, w) for w in wanted):
            wanted.append(rule)
    changes = []
    for group_id, rules in missing.items():
        if rules:
            sources = ", ".join(
                f"{'all traffic' if r['protocol'] == '-1' else r['protocol'] + ' ' + _ports(r)} from {r['source_group_id']}"
                for r in rules
            )
            changes.append(
                model.change(
                    f"security group {group_id}",
                    "authorize",
                    f"ingress {sources}",
                    call="authorize_security_group_ingress",
                    params={"GroupId": group_id, "IpPermissions": [permission(r) for r in rules]},
                    rules=rules,
                )
            )
    return changes


def _ports(rule):
    return str(rule["from_port"]) if rule["from_port"] == rule["to_port"] else f"{rule['from_port']}-{rule['to_port']}"


def predict(groups, changes):
    """The groups once ``changes`` are made (pure)."""
    predicted = copy.deepcopy(groups)
    for c in changes:
        group = predicted[c["params"]["GroupId"]]
        group.setdefault("IpPermissions", []).extend(copy.deepcopy(c["params"]["IpPermissions"]))
    return predicted


def view(groups):
    """The groups as the module returns them (and as the diff shows them): id, name, VPC and ingress rules from other
    groups, sorted."""
    out = []
    for group_id in sorted(groups or {}):
        group = groups[group_id]
        rules = sorted(ingress(group), key=lambda r: (r["source_group_id"] or "", r["protocol"], r["from_port"] or 0))
        out.append(
            dict(
                group_id=group_id,
                group_name=group.get("GroupName"),
                vpc_id=group.get("VpcId"),
                ingress_from_groups=rules,
            )
        )
    return out


def read(ec2, ids, where="rules"):
    """The groups of ``ids``, {group id: DescribeSecurityGroups group}, read in one call. A pending group (check
    mode) is not looked up: a group still to be made, with no rules yet. A group EC2 does not know fails naming
    ``where`` (the option that gave it)."""
    ids = list(dict.fromkeys(ids))
    real = [i for i in ids if not is_pending(i)]
    try:
        found = {g["GroupId"]: g for g in api.describe_security_groups(ec2, real)} if real else {}
    except EksError as e:
        if error_code(e) not in ("InvalidGroup.NotFound", "InvalidGroupId.Malformed"):
            raise
        named = EksError(f"{where}: {e.message}", **e.kwargs)
        named.code, named.request_id = e.code, e.request_id
        raise named from None
    missing = [i for i in real if i not in found]
    if missing:
        raise EksError(f"{where}: security group {', '.join(missing)} not found")
    found.update({i: {"GroupId": i, "IpPermissions": []} for i in ids if is_pending(i)})
    return found


def current(ec2, desired, where="rules"):
    """The groups the ``desired`` rules are on, {group id: group}, every group they name read in one call
    (``read``)."""
    found = read(ec2, [r["group_id"] for r in desired] + [r["source_group_id"] for r in desired], where)
    return {r["group_id"]: found[r["group_id"]] for r in desired}


def settle(ec2, groups, changes, check_mode):
    """Make ``changes`` (not in check mode); the groups after them: read again once rules were added, else as
    predicted (nothing changed, or check mode)."""
    if changes and not check_mode:
        apply(ec2, changes)
        return {g["GroupId"]: g for g in api.describe_security_groups(ec2, list(groups))}
    return predict(groups, changes)


def diff_view(groups):
    """The groups as the diff shows them: by id."""
    return {x["group_id"]: x for x in view(groups)}


def apply(ec2, changes):
    for c in changes:
        try:
            api.authorize_security_group_ingress(ec2, c["params"]["GroupId"], c["params"]["IpPermissions"])
        except EksError as e:
            # A retried call whose first attempt went through (or another run adding the same rule at once).
            if error_code(e) != "InvalidPermission.Duplicate":
                raise


def ensure(module):
    desired = build_desired(module.params["rules"])
    ec2 = client(module, "ec2")
    groups = current(ec2, desired)
    changes = plan(groups, desired)
    after = settle(ec2, groups, changes, module.check_mode)
    return model.outcome(module, "security_groups", view(after), changes, before=groups, after=after, view=diff_view)
