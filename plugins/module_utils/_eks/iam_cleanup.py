# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown of the IAM roles a cluster owns: candidates by name, kept only when their own tags name the cluster.

``select`` and ``plan`` are pure (unit-tested): the roles to delete, then a change record (``change``) for each;
``ensure`` reads, deletes through ``api`` only and returns the outcome.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from . import api
from .change import change
from .change import outcome
from .errors import EksError
from .vocabulary import OWNER_TAG


def trusts_oidc_provider(role):
    """Whether the role's trust policy names an IAM OpenID Connect provider (an IRSA role)."""
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:
            return "oidc-provider" in document
    return "oidc-provider/" in json.dumps(document)


def trusts_pod_identity(role):
    """Whether the role's trust policy names EKS Pod Identity (``pods.eks.amazonaws.com``)."""
    document = role.get("AssumeRolePolicyDocument") or {}
    text = unquote(document) if isinstance(document, str) else json.dumps(document)
    return "pods.eks.amazonaws.com" in text


def candidates(roles, cluster, name_regex=None, names=(), service_account_roles=False):
    """Roles named like the cluster's (``name_regex``, by default "CLUSTER-...") or named in ``names``; with
    ``service_account_roles``, also every role whose trust names an OIDC provider or EKS Pod Identity (the roles
    eks_irsa makes, whatever their names)."""
    pattern = re.compile(name_regex if name_regex else "^" + re.escape(cluster + "-"))
    wanted = set(names or ())
    return [
        r
        for r in roles
        if pattern.search(r["RoleName"])
        or r["RoleName"] in wanted
        or (service_account_roles and (trusts_oidc_provider(r) or trusts_pod_identity(r)))
    ]


def select(roles, tags, cluster, trusting_oidc=None):
    """(to delete, look-alikes kept): a role goes only when its tags carry ``aews.eks/cluster-name: cluster``.

    ``tags``: role name -> {key: value}. ``trusting_oidc`` True keeps only IRSA roles, False only the others.
    """
    chosen, kept = [], []
    for role in roles:
        if trusting_oidc is not None and trusts_oidc_provider(role) != trusting_oidc:
            continue
        (chosen if tags.get(role["RoleName"], {}).get(OWNER_TAG) == cluster else kept).append(role)
    return chosen, kept


def plan(chosen, cluster):
    """A delete record for each role of ``chosen`` (pure)."""
    return [
        change(f"IAM role {r['RoleName']}", "delete", f"tagged {OWNER_TAG}: {cluster}", "delete_role",
               {"RoleName": r["RoleName"]}, name=r["RoleName"])  # fmt: skip
        for r in chosen
    ]


def delete_role(iam, name):
    """Take the role out of its instance profiles, drop its policies, delete it."""
    for profile in api.list_instance_profiles_for_role(iam, name):
        api.remove_role_from_instance_profile(iam, profile["InstanceProfileName"], name)
    for policy in api.list_attached_role_policies(iam, name):
        api.detach_role_policy(iam, name, policy["PolicyArn"])
    for policy_name in api.list_role_policies(iam, name):
        api.delete_role_policy(iam, name, policy_name)
    api.delete_role(iam, name)


def apply(iam, changes):
    """Delete each role of ``changes``; (the records made, [{name, reason}] of the roles that could not be)."""
    made, failed = [], []
    for record in changes:
        try:
            delete_role(iam, record["name"])
        except EksError as e:
            failed.append({"name": record["name"], "reason": str(e)})
            continue
        made.append(record)
    return made, failed


def ensure(module):
    """eks_iam_role_cleanup: delete the roles the cluster owns; the outcome (``deleted``, ``kept``, ``failed``)."""
    from .common import client  # here: keeps the pure part of this file importable without Ansible

    params = module.params
    cluster = params["cluster_name"]
    iam = client(module, "iam")
    found = candidates(api.list_roles(iam), cluster, params["name_regex"], params["names"],
                       params.get("service_account_roles"))  # fmt: skip
    tags = {r["RoleName"]: {t["Key"]: t["Value"] for t in api.list_role_tags(iam, r["RoleName"])} for r in found}
    chosen, kept = select(found, tags, cluster, params["trusting_oidc"])
    changes = plan(chosen, cluster)
    failed = []
    if not module.check_mode:
        changes, failed = apply(iam, changes)
    deleted = [c["name"] for c in changes]
    provider = None
    if params["oidc_provider"]:
        provider, provider_changes = delete_provider(iam, cluster, module.check_mode, failed)
        changes = changes + provider_changes
    before = {"roles": sorted(r["RoleName"] for r in chosen)}
    after = {"roles": [n for n in before["roles"] if n not in deleted]}
    result = outcome(module, "deleted", deleted, changes, before=before, after=after,
                     kept=[r["RoleName"] for r in kept], failed=failed, oidc_provider=provider)  # fmt: skip
    if failed:
        lines = "; ".join(f"{f['name']}: {f['reason']}" for f in failed)
        raise EksError(f"These IAM resources of cluster {cluster} could not be deleted: {lines}", **result)
    return result


def delete_provider(iam, cluster, check_mode, failed):
    """The cluster's OpenID Connect provider, found by its ownership tag, deleted unless a role this collection
    made still trusts it (then added to ``failed``): (its ARN when deleted or to be, its change records)."""
    from . import oidc_provider  # here, as client in ensure: the pure part of this file imports without Ansible

    arn = oidc_provider._find_provider_by_tag(iam, cluster)  # pylint: disable=protected-access
    current = oidc_provider.read_provider(iam, arn) if arn else None
    if current is None:
        return None, []
    trusting = oidc_provider.roles_trusting_provider(iam, arn)
    if trusting:
        reason = f"still trusted by roles made by this collection: {', '.join(sorted(trusting))}"
        failed.append({"name": arn, "reason": reason})
        return None, []
    changes = oidc_provider.plan_delete(current)
    if not check_mode:
        oidc_provider.apply(iam, arn, changes)
    return arn, changes
