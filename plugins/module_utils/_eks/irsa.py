# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM roles for service accounts (eks_irsa): IRSA and EKS Pod Identity.

On the one change model (``change``):

- build (pure): trust statements exactly as eksctl writes them, role names, tags, ServiceAccount manifests, and
  ``build_desired`` from the module's params and the cluster;
- ``plan`` (pure): the role snapshot and the service accounts' pod identity associations -> change records (the
  role's from ``iam_role.compare_role``, then the associations');
- ``predict``: the role and the associations once the changes are made (check mode's answer);
- ``apply``: the changes in order, through the ``api`` wrappers only.

``ensure_irsa`` returns the outcome. The cluster's OIDC provider is in ``oidc_provider``, eks_irsa_info in
``irsa_info``.
"""

from __future__ import annotations

import copy
import hashlib
import re

from . import api
from .change import change
from .change import outcome
from .common import client
from .errors import EksError
from .iam_policies import WELL_KNOWN
from .iam_policies import well_known_policies
from .iam_role import ROLE_NAME_MAX
from .iam_role import TRUST_VERSION
from .iam_role import account_of_arn
from .iam_role import apply_role_changes
from .iam_role import as_list
from .iam_role import compare_role as compare_role_with_trust
from .iam_role import deletion_changes
from .iam_role import parse_inline_policies
from .iam_role import partition_of_arn
from .iam_role import predict_role
from .iam_role import read_role
from .iam_role import role_arn
from .iam_role import statements_of
from .iam_role import trust_document
from .oidc_provider import cluster_issuer
from .oidc_provider import issuer_host
from .oidc_provider import oidc_provider_arn
from .oidc_provider import trusts_provider
from .service_accounts import ROLE_ARN_ANNOTATION
from .service_accounts import metadata_problems
from .service_accounts import service_account_manifest
from .vocabulary import OWNER_TAG
from .vocabulary import SERVICE_ACCOUNT_MODE_TAG
from .vocabulary import SERVICE_ACCOUNTS_TAG

DEFAULT_AUDIENCE = "sts.amazonaws.com"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]

# Tags on the roles and providers this collection makes, so that teardown and eks_oidc_provider find them.
TAG_CLUSTER = OWNER_TAG
TAG_SERVICE_ACCOUNTS = SERVICE_ACCOUNTS_TAG
TAG_MODE = SERVICE_ACCOUNT_MODE_TAG

TAG_VALUE_MAX = 256
_K8S_NAME = re.compile(r"^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]+$")
# IAM tag values allow neither "*" nor "?"; neither "@" nor "+" can appear in a Kubernetes name.
_TAG_ENCODING = (("*", "@"), ("?", "+"))


# ---------------------------------------------------------------- build (pure)
def is_pattern(text):
    return "*" in text or "?" in text


def subject(namespace, name):
    return f"system:serviceaccount:{namespace}:{name}"


def _one(values):
    return values[0] if len(values) == 1 else list(values)


def validate_service_accounts(service_accounts, mode):
    """The (namespace, name) pairs asked for, or EksError naming the entry at fault."""
    pairs = []
    for index, entry in enumerate(service_accounts or []):
        namespace, name = entry.get("namespace"), entry.get("name")
        for field, value in (("namespace", namespace), ("name", name)):
            if not value or len(value) > 253 or not _K8S_NAME.match(value):
                raise EksError(
                    f"service_accounts[{index}].{field}: {value!r} is not a Kubernetes name "
                    "(lowercase letters, digits, '-' and '.', with '*' or '?' for a pattern)"
                )
        if mode == "pod_identity" and (is_pattern(namespace) or is_pattern(name)):
            raise EksError(
                f"service_accounts[{index}]: a pod identity association names one service account, "
                f"not a pattern ({namespace}/{name})"
            )
        if (namespace, name) in pairs:
            raise EksError(f"service_accounts[{index}]: {namespace}/{name} is listed twice")
        pairs.append((namespace, name))
    return pairs


def build_irsa_statements(provider_arn, issuer, service_accounts, audiences=None):
    """The trust statements eksctl writes for these service accounts.

    Exact subjects share one statement (StringEquals, any of the listed subjects); patterns share
    another (StringLike), since conditions within one statement must all hold.
    """
    host = issuer_host(issuer)
    audience = _one(list(audiences or [DEFAULT_AUDIENCE]))
    exact = [subject(ns, name) for ns, name in service_accounts if not (is_pattern(ns) or is_pattern(name))]
    patterns = [subject(ns, name) for ns, name in service_accounts if is_pattern(ns) or is_pattern(name)]
    statements = []
    base = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": [WEB_IDENTITY_ACTION]}
    if exact:
        statement = copy.deepcopy(base)
        statement["Condition"] = {"StringEquals": {f"{host}:sub": _one(exact), f"{host}:aud": audience}}
        statements.append(statement)
    if patterns:
        statement = copy.deepcopy(base)
        statement["Condition"] = {
            "StringEquals": {f"{host}:aud": audience},
            "StringLike": {f"{host}:sub": _one(patterns)},
        }
        statements.append(statement)
    return statements


def build_pod_identity_statements():
    return [
        {
            "Effect": "Allow",
            "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
            "Action": list(POD_IDENTITY_ACTIONS),
        }
    ]


def trusts_pod_identity(statement):
    return POD_IDENTITY_PRINCIPAL in as_list((statement.get("Principal") or {}).get("Service"))


def is_managed_statement(statement, mode, provider_arn):
    """Whether the module owns this statement: the ones trusting this cluster's provider (irsa),
    or the EKS Pod Identity service (pod_identity). Every other statement is someone else's."""
    if mode == "pod_identity":
        return trusts_pod_identity(statement)
    return trusts_provider(statement, provider_arn)


def desired_trust(current, statements, mode, provider_arn, purge):
    """The trust document to have: ours replaced by ``statements``, others kept unless ``purge``."""
    if current is None or purge:
        return trust_document(statements)
    kept = [s for s in statements_of(current) if not is_managed_statement(s, mode, provider_arn)]
    return {"Version": current.get("Version", TRUST_VERSION), "Statement": kept + list(statements)}


def trust_subjects(document, issuer):
    """Every service account subject a trust document lets assume the role through this issuer."""
    host = issuer_host(issuer)
    found = []
    for statement in statements_of(document):
        for operator in ("StringEquals", "StringLike"):
            for value in as_list(((statement.get("Condition") or {}).get(operator) or {}).get(f"{host}:sub")):
                found.append((operator, value))
    return found


def default_role_name(cluster_name, service_accounts):
    """``CLUSTER-NAMESPACE-NAME``; past IAM's 64 characters, cut and ended with a hash of the full name."""
    if len(service_accounts) != 1 or any(is_pattern(ns) or is_pattern(n) for ns, n in service_accounts):
        return None
    namespace, name = service_accounts[0]
    full = f"{cluster_name}-{namespace}-{name}"
    if len(full) <= ROLE_NAME_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[: ROLE_NAME_MAX - 9].rstrip('-.')}-{digest}"


