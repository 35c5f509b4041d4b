# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS add-ons: version resolution, configuration values, plan, predict and apply on the one change model.

Pure functions resolve versions from a DescribeAddonVersions catalogue, parse and validate configuration values
and build API parameters; ``build_desired`` / ``plan`` / ``predict`` turn the installed add-on and what the user
asked for into change records (``change.change``) and the predicted add-on; ``apply`` makes them. ``reconcile``
brings one add-on in line with one client and returns its outcome (``ensure_addon`` for eks_addon, or a module
reconciling several add-ons); ``addon_info`` returns what eks_addon_info reports.
"""

from __future__ import annotations

import copy
import json
import re
import traceback

from ansible.module_utils.basic import missing_required_lib

from . import api
from . import change as model
from .common import apply_tag_changes
from .common import client
from .common import raw_client
from .common import tag_changes
from .common import to_ansible
from .change import change
from .errors import EksError
from .waiters import Deadline
from .waiters import wait
from .waiters import wait_updates_in_progress

# The add-on keys compared with what the user asked for; tags are compared on their own.
COMPARED_KEYS = ("version", "configuration_values", "service_account_role_arn", "pod_identity_associations")

WAIT_CHOICES = ("active", "created", "none")


# ---------------------------------------------------------------- versions (pure)
def version_key(version):
    """A sortable key for an add-on version: the numbers in it, in order.

    ``v1.19.0-eksbuild.2`` -> (1, 19, 0, 2); a partial ``v1.19`` -> (1, 19), which is a prefix of
    the keys of every ``v1.19.x-eksbuild.N``.
    """
    return tuple(int(n) for n in re.findall(r"\d+", version or ""))


def _bare(version):
    version = (version or "").strip()
    return version[1:] if version[:1] in ("v", "V") else version


def compatible_versions(catalogue, name, kubernetes_version):
    """The versions of add-on ``name`` compatible with ``kubernetes_version``, newest first.

    ``catalogue`` is the ``addons`` list DescribeAddonVersions returns (filtered by Kubernetes
    version or not: compatibilities are checked here). None when the catalogue does not know the
    add-on at all, an empty list when it knows it but no version fits the Kubernetes version.
    """
    entries = [a for a in catalogue or [] if a.get("addonName") == name]
    if not entries:
        return None
    versions = {}
    for entry in entries:
        for info in entry.get("addonVersions") or []:
            for compat in info.get("compatibilities") or []:
                if kubernetes_version is not None and compat.get("clusterVersion") != kubernetes_version:
                    continue
                version = info.get("addonVersion")
                known = versions.setdefault(
                    version,
                    {
                        "version": version,
                        "default": False,
                        "architecture": list(info.get("architecture") or []),
                        "compute_types": list(info.get("computeTypes") or []),
                        "requires_configuration": bool(info.get("requiresConfiguration")),
                        "requires_iam_permissions": bool(info.get("requiresIamPermissions")),
                        "kubernetes_versions": [],
                    },
                )
                known["default"] = known["default"] or bool(compat.get("defaultVersion"))
                if compat.get("clusterVersion") not in known["kubernetes_versions"]:
                    known["kubernetes_versions"].append(compat.get("clusterVersion"))
    return sorted(versions.values(), key=lambda v: version_key(v["version"]), reverse=True)


def _listing(versions):
    names = []
    for v in versions:
        names.append(v["version"] + (" (default)" if v["default"] else ""))
    return ", ".join(names)


def resolve_version(requested, versions, name, kubernetes_version, current=None):
    """The exact version ``requested`` stands for, among ``versions`` (from compatible_versions).

    ``default``: the version EKS marks default for the Kubernetes version (the newest one when
    none is marked); ``latest``: the newest compatible version; an exact version; or a partial one
    (``v1.19``, ``v1.19.0``) resolved to the newest compatible version it is a prefix of.
    ``current`` (the installed version) is accepted as itself even when no longer compatible,
    so that asking for what is installed never fails.
    """
    requested = (requested or "default").strip()
    if versions is None:
        raise EksError(message=f"Unknown add-on {name!r}: DescribeAddonVersions has no add-on by that name")
    if current and _bare(requested) == _bare(current):
        return current
    if not versions:
        raise EksError(message=f"Add-on {name} has no version compatible with Kubernetes {kubernetes_version}")
    if requested == "latest":
        return versions[0]["version"]
    if requested == "default":
        defaults = [v for v in versions if v["default"]]
        return (defaults or versions)[0]["version"]
    for v in versions:
        if _bare(v["version"]) == _bare(requested):
            return v["version"]
    wanted = version_key(requested)
    if wanted and re.match(r"^[vV]?\d+(\.\d+){0,2}(-eksbuild(\.\d+)?)?\.?$", requested):
        for v in versions:
            if version_key(v["version"])[: len(wanted)] == wanted:
                return v["version"]
    raise EksError(
        message=(
            f"Add-on {name} version {requested!r} is not compatible with Kubernetes {kubernetes_version}; "
            f"compatible versions: {_listing(versions)}"
        ),
        compatible_versions=[v["version"] for v in versions],
    )


def check_downgrade(name, current, target):
    """Raise when going from ``current`` to ``target`` would be a downgrade."""
    if current and target and version_key(target) < version_key(current):
        raise EksError(
            message=(
                f"Refusing to downgrade add-on {name} from {current} to {target}: EKS add-ons cannot be "
                f"downgraded in place; set version to {current} or newer, or delete and re-create the add-on"
            )
        )


# ---------------------------------------------------------------- configuration values (pure)
def parse_configuration(value, field="configuration_values"):
    """A dict from a dict, or from a JSON or YAML string; None when not given."""
    if value is None:
        return None
    if isinstance(value, dict):
        return copy.deepcopy(value)
    if not isinstance(value, str):
        raise EksError(message=f"{field} must be a dict or a JSON or YAML string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        try:
            import yaml  # only for a configuration that is not JSON: not loaded by every module run
        except ImportError:
            raise EksError(message=f"{field} is not valid JSON (and PyYAML is not installed to read YAML)")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise EksError(message=f"{field} is neither valid JSON nor valid YAML: {e}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EksError(message=f"{field} must be a mapping of keys to values, not {type(data).__name__}")
    return data


def current_configuration(text):
    """The installed add-on's configurationValues as a dict (the raw text if it cannot be read)."""
    try:
        return parse_configuration(text or "", field="the installed configurationValues")
    except EksError:
        return text


