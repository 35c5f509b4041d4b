# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS managed nodegroups on the one change model (``change``).

``build_desired(params, launch_template)`` (pure, validated), ``plan(current, desired)`` -> change records (create;
configuration update; version / launch template update; untag; tag) and ``plan_delete``, ``predict(current,
changes)`` (pure), ``apply`` (the ``api`` wrappers and the waits); ``ensure`` / ``nodegroup_info`` return the
module's result (``change.outcome``)."""

from __future__ import annotations

import copy
import re

from . import api
from . import change
from . import launch_template as templates
from .common import apply_tag_changes
from .common import client
from .common import described
from .common import drop_empty
from .common import raw_client
from .common import tag_changes
from .common import to_ansible
from .errors import EksError
from .vocabulary import TAINT_EFFECT_TO_EKS
from .waiters import Deadline
from .waiters import wait

# Kubernetes spells taint effects NoSchedule; the EKS API NO_SCHEDULE. Both are accepted.
TAINT_EFFECTS = TAINT_EFFECT_TO_EKS

# Scaling used when a nodegroup is created without `scaling` (eksctl's default).
DEFAULT_SCALING = {"min": 2, "max": 2, "desired": 2}

# The scaling options (as in the cluster definition) by the short keys used here, which are also their aliases.
SCALING_OPTIONS = {"min": "min_size", "max": "max_size", "desired": "desired_size"}

# Statuses during which EKS accepts no update: wait for them to end before changing anything.
BUSY_STATUSES = ("CREATING", "UPDATING")

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
_LT_VERSION_RE = re.compile(r"^(\d+|\$Default|\$Latest)$")


# ---------------------------------------------------------------- validation (pure)
def validate(params):
    """Fail on bad input, naming the field, before any AWS call."""
    scaling, names = sizes(params.get("scaling"))
    for key in ("min", "max", "desired"):
        value = scaling.get(key)
        if value is not None and value < 0:
            raise EksError(message=f"{names[key]} must be 0 or more, got {value}")
    if scaling.get("max") is not None and scaling["max"] < 1:
        raise EksError(message=f"{names['max']} must be 1 or more, got {scaling['max']}")
    check_scaling(scaling.get("min"), scaling.get("desired"), scaling.get("max"), names)

    update_config = params.get("update_config") or {}
    if update_config.get("max_unavailable") is not None and update_config["max_unavailable"] < 1:
        raise EksError(message="update_config.max_unavailable must be 1 or more")
    percentage = update_config.get("max_unavailable_percentage")
    if percentage is not None and not 1 <= percentage <= 100:
        raise EksError(message="update_config.max_unavailable_percentage must be between 1 and 100")

    launch_template = params.get("launch_template")
    if launch_template:
        if not (launch_template.get("id") or launch_template.get("name")):
            raise EksError(message="launch_template needs id or name")
        if launch_template.get("data") is not None:
            for key in ("id", "version"):
                if launch_template.get(key) is not None:
                    raise EksError(
                        message=f"launch_template.{key} cannot be given with launch_template.data: the template is "
                        "named by launch_template.name and the nodegroup takes the version this run makes or finds"
                    )
        version = launch_template.get("version")
        if version is not None and not _LT_VERSION_RE.match(str(version)):
            raise EksError(message=f"launch_template.version must be a number, $Default or $Latest, got {version!r}")
        for key in ("disk_size", "remote_access"):
            if params.get(key):
                raise EksError(message=f"{key} cannot be used with launch_template: set it in the launch template")

    if params.get("version") is not None and not _VERSION_RE.match(params["version"]):
        raise EksError(message=f"version must be a Kubernetes minor version such as 1.31, got {params['version']!r}")

    if params.get("disk_size") is not None and params["disk_size"] < 1:
        raise EksError(message="disk_size must be 1 GiB or more")

    normalize_taints(params.get("taints"))


def sizes(scaling):
    """(the sizes given, keyed min / max / desired; the field names as the user spelled them).

    The options are min_size, max_size and desired_size, as in the cluster definition and eksctl; min, max and
    desired are their aliases. Ansible leaves an alias the user wrote beside the option it stands for, so the
    messages name the field the way the user wrote it.
    """
    scaling = scaling or {}
    short = any(scaling.get(key) is not None for key in SCALING_OPTIONS)
    values, names = {}, {}
    for key, option in SCALING_OPTIONS.items():
        value = scaling.get(option)
        values[key] = scaling.get(key) if value is None else value
        names[key] = f"scaling.{key if short else option}"
    return values, names


def check_scaling(minimum, desired, maximum, names=None):
    """Raise unless min <= desired <= max (each may be None: only the given ones are compared)."""
    names = names or {key: f"scaling.{option}" for key, option in SCALING_OPTIONS.items()}
    if minimum is not None and maximum is not None and minimum > maximum:
        raise EksError(message=f"{names['min']} ({minimum}) must not be greater than {names['max']} ({maximum})")
    if desired is not None and minimum is not None and desired < minimum:
        raise EksError(message=f"{names['desired']} ({desired}) must not be less than {names['min']} ({minimum})")
    if desired is not None and maximum is not None and desired > maximum:
        raise EksError(message=f"{names['desired']} ({desired}) must not be greater than {names['max']} ({maximum})")