def encode_service_accounts(service_accounts):
    value = " ".join(f"{ns}/{name}" for ns, name in service_accounts)
    for char, replacement in _TAG_ENCODING:
        value = value.replace(char, replacement)
    if len(value) > TAG_VALUE_MAX:
        value = value[: TAG_VALUE_MAX - 3] + "..."
    return value


def decode_service_accounts(value):
    pairs = []
    for item in (value or "").split():
        if item.endswith("...") or "/" not in item:
            continue
        for char, replacement in _TAG_ENCODING:
            item = item.replace(replacement, char)
        namespace, name = item.split("/", 1)
        pairs.append((namespace, name))
    return pairs


def collection_tags(cluster_name, service_accounts, mode):
    return {
        TAG_CLUSTER: cluster_name,
        TAG_SERVICE_ACCOUNTS: encode_service_accounts(service_accounts),
        TAG_MODE: mode,
    }


def service_account_manifests(service_accounts, arn, mode, metadata=None):
    """ServiceAccount manifests for the exact (non-pattern) service accounts, with their labels and annotations
    (``metadata``: (namespace, name) -> (labels, annotations)); IRSA ones carry the role ARN."""
    manifests = []
    for namespace, name in service_accounts:
        if is_pattern(namespace) or is_pattern(name):
            continue
        labels, annotations = (metadata or {}).get((namespace, name), (None, None))
        manifests.append(service_account_manifest(namespace, name, arn if mode == "irsa" else None, labels,
                                                  annotations))  # fmt: skip
    return manifests


