# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's IAM parts: policy and role ARNs, well-known controller policies, IRSA service accounts,
pod identity associations."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.irsa import default_role_name
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import ROLE_ARN_ANNOTATION
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import metadata_problems

POLICY_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$"
)
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
WELL_KNOWN_POLICIES = [
    "vpc-cni", "vpc-cni-ipv6", "ebs-csi", "efs-csi", "aws-load-balancer-controller", "cluster-autoscaler",
    "external-dns", "cert-manager",
]  # fmt: skip


def _well_known(value, field):
    """A list of aews.eks.eks_irsa controller names; a dict of name: bool is accepted too."""
    if isinstance(value, dict):
        value = [key for key, enabled in value.items() if _bool(enabled, f"{field}.{key}", False)]
    names = _list(value, field)
    for name in names:
        _choice(name, field, WELL_KNOWN_POLICIES)
    return names


def _policy_arns(value, field):
    arns = [str(a) for a in _list(value, field)]
    for index, arn in enumerate(arns):
        if not POLICY_ARN_RE.match(arn):
            _fail(
                f"{field}[{index}]",
                f"{arn!r} is not an IAM policy ARN: write arn:aws:iam::aws:policy/NAME for an AWS managed policy or "
                "arn:aws:iam::ACCOUNT:policy/NAME for your own",
            )
    return arns


def _metadata(sa, field, role_arn=None):
    """The ServiceAccount's labels and annotations (dicts of strings), as the Kubernetes API takes them; an
    ``eks.amazonaws.com/role-arn`` annotation only naming the service account's role (``role_arn``)."""
    labels = None if sa.get("labels") is None else _dict(sa.get("labels"), f"{field}.labels")
    annotations = None if sa.get("annotations") is None else _dict(sa.get("annotations"), f"{field}.annotations")
    problems = metadata_problems(labels, annotations, field, "irsa", role_arn)
    if problems:
        _fail(*problems[0])
    return labels or {}, annotations or {}


def _service_account(sa, field, cluster_name=None):
    sa = _section(sa, field, "service_account")
    for key in ("namespace", "name"):
        if not sa.get(key):
            _fail(f"{field}.{key}", "is required")
    role_name = _role_name(sa.get("role_name"), f"{field}.role_name")
    out = {
        "namespace": sa["namespace"],
        "name": sa["name"],
        "managed_policy_arns": _policy_arns(sa.get("managed_policy_arns"), f"{field}.managed_policy_arns"),
        "well_known_policies": _well_known(sa.get("well_known_policies"), f"{field}.well_known_policies"),
        "inline_policies": _dict(sa.get("inline_policies"), f"{field}.inline_policies"),
        "role_name": role_name,
        "role_only": _bool(sa.get("role_only"), f"{field}.role_only", False),
        "role_arn": _role_arn(sa.get("role_arn"), f"{field}.role_arn"),
        "permissions_boundary": _boundary(sa.get("permissions_boundary"), f"{field}.permissions_boundary"),
    }
    # The ServiceAccount (unless role_only): the role it is annotated with, the collection's or your own.
    name = role_name or (cluster_name and default_role_name(cluster_name, [(str(sa["namespace"]), str(sa["name"]))]))
    given = (sa.get("annotations") or {}).get(ROLE_ARN_ANNOTATION) if isinstance(sa.get("annotations"), dict) else None
    if not out["role_arn"] and name and isinstance(given, str) and given.split("/")[-1] != name:
        _fail(f"{field}.annotations.{ROLE_ARN_ANNOTATION}",
              f"{given!r} contradicts the role the collection makes for it ({name}) and annotates it with: remove it")
    out["labels"], out["annotations"] = _metadata(sa, field, out["role_arn"])
    if out["role_arn"]:
        # A role of your own: the collection makes none, so nothing may describe one.
        for key in (
            "managed_policy_arns",
            "well_known_policies",
            "inline_policies",
            "role_name",
            "permissions_boundary",
        ):
            if out[key]:
                _fail(f"{field}.{key}", f"describes the role the collection makes; {ref(f'{field}.role_arn')} names a "
                                        "role of your own: remove one")  # fmt: skip
    return out


def _arn(value, field, pattern, what):
    """An optional ARN: None when unset, else the ARN ``pattern`` matches (``what`` names it in the problem)."""
    if value is None or value == "":
        return None
    if not pattern.match(str(value)):
        _fail(field, f"{value!r} is not {what}")
    return str(value)


def _role_name(value, field):
    """An optional IAM role name: None when unset."""
    role_name = value or None
    if role_name is not None and not ROLE_NAME_RE.match(str(role_name)):
        _fail(field, f"{role_name!r} must be at most 64 letters, digits and +=,.@_-")
    return role_name


def _role_arn(value, field):
    return _arn(value, field, ROLE_ARN_RE, "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")


def _boundary(value, field):
    return _arn(value, field, POLICY_ARN_RE, "an IAM policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")


def _pod_identity(assoc, field, section):
    """A pod identity association: the role given (add-ons only) or the permissions of the role to make."""
    assoc = _section(assoc, field, section)
    keys = ["service_account"] if section == "addon_pod_identity_association" else ["namespace", "service_account"]
    for key in keys:
        if not assoc.get(key):
            _fail(f"{field}.{key}", "is required")
    role_name = _role_name(assoc.get("role_name"), f"{field}.role_name")
    out = {
        "service_account": str(assoc["service_account"]),
        "role_arn": _role_arn(assoc.get("role_arn"), f"{field}.role_arn"),
        "role_name": role_name,
        "managed_policy_arns": _policy_arns(assoc.get("managed_policy_arns"), f"{field}.managed_policy_arns"),
        "well_known_policies": _well_known(assoc.get("well_known_policies"), f"{field}.well_known_policies"),
        "inline_policies": _dict(assoc.get("inline_policies"), f"{field}.inline_policies"),
        "permissions_boundary": _boundary(assoc.get("permissions_boundary"), f"{field}.permissions_boundary"),
        "tags": _tags(assoc.get("tags"), f"{field}.tags", extra=1),
    }
    if "namespace" in keys:
        out = dict(namespace=str(assoc["namespace"]), **out)
        # eksctl's createServiceAccount: the addons role writes the ServiceAccount (no annotation) when asked to.
        out["create_service_account"] = _bool(
            assoc.get("create_service_account"), f"{field}.create_service_account", False
        )
    permissions = out["managed_policy_arns"] or out["well_known_policies"] or out["inline_policies"]
    if out["role_arn"]:
        extra = [k for k in ("role_name", "managed_policy_arns", "well_known_policies", "inline_policies",
                             "permissions_boundary") if out[k]]  # fmt: skip
        if extra:
            _fail(
                f"{field}.{extra[0]}",
                f"is for the role the collection makes; {ref(f'{field}.role_arn')} names a role of your own",
            )
    elif not permissions:
        _fail(
            field,
            "names no role and no permissions: give role_arn, or managed_policy_arns, well_known_policies or "
            "inline_policies for the role the collection makes",
        )
    return out
