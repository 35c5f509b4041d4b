# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every part of the cluster definition's check uses: ``DefinitionError`` (a field and its problem),
the keys each section takes (``KEYS``), the checks of a value's type, tags and labels within AWS's limits, paths."""

from __future__ import annotations

import copy
import ipaddress
import os
import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import ref
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import suggestion

# AWS's limits (botocore's EKS model and the EC2/IAM tag rules).
LABEL_KEY_MAX = 63
LABEL_VALUE_MAX = 63
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_MAX = 50
NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
NAME_PROBLEM = "must be 1 to 100 letters, digits, - and _, starting with a letter or digit"
VERSION_RE = re.compile(r"^\d+\.\d+$")

# The keys each section takes (anything else is a mistake: a misspelt key would otherwise be ignored).
KEYS = {
    "": [
        "name", "region", "version", "tags", "vpc", "endpoint", "kubernetes_network", "iam", "logging",
        "secrets_encryption", "access", "nodegroups", "self_managed_nodegroups", "addons_config", "addons", "fargate_profiles",
        "identity_providers", "auto_mode", "zonal_shift", "control_plane_tier", "private_cluster", "source",
    ],
    "private_cluster": ["enabled", "skip_endpoint_creation", "additional_endpoint_services"],
    "vpc": [
        "cidr", "availability_zones", "nat", "subnet_prefix", "subnets", "id", "subnet_ids", "control_plane_subnet_ids",
        "control_plane_security_group_ids", "hostname_type",
    ],
    "endpoint": ["public_access", "private_access", "public_access_cidrs"],
    "kubernetes_network": ["ip_family", "service_ipv4_cidr"],
    "iam": [
        "with_oidc", "vpc_resource_controller_policy", "service_accounts", "pod_identity_associations",
        "fargate_pod_execution_role_arn", "fargate_pod_execution_role_permissions_boundary",
        "service_role_permissions_boundary",
    ],
    "pod_identity_association": [
        "namespace", "service_account", "role_arn", "role_name", "managed_policy_arns", "well_known_policies",
        "inline_policies", "permissions_boundary", "tags", "create_service_account",
    ],
    "addon_pod_identity_association": [
        "service_account", "role_arn", "role_name", "managed_policy_arns", "well_known_policies", "inline_policies",
        "permissions_boundary", "tags",
    ],
    "service_account": [
        "namespace", "name", "managed_policy_arns", "well_known_policies", "inline_policies", "role_name", "role_only",
        "role_arn", "permissions_boundary", "labels", "annotations",
    ],
    "logging": ["types", "retention_days"],
    "secrets_encryption": ["key_arn"],
    "access": ["authentication_mode", "bootstrap_cluster_creator_admin_permissions", "entries"],
    "access_entry": ["principal_arn", "type", "kubernetes_groups", "username", "access_policies", "tags"],
    "access_policy": ["policy_arn", "access_scope"],
    "access_scope": ["type", "namespaces"],
    "fargate_profile": ["name", "pod_execution_role_arn", "selectors", "subnets", "tags"],
    "fargate_selector": ["namespace", "labels"],
    "addons_config": ["prefix_delegation"],
    "identity_provider": [
        "name", "issuer_url", "client_id", "username_claim", "username_prefix", "groups_claim", "groups_prefix",
        "required_claims", "tags",
    ],
    "auto_mode": ["enabled", "node_pools", "node_role_arn", "node_role_permissions_boundary"],
    "nodegroup": [
        "name", "instance_types", "ami_family", "ami_type", "min_size", "desired_size", "max_size", "volume", "labels",
        "taints", "tags", "ssh", "private_networking", "addon_policies", "imds", "spot", "update_config", "max_pods",
        "version", "release_version", "node_repair", "availability_zones", "security_group_ids", "launch_template",
        "instance_selector", "ami", "pre_bootstrap_commands", "override_bootstrap_command", "instance_name",
    ],
    "launch_template": ["id", "name", "version"],
    "instance_selector": ["vcpus", "memory_gib", "gpus", "cpu_architecture"],
    "volume": ["size", "type", "iops", "throughput", "encrypted", "kms_key_id"],
    "taint": ["key", "value", "effect"],
    "ssh": ["allow", "public_key_path", "public_key", "public_key_name", "source_security_group_ids"],
    "imds": ["disable_imdsv1", "disable_pod_imds", "hop_limit"],
    "update_config": ["max_unavailable", "max_unavailable_percentage"],
    "addon": [
        "name", "version", "configuration_values", "resolve_conflicts", "service_account_role",
        "pod_identity_associations", "wait", "tags",
    ],
    "service_account_role": [
        "well_known_policies", "managed_policy_arns", "inline_policies", "namespace", "service_account",
    ],
}  # fmt: skip


class DefinitionError(ValueError):
    """A problem of the definition: ``field`` (its path in the definition) and ``problem``."""

    def __init__(self, field, problem, paths=None):
        self.field = field
        self.problem = problem
        self.paths = paths
        super().__init__(message(field, problem, paths))

    def __str__(self):
        return message(self.field, self.problem, self.paths)


def _fail(field, problem):
    raise DefinitionError(field, problem)


def _required(value, field, pattern, problem):
    """A value that must be given and match ``pattern``; ``problem`` follows the value in the message."""
    if not value:
        _fail(field, "is required")
    if not pattern.match(str(value)):
        _fail(field, f"{value!r} {problem}")
    return value


def _known(value, field, section):
    """Fail on the first key ``section`` does not take, suggesting the closest one."""
    allowed = KEYS[section]
    for key in value:
        if key not in allowed:
            where = f"{field}.{key}" if field else str(key)
            listed = ", ".join(k for k in allowed if k != "source")
            _fail(
                where,
                f"unknown key{suggestion(key, allowed)}; {ref(field) if field else 'the definition'} takes {listed}",
            )


def _dict(value, field):
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(field, f"must be a dict, got {type(value).__name__}")
    return copy.deepcopy(dict(value))


def _section(value, field, section):
    """``value`` (a copy; None: empty) checked to be a dict of the keys ``section`` takes."""
    value = _dict(value, field)
    _known(value, field, section)
    return value


def _list(value, field):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        _fail(field, f"must be a list, got {type(value).__name__}")
    return list(value)


def _bool(value, field, default):
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.lower() in ("true", "yes", "on")
    _fail(field, f"must be true or false, got {value!r}")


def _int(value, field, default=None, low=None, high=None):
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail(field, f"must be an integer, got {value!r}")
    if isinstance(value, bool) or (isinstance(value, float) and value != number):
        _fail(field, f"must be an integer, got {value!r}")
    if low is not None and number < low or high is not None and number > high:
        _fail(
            field, f"{number} is outside {low}-{high}" if high is not None else f"{number} is below the minimum {low}"
        )
    return number


def _choice(value, field, choices, default=None):
    if value is None:
        return default
    if value not in choices:
        _fail(field, f"{value!r} is not one of {', '.join(map(str, choices))}{suggestion(value, choices)}")
    return value


def _network(value, field):
    try:
        return ipaddress.ip_network(str(value))
    except ValueError as e:
        _fail(field, f"{value!r} is not a CIDR block ({e})")


def _strings(value, field):
    items = _list(value, field)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            _fail(f"{field}[{index}]", f"must be a non-empty string, got {item!r}")
    return list(items)


def _labels(value, field):
    labels = {str(k): "" if v is None else str(v) for k, v in _dict(value, field).items()}
    for key, label in labels.items():
        if not 1 <= len(key) <= LABEL_KEY_MAX:
            _fail(f"{field}.{key}", f"the label key is {len(key)} characters; EKS takes 1 to {LABEL_KEY_MAX}")
        if not 1 <= len(label) <= LABEL_VALUE_MAX:
            _fail(f"{field}.{key}", f"the label value is {len(label)} characters; EKS takes 1 to {LABEL_VALUE_MAX}")
    return labels


def _tags(value, field, extra=0):
    """Tags within AWS's limits: keys 1-128 characters not starting with aws:, values up to 256, 50 per resource."""
    tags = {str(k): "" if v is None else str(v) for k, v in _dict(value, field).items()}
    for key, tag in tags.items():
        if not 1 <= len(key) <= TAG_KEY_MAX:
            _fail(f"{field}.{key}", f"the tag key is {len(key)} characters; AWS takes 1 to {TAG_KEY_MAX}")
        if key.lower().startswith("aws:"):
            _fail(f"{field}.{key}", "tag keys starting with aws: are reserved for AWS; choose another key")
        if len(tag) > TAG_VALUE_MAX:
            _fail(f"{field}.{key}", f"the tag value is {len(tag)} characters; AWS takes up to {TAG_VALUE_MAX}")
    if len(tags) + extra > TAGS_MAX:
        _fail(
            field,
            f"{len(tags)} tags plus the {extra} the collection adds are more than the {TAGS_MAX} AWS allows on a "
            "resource: remove some",
        )
    return tags


def user_path(path, base_dir=None):
    """A file a user named: ~ expanded, relative to ``base_dir`` (the directory ansible-playbook runs in)."""
    path = os.path.expanduser(str(path))
    if not os.path.isabs(path):
        path = os.path.join(base_dir or os.getcwd(), path)
    return os.path.normpath(path)


def _version_tuple(version):
    return tuple(int(part) for part in str(version).split(".")[:2])