def service_account_metadata(service_accounts):
    """(namespace, name) -> (labels, annotations) of the module's ``service_accounts`` entries."""
    return {(e.get("namespace"), e.get("name")): (e.get("labels"), e.get("annotations")) for e in service_accounts or []}


def validate_metadata(service_accounts, mode, role_name=None, arn=None):
    """The labels and annotations of the ``service_accounts`` entries, as the Kubernetes API takes them; an
    ``eks.amazonaws.com/role-arn`` annotation naming another role than ``arn`` (or, before the ARN is known, than
    ``role_name``) is refused. EksError naming every field at fault."""
    problems = []
    for index, entry in enumerate(service_accounts or []):
        field = f"service_accounts[{index}]"
        labels, annotations = entry.get("labels"), entry.get("annotations")
        if (labels or annotations) and (is_pattern(entry.get("namespace") or "") or is_pattern(entry.get("name") or "")):
            problems.append((field, "labels and annotations are for a ServiceAccount named exactly, not a pattern"))
        problems += metadata_problems(labels, annotations, field, mode, arn)
        given = (annotations or {}).get(ROLE_ARN_ANNOTATION) if isinstance(annotations, dict) else None
        if arn is None and mode == "irsa" and role_name and isinstance(given, str) and given.split("/")[-1] != role_name:
            problems.append((f"{field}.annotations.{ROLE_ARN_ANNOTATION}", f"{given!r} contradicts the service "
                             f"account's role {role_name}, which the collection annotates: remove it"))  # fmt: skip
    if problems:
        raise EksError("; ".join(f"{path}: {problem}" for path, problem in problems))


def validate_params(params):
    """Input errors found without AWS, each naming the field at fault (pure)."""
    validate_service_accounts(params.get("service_accounts"), params["mode"])
    for name in params.get("well_known_policies") or []:
        if name not in WELL_KNOWN:
            raise EksError(f"well_known_policies: unknown {name!r}, expected one of {', '.join(WELL_KNOWN)}")
    duration = params.get("max_session_duration")
    if duration is not None and not 3600 <= duration <= 43200:
        raise EksError(f"max_session_duration: {duration} is outside 3600..43200 seconds")
    if params["mode"] == "irsa" and not params.get("audiences"):
        raise EksError("audiences: at least one audience is required in irsa mode")
    boundary = params.get("permissions_boundary")
    if boundary and not boundary.startswith("arn:"):
        raise EksError(f"permissions_boundary: {boundary!r} is not a policy ARN")
    parse_inline_policies(params.get("inline_policies"))
    role_name = params.get("role_name")
    if role_name is not None and (len(role_name) > ROLE_NAME_MAX or not _ROLE_NAME.match(role_name)):
        raise EksError(f"role_name: {role_name!r} must be 1 to 64 of letters, digits and '+=,.@_-'")
    pairs = validate_service_accounts(params.get("service_accounts"), params["mode"])
    if not role_name and default_role_name("x", pairs) is None:
        raise EksError("role_name is required when service_accounts lists several service accounts or a pattern")
    validate_metadata(params.get("service_accounts"), params["mode"],
                      role_name or default_role_name(params.get("cluster_name") or "x", pairs))  # fmt: skip


