# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The definition's managed nodegroups: eksctl's defaults and AWS's limits, the AMI type of an AMI family, SSH,
IMDS, taints, and the node role's policies."""

from __future__ import annotations

import os
import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import VERSION_RE
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _bool
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _choice
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _dict
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _fail
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _required
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _int
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _labels
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _list
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _tags
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import _version_tuple
from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import partition
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import user_path
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroup_bootstrap import bootstrap
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroup_instance_selector import instance_selector
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroup_instance_selector import (
    representative_types,
)
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroup_launch_template import launch_template
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import suggestion
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import well_known_policies

NODEGROUP_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$")
SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
VOLUME_TYPES = list(vocabulary.VOLUME_TYPES)
AMI_FAMILIES = ["AmazonLinux2", "AmazonLinux2023", "Bottlerocket", "Windows2019", "Windows2022"]
AMI_TYPES = list(vocabulary.AMI_TYPES)

# The AMI types whose max pods the nodegroup role sets: AL2023 in a NodeConfig, Bottlerocket in its TOML settings.
MAX_PODS_AMI_PREFIXES = ("AL2023_", "BOTTLEROCKET_")

# Kubernetes' spelling first (the definition's), then the EKS API's.
TAINT_EFFECTS = {
    **{k: vocabulary.TAINT_EFFECT_TO_EKS[k] for k in ("NoSchedule", "NoExecute", "PreferNoSchedule")},
    **{e: e for e in vocabulary.TAINT_EFFECTS},
}
ADDON_POLICIES = [
    "image_builder", "ebs", "cloud_watch", "auto_scaler", "external_dns", "cert_manager", "app_mesh",
    "app_mesh_preview", "fsx", "efs", "aws_load_balancer_controller", "alb_ingress", "xray",
]  # fmt: skip
TAINT_KEY_MAX = 63
TAINT_VALUE_MAX = 63
TAINTS_MAX = 50
KEY_PAIR_NAME_MAX = 255
PUBLIC_KEY_PREFIXES = ("ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-", "sk-ssh-ed25519", "sk-ecdsa-sha2-")


def _is_arm(instance_type):
    match = re.match(r"^[a-z]+\d+([a-z-]*)\.", instance_type)
    return bool(match and "g" in match.group(1))


def _is_gpu(instance_type):
    return bool(re.match(r"^(p|g)\d", instance_type)) and not _is_arm(instance_type)


def ami_type(family, instance_types):
    """The EKS amiType eksctl picks for an AMI family and the nodegroup's instance types."""
    first = instance_types[0] if instance_types else vocabulary.DEFAULT_INSTANCE_TYPE
    arm, gpu = _is_arm(first), _is_gpu(first)
    if family == "AmazonLinux2":
        return "AL2_ARM_64" if arm else "AL2_x86_64_GPU" if gpu else "AL2_x86_64"
    if family == "AmazonLinux2023":
        return "AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD"
    if family == "Bottlerocket":
        return "BOTTLEROCKET_ARM_64" if arm else "BOTTLEROCKET_x86_64_NVIDIA" if gpu else "BOTTLEROCKET_x86_64"
    return vocabulary.WINDOWS_AMI_TYPES[family]


