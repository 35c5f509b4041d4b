# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OIDC identity provider configs of an EKS cluster (AssociateIdentityProviderConfig), on the change model.

``desired`` (pure) -> ``plan`` (pure: change records) -> ``predict`` (pure: check mode) -> ``apply`` (api only).

What EKS allows and the plan follows:

- One OIDC identity provider config per cluster: another one associated is reported before any call (the caller
  disassociates it first).
- A config cannot be changed, only its tags: a different issuer URL, client ID, claim or prefix is a
  disassociation, then an association of the same name (the plan says so, in check mode too).
- Associating and disassociating are updates of the cluster (``DescribeUpdate``): the cluster must be ACTIVE with
  no other update in progress, and EKS takes minutes to make a config ACTIVE. The module waits its turn, then for
  its own update.
"""

from __future__ import annotations

import re

from . import api
from .change import change
from .change import outcome
from .common import USER_OWNED_KEYS
from .common import apply_tag_changes
from .common import client
from .common import described
from .common import raw_client
from .common import tag_changes
from .common import to_ansible
from .errors import EksError
from .errors import error_code
from .vocabulary import MISSING_CODES
from .waiters import Deadline
from .waiters import wait
from .waiters import wait_updates_in_progress

TYPE = "oidc"
NAME_RE = re.compile(r"^[^\s/]{1,100}$")
# The options of a config and their names in the EKS API; none can change once associated.
FIELDS = (
    ("issuer_url", "issuerUrl"),
    ("client_id", "clientId"),
    ("username_claim", "usernameClaim"),
    ("username_prefix", "usernamePrefix"),
    ("groups_claim", "groupsClaim"),
    ("groups_prefix", "groupsPrefix"),
    ("required_claims", "requiredClaims"),
)
REQUIRED = ("issuer_url", "client_id")
# AWS's limits on a required claim (AWS::EKS::IdentityProviderConfig RequiredClaim).
CLAIM_KEY_MAX = 63
CLAIM_VALUE_MAX = 253
USER_KEYS = USER_OWNED_KEYS + ("requiredClaims", "required_claims")
DIFF_KEYS = ("identity_provider_config_name", "type") + tuple(key for key, _api in FIELDS) + ("tags", "status")
REPLACE_WHY = "EKS cannot change an identity provider config: it is disassociated, then associated again"


# ---------------------------------------------------------------- desired state (pure)
def config_problems(config, field_of=lambda key: key):
    """Every problem of an OIDC config (module options or a definition entry, snake_case keys), each named by
    ``field_of(key)``: the required options, an https issuer URL without query or fragment, the groups prefix EKS
    refuses, required claims within AWS's limits."""
    problems = []
    for key in REQUIRED:
        value = config.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{field_of(key)}: is required")
    issuer = config.get("issuer_url")
    if isinstance(issuer, str) and issuer.strip():
        if not issuer.startswith("https://") or len(issuer) <= len("https://"):
            problems.append(f"{field_of('issuer_url')}: {issuer!r} must be an https:// URL")
        elif "?" in issuer or "#" in issuer:
            problems.append(f"{field_of('issuer_url')}: {issuer!r}: query parameters and fragments are not allowed")
    for key in ("username_claim", "username_prefix", "groups_claim", "groups_prefix"):
        value = config.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            problems.append(f"{field_of(key)}: must be a non-empty string when given")
    prefix = config.get("groups_prefix")
    if isinstance(prefix, str) and "system:" in prefix:
        problems.append(f"{field_of('groups_prefix')}: {prefix!r}: EKS refuses a prefix containing system:")
    claims = config.get("required_claims")
    if claims is not None and not isinstance(claims, dict):
        problems.append(f"{field_of('required_claims')}: must be a mapping of claim -> value")
    for key, value in (claims or {}).items() if isinstance(claims, dict) else ():
        if not 1 <= len(str(key)) <= CLAIM_KEY_MAX:
            problems.append(f"{field_of('required_claims')}.{key}: claim names are 1 to {CLAIM_KEY_MAX} characters")
        if not 1 <= len(str(value)) <= CLAIM_VALUE_MAX:
            problems.append(f"{field_of('required_claims')}.{key}: values are 1 to {CLAIM_VALUE_MAX} characters")
    return problems


def desired(params):
    """What the module's params ask for (pure). Options left unset are None: not compared with what exists."""
    out = {
        "cluster_name": params["cluster_name"],
        "name": params["name"],
        "state": params.get("state") or "present",
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
        "config": {key: params.get(key) for key, _api in FIELDS},
    }
    claims = out["config"]["required_claims"]
    if isinstance(claims, dict):
        out["config"]["required_claims"] = {str(k): str(v) for k, v in claims.items()}
    return out