def build_desired(params, cluster):
    """Everything the module asks for, from module params and the cluster description (pure)."""
    mode = params["mode"]
    cluster_arn = cluster["arn"]
    partition = partition_of_arn(cluster_arn)
    account_id = account_of_arn(cluster_arn)
    service_accounts = validate_service_accounts(params.get("service_accounts"), mode)
    issuer = cluster_issuer(cluster) if mode == "irsa" else None
    provider_arn = oidc_provider_arn(partition, account_id, issuer) if issuer else None

    name = params.get("role_name") or default_role_name(params["cluster_name"], service_accounts)
    if not name:
        raise EksError("role_name is required when service_accounts lists several service accounts or a pattern")
    if len(name) > ROLE_NAME_MAX or not _ROLE_NAME.match(name):
        raise EksError(f"role_name: {name!r} must be 1 to 64 of letters, digits and '+=,.@_-'")

    managed, inline = well_known_policies(params.get("well_known_policies") or [], partition, params["cluster_name"])
    for arn in params.get("managed_policies") or []:
        if not arn.startswith("arn:"):
            raise EksError(f"managed_policies: {arn!r} is not a policy ARN")
        if arn not in managed:
            managed.append(arn)
    for policy_name, document in parse_inline_policies(params.get("inline_policies")).items():
        inline[policy_name] = document

    if mode == "irsa":
        statements = build_irsa_statements(provider_arn, issuer, service_accounts, params.get("audiences"))
    else:
        statements = build_pod_identity_statements()

    user_tags = params.get("tags")
    tags = dict(user_tags or {})
    tags.update(collection_tags(params["cluster_name"], service_accounts, mode))
    return {
        "mode": mode,
        "cluster_name": params["cluster_name"],
        "partition": partition,
        "account_id": account_id,
        "issuer": issuer,
        "provider_arn": provider_arn,
        "service_accounts": service_accounts,
        "name": name,
        "arn": role_arn(partition, account_id, name),
        "statements": statements,
        "purge_trust": params.get("purge_trust", False),
        "managed_policies": managed,
        "inline_policies": inline,
        "purge_policies": params.get("purge_policies", False),
        "permissions_boundary": params.get("permissions_boundary"),
        "max_session_duration": params.get("max_session_duration"),
        "description": params.get("description"),
        "tags": tags,
        "purge_tags": params.get("purge_tags", True) if user_tags is not None else False,
    }


# ---------------------------------------------------------------- plan and predict (pure)
ASSOCIATION_ACTIONS = ("create_association", "update_association", "delete_association")


def compare_role(current, desired):
    """The role's change records (``iam_role.compare_role``) that take the snapshot ``current`` (None: no role) to
    ``desired``, the trust being ours replaced (``desired_trust``)."""
    trust = desired_trust(
        current and current["trust_policy"],
        desired["statements"],
        desired["mode"],
        desired["provider_arn"],
        desired["purge_trust"],
    )
    return compare_role_with_trust(current, desired, trust)


def _association_record(cluster_name, namespace, name, action, why, call, params, **fields):
    resource = f"pod identity association {cluster_name} {namespace}/{name}"
    return change(resource, action, why, call, params, cluster_name=cluster_name, namespace=namespace,
                  service_account=name, **fields)  # fmt: skip


def compare_associations(current, desired_pairs, dropped_pairs, arn, cluster_name):
    """The pod identity association change records (pure).

    ``current`` maps (namespace, name) to the association found (with its ``roleArn``); desired service accounts
    get one pointing at the role ``arn``; dropped ones that still point at it are deleted.
    """
    changes = []
    for namespace, name in desired_pairs:
        found = current.get((namespace, name))
        if found is None:
            params = dict(clusterName=cluster_name, namespace=namespace, serviceAccount=name, roleArn=arn)
            changes.append(
                _association_record(cluster_name, namespace, name, "create_association", "not found",
                                    "create_pod_identity_association", params, role_arn=arn)  # fmt: skip
            )
        elif found.get("roleArn") != arn:
            params = dict(clusterName=cluster_name, associationId=found["associationId"], roleArn=arn)
            changes.append(
                _association_record(cluster_name, namespace, name, "update_association",
                                    f"role {found.get('roleArn')} -> {arn}", "update_pod_identity_association",
                                    params, role_arn=arn, association_id=found["associationId"])  # fmt: skip
            )
    for namespace, name in dropped_pairs:
        found = current.get((namespace, name))
        if found is not None and found.get("roleArn") == arn:
            params = dict(clusterName=cluster_name, associationId=found["associationId"])
            changes.append(
                _association_record(cluster_name, namespace, name, "delete_association",
                                    "service account no longer listed, or its role deleted",
                                    "delete_pod_identity_association", params,
                                    association_id=found["associationId"])  # fmt: skip
            )
    return changes


