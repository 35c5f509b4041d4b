# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster's IAM OIDC provider (eks_oidc_provider) and the names IRSA trust statements give it.

On the one change model (``change``): ``build_desired`` (pure) from the module's params and the cluster, ``plan``
(pure) from the provider as IAM has it (``provider_view``) to change records, ``predict`` the provider once they are
made, ``apply`` them through ``api``; ``ensure_oidc_provider`` returns the outcome.
"""

from __future__ import annotations

import copy
import re

from . import api
from .change import change
from .change import outcome
from .common import client
from .common import tag_changes
from .common import tags_after
from .errors import EksError
from .iam_role import account_of_arn
from .iam_role import as_list
from .iam_role import decode_document
from .iam_role import partition_of_arn
from .iam_role import statements_of
from .iam_role import tags_dict
from .thumbprint import fetch_issuer_thumbprint
from .vocabulary import OWNER_TAG

# Stands for "whichever OIDC provider" when the cluster, and so its issuer, is gone.
ANY_OIDC_PROVIDER = object()

_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")


# ---------------------------------------------------------------- names (pure)
def issuer_host(issuer):
    """The issuer URL as IAM names it in provider ARNs and condition keys: no scheme, no trailing slash."""
    return re.sub(r"^https://", "", issuer).rstrip("/")


def oidc_provider_arn(partition, account_id, issuer):
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{issuer_host(issuer)}"


def cluster_issuer(cluster):
    """The cluster's OIDC issuer URL; EKS publishes it once the cluster is ACTIVE."""
    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        raise EksError(
            f"cluster {cluster.get('name')} has no OIDC issuer yet (identity.oidc.issuer; status "
            f"{cluster.get('status')}): wait for the cluster to be ACTIVE"
        )
    return issuer


