"""Update records (cluster, node group and add-on updates): how one starts and ends (injected failures
included), and DescribeUpdate / ListUpdates."""

from __future__ import annotations

import secrets
import uuid

from .common import DEFAULT_HEALTH
from .common import ApiError
from .common import _public
from .common import _now
from .common import _paginate


class Updates:
    """Update records and their operations."""

    def _new_update(self, owner, cluster, update_type, params, nodegroup=None, addon=None):
        update = {
            "id": str(uuid.uuid4()),
            "status": "InProgress",
            "type": update_type,
            "params": [{"type": k, "value": v} for k, v in params],
            "createdAt": _now(),
            "errors": [],
            "_cluster": cluster,
            "_owner": owner,
            "_nodegroup": nodegroup,
            "_addon": addon,
        }
        self.updates[update["id"]] = update
        owner["_updates"].append(update["id"])
        return update

    def _finish_update(self, update, resource_kind, resource_name, apply, resource, ok_status, fail):
        """End an update: injected update failure, injected resource failure, or success (apply the change)."""
        cluster = update["_cluster"]
        upd_inj = self.controls.take_injection("update", cluster["name"], update=update)
        res_inj = self.controls.take_injection(resource_kind, cluster["name"], resource_name)
        if res_inj:
            fail(res_inj)
            update["status"] = "Failed"
            update["errors"] = [
                {"errorCode": "Unknown", "errorMessage": i.get("message", ""), "resourceIds": i.get("resourceIds", [])}
                for i in resource["health"]["issues"]
            ]
            if upd_inj and upd_inj.get("errors"):
                update["errors"] = upd_inj["errors"]
            return
        if upd_inj:
            update["status"] = upd_inj.get("status") or "Failed"
            update["errors"] = upd_inj.get("errors") or [self._default_update_error(update)]
            resource["status"] = ok_status(resource)
            return
        apply()
        update["status"] = "Successful"
        resource["status"] = ok_status(resource)

    def _default_update_error(self, update):
        if update["_nodegroup"]:
            return {
                "errorCode": "NodeCreationFailure",
                "errorMessage": "Instances failed to join the kubernetes cluster",
                "resourceIds": [f"i-{secrets.token_hex(8)}"],
            }
        if update["_addon"]:
            return {"errorCode": "ConfigurationConflict", "errorMessage": DEFAULT_HEALTH["addon_failed"]["message"]}
        return {"errorCode": "Unknown", "errorMessage": "The update failed."}

    def _update_owner(self, region, p):
        """The resource a DescribeUpdate / ListUpdates request names: a node group, an add-on or the cluster."""
        cluster = self._cluster(region, p["name"])
        if p.get("nodegroupName"):
            return self._nodegroup(cluster, p["nodegroupName"])
        if p.get("addonName"):
            return self._addon(cluster, p["addonName"])
        return cluster

    def op_DescribeUpdate(self, region, p):
        owner = self._update_owner(region, p)
        if p["updateId"] not in owner["_updates"]:
            raise ApiError("ResourceNotFoundException", f"No update found for ID: {p['updateId']}")
        return {"update": _public(self.updates[p["updateId"]])}

    def op_ListUpdates(self, region, p):
        return _paginate(list(self._update_owner(region, p)["_updates"]), p, "updateIds")
