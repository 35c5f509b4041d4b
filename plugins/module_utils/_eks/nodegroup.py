# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS managed nodegroups: build the request (pure), plan the changes (pure), apply them (api only)."""

from __future__ import annotations

import copy
import re

from . import api
from .common import Result
from .common import apply_tag_changes
from .common import client
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
    change = {}
    if add:
        change["addOrUpdateLabels"] = add
    if remove:
        change["removeLabels"] = remove
    return change or None


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
    change = {}
    if add:
        change["addOrUpdateTaints"] = add
    if remove:
        change["removeTaints"] = remove
    return change or None


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


# ---------------------------------------------------------------- create and update plans (pure)
def build_create(params, launch_template=None):
    """CreateNodegroup parameters from module params (validated) and the resolved launch template."""
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
        request["labels"] = {str(k): str(v) for k, v in params["labels"].items()}
    taints = normalize_taints(params.get("taints"))
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


def immutable_differences(current, params, launch_template=None):
    """Attributes given that differ from the nodegroup and cannot change in place, as readable strings."""
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


def config_changes(current, params):
    """The UpdateNodegroupConfig arguments (besides names) this run needs, or {}."""
    change = {}
    labels = label_changes(current.get("labels"), params.get("labels"), params.get("purge_labels"))
    if labels:
        change["labels"] = labels
    taints = taint_changes(current.get("taints"), normalize_taints(params.get("taints")), params.get("purge_taints"))
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


def version_changes(current, params, launch_template=None):
    """The UpdateNodegroupVersion arguments (besides names) this run needs, or {}."""
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


def _drop_empty(value):
    if isinstance(value, dict):
        value = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in value.items() if v not in (None, {}, [])}
    return value


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
    return _drop_empty(view)


def _exit(result, resource, before, after, **extra):
    """Exit with ``resource`` (DescribeNodegroup shape, or None) as the module's result, and a diff of ``before``
    and ``after`` through ``diff_view``."""
    out = dict(changed=result.changed, nodegroup=to_ansible(resource) if resource else {}, **extra)
    if result.module._diff:
        out["diff"] = {"before": diff_view(before), "after": diff_view(after)}
    result.module.exit_json(**out)


# ---------------------------------------------------------------- apply (AWS calls)
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


def _wait_active(eks, params, deadline):
    wait(
        raw_client(eks),
        "nodegroup_active",
        deadline.remaining(),
        f"nodegroup {params['name']} to be ACTIVE",
        clusterName=params["cluster_name"],
        nodegroupName=params["name"],
    )


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


def ensure(module):
    params = module.params
    result = Result(module)
    validate(params)
    eks = client(module, "eks")
    deadline = Deadline(params["wait_timeout"])
    current = _describe(eks, params)

    if params["state"] == "absent":
        return ensure_absent(eks, result, params, current, deadline)

    cluster = api.describe_cluster(eks, params["cluster_name"])
    if cluster is None:
        raise EksError(message=f"cluster {params['cluster_name']} was not found")
    check_version(params.get("version"), cluster.get("version"), (current or {}).get("version"))
    launch_template = None
    if params.get("launch_template"):
        launch_template = resolve_launch_template(client(module, "ec2"), params["launch_template"])

    if current is not None and current.get("status") == "DELETING":
        if result.check_mode:
            current = None
        else:
            wait(
                raw_client(eks),
                "nodegroup_deleted",
                deadline.remaining(),
                f"nodegroup {params['name']} to be deleted before it is created again",
                clusterName=params["cluster_name"],
                nodegroupName=params["name"],
            )
            current = None

    if current is None:
        return ensure_created(eks, result, params, cluster, launch_template, deadline)
    return ensure_updated(eks, result, params, current, launch_template, deadline)


def ensure_created(eks, result, params, cluster, launch_template, deadline):
    missing = [o for o in ("node_role_arn", "subnet_ids") if not params.get(o)]
    if missing:
        raise EksError(message=f"{' and '.join(missing)} needed to create nodegroup {params['name']}")
    if launch_template and not launch_template.get("version"):
        launch_template = dict(launch_template, version=launch_template["default_version"])
    request = build_create(params, launch_template)
    if not result.record({"create": request}):
        predicted = predict_created(request, cluster.get("version"))
        if launch_template:
            predicted["launchTemplate"]["name"] = launch_template["name"]
        return _exit(result, predicted, None, predicted)
    api.create_nodegroup(eks, **request)
    if params["wait"]:
        _wait_active(eks, params, deadline)
    created = _describe(eks, params)
    _exit(result, created, None, created)


