# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster's own fields: apiVersion, kind, metadata (name, region, version, tags),
kubernetesNetworkConfig, cloudWatch.clusterLogging, secretsEncryption."""

from __future__ import annotations

import re

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import _entries

API_VERSION = "eksctl.io/v1alpha5"
KIND = "ClusterConfig"
VERSION_PATTERN = re.compile(r"^1\.\d{1,2}$")
LOG_TYPES = vocabulary.LOG_TYPES
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)


def _minor(version):
    return int(version.split(".")[1]) if isinstance(version, str) and VERSION_PATTERN.match(version) else None


def _logging(logging):
    types = [t for t in _entries(logging.get("enableTypes")) if t in LOG_TYPES + ("all", "*")]
    if "*" in types or "all" in types:
        types = list(LOG_TYPES)
    result = {"types": types}
    if logging.get("logRetentionInDays") is not None:
        result["retention_days"] = logging["logRetentionInDays"]
    return result


def validate_metadata(cfg, problems, eks_versions=None):
    """apiVersion, kind, metadata (name, region, version: one EKS offers when ``eks_versions`` is given)."""
    if cfg.get("apiVersion") != API_VERSION:
        problems.append(("apiVersion", f"must be {API_VERSION}, not {cfg.get('apiVersion')!r}"))
    if cfg.get("kind") != KIND:
        problems.append(("kind", f"must be {KIND}, not {cfg.get('kind')!r}"))
    meta = cfg.get("metadata") or {}
    if not cfg.get("metadata"):
        problems.append(("metadata", "is required"))
    else:
        for key in ("name", "region"):
            if not meta.get(key):
                problems.append((f"metadata.{key}", "is required"))
    version = meta.get("version")
    if version:
        if not VERSION_PATTERN.match(version):
            problems.append(("metadata.version", f'must be a Kubernetes minor version such as "1.33", not {version!r}'))
        elif eks_versions is not None and version not in [str(v) for v in eks_versions]:
            offered = ", ".join(str(v) for v in eks_versions)
            problems.append(
                (
                    "metadata.version",
                    f"EKS does not offer Kubernetes {version}; it offers {offered}: set metadata.version to one of them",
                )
            )


def validate_network(cfg, problems):
    network = cfg.get("kubernetesNetworkConfig") or {}
    if network.get("ipFamily") and network["ipFamily"].lower() not in ("ipv4", "ipv6"):
        problems.append(("kubernetesNetworkConfig.ipFamily", f"must be IPv4 or IPv6, not {network['ipFamily']!r}"))


def validate_logging(cfg, problems):
    logging = (cfg.get("cloudWatch") or {}).get("clusterLogging") or {}
    for index, log_type in enumerate(logging.get("enableTypes") or []):
        if log_type is not None and log_type not in LOG_TYPES + ("all", "*"):
            problems.append((f"cloudWatch.clusterLogging.enableTypes[{index}]", f"unknown log type {log_type!r}"))
    retention = logging.get("logRetentionInDays")
    if retention is not None and retention not in LOG_RETENTION_DAYS:
        problems.append(
            (
                "cloudWatch.clusterLogging.logRetentionInDays",
                f"must be one of {', '.join(str(d) for d in LOG_RETENTION_DAYS)}, not {retention}",
            )
        )


def validate_secrets_encryption(cfg, problems):
    if (cfg.get("secretsEncryption") is not None) and not (cfg["secretsEncryption"] or {}).get("keyARN"):
        problems.append(("secretsEncryption.keyARN", "is required"))


def convert_metadata(cfg, result):
    """name, region, version, tags."""
    meta = cfg.get("metadata") or {}
    result.update(name=meta.get("name"), region=meta.get("region"))
    if meta.get("version"):
        result["version"] = meta["version"]
    result["tags"] = dict(meta.get("tags") or {})


def convert_network(cfg, result):
    network = cfg.get("kubernetesNetworkConfig") or {}
    result["kubernetes_network"] = {"ip_family": (network.get("ipFamily") or "IPv4").lower()}
    if network.get("serviceIPv4CIDR"):
        result["kubernetes_network"]["service_ipv4_cidr"] = network["serviceIPv4CIDR"]


def convert_logging(cfg, result):
    result["logging"] = _logging(((cfg.get("cloudWatch") or {}).get("clusterLogging")) or {})


def convert_secrets_encryption(cfg, result):
    key_arn = (cfg.get("secretsEncryption") or {}).get("keyARN")
    if key_arn:
        result["secrets_encryption"] = {"key_arn": key_arn}
