"""Managed node groups: CreateNodegroup, DescribeNodegroup, ListNodegroups, DeleteNodegroup,
UpdateNodegroupConfig, UpdateNodegroupVersion; launch templates resolved in moto's EC2."""

from __future__ import annotations

import copy
import json
import re
import secrets
import uuid

from .. import catalogue
from .common import ApiError
from .common import _invalid
from .common import _public
from .common import _now
from .common import _paginate


class Nodegroups:
    """Managed node group operations."""

    def op_CreateNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["nodegroupName"]
        if name in cluster["_nodegroups"]:
            raise ApiError(
                "ResourceInUseException",
                f"NodeGroup already exists with name {name} and cluster name {cluster['name']}",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        if cluster["status"] != "ACTIVE":
            raise ApiError(
                "InvalidRequestException",
                f"Cluster '{cluster['name']}' is not in ACTIVE status",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        if not re.match(r"^[0-9A-Za-z][A-Za-z0-9\-_]*$", name) or len(name) > 63:
            raise _invalid(f"The node group name {name!r} is not valid.", nodegroupName=name)
        self._check_role(p["nodeRole"], "nodeRole")
        subnets = self._subnets(region, p["subnets"], "subnets")
        vpc_id = cluster["resourcesVpcConfig"].get("vpcId")
        for subnet_id, subnet_vpc, _zone, _cidr in subnets:
            if vpc_id and subnet_vpc != vpc_id:
                raise _invalid(f"Subnet {subnet_id} is not in the cluster's VPC {vpc_id}.", nodegroupName=name)
        version = p.get("version") or cluster["version"]
        self._check_node_version(cluster, version, name)
        scaling = dict({"minSize": 1, "maxSize": 2, "desiredSize": 2}, **(p.get("scalingConfig") or {}))
        _check_scaling(scaling, name)
        launch_template = None
        custom_ami = False
        if p.get("launchTemplate"):
            if p.get("diskSize") is not None:
                raise _invalid("Disk size must be specified within the launch template.", nodegroupName=name)
            if p.get("remoteAccess"):
                raise _invalid(
                    "Remote access configuration cannot be specified with a launch template.", nodegroupName=name
                )
            launch_template, custom_ami = self._resolve_launch_template(region, p["launchTemplate"], name)
        ami_type = p.get("amiType") or ("CUSTOM" if custom_ami else catalogue.default_ami_type(version))
        if custom_ami and p.get("amiType") and p["amiType"] != "CUSTOM":
            raise _invalid("An amiType cannot be specified with a launch template that has a custom AMI.")
        if ami_type.startswith("AL2_") and catalogue.minor(version) >= (1, 33):
            raise _invalid(f"AMI Type {ami_type} is only supported for kubernetes versions 1.32 or earlier")
        release = p.get("releaseVersion") or catalogue.release_version(version, ami_type)
        if p.get("releaseVersion") and p["releaseVersion"] != catalogue.release_version(version, ami_type):
            raise _invalid(
                f"Requested release version {p['releaseVersion']} is not valid for kubernetes version {version}.",
                nodegroupName=name,
            )
        labels = dict(p.get("labels") or {})
        taints = [_check_taint(t) for t in (p.get("taints") or [])]
        update_config = p.get("updateConfig") or {"maxUnavailable": 1}
        _check_update_config(update_config)
        self._validate_tags(p.get("tags"))
        ng_id = str(uuid.uuid4())
        now = _now()
        ng = {
            "nodegroupName": name,
            "nodegroupArn": self._arn(region, "nodegroup", cluster["name"], name, ng_id),
            "clusterName": cluster["name"],
            "version": version,
            "createdAt": now,
            "modifiedAt": now,
            "status": "CREATING",
            "capacityType": p.get("capacityType") or "ON_DEMAND",
            "scalingConfig": scaling,
            "subnets": list(p["subnets"]),
            "amiType": ami_type,
            "nodeRole": p["nodeRole"],
            "labels": labels,
            "resources": {"autoScalingGroups": [{"name": f"eks-{name}-{ng_id}"}]},
            "health": {"issues": []},
            "updateConfig": dict(update_config),
            "nodeRepairConfig": dict({"enabled": False}, **(p.get("nodeRepairConfig") or {})),
            "tags": dict(p.get("tags") or {}),
            "_updates": [],
            "_region": region,
        }
        if release:
            ng["releaseVersion"] = release
        if taints:
            ng["taints"] = taints
        if launch_template:
            ng["launchTemplate"] = launch_template
            if p.get("instanceTypes"):
                ng["instanceTypes"] = list(p["instanceTypes"])
        else:
            ng["instanceTypes"] = list(p.get("instanceTypes") or ["t3.medium"])
            ng["diskSize"] = p.get("diskSize") or 20
        if p.get("remoteAccess"):
            remote = dict(p["remoteAccess"])
            if self._strict() and remote.get("ec2SshKey"):
                try:
                    self._ec2(region).describe_key_pairs([remote["ec2SshKey"]])
                except Exception:
                    raise _invalid(f"The key pair '{remote['ec2SshKey']}' does not exist", nodegroupName=name) from None
            self._check_security_groups(region, remote.get("sourceSecurityGroups") or [], vpc_id)
            ng["remoteAccess"] = remote
            if vpc_id:
                sg_name = f"eks-remoteAccess-{ng_id}"
                ng["resources"]["remoteAccessSecurityGroup"] = self._create_security_group(
                    region,
                    sg_name,
                    "Security group for all nodes in the nodeGroup to allow SSH access",
                    vpc_id,
                    {"Name": sg_name, "eks": "nodegroup-remote-access"},
                    ssh_from=remote.get("sourceSecurityGroups") or [],
                )
        if p.get("warmPoolConfig"):
            ng["warmPoolConfig"] = dict(p["warmPoolConfig"])
        cluster["_nodegroups"][name] = ng
        if cluster["accessConfig"]["authenticationMode"] != "CONFIG_MAP":
            self._node_access_entry(cluster, p["nodeRole"])

        def created(t):
            injection = self.controls.take_injection("nodegroup", cluster["name"], name)
            if injection:
                self._fail_nodegroup(ng, injection, "CREATE_FAILED")
                return
            ng["status"] = "ACTIVE"
            ng["modifiedAt"] = t

        self._schedule(ng, "nodegroup", created)
        return {"nodegroup": _public(ng)}

    def _node_access_entry(self, cluster, role_arn):
        if role_arn not in cluster["_access_entries"]:
            self._add_access_entry(cluster, role_arn, "EC2_LINUX", [], None, {})

    def _check_node_version(self, cluster, version, name):
        if version not in catalogue.CLUSTER_VERSIONS:
            raise _invalid(f"Requested Nodegroup Kubernetes version {version} is not supported.", nodegroupName=name)
        cmaj, cmin = catalogue.minor(cluster["version"])
        nmaj, nmin = catalogue.minor(version)
        if (nmaj, nmin) > (cmaj, cmin):
            raise _invalid(
                f"Requested Nodegroup Kubernetes version {version} is newer than the cluster version {cluster['version']}.",
                nodegroupName=name,
            )
        if cmin - nmin > 3:
            raise _invalid(
                f"Requested Nodegroup Kubernetes version {version} is more than 3 minor versions behind the cluster.",
                nodegroupName=name,
            )

    def _resolve_launch_template(self, region, spec, ng_name):
        """({name, id, version}, uses a custom AMI) of a launch template request."""
        if not spec.get("id") and not spec.get("name"):
            raise _invalid("Either launchTemplate id or name must be specified.", nodegroupName=ng_name)
        if spec.get("id") and spec.get("name"):
            raise _invalid("Either launchTemplate id or name can be specified, not both.", nodegroupName=ng_name)
        ec2 = self._ec2(region)
        try:
            template = (
                ec2.get_launch_template(spec["id"]) if spec.get("id") else ec2.get_launch_template_by_name(spec["name"])
            )
        except Exception:
            if self._strict():
                raise _invalid(
                    f"Launch template {spec.get('id') or spec.get('name')} does not exist.", nodegroupName=ng_name
                ) from None
            return {
                "name": spec.get("name") or "unknown",
                "id": spec.get("id") or "lt-" + secrets.token_hex(8)[:17],
                "version": str(spec.get("version") or "1"),
            }, False
        try:
            version = template.get_version(spec.get("version") or "$Default")
        except Exception:
            raise _invalid(
                f"Launch template version {spec.get('version')} does not exist for {template.name}.",
                nodegroupName=ng_name,
            ) from None
        return {"name": template.name, "id": template.id, "version": str(version.number)}, bool(version.image_id)

    def op_DescribeNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"nodegroup": _public(self._nodegroup(cluster, p["nodegroupName"]))}

    def op_ListNodegroups(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_nodegroups"]), p, "nodegroups")

    def op_DeleteNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        self._no_update_in_progress(ng, f"node group {ng['nodegroupName']}")
        if ng["status"] != "DELETING":
            ng["status"] = "DELETING"
            ng["modifiedAt"] = _now()

            def deleted(t):
                injection = self.controls.take_injection("nodegroup", cluster["name"], ng["nodegroupName"])
                if injection:
                    self._fail_nodegroup(ng, injection, "DELETE_FAILED")
                    return
                cluster["_nodegroups"].pop(ng["nodegroupName"], None)
                for update_id in ng["_updates"]:
                    self.updates.pop(update_id, None)
                if self.controls.realism is not None:
                    self.controls.realism.nodegroup_deleted(region, cluster, ng)  # the CNI's interfaces may linger
                self._delete_security_group(region, ng["resources"].get("remoteAccessSecurityGroup"))

            self._schedule(ng, "nodegroup", deleted)
        return {"nodegroup": _public(ng)}

    def _require_nodegroup_updatable(self, ng):
        if ng["status"] not in ("ACTIVE", "DEGRADED"):
            raise ApiError(
                "ResourceInUseException",
                f"Nodegroup {ng['nodegroupName']} is in {ng['status']} status; it cannot be updated now.",
                clusterName=ng["clusterName"],
                nodegroupName=ng["nodegroupName"],
            )
        self._no_update_in_progress(ng, f"node group {ng['nodegroupName']}")

    def op_UpdateNodegroupConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        keys = [
            k
            for k in ("labels", "taints", "scalingConfig", "updateConfig", "nodeRepairConfig", "warmPoolConfig")
            if p.get(k)
        ]
        if not keys:
            raise _invalid("No changes were requested.", nodegroupName=ng["nodegroupName"])
        self._require_nodegroup_updatable(ng)
        params, patch = [], {}
        if p.get("labels"):
            add = p["labels"].get("addOrUpdateLabels") or {}
            remove = p["labels"].get("removeLabels") or []
            both = set(add) & set(remove)
            if both:
                raise _invalid(
                    f"Labels {', '.join(sorted(both))} cannot be both added and removed.",
                    nodegroupName=ng["nodegroupName"],
                )
            labels = {k: v for k, v in ng["labels"].items() if k not in remove}
            labels.update(add)
            patch["labels"] = labels
            if add:
                params.append(("LabelsToAdd", json.dumps(add)))
            if remove:
                params.append(("LabelsToRemove", json.dumps(remove)))
        if p.get("taints"):
            add = [_check_taint(t) for t in p["taints"].get("addOrUpdateTaints") or []]
            remove = [_check_taint(t) for t in p["taints"].get("removeTaints") or []]
            taints = [t for t in ng.get("taints", []) if not any(_same_taint(t, r) for r in remove + add)]
            taints += add
            if len(taints) > 50:
                raise _invalid("A node group can have at most 50 taints.", nodegroupName=ng["nodegroupName"])
            patch["taints"] = taints
            if add:
                params.append(("TaintsToAdd", json.dumps(add)))
            if remove:
                params.append(("TaintsToRemove", json.dumps(remove)))
        if p.get("scalingConfig"):
            scaling = dict(ng["scalingConfig"], **p["scalingConfig"])
            _check_scaling(scaling, ng["nodegroupName"])
            patch["scalingConfig"] = scaling
            for key, label in (("minSize", "MinSize"), ("maxSize", "MaxSize"), ("desiredSize", "DesiredSize")):
                if key in p["scalingConfig"]:
                    params.append((label, str(p["scalingConfig"][key])))
        if p.get("updateConfig"):
            update_config = dict(p["updateConfig"])
            if "maxUnavailable" in update_config or "maxUnavailablePercentage" in update_config:
                merged = {k: v for k, v in ng["updateConfig"].items() if k == "updateStrategy"}
                merged.update(update_config)
            else:
                merged = dict(ng["updateConfig"], **update_config)
            _check_update_config(merged)
            patch["updateConfig"] = merged
            for key, label in (
                ("maxUnavailable", "MaxUnavailable"),
                ("maxUnavailablePercentage", "MaxUnavailablePercentage"),
                ("updateStrategy", "UpdateStrategy"),
            ):
                if key in update_config:
                    params.append((label, str(update_config[key])))
        if p.get("nodeRepairConfig"):
            patch["nodeRepairConfig"] = dict(ng["nodeRepairConfig"], **p["nodeRepairConfig"])
            params.append(("NodeRepairEnabled", json.dumps(patch["nodeRepairConfig"].get("enabled", False))))
            params.append(("NodeRepairConfig", json.dumps(p["nodeRepairConfig"])))
        if p.get("warmPoolConfig"):
            patch["warmPoolConfig"] = dict(ng.get("warmPoolConfig") or {}, **p["warmPoolConfig"])
            params.append(("WarmPoolEnabled", json.dumps(patch["warmPoolConfig"].get("enabled", False))))
        return {"update": self._start_nodegroup_update(cluster, ng, "ConfigUpdate", params, patch)}

    def _start_nodegroup_update(self, cluster, ng, update_type, params, patch):
        update = self._new_update(ng, cluster, update_type, params, nodegroup=ng["nodegroupName"])
        ng["status"] = "UPDATING"
        ng["modifiedAt"] = _now()

        def apply():
            for key, value in patch.items():
                ng[key] = copy.deepcopy(value)
            if not ng.get("taints"):
                ng.pop("taints", None)
            ng["health"] = {"issues": []}

        def finished(t):
            ng["modifiedAt"] = t
            self._finish_update(
                update,
                "nodegroup",
                ng["nodegroupName"],
                apply,
                ng,
                lambda r: "ACTIVE",
                lambda inj: self._fail_nodegroup(ng, inj, "DEGRADED"),
            )

        self._schedule(ng, "update", finished)
        return _public(update)

    def op_UpdateNodegroupVersion(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        name = ng["nodegroupName"]
        self._require_nodegroup_updatable(ng)
        patch, params = {}, []
        lt_req = p.get("launchTemplate")
        if lt_req:
            current = ng.get("launchTemplate")
            if not current:
                raise _invalid("The node group was not created with a launch template.", nodegroupName=name)
            if (lt_req.get("id") and lt_req["id"] != current["id"]) or (
                lt_req.get("name") and lt_req["name"] != current["name"]
            ):
                raise _invalid(
                    "The launch template must be the one the node group was created with.", nodegroupName=name
                )
            spec = {"id": current["id"], "version": lt_req.get("version")}
            resolved, custom = self._resolve_launch_template(region, spec, name)
            resolved["name"] = current["name"]
            patch["launchTemplate"] = resolved
            if custom != (ng["amiType"] == "CUSTOM"):
                raise _invalid("The launch template version changes whether a custom AMI is used.", nodegroupName=name)
            params += [("LaunchTemplateName", current["name"]), ("LaunchTemplateVersion", resolved["version"])]
        if ng["amiType"] == "CUSTOM":
            if p.get("version") or p.get("releaseVersion"):
                raise _invalid(
                    "You cannot specify a version or releaseVersion for a node group with a custom AMI.",
                    nodegroupName=name,
                )
        else:
            if p.get("version") or p.get("releaseVersion") or not lt_req:
                version = p.get("version") or (cluster["version"] if not p.get("releaseVersion") else ng["version"])
                self._check_node_version(cluster, version, name)
                if catalogue.minor(version) < catalogue.minor(ng["version"]):
                    raise _invalid(
                        f"Cannot downgrade node group version from {ng['version']} to {version}.", nodegroupName=name
                    )
                release = catalogue.release_version(version, ng["amiType"])
                if p.get("releaseVersion") and p["releaseVersion"] != release:
                    raise _invalid(
                        f"Requested release version {p['releaseVersion']} is not valid for kubernetes version {version}.",
                        nodegroupName=name,
                    )
                patch["version"], patch["releaseVersion"] = version, release
                params = [("Version", version), ("ReleaseVersion", release)] + params
        unchanged = all(ng.get(k) == v for k, v in patch.items())
        if unchanged and not p.get("force"):
            raise _invalid(
                f"Nodegroup {name} is already at version {ng['version']} with release version "
                f"{ng.get('releaseVersion')} and the requested launch template version.",
                nodegroupName=name,
            )
        return {"update": self._start_nodegroup_update(cluster, ng, "VersionUpdate", params, patch)}


def _check_scaling(scaling, name):
    lo, hi, want = scaling.get("minSize", 0), scaling.get("maxSize", 1), scaling.get("desiredSize", 0)
    if hi < 1:
        raise _invalid("Maximum capacity of a node group must be at least 1.", nodegroupName=name)
    if lo < 0 or want < 0:
        raise _invalid("Minimum and desired capacity of a node group cannot be negative.", nodegroupName=name)
    if not lo <= want <= hi:
        raise _invalid(
            f"Desired capacity:{want} can't be greater than max size:{hi} or less than min size:{lo}",
            nodegroupName=name,
        )


def _check_update_config(config):
    count = sum(1 for k in ("maxUnavailable", "maxUnavailablePercentage") if config.get(k) is not None)
    if count != 1:
        raise _invalid("Exactly one of maxUnavailable and maxUnavailablePercentage must be specified in updateConfig.")
    if config.get("maxUnavailable") is not None and not 1 <= config["maxUnavailable"] <= 100:
        raise _invalid("updateConfig.maxUnavailable must be between 1 and 100.")
    if config.get("maxUnavailablePercentage") is not None and not 1 <= config["maxUnavailablePercentage"] <= 100:
        raise _invalid("updateConfig.maxUnavailablePercentage must be between 1 and 100.")
    if config.get("updateStrategy") not in (None, "DEFAULT", "MINIMAL"):
        raise _invalid("updateConfig.updateStrategy must be DEFAULT or MINIMAL.")


def _check_taint(taint):
    if not taint.get("key"):
        raise _invalid("A taint needs a key.")
    if taint.get("effect") not in ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"):
        raise _invalid(
            f"Taint effect {taint.get('effect')!r} is not valid: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE."
        )
    out = {"key": taint["key"], "effect": taint["effect"]}
    if taint.get("value") is not None:
        out["value"] = taint["value"]
    return out


def _same_taint(a, b):
    return a["key"] == b["key"] and a["effect"] == b["effect"]
