"""Cluster updates: UpdateClusterConfig (one kind of change per call, no-op updates refused as EKS refuses
them), UpdateClusterVersion (one minor up), AssociateEncryptionConfig."""

from __future__ import annotations

import copy
import json

from .. import catalogue
from .common import AUTH_MODES
from .common import _invalid
from .common import _public
from .common import _scaling_tier
from .clusters import _enabled_log_types
from .clusters import _logging_out


class ClusterUpdates:
    """Cluster update operations."""

    def op_UpdateClusterConfig(self, region, p):
        cluster = self._cluster(region, p["name"])
        groups = [
            k
            for k in (
                "resourcesVpcConfig",
                "logging",
                "accessConfig",
                "upgradePolicy",
                "zonalShiftConfig",
                "remoteNetworkConfig",
                "deletionProtection",
                "controlPlaneScalingConfig",
                "kubeApiServerConfig",
                "kubeSchedulerConfig",
                "kubeControllerManagerConfig",
            )
            if k in p
        ]
        auto_mode = [k for k in ("computeConfig", "kubernetesNetworkConfig", "storageConfig") if k in p]
        if auto_mode:
            groups.append("computeConfig")
        if not groups:
            raise _invalid("No changes were requested.", clusterName=cluster["name"])
        if len(groups) > 1:
            raise _invalid("Only one type of update can be allowed.", clusterName=cluster["name"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        group = groups[0]
        if group == "resourcesVpcConfig":
            update_type, params, patch = self._vpc_update(region, cluster, p["resourcesVpcConfig"])
        elif group == "logging":
            current = _enabled_log_types(cluster["logging"], set())
            wanted = _enabled_log_types(p["logging"], set(current))
            if wanted == current:
                raise _invalid("No changes needed for the logging config provided", clusterName=cluster["name"])
            out = {"clusterLogging": _logging_out(wanted)}
            update_type, params = "LoggingUpdate", [("ClusterLogging", json.dumps(out["clusterLogging"]))]
            patch = {"logging": out}
        elif group == "accessConfig":
            current = cluster["accessConfig"]["authenticationMode"]
            wanted = p["accessConfig"].get("authenticationMode")
            if wanted not in AUTH_MODES:
                raise _invalid(f"authenticationMode must be one of {', '.join(AUTH_MODES)}")
            if wanted == current:
                raise _invalid(f"Cluster is already in authentication mode {current}.", clusterName=cluster["name"])
            if AUTH_MODES.index(wanted) != AUTH_MODES.index(current) + 1:
                raise _invalid(
                    f"Unsupported authentication mode update from {current} to {wanted}",
                    clusterName=cluster["name"],
                )
            update_type, params = "AccessConfigUpdate", [("AuthenticationMode", wanted)]
            patch = {"accessConfig": dict(cluster["accessConfig"], authenticationMode=wanted)}
        elif group == "upgradePolicy":
            wanted = p["upgradePolicy"].get("supportType")
            if wanted not in ("STANDARD", "EXTENDED"):
                raise _invalid("upgradePolicy.supportType must be STANDARD or EXTENDED.")
            if wanted == cluster["upgradePolicy"]["supportType"]:
                raise _invalid(f"Cluster already has support type {wanted}.", clusterName=cluster["name"])
            update_type, params = "UpgradePolicyUpdate", [("UpgradePolicy", wanted)]
            patch = {"upgradePolicy": {"supportType": wanted}}
        elif group == "deletionProtection":
            wanted = bool(p["deletionProtection"])
            update_type, params = "DeletionProtectionUpdate", [("DeletionProtection", json.dumps(wanted))]
            patch = {"deletionProtection": wanted}
        elif group == "zonalShiftConfig":
            update_type, params = "ZonalShiftConfigUpdate", [("ZonalShiftConfig", json.dumps(p["zonalShiftConfig"]))]
            patch = {"zonalShiftConfig": p["zonalShiftConfig"]}
        elif group == "remoteNetworkConfig":
            value = p["remoteNetworkConfig"]
            update_type, params = "RemoteNetworkConfigUpdate", [("RemoteNetworkConfig", json.dumps(value))]
            patch = {"remoteNetworkConfig": value}
        elif group == "controlPlaneScalingConfig":
            wanted = _scaling_tier(p["controlPlaneScalingConfig"], cluster["name"])
            current = (cluster.get("controlPlaneScalingConfig") or {}).get("tier", "standard")
            if wanted == current:
                raise _invalid(f"Cluster is already in control plane tier {current}.", clusterName=cluster["name"])
            update_type = "ControlPlaneScalingConfigUpdate"
            params = [("UpdatedTier", wanted), ("PreviousTier", current)]
            patch = {"controlPlaneScalingConfig": {"tier": wanted}}
        elif group in ("kubeApiServerConfig", "kubeSchedulerConfig", "kubeControllerManagerConfig"):
            update_type = "ControlPlaneComponentConfigUpdate"
            params = [(group[0].upper() + group[1:], json.dumps(p[group]))]
            patch = {group: p[group]}
        else:
            update_type, params, patch = "AutoModeUpdate", [], {}
            node_role = self._auto_mode_checked(cluster, p, cluster["accessConfig"]["authenticationMode"])

            def after():  # eks/auto_mode.py: the node role's access entry
                self._auto_mode_node_access(cluster, node_role)

            for key in auto_mode:
                params.append((key[0].upper() + key[1:], json.dumps(p[key])))
                if key == "kubernetesNetworkConfig":
                    patch[key] = dict(cluster["kubernetesNetworkConfig"], **p[key])
                else:
                    patch[key] = p[key]
            return {"update": self._start_cluster_update(cluster, update_type, params, patch, after=after)}
        return {"update": self._start_cluster_update(cluster, update_type, params, patch)}

    def _vpc_update(self, region, cluster, req):
        current = cluster["resourcesVpcConfig"]
        merged = dict(current)
        for key in (
            "subnetIds",
            "securityGroupIds",
            "endpointPublicAccess",
            "endpointPrivateAccess",
            "publicAccessCidrs",
        ):
            if key in req:
                merged[key] = copy.deepcopy(req[key])
        if "controlPlaneEgressMode" in req:
            merged["controlPlaneEgressMode"] = req["controlPlaneEgressMode"]
        if not merged["endpointPublicAccess"] and not merged["endpointPrivateAccess"]:
            raise _invalid("The cluster endpoint must be accessible publicly, privately, or both.")
        if "subnetIds" in req or "securityGroupIds" in req:
            if "subnetIds" in req:
                vpc_id, _subnets = self._vpc_of(region, req["subnetIds"])
                if vpc_id and current.get("vpcId") and vpc_id != current["vpcId"]:
                    raise _invalid(f"Subnets must be in the cluster's VPC {current['vpcId']}.")
            self._check_security_groups(region, req.get("securityGroupIds") or [], current.get("vpcId"))
            if merged == current:
                raise _invalid("No changes needed for the VPC configuration provided", clusterName=cluster["name"])
            params = [
                ("Subnets", json.dumps(merged["subnetIds"])),
                ("SecurityGroups", json.dumps(merged["securityGroupIds"])),
            ]
            for key, label in (
                ("endpointPublicAccess", "EndpointPublicAccess"),
                ("endpointPrivateAccess", "EndpointPrivateAccess"),
                ("publicAccessCidrs", "PublicAccessCidrs"),
            ):
                if key in req:
                    params.append((label, json.dumps(merged[key])))
            return "VpcConfigUpdate", params, {"resourcesVpcConfig": merged}
        if "controlPlaneEgressMode" in req and len(req) == 1:
            if merged == current:
                raise _invalid("No changes needed for the VPC configuration provided", clusterName=cluster["name"])
            return (
                "ControlPlaneEgressUpdate",
                [("ControlPlaneEgressMode", req["controlPlaneEgressMode"])],
                {"resourcesVpcConfig": merged},
            )
        if merged == current:
            raise _invalid(
                "Cluster is already at the desired configuration with endpointPrivateAccess: "
                f"{json.dumps(current['endpointPrivateAccess'])} , endpointPublicAccess: "
                f"{json.dumps(current['endpointPublicAccess'])}, and Public Endpoint Restrictions: "
                f"[{', '.join(current['publicAccessCidrs'])}]",
                clusterName=cluster["name"],
            )
        params = [
            ("EndpointPublicAccess", json.dumps(merged["endpointPublicAccess"])),
            ("EndpointPrivateAccess", json.dumps(merged["endpointPrivateAccess"])),
            ("PublicAccessCidrs", json.dumps(merged["publicAccessCidrs"])),
        ]
        return "EndpointAccessUpdate", params, {"resourcesVpcConfig": merged}

    def _start_cluster_update(self, cluster, update_type, params, patch, after=None):
        update = self._new_update(cluster, cluster, update_type, params)
        cluster["status"] = "UPDATING"

        def apply():
            for key, value in patch.items():
                cluster[key] = copy.deepcopy(value)
            if after:
                after()

        def finished(t):
            self._finish_update(
                update,
                "cluster",
                None,
                apply,
                cluster,
                lambda c: "ACTIVE",
                lambda inj: self._fail_cluster(cluster, inj, "FAILED"),
            )

        self._schedule(cluster, "update", finished)
        return _public(update)

    def op_UpdateClusterVersion(self, region, p):
        cluster = self._cluster(region, p["name"])
        version = p["version"]
        current = cluster["version"]
        if version == current:
            raise _invalid(f"Cluster is already at the desired version {version}", clusterName=cluster["name"])
        if version not in catalogue.CLUSTER_VERSIONS or catalogue.minor(version) != (
            catalogue.minor(current)[0],
            catalogue.minor(current)[1] + 1,
        ):
            raise _invalid(
                f"Unsupported Kubernetes minor version update from {current} to {version}", clusterName=cluster["name"]
            )
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        platform = catalogue.platform_version(version)
        update = self._start_cluster_update(
            cluster,
            "VersionUpdate",
            [("Version", version), ("PlatformVersion", platform)],
            {"version": version, "platformVersion": platform},
        )
        return {"update": update}

    def op_AssociateEncryptionConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        if cluster.get("encryptionConfig"):
            raise _invalid("Encryption is already enabled on the cluster", clusterName=cluster["name"])
        self._check_encryption(region, p["encryptionConfig"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        update = self._start_cluster_update(
            cluster,
            "AssociateEncryptionConfig",
            [("EncryptionConfig", json.dumps(p["encryptionConfig"]))],
            {"encryptionConfig": p["encryptionConfig"]},
        )
        return {"update": update}
