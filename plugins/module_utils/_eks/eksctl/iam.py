# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iam: OIDC, the VPC resource controller policy, service accounts (IRSA), pod identity associations, the
Fargate pod execution role and permissions boundaries."""

from __future__ import annotations

import copy

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _enabled
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _given
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _sub_paths

# eksctl's wellKnownPolicies as the well-known controller names of eks_irsa (imageBuilder has none).
WELL_KNOWN_POLICIES = {
    "autoScaler": "cluster-autoscaler",
    "awsLoadBalancerController": "aws-load-balancer-controller",
    "externalDNS": "external-dns",
    "certManager": "cert-manager",
    "ebsCSIController": "ebs-csi",
    "efsCSIController": "efs-csi",
}

# The name of the inline policy a service account's attachPolicy becomes.
ATTACH_POLICY_NAME = "attachPolicy"
PERMISSION_POLICY_NAME = "permissionPolicy"
SERVICE_ACCOUNT_PATHS = {
    "name": "metadata.name",
    "namespace": "metadata.namespace",
    "managed_policy_arns": "attachPolicyARNs",
    "well_known_policies": "wellKnownPolicies",
    "inline_policies": "attachPolicy",
    "role_name": "roleName",
    "role_only": "roleOnly",
    "role_arn": "attachRoleARN",
    "permissions_boundary": "permissionsBoundary",
    "labels": "metadata.labels",
    "annotations": "metadata.annotations",
}
POD_IDENTITY_PATHS = {
    "namespace": "namespace",
    "service_account": "serviceAccountName",
    "role_arn": "roleARN",
    "role_name": "roleName",
    "managed_policy_arns": "permissionPolicyARNs",
    "well_known_policies": "wellKnownPolicies",
    "inline_policies": "permissionPolicy",
    "permissions_boundary": "permissionsBoundaryARN",
    "tags": "tags",
    "create_service_account": "createServiceAccount",
}


def _iam(iam):
    result = {
        "with_oidc": bool(iam.get("withOIDC")),
        "vpc_resource_controller_policy": iam.get("vpcResourceControllerPolicy") is not False,
    }
    accounts = []
    for _index, account in _indexed(iam.get("serviceAccounts")):
        meta = account.get("metadata") or {}
        item = {"namespace": meta.get("namespace") or "default", "name": meta.get("name")}
        _permissions(item, account, "attachPolicyARNs", "attachPolicy", ATTACH_POLICY_NAME)
        if account.get("roleName"):
            item["role_name"] = account["roleName"]
        if account.get("roleOnly"):
            item["role_only"] = True
        if account.get("attachRoleARN"):
            item["role_arn"] = account["attachRoleARN"]
        if account.get("permissionsBoundary"):
            item["permissions_boundary"] = account["permissionsBoundary"]
        # The ServiceAccount eksctl writes (unless roleOnly) carries the user's labels and annotations.
        for key in ("labels", "annotations"):
            if meta.get(key):
                item[key] = dict(meta[key])
        accounts.append(item)
    if accounts:
        result["service_accounts"] = accounts
    associations = [_pod_identity(a) for _index, a in _indexed(iam.get("podIdentityAssociations"))]
    if associations:
        result["pod_identity_associations"] = associations
    _given(result, iam, (
        ("fargatePodExecutionRoleARN", "fargate_pod_execution_role_arn"),
        ("fargatePodExecutionRolePermissionsBoundary", "fargate_pod_execution_role_permissions_boundary"),
        ("serviceRolePermissionsBoundary", "service_role_permissions_boundary"),
    ))  # fmt: skip
    return result


def _pod_identity(association, with_namespace=True):
    result = {}
    if with_namespace:
        result["namespace"] = association.get("namespace")
    result["service_account"] = association.get("serviceAccountName")
    _given(result, association, (("roleARN", "role_arn"), ("roleName", "role_name"),
                                 ("permissionsBoundaryARN", "permissions_boundary")))  # fmt: skip
    _permissions(result, association, "permissionPolicyARNs", "permissionPolicy", PERMISSION_POLICY_NAME)
    if association.get("tags"):
        result["tags"] = dict(association["tags"])
    if with_namespace and association.get("createServiceAccount"):
        result["create_service_account"] = True
    return result


def _permissions(item, source, arns_key, policy_key, policy_name):
    """The permissions of a role the collection makes (a service account's, a pod identity association's): managed
    policy ARNs, eksctl's well-known policies, an inline policy named ``policy_name``."""
    if _entries(source.get(arns_key)):
        item["managed_policy_arns"] = _entries(source[arns_key])
    policies = _enabled(source.get("wellKnownPolicies"), WELL_KNOWN_POLICIES)
    if policies:
        item["well_known_policies"] = policies
    if source.get(policy_key):
        item["inline_policies"] = {policy_name: copy.deepcopy(source[policy_key])}


def validate_service_accounts(cfg, problems):
    for index, account in _indexed((cfg.get("iam") or {}).get("serviceAccounts")):
        if not (account.get("metadata") or {}).get("name"):
            problems.append((f"iam.serviceAccounts[{index}].metadata.name", "is required"))


def validate_pod_identity_associations(cfg, problems):
    for index, association in _indexed((cfg.get("iam") or {}).get("podIdentityAssociations")):
        for key in ("namespace", "serviceAccountName"):
            if not association.get(key):
                problems.append((f"iam.podIdentityAssociations[{index}].{key}", "is required"))


def convert(cfg, result):
    result["iam"] = _iam(cfg.get("iam") or {})


def add_paths(cfg, result, paths):
    """The service accounts and the pod identity associations."""
    for position, (index, _account) in enumerate(_indexed((cfg.get("iam") or {}).get("serviceAccounts"))):
        base = f"iam.serviceAccounts[{index}]"
        paths[f"iam.service_accounts[{position}]"] = base
        for key, value in SERVICE_ACCOUNT_PATHS.items():
            paths[f"iam.service_accounts[{position}].{key}"] = f"{base}.{value}"
    for position, (index, _account) in enumerate(_indexed((cfg.get("iam") or {}).get("podIdentityAssociations"))):
        _sub_paths(paths, f"iam.pod_identity_associations[{position}]", f"iam.podIdentityAssociations[{index}]",
                   POD_IDENTITY_PATHS)  # fmt: skip
