# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM roles for service accounts (IRSA and EKS Pod Identity) and the cluster's IAM OIDC provider.

Three parts kept apart, as for every resource of the collection:

- build (pure): trust documents exactly as eksctl writes them, role names, tags, ServiceAccount manifests;
- compare (pure): current role / provider snapshot and desired state -> a list of changes;
- apply: the changes, through the ``api`` wrappers only.
"""

from __future__ import annotations

import copy
import hashlib
import re
import socket
import ssl
from urllib.parse import urlparse

from . import api
from . import iam_role
from .common import Result
from .common import apply_tag_changes
from .common import client
from .common import tag_changes
from .errors import EksError
from .iam_policies import WELL_KNOWN
from .iam_policies import well_known_policies
from .iam_role import ROLE_NAME_MAX
from .iam_role import TRUST_VERSION
from .iam_role import account_of_arn
from .iam_role import apply_role_changes
from .iam_role import parse_inline_policies
from .iam_role import partition_of_arn
from .iam_role import predict_role
from .iam_role import read_role
from .iam_role import role_arn
from .iam_role import statements_of
from .iam_role import trust_document
from .vocabulary import OWNER_TAG
from .vocabulary import SERVICE_ACCOUNT_MODE_TAG
from .vocabulary import SERVICE_ACCOUNTS_TAG

# The names this module used before the shared role logic moved to iam_role.
_as_list = iam_role.as_list
_tags_dict = iam_role.tags_dict
_decode_document = iam_role.decode_document

DEFAULT_AUDIENCE = "sts.amazonaws.com"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"

# Tags on the roles and providers this collection makes, so that teardown and eks_oidc_provider find them.
TAG_CLUSTER = OWNER_TAG
TAG_SERVICE_ACCOUNTS = SERVICE_ACCOUNTS_TAG
TAG_MODE = SERVICE_ACCOUNT_MODE_TAG

# Stands for "whichever OIDC provider" when the cluster, and so its issuer, is gone.
ANY_OIDC_PROVIDER = object()

TAG_VALUE_MAX = 256
_K8S_NAME = re.compile(r"^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]+$")
# IAM tag values allow neither "*" nor "?"; neither "@" nor "+" can appear in a Kubernetes name.
_TAG_ENCODING = (("*", "@"), ("?", "+"))


# ---------------------------------------------------------------- build (pure)
def issuer_host(issuer):
    """The issuer URL as IAM names it in provider ARNs and condition keys: no scheme, no trailing slash."""
    return re.sub(r"^https://", "", issuer).rstrip("/")


def oidc_provider_arn(partition, account_id, issuer):
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{issuer_host(issuer)}"


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


def trusts_provider(statement, provider_arn):
    federated = _as_list((statement.get("Principal") or {}).get("Federated"))
    if provider_arn is ANY_OIDC_PROVIDER:
        return any(":oidc-provider/" in arn for arn in federated)
    return provider_arn in federated


def trusts_pod_identity(statement):
    return POD_IDENTITY_PRINCIPAL in _as_list((statement.get("Principal") or {}).get("Service"))


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
            for value in _as_list(((statement.get("Condition") or {}).get(operator) or {}).get(f"{host}:sub")):
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


def service_account_manifests(service_accounts, arn, mode):
    """ServiceAccount manifests for the exact (non-pattern) service accounts; IRSA ones carry the role ARN."""
    manifests = []
    for namespace, name in service_accounts:
        if is_pattern(namespace) or is_pattern(name):
            continue
        metadata = {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "aews.eks"}}
        if mode == "irsa":
            metadata["annotations"] = {ROLE_ARN_ANNOTATION: arn}
        manifests.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    return manifests


def cluster_issuer(cluster):
    """The cluster's OIDC issuer URL; EKS publishes it once the cluster is ACTIVE."""
    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        raise EksError(
            f"cluster {cluster.get('name')} has no OIDC issuer yet (identity.oidc.issuer; status "
            f"{cluster.get('status')}): wait for the cluster to be ACTIVE"
        )
    return issuer


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
    if (
        not role_name
        and default_role_name("x", validate_service_accounts(params.get("service_accounts"), params["mode"])) is None
    ):
        raise EksError("role_name is required when service_accounts lists several service accounts or a pattern")


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