def dropped_service_accounts(current, desired_pairs):
    """The exact service accounts the role's tag lists but ``desired_pairs`` no longer do."""
    previous = decode_service_accounts((current or {}).get("tags", {}).get(TAG_SERVICE_ACCOUNTS))
    return [p for p in previous if p not in desired_pairs and not any(map(is_pattern, p))]


def plan(current, desired, associations=None, dropped=()):
    """The change records that take the role snapshot ``current`` (None: no role) and, in pod_identity mode, the
    ``associations`` found ((namespace, name) -> association) to ``desired``: the role's first, then the
    associations' (``dropped``: service accounts whose association to the role goes) (pure)."""
    changes = compare_role(current, desired)
    if desired["mode"] == "pod_identity":
        changes += compare_associations(
            associations or {}, desired["service_accounts"], dropped, desired["arn"], desired["cluster_name"]
        )
    return changes


def plan_absent(current, cluster_name, associations=None, candidates=()):
    """What deleting the role ``current`` takes, in order: the associations of ``candidates`` still pointing at it,
    its policies, the role (pure)."""
    changes = compare_associations(associations or {}, [], candidates, current["arn"], cluster_name)
    return changes + deletion_changes(current)


def association_view(cluster_name, pairs, current, changes, arn):
    """The associations of the service accounts ``pairs`` as they are (``current``), or will be once ``changes``
    (association records) are made."""
    by_pair = {(c["namespace"], c["service_account"]): c for c in changes if c["action"] in ASSOCIATION_ACTIONS}
    view = []
    for namespace, name in pairs:
        existing = current.get((namespace, name)) or {}
        record = by_pair.get((namespace, name))
        view.append(
            {
                "cluster_name": cluster_name,
                "namespace": namespace,
                "service_account": name,
                "role_arn": arn if record else existing.get("roleArn"),
                "association_id": existing.get("associationId"),
                "association_arn": existing.get("associationArn"),
            }
        )
    return view


def predict(current, desired, changes, associations=None):
    """(role, associations) once ``changes`` are made: the role snapshot, and in pod_identity mode the view of the
    desired service accounts' associations (None in irsa mode)."""
    role = predict_role(current, desired, [c for c in changes if c["action"] not in ASSOCIATION_ACTIONS])
    if desired["mode"] != "pod_identity":
        return role, None
    view = association_view(desired["cluster_name"], desired["service_accounts"], associations or {}, changes,
                            desired["arn"])  # fmt: skip
    return role, view


# ---------------------------------------------------------------- read and apply
def read_associations(eks, cluster_name, pairs):
    """(namespace, name) -> the pod identity association of that service account (described), if any."""
    found = {}
    for namespace, name in pairs:
        for summary in api.list_pod_identity_associations(eks, cluster_name, namespace, name):
            if summary.get("namespace") == namespace and summary.get("serviceAccount") == name:
                association = api.describe_pod_identity_association(eks, cluster_name, summary["associationId"])
                if association:
                    found[(namespace, name)] = association
                break
    return found


def apply(iam, eks, name, changes):
    """Make ``changes`` (from ``plan`` / ``plan_absent``) in order: the role's through IAM, the associations'
    through EKS."""
    for record in changes:
        action, params = record["action"], record["params"]
        if action == "create_association":
            api.create_pod_identity_association(eks, **copy.deepcopy(params))
        elif action == "update_association":
            api.update_pod_identity_association(eks, **copy.deepcopy(params))
        elif action == "delete_association":
            api.delete_pod_identity_association(eks, params["clusterName"], params["associationId"])
        else:
            apply_role_changes(iam, name, [record])


def _describe_cluster(eks, cluster_name):
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(f"cluster {cluster_name} was not found")
    return cluster


