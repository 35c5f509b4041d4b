# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS access entries and their access policies: desired state (pure), comparison (pure), apply (api only)."""

from __future__ import annotations

import re

from . import api
from .change import apply
from .change import change
from .change import outcome
from .common import apply_tag_changes
from .common import client
from .common import described
from .common import tag_changes
from .common import to_ansible
from .errors import EksError

TYPES = ("STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX")
# The types whose Kubernetes groups and username EKS sets itself, and that take no access policy.
NODE_TYPES = tuple(t for t in TYPES if t != "STANDARD")
API_MODES = ("API", "API_AND_CONFIG_MAP")
PRINCIPAL_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(\d{12}):(role|user)/([\w+=,.@/-]+)$")
ACCESS_POLICY_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:eks::aws:cluster-access-policy/[A-Za-z0-9]+$")
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")
DIFF_KEYS = ("principal_arn", "type", "kubernetes_groups", "username", "access_policies", "tags")


# ---------------------------------------------------------------- desired state (pure)
def validate_principal(arn, field="principal_arn"):
    """The problem with an IAM principal ARN (an IAM role or user, as EKS takes), or None."""
    if not isinstance(arn, str) or not PRINCIPAL_RE.match(arn):
        return (
            f"{field}: {arn!r} is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME or "
            "arn:aws:iam::ACCOUNT:user/NAME)"
        )
    return None


def validate_access_policies(policies, entry_type, field="access_policies"):
    """Problems of the access policies: ARNs of EKS access policies, a scope of cluster or namespace."""
    problems = []
    if policies and entry_type != "STANDARD":
        problems.append(f"{field}: access policies are for STANDARD access entries only, not {entry_type}")
    seen = {}
    for index, policy in enumerate(policies or []):
        where = f"{field}[{index}]"
        arn = policy.get("policy_arn")
        if not isinstance(arn, str) or not ACCESS_POLICY_RE.match(arn):
            problems.append(
                f"{where}.policy_arn: {arn!r} is not an EKS access policy ARN "
                "(arn:aws:eks::aws:cluster-access-policy/NAME, for example AmazonEKSViewPolicy)"
            )
        elif arn in seen:
            problems.append(f"{where}.policy_arn: {arn} is already listed as {field}[{seen[arn]}]")
        else:
            seen[arn] = index
        scope = policy.get("access_scope") or {}
        scope_type = scope.get("type") or "cluster"
        namespaces = scope.get("namespaces") or []
        if scope_type not in ("cluster", "namespace"):
            problems.append(f"{where}.access_scope.type: must be cluster or namespace, not {scope_type!r}")
        elif scope_type == "namespace" and not namespaces:
            problems.append(f"{where}.access_scope.namespaces: a namespace scope needs at least one namespace")
        elif scope_type == "cluster" and namespaces:
            problems.append(f"{where}.access_scope.namespaces: a cluster scope takes no namespaces")
    return problems


def validate_params(params):
    """Every problem of the module's input, before any AWS call."""
    problems = []
    principal = validate_principal(params.get("principal_arn"))
    if principal:
        problems.append(principal)
    entry_type = params.get("type") or "STANDARD"
    if params.get("state", "present") == "present":
        groups = params.get("kubernetes_groups")
        if groups and entry_type in NODE_TYPES:
            problems.append(
                f"kubernetes_groups: EKS sets the groups of {entry_type} access entries (system:nodes); leave it unset"
            )
        if params.get("username") is not None and entry_type in NODE_TYPES:
            problems.append(f"username: EKS sets the username of {entry_type} access entries; leave it unset")
        for index, group in enumerate(groups or []):
            if str(group).startswith("system:"):
                problems.append(f"kubernetes_groups[{index}]: {group!r}: the system: prefix is reserved by Kubernetes")
        username = params.get("username")
        if username is not None and (not username or username.startswith(RESERVED_USERNAME_PREFIXES)):
            problems.append(
                f"username: {username!r} is empty or starts with a prefix EKS reserves "
                f"({', '.join(RESERVED_USERNAME_PREFIXES)})"
            )
        problems += validate_access_policies(params.get("access_policies"), entry_type)
    if problems:
        raise EksError(message="; ".join(problems), problems=problems)


def default_username(principal_arn, entry_type):
    """The username EKS gives an access entry created without one."""
    match = PRINCIPAL_RE.match(principal_arn)
    if entry_type in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX"):
        return "system:node:{{EC2PrivateDNSName}}"
    if entry_type == "FARGATE_LINUX":
        return "system:node:{{SessionName}}"
    if entry_type == "STANDARD" and match and match.group(3) == "role":
        partition = "aws" + (match.group(1) or "")
        return f"arn:{partition}:sts::{match.group(2)}:assumed-role/{match.group(4).split('/')[-1]}/{{{{SessionName}}}}"
    return principal_arn