# ---------------------------------------------------------------- compare (pure)
def compare_role(current, desired):
    """The changes that take the role snapshot ``current`` (None: no role) to ``desired``.

    Each change is a dict with an ``action`` key and the values the apply step needs.
    """
    trust = desired_trust(
        current and current["trust_policy"],
        desired["statements"],
        desired["mode"],
        desired["provider_arn"],
        desired["purge_trust"],
    )
    return iam_role.compare_role(current, desired, trust)


def compare_associations(current, desired_pairs, dropped_pairs, arn, cluster_name):
    """Pod identity association changes.

    ``current`` maps (namespace, name) to the association found (with its ``roleArn``); desired
    service accounts get one pointing at the role; dropped ones that still point at it are deleted.
    """
    changes = []
    for namespace, name in desired_pairs:
        found = current.get((namespace, name))
        if found is None:
            changes.append(
                {
                    "action": "create_association",
                    "namespace": namespace,
                    "service_account": name,
                    "role_arn": arn,
                    "cluster_name": cluster_name,
                }
            )
        elif found.get("roleArn") != arn:
            changes.append(
                {
                    "action": "update_association",
                    "association_id": found["associationId"],
                    "namespace": namespace,
                    "service_account": name,
                    "role_arn": arn,
                    "cluster_name": cluster_name,
                }
            )
    for namespace, name in dropped_pairs:
        found = current.get((namespace, name))
        if found is not None and found.get("roleArn") == arn:
            changes.append(
                {
                    "action": "delete_association",
                    "association_id": found["associationId"],
                    "namespace": namespace,
                    "service_account": name,
                    "cluster_name": cluster_name,
                }
            )
    return changes


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


def apply_association_changes(eks, changes):
    for change in changes:
        action = change["action"]
        if action == "create_association":
            api.create_pod_identity_association(
                eks,
                clusterName=change["cluster_name"],
                namespace=change["namespace"],
                serviceAccount=change["service_account"],
                roleArn=change["role_arn"],
            )
        elif action == "update_association":
            api.update_pod_identity_association(
                eks,
                clusterName=change["cluster_name"],
                associationId=change["association_id"],
                roleArn=change["role_arn"],
            )
        elif action == "delete_association":
            api.delete_pod_identity_association(eks, change["cluster_name"], change["association_id"])


def _association_view(cluster_name, pairs, current, changes, arn):
    """The associations of the desired service accounts as they are (or will be) after the changes."""
    by_pair = {(c["namespace"], c["service_account"]): c for c in changes}
    view = []
    for namespace, name in pairs:
        existing = current.get((namespace, name)) or {}
        change = by_pair.get((namespace, name))
        view.append(
            {
                "cluster_name": cluster_name,
                "namespace": namespace,
                "service_account": name,
                "role_arn": arn if change else existing.get("roleArn"),
                "association_id": existing.get("associationId"),
                "association_arn": existing.get("associationArn"),
            }
        )
    return view


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


def ensure_irsa(module):
    """eks_irsa: the role, its trust and policies, and in pod_identity mode the associations."""
    params = module.params
    result = Result(module)
    if params["state"] == "absent":
        return _ensure_irsa_absent(module, result)

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
    role_changes = compare_role(current, desired)

    association_changes = []
    associations = []
    if desired["mode"] == "pod_identity":
        previous = decode_service_accounts((current or {}).get("tags", {}).get(TAG_SERVICE_ACCOUNTS))
        dropped = [p for p in previous if p not in desired["service_accounts"] and not any(map(is_pattern, p))]
        found = read_associations(eks, desired["cluster_name"], desired["service_accounts"] + dropped)
        association_changes = compare_associations(
            found, desired["service_accounts"], dropped, desired["arn"], desired["cluster_name"]
        )
        associations = _association_view(
            desired["cluster_name"], desired["service_accounts"], found, association_changes, desired["arn"]
        )

    for change in role_changes + association_changes:
        result.record(change)
    if not module.check_mode:
        apply_role_changes(iam, desired["name"], role_changes)
        apply_association_changes(eks, association_changes)

    if module.check_mode or not result.changed:
        role = predict_role(current, desired, role_changes)
    else:
        role = read_role(iam, desired["name"])
        if desired["mode"] == "pod_identity":
            found = read_associations(eks, desired["cluster_name"], desired["service_accounts"])
            associations = _association_view(desired["cluster_name"], desired["service_accounts"], found, [], None)
    extra = dict(
        changes=result.changes,
        service_account_manifests=service_account_manifests(desired["service_accounts"], role["arn"], desired["mode"]),
    )
    if desired["mode"] == "pod_identity":
        extra["pod_identity_associations"] = associations
    result.exit("role", role, before=current, **extra)


