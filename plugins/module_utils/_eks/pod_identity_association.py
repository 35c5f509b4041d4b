# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One EKS Pod Identity association with a role of the user's own (eksctl ``iam.podIdentityAssociations[].roleARN``):
the collection makes no role, it associates the service account with the role given.

On the change model (``change.py``): ``build_desired`` (pure), ``read`` (calls ``api`` only), ``plan`` (the
association's records from ``irsa.compare_associations``, then its tags; pure), ``predict``, ``apply``
(``irsa.apply`` for the association, then the tags)."""

from __future__ import annotations

import copy

from . import api
from .change import change
from .change import outcome
from .errors import EksError
from .irsa import compare_associations
from .irsa import read_associations
from .irsa import apply as apply_associations

ROLE_ARN_PREFIX = "arn:aws"


def build_desired(params):
    problems = []
    role_arn = params.get("role_arn")
    if params["state"] == "present":
        if not role_arn:
            problems.append("role_arn: required with state present")
        elif not str(role_arn).startswith(ROLE_ARN_PREFIX) or ":role/" not in str(role_arn):
            problems.append(f"role_arn: {role_arn!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    if problems:
        raise EksError(message="; ".join(problems))
    return {
        "cluster_name": params["cluster_name"],
        "pair": (params["namespace"], params["service_account"]),
        "role_arn": role_arn,
        "tags": None if params.get("tags") is None else {str(k): str(v) for k, v in params["tags"].items()},
        "purge_tags": params.get("purge_tags", True) is not False,
        "state": params["state"],
    }


def plan(current, desired):
    """Records taking ``current`` (the association found, or None) to ``desired`` (pure)."""
    cluster, (namespace, name) = desired["cluster_name"], desired["pair"]
    found = {desired["pair"]: current} if current else {}
    if desired["state"] == "absent":
        if current is None:
            return []
        return compare_associations(found, [], [desired["pair"]], current.get("roleArn"), cluster)
    records = compare_associations(found, [desired["pair"]], [], desired["role_arn"], cluster)
    if current is None:
        if desired["tags"]:
            records[0]["params"]["tags"] = dict(desired["tags"])
        return records
    if desired["tags"] is not None:
        have = current.get("tags") or {}
        to_set = {k: v for k, v in desired["tags"].items() if have.get(k) != v}
        remove = sorted(k for k in have if k not in desired["tags"] and not k.startswith("aws:"))
        resource = f"pod identity association {cluster} {namespace}/{name}"
        arn = current.get("associationArn")
        if to_set:
            records.append(change(resource, "tag", f"tags {', '.join(sorted(to_set))}", "tag_resource",
                                  {"arn": arn, "tags": to_set}))  # fmt: skip
        if remove and desired["purge_tags"]:
            records.append(change(resource, "untag", f"tags {', '.join(remove)} removed", "untag_resource",
                                  {"arn": arn, "keys": remove}))  # fmt: skip
    return records


def predict(current, desired, records):
    """The association once ``records`` are made (None once deleted); check mode's answer."""
    out = copy.deepcopy(current)
    for record in records:
        action = record["action"]
        if action == "create_association":
            out = {"clusterName": desired["cluster_name"], "namespace": desired["pair"][0],
                   "serviceAccount": desired["pair"][1], "roleArn": desired["role_arn"],
                   "tags": dict(record["params"].get("tags") or {})}  # fmt: skip
        elif action == "update_association":
            out["roleArn"] = record["role_arn"]
        elif action == "delete_association":
            out = None
        elif action == "tag":
            out["tags"] = dict(out.get("tags") or {}, **record["params"]["tags"])
        elif action == "untag":
            out["tags"] = {k: v for k, v in (out.get("tags") or {}).items() if k not in record["params"]["keys"]}
    return out


def view(association):
    if not association:
        return {}
    return {
        "cluster_name": association.get("clusterName"),
        "namespace": association.get("namespace"),
        "service_account": association.get("serviceAccount"),
        "role_arn": association.get("roleArn"),
        "association_id": association.get("associationId"),
        "association_arn": association.get("associationArn"),
        "tags": dict(sorted((association.get("tags") or {}).items())),
    }


def ensure(module):
    from .common import client  # here: keeps the pure part of this file importable without Ansible

    desired = build_desired(module.params)
    eks = client(module, "eks")
    if api.describe_cluster(eks, desired["cluster_name"]) is None:
        if desired["state"] == "absent":  # its associations went with it
            return outcome(module, "association", {}, [], before={}, after={})
        raise EksError(message=f"cluster_name: cluster {desired['cluster_name']} was not found")
    current = read_associations(eks, desired["cluster_name"], [desired["pair"]]).get(desired["pair"])
    if current is not None and current.get("ownerArn"):
        raise EksError(
            message=f"{desired['pair'][0]}/{desired['pair'][1]}: its pod identity association belongs to the add-on"
            f" {current['ownerArn']}: change it through the add-on's pod_identity_associations"
        )
    records = plan(current, desired)
    after = predict(current, desired, records)
    if records and not module.check_mode:
        apply_associations(None, eks, None, [r for r in records if r["action"] not in ("tag", "untag")])
        for record in records:
            if record["action"] == "tag":
                api.tag_resource(eks, record["params"]["arn"], record["params"]["tags"])
            elif record["action"] == "untag":
                api.untag_resource(eks, record["params"]["arn"], record["params"]["keys"])
        if desired["state"] == "present":
            after = read_associations(eks, desired["cluster_name"], [desired["pair"]]).get(desired["pair"])
    return outcome(module, "association", view(after), records, before=view(current), after=view(after))
