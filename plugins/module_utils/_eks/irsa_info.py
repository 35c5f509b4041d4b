# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_irsa_info: the IAM roles for service accounts this collection made for a cluster."""

from __future__ import annotations

from . import api
from .common import client
from .iam_role import decode_document
from .iam_role import read_role
from .iam_role import statements_of
from .iam_role import tags_dict
from .irsa import TAG_CLUSTER
from .irsa import TAG_MODE
from .irsa import TAG_SERVICE_ACCOUNTS
from .irsa import decode_service_accounts
from .irsa import trusts_pod_identity
from .oidc_provider import ANY_OIDC_PROVIDER
from .oidc_provider import cluster_provider_arn
from .oidc_provider import trusts_provider


def roles_for_cluster(iam, cluster_name, provider_arn=None):
    """Roles this collection made for the cluster: candidates by trust (no tag read per role), then by tag."""
    found = []
    for role in api.list_roles(iam):
        statements = statements_of(decode_document(role.get("AssumeRolePolicyDocument")))
        if not any(trusts_provider(s, provider_arn) or trusts_pod_identity(s) for s in statements):
            continue
        tags = tags_dict(api.list_role_tags(iam, role["RoleName"]))
        if tags.get(TAG_CLUSTER) == cluster_name:
            found.append(role["RoleName"])
    return found


def describe_roles_for_cluster(module):
    """The roles, each with its mode and service accounts (from its tags); eks_irsa_info's result."""
    params = module.params
    eks = client(module, "eks")
    iam = client(module, "iam")
    # Without the cluster (already deleted), any OIDC provider may be the one: the tag decides.
    provider_arn = cluster_provider_arn(api.describe_cluster(eks, params["cluster_name"])) or ANY_OIDC_PROVIDER
    roles = []
    for name in sorted(roles_for_cluster(iam, params["cluster_name"], provider_arn)):
        if params.get("role_name") and name != params["role_name"]:
            continue
        role = read_role(iam, name)
        if role is None:
            continue
        role["mode"] = role["tags"].get(TAG_MODE, "irsa")
        role["service_accounts"] = [
            {"namespace": ns, "name": n} for ns, n in decode_service_accounts(role["tags"].get(TAG_SERVICE_ACCOUNTS))
        ]
        roles.append(role)
    return dict(changed=False, roles=roles)