def _ensure_irsa_absent(module, result):
    params = module.params
    iam = client(module, "iam")
    pairs = validate_service_accounts(params.get("service_accounts"), params["mode"])
    name = params.get("role_name") or default_role_name(params["cluster_name"], pairs)
    if not name:
        raise EksError("state=absent needs role_name, or service_accounts naming exactly one service account")
    current = read_role(iam, name)
    if current is None:
        return result.exit("role", None, before=None, changes=[])
    owner = current["tags"].get(TAG_CLUSTER)
    if owner != params["cluster_name"]:
        raise EksError(
            f"role {name} was not made by this collection for cluster {params['cluster_name']} "
            f"(its {TAG_CLUSTER} tag is {owner!r}); it is left in place"
        )
    association_changes = []
    if current["tags"].get(TAG_MODE) == "pod_identity" or params["mode"] == "pod_identity":
        eks = client(module, "eks")
        previous = decode_service_accounts(current["tags"].get(TAG_SERVICE_ACCOUNTS))
        candidates = [p for p in dict.fromkeys(previous + pairs) if not any(map(is_pattern, p))]
        if api.describe_cluster(eks, params["cluster_name"]) is not None:
            found = read_associations(eks, params["cluster_name"], candidates)
            association_changes = compare_associations(found, [], candidates, current["arn"], params["cluster_name"])
    changes = list(association_changes)
    changes.extend({"action": "detach_policy", "arn": arn} for arn in current["managed_policies"])
    changes.extend({"action": "delete_inline_policy", "policy_name": n} for n in current["inline_policies"])
    changes.append({"action": "delete_role", "name": name})
    for change in changes:
        result.record(change)
    if not module.check_mode:
        if association_changes:
            apply_association_changes(eks, association_changes)
        for arn in current["managed_policies"]:
            api.detach_role_policy(iam, name, arn)
        for policy_name in current["inline_policies"]:
            api.delete_role_policy(iam, name, policy_name)
        api.delete_role(iam, name)
    result.exit("role", None, before=current, changes=result.changes)


# ---------------------------------------------------------------- eks_irsa_info
def roles_for_cluster(iam, cluster_name, provider_arn=None):
    """Roles this collection made for the cluster: candidates by trust (no tag read per role), then by tag."""
    found = []
    for role in api.list_roles(iam):
        document = _decode_document(role.get("AssumeRolePolicyDocument"))
        statements = statements_of(document)
        if not any(trusts_provider(s, provider_arn) or trusts_pod_identity(s) for s in statements):
            continue
        tags = _tags_dict(api.list_role_tags(iam, role["RoleName"]))
        if tags.get(TAG_CLUSTER) == cluster_name:
            found.append(role["RoleName"])
    return found


def describe_roles_for_cluster(module):
    params = module.params
    eks = client(module, "eks")
    iam = client(module, "iam")
    # Without the cluster (already deleted), any OIDC provider may be the one: the tag decides.
    cluster = api.describe_cluster(eks, params["cluster_name"])
    issuer = (((cluster or {}).get("identity") or {}).get("oidc") or {}).get("issuer")
    provider_arn = ANY_OIDC_PROVIDER
    if issuer:
        provider_arn = oidc_provider_arn(partition_of_arn(cluster["arn"]), account_of_arn(cluster["arn"]), issuer)
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
    module.exit_json(changed=False, roles=roles)


# ---------------------------------------------------------------- eks_oidc_provider
def thumbprint_of(der_certificate):
    """IAM's thumbprint of a certificate: the SHA-1 of its DER encoding, in lowercase hex."""
    # IAM defines thumbprints as SHA-1; not a security use, so FIPS hosts allow it.
    return hashlib.sha1(der_certificate, usedforsecurity=False).hexdigest()


