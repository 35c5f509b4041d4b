"""OIDC identity provider configs: Associate, Describe, List, Disassociate (each a cluster update)."""

from __future__ import annotations

import json
import uuid

from .common import ApiError
from .common import _public
from .common import _paginate


class IdentityProviders:
    """Identity provider config operations."""

    def _identity_provider(self, cluster, spec):
        config = cluster["_idp"].get(spec.get("name"))
        if config is None or spec.get("type") != "oidc":
            raise ApiError(
                "ResourceNotFoundException",
                f"No identity provider config found with name: {spec.get('name')}",
                clusterName=cluster["name"],
            )
        return config

    def op_AssociateIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        oidc = p["oidc"]
        name = oidc["identityProviderConfigName"]
        if name in cluster["_idp"]:
            raise ApiError("ResourceInUseException", f"Identity provider config {name} already exists.")
        if cluster["_idp"]:
            raise ApiError(
                "ResourceLimitExceededException", "A cluster can have only one OIDC identity provider config."
            )
        self._oidc_request_checked(oidc)  # eks/auto_mode.py
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        self._validate_tags(p.get("tags"))
        config = dict(
            oidc,
            identityProviderConfigArn=self._arn(
                region, "identityproviderconfig", cluster["name"], "oidc", name, str(uuid.uuid4())
            ),
            clusterName=cluster["name"],
            tags=dict(p.get("tags") or {}),
            status="CREATING",
        )
        cluster["_idp"][name] = config

        def activate():
            config["status"] = "ACTIVE"

        update = self._start_cluster_update(
            cluster,
            "AssociateIdentityProviderConfig",
            [("IdentityProviderConfig", json.dumps([{"type": "oidc", "name": name}]))],
            {},
            after=activate,
        )
        return {"update": update, "tags": dict(config["tags"])}

    def op_DescribeIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {
            "identityProviderConfig": {"oidc": _public(self._identity_provider(cluster, p["identityProviderConfig"]))}
        }

    def op_ListIdentityProviderConfigs(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate([{"type": "oidc", "name": n} for n in sorted(cluster["_idp"])], p, "identityProviderConfigs")

    def op_DisassociateIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        config = self._identity_provider(cluster, p["identityProviderConfig"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        config["status"] = "DELETING"

        def remove():
            cluster["_idp"].pop(config["identityProviderConfigName"], None)

        update = self._start_cluster_update(
            cluster,
            "DisassociateIdentityProviderConfig",
            [("IdentityProviderConfig", json.dumps([p["identityProviderConfig"]]))],
            {},
            after=remove,
        )
        return {"update": update}
