# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 launch templates.

In four parts kept apart:

- the launch template of a nodegroup's nodes from its normalized definition (pure, the ``node_launch_template``
  filter);
- the data checked and compared as AWS answers it: defaults AWS adds, other key orders, user data decoded (pure);
- the plan of a run: create, new version, default version, tags, versions to delete (pure);
- the run itself (``api`` calls only).
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
import re

from . import api
from .change import change
from .change import outcome
from .common import client
from .common import tag_changes
from .common import apply_tag_changes
from .errors import EksError

DEFAULT_KEEP_VERSIONS = 5

# The root volume of the EKS AMIs (AL2, AL2023 and Bottlerocket's OS volume).
ROOT_DEVICE = "/dev/xvda"

# The resource types the nodes' tags go to (EKS copies none of them from the nodegroup).
INSTANCE_TAG_TYPES = ("instance", "volume", "network-interface")

# Launch template names as EC2 allows them.
NAME_RE = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")

# AWS answers these values for keys a version's data left out: they are the same as leaving them out.
AWS_DEFAULTS = {
    ("MetadataOptions", "HttpEndpoint"): "enabled",
    ("MetadataOptions", "HttpProtocolIpv6"): "disabled",
    ("MetadataOptions", "InstanceMetadataTags"): "disabled",
}
# Keys AWS answers that say something of the version, not of what it asks for.
AWS_ONLY = {("MetadataOptions", "State")}


# ---------------------------------------------------------------- the nodes' launch template (pure)
# The user data's MIME multipart form (as EKS merges it with its own for its AMIs, and nodeadm reads it), shared with
# the self-managed nodegroups' (self_managed.join_user_data).
MIME_HEAD = 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n'
SHELL_HEAD = "#!/bin/bash\nset -o errexit -o pipefail -o nounset\n"
NODE_CONFIG_HEAD = ["---", "apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", "spec:"]

# What a custom AMI's user data says of a cluster not made yet (check mode before the cluster exists): known, and
# written, once the cluster is ACTIVE.
PENDING_CLUSTER = {
    "endpoint": "https://pending.cluster.endpoint",
    "certificate_authority": "pending-certificate-authority",
    "service_cidr": "10.100.0.0/16",
}


def mime_multipart(parts):
    """The parts (each its Content-Type header, a blank line and its body) as one MIME multipart document."""
    return MIME_HEAD + "".join(f"--//\n{part}\n" for part in parts) + "--//--\n"


def shell_script_part(commands):
    """A MIME part running ``commands`` as a bash script that stops at the first failure."""
    return "Content-Type: text/x-shellscript\n\n" + SHELL_HEAD + "\n".join(str(c) for c in commands) + "\n"


def node_config_part(spec_lines):
    """A MIME part with a nodeadm NodeConfig whose ``spec`` has ``spec_lines`` (indented by two spaces)."""
    return "Content-Type: application/node.eks.aws\n\n" + "\n".join(NODE_CONFIG_HEAD + list(spec_lines)) + "\n"


# Bottlerocket reads TOML settings, which EKS merges with its own.
BOTTLEROCKET_SETTINGS = """[settings.kubernetes]
max-pods = {max_pods}
"""


class LaunchTemplateError(ValueError):
    """Bad input to the node launch template: the message names the field."""


def node_max_pods(nodegroup, instance_type=None, prefix_delegation=False):
    """The kubelet's max pods the user data sets, or None (the AMI's own computation).

    As given (``max_pods``); otherwise, with prefix delegation, on AL2023 and Bottlerocket nodes, what the instance
    type allows with prefixes (``max_pods_prefix_delegation`` of aews.eks.eks_instance_types_info).
    """
    ami_type = nodegroup.get("ami_type") or ""
    given = nodegroup.get("max_pods")
    if given is not None:
        if isinstance(given, bool) or not str(given).isdigit() or int(given) < 1:
            raise LaunchTemplateError(
                f"nodegroup {nodegroup.get('name')}: max_pods must be a positive integer, not {given!r}"
            )
        if not ami_type.startswith(("AL2023", "BOTTLEROCKET")):
            raise LaunchTemplateError(
                f"nodegroup {nodegroup.get('name')}: max_pods is set in the user data of AL2023 and Bottlerocket nodes"
                f" only, not {ami_type}"
            )
        return int(given)
    if prefix_delegation and ami_type.startswith(("AL2023", "BOTTLEROCKET")):
        pods = (instance_type or {}).get("max_pods_prefix_delegation")
        if pods is None:
            raise LaunchTemplateError(
                f"nodegroup {nodegroup.get('name')}: instance_type needs max_pods_prefix_delegation"
                " (aews.eks.eks_instance_types_info) to set the max pods of prefix delegation"
            )
        return int(pods)
    return None


