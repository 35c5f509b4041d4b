# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS Auto Mode of a cluster (pure): the settings checked, as CreateCluster / UpdateClusterConfig take them, and what
differs from a cluster as DescribeCluster returns it.

Auto Mode is three capabilities EKS turns on and off together: compute (``computeConfig``: its built-in node pools
and the IAM role of their nodes), block storage (``storageConfig.blockStorage``) and load balancing
(``kubernetesNetworkConfig.elasticLoadBalancing``). The settings here are one mapping ``{enabled, node_pools,
node_role_arn}``, the three capabilities following ``enabled``. The node role of an enabled compute capability
cannot change; node pools can, in place (``UpdateClusterConfig``).
"""

from __future__ import annotations

import re

from . import vocabulary

NODE_POOLS = ("general-purpose", "system")
# eksctl's default when Auto Mode is on and nodePools is not given; [] asks for none.
DEFAULT_NODE_POOLS = ["general-purpose", "system"]
# The managed policies Auto Mode needs on the cluster role (eksctl's builder.AutoModeIAMPolicies) and on the node
# role eksctl makes (pkg/cfn/builder/roles/auto-mode-node-role.yaml), which trusts ec2.amazonaws.com.
CLUSTER_ROLE_POLICIES = vocabulary.AUTO_MODE_CLUSTER_ROLE_POLICIES
NODE_ROLE_POLICIES = vocabulary.AUTO_MODE_NODE_ROLE_POLICIES
NODE_ROLE_SERVICE = "ec2.amazonaws.com"
# The default add-ons Auto Mode runs itself (eksctl does not install them on an Auto Mode cluster).
BUILT_IN_ADDONS = ("vpc-cni", "kube-proxy", "coredns")
API_MODES = ("API", "API_AND_CONFIG_MAP")
ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
POLICY_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]+$")


def node_role_name(cluster_name):
    """The name of the node role the collection makes (IAM role names are at most 64 characters)."""
    return f"{cluster_name}-auto-mode-node-role"[:64]


def problems(auto_mode, field="auto_mode", authentication_mode=None, names=None):
    """Every problem of the settings ``{enabled, node_pools, node_role_arn, node_role_permissions_boundary}`` (None:
    not asked for), each named by ``field`` and the key's name in ``names`` (eksctl's: nodePools ...; by default
    the key itself). ``node_role_arn`` None with node pools means the collection makes the role (a definition) - a
    module checks ``needs_node_role`` itself."""
    if auto_mode is None:
        return []
    keys = ("enabled", "node_pools", "node_role_arn", "node_role_permissions_boundary")
    names = dict({k: k for k in keys}, **(names or {}))
    out = []
    enabled = auto_mode.get("enabled")
    if not isinstance(enabled, bool):
        out.append(f"{field}.{names['enabled']}: must be true or false, not {enabled!r}")
    pools = auto_mode.get("node_pools")
    if pools is not None:
        if not isinstance(pools, list):
            out.append(f"{field}.{names['node_pools']}: must be a list of {', '.join(NODE_POOLS)}")
        else:
            for index, pool in enumerate(pools):
                if pool not in NODE_POOLS:
                    where = f"{field}.{names['node_pools']}[{index}]"
                    out.append(f"{where}: {pool!r} is not a built-in node pool of Auto Mode ({', '.join(NODE_POOLS)})")
                elif pools.index(pool) != index:
                    out.append(f"{field}.{names['node_pools']}[{index}]: {pool} is listed twice")
    role = auto_mode.get("node_role_arn")
    if role is not None and (not isinstance(role, str) or not ROLE_ARN_RE.match(role)):
        where = f"{field}.{names['node_role_arn']}"
        out.append(f"{where}: {role!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    boundary = auto_mode.get("node_role_permissions_boundary")
    if boundary is not None and (not isinstance(boundary, str) or not POLICY_ARN_RE.match(boundary)):
        out.append(f"{field}.{names['node_role_permissions_boundary']}: {boundary!r} is not an IAM policy ARN")
    if enabled is False:
        for key in ("node_pools", "node_role_arn", "node_role_permissions_boundary"):
            if auto_mode.get(key):
                out.append(f"{field}.{names[key]}: only with {field}.{names['enabled']} true (Auto Mode is off)")
    if enabled is True and authentication_mode is not None and authentication_mode not in API_MODES:
        out.append(
            f"{field}.{names['enabled']}: Auto Mode needs access entries: the authentication mode must be API or "
            f"API_AND_CONFIG_MAP, not {authentication_mode}"
        )
    return out


def node_pools(auto_mode):
    """The node pools asked for: eksctl's default when Auto Mode is on and none are given."""
    if not auto_mode or not auto_mode.get("enabled"):
        return []
    pools = auto_mode.get("node_pools")
    return list(DEFAULT_NODE_POOLS if pools is None else pools)