def dump_configuration(values):
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def _path(parts, field="configuration_values"):
    text = field
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _unexpected_keys(error):
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = schema.get("properties") or {}
    patterns = schema.get("patternProperties") or {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns)], sorted(allowed)


def jsonschema_library():
    """jsonschema, imported when a configuration is checked against its schema (not by every module run that loads
    this file), or the traceback of its import when it is missing."""
    try:
        import jsonschema
    except ImportError:
        return None, traceback.format_exc()
    return jsonschema, None


def has_jsonschema():
    return jsonschema_library()[0] is not None


def schema_errors(values, schema, field="configuration_values"):
    """Every place where ``values`` break the JSON ``schema``, as [{"path", "message"}], sorted by path."""
    jsonschema, import_error = jsonschema_library()
    if jsonschema is None:
        raise EksError(message=missing_required_lib("jsonschema"), exception=import_error)
    if isinstance(schema, str):
        schema = json.loads(schema)
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    found = []
    for error in validator_class(schema).iter_errors(values):
        parts = list(error.absolute_path)
        if error.validator == "additionalProperties":
            extras, allowed = _unexpected_keys(error)
            for extra in extras:
                hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
                found.append({"path": _path(parts + [extra], field), "message": f"unknown key{hint}"})
            if extras:
                continue
        found.append({"path": _path(parts, field), "message": error.message})
    return sorted(found, key=lambda e: e["path"])


def validate_configuration(values, schema_text, name, version):
    """Raise, naming each offending path, when ``values`` do not match the add-on version's schema."""
    if values is None:
        return
    if not (schema_text or "").strip():
        if values:
            raise EksError(message=f"Add-on {name} {version} takes no configuration values")
        return
    try:
        schema = json.loads(schema_text)
    except ValueError as e:
        raise EksError(message=f"The configuration schema of add-on {name} {version} is not valid JSON: {e}")
    errors = schema_errors(values, schema)
    if errors:
        listing = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
        raise EksError(
            message=f"configuration_values do not match the schema of add-on {name} {version}: {listing}",
            schema_errors=errors,
        )