def node_user_data(ami_type, max_pods, pre_bootstrap_commands=()):
    """The user data of a node of an EKS AMI (plain text, '' for none), which EKS merges with its own bootstrap.

    AL2023: a shell script part with the pre-bootstrap commands, then a NodeConfig with the max pods. AL2: the
    shell script part (EKS's bootstrap follows it). Bottlerocket: TOML settings with the max pods (no commands).
    Windows nodes get none: EKS's bootstrap of the AMI runs as it is.
    """
    pre = [str(c) for c in pre_bootstrap_commands or []]
    if pre and not ami_type.startswith(("AL2023", "AL2_")):
        raise LaunchTemplateError(
            f"pre_bootstrap_commands: {ami_type} nodes run no shell commands from their user data"
        )
    if ami_type.startswith("BOTTLEROCKET"):
        return BOTTLEROCKET_SETTINGS.format(max_pods=max_pods) if max_pods is not None else ""
    parts = [shell_script_part(pre)] if pre else []
    if ami_type.startswith("AL2023") and max_pods is not None:
        parts.append(node_config_part(["  kubelet:", "    config:", f"      maxPods: {int(max_pods)}"]))
    return mime_multipart(parts) if parts else ""


def custom_ami_user_data(nodegroup, cluster_info, max_pods):
    """The user data that joins a node of a custom AMI (``nodegroup.ami``), which EKS does not bootstrap: what a
    self-managed node of its family gets (``self_managed.join_user_data``: AL2023 a NodeConfig with the cluster's
    endpoint, certificate authority and service CIDR after the pre-bootstrap commands; AL2 the commands then
    ``override_bootstrap_command``; Bottlerocket its TOML settings), with the nodegroup's labels and taints.

    ``cluster_info`` is the cluster as aews.eks.eks_cluster_info returns it; before the cluster exists (check mode)
    its details are ``PENDING_CLUSTER``'s.
    """
    from .self_managed import cluster_join_info
    from .self_managed import family_of_ami_type
    from .self_managed import join_user_data
    from .self_managed import node_of

    join = cluster_join_info(cluster_info or {})
    join = {key: value or PENDING_CLUSTER.get(key) for key, value in join.items()}
    family = family_of_ami_type(nodegroup.get("ami_type") or "")
    try:
        return join_user_data(family, join, node_of(nodegroup, max_pods))
    except EksError as e:
        raise LaunchTemplateError(f"nodegroup {nodegroup.get('name')}: {e}") from e


def _tag_list(tags):
    return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]