def fetch_issuer_thumbprint(issuer, port=443, timeout=10, context=None):
    """The thumbprint of the last certificate of the chain the issuer's TLS server presents (its root CA).

    This is what `eksctl utils associate-iam-oidc-provider` computes. Python 3.13 has
    SSLSocket.get_unverified_chain(); before, the same call lives on the private _sslobj.
    """
    host = urlparse(issuer).hostname
    context = context or ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                getter = getattr(tls, "get_unverified_chain", None) or getattr(tls._sslobj, "get_unverified_chain")
                chain = getter() or []
    except (OSError, AttributeError) as e:
        raise EksError(
            f"could not read the TLS certificate chain of {issuer} ({e}); give thumbprints instead"
        ) from None
    if not chain:
        raise EksError(f"{issuer} presented no certificate; give thumbprints instead")
    last = chain[-1]
    der = last if isinstance(last, bytes) else ssl.PEM_cert_to_DER_cert(last.public_bytes())
    return thumbprint_of(der)


def provider_view(arn, provider, tags):
    if provider is None:
        return None
    created = provider.get("CreateDate")
    return {
        "arn": arn,
        "url": provider.get("Url"),
        "client_ids": list(provider.get("ClientIDList") or []),
        "thumbprints": list(provider.get("ThumbprintList") or []),
        "create_date": created.isoformat() if hasattr(created, "isoformat") else created,
        "tags": dict(tags or {}),
    }


def compare_provider(current, desired):
    """Changes that take the provider view ``current`` (None: none) to ``desired`` (pure)."""
    if current is None:
        return [
            {
                "action": "create_provider",
                "url": desired["url"],
                "client_ids": desired["client_ids"],
                "thumbprints": desired["thumbprints"] or [],
                "tags": desired["tags"],
            }
        ]
    changes = []
    for client_id in desired["client_ids"]:
        if client_id not in current["client_ids"]:
            changes.append({"action": "add_client_id", "client_id": client_id})
    for client_id in current["client_ids"]:
        if client_id not in desired["client_ids"]:
            changes.append({"action": "remove_client_id", "client_id": client_id})
    if desired["thumbprints"] is not None and sorted(t.lower() for t in desired["thumbprints"]) != sorted(
        t.lower() for t in current["thumbprints"]
    ):
        changes.append({"action": "update_thumbprints", "thumbprints": desired["thumbprints"]})
    to_set, to_remove = tag_changes(current["tags"], desired["tags"], desired["purge_tags"])
    if to_set:
        changes.append({"action": "tag_provider", "tags": to_set})
    if to_remove:
        changes.append({"action": "untag_provider", "keys": sorted(to_remove)})
    return changes


def predict_provider(current, desired, changes):
    provider = copy.deepcopy(current)
    for change in changes:
        action = change["action"]
        if action == "create_provider":
            provider = {
                "arn": desired["arn"],
                "url": desired["url"].replace("https://", ""),
                "client_ids": list(change["client_ids"]),
                "thumbprints": list(change["thumbprints"]),
                "create_date": None,
                "tags": dict(change["tags"]),
            }
        elif action == "add_client_id":
            provider["client_ids"].append(change["client_id"])
        elif action == "remove_client_id":
            provider["client_ids"].remove(change["client_id"])
        elif action == "update_thumbprints":
            provider["thumbprints"] = list(change["thumbprints"])
        elif action == "tag_provider":
            provider["tags"] = apply_tag_changes(provider["tags"], change["tags"], [])
        elif action == "untag_provider":
            provider["tags"] = apply_tag_changes(provider["tags"], {}, change["keys"])
    return provider


def read_provider(iam, arn):
    provider = api.get_open_id_connect_provider(iam, arn)
    if provider is None:
        return None
    return provider_view(arn, provider, _tags_dict(api.list_open_id_connect_provider_tags(iam, arn)))