def validate_associations(associations, pod_identity_configuration, name, version):
    """Raise when a pod identity association names a service account the add-on version does not use."""
    allowed = sorted({c.get("serviceAccount") for c in pod_identity_configuration or []})
    for i, association in enumerate(associations or []):
        if association["service_account"] not in allowed:
            hint = f"it supports: {', '.join(allowed)}" if allowed else "it supports no EKS Pod Identity association"
            raise EksError(
                message=f"pod_identity_associations[{i}].service_account: add-on {name} {version} has no service "
                f"account {association['service_account']!r}; {hint}"
            )


# ---------------------------------------------------------------- build and compare (pure)
def association_id(arn):
    return arn.rsplit("/", 1)[-1]


def normalize_associations(associations):
    """[{service_account, role_arn}] sorted, from module params or described associations."""
    if associations is None:
        return None
    result = []
    for a in associations:
        sa = a.get("service_account", a.get("serviceAccount"))
        role = a.get("role_arn", a.get("roleArn"))
        result.append({"service_account": sa, "role_arn": role})
    return sorted(result, key=lambda a: (a["service_account"] or "", a["role_arn"] or ""))


def normalize(addon, associations=None):
    """The add-on as the modules return it; {} when it does not exist."""
    if not addon:
        return {}
    health = (addon.get("health") or {}).get("issues") or []
    converted = to_ansible(
        {k: addon[k] for k in ("createdAt", "modifiedAt", "marketplaceInformation", "namespaceConfig") if k in addon}
    )
    result = {
        "name": addon.get("addonName"),
        "cluster_name": addon.get("clusterName"),
        "arn": addon.get("addonArn"),
        "version": addon.get("addonVersion"),
        "status": addon.get("status"),
        "health_issues": [to_ansible(i) for i in health],
        "configuration_values": current_configuration(addon.get("configurationValues")),
        "service_account_role_arn": addon.get("serviceAccountRoleArn"),
        "pod_identity_associations": normalize_associations(associations or []),
        "tags": dict(addon.get("tags") or {}),
        "publisher": addon.get("publisher"),
        "owner": addon.get("owner"),
    }
    result.update(converted)
    return result


def build_desired(params, version, configuration):
    """What the user asked for, in the normalized shape; None for every option not set (tags too)."""
    return {
        "version": version,
        "configuration_values": configuration,
        "service_account_role_arn": params.get("service_account_role_arn"),
        "pod_identity_associations": normalize_associations(params.get("pod_identity_associations")),
        "tags": copy.deepcopy(params.get("tags")),
    }


def compare(current, desired):
    """{key: new value} for every compared key the user set that differs from the installed add-on."""
    changes = {}
    for key in COMPARED_KEYS:
        want = desired.get(key)
        if want is None:
            continue
        have = current.get(key)
        if key == "configuration_values":
            have = {} if have in (None, "") else have
        elif key == "pod_identity_associations":
            have = normalize_associations(have or [])
        elif key == "service_account_role_arn":
            have = have or None
        if want != have:
            changes[key] = want
    return changes


def _associations_param(associations):
    return [{"serviceAccount": a["service_account"], "roleArn": a["role_arn"]} for a in associations]


def create_params(cluster_name, name, desired, tags, resolve_conflicts):
    params = {"clusterName": cluster_name, "addonName": name, "addonVersion": desired["version"]}
    if desired.get("configuration_values"):
        params["configurationValues"] = dump_configuration(desired["configuration_values"])
    if desired.get("service_account_role_arn"):
        params["serviceAccountRoleArn"] = desired["service_account_role_arn"]
    if desired.get("pod_identity_associations"):
        params["podIdentityAssociations"] = _associations_param(desired["pod_identity_associations"])
    if tags:
        params["tags"] = dict(tags)
    if resolve_conflicts:
        params["resolveConflicts"] = resolve_conflicts.upper()
    return params


def update_params(cluster_name, name, changes, resolve_conflicts):
    """UpdateAddon parameters for ``changes`` (from compare); None when there is nothing to update."""
    if not changes:
        return None
    params = {"clusterName": cluster_name, "addonName": name}
    if "version" in changes:
        params["addonVersion"] = changes["version"]
    if "configuration_values" in changes:
        params["configurationValues"] = dump_configuration(changes["configuration_values"])
    if "service_account_role_arn" in changes:
        params["serviceAccountRoleArn"] = changes["service_account_role_arn"]
    if "pod_identity_associations" in changes:
        params["podIdentityAssociations"] = _associations_param(changes["pod_identity_associations"])
    if resolve_conflicts:
        params["resolveConflicts"] = resolve_conflicts.upper()
    return params