def node_launch_template(
    nodegroup,
    cluster,
    tags=None,
    security_group_ids=None,
    ssh_security_group_id=None,
    instance_type=None,
    prefix_delegation=False,
    cluster_info=None,
):
    """The launch template of a nodegroup's nodes, from its normalized definition (aews.eks.cluster_definition).

    Only what must reach the instances is in its data: the root volume, the metadata options, the SSH key (the
    key pair the collection imports, or ``ssh.public_key_name``), the security groups, the user data (max pods,
    ``pre_bootstrap_commands``) and the tags of the instances, volumes and network interfaces (the cluster's tags and
    Name: ``instance_name``, else CLUSTER-NODEGROUP-Node). With a custom AMI (``ami``) also its ImageId and the user
    data that joins the node (``custom_ami_user_data``, from ``cluster_info``, the cluster as
    aews.eks.eks_cluster_info returns it). The nodegroup's labels, taints, sizes and tags are the nodegroup's, changed
    in place.

    Returns ``name``, ``description``, ``data`` (LaunchTemplateData as EC2 takes it, the user data base64),
    ``user_data`` (decoded), ``max_pods`` and ``tags`` (of the template itself).
    """
    if not isinstance(nodegroup, dict) or not nodegroup.get("name"):
        raise LaunchTemplateError(
            "the nodegroup must be a normalized nodegroup (aews.eks.cluster_definition) with a name"
        )
    if not cluster:
        raise LaunchTemplateError("cluster (the cluster's name) is required")
    name = nodegroup["name"]
    tags = dict(tags or {})
    for key in ("volume", "imds", "ssh"):
        if not isinstance(nodegroup.get(key), dict):
            raise LaunchTemplateError(
                f"nodegroup {name}: {key} is missing (normalize it with aews.eks.cluster_definition)"
            )
    volume, imds, ssh = nodegroup["volume"], nodegroup["imds"], nodegroup["ssh"]

    ebs = {"VolumeSize": int(volume["size"]), "VolumeType": volume["type"], "DeleteOnTermination": True}
    if volume.get("iops") is not None:
        ebs["Iops"] = int(volume["iops"])
    if volume.get("throughput") is not None:
        ebs["Throughput"] = int(volume["throughput"])
    if volume.get("encrypted"):
        ebs["Encrypted"] = True
    if volume.get("kms_key_id"):
        ebs["KmsKeyId"] = volume["kms_key_id"]

    groups = list(security_group_ids or [])
    if ssh.get("allow"):
        if not ssh_security_group_id:
            raise LaunchTemplateError(
                f"nodegroup {name}: ssh.allow needs ssh_security_group_id (the SSH security group)"
            )
        groups.append(ssh_security_group_id)
    if not groups:
        raise LaunchTemplateError(f"nodegroup {name}: security_group_ids is empty: nodes need the shared node group")

    max_pods = node_max_pods(nodegroup, instance_type, prefix_delegation)
    image = nodegroup.get("ami")
    if image:
        user_data = custom_ami_user_data(nodegroup, dict(cluster_info or {}, name=cluster), max_pods)
    else:
        if nodegroup.get("override_bootstrap_command"):
            raise LaunchTemplateError(f"nodegroup {name}: override_bootstrap_command is only for a custom AMI (ami)")
        try:
            pre = nodegroup.get("pre_bootstrap_commands")
            user_data = node_user_data(nodegroup.get("ami_type") or "", max_pods, pre)
        except LaunchTemplateError as e:
            raise LaunchTemplateError(f"nodegroup {name}: {e}") from e
    instance_tags = dict(tags, Name=nodegroup.get("instance_name") or f"{cluster}-{name}-Node")

    data = {
        "BlockDeviceMappings": [{"DeviceName": ROOT_DEVICE, "Ebs": ebs}],
        "MetadataOptions": {
            "HttpEndpoint": "enabled",
            "HttpPutResponseHopLimit": int(imds["hop_limit"]),
            "HttpTokens": "required" if imds.get("disable_imdsv1") else "optional",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "SecurityGroupIds": groups,
        "TagSpecifications": [{"ResourceType": t, "Tags": _tag_list(instance_tags)} for t in INSTANCE_TAG_TYPES],
    }
    if ssh.get("allow"):
        data["KeyName"] = ssh.get("public_key_name") or f"{cluster}-{name}"
    if image:
        data["ImageId"] = image
    if user_data:
        data["UserData"] = base64.b64encode(user_data.encode()).decode()
    return {
        "name": f"{cluster}-{name}",
        "description": f"{cluster} nodegroup {name}",
        "data": data,
        "user_data": user_data,
        "max_pods": max_pods,
        "tags": dict(tags, Name=f"{cluster}-{name}"),
    }


# ---------------------------------------------------------------- the data, checked and compared (pure)
@functools.lru_cache(maxsize=1)
def _shape():
    """EC2's model of LaunchTemplateData (botocore's, read once: the EC2 model is large)."""
    import botocore.session

    return botocore.session.get_session().get_service_model("ec2").shape_for("RequestLaunchTemplateData")


def _data_shape(ec2):
    """RequestLaunchTemplateData from the model of the client ``ec2``, or None (a client without one)."""
    model = getattr(getattr(ec2, "meta", None), "service_model", None)
    return model.shape_for("RequestLaunchTemplateData") if model is not None else None


def _coerce(value, shape):
    """Values Jinja may have made strings, as the EC2 model types them (30 for "30", True for "true")."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: (_coerce(v, shape.members[k]) if k in shape.members else v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_coerce(v, shape.member) for v in value]
    if kind in ("integer", "long") and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def check_data(data, field="launch_template_data", shape=None):
    """The data as EC2 takes it (types fixed), or EksError naming each wrong field; nothing is sent before.
    ``shape``: EC2's RequestLaunchTemplateData from the model a client has loaded already (else read here)."""
    from botocore.validate import ParamValidator

    if not isinstance(data, dict):
        raise EksError(
            message=f"{field} must be a dict (LaunchTemplateData as EC2 takes it), not {type(data).__name__}"
        )
    shape = shape or _shape()
    unknown = sorted(k for k in data if k not in shape.members)
    if unknown:
        raise EksError(
            message=f"{field}: unknown key(s) {', '.join(unknown)} (LaunchTemplateData keys are EC2's, such as "
            "BlockDeviceMappings, MetadataOptions, UserData)"
        )
    data = _coerce(_drop_none(copy.deepcopy(data)), shape)
    report = ParamValidator().validate(data, shape)
    if report.has_errors():
        lines = report.generate_report().splitlines()
        lines = [re.sub(r"parameter (in )?", f"parameter \\1{field}.", line, count=1) for line in lines]
        raise EksError(message=f"{field} is not valid LaunchTemplateData: {'; '.join(lines)}")
    if data.get("UserData"):
        decode_user_data(data["UserData"], f"{field}.UserData")
    return data


def decode_user_data(value, field="UserData"):
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise EksError(message=f"{field} must be base64-encoded UTF-8 text ({e})") from e


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def canonical(data, text=True):
    """The data as a comparable tree: lists AWS may reorder keyed or sorted, tag lists as dicts, scalars as text
    (as they are with ``text`` false), user data decoded."""
    scalar = _scalar if text else (lambda value: value)

    def walk(value, path):
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if item is None or item == [] or item == {} or (path + (key,)) in AWS_ONLY:
                    continue
                out[key] = walk(item, path + (key,))
            return out
        if isinstance(value, list):
            if value and all(isinstance(v, dict) and "Key" in v for v in value):
                return {str(v["Key"]): scalar(v.get("Value", "")) for v in value}
            if path == ("BlockDeviceMappings",):
                return {v.get("DeviceName", str(i)): walk({k: x for k, x in v.items() if k != "DeviceName"}, path)
                        for i, v in enumerate(value)}  # fmt: skip
            if path == ("TagSpecifications",):
                merged = {}
                for spec in value:
                    merged.setdefault(spec.get("ResourceType"), {}).update(walk(spec.get("Tags") or [], path))
                return merged
            items = [walk(v, path) for v in value]
            if path in (("SecurityGroupIds",), ("SecurityGroups",)) or all(
                not isinstance(v, (dict, list)) for v in items
            ):
                return sorted(items, key=str)
            return items
        return scalar(value)

    tree = walk(copy.deepcopy(data or {}), ())
    if tree.get("UserData") is not None:
        try:
            tree["UserData"] = base64.b64decode(tree["UserData"]).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            pass
    return tree


def _without_aws_defaults(have, want):
    """``have`` without the values AWS answers for keys ``want`` leaves out."""
    have = copy.deepcopy(have)
    for path, default in AWS_DEFAULTS.items():
        parent_have, parent_want = have, want
        for key in path[:-1]:
            parent_have = parent_have.get(key) if isinstance(parent_have, dict) else None
            parent_want = parent_want.get(key) if isinstance(parent_want, dict) else None
        last = path[-1]
        if isinstance(parent_have, dict) and parent_have.get(last) == default:
            if not isinstance(parent_want, dict) or last not in parent_want:
                parent_have.pop(last)
    return {k: v for k, v in have.items() if v != {}}


def same_data(have, want):
    """Whether a version's data (as DescribeLaunchTemplateVersions answers it) is the data asked for."""
    want_tree = canonical(want)
    return _without_aws_defaults(canonical(have), want_tree) == want_tree


def _flatten(tree, prefix=()):
    if isinstance(tree, dict) and tree:
        out = {}
        for key, value in tree.items():
            out.update(_flatten(value, prefix + (key,)))
        return out
    if isinstance(tree, list) and any(isinstance(v, (dict, list)) for v in tree):
        out = {}
        for index, value in enumerate(tree):
            out.update(_flatten(value, prefix[:-1] + (f"{prefix[-1]}[{index}]",)))
        return out
    return {prefix: tree}


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _shown(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def _user_data_change(have, want):
    if not have:
        return "user_data: set"
    if not want:
        return "user_data: removed"
    old = [line.strip() for line in have.splitlines()]
    new = [line.strip() for line in want.splitlines()]
    removed = [line for line in old if line not in new]
    added = [line for line in new if line not in old]
    if len(removed) == 1 and len(added) == 1:
        old_line, new_line = removed[0], added[0]
        # "maxPods: 20 -> 110" rather than "maxPods: 20 -> maxPods: 110".
        match = re.match(r"^(.*?(?::|\s=)\s*)", old_line)
        if match and new_line.startswith(match.group(1)) and match.group(1):
            return f"user_data: {old_line} -> {new_line[len(match.group(1)):]}"
        return f"user_data: {old_line} -> {new_line}"
    return "user_data"


def data_changes(have, want):
    """What differs, field by field, in words ("volume_size: 30 -> 40"); [] when the data is the same."""
    want_tree = canonical(want)
    have_tree = _without_aws_defaults(canonical(have), want_tree)
    if have_tree == want_tree:
        return []
    lines = []
    if have_tree.get("UserData") != want_tree.get("UserData"):
        lines.append(_user_data_change(have_tree.get("UserData"), want_tree.get("UserData")))
    devices = set(have_tree.get("BlockDeviceMappings") or {}) | set(want_tree.get("BlockDeviceMappings") or {})
    tag_lines = {}
    have_flat = _flatten({k: v for k, v in have_tree.items() if k != "UserData"})
    want_flat = _flatten({k: v for k, v in want_tree.items() if k != "UserData"})
    for path in sorted(set(have_flat) | set(want_flat)):
        old, new = have_flat.get(path), want_flat.get(path)
        if old == new:
            continue
        if path[0] == "TagSpecifications" and len(path) == 3:
            tag_lines.setdefault((path[2], _shown(old), _shown(new)), []).append(path[1])
            continue
        if path[0] == "BlockDeviceMappings" and len(path) >= 3:
            field = (
                ".".join(_snake(p) for p in path[3:] if p)
                if path[2] == "Ebs"
                else ".".join(_snake(p) for p in path[2:])
            )
            name = field if len(devices) == 1 and path[1] == ROOT_DEVICE else f"{path[1]} {field}"
        elif path[0] == "MetadataOptions" and len(path) == 2:
            name = _snake(path[1])
        else:
            name = ".".join(_snake(p) if not p.startswith("/") else p for p in path)
        lines.append(f"{name}: {_shown(old)} -> {_shown(new)}")
    for (key, old, new), types in sorted(tag_lines.items()):
        ordered = [t for t in INSTANCE_TAG_TYPES if t in types] + sorted(
            t for t in types if t not in INSTANCE_TAG_TYPES
        )
        lines.append(f"{'/'.join(ordered)} tag {key}: {old} -> {new}")
    return lines or ["launch template data"]


def display(data, want=None):
    """The data for a diff: keys sorted, tag lists as dicts, user data decoded as a list of lines; without the values
    AWS answers for keys ``want`` leaves out."""
    if not data:
        return {}
    tree = canonical(data, text=False)
    if want is not None:
        tree = _without_aws_defaults(tree, canonical(want, text=False))
    if "UserData" in tree:
        tree["UserData"] = tree["UserData"].splitlines()
    return json.loads(json.dumps(tree, sort_keys=True))


# ---------------------------------------------------------------- the plan (pure)
def validate(params, shape=None):
    name = params.get("name") or ""
    if not NAME_RE.match(name):
        raise EksError(message=f"name must be 3 to 128 letters, digits and ( ) . - / _ characters, got {name!r}")
    if params.get("keep_versions") is not None and params["keep_versions"] < 0:
        raise EksError(message=f"keep_versions must be 0 or more, got {params['keep_versions']}")
    if params["state"] == "present":
        if params.get("launch_template_data") is None:
            raise EksError(message="launch_template_data is required with state=present")
        return check_data(params["launch_template_data"], shape=shape)
    return None


def version_token(name, base_version, data):
    """The ClientToken of a create: the same template, the same version it follows and the same data give the
    same token, so a create repeated after a lost answer returns the first one's result."""
    return api.request_token("launch-template", {"name": name, "base_version": base_version, "data": data})


def versions_to_delete(numbers, default, keep):
    """The version numbers to delete so that at most ``keep`` versions besides the default one remain (the newest
    are kept)."""
    old = sorted((n for n in numbers if n != default), reverse=True)
    return sorted(old[keep:])


def compare(template, latest_data, version_numbers, data, tags, purge_tags, keep):
    """What a run does to a template: a dict with ``create`` (bool), ``new_version`` (bool), ``version`` (the
    default version afterwards, predicted), ``set_default`` (bool), ``tags`` ((to set, to remove)), ``delete``
    (version numbers) and ``changes`` (the data's differences in words)."""
    if template is None:
        to_set = dict(tags or {})
        return {
            "create": True,
            "new_version": True,
            "version": 1,
            "set_default": False,
            "tags": (to_set, []),
            "delete": [],
            "changes": [],
        }
    latest = int(template["LatestVersionNumber"])
    default = int(template["DefaultVersionNumber"])
    changes = data_changes(latest_data, data)
    new_version = bool(changes)
    version = latest + 1 if new_version else latest
    numbers = sorted(set(int(n) for n in version_numbers) | ({version} if new_version else set()))
    current_tags = {t["Key"]: t.get("Value", "") for t in template.get("Tags") or []}
    return {
        "create": False,
        "new_version": new_version,
        "version": version,
        "set_default": default != version,
        "tags": tag_changes(current_tags, tags, purge_tags),
        "delete": versions_to_delete(numbers, version, keep),
        "changes": changes,
    }


def plan(name, template, step, data, description=""):
    """The change records of a ``compare`` step, in the order they are made (pure): create the template, or make a
    version (why: the data's differences) and make it the default, delete old versions; untag, tag."""
    what = f"launch template {name}"
    records = []
    template_id = (template or {}).get("LaunchTemplateId")
    if step["create"]:
        records.append(
            change(what, "create", "not found", "create_launch_template",
                   dict(LaunchTemplateName=name, VersionDescription=description, LaunchTemplateData=data,
                        ClientToken=version_token(name, 0, data)))  # fmt: skip
        )
    else:
        if step["new_version"]:
            base = int(template["LatestVersionNumber"])
            records.append(
                change(what, "create_version", "; ".join(step["changes"]), "create_launch_template_version",
                       dict(LaunchTemplateId=template_id, VersionDescription=description, LaunchTemplateData=data,
                            ClientToken=version_token(name, base, data)),
                       version=step["version"])  # fmt: skip
            )
        if step["new_version"] or step["set_default"]:
            records.append(
                change(what, "set_default_version", f"default version {template['DefaultVersionNumber']} -> "
                       f"{step['version']}", "modify_launch_template",
                       dict(LaunchTemplateId=template_id, DefaultVersion=str(step["version"])))  # fmt: skip
            )
        if step["delete"]:
            records.append(
                change(what, "delete_versions", f"keep at most the newest versions: {step['delete']}",
                       "delete_launch_template_versions",
                       dict(LaunchTemplateId=template_id, Versions=[str(v) for v in step["delete"]]))  # fmt: skip
            )
    to_set, to_remove = step["tags"]
    if to_remove:
        records.append(change(what, "untag", ", ".join(sorted(to_remove)), "delete_tags",
                              dict(Resources=[template_id], Tags=[{"Key": k} for k in sorted(to_remove)])))  # fmt: skip
    if to_set:
        records.append(change(what, "tag", ", ".join(sorted(to_set)), "create_tags",
                              dict(Resources=[template_id or "(new)"], Tags=_tag_list(to_set))))  # fmt: skip
    return records


# ---------------------------------------------------------------- the run (api calls)
def _tags(template):
    return {t["Key"]: t.get("Value", "") for t in (template or {}).get("Tags") or []}


def ensure(module, params=None):
    """The template converged as the module's parameters say, or as ``params`` say (eks_nodegroup converges the
    template of its nodes in its own run with them)."""
    params = module.params if params is None else params
    # The client first (it makes no call): the data is checked against the EC2 model it has loaded, not a second
    # copy of that large model; nothing is sent before the check.
    ec2 = client(module, "ec2")
    data = validate(params, shape=_data_shape(ec2))
    name = params["name"]
    found = api.describe_launch_templates(ec2, name=name)
    template = found[0] if found else None
    if params["state"] == "absent":
        return ensure_absent(module, ec2, template, name)

    latest_data, numbers = {}, []
    if template is not None:
        versions = api.list_launch_template_versions(ec2, template["LaunchTemplateId"])
        numbers = [int(v["VersionNumber"]) for v in versions]
        latest = int(template["LatestVersionNumber"])
        latest_data = next(
            (v.get("LaunchTemplateData") or {} for v in versions if int(v["VersionNumber"]) == latest), {}
        )
    keep = params["keep_versions"]
    step = compare(template, latest_data, numbers, data, params.get("tags"), params["purge_tags"], keep)
    to_set, to_remove = step["tags"]
    description = params.get("version_description") or ""
    changes = plan(name, template, step, data, description)
    before = template

    if changes and not module.check_mode:
        template = apply(ec2, name, template, data, description, step)

    if template is None:  # check mode: the template to be created
        result = {"id": None, "name": name, "latest_version": 1, "default_version": 1, "tags": dict(to_set)}
    elif module.check_mode:
        result = {
            "id": template["LaunchTemplateId"],
            "name": name,
            "latest_version": max(int(template["LatestVersionNumber"]), step["version"]),
            "default_version": step["version"],
            "tags": apply_tag_changes(_tags(template), to_set, to_remove),
        }
    else:
        result = {
            "id": template["LaunchTemplateId"],
            "name": name,
            "latest_version": int(template["LatestVersionNumber"]),
            "default_version": int(template["DefaultVersionNumber"]),
            "tags": _tags(template),
        }
    shown_before = {
        "version": int(before["DefaultVersionNumber"]),
        "launch_template_data": display(latest_data, want=data),
        "tags": dict(sorted(_tags(before).items())),
    } if before is not None else None  # fmt: skip
    shown_after = {
        "version": result["default_version"],
        "launch_template_data": display(data),
        "tags": dict(sorted(result["tags"].items())),
    }
    return outcome(
        module, "launch_template", result, changes, before=shown_before, after=shown_after,
        version=result["default_version"], new_version=step["new_version"], created=step["create"],
        differences=step["changes"], deleted_versions=step["delete"],
    )  # fmt: skip


def apply(ec2, name, template, data, description, step):
    """Make the plan's changes; return the template as it is afterwards."""
    to_set, to_remove = step["tags"]
    version = {"VersionDescription": description, "LaunchTemplateData": data}
    if step["create"]:
        created = api.create_launch_template(
            ec2, LaunchTemplateName=name, ClientToken=version_token(name, 0, data), **version
        )
        template_id = created["LaunchTemplateId"]
    else:
        created = None
        template_id = template["LaunchTemplateId"]
        if step["new_version"]:
            token = version_token(name, int(template["LatestVersionNumber"]), data)
            made = api.create_launch_template_version(ec2, LaunchTemplateId=template_id, ClientToken=token, **version)
            step["version"] = int(made["VersionNumber"])
        if step["new_version"] or step["set_default"]:
            api.set_launch_template_default_version(ec2, template_id, step["version"])
        if step["delete"]:
            failed = [
                f"{f['version']} ({f.get('Code')}: {f.get('Message')})"
                for f in api.delete_launch_template_versions(ec2, template_id, step["delete"])
                if f.get("Code") != "launchTemplateVersionDoesNotExist"
            ]
            if failed:
                raise EksError(message=f"launch template {name}: versions not deleted: {', '.join(failed)}")
    # Tagged apart from the create: tags on the template change in place and never make a version.
    if to_remove:
        api.untag_launch_template(ec2, template_id, to_remove)
    if to_set:
        api.tag_launch_template(ec2, template_id, to_set)
    found = api.describe_launch_templates(ec2, name=name)
    if found:
        return found[0]
    # EC2's read path may not know a template made a moment ago: what the calls answered, as it is now.
    known = dict(template or created)
    known["DefaultVersionNumber"] = known["LatestVersionNumber"] = max(
        int(known["LatestVersionNumber"]), step["version"]
    )
    known["Tags"] = [{"Key": k, "Value": v} for k, v in apply_tag_changes(_tags(template), to_set, to_remove).items()]
    return known


def ensure_absent(module, ec2, template, name):
    changes, before = [], None
    if template is not None:
        changes.append(change(f"launch template {name}", "delete", "state=absent", "delete_launch_template",
                              dict(LaunchTemplateId=template["LaunchTemplateId"])))  # fmt: skip
        before = {"name": name, "id": template["LaunchTemplateId"], "tags": dict(sorted(_tags(template).items()))}
        if not module.check_mode:
            api.delete_launch_template(ec2, template["LaunchTemplateId"])
    return outcome(module, "launch_template", {}, changes, before=before, after={}, version=None,
                   new_version=False, created=False, differences=[], deleted_versions=[])  # fmt: skip
