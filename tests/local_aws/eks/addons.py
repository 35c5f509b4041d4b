"""Add-ons: CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon; their pod identity associations;
coredns's health following the node groups."""

from __future__ import annotations

import json
import uuid

from .. import catalogue
from .common import DEFAULT_HEALTH
from .common import ApiError
from .common import _invalid
from .common import _public
from .common import _now
from .common import _paginate


class Addons:
    """Add-on operations."""

    def _refresh_addon_health(self, cluster):
        has_nodes = any(
            ng["status"] in ("ACTIVE", "UPDATING") and ng["scalingConfig"].get("desiredSize", 0) > 0
            for ng in cluster["_nodegroups"].values()
        )
        for addon in cluster["_addons"].values():
            if addon["addonName"] != "coredns" or addon.get("_sticky") or addon["status"] not in ("ACTIVE", "DEGRADED"):
                continue
            if has_nodes:
                addon["status"], addon["health"] = "ACTIVE", {"issues": []}
            else:
                addon["status"] = "DEGRADED"
                addon["health"] = {"issues": [dict(DEFAULT_HEALTH["addon_degraded"], resourceIds=["coredns"])]}

    def _addon_pod_identities(self, cluster, addon_name, associations):
        allowed = {c["serviceAccount"] for c in catalogue.pod_identity_configuration(addon_name)}
        seen = set()
        for item in associations:
            if item.get("serviceAccount") not in allowed:
                raise _invalid(
                    f"Service account {item.get('serviceAccount')} is not used by add-on {addon_name}; "
                    f"valid service accounts: {', '.join(sorted(allowed)) or 'none'}",
                    addonName=addon_name,
                )
            if item["serviceAccount"] in seen:
                raise _invalid(f"Service account {item['serviceAccount']} is listed twice.", addonName=addon_name)
            seen.add(item["serviceAccount"])
            self._check_role(item.get("roleArn"), "podIdentityAssociations.roleArn")

    def op_CreateAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["addonName"]
        if name in cluster["_addons"]:
            raise ApiError(
                "ResourceInUseException", "Addon already exists.", clusterName=cluster["name"], addonName=name
            )
        if not catalogue.addon_exists(name):
            raise _invalid(
                f"Addon {name} specified is not supported in {cluster['version']} kubernetes version", addonName=name
            )
        if cluster["status"] not in ("ACTIVE", "UPDATING"):
            raise ApiError(
                "InvalidRequestException", f"Cluster '{cluster['name']}' is not in ACTIVE status", addonName=name
            )
        version = p.get("addonVersion") or catalogue.default_addon_version(name, cluster["version"])
        if version is None:
            raise _invalid(f"Addon {name} has no version for Kubernetes {cluster['version']}", addonName=name)
        self._check_addon_version(cluster, name, version)
        if p.get("resolveConflicts") and p["resolveConflicts"] not in ("OVERWRITE", "NONE", "PRESERVE"):
            raise _invalid("resolveConflicts must be OVERWRITE, NONE or PRESERVE", addonName=name)
        if p.get("serviceAccountRoleArn"):
            self._check_role(p["serviceAccountRoleArn"], "serviceAccountRoleArn")
        self._check_configuration(name, version, p.get("configurationValues"))
        associations = p.get("podIdentityAssociations") or []
        self._addon_pod_identities(cluster, name, associations)
        namespace = (p.get("namespaceConfig") or {}).get("namespace")
        for item in associations:
            for assoc in cluster["_pod_identity"].values():
                if (assoc["namespace"], assoc["serviceAccount"]) == (
                    namespace or catalogue.addon_info(name)["defaultNamespace"],
                    item["serviceAccount"],
                ):
                    raise ApiError("ResourceInUseException", f"Association already exists: {assoc['associationId']}")
        self._validate_tags(p.get("tags"))
        now = _now()
        addon = {
            "addonName": name,
            "clusterName": cluster["name"],
            "status": "CREATING",
            "addonVersion": version,
            "health": {"issues": []},
            "addonArn": self._arn(region, "addon", cluster["name"], name, str(uuid.uuid4())),
            "createdAt": now,
            "modifiedAt": now,
            "tags": dict(p.get("tags") or {}),
            "publisher": "eks",
            "owner": catalogue.addon_owner(name),
            "podIdentityAssociations": [],
            "_updates": [],
            "_resolve_conflicts": p.get("resolveConflicts"),
        }
        if p.get("serviceAccountRoleArn"):
            addon["serviceAccountRoleArn"] = p["serviceAccountRoleArn"]
        if p.get("configurationValues"):
            addon["configurationValues"] = p["configurationValues"]
        if namespace:
            addon["namespaceConfig"] = {"namespace": namespace}
        cluster["_addons"][name] = addon
        self._set_addon_associations(region, cluster, addon, associations)

        def created(t):
            addon["modifiedAt"] = t
            injection = self.controls.take_injection("addon", cluster["name"], name)
            if injection:
                self._fail_addon(addon, injection, "CREATE_FAILED")
                return
            addon["status"] = "ACTIVE"
            self._refresh_addon_health(cluster)

        self._schedule(addon, "addon", created)
        return {"addon": _public(addon)}

    def _set_addon_associations(self, region, cluster, addon, associations):
        namespace = (addon.get("namespaceConfig") or {}).get("namespace") or catalogue.addon_info(addon["addonName"])[
            "defaultNamespace"
        ]
        wanted = {a["serviceAccount"]: a["roleArn"] for a in associations}
        for assoc_id, assoc in list(cluster["_pod_identity"].items()):
            if assoc.get("ownerArn") != addon["addonArn"]:
                continue
            if assoc["serviceAccount"] not in wanted:
                del cluster["_pod_identity"][assoc_id]
            else:
                assoc["roleArn"] = wanted.pop(assoc["serviceAccount"])
                assoc["modifiedAt"] = _now()
        for service_account, role_arn in wanted.items():
            self._add_pod_identity(region, cluster, namespace, service_account, role_arn, {}, owner=addon["addonArn"])
        addon["podIdentityAssociations"] = sorted(
            a["associationArn"] for a in cluster["_pod_identity"].values() if a.get("ownerArn") == addon["addonArn"]
        )

    def op_DescribeAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"addon": _public(self._addon(cluster, p["addonName"]))}

    def op_ListAddons(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_addons"]), p, "addons")

    def op_UpdateAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        addon = self._addon(cluster, p["addonName"])
        name = addon["addonName"]
        if addon["status"] not in ("ACTIVE", "DEGRADED", "UPDATE_FAILED", "CREATE_FAILED"):
            raise ApiError(
                "ResourceInUseException",
                f"Addon {name} is in {addon['status']} status; it cannot be updated now.",
                clusterName=cluster["name"],
                addonName=name,
            )
        self._no_update_in_progress(addon, f"addon {name}")
        version = p.get("addonVersion") or addon["addonVersion"]
        self._check_addon_version(cluster, name, version)
        if catalogue.compare_addon_versions(version, addon["addonVersion"]) < 0:
            raise _invalid(
                f"Updating addon {name} from {addon['addonVersion']} to the older version {version} is not supported",
                addonName=name,
            )
        if p.get("resolveConflicts") and p["resolveConflicts"] not in ("OVERWRITE", "NONE", "PRESERVE"):
            raise _invalid("resolveConflicts must be OVERWRITE, NONE or PRESERVE", addonName=name)
        config = p.get("configurationValues", addon.get("configurationValues"))
        self._check_configuration(name, version, config)
        if p.get("serviceAccountRoleArn"):
            self._check_role(p["serviceAccountRoleArn"], "serviceAccountRoleArn")
        if "podIdentityAssociations" in p:
            self._addon_pod_identities(cluster, name, p["podIdentityAssociations"])
        params = []
        patch = {}
        if p.get("addonVersion"):
            params.append(("AddonVersion", version))
            patch["addonVersion"] = version
        if "serviceAccountRoleArn" in p:
            params.append(("ServiceAccountRoleArn", p["serviceAccountRoleArn"]))
            patch["serviceAccountRoleArn"] = p["serviceAccountRoleArn"]
        if p.get("resolveConflicts"):
            params.append(("ResolveConflicts", p["resolveConflicts"]))
        if "configurationValues" in p:
            params.append(("ConfigurationValues", p["configurationValues"]))
            patch["configurationValues"] = p["configurationValues"]
        if "podIdentityAssociations" in p:
            params.append(
                ("PodIdentityAssociations", json.dumps([a["serviceAccount"] for a in p["podIdentityAssociations"]]))
            )
        update = self._new_update(addon, cluster, "AddonUpdate", params, addon=name)
        addon["status"] = "UPDATING"
        addon["modifiedAt"] = _now()

        def apply():
            for key, value in patch.items():
                if value in (None, ""):
                    addon.pop(key, None)
                else:
                    addon[key] = value
            if "podIdentityAssociations" in p:
                self._set_addon_associations(region, cluster, addon, p["podIdentityAssociations"])
            addon["health"] = {"issues": []}
            addon.pop("_sticky", None)

        def finished(t):
            addon["modifiedAt"] = t
            self._finish_update(
                update,
                "addon",
                name,
                apply,
                addon,
                lambda a: "ACTIVE",
                lambda inj: self._fail_addon(addon, inj, "UPDATE_FAILED"),
            )
            if update["status"] != "Successful" and addon["status"] == "ACTIVE":
                self._fail_addon(addon, {"health_issues": None}, "UPDATE_FAILED")
            self._refresh_addon_health(cluster)

        self._schedule(addon, "update", finished)
        return {"update": _public(update)}

    def op_DeleteAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        addon = self._addon(cluster, p["addonName"])
        self._no_update_in_progress(addon, f"addon {addon['addonName']}")
        if addon["status"] != "DELETING":
            addon["status"] = "DELETING"
            addon["modifiedAt"] = _now()
            addon["_preserve"] = bool(p.get("preserve"))

            def deleted(t):
                injection = self.controls.take_injection("addon", cluster["name"], addon["addonName"])
                if injection:
                    self._fail_addon(addon, injection, "DELETE_FAILED")
                    return
                cluster["_addons"].pop(addon["addonName"], None)
                for assoc_id, assoc in list(cluster["_pod_identity"].items()):
                    if assoc.get("ownerArn") == addon["addonArn"]:
                        del cluster["_pod_identity"][assoc_id]
                for update_id in addon["_updates"]:
                    self.updates.pop(update_id, None)

            self._schedule(addon, "addon", deleted)
        return {"addon": _public(addon)}