def _nodegroup(ng, index, cluster_name, cluster_version, cluster_tags, base_dir, warnings):
    field = f"nodegroups[{index}]"
    ng = _section(ng, field, "nodegroup")
    name = _required(
        ng.get("name"),
        f"{field}.name",
        NODEGROUP_RE,
        "must be 1 to 63 letters, digits, - and _, starting with a letter or digit",
    )
    out = {"name": name}
    types = _list(ng.get("instance_types"), f"{field}.instance_types")
    for t_index, itype in enumerate(types):
        if not isinstance(itype, str) or not re.match(r"^[a-z0-9-]+\.[a-z0-9-]+$", itype):
            _fail(f"{field}.instance_types[{t_index}]", f"{itype!r} is not an instance type name such as m5.large")
    out["instance_types"] = [str(t) for t in types] or [vocabulary.DEFAULT_INSTANCE_TYPE]
    out["instance_selector"] = instance_selector(ng, field)
    if out["instance_selector"]:
        out["instance_types"] = []  # selected from EC2 in the definition stage
    if ng.get("ami_type"):
        out["ami_type"] = _choice(ng["ami_type"], f"{field}.ami_type", AMI_TYPES)
        out["ami_family"] = ng.get("ami_family")
    else:
        out["ami_family"] = _choice(ng.get("ami_family"), f"{field}.ami_family", AMI_FAMILIES, "AmazonLinux2023")
        out["ami_type"] = ami_type(out["ami_family"], out["instance_types"] or representative_types(out["instance_selector"]))
    version = str(ng["version"]) if ng.get("version") else None
    ami_version = version or cluster_version
    if out["ami_type"].startswith("AL2_") and ami_version and _version_tuple(ami_version) >= (1, 33):
        key = "ami_type" if ng.get("ami_type") else "ami_family"
        _fail(
            f"{field}.{key}",
            f"Amazon Linux 2 AMIs stop at Kubernetes 1.32, not offered for {ami_version}: use AmazonLinux2023 "
            "(or Bottlerocket)",
        )
    out["min_size"] = _int(ng.get("min_size"), f"{field}.min_size", 2, 0)
    out["max_size"] = _int(ng.get("max_size"), f"{field}.max_size", None, 1)
    out["desired_size"] = _int(ng.get("desired_size"), f"{field}.desired_size", None, 0)
    if out["desired_size"] is None:
        out["desired_size"] = (
            max(out["min_size"], 2) if out["max_size"] is None else min(max(out["min_size"], 2), out["max_size"])
        )
    if out["max_size"] is None:
        out["max_size"] = max(out["desired_size"], 1)
    low, desired, high = out["min_size"], out["desired_size"], out["max_size"]
    if low > high:
        _fail(
            f"{field}.min_size",
            f"{low} is above {ref(field + '.max_size')} {high}: min_size <= desired_size <= max_size",
        )
    if desired < low:
        _fail(
            f"{field}.desired_size",
            f"{desired} is below {ref(field + '.min_size')} {low}: min_size <= desired_size <= max_size",
        )
    if desired > high:
        _fail(
            f"{field}.desired_size",
            f"{desired} is above {ref(field + '.max_size')} {high}: min_size <= desired_size <= max_size",
        )
    volume = _section(ng.get("volume"), f"{field}.volume", "volume")
    vtype = _choice(volume.get("type"), f"{field}.volume.type", VOLUME_TYPES, vocabulary.DEFAULT_VOLUME_TYPE)
    vol = {
        "size": _int(volume.get("size"), f"{field}.volume.size", vocabulary.DEFAULT_VOLUME_SIZE, 1, 16384),
        "type": vtype,
    }
    if vtype == "gp3":
        vol["iops"] = _int(volume.get("iops"), f"{field}.volume.iops", 3000, 3000, 16000)
        vol["throughput"] = _int(volume.get("throughput"), f"{field}.volume.throughput", 125, 125, 1000)
    else:
        if volume.get("throughput") is not None:
            _fail(f"{field}.volume.throughput", f"is only for gp3 volumes, not {vtype}")
        if vtype in ("io1", "io2"):
            vol["iops"] = _int(volume.get("iops"), f"{field}.volume.iops", None, 100, 256000)
            if vol["iops"] is None:
                _fail(f"{field}.volume.iops", f"is required for {vtype} volumes")
        elif volume.get("iops") is not None:
            _fail(f"{field}.volume.iops", f"is only for gp3, io1 and io2 volumes, not {vtype}")
    vol["encrypted"] = _bool(volume.get("encrypted"), f"{field}.volume.encrypted", False)
    vol["kms_key_id"] = volume.get("kms_key_id") or None
    if vol["kms_key_id"] and not vol["encrypted"]:
        _fail(f"{field}.volume.kms_key_id", f"needs {ref(field + '.volume.encrypted')} true")
    out["volume"] = vol
    out["labels"] = _labels(ng.get("labels"), f"{field}.labels")
    out["labels"].setdefault("alpha.eksctl.io/cluster-name", cluster_name)
    out["labels"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    taints = []
    taint_list = _list(ng.get("taints"), f"{field}.taints")
    if len(taint_list) > TAINTS_MAX:
        _fail(f"{field}.taints", f"{len(taint_list)} taints; EKS allows {TAINTS_MAX} per nodegroup")
    for t_index, taint in enumerate(taint_list):
        t_field = f"{field}.taints[{t_index}]"
        taint = _section(taint, t_field, "taint")
        if not taint.get("key"):
            _fail(f"{t_field}.key", "is required")
        if len(str(taint["key"])) > TAINT_KEY_MAX:
            _fail(f"{t_field}.key", f"is {len(str(taint['key']))} characters; EKS takes 1 to {TAINT_KEY_MAX}")
        effect = taint.get("effect")
        if effect is None:
            _fail(f"{t_field}.effect", "is required: NoSchedule, NoExecute or PreferNoSchedule")
        if effect not in TAINT_EFFECTS:
            _fail(
                f"{t_field}.effect",
                f"{effect!r} is not a taint effect{suggestion(effect, TAINT_EFFECTS)}; use NoSchedule, NoExecute or "
                "PreferNoSchedule",
            )
        item = {"key": str(taint["key"]), "effect": TAINT_EFFECTS[effect]}
        if taint.get("value") is not None:
            item["value"] = str(taint["value"])
            if len(item["value"]) > TAINT_VALUE_MAX:
                _fail(f"{t_field}.value", f"is {len(item['value'])} characters; EKS takes up to {TAINT_VALUE_MAX}")
        taints.append(item)
    out["taints"] = taints
    out["tags"] = _dict(ng.get("tags"), f"{field}.tags")
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-name", name)
    out["tags"].setdefault("alpha.eksctl.io/nodegroup-type", "managed")
    out["tags"] = _tags(out["tags"], f"{field}.tags", extra=len(set(cluster_tags) - set(out["tags"])) + 1)
    out["ssh"] = _ssh(ng.get("ssh"), f"{field}.ssh", base_dir, warnings)
    out["private_networking"] = _bool(ng.get("private_networking"), f"{field}.private_networking", False)
    policies = ng.get("addon_policies")
    if isinstance(policies, dict):
        policies = [key for key, value in policies.items() if _bool(value, f"{field}.addon_policies.{key}", False)]
    policies = _list(policies, f"{field}.addon_policies")
    for policy in policies:
        _choice(policy, f"{field}.addon_policies", ADDON_POLICIES)
    out["addon_policies"] = sorted(set(policies))
    out["imds"] = _imds(ng.get("imds"), f"{field}.imds")
    out["spot"] = _bool(ng.get("spot"), f"{field}.spot", False)
    update = _section(ng.get("update_config"), f"{field}.update_config", "update_config")
    if update.get("max_unavailable") is not None and update.get("max_unavailable_percentage") is not None:
        _fail(f"{field}.update_config", "max_unavailable and max_unavailable_percentage are mutually exclusive")
    out["update_config"] = {
        "max_unavailable": _int(update.get("max_unavailable"), f"{field}.update_config.max_unavailable", None, 1, 100),
        "max_unavailable_percentage": _int(
            update.get("max_unavailable_percentage"), f"{field}.update_config.max_unavailable_percentage", None, 1, 100
        ),
    }
    out["max_pods"] = _int(ng.get("max_pods"), f"{field}.max_pods", None, 1, 737)
    if out["max_pods"] is not None and not out["ami_type"].startswith(MAX_PODS_AMI_PREFIXES):
        _fail(
            f"{field}.max_pods",
            f"is set through the launch template for AmazonLinux2023 and Bottlerocket nodes only, not {out['ami_type']}",
        )
    out["version"] = version
    if version is not None:
        if not VERSION_RE.match(version):
            _fail(f"{field}.version", f"{version!r} must be a Kubernetes minor version such as 1.33")
        if cluster_version and _version_tuple(version) > _version_tuple(cluster_version):
            _fail(f"{field}.version", f"{version} is newer than the cluster's {ref('version')} {cluster_version}")
    out["release_version"] = ng.get("release_version") or None
    out["node_repair"] = _bool(ng.get("node_repair"), f"{field}.node_repair", None)
    out["launch_template"] = launch_template(ng, field)
    out.update(bootstrap(ng, field, out))
    return out


def _ssh(ssh, field, base_dir, warnings):
    ssh = _section(ssh, field, "ssh")
    out = {
        "allow": _bool(ssh.get("allow"), f"{field}.allow", False),
        "public_key_path": ssh.get("public_key_path") or "~/.ssh/id_rsa.pub",
        "public_key": ssh.get("public_key") or None,
        "public_key_name": ssh.get("public_key_name") or None,
        "source_security_group_ids": [
            str(g) for g in _list(ssh.get("source_security_group_ids"), f"{field}.source_security_group_ids")
        ],
    }
    if out["public_key_name"] is not None:
        # An existing EC2 key pair (checked to exist before any change): SSH on, no key file read, no key pair made.
        name = out["public_key_name"]
        if not isinstance(name, str) or not 1 <= len(name) <= KEY_PAIR_NAME_MAX:
            _fail(f"{field}.public_key_name", f"must be an EC2 key pair name of 1 to {KEY_PAIR_NAME_MAX} characters")
        for other in ("public_key_path", "public_key"):
            if ssh.get(other):
                _fail(f"{field}.public_key_name", f"give one of public_key_name, public_key_path and public_key, "
                                                  f"not also {ref(field + '.' + other)}")  # fmt: skip
        if ssh.get("allow") is not None and not out["allow"]:
            _fail(f"{field}.public_key_name", f"needs {ref(field + '.allow')} true (or left out)")
        out["allow"] = True
    for index, group in enumerate(out["source_security_group_ids"]):
        if not SECURITY_GROUP_RE.match(group):
            _fail(f"{field}.source_security_group_ids[{index}]", f"{group!r} is not a security group ID (sg-...)")
    if not out["allow"]:
        return out
    if not out["source_security_group_ids"]:
        warnings.append(
            f"{ref(field)}: SSH (tcp/22) to the nodes is open to the world (0.0.0.0/0); restrict it with "
            f"{ref(field + '.source_security_group_ids')} or set {ref(field + '.allow')} false"
        )
    if out["public_key_name"]:
        return out
    if out["public_key"]:
        if not str(out["public_key"]).startswith(PUBLIC_KEY_PREFIXES):
            _fail(f"{field}.public_key", "is not an OpenSSH public key (ssh-ed25519 AAAA..., ssh-rsa AAAA...)")
        return out
    if base_dir is False:
        # Files are not read (teardown): the path is only resolved.
        out["public_key_path"] = user_path(out["public_key_path"])
        return out
    path = user_path(out["public_key_path"], base_dir)
    what_to_do = (
        f"create it (ssh-keygen), set {ref(field + '.public_key_path')} to your public key file or "
        f"{ref(field + '.public_key')} to the key itself, or set {ref(field + '.allow')} false"
    )
    if not os.path.isfile(path):
        _fail(
            f"{field}.public_key_path",
            f"no public key file {path} (relative paths are read from the directory ansible-playbook runs in): "
            + what_to_do,
        )
    try:
        with open(path, "rb") as f:
            head = f.read(64).decode("utf-8", "replace").lstrip()
    except OSError as e:
        _fail(f"{field}.public_key_path", f"cannot read {path}: {e.strerror}: " + what_to_do)
    if head.startswith("-----BEGIN") or "PRIVATE KEY" in head:
        _fail(f"{field}.public_key_path", f"{path} is a private key: name its public key (the .pub file)")
    if not head.startswith(PUBLIC_KEY_PREFIXES):
        _fail(f"{field}.public_key_path", f"{path} is not an OpenSSH public key: " + what_to_do)
    out["public_key_path"] = path
    return out


def _imds(imds, field):
    """IMDSv2 required unless disable_imdsv1 is false; pods kept off IMDS with hop limit 1 (disable_pod_imds)."""
    imds = _section(imds, field, "imds")
    disable_pod = _bool(imds.get("disable_pod_imds"), f"{field}.disable_pod_imds", False)
    out = {
        "disable_imdsv1": _bool(imds.get("disable_imdsv1"), f"{field}.disable_imdsv1", True),
        "disable_pod_imds": disable_pod,
        "hop_limit": _int(imds.get("hop_limit"), f"{field}.hop_limit", 1 if disable_pod else 2, 1, 64),
    }
    if disable_pod and out["hop_limit"] != 1:
        _fail(
            f"{field}.hop_limit",
            f"{out['hop_limit']} lets pods reach the instance metadata, which {ref(field + '.disable_pod_imds')} true "
            "forbids: leave hop_limit out (1) or set disable_pod_imds false",
        )
    if disable_pod and imds.get("disable_imdsv1") is None:
        out["disable_imdsv1"] = True
    return out


# eksctl's withAddonPolicies: managed policies ("path/name") and well-known controller policies (inline).
NODE_ADDON_POLICIES = {
    "image_builder": (["AmazonEC2ContainerRegistryPowerUser"], []),
    "ebs": ([], ["ebs-csi"]),
    "efs": ([], ["efs-csi"]),
    "cloud_watch": (["CloudWatchAgentServerPolicy"], []),
    "xray": (["AWSXRayDaemonWriteAccess"], []),
    "fsx": (["AmazonFSxFullAccess"], []),
    "app_mesh": (["AWSAppMeshFullAccess"], []),
    "app_mesh_preview": (["AWSAppMeshPreviewEnvoyAccess"], []),
    "auto_scaler": ([], ["cluster-autoscaler"]),
    "external_dns": ([], ["external-dns"]),
    "cert_manager": ([], ["cert-manager"]),
    "aws_load_balancer_controller": ([], ["aws-load-balancer-controller"]),
    "alb_ingress": ([], ["aws-load-balancer-controller"]),
}


def node_role_policies(nodegroup, region, cluster_name, with_oidc):
    """The managed policy ARNs and inline policies of a nodegroup's node role, as eksctl attaches them."""
    part = partition(region)
    names = list(vocabulary.NODE_ROLE_POLICIES)
    if not with_oidc:
        # With OIDC, vpc-cni gets its own IRSA role instead.
        names.append(vocabulary.CNI_POLICY)
    controllers = []
    for policy in nodegroup["addon_policies"]:
        managed, known = NODE_ADDON_POLICIES[policy]
        names += [n for n in managed if n not in names]
        controllers += [c for c in known if c not in controllers]
    managed_arns, inline = well_known_policies(controllers, part, cluster_name)
    arns = [f"arn:{part}:iam::aws:policy/{n}" for n in names]
    return {"managed_policy_arns": arns + [a for a in managed_arns if a not in arns], "inline_policies": inline}
