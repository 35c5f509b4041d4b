# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's access entries, checked as EKS checks them."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _required
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _strings
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref

PRINCIPAL_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:(role|user)/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$"
)
ACCESS_POLICY_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:eks::aws:cluster-access-policy/[A-Za-z0-9]+$")
ACCESS_ENTRY_TYPES = ["STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX"]
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")


def _access_entry(entry, field):
    """An access entry (eks_access_entry's options), checked as EKS checks it."""
    entry = _section(entry, field, "access_entry")
    principal = _required(
        entry.get("principal_arn"),
        f"{field}.principal_arn",
        PRINCIPAL_ARN_RE,
        "is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME)",
    )
    entry_type = _choice(str(entry.get("type") or "STANDARD").upper(), f"{field}.type", ACCESS_ENTRY_TYPES)
    groups = _strings(entry.get("kubernetes_groups"), f"{field}.kubernetes_groups")
    username = entry.get("username") or None
    if entry_type != "STANDARD":
        if groups:
            _fail(f"{field}.kubernetes_groups", f"EKS sets the groups of {entry_type} access entries: leave it out")
        if username:
            _fail(f"{field}.username", f"EKS sets the username of {entry_type} access entries: leave it out")
    for index, group in enumerate(groups):
        if group.startswith("system:"):
            _fail(f"{field}.kubernetes_groups[{index}]", f"{group!r}: the system: prefix is reserved by Kubernetes")
    if username is not None and str(username).startswith(RESERVED_USERNAME_PREFIXES):
        _fail(
            f"{field}.username",
            f"{username!r} starts with a prefix EKS reserves ({', '.join(RESERVED_USERNAME_PREFIXES)})",
        )
    policies = []
    seen = {}
    for index, policy in enumerate(_list(entry.get("access_policies"), f"{field}.access_policies")):
        where = f"{field}.access_policies[{index}]"
        policy = _section(policy, where, "access_policy")
        if entry_type != "STANDARD":
            _fail(where, f"access policies are for STANDARD access entries only, not {entry_type}")
        arn = _required(
            policy.get("policy_arn"),
            f"{where}.policy_arn",
            ACCESS_POLICY_ARN_RE,
            "is not an EKS access policy ARN (arn:aws:eks::aws:cluster-access-policy/NAME, for example "
            "AmazonEKSClusterAdminPolicy)",
        )
        if arn in seen:
            _fail(f"{where}.policy_arn", f"{arn} is already listed as {ref(f'{field}.access_policies[{seen[arn]}]')}")
        seen[arn] = index
        scope = _section(policy.get("access_scope"), f"{where}.access_scope", "access_scope")
        scope_type = _choice(str(scope.get("type") or "cluster").lower(), f"{where}.access_scope.type",
                             ["cluster", "namespace"])  # fmt: skip
        namespaces = _strings(scope.get("namespaces"), f"{where}.access_scope.namespaces")
        if scope_type == "namespace" and not namespaces:
            _fail(f"{where}.access_scope.namespaces", "a namespace scope needs at least one namespace")
        if scope_type == "cluster" and namespaces:
            _fail(f"{where}.access_scope.namespaces", "a cluster scope takes no namespaces (use type namespace)")
        policies.append({"policy_arn": str(arn), "access_scope": {"type": scope_type, "namespaces": namespaces}})
    return {
        "principal_arn": str(principal),
        "type": entry_type,
        "kubernetes_groups": groups,
        "username": username,
        "access_policies": policies,
        "tags": _tags(entry.get("tags"), f"{field}.tags"),
    }
