# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EKS control plane on the one change model (``change``): desired state, plan, predict, apply.

- build: ``build_desired`` turns module parameters into a dict of what the user asked for (only the
  options given), ``create_params`` into CreateCluster parameters. Pure; bad input raises EksError.
- plan: ``plan`` compares a DescribeCluster result (None: no cluster) with the desired dict into an ordered list
  of change records, one per call (EKS accepts one update of one type at a time); ``plan_delete`` the records of
  ``state=absent``. ``predict`` applies them to a copy of the cluster. Pure.
- apply: ``apply`` makes the records through the ``api`` wrappers and waits; ``ensure`` / ``ensure_absent``
  return the module's result (``change.outcome``).
- node rules: with ``node_security_group_id``, the two ingress rules between the cluster security group EKS makes
  and the shared node security group (``node_rules``), read, planned, predicted and added in the same run through
  ``security_group_rules``, once the cluster has its group.
"""

from __future__ import annotations

import copy
import ipaddress
import re

from . import api
from . import auto_mode
from . import change
from . import fargate
from . import identity_provider
from . import security_group_rules
from .common import apply_tag_changes
from .common import client
from .common import drop_empty
from .common import raw_client
from .common import tag_changes
from .common import to_ansible
from .errors import EksError
from .vocabulary import LOG_TYPES
from .vocabulary import is_pending
from .vocabulary import pending
from .waiters import Deadline
from .waiters import wait
from .waiters import wait_updates_in_progress

# EKS moves the authentication mode one way only:
# https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html
AUTHENTICATION_MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")

BUSY_STATUSES = ("CREATING", "UPDATING", "PENDING")

_VERSION = re.compile(r"^(\d+)\.(\d+)$")


# ---------------------------------------------------------------- build (pure)
def _version_tuple(version):
    match = _VERSION.match(str(version))
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def _check_cidr(field, value, version):
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise EksError(message=f"{field}: {value!r} is not a CIDR block")
    if network.version != version:
        raise EksError(message=f"{field}: {value!r} is not an IPv{version} CIDR block")


def log_types(requested):
    """The set of log types a ``logging`` option asks for (``all`` stands for the five)."""
    if requested is None:
        return None
    types = set()
    for item in requested:
        if item == "all":
            types.update(LOG_TYPES)
        elif item in LOG_TYPES:
            types.add(item)
        else:
            raise EksError(message=f"logging: {item!r} is not one of {', '.join(LOG_TYPES)} or all")
    return types


def build_desired(params):
    """What the user asked for, in EKS terms; only the options given. Raises EksError on bad input."""
    desired = {"name": params["name"]}
    version = params.get("version")
    if version is not None:
        version = str(version)
        if not _version_tuple(version):
            raise EksError(message=f"version: {version!r} is not a Kubernetes minor version such as '1.33'")
        desired["version"] = version
    for option, key in (
        ("role_arn", "roleArn"),
        ("subnet_ids", "subnetIds"),
        ("security_group_ids", "securityGroupIds"),
        ("endpoint_public_access", "endpointPublicAccess"),
        ("endpoint_private_access", "endpointPrivateAccess"),
        ("public_access_cidrs", "publicAccessCidrs"),
        ("encryption", "encryptionKeyArn"),
        ("bootstrap_self_managed_addons", "bootstrapSelfManagedAddons"),
        ("tags", "tags"),
    ):
        if params.get(option) is not None:
            desired[key] = params[option]
    desired["purgeTags"] = params.get("purge_tags", True)

    if desired.get("endpointPublicAccess") is False and desired.get("endpointPrivateAccess") is False:
        raise EksError(message="endpoint_public_access and endpoint_private_access cannot both be false")
    for cidr in desired.get("publicAccessCidrs") or []:
        _check_cidr("public_access_cidrs", cidr, 4)
    if "subnetIds" in desired and not desired["subnetIds"]:
        raise EksError(message="subnet_ids: give at least two subnets, in different availability zones")
    key_arn = desired.get("encryptionKeyArn")
    if key_arn is not None and not re.match(r"^arn:aws[a-z-]*:kms:[^:]+:\d{12}:(key|alias)/.+", key_arn):
        raise EksError(message=f"encryption: {key_arn!r} is not a KMS key ARN")
    types = log_types(params.get("logging"))
    if types is not None:
        desired["logTypes"] = types

    network = params.get("kubernetes_network_config") or {}
    if network.get("ip_family") is not None:
        desired["ipFamily"] = network["ip_family"]
    if network.get("service_ipv4_cidr") is not None:
        if desired.get("ipFamily") == "ipv6":
            raise EksError(message="kubernetes_network_config.service_ipv4_cidr cannot be set with ip_family ipv6")
        _check_cidr("kubernetes_network_config.service_ipv4_cidr", network["service_ipv4_cidr"], 4)
        desired["serviceIpv4Cidr"] = network["service_ipv4_cidr"]

    access = params.get("access_config") or {}
    if access.get("authentication_mode") is not None:
        desired["authenticationMode"] = access["authentication_mode"]
    if access.get("bootstrap_cluster_creator_admin_permissions") is not None:
        desired["bootstrapClusterCreatorAdminPermissions"] = access["bootstrap_cluster_creator_admin_permissions"]

    upgrade = params.get("upgrade_policy") or {}
    if upgrade.get("support_type") is not None:
        desired["supportType"] = upgrade["support_type"]
    if params.get("zonal_shift") is not None:
        desired["zonalShift"] = bool(params["zonal_shift"])
    if params.get("control_plane_tier") is not None:
        desired["controlPlaneTier"] = params["control_plane_tier"]
    settings = params.get("auto_mode")
    if settings is not None:
        problems = auto_mode.problems(settings, authentication_mode=desired.get("authenticationMode"))
        if auto_mode.needs_node_role(settings) and not settings.get("node_role_arn"):
            problems.append(
                "auto_mode.node_role_arn: is required with node pools (auto_mode.node_pools [] asks for none)"
            )
        if problems:
            raise EksError(message="; ".join(problems), problems=problems)
        desired["autoMode"] = {k: settings.get(k) for k in ("enabled", "node_pools", "node_role_arn")}
    return desired


def create_params(desired):
    """CreateCluster parameters for the desired cluster; EksError naming what creation needs but lacks."""
    missing = [option for option, key in (("role_arn", "roleArn"), ("subnet_ids", "subnetIds")) if key not in desired]
    if missing:
        raise EksError(message=f"Creating cluster {desired['name']} needs {' and '.join(missing)}")
    vpc = {"subnetIds": list(desired["subnetIds"])}
    for key in ("securityGroupIds", "endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs"):
        if key in desired:
            vpc[key] = copy.copy(desired[key])
    params = {
        "name": desired["name"],
        "roleArn": desired["roleArn"],
        "resourcesVpcConfig": vpc,
        "bootstrapSelfManagedAddons": desired.get("bootstrapSelfManagedAddons", False),
    }
    if "version" in desired:
        params["version"] = desired["version"]
    network = {}
    if "ipFamily" in desired:
        network["ipFamily"] = desired["ipFamily"]
    if "serviceIpv4Cidr" in desired:
        network["serviceIpv4Cidr"] = desired["serviceIpv4Cidr"]
    if desired.get("autoMode", {}).get("enabled"):
        settings = auto_mode.request(desired["autoMode"])
        network.update(settings["kubernetesNetworkConfig"])
        params["computeConfig"] = settings["computeConfig"]
        params["storageConfig"] = settings["storageConfig"]
    if network:
        params["kubernetesNetworkConfig"] = network
    if desired.get("zonalShift"):
        params["zonalShiftConfig"] = {"enabled": True}
    if "controlPlaneTier" in desired:
        params["controlPlaneScalingConfig"] = {"tier": desired["controlPlaneTier"]}
    if "logTypes" in desired:
        params["logging"] = logging_config(desired["logTypes"])
    if "encryptionKeyArn" in desired:
        params["encryptionConfig"] = encryption_config(desired["encryptionKeyArn"])
    access = {}
    if "authenticationMode" in desired:
        access["authenticationMode"] = desired["authenticationMode"]
    if "bootstrapClusterCreatorAdminPermissions" in desired:
        access["bootstrapClusterCreatorAdminPermissions"] = desired["bootstrapClusterCreatorAdminPermissions"]
    if access:
        params["accessConfig"] = access
    if "supportType" in desired:
        params["upgradePolicy"] = {"supportType": desired["supportType"]}
    if desired.get("tags"):
        params["tags"] = dict(desired["tags"])
    return params


def logging_config(types):
    enabled = [t for t in LOG_TYPES if t in types]
    disabled = [t for t in LOG_TYPES if t not in types]
    groups = []
    if enabled:
        groups.append({"types": enabled, "enabled": True})
    if disabled:
        groups.append({"types": disabled, "enabled": False})
    return {"clusterLogging": groups}


def encryption_config(key_arn):
    return [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]


def predict_created(desired):
    """The cluster CreateCluster would start, as far as it is known before the call (check mode)."""
    return _created(create_params(desired))


def _created(params):
    """The cluster CreateCluster with ``params`` starts."""
    cluster = {
        "name": params["name"],
        "status": "CREATING",
        "roleArn": params["roleArn"],
        "resourcesVpcConfig": params["resourcesVpcConfig"],
        "logging": params.get("logging", logging_config(set())),
        "tags": params.get("tags", {}),
    }
    for key in (
        "version",
        "kubernetesNetworkConfig",
        "encryptionConfig",
        "accessConfig",
        "upgradePolicy",
        "computeConfig",
        "storageConfig",
        "zonalShiftConfig",
        "controlPlaneScalingConfig",
    ):
        if key in params:
            cluster[key] = params[key]
    return cluster


# ---------------------------------------------------------------- compare (pure)
def control_plane_tier(cluster):
    """The cluster's Provisioned Control Plane tier; EKS's default (standard) when it reports none."""
    return (cluster.get("controlPlaneScalingConfig") or {}).get("tier") or "standard"


def enabled_log_types(cluster):
    types = set()
    for group in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if group.get("enabled"):
            types.update(group.get("types") or [])
    return types


def current_key_arn(cluster):
    for config in cluster.get("encryptionConfig") or []:
        if "secrets" in (config.get("resources") or []):
            return (config.get("provider") or {}).get("keyArn")
    return None


def current_authentication_mode(cluster):
    # Clusters made before access entries existed report no accessConfig: they use the aws-auth ConfigMap.
    return (cluster.get("accessConfig") or {}).get("authenticationMode") or "CONFIG_MAP"


def version_steps(current, desired):
    """The minor versions to go through from ``current`` to ``desired``; [] when equal."""
    now, target = _version_tuple(current), _version_tuple(desired)
    if target <= now:
        return []
    if target[0] != now[0]:
        raise EksError(message=f"version: cannot upgrade from {current} to {desired} (different major version)")
    return [f"{now[0]}.{minor}" for minor in range(now[1] + 1, target[1] + 1)]


def authentication_steps(current, desired):
    """The authentication modes to go through from ``current`` to ``desired`` (one way only)."""
    if current not in AUTHENTICATION_MODES:
        raise EksError(message=f"The cluster reports an unknown authentication mode {current!r}")
    start, end = AUTHENTICATION_MODES.index(current), AUTHENTICATION_MODES.index(desired)
    if end < start:
        raise EksError(
            message=(
                f"access_config.authentication_mode: cannot change from {current} to {desired}; EKS only moves "
                f"{' -> '.join(AUTHENTICATION_MODES)}"
            )
        )
    return list(AUTHENTICATION_MODES[start + 1 : end + 1])


def check_version(desired_version, current_version, offered):
    """Raise EksError when the version is a downgrade or one EKS does not offer; ``offered`` may be None."""
    listing = ", ".join(sorted(offered, key=_version_tuple)) if offered else "none"
    if current_version and _version_tuple(desired_version) < _version_tuple(current_version):
        raise EksError(
            message=(
                f"version: cannot downgrade the cluster from {current_version} to {desired_version}; "
                f"EKS offers {listing}"
            ),
            offered_versions=sorted(offered or [], key=_version_tuple),
        )
    if offered is None:
        return
    sorted_offered = sorted(offered, key=_version_tuple)
    if desired_version not in offered:
        raise EksError(
            message=f"version: EKS does not offer {desired_version}; it offers {listing}",
            offered_versions=sorted_offered,
        )
    missing = (
        [v for v in version_steps(current_version, desired_version) if v not in offered] if current_version else []
    )
    if missing:
        raise EksError(
            message=(
                f"version: the upgrade from {current_version} to {desired_version} goes one minor version at a time "
                f"through {', '.join(missing)}, which EKS does not offer; it offers {listing}"
            ),
            offered_versions=sorted_offered,
        )


def immutable_differences(cluster, desired, vpc_ids=None):
    """Names (with values) of the immutable attributes that differ between the cluster and the desired state.

    ``vpc_ids`` maps option names (subnet_ids, security_group_ids) to the set of VPC ids their resources are in.
    """
    differences = []
    if "roleArn" in desired and desired["roleArn"] != cluster.get("roleArn"):
        differences.append(f"role_arn (is {cluster.get('roleArn')}, asked {desired['roleArn']})")
    cluster_vpc = (cluster.get("resourcesVpcConfig") or {}).get("vpcId")
    for option, vpcs in sorted((vpc_ids or {}).items()):
        others = sorted(v for v in vpcs if v != cluster_vpc)
        if cluster_vpc and others:
            differences.append(f"VPC ({option} are in {', '.join(others)}, the cluster is in {cluster_vpc})")
    network = cluster.get("kubernetesNetworkConfig") or {}
    family = network.get("ipFamily") or "ipv4"
    if "ipFamily" in desired and desired["ipFamily"] != family:
        differences.append(f"kubernetes_network_config.ip_family (is {family}, asked {desired['ipFamily']})")
    if "serviceIpv4Cidr" in desired and desired["serviceIpv4Cidr"] != network.get("serviceIpv4Cidr"):
        differences.append(
            "kubernetes_network_config.service_ipv4_cidr "
            f"(is {network.get('serviceIpv4Cidr')}, asked {desired['serviceIpv4Cidr']})"
        )
    key_arn = current_key_arn(cluster)
    if key_arn and "encryptionKeyArn" in desired and desired["encryptionKeyArn"] != key_arn:
        differences.append(f"encryption (is {key_arn}, asked {desired['encryptionKeyArn']})")
    return differences


def _record(name, action, why, call, update_type, target, params, **extra):
    """One change of the cluster: ``params`` are the parameters of the ``api`` wrapper ``call``; ``target`` names
    those of them that say which cluster (left out of what ``cluster.updates`` reports); ``type`` is the EKS update
    type (or CreateCluster, TagResource ...) the change makes."""
    return change.change(
        f"cluster {name}",
        action,
        why,
        call=call,
        params=dict(target, **params),
        type=update_type,
        target=sorted(target),
        cluster=name,
        **extra,
    )


def _update(cluster, update_type, params, why):
    return _record(cluster.get("name"), "update", why, "update_cluster_config", update_type,
                   {"name": cluster.get("name")}, params)  # fmt: skip


def _listing(values):
    return ", ".join(str(v) for v in values) or "none"


def _was(have, want):
    return f"{have} -> {want}"


def _auto_mode_access(cluster, desired):
    """Auto Mode on needs access entries: the authentication mode (asked, else the cluster's) API or
    API_AND_CONFIG_MAP."""
    if not desired.get("autoMode", {}).get("enabled"):
        return
    mode = desired.get("authenticationMode") or (current_authentication_mode(cluster) if cluster else "CONFIG_MAP")
    if mode not in auto_mode.API_MODES:
        raise EksError(
            message=(
                "auto_mode.enabled: Auto Mode needs access entries: set access_config.authentication_mode to API or "
                f"API_AND_CONFIG_MAP (the cluster's is {mode})"
                if cluster
                else "auto_mode.enabled: Auto Mode needs access entries: set access_config.authentication_mode to "
                "API or API_AND_CONFIG_MAP"
            )
        )


def plan(cluster, desired, offered_versions=None, vpc_ids=None):
    """The ordered list of change records that bring ``cluster`` (DescribeCluster, None when there is none) to
    ``desired``.

    No cluster: one create (CreateCluster). Otherwise each change is one call: tags first (synchronous), then one
    EKS update per type, then the secrets encryption, then the version one minor at a time. Raises EksError, before
    any change, for what creation lacks, immutable attributes that differ, a downgrade, a version not offered, or a
    backwards authentication mode.
    """
    name = desired["name"]
    _auto_mode_access(cluster, desired)
    if cluster is None:
        params = create_params(desired)
        if "version" in desired:
            check_version(desired["version"], None, offered_versions)
        why = "no cluster " + name + (f" (Kubernetes {desired['version']})" if "version" in desired else "")
        return [_record(name, "create", why, "create_cluster", "CreateCluster", {}, params)]

    differences = immutable_differences(cluster, desired, vpc_ids)
    if differences:
        raise EksError(
            message=f"Cluster {cluster.get('name')} cannot change in place: " + "; ".join(differences),
            immutable=differences,
        )
    if "version" in desired and desired["version"] != cluster.get("version"):
        check_version(desired["version"], cluster.get("version"), offered_versions)

    changes = []
    arn = {"arn": cluster.get("arn")}
    have_tags = cluster.get("tags") or {}
    to_set, to_remove = tag_changes(have_tags, desired.get("tags"), desired.get("purgeTags", True))
    if to_remove:
        why = "tags removed: " + _listing(sorted(to_remove))
        changes.append(_record(name, "untag", why, "untag_resource", "UntagResource", arn, {"keys": sorted(to_remove)}))
    if to_set:
        why = "tags " + "; ".join(f"{k}: {have_tags.get(k, '-')} -> {v}" for k, v in sorted(to_set.items()))
        changes.append(_record(name, "tag", why, "tag_resource", "TagResource", arn, {"tags": to_set}))

    vpc = cluster.get("resourcesVpcConfig") or {}
    public = desired.get("endpointPublicAccess", vpc.get("endpointPublicAccess"))
    private = desired.get("endpointPrivateAccess", vpc.get("endpointPrivateAccess"))
    if public is False and private is False:
        raise EksError(message="endpoint_public_access and endpoint_private_access cannot both be false")
    cidrs = desired.get("publicAccessCidrs")
    cidrs_differ = cidrs is not None and set(cidrs) != set(vpc.get("publicAccessCidrs") or [])
    if public != vpc.get("endpointPublicAccess") or private != vpc.get("endpointPrivateAccess") or cidrs_differ:
        request = {"endpointPublicAccess": public, "endpointPrivateAccess": private}
        if cidrs is not None:
            request["publicAccessCidrs"] = list(cidrs)
        parts = []
        if public != vpc.get("endpointPublicAccess"):
            parts.append("endpoint_public_access " + _was(vpc.get("endpointPublicAccess"), public))
        if private != vpc.get("endpointPrivateAccess"):
            parts.append("endpoint_private_access " + _was(vpc.get("endpointPrivateAccess"), private))
        if cidrs_differ:
            parts.append("public_access_cidrs " + _was(_listing(vpc.get("publicAccessCidrs") or []), _listing(cidrs)))
        changes.append(_update(cluster, "EndpointAccessUpdate", {"resourcesVpcConfig": request}, "; ".join(parts)))

    subnets = desired.get("subnetIds")
    groups = desired.get("securityGroupIds")
    subnets_differ = subnets is not None and set(subnets) != set(vpc.get("subnetIds") or [])
    groups_differ = groups is not None and set(groups) != set(vpc.get("securityGroupIds") or [])
    if subnets_differ or groups_differ:
        request = {
            "subnetIds": list(subnets if subnets is not None else vpc.get("subnetIds") or []),
            "securityGroupIds": list(groups if groups is not None else vpc.get("securityGroupIds") or []),
        }
        parts = []
        if subnets_differ:
            parts.append("subnet_ids " + _was(_listing(sorted(vpc.get("subnetIds") or [])), _listing(sorted(subnets))))
        if groups_differ:
            have = _listing(sorted(vpc.get("securityGroupIds") or []))
            parts.append("security_group_ids " + _was(have, _listing(sorted(groups))))
        changes.append(_update(cluster, "VpcConfigUpdate", {"resourcesVpcConfig": request}, "; ".join(parts)))

    have_types = enabled_log_types(cluster)
    if "logTypes" in desired and desired["logTypes"] != have_types:
        why = "logging " + _was(
            _listing([t for t in LOG_TYPES if t in have_types]),
            _listing([t for t in LOG_TYPES if t in desired["logTypes"]]),
        )
        changes.append(_update(cluster, "LoggingUpdate", {"logging": logging_config(desired["logTypes"])}, why))

    if "authenticationMode" in desired:
        mode_now = current_authentication_mode(cluster)
        for mode in authentication_steps(mode_now, desired["authenticationMode"]):
            why = "access_config.authentication_mode " + _was(mode_now, mode)
            changes.append(_update(cluster, "AccessConfigUpdate", {"accessConfig": {"authenticationMode": mode}}, why))
            mode_now = mode

    support = (cluster.get("upgradePolicy") or {}).get("supportType")
    if "supportType" in desired and desired["supportType"] != support:
        why = "upgrade_policy.support_type " + _was(support, desired["supportType"])
        changes.append(
            _update(cluster, "UpgradePolicyUpdate", {"upgradePolicy": {"supportType": desired["supportType"]}}, why)
        )

    shifting = bool((cluster.get("zonalShiftConfig") or {}).get("enabled"))
    if "zonalShift" in desired and desired["zonalShift"] != shifting:
        why = "zonal_shift " + _was(shifting, desired["zonalShift"])
        changes.append(
            _update(cluster, "ZonalShiftConfigUpdate", {"zonalShiftConfig": {"enabled": desired["zonalShift"]}}, why)
        )

    tier = control_plane_tier(cluster)
    if "controlPlaneTier" in desired and desired["controlPlaneTier"] != tier:
        why = "control_plane_tier " + _was(tier, desired["controlPlaneTier"])
        request = {"controlPlaneScalingConfig": {"tier": desired["controlPlaneTier"]}}
        changes.append(_update(cluster, "ControlPlaneScalingConfigUpdate", request, why))

    if "autoMode" in desired:
        try:
            differences = auto_mode.differences(cluster, desired["autoMode"])
        except ValueError as e:
            raise EksError(message=str(e)) from None
        if differences:
            changes.append(
                _update(cluster, "AutoModeUpdate", auto_mode.request(desired["autoMode"]), "; ".join(differences))
            )

    if "encryptionKeyArn" in desired and not current_key_arn(cluster):
        changes.append(
            _record(
                name,
                "associate",
                f"secrets encryption with {desired['encryptionKeyArn']} (none yet)",
                "associate_encryption_config",
                "AssociateEncryptionConfig",
                {"name": name},
                {"encryption_config": encryption_config(desired["encryptionKeyArn"])},
            )
        )

    if "version" in desired:
        now = cluster["version"]
        for step in version_steps(now, desired["version"]):
            why = f"version {now} -> {step}" + (
                f" (on the way to {desired['version']})" if step != desired["version"] else ""
            )
            changes.append(
                _record(
                    name, "upgrade", why, "update_cluster_version", "VersionUpdate", {"name": name}, {"version": step}
                )
            )
            now = step
    return changes


def plan_delete(cluster, nodegroups, profiles):
    """The change records that delete ``cluster`` with the nodegroups and Fargate profiles it still has (the
    caller has checked ``force``): nodegroups first (deleted together), then the profiles (EKS deletes one at a
    time per cluster), then the cluster."""
    name = cluster["name"]
    changes = [
        change.change(
            f"{what} {member} of cluster {name}",
            "delete",
            f"force=true: cluster {name} is deleted with its {what}s",
            call=call,
            params={"cluster_name": name, "name": member},
            type=update_type,
            cluster=name,
        )
        for what, call, update_type, members in (
            ("nodegroup", "delete_nodegroup", "DeleteNodegroup", nodegroups),
            ("Fargate profile", "delete_fargate_profile", "DeleteFargateProfile", profiles),
        )
        for member in members
    ]
    changes.append(_record(name, "delete", "state=absent", "delete_cluster", "DeleteCluster", {}, {"name": name}))
    return changes


def predict(cluster, changes):
    """The cluster as it will be once ``changes`` are made (None once it is deleted). Pure."""
    cluster = copy.deepcopy(cluster)
    for record in changes:
        params = record["params"]
        kind = record["type"]
        if kind == "CreateCluster":
            cluster = _created(params)
        elif kind == "DeleteCluster":
            cluster = None
        elif kind == "UntagResource":
            cluster["tags"] = apply_tag_changes(cluster.get("tags"), {}, params["keys"])
        elif kind == "TagResource":
            cluster["tags"] = apply_tag_changes(cluster.get("tags"), params["tags"], [])
        elif kind in ("EndpointAccessUpdate", "VpcConfigUpdate"):
            cluster.setdefault("resourcesVpcConfig", {}).update(copy.deepcopy(params["resourcesVpcConfig"]))
        elif kind == "LoggingUpdate":
            cluster["logging"] = copy.deepcopy(params["logging"])
        elif kind == "AccessConfigUpdate":
            cluster.setdefault("accessConfig", {}).update(params["accessConfig"])
        elif kind == "UpgradePolicyUpdate":
            cluster["upgradePolicy"] = dict(params["upgradePolicy"])
        elif kind == "ZonalShiftConfigUpdate":
            cluster["zonalShiftConfig"] = dict(params["zonalShiftConfig"])
        elif kind == "ControlPlaneScalingConfigUpdate":
            cluster["controlPlaneScalingConfig"] = dict(params["controlPlaneScalingConfig"])
        elif kind == "AutoModeUpdate":
            settings = {
                "enabled": params["computeConfig"]["enabled"],
                "node_pools": params["computeConfig"].get("nodePools"),
            }
            cluster.update(auto_mode.predict(cluster, settings, params["computeConfig"].get("nodeRoleArn")))
        elif kind == "AssociateEncryptionConfig":
            cluster["encryptionConfig"] = copy.deepcopy(params["encryption_config"])
        elif kind == "VersionUpdate":
            cluster["version"] = params["version"]
    return cluster


def report(record):
    """A change as the module reports it under ``cluster.updates``: the update type and the call's parameters
    besides those naming the cluster."""
    target = record.get("target") or ()
    return {
        "type": record["type"],
        "params": {k: copy.deepcopy(v) for k, v in record["params"].items() if k not in target},
    }


def changes_to_updates(changes):
    """The changes as the module reports them under ``cluster.updates``."""
    return [report(c) for c in changes]


def deleted(changes):
    """What ``state=absent`` deletes, as the module reports it under ``deleted``: the nodegroups together, the
    Fargate profiles together, then the cluster."""
    out = []
    nodegroups = [c["params"]["name"] for c in changes if c["type"] == "DeleteNodegroup"]
    profiles = [c["params"]["name"] for c in changes if c["type"] == "DeleteFargateProfile"]
    if nodegroups:
        out.append({"type": "DeleteNodegroup", "params": {"nodegroups": nodegroups}})
    if profiles:
        out.append({"type": "DeleteFargateProfile", "params": {"fargate_profiles": profiles}})
    out.extend(report(c) for c in changes if c["type"] == "DeleteCluster")
    return out


def shape(cluster, updates=None, nodegroups=None, addons=None):
    """The returned form of a cluster: DescribeCluster snake_cased, tags kept, plus what the run added."""
    if cluster is None:
        return {}
    result = to_ansible(cluster)
    result["enabled_log_types"] = [t for t in LOG_TYPES if t in enabled_log_types(cluster)]
    if updates is not None:
        result["updates"] = updates
    if nodegroups is not None:
        result["nodegroups"] = nodegroups
    if addons is not None:
        result["addons"] = addons
    return result


def _auto_mode_view(cluster):
    have = auto_mode.current(cluster)
    if not (have["compute"] or have["block_storage"] or have["load_balancing"]):
        return None
    return {
        "compute": have["compute"],
        "block_storage": have["block_storage"],
        "load_balancing": have["load_balancing"],
        "node_pools": have["node_pools"],
        "node_role_arn": have["node_role_arn"],
    }


def diff_view(cluster):
    """What ``--diff`` shows of a cluster (DescribeCluster shape): the returned cluster's keys the user controls,
    lists sorted; nothing only AWS sets (status, endpoint, certificate, timestamps, ids, pseudo-fields)."""
    if not cluster:
        return {}
    vpc = cluster.get("resourcesVpcConfig") or {}
    network = cluster.get("kubernetesNetworkConfig") or {}
    key_arn = current_key_arn(cluster)
    view = {
        "name": cluster.get("name"),
        "version": cluster.get("version"),
        "role_arn": cluster.get("roleArn"),
        "resources_vpc_config": {
            "subnet_ids": sorted(vpc.get("subnetIds") or []),
            "security_group_ids": sorted(vpc.get("securityGroupIds") or []),
            "endpoint_public_access": vpc.get("endpointPublicAccess"),
            "endpoint_private_access": vpc.get("endpointPrivateAccess"),
            "public_access_cidrs": sorted(vpc.get("publicAccessCidrs") or []),
        },
        "enabled_log_types": sorted(enabled_log_types(cluster)),
        "encryption_config": [{"resources": ["secrets"], "provider": {"key_arn": key_arn}}] if key_arn else None,
        "kubernetes_network_config": {
            "ip_family": network.get("ipFamily"),
            "service_ipv4_cidr": network.get("serviceIpv4Cidr"),
        },
        "access_config": {"authentication_mode": (cluster.get("accessConfig") or {}).get("authenticationMode")},
        "upgrade_policy": {"support_type": (cluster.get("upgradePolicy") or {}).get("supportType")},
        "zonal_shift": bool((cluster.get("zonalShiftConfig") or {}).get("enabled")) or None,
        "control_plane_tier": (cluster.get("controlPlaneScalingConfig") or {}).get("tier"),
        "auto_mode": _auto_mode_view(cluster),
        "tags": dict(sorted((cluster.get("tags") or {}).items())),
    }
    return drop_empty(view)


# ---------------------------------------------------------------- node rules
NODE_SECURITY_GROUP_ID = "node_security_group_id"


def check_node_security_group(group_id, check_mode):
    """Refuse a ``node_security_group_id`` that is not a security group id (a pending value only in check mode),
    naming the option (pure)."""
    if group_id is None or (check_mode and is_pending(group_id)):
        return
    if is_pending(group_id):
        raise EksError(
            message=f"{NODE_SECURITY_GROUP_ID}: {group_id!r} is a check run's prediction of a group still to be made, "
            "not a security group id; it is only taken in check mode"
        )
    if not group_id.startswith("sg-"):
        raise EksError(message=f"{NODE_SECURITY_GROUP_ID}: a security group id (sg-...) is required, not {group_id!r}")


def node_rules(cluster_group_id, node_group_id):
    """The two ingress rules eksctl's cluster stack makes between the cluster security group and the shared node
    security group, all traffic each way, as ``security_group_rules`` takes them (pure)."""
    return security_group_rules.build_desired(
        [
            {"group_id": node_group_id, "source_group_id": cluster_group_id,
             "description": "From the EKS cluster security group"},
            {"group_id": cluster_group_id, "source_group_id": node_group_id,
             "description": "From the shared node security group"},
        ],
        pending=True,
    )  # fmt: skip


def cluster_security_group(cluster):
    """The cluster security group EKS made, once the cluster is past CREATING (None before)."""
    if not cluster or cluster.get("status") == "CREATING":
        return None
    return (cluster.get("resourcesVpcConfig") or {}).get("clusterSecurityGroupId") or None


def plan_node_rules(module, cluster, ec2=None):
    """(EC2 client, groups, changes) of the node rules when this run settles them (``node_security_group_id`` given
    and the cluster has its security group), else None. Both groups read in one call, a pending one not looked up."""
    node_group_id = module.params.get(NODE_SECURITY_GROUP_ID)
    cluster_group_id = cluster_security_group(cluster)
    if not node_group_id or not cluster_group_id:
        return None
    desired = node_rules(cluster_group_id, node_group_id)
    ec2 = ec2 or client(module, "ec2")
    groups = security_group_rules.current(ec2, desired, where=NODE_SECURITY_GROUP_ID)
    return ec2, groups, security_group_rules.plan(groups, desired)


def with_node_rules(module, result, rules, after):
    """The module's result with the node rules' changes (after the cluster's), the groups as they are after the run
    (``security_groups``) and, in diff mode, the groups before and after under the diff's ``security_groups``."""
    if rules is None:
        return result
    _ec2, groups, changes = rules
    result["changes"] = result["changes"] + [change.public(c) for c in changes]
    result["changed"] = bool(result["changes"])
    result["security_groups"] = security_group_rules.view(after)
    if "diff" in result:
        result["diff"]["before"]["security_groups"] = security_group_rules.diff_view(groups)
        result["diff"]["after"]["security_groups"] = security_group_rules.diff_view(after)
    return result


def settle_node_rules(module, result, rules):
    """Add the node rules planned (not in check mode) and return the result with them."""
    if rules is None:
        return result
    ec2, groups, changes = rules
    after = security_group_rules.settle(ec2, groups, changes, module.check_mode)
    return with_node_rules(module, result, rules, after)


# ---------------------------------------------------------------- apply
def offered_versions(eks):
    """The Kubernetes versions EKS offers for new clusters and upgrades (standard and extended support)."""
    versions = api.describe_cluster_versions(eks, clusterType="eks")
    offered = []
    for item in versions:
        status = item.get("versionStatus") or item.get("status")
        if status and status.upper() in ("UNSUPPORTED",):
            continue
        if item.get("clusterVersion"):
            offered.append(item["clusterVersion"])
    return offered


def _vpc_ids(module, cluster, desired):
    """VPC ids of the subnets / security groups asked for, when they differ from the cluster's (read only).

    A pending subnet or group (check mode's prediction) is not looked up: it will be in a VPC still to be made.
    """
    vpc = cluster.get("resourcesVpcConfig") or {}
    found = {}
    ec2 = []

    def vpcs(ids, describe):
        real = [i for i in ids if not is_pending(i)]
        if real and not ec2:
            ec2.append(client(module, "ec2"))
        ids_vpcs = {r["VpcId"] for r in describe(ec2[0], real) if r.get("VpcId")} if real else set()
        return ids_vpcs | ({pending("vpc")} if len(real) < len(ids) else set())

    subnets = desired.get("subnetIds")
    if subnets is not None and set(subnets) != set(vpc.get("subnetIds") or []):
        found["subnet_ids"] = vpcs(subnets, api.describe_subnets)
    groups = desired.get("securityGroupIds")
    if groups and set(groups) != set(vpc.get("securityGroupIds") or []):
        found["security_group_ids"] = vpcs(groups, api.describe_security_groups)
    return found


def _wait_ready(eks, name, cluster, deadline):
    """Wait until the cluster is ACTIVE with no update in progress (EKS runs one update at a time)."""
    if cluster.get("status") not in BUSY_STATUSES:
        return cluster
    raw = raw_client(eks)
    if cluster.get("status") == "UPDATING":
        for update_id in api.list_updates(eks, name):
            update = api.describe_update(eks, name, update_id)
            if update and update.get("status") == "InProgress":
                _wait_update(eks, name, update, deadline)
    wait(raw, "cluster_active", deadline.remaining(), f"cluster {name} to be ACTIVE", name=name)
    return api.describe_cluster(eks, name)


def apply(eks, changes, deadline, do_wait):
    """Make ``changes`` in order and wait as each needs; the report of each (``cluster.updates`` / ``deleted``).

    An EKS update is waited for before the next change (EKS runs one at a time); the last one only with
    ``do_wait``. Nodegroups are deleted together and waited for before what follows; a Fargate profile is waited for
    before the next (EKS deletes one at a time per cluster). The cluster's create and delete are waited for with
    ``do_wait``.
    """
    raw = raw_client(eks)
    reports = []
    deleting = []
    for index, record in enumerate(changes):
        call, params, name = record["call"], record["params"], record["cluster"]
        if deleting and call != "delete_nodegroup":
            wait_nodegroups_deleted(raw, name, deleting, deadline)
            deleting = []
        if call == "delete_nodegroup":
            wait_nodegroup_updates(eks, name, params["name"], deadline)
        if call == "delete_fargate_profile":
            # In its turn, once a profile still being created is ACTIVE (EKS refuses to delete it before), then
            # waited for: EKS deletes one profile of a cluster at a time.
            fargate.delete_profile(eks, name, params["name"], deadline, wait_for=True)
            reports.append(report(record))
            continue
        response = getattr(api, call)(eks, **params)
        entry = report(record)
        if call == "create_cluster":
            if do_wait:
                wait(raw, "cluster_active", deadline.remaining(), f"cluster {name} to be ACTIVE", name=name)
        elif call == "delete_nodegroup":
            deleting.append(params["name"])
        elif call == "delete_cluster":
            if do_wait:
                wait(raw, "cluster_deleted", deadline.remaining(), f"cluster {name} to be deleted", name=name)
        elif isinstance(response, dict):
            # An EKS update: the next one cannot start before this one ends; the last one is waited for only
            # with wait=true.
            entry["id"] = response.get("id")
            entry["status"] = response.get("status")
            if do_wait or index < len(changes) - 1:
                update = _wait_update(eks, name, response, deadline)
                entry["status"] = update.get("status") if update else "Successful"
        reports.append(entry)
    if deleting:
        wait_nodegroups_deleted(raw, changes[-1]["cluster"], deleting, deadline)
    return reports


def wait_nodegroups_deleted(raw, name, nodegroups, deadline):
    """Until each of ``nodegroups`` of cluster ``name`` is gone (``raw``: the EKS client the waiters poll with)."""
    for nodegroup in nodegroups:
        wait(
            raw,
            "nodegroup_deleted",
            deadline.remaining(),
            f"nodegroup {nodegroup} of cluster {name} to be deleted",
            clusterName=name,
            nodegroupName=nodegroup,
        )


def outcome(module, resource, changes, before, after, **extra):
    """The module's result: ``resource`` under ``cluster``, the diff of ``before`` and ``after`` (DescribeCluster
    shapes) through ``diff_view``."""
    return change.outcome(module, "cluster", resource, changes, before=before, after=after, view=diff_view, **extra)


def ensure(module):
    result = _ensure(module)
    params = module.params
    if params.get("read_identity_providers") and params["state"] == "present":
        created = any(c.get("action") == "create" for c in result.get("changes") or [])
        # A cluster check mode predicts has none yet.
        result["identity_providers"] = (
            [] if module.check_mode and created else identity_provider.configs_of(client(module, "eks"), params["name"])
        )
    return result


def _ensure(module):
    params = module.params
    desired = build_desired(params)
    if params["state"] == "present":
        check_node_security_group(params.get(NODE_SECURITY_GROUP_ID), module.check_mode)
    name = desired["name"]
    eks = client(module, "eks")
    deadline = Deadline(params["wait_timeout"])
    do_wait = params["wait"]
    raw = raw_client(eks)

    cluster = api.describe_cluster(eks, name)
    if params["state"] == "absent":
        return ensure_absent(module, eks, cluster, deadline)

    if cluster and cluster.get("status") == "DELETING" and not module.check_mode:
        wait(raw, "cluster_deleted", deadline.remaining(), f"cluster {name} to be deleted", name=name)
        cluster = None
    if cluster and cluster.get("status") == "FAILED":
        raise EksError(
            message=f"Cluster {name} is FAILED and cannot be updated; delete it with state=absent",
            details=(cluster.get("health") or {}).get("issues") or [],
        )

    if not cluster or cluster.get("status") == "DELETING":
        create_params(desired)  # what creation lacks is named before any other call
        offered = offered_versions(eks) if "version" in desired else None
        changes = plan(None, desired, offered)
        if module.check_mode:
            predicted = predict(None, changes)
            return outcome(module, shape(predicted, changes_to_updates(changes)), changes, None, predicted)
        node_group_id = params.get(NODE_SECURITY_GROUP_ID)
        ec2 = client(module, "ec2") if node_group_id and do_wait else None
        if ec2 is not None:
            # The node rules follow the wait: the node group is looked up before the cluster is created.
            security_group_rules.read(ec2, [node_group_id], where=NODE_SECURITY_GROUP_ID)
        updates = apply(eks, changes, deadline, do_wait)
        created = api.describe_cluster(eks, name)
        # Waited for: ACTIVE, with its security group. Not waited for: the rules are left to a later run (on AWS the
        # cluster is CREATING, without its group yet), whatever the cluster's status, so that the caller knows.
        rules = plan_node_rules(module, created, ec2) if ec2 is not None else None
        return settle_node_rules(module, outcome(module, shape(created, updates), changes, None, created), rules)

    if do_wait and not module.check_mode and cluster.get("status") in BUSY_STATUSES:
        cluster = _wait_ready(eks, name, cluster, deadline)

    offered = None
    if "version" in desired and desired["version"] != cluster.get("version"):
        offered = offered_versions(eks)
    changes = plan(cluster, desired, offered, _vpc_ids(module, cluster, desired))
    if changes and not module.check_mode and cluster.get("status") in BUSY_STATUSES:
        # EKS refuses an update while the cluster is busy (ResourceInUseException): wait even with wait=false.
        cluster = _wait_ready(eks, name, cluster, deadline)
        changes = plan(cluster, desired, offered, _vpc_ids(module, cluster, desired))
    # The node rules read and planned before any change is made; added after the cluster's changes.
    rules = plan_node_rules(module, cluster)

    predicted = predict(cluster, changes)
    if module.check_mode:
        result = outcome(module, shape(predicted, changes_to_updates(changes)), changes, cluster, predicted)
        return settle_node_rules(module, result, rules)

    updates = apply(eks, changes, deadline, do_wait)
    # Nothing changed: the cluster is as just read.
    final = api.describe_cluster(eks, name) if changes else cluster
    if do_wait and final and final.get("status") in BUSY_STATUSES:
        final = _wait_ready(eks, name, final, deadline)
    # An update not waited for shows its change only once it ends: the diff shows what it makes.
    shown = predicted if final and final.get("status") in BUSY_STATUSES else final
    return settle_node_rules(module, outcome(module, shape(final, updates), changes, cluster, shown), rules)


def _wait_update(eks, name, update, deadline):
    """Wait for one update to succeed (a Failed one stops at once with its errors), then for the cluster."""
    update_id = update["id"]
    raw = raw_client(eks)
    what = f"update {update_id} ({update.get('type')}) of cluster {name}"
    wait(raw, "update_successful", deadline.remaining(), what, name=name, updateId=update_id)
    wait(raw, "cluster_active", deadline.remaining(), f"cluster {name} to be ACTIVE", name=name)
    return api.describe_update(eks, name, update_id)


def wait_nodegroup_updates(eks, cluster_name, nodegroup, deadline):
    """EKS refuses to delete a nodegroup while one of its updates runs: wait for those to end."""
    described = api.describe_nodegroup(eks, cluster_name, nodegroup)
    if not described or described.get("status") != "UPDATING":
        return
    wait_updates_in_progress(
        eks, cluster_name, deadline, f"nodegroup {nodegroup} of cluster {cluster_name}", nodegroup_name=nodegroup
    )


def ensure_absent(module, eks, cluster, deadline):
    params = module.params
    name = params["name"]
    if not cluster:
        return outcome(module, {}, [], None, None)
    if cluster.get("status") == "DELETING":
        if params["wait"] and not module.check_mode:
            wait(raw_client(eks), "cluster_deleted", deadline.remaining(), f"cluster {name} to be deleted", name=name)
        return outcome(module, {}, [], cluster, None)

    nodegroups = api.list_nodegroups(eks, name)
    profiles = api.list_fargate_profiles(eks, name)
    if (nodegroups or profiles) and not params["force"]:
        held = []
        if nodegroups:
            held.append(f"nodegroups {', '.join(nodegroups)}")
        if profiles:
            held.append(f"Fargate profiles {', '.join(profiles)}")
        raise EksError(
            message=(
                f"Cluster {name} still has {' and '.join(held)}; delete them first, or set force=true "
                "to delete them with the cluster"
            ),
            nodegroups=nodegroups,
            fargate_profiles=profiles,
        )

    changes = plan_delete(cluster, nodegroups, profiles)
    if not module.check_mode:
        if cluster.get("status") in BUSY_STATUSES:
            _wait_ready(eks, name, cluster, deadline)
        apply(eks, changes, deadline, params["wait"])
    return outcome(module, {}, changes, cluster, None, deleted=deleted(changes))


# ---------------------------------------------------------------- info
def info_view(eks, cluster):
    """A described cluster as eks_cluster_info returns it: its shape with the names of its nodegroups and add-ons
    (eks_wait returns the cluster at the end of its wait the same way)."""
    return shape(
        cluster, nodegroups=api.list_nodegroups(eks, cluster["name"]), addons=api.list_addons(eks, cluster["name"])
    )


def describe_all(module):
    eks = client(module, "eks")
    name = module.params.get("name")
    names = [name] if name else api.list_clusters(eks)
    clusters = []
    for cluster_name in names:
        cluster = api.describe_cluster(eks, cluster_name)
        if cluster is not None:
            clusters.append(info_view(eks, cluster))
    return dict(changed=False, clusters=clusters)