def _provider_help(cluster_name):
    return (
        f"create it first with the aews.eks.eks_oidc_provider module (cluster_name: {cluster_name}), "
        f"or `eksctl utils associate-iam-oidc-provider --cluster {cluster_name} --approve`"
    )


# ---------------------------------------------------------------- eks_irsa
def ensure_irsa(module):
    """eks_irsa: the role, its trust and policies, and in pod_identity mode the associations; the outcome."""
    params = module.params
    if params["state"] == "absent":
        return _ensure_irsa_absent(module)

    validate_params(params)
    eks = client(module, "eks")
    iam = client(module, "iam")
    cluster = _describe_cluster(eks, params["cluster_name"])
    desired = build_desired(params, cluster)

    if desired["mode"] == "irsa" and api.get_open_id_connect_provider(iam, desired["provider_arn"]) is None:
        message = (
            f"cluster {desired['cluster_name']} has no IAM OIDC provider ({desired['provider_arn']}): "
            + _provider_help(desired["cluster_name"])
        )
        # In check mode an earlier task of the same run may only have predicted the provider.
        if not module.check_mode:
            raise EksError(message)
        module.warn(message)

    current = read_role(iam, desired["name"])
    if current is not None:
        owner = current["tags"].get(TAG_CLUSTER)
        if owner and owner != desired["cluster_name"]:
            raise EksError(f"role {desired['name']} belongs to cluster {owner} (tag {TAG_CLUSTER}), not to this one")
        desired["arn"] = current["arn"]

    # The role's ARN is known now: an annotation naming another role is refused before any change.
    validate_metadata(params.get("service_accounts"), desired["mode"], arn=desired["arn"])

    found, dropped = {}, []
    if desired["mode"] == "pod_identity":
        dropped = dropped_service_accounts(current, desired["service_accounts"])
        found = read_associations(eks, desired["cluster_name"], desired["service_accounts"] + dropped)
    changes = plan(current, desired, found, dropped)

    if changes and not module.check_mode:
        apply(iam, eks, desired["name"], changes)
        role = read_role(iam, desired["name"])
        associations = None
        if desired["mode"] == "pod_identity":
            found = read_associations(eks, desired["cluster_name"], desired["service_accounts"])
            associations = association_view(desired["cluster_name"], desired["service_accounts"], found, [], None)
    else:
        role, associations = predict(current, desired, changes, found)
    extra = dict(
        service_account_manifests=service_account_manifests(
            desired["service_accounts"], role["arn"], desired["mode"], service_account_metadata(params["service_accounts"])
        )
    )
    if desired["mode"] == "pod_identity":
        extra["pod_identity_associations"] = associations
    return outcome(module, "role", role, changes, before=current, **extra)


def _ensure_irsa_absent(module):
    params = module.params
    iam = client(module, "iam")
    pairs = validate_service_accounts(params.get("service_accounts"), params["mode"])
    name = params.get("role_name") or default_role_name(params["cluster_name"], pairs)
    if not name:
        raise EksError("state=absent needs role_name, or service_accounts naming exactly one service account")
    current = read_role(iam, name)
    if current is None:
        return outcome(module, "role", None, [], before=None)
    owner = current["tags"].get(TAG_CLUSTER)
    if owner != params["cluster_name"]:
        raise EksError(
            f"role {name} was not made by this collection for cluster {params['cluster_name']} "
            f"(its {TAG_CLUSTER} tag is {owner!r}); it is left in place"
        )
    eks = None
    found, candidates = {}, []
    if current["tags"].get(TAG_MODE) == "pod_identity" or params["mode"] == "pod_identity":
        eks = client(module, "eks")
        previous = decode_service_accounts(current["tags"].get(TAG_SERVICE_ACCOUNTS))
        candidates = [p for p in dict.fromkeys(previous + pairs) if not any(map(is_pattern, p))]
        if api.describe_cluster(eks, params["cluster_name"]) is not None:
            found = read_associations(eks, params["cluster_name"], candidates)
    changes = plan_absent(current, params["cluster_name"], found, candidates)
    if not module.check_mode:
        apply(iam, eks, name, changes)
    return outcome(module, "role", None, changes, before=current)