def parse_version(version):
    match = _VERSION_RE.match(str(version or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def max_version_skew(control_plane):
    """How many minor versions nodes may be behind the control plane.

    The Kubernetes version skew policy lets the kubelet be up to three minor versions older than the
    API server from 1.28 on, two before: https://kubernetes.io/releases/version-skew-policy/#kubelet
    """
    return 3 if control_plane >= (1, 28) else 2


def check_version(desired, cluster_version, current_version=None):
    """Raise when the nodegroup version is ahead of the control plane, too far behind, or a downgrade."""
    wanted = parse_version(desired)
    if wanted is None:
        return
    control_plane = parse_version(cluster_version)
    if control_plane is not None:
        if wanted > control_plane:
            raise EksError(
                message=f"version {desired} is ahead of the cluster's control plane ({cluster_version}): "
                "upgrade the control plane first"
            )
        skew = max_version_skew(control_plane)
        if wanted[0] == control_plane[0] and control_plane[1] - wanted[1] > skew:
            raise EksError(
                message=f"version {desired} is more than {skew} minor versions behind the control plane "
                f"({cluster_version}), which the Kubernetes version skew policy does not allow"
            )
    current = parse_version(current_version)
    if current is not None and wanted < current:
        raise EksError(
            message=f"version {desired} is older than the nodegroup's version {current_version}: "
            "nodegroups cannot be downgraded"
        )


# ---------------------------------------------------------------- labels, taints, scaling (pure)
def normalize_taints(taints):
    """User taints as EKS taints, with API effect names; None stays None."""
    if taints is None:
        return None
    result = []
    seen = set()
    for index, taint in enumerate(taints):
        key = taint.get("key")
        if not key:
            raise EksError(message=f"taints[{index}].key is required")
        effect = TAINT_EFFECTS.get(taint.get("effect"))
        if effect is None:
            raise EksError(
                message=f"taints[{index}].effect must be one of {', '.join(sorted(TAINT_EFFECTS))}, "
                f"got {taint.get('effect')!r}"
            )
        if (key, effect) in seen:
            raise EksError(message=f"taints: {key} with effect {effect} is given twice")
        seen.add((key, effect))
        item = {"key": key, "effect": effect}
        if taint.get("value") not in (None, ""):
            item["value"] = str(taint["value"])
        result.append(item)
    return result


def _taint_id(taint):
    return (taint["key"], taint.get("effect"))


def _taint_value(taint):
    return taint.get("value") or None


def label_changes(current, desired, purge):
    """The UpdateNodegroupConfig `labels` argument, or None when nothing changes."""
    if desired is None:
        return None
    current = current or {}
    desired = {str(k): str(v) for k, v in desired.items()}
    add = {k: v for k, v in desired.items() if current.get(k) != v}
    remove = sorted(k for k in current if k not in desired) if purge else []
    return _add_remove("addOrUpdateLabels", add, "removeLabels", remove)


def taint_changes(current, desired, purge):
    """The UpdateNodegroupConfig `taints` argument, or None; taints are identified by key and effect."""
    if desired is None:
        return None
    current = current or []
    by_id = {_taint_id(t): t for t in current}
    wanted_ids = {_taint_id(t) for t in desired}
    add = [t for t in desired if _taint_id(t) not in by_id or _taint_value(by_id[_taint_id(t)]) != _taint_value(t)]
    remove = []
    if purge:
        remove = [{"key": t["key"], "effect": t["effect"]} for t in current if _taint_id(t) not in wanted_ids]
    return _add_remove("addOrUpdateTaints", add, "removeTaints", remove)


def _add_remove(add_key, add, remove_key, remove):
    """An UpdateNodegroupConfig argument of what to add or update and what to remove, or None when neither."""
    return {key: value for key, value in ((add_key, add), (remove_key, remove)) if value} or None


def scaling_change(current, desired):
    """The UpdateNodegroupConfig `scalingConfig` argument, or None.

    Only the sizes given are compared; desiredSize is sent only when given, so that a cluster
    autoscaler's choice is kept. The resulting min <= desired <= max is checked against the current
    sizes for what is not given.
    """
    desired, names = sizes(desired)
    current = current or {}
    keys = {"min": "minSize", "max": "maxSize", "desired": "desiredSize"}
    given = {keys[k]: v for k, v in desired.items() if v is not None}
    if not given:
        return None
    if all(current.get(k) == v for k, v in given.items()):
        return None
    merged = dict(current, **given)
    if "desiredSize" not in given and merged.get("desiredSize") is not None:
        minimum, maximum, now = merged.get("minSize"), merged.get("maxSize"), merged["desiredSize"]
        if (minimum is not None and now < minimum) or (maximum is not None and now > maximum):
            raise EksError(
                message=f"the nodegroup's current desired size {now} is outside the new range "
                f"{minimum}..{maximum}: set {names['desired']} too"
            )
    check_scaling(merged.get("minSize"), merged.get("desiredSize"), merged.get("maxSize"), names)
    change = {"minSize": merged.get("minSize"), "maxSize": merged.get("maxSize")}
    if "desiredSize" in given:
        change["desiredSize"] = given["desiredSize"]
    return {k: v for k, v in change.items() if v is not None}


def update_config_change(current, desired):
    """The UpdateNodegroupConfig `updateConfig` argument, or None."""
    if not desired:
        return None
    wanted = {}
    if desired.get("max_unavailable") is not None:
        wanted["maxUnavailable"] = desired["max_unavailable"]
    if desired.get("max_unavailable_percentage") is not None:
        wanted["maxUnavailablePercentage"] = desired["max_unavailable_percentage"]
    if not wanted:
        return None
    current = current or {}
    if all(current.get(k) == v for k, v in wanted.items()):
        return None
    return wanted


def node_repair_change(current, desired):
    """The UpdateNodegroupConfig `nodeRepairConfig` argument, or None."""
    if desired is None:
        return None
    if bool((current or {}).get("enabled")) == desired:
        return None
    return {"enabled": desired}


# ---------------------------------------------------------------- desired state (pure)
# The options of the module that say what the nodegroup should be (wait, state ... say how to get there).
DESIRED_OPTIONS = (
    "cluster_name",
    "name",
    "node_role_arn",
    "subnet_ids",
    "instance_types",
    "ami_type",
    "capacity_type",
    "scaling",
    "disk_size",
    "labels",
    "purge_labels",
    "taints",
    "purge_taints",
    "update_config",
    "remote_access",
    "version",
    "release_version",
    "force_update",
    "node_repair",
    "tags",
    "purge_tags",
)


def build_desired(params, launch_template=None):
    """What the user asked for: the module's options (those not given are None and left as they are), validated,
    labels as strings, taints with EKS effect names, and ``launch_template`` as ``resolve_launch_template`` found
    it (id, name, version or None, default_version). Raises EksError on bad input."""
    validate(params)
    desired = {option: copy.deepcopy(params.get(option)) for option in DESIRED_OPTIONS}
    if desired["labels"] is not None:
        desired["labels"] = {str(k): str(v) for k, v in desired["labels"].items()}
    desired["taints"] = normalize_taints(params.get("taints"))
    desired["launch_template"] = copy.deepcopy(launch_template) if launch_template else None
    return desired


# ---------------------------------------------------------------- create and update plans (pure)
def build_create(desired):
    """CreateNodegroup parameters from the desired nodegroup (``build_desired``)."""
    params = desired
    launch_template = desired.get("launch_template")
    request = {
        "clusterName": params["cluster_name"],
        "nodegroupName": params["name"],
        "nodeRole": params["node_role_arn"],
        "subnets": list(params["subnet_ids"]),
    }
    given, names = sizes(params.get("scaling"))
    scaling = {k: v for k, v in given.items() if v is not None}
    if not scaling:
        scaling = dict(DEFAULT_SCALING)
    if "min" not in scaling or "max" not in scaling:
        raise EksError(message=f"{names['min']} and {names['max']} are both needed to create a nodegroup")
    scaling.setdefault("desired", scaling["min"])
    check_scaling(scaling["min"], scaling["desired"], scaling["max"], names)
    request["scalingConfig"] = {"minSize": scaling["min"], "maxSize": scaling["max"], "desiredSize": scaling["desired"]}

    simple = {
        "instance_types": "instanceTypes",
        "ami_type": "amiType",
        "capacity_type": "capacityType",
        "disk_size": "diskSize",
        "version": "version",
        "release_version": "releaseVersion",
    }
    for option, key in simple.items():
        if params.get(option) is not None:
            request[key] = params[option]
    if params.get("labels"):
        request["labels"] = dict(params["labels"])
    taints = params.get("taints")
    if taints:
        request["taints"] = taints
    if params.get("tags"):
        request["tags"] = dict(params["tags"])
    update_config = update_config_change({}, params.get("update_config"))
    if update_config:
        request["updateConfig"] = update_config
    if params.get("node_repair") is not None:
        request["nodeRepairConfig"] = {"enabled": params["node_repair"]}
    remote = params.get("remote_access")
    if remote:
        request["remoteAccess"] = {}
        if remote.get("ec2_ssh_key"):
            request["remoteAccess"]["ec2SshKey"] = remote["ec2_ssh_key"]
        if remote.get("source_security_groups"):
            request["remoteAccess"]["sourceSecurityGroups"] = list(remote["source_security_groups"])
    if launch_template:
        request["launchTemplate"] = {"id": launch_template["id"]}
        if launch_template.get("version"):
            request["launchTemplate"]["version"] = launch_template["version"]
    return request


def predict_created(request, cluster_version=None):
    """The nodegroup DescribeNodegroup would return right after CreateNodegroup with ``request``."""
    nodegroup = {k: copy.deepcopy(v) for k, v in request.items() if k not in ("nodeRole", "subnets")}
    nodegroup.update(
        nodeRole=request["nodeRole"],
        subnets=list(request["subnets"]),
        status="CREATING",
        labels=request.get("labels", {}),
        taints=request.get("taints", []),
        tags=request.get("tags", {}),
        health={"issues": []},
    )
    # What EKS sets when the request leaves them out.
    nodegroup.setdefault("version", cluster_version)
    nodegroup.setdefault("capacityType", "ON_DEMAND")
    nodegroup.setdefault("updateConfig", {"maxUnavailable": 1})
    nodegroup.setdefault("nodeRepairConfig", {"enabled": False})
    return nodegroup


def immutable_differences(current, desired):
    """Attributes given that differ from the nodegroup and cannot change in place, as readable strings."""
    params = desired
    launch_template = desired.get("launch_template")
    found = []

    def differ(option, have, want):
        found.append(f"{option} (is {have!r}, asked {want!r})")

    if params.get("node_role_arn") and params["node_role_arn"] != current.get("nodeRole"):
        differ("node_role_arn", current.get("nodeRole"), params["node_role_arn"])
    if params.get("subnet_ids") and set(params["subnet_ids"]) != set(current.get("subnets") or []):
        differ("subnet_ids", sorted(current.get("subnets") or []), sorted(params["subnet_ids"]))
    if params.get("instance_types") and set(params["instance_types"]) != set(current.get("instanceTypes") or []):
        differ("instance_types", current.get("instanceTypes"), params["instance_types"])
    for option, key in (("ami_type", "amiType"), ("capacity_type", "capacityType")):
        if params.get(option) and params[option] != current.get(key):
            differ(option, current.get(key), params[option])
    if params.get("disk_size") is not None and str(params["disk_size"]) != str(current.get("diskSize")):
        differ("disk_size", current.get("diskSize"), params["disk_size"])
    remote = params.get("remote_access")
    if remote:
        have = current.get("remoteAccess") or {}
        if remote.get("ec2_ssh_key") and remote["ec2_ssh_key"] != have.get("ec2SshKey"):
            differ("remote_access.ec2_ssh_key", have.get("ec2SshKey"), remote["ec2_ssh_key"])
        groups = remote.get("source_security_groups")
        if groups is not None and set(groups) != set(have.get("sourceSecurityGroups") or []):
            differ("remote_access.source_security_groups", have.get("sourceSecurityGroups"), groups)
    if launch_template:
        have = current.get("launchTemplate") or {}
        wanted = launch_template.get("name") or launch_template.get("id")
        if not have:
            differ("launch_template", None, wanted)
        elif have.get("id") and have["id"] != launch_template.get("id"):
            differ("launch_template", have.get("name") or have["id"], wanted)
        elif not have.get("id") and have.get("name") != launch_template.get("name"):
            differ("launch_template", have.get("name"), wanted)
    return found


def config_changes(current, desired):
    """The UpdateNodegroupConfig arguments (besides names) this run needs, or {}."""
    params = desired
    change = {}
    labels = label_changes(current.get("labels"), params.get("labels"), params.get("purge_labels"))
    if labels:
        change["labels"] = labels
    taints = taint_changes(current.get("taints"), params.get("taints"), params.get("purge_taints"))
    if taints:
        change["taints"] = taints
    scaling = scaling_change(current.get("scalingConfig"), params.get("scaling"))
    if scaling:
        change["scalingConfig"] = scaling
    update_config = update_config_change(current.get("updateConfig"), params.get("update_config"))
    if update_config:
        change["updateConfig"] = update_config
    repair = node_repair_change(current.get("nodeRepairConfig"), params.get("node_repair"))
    if repair:
        change["nodeRepairConfig"] = repair
    return change


def version_changes(current, desired):
    """The UpdateNodegroupVersion arguments (besides names) this run needs, or {}."""
    params = desired
    launch_template = desired.get("launch_template")
    change = {}
    if params.get("version") and params["version"] != current.get("version"):
        change["version"] = params["version"]
    if params.get("release_version") and params["release_version"] != current.get("releaseVersion"):
        change["releaseVersion"] = params["release_version"]
    if launch_template and launch_template.get("version"):
        have = current.get("launchTemplate") or {}
        if str(have.get("version")) != str(launch_template["version"]):
            change["launchTemplate"] = {"id": launch_template["id"], "version": str(launch_template["version"])}
    if change and params.get("force_update"):
        change["force"] = True
    return change


def apply_config(nodegroup, change):
    """``nodegroup`` as it is once UpdateNodegroupConfig with ``change`` is done."""
    result = copy.deepcopy(nodegroup)
    labels = change.get("labels")
    if labels:
        result["labels"] = dict(result.get("labels") or {})
        for key in labels.get("removeLabels", []):
            result["labels"].pop(key, None)
        result["labels"].update(labels.get("addOrUpdateLabels", {}))
    taints = change.get("taints")
    if taints:
        touched = {_taint_id(t) for t in taints.get("addOrUpdateTaints", []) + taints.get("removeTaints", [])}
        kept = [t for t in result.get("taints") or [] if _taint_id(t) not in touched]
        result["taints"] = kept + copy.deepcopy(taints.get("addOrUpdateTaints", []))
    if change.get("scalingConfig"):
        result["scalingConfig"] = dict(result.get("scalingConfig") or {}, **change["scalingConfig"])
    if change.get("updateConfig"):
        result["updateConfig"] = dict(change["updateConfig"])
    if change.get("nodeRepairConfig"):
        result["nodeRepairConfig"] = dict(result.get("nodeRepairConfig") or {}, **change["nodeRepairConfig"])
    return result


def apply_version(nodegroup, change):
    """``nodegroup`` as it is once UpdateNodegroupVersion with ``change`` is done (as far as it is known)."""
    result = copy.deepcopy(nodegroup)
    for key in ("version", "releaseVersion"):
        if key in change:
            result[key] = change[key]
    if "launchTemplate" in change:
        result["launchTemplate"] = dict(result.get("launchTemplate") or {}, version=change["launchTemplate"]["version"])
    return result


# ---------------------------------------------------------------- change records (pure)
NAME_KEYS = ("clusterName", "nodegroupName")


def _resource(desired):
    return f"nodegroup {desired['name']} of cluster {desired['cluster_name']}"


def _names(desired):
    return {"clusterName": desired["cluster_name"], "nodegroupName": desired["name"]}


def arguments(record):
    """The arguments of an update record's call besides the cluster and nodegroup names."""
    return {k: copy.deepcopy(v) for k, v in record["params"].items() if k not in NAME_KEYS}


def _show(value):
    return "-" if value is None else str(value)


def _config_why(current, config):
    parts = []
    labels = config.get("labels") or {}
    have = current.get("labels") or {}
    for key, value in sorted((labels.get("addOrUpdateLabels") or {}).items()):
        parts.append(f"label {key}: {_show(have.get(key))} -> {value}")
    for key in labels.get("removeLabels") or []:
        parts.append(f"label {key} removed")
    taints = config.get("taints") or {}
    for taint in taints.get("addOrUpdateTaints") or []:
        value = f"={taint['value']}" if taint.get("value") else ""
        parts.append(f"taint {taint['key']}{value}:{taint['effect']} set")
    for taint in taints.get("removeTaints") or []:
        parts.append(f"taint {taint['key']}:{taint['effect']} removed")
    scaling = config.get("scalingConfig") or {}
    have = current.get("scalingConfig") or {}
    for key, option in (("minSize", "min_size"), ("maxSize", "max_size"), ("desiredSize", "desired_size")):
        if key in scaling and scaling[key] != have.get(key):
            parts.append(f"scaling.{option} {_show(have.get(key))} -> {scaling[key]}")
    update_config = config.get("updateConfig") or {}
    have = current.get("updateConfig") or {}
    for key, option in (
        ("maxUnavailable", "max_unavailable"),
        ("maxUnavailablePercentage", "max_unavailable_percentage"),
    ):
        if key in update_config:
            parts.append(f"update_config.{option} {_show(have.get(key))} -> {update_config[key]}")
    if "nodeRepairConfig" in config:
        have = bool((current.get("nodeRepairConfig") or {}).get("enabled"))
        parts.append(f"node_repair {have} -> {config['nodeRepairConfig']['enabled']}")
    return "; ".join(parts)


def _version_why(current, version, launch_template):
    parts = []
    if "version" in version:
        parts.append(f"Kubernetes {_show(current.get('version'))} -> {version['version']}")
    if "releaseVersion" in version:
        parts.append(f"AMI release {_show(current.get('releaseVersion'))} -> {version['releaseVersion']}")
    if "launchTemplate" in version:
        name = (launch_template or {}).get("name") or version["launchTemplate"]["id"]
        have = (current.get("launchTemplate") or {}).get("version")
        parts.append(f"launch template {name} version {_show(have)} -> {version['launchTemplate']['version']}")
    why = "; ".join(parts) + " (replaces every node of the nodegroup)"
    return why + (", force_update: pods that cannot be drained are evicted" if version.get("force") else "")


def plan(current, desired, cluster_version=None):
    """The ordered change records that bring ``current`` (DescribeNodegroup, None when there is none) to
    ``desired`` (``build_desired``).

    No nodegroup: one create (CreateNodegroup). Otherwise: the configuration update (labels, taints, scaling,
    update config, node repair; made in place), the version update (Kubernetes version, AMI release, launch
    template version; replaces the nodes), then the tags. Raises EksError, before any change, for a nodegroup
    CREATE_FAILED, for attributes that cannot change in place, and for what creation lacks.
    """
    resource = _resource(desired)
    if current is None:
        missing = [o for o in ("node_role_arn", "subnet_ids") if not desired.get(o)]
        if missing:
            raise EksError(message=f"{' and '.join(missing)} needed to create nodegroup {desired['name']}")
        launch_template = desired.get("launch_template")
        if launch_template and not launch_template.get("version"):
            desired = dict(desired, launch_template=dict(launch_template, version=launch_template["default_version"]))
        request = build_create(desired)
        sizes = request["scalingConfig"]
        count = f"{sizes['desiredSize']} node" + ("" if sizes["desiredSize"] == 1 else "s")
        why = f"no nodegroup {desired['name']}: {count} ({sizes['minSize']}..{sizes['maxSize']})"
        return [
            change.change(
                resource,
                "create",
                why,
                call="create_nodegroup",
                params=request,
                kind="create",
                cluster_version=cluster_version,
                launch_template_name=(launch_template or {}).get("name"),
            )
        ]

    if current.get("status") == "CREATE_FAILED":
        raise EksError(
            message=f"nodegroup {desired['name']} is CREATE_FAILED ({_health_text(current)}): "
            "delete it (state=absent) and create it again",
            details=_health_details(current),
        )
    wrong = immutable_differences(current, desired)
    if wrong:
        raise EksError(
            message=f"nodegroup {desired['name']} cannot change in place: {'; '.join(wrong)}. "
            "These need a new nodegroup (another name, then delete this one)"
        )

    changes = []
    names = _names(desired)
    config = config_changes(current, desired)
    if config:
        changes.append(
            change.change(resource, "update", _config_why(current, config), call="update_nodegroup_config",
                          params=dict(names, **config), kind="config")  # fmt: skip
        )
    version = version_changes(current, desired)
    if version:
        why = _version_why(current, version, desired.get("launch_template"))
        changes.append(
            change.change(resource, "update", why, call="update_nodegroup_version", params=dict(names, **version),
                          kind="version", replaces_nodes=True)  # fmt: skip
        )
    have_tags = current.get("tags") or {}
    to_set, to_remove = tag_changes(have_tags, desired.get("tags"), desired.get("purge_tags"))
    arn = current.get("nodegroupArn")
    if to_remove:
        changes.append(
            change.change(resource, "untag", "tags removed: " + ", ".join(sorted(to_remove)), call="untag_resource",
                          params={"arn": arn, "keys": sorted(to_remove)}, kind="untag")  # fmt: skip
        )
    if to_set:
        why = "tags " + "; ".join(f"{k}: {_show(have_tags.get(k))} -> {v}" for k, v in sorted(to_set.items()))
        changes.append(
            change.change(resource, "tag", why, call="tag_resource", params={"arn": arn, "tags": to_set}, kind="tag")
        )
    return changes


def plan_delete(current, desired):
    """The change records of ``state=absent``: none when the nodegroup is gone or already being deleted."""
    if current is None or current.get("status") == "DELETING":
        return []
    return [
        change.change(
            _resource(desired),
            "delete",
            "state=absent",
            call="delete_nodegroup",
            params={"cluster_name": desired["cluster_name"], "name": desired["name"]},
            kind="delete",
        )
    ]


def predict(current, changes):
    """The nodegroup (DescribeNodegroup shape) as it will be once ``changes`` are made; None once deleted. Pure."""
    nodegroup = copy.deepcopy(current)
    for record in changes:
        kind = record["kind"]
        if kind == "create":
            nodegroup = predict_created(record["params"], record.get("cluster_version"))
            if record.get("launch_template_name") and "launchTemplate" in nodegroup:
                nodegroup["launchTemplate"]["name"] = record["launch_template_name"]
        elif kind == "delete":
            nodegroup = None
        elif kind == "config":
            nodegroup = apply_config(nodegroup, arguments(record))
        elif kind == "version":
            nodegroup = apply_version(nodegroup, arguments(record))
        elif kind == "untag":
            nodegroup = dict(nodegroup, tags=apply_tag_changes(nodegroup.get("tags"), {}, record["params"]["keys"]))
        elif kind == "tag":
            nodegroup = dict(nodegroup, tags=apply_tag_changes(nodegroup.get("tags"), record["params"]["tags"], []))
    return nodegroup


def diff_view(nodegroup):
    """What ``--diff`` shows of a nodegroup (DescribeNodegroup shape): the returned nodegroup's keys the user
    controls, lists sorted; nothing only AWS sets (status, health, resources, ARNs, timestamps)."""
    if not nodegroup:
        return {}
    template = nodegroup.get("launchTemplate") or {}
    remote = nodegroup.get("remoteAccess") or {}
    scaling = nodegroup.get("scalingConfig") or {}
    update_config = nodegroup.get("updateConfig") or {}
    taints = sorted(
        (
            {k: t[k] for k in ("key", "value", "effect") if t.get(k) not in (None, "")}
            for t in nodegroup.get("taints") or []
        ),
        key=lambda t: (t["key"], t.get("effect") or "", t.get("value") or ""),
    )
    view = {
        "nodegroup_name": nodegroup.get("nodegroupName"),
        "node_role": nodegroup.get("nodeRole"),
        "subnets": sorted(nodegroup.get("subnets") or []),
        "instance_types": sorted(nodegroup.get("instanceTypes") or []),
        "ami_type": nodegroup.get("amiType"),
        "capacity_type": nodegroup.get("capacityType"),
        "disk_size": nodegroup.get("diskSize"),
        "scaling_config": {
            k: scaling.get(c)
            for k, c in (("min_size", "minSize"), ("max_size", "maxSize"), ("desired_size", "desiredSize"))
        },
        "update_config": {
            "max_unavailable": update_config.get("maxUnavailable"),
            "max_unavailable_percentage": update_config.get("maxUnavailablePercentage"),
        },
        "node_repair_config": {"enabled": (nodegroup.get("nodeRepairConfig") or {}).get("enabled")},
        "labels": dict(sorted((nodegroup.get("labels") or {}).items())),
        "taints": taints,
        "launch_template": {
            "name": template.get("name"),
            "id": None if template.get("name") else template.get("id"),
            "version": None if template.get("version") is None else str(template["version"]),
        },
        "remote_access": {
            "ec2_ssh_key": remote.get("ec2SshKey"),
            "source_security_groups": sorted(remote.get("sourceSecurityGroups") or []),
        },
        "version": nodegroup.get("version"),
        "release_version": nodegroup.get("releaseVersion"),
        "tags": dict(sorted((nodegroup.get("tags") or {}).items())),
    }
    return drop_empty(view)


# ---------------------------------------------------------------- apply (AWS calls)
def known_launch_template(current, launch_template):
    """The launch template asked for by id and version number as the nodegroup already uses it (DescribeNodegroup
    names its id, name and version), or None: it must be read (resolve_launch_template)."""
    have = (current or {}).get("launchTemplate") or {}
    version = str(launch_template.get("version") or "")
    if not (launch_template.get("id") and version.isdigit() and have.get("id") == launch_template["id"]):
        return None
    if str(have.get("version")) != version:
        return None
    return {"id": have["id"], "name": have.get("name"), "version": version, "default_version": None}


# What eks_nodegroup returns of the launch template it converged (launch_template.data), as eks_launch_template does.
TEMPLATE_KEYS = ("launch_template", "version", "new_version", "created", "differences", "deleted_versions")


def converge_launch_template(module, spec):
    """With ``launch_template.data``: the template converged in this run as eks_launch_template does (made, or given
    a new default version when the data differ from its default version's), before the nodegroup is compared; its
    result, and the template as the nodegroup then asks for it (``version``: the default version, a string; in check
    mode a template still to be made has no ``id``)."""
    made = templates.ensure(
        module,
        {
            "name": spec["name"],
            "launch_template_data": spec["data"],
            "version_description": spec.get("version_description") or "",
            "tags": spec.get("tags"),
            "purge_tags": False,
            "keep_versions": templates.DEFAULT_KEEP_VERSIONS,
            "state": "present",
        },
    )
    template = made["launch_template"]
    version = str(made["version"])
    return made, {"id": template["id"], "name": template["name"], "version": version, "default_version": version}


def with_launch_template(result, made):
    """The nodegroup's result with what the run did to its launch template (``made``, or None): the template's
    result under ``launch_template``, its changes before the nodegroup's, and in diff mode both diffs."""
    if made is None:
        return result
    result = dict(result, launch_template={key: made[key] for key in TEMPLATE_KEYS})
    result["changes"] = made["changes"] + result["changes"]
    result["changed"] = bool(result["changes"])
    if "diff" in made and "diff" in result:
        result["diff"] = [dict(made["diff"], before_header="launch template"), dict(result["diff"], before_header="nodegroup")]
    return result


def resolve_launch_template(ec2, launch_template):
    """id, name and version number (as a string, or None when not given) of the launch template asked for."""
    if not launch_template:
        return None
    wanted = launch_template.get("id") or launch_template.get("name")
    found = api.describe_launch_templates(ec2, template_id=launch_template.get("id"), name=launch_template.get("name"))
    if not found:
        raise EksError(message=f"launch_template: no launch template {wanted} was found")
    template = found[0]
    resolved = {
        "id": template["LaunchTemplateId"],
        "name": template["LaunchTemplateName"],
        "version": None,
        "default_version": str(template["DefaultVersionNumber"]),
    }
    version = launch_template.get("version")
    if version is None:
        return resolved
    version = str(version)
    if version == "$Default":
        resolved["version"] = str(template["DefaultVersionNumber"])
    elif version == "$Latest":
        resolved["version"] = str(template["LatestVersionNumber"])
    else:
        if int(version) < 1 or int(version) > int(template["LatestVersionNumber"]):
            raise EksError(
                message=f"launch_template.version {version} does not exist in {wanted} "
                f"(latest is {template['LatestVersionNumber']})"
            )
        if not api.describe_launch_template_versions(ec2, [version], template_id=resolved["id"]):
            raise EksError(message=f"launch_template.version {version} does not exist in {wanted}")
        resolved["version"] = version
    return resolved


def _wait_nodegroup(eks, params, deadline, goal, what):
    """Wait for the nodegroup to reach ``goal`` (the waiter nodegroup_<goal>); ``what`` says it in the message."""
    wait(
        raw_client(eks),
        f"nodegroup_{goal}",
        deadline.remaining(),
        f"nodegroup {params['name']} {what}",
        clusterName=params["cluster_name"],
        nodegroupName=params["name"],
    )


def _wait_active(eks, params, deadline):
    _wait_nodegroup(eks, params, deadline, "active", "to be ACTIVE")


def _wait_update(eks, params, update, deadline):
    try:
        wait(
            raw_client(eks),
            "update_successful",
            deadline.remaining(),
            f"update {update['id']} ({update.get('type')}) of nodegroup {params['name']} to succeed",
            name=params["cluster_name"],
            updateId=update["id"],
            nodegroupName=params["name"],
        )
    except EksError as e:
        # A failed update leaves the nodegroup DEGRADED with its own health issues, which say more
        # (the codes) than the update's errors do.
        nodegroup = _describe(eks, params)
        issues = _health_details(nodegroup)
        if issues:
            e.message = f"{e.message}; nodegroup {(nodegroup or {}).get('status')}: {_health_text(nodegroup)}"
            e.kwargs["health_issues"] = issues
        raise


def _describe(eks, params):
    return api.describe_nodegroup(eks, params["cluster_name"], params["name"])


def _health_details(nodegroup):
    return list(((nodegroup or {}).get("health") or {}).get("issues") or [])


def _health_text(nodegroup):
    issues = _health_details(nodegroup)
    return "; ".join(f"{i.get('code')}: {i.get('message')}" for i in issues) or "no health issues reported"


def _wait_deleted(eks, params, deadline, what="to be deleted"):
    _wait_nodegroup(eks, params, deadline, "deleted", what)


def apply(eks, desired, changes, deadline, do_wait):
    """Make ``changes`` in order and wait as each needs; the updates started (``id`` and ``type``), for
    aews.eks.eks_wait to follow after wait=false.

    An update is waited for before the next one (EKS takes one at a time), the last one only with ``do_wait``;
    with ``do_wait`` the nodegroup is then waited for ACTIVE. A create and a delete are waited for with ``do_wait``.
    """
    started = []
    left = sum(1 for c in changes if c["kind"] in ("config", "version"))
    for record in changes:
        response = getattr(api, record["call"])(eks, **record["params"])
        if record["kind"] in ("config", "version"):
            left -= 1
            started.append({"id": response["id"], "type": response.get("type")})
            if do_wait or left:
                _wait_update(eks, desired, response, deadline)
        elif record["kind"] == "create" and do_wait:
            _wait_active(eks, desired, deadline)
        elif record["kind"] == "delete" and do_wait:
            _wait_deleted(eks, desired, deadline)
    if started and do_wait:
        _wait_active(eks, desired, deadline)
    return started


def outcome(module, resource, changes, before, after, **extra):
    """The module's result: ``resource`` (DescribeNodegroup shape, or None) under ``nodegroup``, and the diff of
    ``before`` and ``after`` through ``diff_view``."""
    shaped = to_ansible(resource) if resource else {}
    return change.outcome(module, "nodegroup", shaped, changes, before=before, after=after or {}, view=diff_view,
                          **extra)  # fmt: skip


def ensure(module):
    params = module.params
    validate(params)
    eks = client(module, "eks")
    deadline = Deadline(params["wait_timeout"])
    current = _describe(eks, params)

    if params["state"] == "absent":
        return ensure_absent(module, eks, build_desired(params), current, deadline)

    # The cluster's version is needed to create the nodegroup or check the version asked for; a nodegroup that is
    # there tells the cluster exists.
    cluster = None
    if current is None or current.get("status") == "DELETING" or params.get("version"):
        cluster = api.describe_cluster(eks, params["cluster_name"])
        if cluster is None:
            raise EksError(message=f"cluster {params['cluster_name']} was not found")
    check_version(params.get("version"), (cluster or {}).get("version"), (current or {}).get("version"))
    launch_template, made = None, None
    if (params.get("launch_template") or {}).get("data") is not None:
        made, launch_template = converge_launch_template(module, params["launch_template"])
    elif params.get("launch_template"):
        launch_template = known_launch_template(current, params["launch_template"]) or resolve_launch_template(
            client(module, "ec2"), params["launch_template"]
        )
    desired = build_desired(params, launch_template)
    return with_launch_template(_converge(module, eks, params, desired, current, cluster, deadline), made)


def _converge(module, eks, params, desired, current, cluster, deadline):
    """The nodegroup made (after a deletion in progress) or brought to ``desired``."""
    if current is not None and current.get("status") == "DELETING":
        if not module.check_mode:
            _wait_deleted(eks, params, deadline, "to be deleted before it is created again")
        current = None

    if current is None:
        changes = plan(None, desired, cluster.get("version"))
        if module.check_mode:
            predicted = predict(None, changes)
            return outcome(module, predicted, changes, None, predicted)
        apply(eks, desired, changes, deadline, params["wait"])
        created = _describe(eks, params)
        return outcome(module, created, changes, None, created)
    return ensure_updated(module, eks, desired, current, deadline)


def ensure_updated(module, eks, desired, current, deadline):
    do_wait = module.params["wait"]
    changes = plan(current, desired)
    waited = False
    if current.get("status") in BUSY_STATUSES and (changes or do_wait):
        # EKS takes one update at a time, and shows an update's result only once it is done: a nodegroup
        # still busy from an earlier run is waited for, then compared again.
        _wait_active(eks, desired, deadline)
        waited = True
        current = _describe(eks, desired)
        changes = plan(current, desired)

    predicted = predict(current, changes)
    if module.check_mode:
        return outcome(module, predicted, changes, current, predicted)

    started = apply(eks, desired, changes, deadline, do_wait)
    after = _describe(eks, desired) if changes or waited else current
    # An update not waited for shows its change only once it ends: the diff shows what it makes.
    shown = after
    if after and after.get("status") in BUSY_STATUSES:
        shown = dict(predicted, tags=after.get("tags"))
    return outcome(module, after, changes, current, shown, updates=started)


def ensure_absent(module, eks, desired, current, deadline):
    changes = plan_delete(current, desired)
    if module.check_mode:
        return outcome(module, None, changes, current, None)
    apply(eks, desired, changes, deadline, module.params["wait"])
    if current is not None and not changes and module.params["wait"]:
        # Deleted by an earlier run: wait for the end of it.
        _wait_deleted(eks, desired, deadline)
    return outcome(module, None, changes, current, None)


def nodegroup_info(module):
    """The nodegroups of a cluster (or the one named), described."""
    params = module.params
    eks = client(module, "eks")
    found = described(params.get("name"), lambda: api.list_nodegroups(eks, params["cluster_name"]),
                      lambda name: api.describe_nodegroup(eks, params["cluster_name"], name))  # fmt: skip
    return dict(changed=False, nodegroups=[to_ansible(nodegroup) for nodegroup in found])