def apply_provider_changes(iam, arn, changes):
    for change in changes:
        action = change["action"]
        if action == "create_provider":
            params = dict(
                Url=change["url"],
                ClientIDList=change["client_ids"],
                Tags=[{"Key": k, "Value": v} for k, v in change["tags"].items()],
            )
            if change["thumbprints"]:
                params["ThumbprintList"] = change["thumbprints"]
            api.create_open_id_connect_provider(iam, **params)
        elif action == "add_client_id":
            api.add_client_id_to_open_id_connect_provider(iam, arn, change["client_id"])
        elif action == "remove_client_id":
            api.remove_client_id_from_open_id_connect_provider(iam, arn, change["client_id"])
        elif action == "update_thumbprints":
            api.update_open_id_connect_provider_thumbprint(iam, arn, change["thumbprints"])
        elif action == "tag_provider":
            api.tag_open_id_connect_provider(iam, arn, change["tags"])
        elif action == "untag_provider":
            api.untag_open_id_connect_provider(iam, arn, change["keys"])


def roles_trusting_provider(iam, provider_arn):
    """Names of the roles this collection made whose trust still names the provider."""
    names = []
    for role in api.list_roles(iam):
        statements = statements_of(_decode_document(role.get("AssumeRolePolicyDocument")))
        if any(trusts_provider(s, provider_arn) for s in statements):
            if TAG_CLUSTER in _tags_dict(api.list_role_tags(iam, role["RoleName"])):
                names.append(role["RoleName"])
    return names


def _find_provider_by_tag(iam, cluster_name):
    for entry in api.list_open_id_connect_providers(iam):
        tags = _tags_dict(api.list_open_id_connect_provider_tags(iam, entry["Arn"]))
        if tags.get(TAG_CLUSTER) == cluster_name:
            return entry["Arn"]
    return None


def ensure_oidc_provider(module):
    params = module.params
    result = Result(module)
    thumbprints = params.get("thumbprints")
    for index, thumbprint in enumerate(thumbprints or []):
        if not re.match(r"^[0-9a-fA-F]{40}$", thumbprint):
            raise EksError(f"thumbprints[{index}]: {thumbprint!r} is not a SHA-1 thumbprint (40 hex digits)")
    if params["state"] == "present" and not params.get("client_ids"):
        raise EksError("client_ids: at least one client ID (audience) is required")
    eks = client(module, "eks")
    iam = client(module, "iam")
    cluster = api.describe_cluster(eks, params["cluster_name"])
    issuer = (((cluster or {}).get("identity") or {}).get("oidc") or {}).get("issuer")

    if params["state"] == "absent":
        if issuer:
            arn = oidc_provider_arn(partition_of_arn(cluster["arn"]), account_of_arn(cluster["arn"]), issuer)
        else:
            # The cluster may be gone already; the provider still names it in its tag.
            arn = _find_provider_by_tag(iam, params["cluster_name"])
        current = read_provider(iam, arn) if arn else None
        if current is None:
            return result.exit("provider", None, before=None, changes=[])
        trusting = roles_trusting_provider(iam, arn)
        if trusting and not params["force"]:
            raise EksError(
                f"the OIDC provider {arn} is still trusted by roles made by this collection: "
                f"{', '.join(sorted(trusting))}; delete them first (aews.eks.eks_irsa state=absent) or set force=true"
            )
        if result.record({"action": "delete_provider", "arn": arn}):
            api.delete_open_id_connect_provider(iam, arn)
        return result.exit("provider", None, before=current, changes=result.changes)

    if cluster is None:
        raise EksError(f"cluster {params['cluster_name']} was not found")
    issuer = cluster_issuer(cluster)
    arn = oidc_provider_arn(partition_of_arn(cluster["arn"]), account_of_arn(cluster["arn"]), issuer)
    if params.get("compute_thumbprint"):
        thumbprints = [fetch_issuer_thumbprint(issuer)]
    tags = dict(params.get("tags") or {})
    tags[TAG_CLUSTER] = params["cluster_name"]
    desired = {
        "arn": arn,
        "url": issuer,
        "client_ids": list(dict.fromkeys(params["client_ids"])),
        "thumbprints": thumbprints,
        "tags": tags,
        "purge_tags": params["purge_tags"] if params.get("tags") is not None else False,
    }
    current = read_provider(iam, arn)
    changes = compare_provider(current, desired)
    for change in changes:
        result.record(change)
    if not module.check_mode:
        apply_provider_changes(iam, arn, changes)
    if changes and not module.check_mode:
        provider = read_provider(iam, arn)
    else:
        provider = predict_provider(current, desired, changes)
    result.exit("provider", provider, before=current, changes=result.changes)
