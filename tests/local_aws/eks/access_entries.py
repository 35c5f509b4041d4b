"""Access entries (Create, Describe, List, Update, Delete) and access policies (Associate, Disassociate,
ListAssociatedAccessPolicies, ListAccessPolicies); only on clusters in an API authentication mode."""

from __future__ import annotations

import re
import uuid

from .common import ACCESS_POLICIES
from .common import ACCESS_POLICY_ARN
from .common import ApiError
from .common import _invalid
from .common import _public
from .common import _now
from .common import _paginate


class AccessEntries:
    """Access entry and access policy operations."""

    def _require_api_auth(self, cluster):
        if cluster["accessConfig"]["authenticationMode"] == "CONFIG_MAP":
            raise ApiError(
                "InvalidRequestException",
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this "
                "operation.",
                clusterName=cluster["name"],
            )

    def _access_entry(self, cluster, principal_arn):
        entry = cluster["_access_entries"].get(principal_arn)
        if entry is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"The specified principalArn could not be found. You can view your available access entries with "
                f"'list-access-entries'. ({principal_arn})",
                clusterName=cluster["name"],
            )
        return entry

    def _add_access_entry(self, cluster, principal_arn, entry_type, groups, username, tags, policies=()):
        match = re.match(r"^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(role|user|assumed-role)/(.+)$", principal_arn or "")
        if not match:
            raise _invalid(f"The specified principalArn is invalid: {principal_arn}", clusterName=cluster["name"])
        kind, resource_name = match.group(3), match.group(4).split("/")[-1]
        if entry_type == "STANDARD":
            default_username = (
                f"arn:aws:sts::{match.group(2)}:assumed-role/{resource_name}/{{{{SessionName}}}}"
                if kind == "role"
                else principal_arn
            )
            out_groups = list(groups)
        elif entry_type in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX"):
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = "system:node:{{EC2PrivateDNSName}}"
            out_groups = ["system:nodes"]
        elif entry_type == "FARGATE_LINUX":
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = "system:node:{{SessionName}}"
            out_groups = ["system:nodes"]
        else:
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = principal_arn
            out_groups = []
        now = _now()
        entry = {
            "clusterName": cluster["name"],
            "principalArn": principal_arn,
            "kubernetesGroups": out_groups,
            "accessEntryArn": self._arn(
                cluster["_region"],
                "access-entry",
                cluster["name"],
                "role" if kind != "user" else "user",
                match.group(2),
                resource_name,
                str(uuid.uuid4()),
            ),
            "createdAt": now,
            "modifiedAt": now,
            "tags": dict(tags or {}),
            "username": username or default_username,
            "type": entry_type,
            "_policies": {},
        }
        for policy_arn, scope in policies:
            entry["_policies"][policy_arn] = {
                "policyArn": policy_arn,
                "accessScope": scope,
                "associatedAt": now,
                "modifiedAt": now,
            }
        cluster["_access_entries"][principal_arn] = entry
        return entry

    def _check_principal(self, principal_arn, cluster):
        """EKS resolves the IAM role or user an access entry names: one that does not exist is refused."""
        match = re.match(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/(.+)$", principal_arn or "")
        if not match or not self._strict():
            return
        from moto.iam.models import iam_backends

        backend = iam_backends[self.account]["global"]
        name = match.group(2).split("/")[-1]
        try:
            if match.group(1) == "role":
                backend.get_role(name)
            else:
                backend.get_user(name)
        except Exception:
            raise _invalid(
                f"The specified principalArn is invalid: invalid principal {principal_arn}", clusterName=cluster["name"]
            ) from None

    def op_CreateAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        if p["principalArn"] in cluster["_access_entries"]:
            raise ApiError(
                "ResourceInUseException",
                "The specified access entry resource is already in use on this cluster.",
                clusterName=cluster["name"],
            )
        entry_type = p.get("type") or "STANDARD"
        if entry_type not in (
            "STANDARD",
            "EC2_LINUX",
            "EC2_WINDOWS",
            "FARGATE_LINUX",
            "EC2",
            "HYBRID_LINUX",
            "HYPERPOD_LINUX",
        ):
            raise _invalid(f"The access entry type {entry_type} is not valid.")
        groups = p.get("kubernetesGroups") or []
        _check_groups_and_username(groups, p.get("username"))
        self._validate_tags(p.get("tags"))
        self._check_principal(p["principalArn"], cluster)
        entry = self._add_access_entry(cluster, p["principalArn"], entry_type, groups, p.get("username"), p.get("tags"))
        return {"accessEntry": _public(entry)}

    def op_DescribeAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        return {"accessEntry": _public(self._access_entry(cluster, p["principalArn"]))}

    def op_ListAccessEntries(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        arns = sorted(cluster["_access_entries"])
        if p.get("associatedPolicyArn"):
            arns = [a for a in arns if p["associatedPolicyArn"] in cluster["_access_entries"][a]["_policies"]]
        return _paginate(arns, p, "accessEntries")

    def op_UpdateAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        if entry["type"] != "STANDARD" and (p.get("kubernetesGroups") or p.get("username")):
            raise _invalid(f"kubernetesGroups and username cannot be changed for access entry type {entry['type']}.")
        _check_groups_and_username(p.get("kubernetesGroups") or [], p.get("username"))
        if "kubernetesGroups" in p:
            entry["kubernetesGroups"] = list(p["kubernetesGroups"])
        if p.get("username"):
            entry["username"] = p["username"]
        entry["modifiedAt"] = _now()
        return {"accessEntry": _public(entry)}

    def op_DeleteAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        self._access_entry(cluster, p["principalArn"])
        del cluster["_access_entries"][p["principalArn"]]
        return {}

    def op_AssociateAccessPolicy(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        policy_arn = p["policyArn"]
        if not policy_arn.startswith(ACCESS_POLICY_ARN) or policy_arn[len(ACCESS_POLICY_ARN) :] not in ACCESS_POLICIES:
            raise ApiError("ResourceNotFoundException", f"The specified policy {policy_arn} could not be found.")
        if entry["type"] != "STANDARD":
            raise _invalid(f"Access policies cannot be associated with access entries of type {entry['type']}.")
        scope = dict(p["accessScope"])
        if scope.get("type") not in ("cluster", "namespace"):
            raise _invalid("accessScope.type must be cluster or namespace.")
        if scope["type"] == "namespace" and not scope.get("namespaces"):
            raise _invalid("accessScope.namespaces must list at least one namespace for type namespace.")
        if scope["type"] == "cluster" and scope.get("namespaces"):
            raise _invalid("accessScope.namespaces must be empty for type cluster.")
        now = _now()
        existing = entry["_policies"].get(policy_arn)
        entry["_policies"][policy_arn] = {
            "policyArn": policy_arn,
            "accessScope": scope,
            "associatedAt": existing["associatedAt"] if existing else now,
            "modifiedAt": now,
        }
        return {
            "clusterName": cluster["name"],
            "principalArn": entry["principalArn"],
            "associatedAccessPolicy": _public(entry["_policies"][policy_arn]),
        }

    def op_DisassociateAccessPolicy(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        if p["policyArn"] not in entry["_policies"]:
            raise ApiError("ResourceNotFoundException", f"The policy {p['policyArn']} is not associated.")
        del entry["_policies"][p["policyArn"]]
        return {}

    def op_ListAssociatedAccessPolicies(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        out = _paginate([_public(v) for v in entry["_policies"].values()], p, "associatedAccessPolicies")
        out.update(clusterName=cluster["name"], principalArn=entry["principalArn"])
        return out

    def op_ListAccessPolicies(self, region, p):
        items = [{"name": n, "arn": ACCESS_POLICY_ARN + n} for n in ACCESS_POLICIES]
        return _paginate(items, p, "accessPolicies")


def _check_groups_and_username(groups, username):
    for group in groups:
        if group.startswith("system:"):
            raise _invalid(f"The kubernetes group {group} is not valid: the system: prefix is reserved.")
    if username and username.startswith(("system:", "eks:", "aws:", "amazon:", "iam:")):
        raise _invalid(f"The username {username} is not valid: its prefix is reserved.")
