"""Static EKS catalogue of the local endpoint: Kubernetes versions, add-on versions and their schemas.

The versions and dates follow what EKS published; the support status of each version is fixed here
(it does not move with the calendar) so that tests stay deterministic.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from datetime import timezone

DEFAULT_CLUSTER_VERSION = "1.33"


def _ts(day):
    return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()


# version: (release, end of standard support, end of extended support, status, default platform, patch)
_CLUSTER_VERSIONS = {
    "1.28": ("2023-09-26", "2024-11-26", "2025-11-26", "EXTENDED_SUPPORT", "eks.49", "1.28.15"),
    "1.29": ("2024-01-23", "2025-03-23", "2026-03-23", "EXTENDED_SUPPORT", "eks.42", "1.29.15"),
    "1.30": ("2024-05-23", "2025-07-23", "2026-07-23", "EXTENDED_SUPPORT", "eks.36", "1.30.14"),
    "1.31": ("2024-09-26", "2025-11-26", "2026-11-26", "STANDARD_SUPPORT", "eks.33", "1.31.13"),
    "1.32": ("2025-01-23", "2026-03-23", "2027-03-23", "STANDARD_SUPPORT", "eks.22", "1.32.9"),
    "1.33": ("2025-05-29", "2026-07-29", "2027-07-29", "STANDARD_SUPPORT", "eks.15", "1.33.5"),
    "1.34": ("2025-10-02", "2026-12-02", "2027-12-02", "STANDARD_SUPPORT", "eks.6", "1.34.1"),
}

CLUSTER_VERSIONS = list(_CLUSTER_VERSIONS)

# Date stamp of the newest EKS optimized AMIs, used in node group release versions.
AMI_DATE = "20251120"
BOTTLEROCKET_RELEASE = "1.51.0-47438798"


def cluster_version_info(version):
    release, standard, extended, status, platform, patch = _CLUSTER_VERSIONS[version]
    return {
        "clusterVersion": version,
        "clusterType": "eks",
        "defaultPlatformVersion": platform,
        "defaultVersion": version == DEFAULT_CLUSTER_VERSION,
        "releaseDate": _ts(release),
        "endOfStandardSupportDate": _ts(standard),
        "endOfExtendedSupportDate": _ts(extended),
        "status": status.lower().replace("_", "-"),
        "versionStatus": status,
        "kubernetesPatchVersion": patch,
    }


def platform_version(version):
    return _CLUSTER_VERSIONS[version][4]


def kubernetes_patch_version(version):
    return _CLUSTER_VERSIONS[version][5]


def minor(version):
    major, _dot, rest = version.partition(".")
    return int(major), int(rest)


def release_version(version, ami_type):
    """The newest EKS optimized AMI release for a Kubernetes version and AMI type (None for CUSTOM)."""
    if ami_type == "CUSTOM":
        return None
    if ami_type.startswith("BOTTLEROCKET"):
        return BOTTLEROCKET_RELEASE
    return f"{kubernetes_patch_version(version)}-{AMI_DATE}"


def default_ami_type(version):
    # EKS optimized Amazon Linux 2 AMIs stop at 1.32; managed node groups default to AL2023 from 1.30.
    return "AL2023_x86_64_STANDARD" if minor(version) >= (1, 30) else "AL2_x86_64"


# ------------------------------------------------------------------------------------------ add-ons
_ALL = CLUSTER_VERSIONS


def _range(first, last):
    return [v for v in _ALL if minor(first) <= minor(v) <= minor(last)]


# name: {type, owner, publisher, namespace, iam, pod identity service accounts, versions: [(version, k8s)]}
_ADDONS = {
    "vpc-cni": {
        "type": "networking",
        "owner": "aws",
        "namespace": "kube-system",
        "requiresIamPermissions": True,
        "podIdentity": [("aws-node", ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"])],
        "versions": [
            ("v1.18.6-eksbuild.1", _range("1.28", "1.32")),
            ("v1.19.0-eksbuild.1", _range("1.28", "1.33")),
            ("v1.19.2-eksbuild.1", _range("1.28", "1.34")),
            ("v1.19.6-eksbuild.7", _range("1.28", "1.34")),
            ("v1.20.4-eksbuild.2", _range("1.29", "1.34")),
        ],
    },
    "kube-proxy": {
        "type": "networking",
        "owner": "aws",
        "namespace": "kube-system",
        "requiresIamPermissions": False,
        "podIdentity": [],
        "versions": [
            ("v1.28.15-eksbuild.4", ["1.28"]),
            ("v1.28.15-eksbuild.24", ["1.28"]),
            ("v1.29.10-eksbuild.3", ["1.29"]),
            ("v1.29.15-eksbuild.16", ["1.29"]),
            ("v1.30.6-eksbuild.3", ["1.30"]),
            ("v1.30.14-eksbuild.8", ["1.30"]),
            ("v1.31.2-eksbuild.3", ["1.31"]),
            ("v1.31.13-eksbuild.2", ["1.31"]),
            ("v1.32.0-eksbuild.2", ["1.32"]),
            ("v1.32.9-eksbuild.2", ["1.32"]),
            ("v1.33.0-eksbuild.2", ["1.33"]),
            ("v1.33.5-eksbuild.2", ["1.33"]),
            ("v1.34.0-eksbuild.2", ["1.34"]),
            ("v1.34.1-eksbuild.2", ["1.34"]),
        ],
    },
    "coredns": {
        "type": "networking",
        "owner": "aws",
        "namespace": "kube-system",
        "requiresIamPermissions": False,
        "podIdentity": [],
        "versions": [
            ("v1.10.1-eksbuild.18", ["1.28"]),
            ("v1.11.1-eksbuild.16", _range("1.28", "1.30")),
            ("v1.11.3-eksbuild.2", _range("1.29", "1.31")),
            ("v1.11.4-eksbuild.14", _range("1.29", "1.33")),
            ("v1.12.1-eksbuild.2", _range("1.32", "1.34")),
            ("v1.12.4-eksbuild.1", _range("1.33", "1.34")),
        ],
    },
    "aws-ebs-csi-driver": {
        "type": "storage",
        "owner": "aws",
        "namespace": "kube-system",
        "requiresIamPermissions": True,
        "podIdentity": [("ebs-csi-controller-sa", ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"])],
        "versions": [
            ("v1.37.0-eksbuild.1", _range("1.28", "1.32")),
            ("v1.41.0-eksbuild.1", _range("1.28", "1.33")),
            ("v1.45.0-eksbuild.2", _range("1.28", "1.34")),
            ("v1.48.0-eksbuild.2", _range("1.28", "1.34")),
        ],
    },
    "aws-guardduty-agent": {
        "type": "security",
        "owner": "aws",
        "namespace": "amazon-guardduty",
        "requiresIamPermissions": False,
        "podIdentity": [],
        "versions": [
            ("v1.8.1-eksbuild.2", _range("1.28", "1.32")),
            ("v1.9.0-eksbuild.2", _range("1.28", "1.34")),
            ("v1.10.0-eksbuild.2", _range("1.28", "1.34")),
        ],
    },
    "eks-pod-identity-agent": {
        "type": "security",
        "owner": "aws",
        "namespace": "kube-system",
        "requiresIamPermissions": False,
        "podIdentity": [],
        "versions": [
            ("v1.3.4-eksbuild.1", _range("1.28", "1.33")),
            ("v1.3.7-eksbuild.2", _range("1.28", "1.34")),
            ("v1.3.8-eksbuild.2", _range("1.28", "1.34")),
        ],
    },
    "metrics-server": {
        "type": "observability",
        "owner": "community",
        "namespace": "kube-system",
        "requiresIamPermissions": False,
        "podIdentity": [],
        "versions": [
            ("v0.7.2-eksbuild.3", _range("1.28", "1.33")),
            ("v0.8.0-eksbuild.2", _range("1.28", "1.34")),
        ],
    },
}

ADDON_NAMES = list(_ADDONS)


def _version_key(version):
    core, _sep, build = version.lstrip("v").partition("-eksbuild.")
    return tuple(int(p) for p in core.split(".")) + (int(build or 0),)


def compare_addon_versions(a, b):
    """-1, 0 or 1 as add-on version a is older than, equal to or newer than b."""
    ka, kb = _version_key(a), _version_key(b)
    return (ka > kb) - (ka < kb)


def addon_exists(name):
    return name in _ADDONS


def addon_versions(name):
    """[(version, [compatible Kubernetes versions])], newest first."""
    return sorted(_ADDONS[name]["versions"], key=lambda item: _version_key(item[0]), reverse=True)


def compatible_versions(name, kubernetes_version):
    return [v for v, k8s in addon_versions(name) if kubernetes_version in k8s]


def default_addon_version(name, kubernetes_version):
    """The default version for a Kubernetes version: the second newest compatible one when there are two or
    more (EKS keeps its default behind the newest build), else the only one; None when none is compatible."""
    versions = compatible_versions(name, kubernetes_version)
    if not versions:
        return None
    return versions[1] if len(versions) > 1 else versions[0]


def addon_version_exists(name, version):
    return any(v == version for v, _kubernetes_versions in _ADDONS[name]["versions"])


def addon_info(name, kubernetes_version=None):
    spec = _ADDONS[name]
    versions = []
    for version, k8s in addon_versions(name):
        if kubernetes_version and kubernetes_version not in k8s:
            continue
        versions.append(
            {
                "addonVersion": version,
                "architecture": ["amd64", "arm64"],
                "computeTypes": ["ec2", "hybrid"] if name != "aws-guardduty-agent" else ["ec2"],
                "compatibilities": [
                    {
                        "clusterVersion": k,
                        "platformVersions": ["*"],
                        "defaultVersion": default_addon_version(name, k) == version,
                    }
                    for k in k8s
                ],
                "requiresConfiguration": False,
                "requiresIamPermissions": spec["requiresIamPermissions"],
            }
        )
    return {
        "addonName": name,
        "type": spec["type"],
        "addonVersions": versions,
        "publisher": "eks",
        "owner": spec["owner"],
        "defaultNamespace": spec["namespace"],
    }


def addon_type(name):
    return _ADDONS[name]["type"]


def addon_owner(name):
    return _ADDONS[name]["owner"]


def pod_identity_configuration(name):
    return [
        {"serviceAccount": sa, "recommendedManagedPolicies": list(policies)}
        for sa, policies in _ADDONS[name]["podIdentity"]
    ]


# ---------------------------------------------------------------------------- configuration schemas
def _str(pattern=None, enum=None):
    schema = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    if enum:
        schema["enum"] = enum
    return schema


_BOOL_STR = _str(enum=["true", "false"])
_NUM_STR = _str(pattern="^[0-9]+$")
_RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"cpu": {"type": "string"}, "memory": {"type": "string"}},
        },
        "requests": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"cpu": {"type": "string"}, "memory": {"type": "string"}},
        },
    },
}
_TOLERATIONS = {"type": "array", "items": {"type": "object"}}
_NODE_SELECTOR = {"type": "object", "additionalProperties": {"type": "string"}}
_AFFINITY = {"type": ["object", "null"]}
_POD_COMMON = {
    "resources": _RESOURCES,
    "tolerations": _TOLERATIONS,
    "nodeSelector": _NODE_SELECTOR,
    "affinity": _AFFINITY,
    "podAnnotations": {"type": "object", "additionalProperties": {"type": "string"}},
    "podLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    "priorityClassName": {"type": "string"},
}

_VPC_CNI_ENV = {
    "ADDITIONAL_ENI_TAGS": {"type": "string"},
    "ANNOTATE_POD_IP": _BOOL_STR,
    "AWS_EC2_ENDPOINT": {"type": "string"},
    "AWS_EXTERNAL_SERVICE_CIDRS": {"type": "string"},
    "AWS_MANAGE_ENIS_NON_SCHEDULABLE": _BOOL_STR,
    "AWS_VPC_CNI_NODE_PORT_SUPPORT": _BOOL_STR,
    "AWS_VPC_ENI_MTU": _NUM_STR,
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": _BOOL_STR,
    "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": {"type": "string"},
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": _BOOL_STR,
    "AWS_VPC_K8S_CNI_LOGLEVEL": _str(enum=["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
    "AWS_VPC_K8S_CNI_RANDOMIZESNAT": _str(enum=["none", "hashrandom", "prng"]),
    "AWS_VPC_K8S_CNI_VETHPREFIX": {"type": "string"},
    "AWS_VPC_K8S_PLUGIN_LOG_LEVEL": _str(enum=["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
    "DISABLE_INTROSPECTION": _BOOL_STR,
    "DISABLE_METRICS": _BOOL_STR,
    "DISABLE_NETWORK_RESOURCE_PROVISIONING": _BOOL_STR,
    "ENABLE_POD_ENI": _BOOL_STR,
    "ENABLE_PREFIX_DELEGATION": _BOOL_STR,
    "ENABLE_IPv4": _BOOL_STR,
    "ENABLE_IPv6": _BOOL_STR,
    "ENI_CONFIG_ANNOTATION_DEF": {"type": "string"},
    "ENI_CONFIG_LABEL_DEF": {"type": "string"},
    "MAX_ENI": _NUM_STR,
    "MINIMUM_IP_TARGET": _NUM_STR,
    "POD_SECURITY_GROUP_ENFORCING_MODE": _str(enum=["strict", "standard"]),
    "WARM_ENI_TARGET": _NUM_STR,
    "WARM_IP_TARGET": _NUM_STR,
    "WARM_PREFIX_TARGET": _NUM_STR,
}


def _vpc_cni_schema(version):
    env = dict(_VPC_CNI_ENV)
    if compare_addon_versions(version, "v1.19.0-eksbuild.1") >= 0:
        env["ENABLE_SUBNET_DISCOVERY"] = _BOOL_STR
    if compare_addon_versions(version, "v1.20.0-eksbuild.1") >= 0:
        env["NETWORK_POLICY_ENFORCING_MODE"] = _str(enum=["standard", "strict"])
    return {
        "env": {"type": "object", "additionalProperties": False, "properties": env},
        "init": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "env": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"DISABLE_TCP_EARLY_DEMUX": _BOOL_STR, "ENABLE_V6_EGRESS": _BOOL_STR},
                },
                "resources": _RESOURCES,
            },
        },
        "nodeAgent": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enableCloudWatchLogs": _BOOL_STR,
                "enablePolicyEventLogs": _BOOL_STR,
                "healthProbeBindAddr": _NUM_STR,
                "metricsBindAddr": _NUM_STR,
                "resources": _RESOURCES,
            },
        },
        "enableNetworkPolicy": _BOOL_STR,
        "enableWindowsIpam": _BOOL_STR,
        "enableWindowsPrefixDelegation": _BOOL_STR,
        "resources": _RESOURCES,
        "tolerations": _TOLERATIONS,
        "affinity": _AFFINITY,
        "livenessProbeTimeoutSeconds": {"type": "integer", "minimum": 1},
        "readinessProbeTimeoutSeconds": {"type": "integer", "minimum": 1},
        "podAnnotations": _POD_COMMON["podAnnotations"],
        "podLabels": _POD_COMMON["podLabels"],
    }


def _coredns_schema(version):
    props = dict(_POD_COMMON)
    props.update(
        {
            "replicaCount": {"type": "integer", "minimum": 1},
            "corefile": {"type": "string"},
            "topologySpreadConstraints": {"type": "array", "items": {"type": "object"}},
            "podDisruptionBudget": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "enabled": {"type": "boolean"},
                    "maxUnavailable": {"type": ["integer", "string"]},
                    "minAvailable": {"type": ["integer", "string"]},
                },
            },
        }
    )
    if compare_addon_versions(version, "v1.11.1-eksbuild.16") >= 0:
        props["autoScaling"] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "minReplicas": {"type": "integer", "minimum": 2},
                "maxReplicas": {"type": "integer", "minimum": 2},
            },
        }
    return props


def _kube_proxy_schema(version):
    return {
        "mode": _str(
            enum=["iptables", "ipvs", "nftables"] if minor(version.lstrip("v")[:4]) >= (1, 31) else ["iptables", "ipvs"]
        ),
        "ipvs": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"scheduler": _str(enum=["rr", "lc", "dh", "sh", "sed", "nq"])},
        },
        "resources": _RESOURCES,
        "podAnnotations": _POD_COMMON["podAnnotations"],
        "podLabels": _POD_COMMON["podLabels"],
    }


def _component(extra=None):
    props = dict(_POD_COMMON)
    props.update(extra or {})
    return {"type": "object", "additionalProperties": False, "properties": props}


def _ebs_schema(version):
    return {
        "controller": _component(
            {
                "replicaCount": {"type": "integer", "minimum": 1},
                "extraCreateMetadata": {"type": "boolean"},
                "loggingFormat": _str(enum=["text", "json"]),
                "serviceAccount": {"type": "object"},
            }
        ),
        "node": _component({"tolerateAllTaints": {"type": "boolean"}, "loggingFormat": _str(enum=["text", "json"])}),
        "sidecars": {"type": "object"},
        "defaultStorageClass": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"enabled": {"type": "boolean"}},
        },
        "storageClasses": {"type": "array", "items": {"type": "object"}},
        "volumeSnapshotClasses": {"type": "array", "items": {"type": "object"}},
    }


def _guardduty_schema(version):
    return {
        "priorityClassName": {"type": "string"},
        "dnsPolicy": _str(enum=["ClusterFirst", "ClusterFirstWithHostNet", "Default"]),
        "resources": _RESOURCES,
    }


def _pod_identity_agent_schema(version):
    return {
        "agent": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"additionalArgs": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        "resources": _RESOURCES,
        "tolerations": _TOLERATIONS,
        "affinity": _AFFINITY,
        "podAnnotations": _POD_COMMON["podAnnotations"],
        "podLabels": _POD_COMMON["podLabels"],
    }


def _metrics_server_schema(version):
    props = dict(_POD_COMMON)
    props.update(
        {
            "replicas": {"type": "integer", "minimum": 1},
            "args": {"type": "array", "items": {"type": "string"}},
            "containerPort": {"type": "integer"},
        }
    )
    return props


_SCHEMAS = {
    "vpc-cni": _vpc_cni_schema,
    "kube-proxy": _kube_proxy_schema,
    "coredns": _coredns_schema,
    "aws-ebs-csi-driver": _ebs_schema,
    "aws-guardduty-agent": _guardduty_schema,
    "eks-pod-identity-agent": _pod_identity_agent_schema,
    "metrics-server": _metrics_server_schema,
}


def configuration_schema(name, version):
    """The JSON schema (a dict) of an add-on version's configuration values."""
    properties = _SCHEMAS[name](version)
    return copy.deepcopy(
        {
            "$ref": "#/definitions/" + name.title().replace("-", ""),
            "$schema": "http://json-schema.org/draft-06/schema#",
            "definitions": {
                name.title().replace("-", ""): {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": properties,
                    "title": name,
                }
            },
        }
    )


def configuration_schema_text(name, version):
    return json.dumps(configuration_schema(name, version))