def default_groups(entry_type):
    return ["system:nodes"] if entry_type in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX", "FARGATE_LINUX") else []


def policy_view(policy):
    """An access policy as the module takes and returns it: policy_arn and access_scope {type, namespaces}."""
    scope = policy.get("access_scope") or policy.get("accessScope") or {}
    return {
        "policy_arn": policy.get("policy_arn") or policy.get("policyArn"),
        "access_scope": {"type": scope.get("type") or "cluster", "namespaces": sorted(scope.get("namespaces") or [])},
    }


def normalize(entry, policies):
    """An access entry with its access policies as the modules return it (snake_case, lists sorted)."""
    if not entry:
        return {}
    out = to_ansible({k: v for k, v in entry.items() if k not in ("kubernetesGroups", "tags")})
    out["kubernetes_groups"] = sorted(entry.get("kubernetesGroups") or [])
    out["tags"] = dict(entry.get("tags") or {})
    out["access_policies"] = sorted((policy_view(p) for p in policies or []), key=lambda p: p["policy_arn"])
    return out


def compare(current, params):
    """The changes from the normalized ``current`` entry to the module's params (options left unset are not
    compared). Immutable attributes that differ raise before any call."""
    entry_type = params.get("type") or "STANDARD"
    if current.get("type") and current["type"] != entry_type:
        raise EksError(
            message=(
                f"type: the access entry of {params['principal_arn']} is {current['type']}, not {entry_type}; EKS "
                "cannot change the type of an access entry: delete it (state=absent) and create it again"
            )
        )
    changes = {}
    groups = params.get("kubernetes_groups")
    if groups is not None and sorted(set(groups)) != current.get("kubernetes_groups", []):
        changes["kubernetes_groups"] = sorted(set(groups))
    if params.get("username") is not None and params["username"] != current.get("username"):
        changes["username"] = params["username"]
    policies = params.get("access_policies")
    associate, disassociate = [], []
    if policies is not None:
        wanted = {p["policy_arn"]: p for p in (policy_view(p) for p in policies)}
        have = {p["policy_arn"]: p for p in current.get("access_policies") or []}
        associate = [wanted[arn] for arn in sorted(wanted) if have.get(arn) != wanted[arn]]
        disassociate = sorted(arn for arn in have if arn not in wanted)
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    return changes, associate, disassociate, to_set, to_remove


def plan(current, params):
    """The change records that bring the normalized ``current`` entry (``{}`` when there is none) to the module's
    params: create or update, associate / disassociate each access policy, tag / untag (pure)."""
    cluster_name, principal = params["cluster_name"], params["principal_arn"]
    what = f"access entry {principal}"
    if params.get("state", "present") == "absent":
        if not current:
            return []
        return [change(what, "delete", "state=absent", "delete_access_entry",
                       dict(clusterName=cluster_name, principalArn=principal))]  # fmt: skip
    updates, associate, disassociate, to_set, to_remove = compare(current, params)
    records = []
    if not current:
        create = dict(clusterName=cluster_name, principalArn=principal, type=params.get("type") or "STANDARD")
        if params.get("kubernetes_groups"):
            create["kubernetesGroups"] = sorted(set(params["kubernetes_groups"]))
        if params.get("username") is not None:
            create["username"] = params["username"]
        if params.get("tags"):
            create["tags"] = params["tags"]
        records.append(change(what, "create", "not found", "create_access_entry", create))
    elif updates:
        update = dict(clusterName=cluster_name, principalArn=principal)
        if "kubernetes_groups" in updates:
            update["kubernetesGroups"] = updates["kubernetes_groups"]
        if "username" in updates:
            update["username"] = updates["username"]
        why = ", ".join(f"{key}: {current.get(key)} -> {value}" for key, value in sorted(updates.items()))
        records.append(change(what, "update", why, "update_access_entry", update, updates=updates))
    if current and to_remove:
        records.append(change(what, "untag", ", ".join(sorted(to_remove)), "untag_resource",
                              dict(resourceArn=current["access_entry_arn"], tagKeys=sorted(to_remove))))  # fmt: skip
    if current and to_set:
        records.append(change(what, "tag", ", ".join(sorted(to_set)), "tag_resource",
                              dict(resourceArn=current["access_entry_arn"], tags=to_set)))  # fmt: skip
    for arn in disassociate:
        records.append(change(what, "disassociate", arn, "disassociate_access_policy",
                              dict(clusterName=cluster_name, principalArn=principal, policyArn=arn)))  # fmt: skip
    for policy in associate:
        records.append(
            change(what, "associate", f"{policy['policy_arn']} ({policy['access_scope']['type']} scope)",
                   "associate_access_policy",
                   dict(clusterName=cluster_name, principalArn=principal, policyArn=policy["policy_arn"],
                        accessScope=_scope_param(policy["access_scope"])),
                   policy=policy)  # fmt: skip
        )
    return records