def cluster_provider_arn(cluster):
    """The ARN of the OIDC provider of the described ``cluster``; None when it has no issuer (or no cluster)."""
    issuer = (((cluster or {}).get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        return None
    return oidc_provider_arn(partition_of_arn(cluster["arn"]), account_of_arn(cluster["arn"]), issuer)


def trusts_provider(statement, provider_arn):
    """Whether a trust statement trusts ``provider_arn`` (any OIDC provider for ``ANY_OIDC_PROVIDER``)."""
    federated = as_list((statement.get("Principal") or {}).get("Federated"))
    if provider_arn is ANY_OIDC_PROVIDER:
        return any(":oidc-provider/" in arn for arn in federated)
    return provider_arn in federated


# ---------------------------------------------------------------- desired, plan, predict (pure)
def validate_params(params):
    """Input errors found without AWS, each naming the field at fault (pure)."""
    for index, thumbprint in enumerate(params.get("thumbprints") or []):
        if not _THUMBPRINT.match(thumbprint):
            raise EksError(f"thumbprints[{index}]: {thumbprint!r} is not a SHA-1 thumbprint (40 hex digits)")
    if params["state"] == "present" and not params.get("client_ids"):
        raise EksError("client_ids: at least one client ID (audience) is required")


def build_desired(params, cluster, thumbprints):
    """The provider the module asks for (pure): the cluster's issuer, the client IDs, ``thumbprints`` (None: left
    as they are), the tags with the cluster's ownership tag."""
    issuer = cluster_issuer(cluster)
    tags = dict(params.get("tags") or {})
    tags[OWNER_TAG] = params["cluster_name"]
    return {
        "arn": cluster_provider_arn(cluster),
        "url": issuer,
        "client_ids": list(dict.fromkeys(params["client_ids"])),
        "thumbprints": thumbprints,
        "tags": tags,
        "purge_tags": params["purge_tags"] if params.get("tags") is not None else False,
    }


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


def _record(arn, action, why, call, params, **fields):
    return change(f"IAM OIDC provider {arn}", action, why, call, params, **fields)


def _tags_param(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def plan(current, desired):
    """The change records that take the provider view ``current`` (None: none) to ``desired``, in order (pure).

    Each record keeps the values ``predict`` reads (``client_id``, ``thumbprints``, ``tags``, ``keys``, ...).
    """
    arn = desired["arn"]
    if current is None:
        thumbprints = list(desired["thumbprints"] or [])
        params = dict(Url=desired["url"], ClientIDList=list(desired["client_ids"]), Tags=_tags_param(desired["tags"]))
        if thumbprints:
            params["ThumbprintList"] = thumbprints
        return [
            _record(arn, "create_provider", "not found", "create_open_id_connect_provider", params,
                    url=desired["url"], client_ids=list(desired["client_ids"]), thumbprints=thumbprints,
                    tags=dict(desired["tags"]))  # fmt: skip
        ]
    changes = []
    for client_id in desired["client_ids"]:
        if client_id not in current["client_ids"]:
            changes.append(
                _record(arn, "add_client_id", client_id, "add_client_id_to_open_id_connect_provider",
                        dict(OpenIDConnectProviderArn=arn, ClientID=client_id), client_id=client_id)  # fmt: skip
            )
    for client_id in current["client_ids"]:
        if client_id not in desired["client_ids"]:
            changes.append(
                _record(arn, "remove_client_id", client_id, "remove_client_id_from_open_id_connect_provider",
                        dict(OpenIDConnectProviderArn=arn, ClientID=client_id), client_id=client_id)  # fmt: skip
            )
    wanted = desired["thumbprints"]
    if wanted is not None and sorted(t.lower() for t in wanted) != sorted(t.lower() for t in current["thumbprints"]):
        why = f"thumbprints {', '.join(current['thumbprints']) or '-'} -> {', '.join(wanted) or '-'}"
        changes.append(
            _record(arn, "update_thumbprints", why, "update_open_id_connect_provider_thumbprint",
                    dict(OpenIDConnectProviderArn=arn, ThumbprintList=list(wanted)), thumbprints=list(wanted))
        )  # fmt: skip
    to_set, to_remove = tag_changes(current["tags"], desired["tags"], desired["purge_tags"])
    if to_set:
        changes.append(
            _record(arn, "tag_provider", ", ".join(sorted(to_set)), "tag_open_id_connect_provider",
                    dict(OpenIDConnectProviderArn=arn, Tags=_tags_param(to_set)), tags=dict(to_set))  # fmt: skip
        )
    if to_remove:
        keys = sorted(to_remove)
        changes.append(
            _record(arn, "untag_provider", ", ".join(keys), "untag_open_id_connect_provider",
                    dict(OpenIDConnectProviderArn=arn, TagKeys=keys), keys=keys)  # fmt: skip
        )
    return changes


def plan_delete(current):
    """The change record that deletes the provider view ``current``; none when there is no provider (pure)."""
    if current is None:
        return []
    arn = current["arn"]
    return [
        _record(arn, "delete_provider", "state=absent", "delete_open_id_connect_provider",
                dict(OpenIDConnectProviderArn=arn))  # fmt: skip
    ]


def predict(current, changes, arn=None):
    """The provider view once ``changes`` are made (check mode's answer); ``arn``: the provider's, for a create."""
    provider = copy.deepcopy(current)
    for record in changes:
        action = record["action"]
        if action == "create_provider":
            provider = {
                "arn": arn,
                "url": issuer_host(record["url"]),
                "client_ids": list(record["client_ids"]),
                "thumbprints": list(record["thumbprints"]),
                "create_date": None,
                "tags": dict(record["tags"]),
            }
        elif action == "add_client_id":
            provider["client_ids"].append(record["client_id"])
        elif action == "remove_client_id":
            provider["client_ids"].remove(record["client_id"])
        elif action == "update_thumbprints":
            provider["thumbprints"] = list(record["thumbprints"])
        elif action in ("tag_provider", "untag_provider"):
            provider["tags"] = tags_after(provider["tags"], record)
        elif action == "delete_provider":
            provider = None
    return provider


# ---------------------------------------------------------------- read and apply
def read_provider(iam, arn):
    provider = api.get_open_id_connect_provider(iam, arn)
    if provider is None:
        return None
    return provider_view(arn, provider, tags_dict(api.list_open_id_connect_provider_tags(iam, arn)))


def apply(iam, arn, changes):
    """Make the ``changes`` (from ``plan`` / ``plan_delete``) of the provider ``arn``, in order."""
    for record in changes:
        action, params = record["action"], record["params"]
        if action == "create_provider":
            api.create_open_id_connect_provider(iam, **copy.deepcopy(params))
        elif action == "add_client_id":
            api.add_client_id_to_open_id_connect_provider(iam, arn, record["client_id"])
        elif action == "remove_client_id":
            api.remove_client_id_from_open_id_connect_provider(iam, arn, record["client_id"])
        elif action == "update_thumbprints":
            api.update_open_id_connect_provider_thumbprint(iam, arn, record["thumbprints"])
        elif action == "tag_provider":
            api.tag_open_id_connect_provider(iam, arn, record["tags"])
        elif action == "untag_provider":
            api.untag_open_id_connect_provider(iam, arn, record["keys"])
        elif action == "delete_provider":
            api.delete_open_id_connect_provider(iam, arn)


def roles_trusting_provider(iam, provider_arn):
    """Names of the roles this collection made whose trust still names the provider."""
    names = []
    for role in api.list_roles(iam):
        statements = statements_of(decode_document(role.get("AssumeRolePolicyDocument")))
        if any(trusts_provider(s, provider_arn) for s in statements):
            if OWNER_TAG in tags_dict(api.list_role_tags(iam, role["RoleName"])):
                names.append(role["RoleName"])
    return names


def _find_provider_by_tag(iam, cluster_name):
    for entry in api.list_open_id_connect_providers(iam):
        tags = tags_dict(api.list_open_id_connect_provider_tags(iam, entry["Arn"]))
        if tags.get(OWNER_TAG) == cluster_name:
            return entry["Arn"]
    return None


# ---------------------------------------------------------------- eks_oidc_provider
def ensure_oidc_provider(module):
    """eks_oidc_provider: the cluster's IAM OIDC provider, its client IDs, thumbprints and tags; its outcome."""
    params = module.params
    validate_params(params)
    eks = client(module, "eks")
    iam = client(module, "iam")
    cluster = api.describe_cluster(eks, params["cluster_name"])

    if params["state"] == "absent":
        # The cluster may be gone already; the provider still names it in its tag.
        arn = cluster_provider_arn(cluster) or _find_provider_by_tag(iam, params["cluster_name"])
        current = read_provider(iam, arn) if arn else None
        if current is not None:
            trusting = roles_trusting_provider(iam, arn)
            if trusting and not params["force"]:
                raise EksError(
                    f"the OIDC provider {arn} is still trusted by roles made by this collection: "
                    f"{', '.join(sorted(trusting))}; delete them first (aews.eks.eks_irsa state=absent) or set "
                    "force=true"
                )
        changes = plan_delete(current)
        if changes and not module.check_mode:
            apply(iam, arn, changes)
        return outcome(module, "provider", None, changes, before=current)

    if cluster is None:
        raise EksError(f"cluster {params['cluster_name']} was not found")
    thumbprints = params.get("thumbprints")
    if params.get("compute_thumbprint"):
        thumbprints = [fetch_issuer_thumbprint(cluster_issuer(cluster))]
    desired = build_desired(params, cluster, thumbprints)
    arn = desired["arn"]
    current = read_provider(iam, arn)
    changes = plan(current, desired)
    if changes and not module.check_mode:
        apply(iam, arn, changes)
        provider = read_provider(iam, arn)
    else:
        provider = predict(current, changes, arn)
    return outcome(module, "provider", provider, changes, before=current)
