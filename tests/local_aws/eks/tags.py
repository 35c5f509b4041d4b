"""TagResource, UntagResource, ListTagsForResource for every EKS resource ARN the endpoint makes."""

from __future__ import annotations

import re

from .common import ApiError


class Tags:
    """Tag operations."""

    def _tagged(self, arn):
        match = re.match(r"^arn:aws[a-z-]*:eks:([a-z0-9-]+):(\d{12}):([a-z-]+)/(.+)$", arn or "")
        if not match:
            raise ApiError("BadRequestException", f"Invalid ARN: {arn}")
        region, kind, rest = match.group(1), match.group(3), match.group(4).split("/")
        cluster = self.clusters.get((region, rest[0]))
        if cluster is not None:
            candidates = {
                "cluster": [cluster],
                "nodegroup": list(cluster["_nodegroups"].values()),
                "addon": list(cluster["_addons"].values()),
                "fargateprofile": list(cluster["_fargate"].values()),
                "access-entry": list(cluster["_access_entries"].values()),
                "podidentityassociation": list(cluster["_pod_identity"].values()),
                "identityproviderconfig": list(cluster["_idp"].values()),
            }.get(kind, [])
            for resource in candidates:
                own = (
                    resource.get("arn")
                    or resource.get("nodegroupArn")
                    or resource.get("addonArn")
                    or resource.get("fargateProfileArn")
                    or resource.get("accessEntryArn")
                    or resource.get("associationArn")
                    or resource.get("identityProviderConfigArn")
                )
                if own == arn:
                    return resource
        raise ApiError("NotFoundException", f"Resource was not found: {arn}")

    def op_TagResource(self, region, p):
        resource = self._tagged(p["resourceArn"])
        tags = dict(resource.get("tags") or {}, **p["tags"])
        self._validate_tags(tags)
        resource["tags"] = tags
        return {}

    def op_UntagResource(self, region, p):
        resource = self._tagged(p["resourceArn"])
        resource["tags"] = {k: v for k, v in (resource.get("tags") or {}).items() if k not in p["tagKeys"]}
        return {}

    def op_ListTagsForResource(self, region, p):
        return {"tags": dict(self._tagged(p["resourceArn"]).get("tags") or {})}
