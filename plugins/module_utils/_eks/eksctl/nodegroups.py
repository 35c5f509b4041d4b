# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""managedNodeGroups: eksctl's checks of a nodegroup and its defaults (sizes, volume, AMI family, SSH, IMDS,
taints, the labels and tags eksctl adds)."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.cluster import _minor
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _enabled
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _indexed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _listed_once
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import nodegroup_instance_selector
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import nodegroup_launch_template
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import UNSUPPORTED

# AMI families the cluster definition names as they are; Windows families become EKS AMI types.
AMI_FAMILIES = ("AmazonLinux2023", "AmazonLinux2", "Bottlerocket")
WINDOWS_AMI_TYPES = {
    "WindowsServer2019CoreContainer": "WINDOWS_CORE_2019_x86_64",
    "WindowsServer2019FullContainer": "WINDOWS_FULL_2019_x86_64",
    "WindowsServer2022CoreContainer": "WINDOWS_CORE_2022_x86_64",
    "WindowsServer2022FullContainer": "WINDOWS_FULL_2022_x86_64",
}
OTHER_EKSCTL_AMI_FAMILIES = (
    "UbuntuPro2604",
    "Ubuntu2604",
    "UbuntuPro2404",
    "Ubuntu2404",
    "UbuntuPro2204",
    "Ubuntu2204",
    "UbuntuPro2004",
    "Ubuntu2004",
    "BottlerocketFips",
    "WindowsServer2025CoreContainer",
    "WindowsServer2025FullContainer",
)

# AmazonLinux2 AMIs are not published from this Kubernetes version on.
AL2_LAST_MINOR = vocabulary.parse_version(vocabulary.AMI_TYPE_LAST_VERSION["AL2_x86_64"])[1]
ADDON_POLICIES = {
    "imageBuilder": "image_builder",
    "autoScaler": "auto_scaler",
    "externalDNS": "external_dns",
    "certManager": "cert_manager",
    "appMesh": "app_mesh",
    "ebs": "ebs",
    "fsx": "fsx",
    "efs": "efs",
    "awsLoadBalancerController": "aws_load_balancer_controller",
    # eksctl's older name for the same policy
    "albIngress": "aws_load_balancer_controller",
    "xRay": "xray",
    "cloudWatch": "cloud_watch",
}
VOLUME_TYPES = ("gp2", "gp3", "io1", "io2", "sc1", "st1")
TAINT_EFFECTS = vocabulary.KUBERNETES_TAINT_EFFECTS
DEFAULT_INSTANCE_TYPE = vocabulary.DEFAULT_INSTANCE_TYPE
DEFAULT_AMI_FAMILY = vocabulary.DEFAULT_AMI_FAMILY
DEFAULT_NODE_COUNT = vocabulary.DEFAULT_NODE_COUNT
DEFAULT_VOLUME = {"size": vocabulary.DEFAULT_VOLUME_SIZE, "type": vocabulary.DEFAULT_VOLUME_TYPE}
GP3_IOPS = (3000, 16000)
GP3_THROUGHPUT = (125, 1000)
IO1_DEFAULT_IOPS = 100
DEFAULT_SSH_PUBLIC_KEY_PATH = "~/.ssh/id_rsa.pub"
NODEGROUP_PATHS = {
    "name": "name",
    "ami_family": "amiFamily",
    "ami_type": "amiFamily",
    "min_size": "minSize",
    "desired_size": "desiredCapacity",
    "max_size": "maxSize",
    "volume.size": "volumeSize",
    "volume.type": "volumeType",
    "volume.iops": "volumeIOPS",
    "volume.throughput": "volumeThroughput",
    "volume.encrypted": "volumeEncrypted",
    "volume.kms_key_id": "volumeKmsKeyID",
    "labels": "labels",
    "taints": "taints",
    "tags": "tags",
    "ssh": "ssh",
    "ssh.allow": "ssh.allow",
    "ssh.public_key_path": "ssh.publicKeyPath",
    "ssh.public_key": "ssh.publicKey",
    "ssh.source_security_group_ids": "ssh.sourceSecurityGroupIds",
    "private_networking": "privateNetworking",
    "addon_policies": "iam.withAddonPolicies",
    "imds": "disablePodIMDS",
    "imds.disable_imdsv1": "disableIMDSv1",
    "imds.disable_pod_imds": "disablePodIMDS",
    "spot": "spot",
    "update_config": "updateConfig",
    "update_config.max_unavailable": "updateConfig.maxUnavailable",
    "update_config.max_unavailable_percentage": "updateConfig.maxUnavailablePercentage",
    "max_pods": "maxPodsPerNode",
    "release_version": "releaseVersion",
    "node_repair": "nodeRepairConfig.enabled",
    "availability_zones": "availabilityZones",
    "security_group_ids": "securityGroups.attachIDs",
    "ssh.public_key_name": "ssh.publicKeyName",
    "ami": "ami",
    "pre_bootstrap_commands": "preBootstrapCommands",
    "override_bootstrap_command": "overrideBootstrapCommand",
    "instance_name": "instanceName",
}
AMI_RE = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")