def predict_created(cluster_name, name, desired, tags, wait_for):
    return {
        "name": name,
        "cluster_name": cluster_name,
        "arn": None,
        "version": desired["version"],
        "status": "CREATING" if wait_for == "none" else "ACTIVE",
        "health_issues": [],
        "configuration_values": desired.get("configuration_values") or {},
        "service_account_role_arn": desired.get("service_account_role_arn"),
        "pod_identity_associations": desired.get("pod_identity_associations") or [],
        "tags": dict(tags or {}),
    }


def predict_updated(current, changes, to_set, to_remove):
    predicted = copy.deepcopy(current)
    predicted.update(copy.deepcopy(changes))
    predicted["tags"] = apply_tag_changes(current.get("tags"), to_set, to_remove)
    return predicted


# What --diff shows of an add-on: what the user sets, nothing only AWS sets (status, health, ARN, timestamps).
DIFF_KEYS = ("name", "version", "configuration_values", "service_account_role_arn", "pod_identity_associations", "tags")


def diff_view(addon):
    """An add-on as the modules return it (``normalize``), reduced to DIFF_KEYS, with dicts sorted."""
    if not addon:
        return {}
    view = {}
    for key in DIFF_KEYS:
        value = addon.get(key)
        view[key] = dict(sorted(value.items())) if isinstance(value, dict) else value
    return view


def validate_params(params):
    """Fail on input that cannot be right, before any AWS call; return the parsed configuration."""
    if params.get("service_account_role_arn") == "":
        raise EksError(
            message="service_account_role_arn must be a role ARN: UpdateAddon cannot remove a role, "
            "leave the option unset to keep the current one"
        )
    if params.get("version") is not None and not params["version"].strip():
        raise EksError(message="version must be default, latest, or an add-on version such as v1.19.0-eksbuild.1")
    seen = set()
    for i, a in enumerate(params.get("pod_identity_associations") or []):
        if a["service_account"] in seen:
            raise EksError(
                message=f"pod_identity_associations[{i}]: service account {a['service_account']} is listed twice"
            )
        seen.add(a["service_account"])
    return parse_configuration(params.get("configuration_values"))


# ---------------------------------------------------------------- plan and predict (pure)
def _why_update(current, values):
    """One line naming what an update changes: "version a -> b; configuration_values"."""
    parts = []
    for key in sorted(values):
        if key in ("version", "service_account_role_arn"):
            parts.append(f"{key} {current.get(key) or '-'} -> {values[key]}")
        else:
            parts.append(key)
    return "; ".join(parts)


def plan(current, desired, cluster_name, name, state="present", purge_tags=True, resolve_conflicts=None,
         preserve=False):  # fmt: skip
    """The change records that take the add-on ``current`` (``normalize``d, {} when not installed) to ``desired``
    (``build_desired``), in the order they are made: create; or update (one UpdateAddon for version, configuration
    values, service account role and pod identity associations, with ``resolve_conflicts``), untag, tag; or delete.

    An add-on being deleted gets no delete record (its deletion is already under way).
    """
    resource = f"addon {name}"
    if state == "absent":
        if not current or current.get("status") == "DELETING":
            return []
        why = "state=absent" + (", the software kept on the cluster (preserve)" if preserve else "")
        params = {"clusterName": cluster_name, "addonName": name, "preserve": bool(preserve)}
        return [change(resource, "delete", why, call="delete_addon", params=params)]
    if not current:
        params = create_params(cluster_name, name, desired, desired.get("tags"), resolve_conflicts)
        why = f"not installed: version {desired['version']}"
        return [change(resource, "create", why, call="create_addon", params=params, desired=copy.deepcopy(desired))]
    changes = []
    values = compare(current, desired)
    params = update_params(cluster_name, name, values, resolve_conflicts)
    if params:
        changes.append(
            change(resource, "update", _why_update(current, values), call="update_addon", params=params,
                   keys=sorted(values), values=copy.deepcopy(values))  # fmt: skip
        )
    to_set, to_remove = tag_changes(current.get("tags"), desired.get("tags"), purge_tags)
    if to_remove:
        keys = sorted(to_remove)
        params = {"resourceArn": current.get("arn"), "tagKeys": keys}
        changes.append(change(resource, "untag", "tags " + ", ".join(keys), call="untag_resource", params=params))
    if to_set:
        params = {"resourceArn": current.get("arn"), "tags": dict(to_set)}
        why = "tags " + ", ".join(sorted(to_set))
        changes.append(change(resource, "tag", why, call="tag_resource", params=params))
    return changes


