"""What every part of the EKS implementation shares: error codes and their HTTP statuses, ``ApiError`` (an
answer in EKS's own words), the default health issues, record helpers and pagination."""

from __future__ import annotations

import base64
import secrets
import time

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
AUTH_MODES = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]
ACCESS_POLICIES = [
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSViewPolicy",
]
ACCESS_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/"
ERROR_STATUS = {
    "ResourceNotFoundException": 404,
    "NotFoundException": 404,
    "ResourceInUseException": 409,
    "InvalidParameterException": 400,
    "InvalidRequestException": 400,
    "BadRequestException": 400,
    "ResourceLimitExceededException": 400,
    "UnsupportedAvailabilityZoneException": 400,
    "ClientException": 400,
    "ServerException": 500,
}
DEFAULT_HEALTH = {
    "cluster": {
        "code": "InsufficientFreeAddresses",
        "message": "One or more of the subnets specified for the cluster does not have enough available IP addresses.",
    },
    "nodegroup": {"code": "NodeCreationFailure", "message": "Instances failed to join the kubernetes cluster"},
    "addon_failed": {
        "code": "ConfigurationConflict",
        "message": "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.",
    },
    "addon_degraded": {
        "code": "InsufficientNumberOfReplicas",
        "message": "The add-on is unhealthy because it doesn't have the desired number of replicas.",
    },
}


class ApiError(Exception):
    def __init__(self, code, message, **fields):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = ERROR_STATUS.get(code, 400)
        self.fields = fields


def _invalid(message, **fields):
    return ApiError("InvalidParameterException", message, **fields)


CONTROL_PLANE_TIERS = ["standard", "tier-xl", "tier-2xl", "tier-4xl", "tier-8xl"]


def _scaling_tier(config, cluster_name=None):
    """controlPlaneScalingConfig's tier (EKS's default standard when not given); a tier EKS does not offer is
    refused as EKS refuses it."""
    if not isinstance(config, dict):
        raise _invalid("controlPlaneScalingConfig must be an object with a tier.")
    tier = config.get("tier", "standard")
    if tier not in CONTROL_PLANE_TIERS:
        fields = {"clusterName": cluster_name} if cluster_name else {}
        raise _invalid(
            f"Invalid controlPlaneScalingConfig.tier {tier!r}: must be one of {', '.join(CONTROL_PLANE_TIERS)}.",
            **fields,
        )
    return tier


def _public(record):
    """The API view of a record: private keys (leading underscore) dropped, deep-copied."""
    if isinstance(record, dict):
        return {k: _public(v) for k, v in record.items() if not k.startswith("_")}
    if isinstance(record, list):
        return [_public(v) for v in record]
    return record


def _hex(n=32):
    return secrets.token_hex(n // 2).upper()


def _now():
    return round(time.time(), 3)


def _paginate(items, p, key):
    size = p.get("maxResults") or 100
    if not 1 <= size <= 100:
        raise _invalid("maxResults must be between 1 and 100.")
    start = 0
    if p.get("nextToken"):
        try:
            start = int(base64.urlsafe_b64decode(p["nextToken"].encode()).decode())
        except Exception:
            raise _invalid("The nextToken is not valid.") from None
    out = {key: items[start : start + size]}
    if start + size < len(items):
        out["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return out