def _validate_nodegroup(ng, path, names, minor, problems):
    _listed_once(ng, path, names, problems, lambda name, _first: f"nodegroup {name} is listed twice")
    if ng.get("instanceType") and ng.get("instanceTypes"):
        problems.append((path, "instanceType and instanceTypes cannot be set together"))
    family = ng.get("amiFamily")
    if family:
        if family in OTHER_EKSCTL_AMI_FAMILIES:
            problems.append((f"{path}.amiFamily", f"{family}: {UNSUPPORTED}"))
        elif family not in AMI_FAMILIES and family not in WINDOWS_AMI_TYPES:
            problems.append((f"{path}.amiFamily", f"unknown AMI family {family!r}"))
    # Managed nodegroups run the cluster's version (eksctl's schema has no nodegroup version).
    if family == "AmazonLinux2" and minor is not None and minor > AL2_LAST_MINOR:
        problems.append(
            (f"{path}.amiFamily", f"AmazonLinux2 AMIs are not offered for Kubernetes 1.{minor}; use AmazonLinux2023")
        )

    minimum, desired, maximum = ng.get("minSize"), ng.get("desiredCapacity"), ng.get("maxSize")
    for key, value in (("minSize", minimum), ("desiredCapacity", desired), ("maxSize", maximum)):
        if value is not None and value < 0:
            problems.append((f"{path}.{key}", "cannot be negative"))
    if minimum is not None and desired is not None and desired < minimum:
        problems.append(
            (f"{path}.desiredCapacity", f"{desired} is below minSize {minimum}: minSize <= desiredCapacity <= maxSize")
        )
    if maximum is not None and desired is not None and desired > maximum:
        problems.append(
            (f"{path}.desiredCapacity", f"{desired} is above maxSize {maximum}: minSize <= desiredCapacity <= maxSize")
        )
    if minimum is not None and maximum is not None and maximum < minimum:
        problems.append(
            (f"{path}.maxSize", f"{maximum} is below minSize {minimum}: minSize <= desiredCapacity <= maxSize")
        )

    volume_type = ng.get("volumeType") or DEFAULT_VOLUME["type"]
    if volume_type not in VOLUME_TYPES:
        problems.append((f"{path}.volumeType", f"must be one of {', '.join(VOLUME_TYPES)}, not {volume_type!r}"))
    if volume_type == "gp3":
        iops, throughput = ng.get("volumeIOPS"), ng.get("volumeThroughput")
        if iops is not None and not GP3_IOPS[0] <= iops <= GP3_IOPS[1]:
            problems.append((f"{path}.volumeIOPS", f"gp3 takes {GP3_IOPS[0]} to {GP3_IOPS[1]} IOPS, not {iops}"))
        if throughput is not None and not GP3_THROUGHPUT[0] <= throughput <= GP3_THROUGHPUT[1]:
            problems.append(
                (
                    f"{path}.volumeThroughput",
                    f"gp3 takes {GP3_THROUGHPUT[0]} to {GP3_THROUGHPUT[1]} MiB/s, not {throughput}",
                )
            )
    elif ng.get("volumeThroughput") is not None:
        problems.append((f"{path}.volumeThroughput", "is only for gp3 volumes"))
    if ng.get("volumeSize") is not None and ng["volumeSize"] < 1:
        problems.append((f"{path}.volumeSize", "must be at least 1 GiB"))
    if ng.get("maxPodsPerNode") is not None and ng["maxPodsPerNode"] < 1:
        problems.append((f"{path}.maxPodsPerNode", "must be at least 1"))

    update = ng.get("updateConfig")
    if update is not None:
        given = [key for key in ("maxUnavailable", "maxUnavailablePercentage") if update.get(key) is not None]
        if len(given) != 1:
            problems.append(
                (f"{path}.updateConfig", "needs exactly one of maxUnavailable and maxUnavailablePercentage")
            )
    try:
        _taints(ng.get("taints"))
    except ValueError as e:
        problems.append((f"{path}.taints", str(e)))
    nodegroup_launch_template.validate(ng, path, problems)
    nodegroup_instance_selector.validate(ng, path, problems)


