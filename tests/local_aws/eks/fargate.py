"""Fargate profiles: Create, Describe, List, Delete; one profile of a cluster CREATING or DELETING at a time,
private subnets only."""

from __future__ import annotations

import copy
import uuid

from .common import ApiError
from .common import _invalid
from .common import _public
from .common import _now
from .common import _paginate


class FargateProfiles:
    """Fargate profile operations."""

    def _public_subnet(self, region, subnet_id, vpc_id):
        """Whether the subnet's route table (its own, else the VPC's main one) routes to an internet gateway."""
        ec2 = self._ec2(region)
        tables = [t for t in ec2.route_tables.values() if t.vpc_id == vpc_id]
        table = next((t for t in tables if subnet_id in t._associations.values()), None)
        if table is None:
            table = next((t for t in tables if t.main_association_id is not None), None)
        if table is None:
            return False
        return any((route.gateway_id or "").startswith("igw-") for route in table.routes)

    def _fargate_busy(self, cluster, name, verb):
        """EKS creates or deletes one Fargate profile of a cluster at a time."""
        for other in cluster["_fargate"].values():
            if other["fargateProfileName"] != name and other["status"] in ("CREATING", "DELETING"):
                raise ApiError(
                    "ResourceInUseException",
                    f"Cannot {verb} Fargate Profile {name} because cluster {cluster['name']} currently has Fargate "
                    f"profile {other['fargateProfileName']} in status {other['status']}",
                    clusterName=cluster["name"],
                )

    def op_CreateFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["fargateProfileName"]
        if name in cluster["_fargate"]:
            raise ApiError(
                "ResourceInUseException",
                "A Fargate Profile already exists with this name in this cluster.",
                clusterName=cluster["name"],
                fargateProfileName=name,
            )
        self._require_active(cluster)
        self._fargate_busy(cluster, name, "create")
        self._check_role(p["podExecutionRoleArn"], "podExecutionRoleArn")
        selectors = p.get("selectors") or []
        if not 1 <= len(selectors) <= 5:
            raise _invalid("A Fargate Profile needs 1 to 5 selectors.", clusterName=cluster["name"])
        for selector in selectors:
            if not selector.get("namespace"):
                raise _invalid("Every Fargate Profile selector needs a namespace.", clusterName=cluster["name"])
            if len(selector.get("labels") or {}) > 5:
                raise _invalid("A Fargate Profile selector takes at most 5 labels.", clusterName=cluster["name"])
        vpc_id = cluster["resourcesVpcConfig"].get("vpcId")
        subnet_ids = list(p.get("subnets") or [])
        if not subnet_ids:
            # Left out, the cluster's private subnets are used.
            subnet_ids = [
                s
                for s in cluster["resourcesVpcConfig"].get("subnetIds") or []
                if not self._public_subnet(region, s, vpc_id)
            ]
            if not subnet_ids:
                raise _invalid(
                    "The cluster has no private subnets: specify private subnets for the Fargate Profile.",
                    clusterName=cluster["name"],
                )
        for subnet_id, subnet_vpc, _az, _cidr in self._subnets(region, subnet_ids, "subnets"):
            if vpc_id and subnet_vpc != vpc_id:
                raise _invalid(f"Subnet {subnet_id} is not in the cluster's VPC {vpc_id}.", clusterName=cluster["name"])
            if self._public_subnet(region, subnet_id, subnet_vpc):
                raise _invalid(
                    f"Subnet {subnet_id} provided in Fargate Profile is not a private subnet",
                    clusterName=cluster["name"],
                )
        self._validate_tags(p.get("tags"))
        profile = {
            "fargateProfileName": name,
            "fargateProfileArn": self._arn(region, "fargateprofile", cluster["name"], name, str(uuid.uuid4())),
            "clusterName": cluster["name"],
            "createdAt": _now(),
            "podExecutionRoleArn": p["podExecutionRoleArn"],
            "subnets": subnet_ids,
            "selectors": copy.deepcopy(selectors),
            "status": "CREATING",
            "tags": dict(p.get("tags") or {}),
            "health": {"issues": []},
        }
        cluster["_fargate"][name] = profile

        def created(t):
            profile["status"] = "ACTIVE"

        self._schedule(profile, "nodegroup", created)
        return {"fargateProfile": _public(profile)}

    def _fargate_profile(self, cluster, name):
        profile = cluster["_fargate"].get(name)
        if profile is None:
            raise ApiError("ResourceNotFoundException", f"No Fargate Profile found with name: {name}.")
        return profile

    def op_DescribeFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"fargateProfile": _public(self._fargate_profile(cluster, p["fargateProfileName"]))}

    def op_ListFargateProfiles(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_fargate"]), p, "fargateProfileNames")

    def op_DeleteFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        profile = self._fargate_profile(cluster, p["fargateProfileName"])
        if profile["status"] == "CREATING":
            raise ApiError(
                "ResourceInUseException",
                f"Cannot delete Fargate Profile {profile['fargateProfileName']} because it is in status CREATING",
                clusterName=cluster["name"],
            )
        if profile["status"] != "DELETING":
            self._fargate_busy(cluster, profile["fargateProfileName"], "delete")
            profile["status"] = "DELETING"

            def deleted(t):
                cluster["_fargate"].pop(profile["fargateProfileName"], None)

            self._schedule(profile, "nodegroup", deleted)
        return {"fargateProfile": _public(profile)}