def needs_node_role(auto_mode):
    """Whether the settings need a node role: Auto Mode on with node pools."""
    return bool(node_pools(auto_mode))


def request(auto_mode, node_role_arn=None):
    """The CreateCluster / UpdateClusterConfig parameters of the settings: computeConfig, storageConfig and
    kubernetesNetworkConfig.elasticLoadBalancing, all three on or all three off."""
    enabled = bool(auto_mode.get("enabled"))
    compute = {"enabled": enabled}
    if enabled:
        compute["nodePools"] = node_pools(auto_mode)
        role = node_role_arn or auto_mode.get("node_role_arn")
        if compute["nodePools"] and role:
            compute["nodeRoleArn"] = role
    return {
        "computeConfig": compute,
        "storageConfig": {"blockStorage": {"enabled": enabled}},
        "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": enabled}},
    }


def current(cluster):
    """A cluster's Auto Mode as DescribeCluster returns it (camelCase) or as the modules return it (snake_case)."""
    cluster = cluster or {}

    def get(*path):
        value = cluster
        for camel, snake in path:
            value = (value or {}).get(camel, (value or {}).get(snake))
        return value

    compute = get(("computeConfig", "compute_config")) or {}
    return {
        "compute": bool(compute.get("enabled")),
        "node_pools": sorted(compute.get("nodePools", compute.get("node_pools")) or []),
        "node_role_arn": compute.get("nodeRoleArn", compute.get("node_role_arn")),
        "block_storage": bool(
            get(("storageConfig", "storage_config"), ("blockStorage", "block_storage"), ("enabled", "enabled"))
        ),
        "load_balancing": bool(
            get(
                ("kubernetesNetworkConfig", "kubernetes_network_config"),
                ("elasticLoadBalancing", "elastic_load_balancing"),
                ("enabled", "enabled"),
            )
        ),
    }


def differences(cluster, auto_mode, node_role_arn=None, field="auto_mode"):
    """What differs between the cluster and the settings, as "what a -> b" lines ([]: nothing; settings None: not
    asked). Raises ValueError for what EKS cannot change: the node role of an enabled compute capability."""
    if auto_mode is None:
        return []
    have = current(cluster)
    enabled = bool(auto_mode.get("enabled"))
    out = []
    for key in ("compute", "block_storage", "load_balancing"):
        if have[key] != enabled:
            out.append(f"{field} {key.replace('_', ' ')} {_onoff(have[key])} -> {_onoff(enabled)}")
    if enabled:
        pools = sorted(node_pools(auto_mode))
        if have["node_pools"] != pools:
            out.append(f"{field}.node_pools {have['node_pools']} -> {pools}")
        role = node_role_arn or auto_mode.get("node_role_arn")
        if pools and role and have["compute"] and have["node_role_arn"] and have["node_role_arn"] != role:
            raise ValueError(
                f"{field}.node_role_arn: the cluster's Auto Mode nodes use {have['node_role_arn']}, and EKS cannot "
                f"change the node role while Auto Mode compute is on: keep it, or turn Auto Mode off "
                f"({field}.enabled false) in one run and on with the new role in the next"
            )
        if pools and role and have["node_role_arn"] != role and not out:
            out.append(f"{field}.node_role_arn {have['node_role_arn']} -> {role}")
    return out


def predict(cluster, auto_mode, node_role_arn=None):
    """The cluster's Auto Mode keys (camelCase, as DescribeCluster has them) once the settings are applied."""
    params = request(auto_mode, node_role_arn)
    out = {"computeConfig": dict(params["computeConfig"]), "storageConfig": params["storageConfig"]}
    knc = dict((cluster or {}).get("kubernetesNetworkConfig") or {})
    knc["elasticLoadBalancing"] = params["kubernetesNetworkConfig"]["elasticLoadBalancing"]
    out["kubernetesNetworkConfig"] = knc
    if not params["computeConfig"]["enabled"]:
        out["computeConfig"]["nodePools"] = []
    return out


def _onoff(value):
    return "on" if value else "off"