def predict(current, changes, wait_for="active"):
    """The add-on once ``changes`` (from ``plan``) are made: what check mode returns."""
    predicted = copy.deepcopy(current or {})
    for c in changes:
        action, params = c["action"], c["params"]
        if action == "create":
            desired = c["desired"]
            predicted = predict_created(params["clusterName"], params["addonName"], desired, desired.get("tags"),
                                        wait_for)  # fmt: skip
        elif action == "update":
            predicted = predict_updated(predicted, c["values"], {}, [])
        elif action == "untag":
            predicted = predict_updated(predicted, {}, {}, params["tagKeys"])
        elif action == "tag":
            predicted = predict_updated(predicted, {}, params["tags"], [])
        elif action == "delete":
            predicted = {}
    return predicted


# ---------------------------------------------------------------- apply (API calls)
def _wait_addon(eks, waiter, deadline, cluster_name, name, what):
    wait(
        raw_client(eks),
        waiter,
        deadline.remaining(),
        f"add-on {name} of cluster {cluster_name} {what}",
        clusterName=cluster_name,
        addonName=name,
    )


def describe_associations(eks, cluster_name, addon):
    associations = []
    for arn in (addon or {}).get("podIdentityAssociations") or []:
        found = api.describe_pod_identity_association(eks, cluster_name, association_id(arn))
        if found:
            associations.append(found)
    return associations


def describe_normalized(eks, cluster_name, name):
    addon = api.describe_addon(eks, cluster_name, name)
    return normalize(addon, describe_associations(eks, cluster_name, addon)) if addon else {}


def _settle(eks, cluster_name, name, status, deadline):
    """Wait for a creation or an update still in progress (EKS refuses an update meanwhile)."""
    if status == "CREATING":
        _wait_addon(eks, "addon_created", deadline, cluster_name, name, "to be created")
    elif status == "UPDATING":
        wait_updates_in_progress(
            eks, cluster_name, deadline, f"add-on {name} of cluster {cluster_name}", addon_name=name
        )


def _cluster(eks, cluster_name):
    cluster = api.describe_cluster(eks, cluster_name)
    if cluster is None:
        raise EksError(message=f"Cluster {cluster_name} does not exist")
    return cluster


class ClusterReads:
    """What the add-ons of one cluster read of it, each read once and only when needed: the cluster
    (DescribeCluster; an installed add-on already tells the cluster exists) and the add-on versions offered for its
    Kubernetes version (DescribeAddonVersions, for every add-on at once when several are resolved in one run)."""

    def __init__(self, eks, cluster_name, cluster=None, shared_catalogue=False):
        self.eks = eks
        self.cluster_name = cluster_name
        self._cluster = cluster
        self._catalogue = None
        self.shared_catalogue = shared_catalogue
        self.missing = False

    def cluster(self):
        if self._cluster is None:
            self._cluster = api.describe_cluster(self.eks, self.cluster_name)
            if self._cluster is None:
                self.missing = True
                raise EksError(message=f"Cluster {self.cluster_name} does not exist")
        return self._cluster

    def versions(self, name):
        """The catalogue entries of add-on ``name`` (DescribeAddonVersions' ``addons``)."""
        if not self.shared_catalogue:
            return api.describe_addon_versions(self.eks, addonName=name)
        if self._catalogue is None:
            self._catalogue = api.describe_addon_versions(self.eks, kubernetesVersion=self.cluster().get("version"))
        entries = [a for a in self._catalogue if a.get("addonName") == name]
        # Not offered for this Kubernetes version: only its own catalogue tells an unknown add-on from one without a
        # compatible version.
        return entries or api.describe_addon_versions(self.eks, addonName=name)