def _validate_bootstrap(ng, path, family, problems):
    """A custom AMI and the bootstrap as eksctl's ValidateManagedNodeGroup takes them, and an existing key pair."""
    ami, override, pre = ng.get("ami"), ng.get("overrideBootstrapCommand"), ng.get("preBootstrapCommands")
    if ami and not AMI_RE.match(str(ami)):
        problems.append((f"{path}.ami", f"invalid AMI {ami!r} (ami- and 8 or 17 hexadecimal digits)"))
    if family in WINDOWS_AMI_TYPES:
        for key in ("ami", "preBootstrapCommands", "overrideBootstrapCommand"):
            if ng.get(key):
                problems.append((f"{path}.{key}", f"is not supported for {family} managed nodegroups"))
        return
    if pre and family == "Bottlerocket":
        problems.append((f"{path}.preBootstrapCommands", "is not supported for Bottlerocket nodegroups"))
    if override and not ami:
        problems.append(
            (f"{path}.overrideBootstrapCommand", f"can only be set when a custom AMI ({path}.ami) is specified")
        )
    elif override and family != "AmazonLinux2":
        problems.append((f"{path}.overrideBootstrapCommand", f"is not supported for {family} nodegroups"))
    if ami and family == "AmazonLinux2" and not override:
        problems.append(
            (
                f"{path}.overrideBootstrapCommand",
                f"is required when using a custom AMI based on AmazonLinux2 ({path}.ami)",
            )
        )
    if ami:
        for key in ("releaseVersion", "maxPodsPerNode") if family == "AmazonLinux2" else ("releaseVersion",):
            if ng.get(key):
                problems.append((f"{path}.{key}", f"is not supported when using a custom AMI ({path}.ami)"))
    ssh = ng.get("ssh") if isinstance(ng.get("ssh"), dict) else {}
    if ssh.get("publicKeyName"):
        given = [key for key in ("publicKeyPath", "publicKey") if ssh.get(key)]
        if given:
            problems.append(
                (
                    f"{path}.ssh.publicKeyName",
                    f"only one of publicKeyName, publicKeyPath and publicKey, not also {given[0]}",
                )
            )
        if ssh.get("allow") is False:
            problems.append((f"{path}.ssh.publicKeyName", "needs ssh.allow true (or left out)"))