def predict(current, params, changes):
    """The entry as it will be after the changes (check mode), from ``current`` (normalized) or from nothing."""
    if any(c["action"] == "delete" for c in changes):
        return {}
    entry_type = params.get("type") or "STANDARD"
    if current:
        out = dict(current)
    else:
        out = {
            "cluster_name": params["cluster_name"],
            "principal_arn": params["principal_arn"],
            "type": entry_type,
            "kubernetes_groups": sorted(set(params.get("kubernetes_groups") or default_groups(entry_type))),
            "username": params.get("username") or default_username(params["principal_arn"], entry_type),
            "access_policies": [],
            "tags": dict(params.get("tags") or {}),
        }
    policies = {p["policy_arn"]: p for p in out.get("access_policies") or []}
    for record in changes:
        action = record["action"]
        if action == "update":
            out.update(record["updates"])
        elif action == "tag":
            out["tags"] = apply_tag_changes(out.get("tags"), record["params"]["tags"], [])
        elif action == "untag":
            out["tags"] = apply_tag_changes(out.get("tags"), {}, record["params"]["tagKeys"])
        elif action == "disassociate":
            policies.pop(record["params"]["policyArn"], None)
        elif action == "associate":
            policies[record["policy"]["policy_arn"]] = record["policy"]
    out["access_policies"] = [policies[arn] for arn in sorted(policies)]
    return out


def diff_view(entry):
    return {key: entry.get(key) for key in DIFF_KEYS} if entry else {}


# ---------------------------------------------------------------- apply (api only)
def check_cluster(eks, cluster_name):
    """The cluster, which must exist and let access entries be used (authentication mode API or API_AND_CONFIG_MAP)."""
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(message=f"Cluster {cluster_name} does not exist")
    mode = (cluster.get("accessConfig") or {}).get("authenticationMode") or "CONFIG_MAP"
    if mode not in API_MODES:
        raise EksError(
            message=(
                f"Cluster {cluster_name} has the authentication mode {mode}: access entries need API or "
                "API_AND_CONFIG_MAP (eks_cluster access_config.authentication_mode, the definition's "
                "access.authentication_mode)"
            )
        )
    return cluster


def describe_normalized(eks, cluster_name, principal_arn):
    entry = api.describe_access_entry(eks, cluster_name, principal_arn)
    if not entry:
        return {}
    return normalize(entry, api.list_associated_access_policies(eks, cluster_name, principal_arn))


def _scope_param(scope):
    out = {"type": scope["type"]}
    if scope["type"] == "namespace":
        out["namespaces"] = list(scope["namespaces"])
    return out


def _apply(eks, record):
    params = record["params"]
    call = record["call"]
    if call == "tag_resource":
        return api.tag_resource(eks, params["resourceArn"], params["tags"])
    if call == "untag_resource":
        return api.untag_resource(eks, params["resourceArn"], params["tagKeys"])
    if call == "delete_access_entry":
        return api.delete_access_entry(eks, params["clusterName"], params["principalArn"])
    if call == "disassociate_access_policy":
        return api.disassociate_access_policy(eks, params["clusterName"], params["principalArn"], params["policyArn"])
    return getattr(api, call)(eks, **params)


def ensure_access_entry(module):
    p = module.params
    validate_params(p)
    eks = client(module, "eks")
    cluster_name, principal = p["cluster_name"], p["principal_arn"]
    check_cluster(eks, cluster_name)
    current = describe_normalized(eks, cluster_name, principal)
    changes = plan(current, p)
    if module.check_mode or not changes:
        resource = predict(current, p, changes)
    else:
        apply(changes, lambda record: _apply(eks, record))
        resource = {} if p["state"] == "absent" else describe_normalized(eks, cluster_name, principal)
    return outcome(module, "access_entry", resource, changes, before=current, view=diff_view)


def access_entry_info(module):
    p = module.params
    eks = client(module, "eks")
    cluster_name = p["cluster_name"]
    check_cluster(eks, cluster_name)
    entries = described(p.get("principal_arn"), lambda: api.list_access_entries(eks, cluster_name),
                        lambda arn: describe_normalized(eks, cluster_name, arn))  # fmt: skip
    return dict(changed=False, access_entries=entries)