def validate(want):
    """Every problem of the desired state, before any AWS call."""
    problems = []
    name = want.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(f"name: {name!r} must be 1 to 100 characters, without spaces or /")
    if want["state"] == "present":
        problems += config_problems(want["config"])
    if problems:
        raise EksError(message="; ".join(problems), problems=problems)


def normalize(config, cluster_name=None):
    """An OIDC identity provider config as the modules return it (snake_case; claims and tags as AWS has them)."""
    if not config:
        return {}
    out = to_ansible(config, USER_KEYS)
    out.setdefault("cluster_name", cluster_name)
    out["type"] = TYPE
    out["required_claims"] = dict(config.get("requiredClaims") or {})
    out["tags"] = dict(config.get("tags") or {})
    return out


def diff_view(config):
    return {key: config.get(key) for key in DIFF_KEYS if key in config} if config else {}


def _request(want, tags):
    oidc = {"identityProviderConfigName": want["name"]}
    for key, api_key in FIELDS:
        value = want["config"].get(key)
        if value not in (None, {}):
            oidc[api_key] = value
    params = {"clusterName": want["cluster_name"], "oidc": oidc}
    if tags:
        params["tags"] = dict(tags)
    return params


def _differences(current, want):
    """The config options that differ, as "option a -> b" (options left unset are not compared)."""
    out = []
    for key, _api_key in FIELDS:
        value = want["config"].get(key)
        if value is None:
            continue
        have = current.get(key)
        if key == "required_claims":
            have = have or {}
        if have != value:
            out.append(f"{key} {have!r} -> {value!r}")
    return out


def plan(current, want, others=()):
    """The change records from ``current`` (normalized, {} when there is none) to ``want`` (pure).

    ``others``: the other configs associated with the cluster, normalized (EKS takes one at a time). Raises
    EksError for what cannot be done.
    """
    resource = f"identity provider config {want['name']} of cluster {want['cluster_name']}"
    gone = not current or current.get("status") == "DELETING"
    disassociate_params = {"cluster_name": want["cluster_name"], "name": want["name"]}
    if want["state"] == "absent":
        if gone:
            return []
        return [
            change(resource, "disassociate", "state=absent", call="disassociate_identity_provider_config",
                   params=disassociate_params, wait_update=False)  # fmt: skip
        ]
    blocking = [o for o in others if o.get("status") != "DELETING"]
    if blocking:
        names = ", ".join(o.get("identity_provider_config_name", "?") for o in blocking)
        first = blocking[0].get("identity_provider_config_name")
        raise EksError(
            message=(
                f"{resource}: the cluster already has the OIDC identity provider config {names}, and EKS takes one "
                f"per cluster: disassociate it first (state=absent with name={first})"
            )
        )
    changes = []
    differences = [] if gone else _differences(current, want)
    if gone or differences:
        tags = dict(want["tags"] or {})
        if not gone and not want["purge_tags"]:
            tags = dict(current.get("tags") or {}, **tags)
        if differences:
            changes.append(
                change(resource, "disassociate", "; ".join(differences) + f": {REPLACE_WHY}",
                       call="disassociate_identity_provider_config", params=disassociate_params,
                       wait_update=True)  # fmt: skip
            )
        why = "not associated" if gone and not current else ("being disassociated" if gone else "associated again")
        changes.append(
            change(resource, "associate", why, call="associate_identity_provider_config", params=_request(want, tags))
        )
        return changes
    to_set, to_remove = tag_changes(current.get("tags"), want["tags"], want["purge_tags"])
    arn = current.get("identity_provider_config_arn")
    if to_remove:
        changes.append(
            change(resource, "untag", "tags " + ", ".join(sorted(to_remove)), call="untag_resource",
                   params={"arn": arn, "keys": sorted(to_remove)})  # fmt: skip
        )
    if to_set:
        changes.append(
            change(resource, "tag", "tags " + ", ".join(sorted(to_set)), call="tag_resource",
                   params={"arn": arn, "tags": to_set})  # fmt: skip
        )
    return changes


def predict(current, want, changes, wait_for=True):
    """The config as it will be once ``changes`` are made (check mode)."""
    out = dict(current or {})
    for record in changes:
        if record["action"] == "disassociate":
            out = {}
        elif record["action"] == "associate":
            request = record["params"]
            oidc = request["oidc"]
            out = {
                "identity_provider_config_name": oidc["identityProviderConfigName"],
                "cluster_name": request["clusterName"],
                "type": TYPE,
                "status": "ACTIVE" if wait_for else "CREATING",
                "tags": dict(request.get("tags") or {}),
                "required_claims": dict(oidc.get("requiredClaims") or {}),
            }
            for key, api_key in FIELDS:
                if key != "required_claims" and api_key in oidc:
                    out[key] = oidc[api_key]
        elif record["action"] == "untag":
            out["tags"] = apply_tag_changes(out.get("tags"), {}, record["params"]["keys"])
        elif record["action"] == "tag":
            out["tags"] = apply_tag_changes(out.get("tags"), record["params"]["tags"], [])
    return out