def apply(eks, changes, cluster_name, name, wait_for, deadline, status=None):
    """Make ``changes`` (from ``plan``) in order and wait as ``wait_for`` says; the updates started
    ([{id, type}], for aews.eks.eks_wait to follow after wait=none). ``status``: the installed add-on's status (an
    update first waits for a creation or an update in progress)."""
    started = []

    def run_one(c):
        action, params = c["action"], c["params"]
        if action == "create":
            api.create_addon(eks, **copy.deepcopy(params))
            if wait_for == "active":
                _wait_addon(eks, "addon_active", deadline, cluster_name, name, "to be ACTIVE")
            elif wait_for == "created":
                _wait_addon(eks, "addon_created", deadline, cluster_name, name, "to be created")
        elif action == "update":
            _settle(eks, cluster_name, name, status, deadline)
            update = api.update_addon(eks, **copy.deepcopy(params))
            started.append({"id": update["id"], "type": update.get("type")})
            if wait_for != "none":
                wait(
                    raw_client(eks),
                    "update_successful",
                    deadline.remaining(),
                    f"update {update['id']} of add-on {name} of cluster {cluster_name}",
                    name=cluster_name,
                    updateId=update["id"],
                    addonName=name,
                )
                if wait_for == "active":
                    _wait_addon(eks, "addon_active", deadline, cluster_name, name, "to be ACTIVE")
        elif action == "untag":
            api.untag_resource(eks, params["resourceArn"], params["tagKeys"])
        elif action == "tag":
            api.tag_resource(eks, params["resourceArn"], params["tags"])
        elif action == "delete":
            api.delete_addon(eks, cluster_name, name, preserve=params["preserve"])

    model.apply(changes, run_one)
    return started


def _resolve(eks, reads, params, current, configuration):
    """The exact version to install or keep (None: leave the installed one), after checking the configuration
    values and pod identity associations against that version's schema. ``reads``: the cluster's ClusterReads."""
    name = params["name"]
    installed = current.get("addonVersion") if current else None
    # An omitted version leaves an installed add-on as it is, and installs the default otherwise.
    requested = params["version"] if params["version"] is not None else ("default" if current is None else None)
    version = installed
    if requested is not None and installed and _bare(requested.strip()) == _bare(installed):
        # The installed version asked for by its exact name: it is what resolve_version answers, catalogue or not.
        version = installed
    elif requested is not None:
        kubernetes_version = reads.cluster().get("version")
        versions = compatible_versions(reads.versions(name), name, kubernetes_version)
        version = resolve_version(requested, versions, name, kubernetes_version, current=installed)
        check_downgrade(name, installed, version)
    if configuration or params["pod_identity_associations"]:
        schema = api.describe_addon_configuration(eks, name, version)
        validate_configuration(configuration, schema.get("configurationSchema"), name, version)
        validate_associations(params["pod_identity_associations"], schema.get("podIdentityConfiguration"), name,
                              version)  # fmt: skip
    return version if requested is not None else None


def reconcile(module, eks, params, cluster=None):
    """Bring one add-on to ``params`` (eks_addon's options) with the EKS client ``eks`` and return its outcome
    (``change.outcome``: changed, changes, addon, updates, diff in diff mode) without exiting.

    ``module`` gives check and diff mode (``check_mode``, ``_diff``); ``cluster`` is the described cluster when the
    caller has it already, or the ClusterReads a module reconciling several add-ons of one cluster shares between
    them; otherwise the cluster is described when needed (a cluster without the add-on, a version to resolve).
    """
    cluster_name, name = params["cluster_name"], params["name"]
    configuration = validate_params(params)
    deadline = Deadline(params["wait_timeout"])
    check_mode = module.check_mode

    reads = cluster if isinstance(cluster, ClusterReads) else ClusterReads(eks, cluster_name, cluster)
    current = api.describe_addon(eks, cluster_name, name)
    if current is None:
        reads.cluster()  # no add-on: the cluster must exist
    if params["state"] == "absent":
        before = normalize(current, describe_associations(eks, cluster_name, current)) if current else {}
        changes = plan(before, None, cluster_name, name, state="absent", preserve=params["preserve"])
        if changes and not check_mode:
            apply(eks, changes, cluster_name, name, params["wait"], deadline)
        if current and params["wait"] != "none" and not check_mode:
            _wait_addon(eks, "addon_deleted", deadline, cluster_name, name, "to be deleted")
        return model.outcome(module, "addon", {}, changes, before=before, view=diff_view, updates=[])

    if current and current.get("status") == "DELETING":
        # A deletion still in progress: the add-on can only be created again once it is gone.
        if not check_mode:
            _wait_addon(eks, "addon_deleted", deadline, cluster_name, name, "to finish deleting")
        current = None

    version = _resolve(eks, reads, params, current, configuration)
    desired = build_desired(params, version, configuration)
    before = normalize(current, describe_associations(eks, cluster_name, current)) if current else {}
    changes = plan(before, desired, cluster_name, name, purge_tags=params["purge_tags"],
                   resolve_conflicts=params["resolve_conflicts"])  # fmt: skip
    predicted = predict(before, changes, params["wait"])
    started = []
    if changes and not check_mode:
        started = apply(eks, changes, cluster_name, name, params["wait"], deadline, status=before.get("status"))
        after = describe_normalized(eks, cluster_name, name)
    else:
        after = predicted
    # An update not waited for shows its change only once it ends: the diff shows what it makes.
    shown = predicted if before and after.get("status") == "UPDATING" else after
    return model.outcome(module, "addon", after, changes, before=before, after=shown, view=diff_view,
                         updates=started)  # fmt: skip