def _taints(value):
    """eksctl's two spellings of taints as a list of {key, value, effect}."""
    if not value:
        return []
    items = []
    if isinstance(value, dict):
        for key, spec in value.items():
            taint_value, sep, effect = (spec or "").rpartition(":")
            if not sep:
                raise ValueError(f"{key}: {spec!r} must be 'value:effect'")
            items.append({"key": key, "value": taint_value, "effect": effect})
    else:
        items = [
            {"key": t.get("key"), "value": t.get("value") or "", "effect": t.get("effect")}
            for t in value
            if isinstance(t, dict)
        ]
    for taint in items:
        if not taint["key"]:
            raise ValueError("every taint needs a key")
        if taint["effect"] not in TAINT_EFFECTS:
            raise ValueError(
                f"{taint['key']}: effect must be one of {', '.join(TAINT_EFFECTS)}, not {taint['effect']!r}"
            )
    return [{k: v for k, v in taint.items() if k != "value" or v != ""} for taint in items]


def _nodegroup(ng, cluster_name):
    name = ng.get("name")
    result = {"name": name}
    result["instance_types"] = _entries(ng.get("instanceTypes")) or [ng.get("instanceType") or DEFAULT_INSTANCE_TYPE]
    family = ng.get("amiFamily") or DEFAULT_AMI_FAMILY
    if family in WINDOWS_AMI_TYPES:
        result["ami_type"] = WINDOWS_AMI_TYPES[family]
    else:
        result["ami_family"] = family

    minimum, desired, maximum = ng.get("minSize"), ng.get("desiredCapacity"), ng.get("maxSize")
    # eksctl's ValidateManagedNodeGroup: min from desired (else 2), max from desired (else min), desired from min.
    if minimum is None:
        minimum = desired if desired is not None else DEFAULT_NODE_COUNT
    if maximum is None:
        maximum = desired if desired is not None else minimum
        maximum = maximum or 1
    if desired is None:
        desired = minimum
    result.update(min_size=minimum, desired_size=desired, max_size=maximum)

    volume_type = ng.get("volumeType") or DEFAULT_VOLUME["type"]
    volume = {
        "size": ng["volumeSize"] if ng.get("volumeSize") is not None else DEFAULT_VOLUME["size"],
        "type": volume_type,
    }
    if volume_type == "gp3":
        volume["iops"] = ng["volumeIOPS"] if ng.get("volumeIOPS") is not None else GP3_IOPS[0]
        volume["throughput"] = ng["volumeThroughput"] if ng.get("volumeThroughput") is not None else GP3_THROUGHPUT[0]
    elif ng.get("volumeIOPS") is not None:
        volume["iops"] = ng["volumeIOPS"]
    elif volume_type == "io1":
        volume["iops"] = IO1_DEFAULT_IOPS
    if ng.get("volumeEncrypted") is not None:
        volume["encrypted"] = ng["volumeEncrypted"]
    if ng.get("volumeKmsKeyID"):
        volume["kms_key_id"] = ng["volumeKmsKeyID"]
    result["volume"] = volume

    labels = dict(ng.get("labels") or {})
    labels.update({"alpha.eksctl.io/cluster-name": cluster_name, "alpha.eksctl.io/nodegroup-name": name})
    result["labels"] = labels
    try:
        taints = _taints(ng.get("taints"))
    except ValueError:  # reported by _validate_nodegroup
        taints = []
    if taints:
        result["taints"] = taints
    tags = dict(ng.get("tags") or {})
    tags.update({"alpha.eksctl.io/nodegroup-name": name, "alpha.eksctl.io/nodegroup-type": "managed"})
    result["tags"] = tags

    result["ssh"] = _ssh(ng.get("ssh") or {})
    result["private_networking"] = bool(ng.get("privateNetworking"))
    policies = _enabled(((ng.get("iam") or {}).get("withAddonPolicies")), ADDON_POLICIES)
    if policies:
        result["addon_policies"] = policies
    result["imds"] = {
        # The contract's eksctl (v0.230) requires IMDSv2 unless told otherwise.
        "disable_imdsv1": ng.get("disableIMDSv1") is not False,
        "disable_pod_imds": bool(ng.get("disablePodIMDS")),
    }
    if ng.get("spot") is not None:
        result["spot"] = ng["spot"]
    update = ng.get("updateConfig") or {}
    if update:
        result["update_config"] = {
            snake: update[key]
            for key, snake in (
                ("maxUnavailable", "max_unavailable"),
                ("maxUnavailablePercentage", "max_unavailable_percentage"),
            )
            if update.get(key) is not None
        }
    if ng.get("maxPodsPerNode") is not None:
        result["max_pods"] = ng["maxPodsPerNode"]
    if ng.get("releaseVersion"):
        result["release_version"] = ng["releaseVersion"]
    if _entries(ng.get("availabilityZones")):
        result["availability_zones"] = _entries(ng["availabilityZones"])
    if _entries((ng.get("securityGroups") or {}).get("attachIDs")):
        result["security_group_ids"] = _entries(ng["securityGroups"]["attachIDs"])
    if isinstance(ng.get("nodeRepairConfig"), dict) and ng["nodeRepairConfig"].get("enabled") is not None:
        result["node_repair"] = bool(ng["nodeRepairConfig"]["enabled"])
    for key, snake in (
        ("ami", "ami"),
        ("preBootstrapCommands", "pre_bootstrap_commands"),
        ("overrideBootstrapCommand", "override_bootstrap_command"),
        ("instanceName", "instance_name"),
    ):
        if ng.get(key):
            result[snake] = list(ng[key]) if key == "preBootstrapCommands" else ng[key]
    nodegroup_launch_template.convert(ng, result)
    nodegroup_instance_selector.convert(ng, result)
    return result