# ---------------------------------------------------------------- apply (api only)
def describe(eks, cluster_name, name):
    return normalize(api.describe_identity_provider_config(eks, cluster_name, name), cluster_name)


def others_of(eks, cluster_name, name):
    """The cluster's other OIDC identity provider configs, normalized."""
    out = []
    for item in api.list_identity_provider_configs(eks, cluster_name):
        if item.get("type") == TYPE and item.get("name") != name:
            config = describe(eks, cluster_name, item["name"])
            if config:
                out.append(config)
    return out


def _cluster_turn(eks, cluster_name, deadline):
    """Wait until the cluster is ACTIVE with no update in progress: the configs are associated and disassociated by
    updates of the cluster, one at a time."""
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(message=f"Cluster {cluster_name} does not exist")
    if cluster.get("status") != "ACTIVE":
        wait(raw_client(eks), "cluster_active", deadline.remaining(), f"cluster {cluster_name} to be ACTIVE",
             name=cluster_name)  # fmt: skip
    wait_updates_in_progress(eks, cluster_name, deadline, f"cluster {cluster_name}")


def _wait_update(eks, cluster_name, update, deadline, what):
    wait(raw_client(eks), "update_successful", deadline.remaining(), f"update {update['id']} ({what})",
         name=cluster_name, updateId=update["id"])  # fmt: skip


def apply(eks, changes, deadline, wait_for=True):
    """Make the changes in order; the update ids the cluster got."""
    updates = []
    for record in changes:
        params = record["params"]
        if record["action"] == "disassociate":
            _cluster_turn(eks, params["cluster_name"], deadline)
            update = api.disassociate_identity_provider_config(eks, params["cluster_name"], params["name"])
            if update:
                updates.append(update["id"])
                if wait_for or record.get("wait_update"):
                    _wait_update(eks, params["cluster_name"], update, deadline, f"disassociate {params['name']}")
        elif record["action"] == "associate":
            _cluster_turn(eks, params["clusterName"], deadline)
            update = api.associate_identity_provider_config(eks, **params)
            updates.append(update["id"])
            if wait_for:
                name = params["oidc"]["identityProviderConfigName"]
                _wait_update(eks, params["clusterName"], update, deadline, f"associate {name}")
        elif record["action"] == "untag":
            api.untag_resource(eks, params["arn"], params["keys"])
        elif record["action"] == "tag":
            api.tag_resource(eks, params["arn"], params["tags"])
    return updates


def ensure_identity_provider(module):
    want = desired(module.params)
    validate(want)
    eks = client(module, "eks")
    cluster_name, name = want["cluster_name"], want["name"]
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(message=f"Cluster {cluster_name} does not exist")
    current = describe(eks, cluster_name, name)
    others = others_of(eks, cluster_name, name) if want["state"] == "present" else []
    changes = plan(current, want, others)
    wait_for = module.params.get("wait", True)
    if module.check_mode or not changes:
        resource = predict(current, want, changes, wait_for)
        return outcome(module, "identity_provider", resource, changes, before=current, view=diff_view, updates=[])
    updates = apply(eks, changes, Deadline(module.params.get("wait_timeout") or 1200), wait_for)
    resource = describe(eks, cluster_name, name)
    return outcome(module, "identity_provider", resource, changes, before=current, view=diff_view, updates=updates)


def configs_of(eks, cluster_name, listed=None):
    """The cluster's OIDC identity provider configs, each described (as eks_identity_provider_info returns them);
    ``listed``: ListIdentityProviderConfigs' answer when read already."""
    if listed is None:
        listed = api.list_identity_provider_configs(eks, cluster_name)
    return described(None, lambda: [c["name"] for c in listed if c.get("type") == TYPE],
                     lambda name: describe(eks, cluster_name, name))  # fmt: skip


def identity_provider_info(module):
    eks = client(module, "eks")
    cluster_name = module.params["cluster_name"]

    def names():
        # The listing itself tells a cluster that is not there (no DescribeCluster first).
        try:
            listed = api.list_cluster_identity_provider_configs(eks, cluster_name)
        except EksError as e:
            if error_code(e) in MISSING_CODES["eks"]:
                raise EksError(message=f"Cluster {cluster_name} does not exist") from None
            raise
        return [c["name"] for c in listed if c.get("type") == TYPE]

    if module.params.get("name"):
        names()  # the cluster is there
    configs = described(module.params.get("name"), names, lambda name: describe(eks, cluster_name, name))
    return {"changed": False, "identity_providers": configs}
