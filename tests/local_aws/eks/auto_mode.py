"""EKS Auto Mode (computeConfig, storageConfig.blockStorage, kubernetesNetworkConfig.elasticLoadBalancing) in
CreateCluster and UpdateClusterConfig, and the checks EKS makes of an OIDC identity provider config's request.

Auto Mode as EKS takes it:

- The three capabilities are on together or off together, in CreateCluster and in UpdateClusterConfig (a request
  turning one on and leaving another off is refused).
- On needs the authentication mode API or API_AND_CONFIG_MAP (Auto Mode's nodes join through an access entry).
- Built-in node pools are ``general-purpose`` and ``system``; node pools need ``nodeRoleArn``, an IAM role that
  exists; the node role of an enabled compute capability cannot change.
- With a node role, EKS adds the role's access entry (type EC2, access policy AmazonEKSAutoNodePolicy).
- An update asking for what the cluster has is refused, as EKS refuses other no-op updates.
"""

from __future__ import annotations

import re

from .common import ACCESS_POLICY_ARN
from .common import _invalid

NODE_POOLS = ("general-purpose", "system")
ALL_OR_NOTHING = (
    "For EKS Auto Mode, please ensure that all required configs, including computeConfig, kubernetesNetworkConfig, "
    "and blockStorage are all either fully enabled or fully disabled."
)
CLAIM_KEY_MAX = 63
CLAIM_VALUE_MAX = 253


class AutoMode:
    """Auto Mode checks and the node role's access entry; OIDC identity provider request checks."""

    def _auto_mode_flags(self, cluster, p):
        """The (compute, block storage, load balancing) a request asks for; what it leaves out stays as the cluster
        has it (off at creation)."""
        have = cluster or {}
        sources = (
            ((p.get("computeConfig") or None), (have.get("computeConfig") or {})),
            (
                ((p.get("storageConfig") or {}).get("blockStorage")),
                ((have.get("storageConfig") or {}).get("blockStorage") or {}),
            ),
            (
                ((p.get("kubernetesNetworkConfig") or {}).get("elasticLoadBalancing")),
                ((have.get("kubernetesNetworkConfig") or {}).get("elasticLoadBalancing") or {}),
            ),
        )
        return [bool((asked if asked is not None else current).get("enabled")) for asked, current in sources]

    def _auto_mode_checked(self, cluster, p, authentication_mode):
        """Check a CreateCluster (``cluster`` None) or UpdateClusterConfig request's Auto Mode as EKS does; the node
        role whose access entry EKS adds, or None."""
        asked = (
            "computeConfig" in p
            or "storageConfig" in p
            or "elasticLoadBalancing" in (p.get("kubernetesNetworkConfig") or {})
        )
        if not asked:
            return None
        name = (cluster or {}).get("name") or p.get("name")
        flags = self._auto_mode_flags(cluster, p)
        if len(set(flags)) > 1:
            raise _invalid(ALL_OR_NOTHING, clusterName=name)
        compute = p.get("computeConfig") or {}
        have = (cluster or {}).get("computeConfig") or {}
        if cluster is not None and self._auto_mode_flags(cluster, {}) == flags:
            same_pools = sorted(compute.get("nodePools") or []) == sorted(have.get("nodePools") or [])
            same_role = compute.get("nodeRoleArn") in (None, have.get("nodeRoleArn"))
            if not flags[0] or (same_pools and same_role):
                raise _invalid("Cluster is already at the desired Auto Mode configuration.", clusterName=name)
        if not flags[0]:
            return None
        if authentication_mode == "CONFIG_MAP":
            raise _invalid(
                "EKS Auto Mode requires the cluster authentication mode API or API_AND_CONFIG_MAP.", clusterName=name
            )
        pools = compute.get("nodePools") or []
        for pool in pools:
            if pool not in NODE_POOLS:
                raise _invalid(f"Invalid node pool {pool}: built-in node pools are {', '.join(NODE_POOLS)}.")
        role = compute.get("nodeRoleArn")
        if pools and not role:
            raise _invalid("nodeRoleArn is required when nodePools are specified.", clusterName=name)
        if role:
            self._check_role(role, "computeConfig.nodeRoleArn")
            if have.get("enabled") and have.get("nodeRoleArn") and have["nodeRoleArn"] != role:
                raise _invalid(
                    "nodeRoleArn cannot be changed after the compute capability of EKS Auto Mode is enabled.",
                    clusterName=name,
                )
        return role

    def _auto_mode_node_access(self, cluster, role_arn):
        """The node role's access entry EKS adds for Auto Mode's nodes (once)."""
        if role_arn and role_arn not in cluster["_access_entries"]:
            self._add_access_entry(
                cluster, role_arn, "EC2", [], None, {},
                policies=[(ACCESS_POLICY_ARN + "AmazonEKSAutoNodePolicy", {"type": "cluster"})],
            )  # fmt: skip

    def _oidc_request_checked(self, oidc):
        """An identity provider config's request as EKS checks it: an https issuer without query or fragment, a
        client ID, no groups prefix with system:, required claims within their limits."""
        issuer = oidc.get("issuerUrl") or ""
        if not re.match(r"^https://[^?#\s]+$", issuer):
            raise _invalid("issuerUrl must be an https URL without query parameters or fragment.")
        if not oidc.get("clientId"):
            raise _invalid("clientId must not be empty.")
        if "system:" in (oidc.get("groupsPrefix") or ""):
            raise _invalid("groupsPrefix cannot contain system:.")
        for key, value in (oidc.get("requiredClaims") or {}).items():
            if not 1 <= len(key) <= CLAIM_KEY_MAX or not 1 <= len(value) <= CLAIM_VALUE_MAX:
                raise _invalid(f"requiredClaims {key}: keys are 1 to 63 characters, values 1 to 253.")