def _ssh(ssh):
    key_path = ssh.get("publicKeyPath")
    key_name = ssh.get("publicKeyName")
    # eksctl: a key turns SSH on unless allow is explicitly false; allow with no key uses ~/.ssh/id_rsa.pub.
    allow = ssh.get("allow")
    if allow is None:
        allow = bool(key_path or key_name)
    result = {"allow": bool(allow)}
    if allow and key_name:
        # An existing key pair: no public key file.
        result["public_key_name"] = key_name
    elif allow:
        result["public_key_path"] = key_path or DEFAULT_SSH_PUBLIC_KEY_PATH
    if allow:
        if _entries(ssh.get("sourceSecurityGroupIds")):
            result["source_security_group_ids"] = _entries(ssh["sourceSecurityGroupIds"])
    return result


def validate(cfg, problems):
    """managedNodeGroups: each nodegroup, names listed once."""
    version = (cfg.get("metadata") or {}).get("version")
    names = {}
    for index, ng in _indexed(cfg.get("managedNodeGroups")):
        _validate_nodegroup(ng, f"managedNodeGroups[{index}]", names, _minor(version), problems)
        _validate_bootstrap(ng, f"managedNodeGroups[{index}]", ng.get("amiFamily") or DEFAULT_AMI_FAMILY, problems)


def convert(cfg, result):
    cluster_name = (cfg.get("metadata") or {}).get("name")
    result["nodegroups"] = [_nodegroup(ng, cluster_name) for _index, ng in _indexed(cfg.get("managedNodeGroups"))]


def add_paths(cfg, result, paths):
    # A null entry of a list is reported and left out of the definition: entry k of the definition is the
    # k-th entry of the ClusterConfig that is a mapping.
    for position, (index, ng) in enumerate(_indexed(cfg.get("managedNodeGroups"))):
        base = f"managedNodeGroups[{index}]"
        paths[f"nodegroups[{position}]"] = base
        for key, value in dict(NODEGROUP_PATHS, **nodegroup_launch_template.PATHS, **nodegroup_instance_selector.PATHS).items():
            paths[f"nodegroups[{position}].{key}"] = f"{base}.{value}"
        paths[f"nodegroups[{position}].instance_types"] = (
            f"{base}.instanceTypes" if ng.get("instanceTypes") else f"{base}.instanceType"
        )
        if not ng.get("instanceTypes"):
            paths[f"nodegroups[{position}].instance_types[0]"] = f"{base}.instanceType"