def ensure_addon(module):
    """eks_addon: one add-on of ``module.params``, its outcome (``common.run`` exits with it)."""
    return reconcile(module, client(module, "eks"), module.params)


# ---------------------------------------------------------------- eks_addon_info
def installed_entry(addon, associations, versions):
    """An installed add-on as eks_addon_info returns it: with the newest compatible version, and whether it is newer."""
    entry = normalize(addon, associations)
    newest = versions[0]["version"] if versions else None
    entry["latest_version"] = newest
    entry["update_available"] = bool(newest and version_key(newest) > version_key(entry["version"]))
    return entry


def available_versions(catalogue, kubernetes_version):
    """Every add-on version of ``catalogue`` compatible with ``kubernetes_version`` (all when None), by add-on name
    and newest first, each with the add-on's name, type, publisher and owner."""
    available = []
    for name in sorted({a.get("addonName") for a in catalogue or []}):
        entry = next(a for a in catalogue if a.get("addonName") == name)
        for version in compatible_versions(catalogue, name, kubernetes_version) or []:
            extra = dict(name=name, type=entry.get("type"), publisher=entry.get("publisher"), owner=entry.get("owner"))
            available.append(dict(version, **extra))
    return available


def addon_info(module):
    p = module.params
    eks = client(module, "eks")
    kubernetes_version = p["kubernetes_version"]
    addons = []
    # A cluster that does not exist has no add-ons (as eks_nodegroup_info has no nodegroups for it).
    cluster = api.describe_cluster(eks, p["cluster_name"]) if p["cluster_name"] else None
    if cluster:
        kubernetes_version = kubernetes_version or cluster.get("version")
        names = api.list_addons(eks, p["cluster_name"])
        if p["name"]:
            names = [n for n in names if n == p["name"]]
        catalogue = api.describe_addon_versions(eks, kubernetesVersion=cluster.get("version")) if names else []
        for name in names:
            addon = api.describe_addon(eks, p["cluster_name"], name)
            if addon:
                versions = compatible_versions(catalogue, name, cluster.get("version"))
                addons.append(installed_entry(addon, describe_associations(eks, p["cluster_name"], addon), versions))

    available = []
    if p["name"] or p["kubernetes_version"]:
        query = {}
        if p["name"]:
            query["addonName"] = p["name"]
        if kubernetes_version:
            query["kubernetesVersion"] = kubernetes_version
        catalogue = api.describe_addon_versions(eks, **query)
        available = available_versions(catalogue, kubernetes_version)
        if p["name"] and not available and "kubernetesVersion" in query:
            # Known but not for this Kubernetes version, or not known at all: only the full catalogue tells.
            catalogue = api.describe_addon_versions(eks, addonName=p["name"])
        if p["name"] and compatible_versions(catalogue, p["name"], None) is None:
            raise EksError(message=f"Unknown add-on {p['name']!r}: DescribeAddonVersions has no add-on by that name")
    return dict(changed=False, addons=addons, addon_versions=available, kubernetes_version=kubernetes_version)
