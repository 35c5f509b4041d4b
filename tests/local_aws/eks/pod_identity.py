"""Pod identity associations: Create, Describe, Update, Delete, List (those an add-on owns change only
through the add-on)."""

from __future__ import annotations

import secrets
import string
import uuid

from .common import ApiError
from .common import _public
from .common import _now
from .common import _paginate


class PodIdentityAssociations:
    """Pod identity association operations."""

    def _add_pod_identity(self, region, cluster, namespace, service_account, role_arn, extra, owner=None):
        assoc_id = "a-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _index in range(17))
        now = _now()
        assoc = {
            "clusterName": cluster["name"],
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role_arn,
            "associationArn": self._arn(region, "podidentityassociation", cluster["name"], assoc_id),
            "associationId": assoc_id,
            "tags": dict(extra.get("tags") or {}),
            "createdAt": now,
            "modifiedAt": now,
            "disableSessionTags": bool(extra.get("disableSessionTags", False)),
        }
        if owner:
            assoc["ownerArn"] = owner
        if extra.get("targetRoleArn"):
            assoc["targetRoleArn"] = extra["targetRoleArn"]
            assoc["externalId"] = str(uuid.uuid4())
        if extra.get("policy"):
            assoc["policy"] = extra["policy"]
        cluster["_pod_identity"][assoc_id] = assoc
        return assoc

    def _association(self, cluster, assoc_id, change=False):
        """The association; to ``change`` it, one an add-on does not own (that one changes through the add-on)."""
        assoc = cluster["_pod_identity"].get(assoc_id)
        if assoc is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No Pod Identity Association found with id: {assoc_id}",
                clusterName=cluster["name"],
            )
        if change and assoc.get("ownerArn"):
            raise ApiError(
                "InvalidRequestException",
                f"The association {assoc['associationId']} is managed by {assoc['ownerArn']}; update the add-on instead.",
            )
        return assoc

    def op_CreatePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        for assoc in cluster["_pod_identity"].values():
            if (assoc["namespace"], assoc["serviceAccount"]) == (p["namespace"], p["serviceAccount"]):
                raise ApiError(
                    "ResourceInUseException",
                    f"Association already exists: {assoc['associationId']}",
                    clusterName=cluster["name"],
                )
        self._check_role(p["roleArn"], "roleArn")
        if p.get("targetRoleArn"):
            self._check_role(p["targetRoleArn"], "targetRoleArn")
        self._validate_tags(p.get("tags"))
        assoc = self._add_pod_identity(region, cluster, p["namespace"], p["serviceAccount"], p["roleArn"], p)
        return {"association": _public(assoc)}

    def op_DescribePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"association": _public(self._association(cluster, p["associationId"]))}

    def op_UpdatePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        assoc = self._association(cluster, p["associationId"], change=True)
        if p.get("roleArn"):
            self._check_role(p["roleArn"], "roleArn")
            assoc["roleArn"] = p["roleArn"]
        if "disableSessionTags" in p:
            assoc["disableSessionTags"] = bool(p["disableSessionTags"])
        if "targetRoleArn" in p:
            if p["targetRoleArn"]:
                self._check_role(p["targetRoleArn"], "targetRoleArn")
                assoc["targetRoleArn"] = p["targetRoleArn"]
                assoc.setdefault("externalId", str(uuid.uuid4()))
            else:
                assoc.pop("targetRoleArn", None)
                assoc.pop("externalId", None)
        if "policy" in p:
            if p["policy"]:
                assoc["policy"] = p["policy"]
            else:
                assoc.pop("policy", None)
        assoc["modifiedAt"] = _now()
        return {"association": _public(assoc)}

    def op_DeletePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        assoc = self._association(cluster, p["associationId"], change=True)
        del cluster["_pod_identity"][p["associationId"]]
        return {"association": _public(assoc)}

    def op_ListPodIdentityAssociations(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        items = [
            {
                k: a[k]
                for k in ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId", "ownerArn")
                if k in a
            }
            for a in sorted(cluster["_pod_identity"].values(), key=lambda a: a["createdAt"])
            if (not p.get("namespace") or a["namespace"] == p["namespace"])
            and (not p.get("serviceAccount") or a["serviceAccount"] == p["serviceAccount"])
        ]
        return _paginate(items, p, "associations")
