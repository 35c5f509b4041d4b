"""Lookups and checks shared by the operations: resources by name (``ResourceNotFoundException``), states that
forbid an operation, references to moto's EC2, IAM (subnets, security groups, roles; strict or not), tags, ARNs."""

from __future__ import annotations

import re

from .common import ApiError
from .common import _invalid


class Lookups:
    """Finding resources and checking references, for every operation."""

    def _cluster(self, region, name):
        cluster = self.clusters.get((region, name))
        if cluster is None:
            raise ApiError("ResourceNotFoundException", f"No cluster found for name: {name}.", clusterName=name)
        return cluster

    def _nodegroup(self, cluster, name):
        ng = cluster["_nodegroups"].get(name)
        if ng is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No node group found for name: {name}.",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        return ng

    def _addon(self, cluster, name):
        addon = cluster["_addons"].get(name)
        if addon is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No addon: {name} found in cluster: {cluster['name']}",
                clusterName=cluster["name"],
                addonName=name,
            )
        return addon

    def _require_active(self, cluster):
        if cluster["status"] != "ACTIVE":
            raise ApiError(
                (
                    "ResourceInUseException"
                    if cluster["status"] in ("UPDATING", "CREATING")
                    else "InvalidRequestException"
                ),
                f"Cluster {cluster['name']} is in {cluster['status']} status; the operation needs it ACTIVE.",
                clusterName=cluster["name"],
            )

    def _no_update_in_progress(self, owner, what):
        for update_id in owner["_updates"]:
            if self.updates[update_id]["status"] == "InProgress":
                raise ApiError("ResourceInUseException", f"An update is already in progress for {what}: {update_id}")

    def _ec2(self, region):
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account][region]

    def _strict(self):
        return self.controls.config()["strict"]

    def _check_role(self, arn, field):
        if not isinstance(arn, str) or not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+", arn):
            raise _invalid(f"{field} {arn!r} is not a valid IAM role ARN.")
        if not self._strict():
            return
        from moto.iam.models import iam_backends

        try:
            iam_backends[self.account]["global"].get_role_by_arn(arn)
        except Exception:
            raise _invalid(f"Role with ARN {arn} does not exist ({field}).") from None

    def _subnets(self, region, subnet_ids, field="subnetIds"):
        """[(id, vpc_id, az, cidr)] of subnets that exist in EC2 (all of them when not strict)."""
        found = []
        ec2 = self._ec2(region)
        for subnet_id in subnet_ids:
            try:
                subnet = ec2.get_subnet(subnet_id)
            except Exception:
                if self._strict():
                    raise _invalid(f"The subnet ID '{subnet_id}' does not exist ({field}).") from None
                continue
            found.append((subnet.id, subnet.vpc_id, subnet.availability_zone, subnet.cidr_block))
        return found

    def _check_security_groups(self, region, group_ids, vpc_id=None):
        if not self._strict():
            return
        ec2 = self._ec2(region)
        for group_id in group_ids:
            group = ec2.get_security_group_from_id(group_id)
            if group is None:
                raise _invalid(f"The security group '{group_id}' does not exist.")
            if vpc_id and group.vpc_id != vpc_id:
                raise _invalid(f"The security group '{group_id}' is not in the cluster's VPC {vpc_id}.")

    def _create_security_group(self, region, name, description, vpc_id, tags, self_ingress=False, ssh_from=None):
        ec2 = self._ec2(region)
        group = ec2.create_security_group(name, description, vpc_id=vpc_id, tags=tags)
        if self_ingress:
            # The cluster security group lets everything in from itself, as EKS makes it.
            ec2.authorize_security_group_ingress(
                group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}], vpc_id=vpc_id
            )
        if ssh_from is not None:
            sources = [{"GroupId": g} for g in ssh_from]
            ec2.authorize_security_group_ingress(
                group.id,
                "tcp",
                "22",
                "22",
                [] if sources else [{"CidrIp": "0.0.0.0/0"}],
                source_groups=sources or None,
                vpc_id=vpc_id,
            )
        return group.id

    def _delete_security_group(self, region, group_id):
        if not group_id:
            return
        realism = self.controls.realism
        if realism is not None:
            realism.delete_security_group(region, group_id)  # now, or when its network interfaces are gone
            return
        try:
            self._ec2(region).delete_security_group(group_id=group_id)
        except Exception:
            pass  # something still refers to it, or it is already gone: EKS leaves it too

    def _vpc_of(self, region, subnet_ids):
        subnets = self._subnets(region, subnet_ids)
        vpcs = {s[1] for s in subnets}
        if len(vpcs) > 1:
            raise _invalid(f"Subnets {', '.join(subnet_ids)} are not all in the same VPC.")
        if subnets:
            return subnets[0][1], subnets
        # Not strict and the subnets are unknown: the default VPC stands in.
        for vpc in self._ec2(region).describe_vpcs():
            if vpc.is_default:
                return vpc.id, subnets
        return None, subnets

    def _validate_tags(self, tags):
        if tags is None:
            return
        if not isinstance(tags, dict) or len(tags) > 50:
            raise ApiError("BadRequestException", "Tags must be a map of at most 50 keys.")
        for key, value in tags.items():
            if not key or len(key) > 128 or len(str(value)) > 256:
                raise ApiError("BadRequestException", f"Tag {key!r} has an invalid key or value length.")
            if key.lower().startswith("aws:"):
                raise ApiError("BadRequestException", f"Tag keys starting with 'aws:' are reserved: {key}")

    def _arn(self, region, kind, *parts):
        return f"arn:aws:eks:{region}:{self.account}:{kind}/" + "/".join(parts)