def ensure_updated(eks, result, params, current, launch_template, deadline):
    if current.get("status") == "CREATE_FAILED":
        raise EksError(
            message=f"nodegroup {params['name']} is CREATE_FAILED ({_health_text(current)}): "
            "delete it (state=absent) and create it again",
            details=_health_details(current),
        )
    wrong = immutable_differences(current, params, launch_template)
    if wrong:
        raise EksError(
            message=f"nodegroup {params['name']} cannot change in place: {'; '.join(wrong)}. "
            "These need a new nodegroup (another name, then delete this one)"
        )

    steps, to_set, to_remove = _plan(current, params, launch_template)
    waited = False
    if current.get("status") in BUSY_STATUSES and (steps or params["wait"]):
        # EKS takes one update at a time, and shows an update's result only once it is done: a nodegroup
        # still busy from an earlier run is waited for, then compared again.
        _wait_active(eks, params, deadline)
        waited = True
        current = _describe(eks, params)
        steps, to_set, to_remove = _plan(current, params, launch_template)

    if result.check_mode:
        predicted = current
        for kind, change in steps:
            result.record({kind: change})
            predicted = apply_config(predicted, change) if kind == "config" else apply_version(predicted, change)
        if to_set or to_remove:
            result.record({"tags": {"set": to_set, "remove": to_remove}})
            predicted = dict(predicted, tags=apply_tag_changes(current.get("tags"), to_set, to_remove))
        return _exit(result, predicted, current, predicted, changes=result.changes)

    names = {"clusterName": params["cluster_name"], "nodegroupName": params["name"]}
    started = []
    for index, (kind, change) in enumerate(steps):
        result.record({kind: change})
        if kind == "config":
            update = api.update_nodegroup_config(eks, **names, **change)
        else:
            update = api.update_nodegroup_version(eks, **names, **change)
        # With wait=false, aews.eks.eks_wait follows the last update by its id.
        started.append({"id": update["id"], "type": update.get("type")})
        if params["wait"] or index < len(steps) - 1:
            _wait_update(eks, params, update, deadline)
    if to_set or to_remove:
        result.record({"tags": {"set": to_set, "remove": to_remove}})
        if to_remove:
            api.untag_resource(eks, current["nodegroupArn"], to_remove)
        if to_set:
            api.tag_resource(eks, current["nodegroupArn"], to_set)
    if steps and params["wait"]:
        _wait_active(eks, params, deadline)
    after = _describe(eks, params) if result.changed or waited else current
    # An update not waited for shows its change only once it ends: the diff shows what it makes.
    shown = after
    if after and after.get("status") in BUSY_STATUSES:
        shown = current
        for kind, change in steps:
            shown = apply_config(shown, change) if kind == "config" else apply_version(shown, change)
        shown = dict(shown, tags=after.get("tags"))
    _exit(result, after, current, shown, changes=result.changes, updates=started)


def _plan(current, params, launch_template):
    """(update steps in the order they are made, tags to set, tag keys to remove)."""
    steps = []
    config = config_changes(current, params)
    if config:
        steps.append(("config", config))
    version = version_changes(current, params, launch_template)
    if version:
        steps.append(("version", version))
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags"))
    return steps, to_set, to_remove


def ensure_absent(eks, result, params, current, deadline):
    if current is None:
        return _exit(result, None, None, None)
    if current.get("status") != "DELETING":
        if not result.record({"delete": params["name"]}):
            return _exit(result, None, current, None)
        api.delete_nodegroup(eks, params["cluster_name"], params["name"])
    if params["wait"] and not result.check_mode:
        wait(
            raw_client(eks),
            "nodegroup_deleted",
            deadline.remaining(),
            f"nodegroup {params['name']} to be deleted",
            clusterName=params["cluster_name"],
            nodegroupName=params["name"],
        )
    _exit(result, None, current, None)


def nodegroup_info(module):
    """The nodegroups of a cluster (or the one named), described."""
    params = module.params
    eks = client(module, "eks")
    names = [params["name"]] if params.get("name") else api.list_nodegroups(eks, params["cluster_name"])
    found = []
    for name in names:
        nodegroup = api.describe_nodegroup(eks, params["cluster_name"], name)
        if nodegroup is not None:
            found.append(to_ansible(nodegroup))
    module.exit_json(changed=False, nodegroups=found)
