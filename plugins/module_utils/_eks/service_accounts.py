# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes ServiceAccounts as eksctl writes them (pure): the manifests of IRSA and EKS Pod Identity service
accounts, the user's labels and annotations checked as the Kubernetes API checks them, and the manifests of a whole
cluster definition (filter ``aews.eks.service_account_manifests``, the addons role).

eksctl (``kubernetes.MaybeCreateServiceAccountOrUpdateMetadata``) creates the namespace when it is missing, then the
ServiceAccount with the user's ``metadata.labels`` / ``metadata.annotations`` and its label
``app.kubernetes.io/managed-by``; an IRSA one also carries ``eks.amazonaws.com/role-arn``. An existing ServiceAccount
gets those keys added or overwritten, its other keys kept: what a merge patch of these manifests does.
"""

from __future__ import annotations

import re

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "aews.eks"
# Namespaces every cluster has: no Namespace manifest is written for them.
BUILT_IN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

# Kubernetes' validation (apimachinery IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain, ValidateAnnotations).
NAME_MAX = 63
PREFIX_MAX = 253
ANNOTATIONS_MAX_BYTES = 256 * 1024
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_NAME_RULE = "1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"


def _key_problem(key):
    """Why ``key`` is not a qualified name (``[prefix/]name``), or None."""
    if not isinstance(key, str) or not key:
        return "a key must be a non-empty string"
    prefix, name = key.rpartition("/")[0], key.rpartition("/")[2]
    if "/" in key and not prefix:
        return f"key {key!r}: the prefix before '/' is empty"
    if prefix and (len(prefix) > PREFIX_MAX or not _PREFIX.match(prefix)):
        return (f"key {key!r}: the prefix {prefix!r} must be a DNS subdomain (lowercase letters, digits, '-' and '.', "
                f"at most {PREFIX_MAX} characters)")  # fmt: skip
    if len(name) > NAME_MAX or not _NAME.match(name):
        return f"key {key!r}: the name {name!r} must be {_NAME_RULE}"
    return None


def metadata_problems(labels, annotations, field, mode="irsa", role_arn=None):
    """Every problem of a ServiceAccount's ``labels`` and ``annotations`` (dicts of strings, or None), each as
    ``(path, problem)`` under ``field`` (``service_accounts[0]``): keys and label values as Kubernetes takes them,
    values strings, the collection's own label left to it, and an ``eks.amazonaws.com/role-arn`` annotation only
    when it names the role (``role_arn``; None: not known yet) in ``irsa`` mode (pod identity needs none)."""
    problems = []
    for kind, values in (("labels", labels), ("annotations", annotations)):
        if values is None:
            continue
        path = f"{field}.{kind}"
        if not isinstance(values, dict):
            problems.append((path, f"must be a mapping of strings, not {type(values).__name__}"))
            continue
        for key, value in values.items():
            problem = _key_problem(key)
            if problem:
                problems.append((path, problem))
                continue
            if not isinstance(value, str):
                problems.append((f"{path}.{key}", f"must be a string, not {type(value).__name__} {value!r} (quote it)"))
                continue
            if kind == "labels":
                if value and (len(value) > NAME_MAX or not _NAME.match(value)):
                    problems.append((f"{path}.{key}", f"{value!r}: a label value must be empty or {_NAME_RULE}"))
                elif key == MANAGED_BY_LABEL and value != MANAGED_BY:
                    problems.append((f"{path}.{key}", f"is the collection's own label ({MANAGED_BY}): remove it"))
            elif key == ROLE_ARN_ANNOTATION:
                if mode != "irsa":
                    problems.append((f"{path}.{key}", "would point the pods at an IRSA role; EKS Pod Identity needs "
                                                      "no annotation: remove it"))  # fmt: skip
                elif role_arn is not None and value != role_arn:
                    problems.append((f"{path}.{key}", f"{value!r} contradicts the service account's role {role_arn}, "
                                                      "which the collection annotates: remove it"))  # fmt: skip
        if kind == "annotations" and isinstance(values, dict):
            size = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in values.items())
            if size > ANNOTATIONS_MAX_BYTES:
                problems.append((path, f"{size} bytes in all, above Kubernetes' {ANNOTATIONS_MAX_BYTES}"))
    return problems


def service_account_manifest(namespace, name, role_arn=None, labels=None, annotations=None):
    """The ServiceAccount ``namespace/name``: the user's labels with the collection's, the user's annotations with
    ``eks.amazonaws.com/role-arn`` when ``role_arn`` (IRSA) is given."""
    merged_labels = dict(labels or {})
    merged_labels[MANAGED_BY_LABEL] = MANAGED_BY
    metadata = {"name": name, "namespace": namespace, "labels": merged_labels}
    merged_annotations = dict(annotations or {})
    if role_arn:
        merged_annotations[ROLE_ARN_ANNOTATION] = role_arn
    if merged_annotations:
        metadata["annotations"] = merged_annotations
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}


def namespace_manifest(namespace):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}


def namespace_manifests(manifests):
    """The Namespaces the ServiceAccounts ``manifests`` are in, but those every cluster has, in order."""
    names = []
    for manifest in manifests:
        namespace = manifest["metadata"]["namespace"]
        if namespace not in BUILT_IN_NAMESPACES and namespace not in names:
            names.append(namespace)
    return [namespace_manifest(n) for n in names]


def definition_manifests(definition, role_arns=None):
    """The ServiceAccounts a normalized cluster definition asks for, as eksctl writes them: every
    ``iam.service_accounts`` entry but the role-only ones (annotated with its role: ``role_arns["NS/NAME"]``, else its
    ``role_arn``), then every ``iam.pod_identity_associations`` entry with ``create_service_account`` (no annotation).
    A service account listed in both is written once (the IRSA one)."""
    role_arns = role_arns or {}
    iam = definition.get("iam") or {}
    manifests, seen = [], set()
    for account in iam.get("service_accounts") or []:
        if account.get("role_only"):
            continue
        key = f"{account['namespace']}/{account['name']}"
        arn = role_arns.get(key) or account.get("role_arn")
        manifests.append(service_account_manifest(account["namespace"], account["name"], arn,
                                                  account.get("labels"), account.get("annotations")))  # fmt: skip
        seen.add(key)
    for association in iam.get("pod_identity_associations") or []:
        key = f"{association['namespace']}/{association['service_account']}"
        if association.get("create_service_account") and key not in seen:
            manifests.append(service_account_manifest(association["namespace"], association["service_account"]))
            seen.add(key)
    return manifests
