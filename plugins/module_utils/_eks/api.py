# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only code that calls boto3: one small wrapper per AWS operation.

Each wrapper takes a client made by ``common.client`` (retrying with jittered backoff) and plain
values, and returns plain dicts. Botocore errors become ``EksError``; "describe" wrappers return
None when the resource does not exist, "delete" wrappers return False when it was already gone.
"""

from __future__ import annotations

import json
import uuid

from .retry import aws_call
from .retry import aws_delete
from .retry import aws_describe
from .retry import not_found_lag

# Every wrapper takes one of these: retries on throttling and 5xx faults attached to the wrapper, errors become
# EksError; _describe / _delete also take missing="<resource>" (vocabulary.MISSING_CODES, by default the service's).
_common = aws_call
_describe = aws_describe
_delete = aws_delete


# Client request tokens: a create repeated with the same parameters (a re-run after a timeout or a lost
# answer) carries the same token, so EKS returns the resource the first call made instead of a second error.
_TOKEN_NAMESPACE = uuid.UUID("6f1c3b0e-2d4a-5e8f-9b7c-0a1e5e6b4c21")


def request_token(kind, params):
    """A deterministic idempotency token for a create: a UUID derived from the resource kind and its request."""
    body = json.dumps({k: v for k, v in params.items() if k != "clientRequestToken"}, sort_keys=True, default=str)
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{kind}:{body}"))


def _propagating(client, what, func, **params):
    """Call ``func`` through the client's IAM propagation retry (none on a plain client)."""
    retrying = getattr(client, "iam_propagation", None)
    if retrying is None:
        return func(client, **params)
    return retrying.call(what, func, client, **params)


def _lagging(client, what, func, *args):
    """Call ``func`` through a retry of EC2's NotFound for an id it handed out a moment ago (bounded)."""
    retrying = not_found_lag()
    notes = getattr(getattr(client, "iam_propagation", None), "notes", None)
    if notes is not None:
        retrying.notes = notes
    return retrying.call(what, func, client, *args)


def _paginate(client, operation, key, **params):
    """Every page's ``key`` items; the wrapper's retry calls the whole listing again on throttling or a 5xx fault."""
    paginator = client.get_paginator(operation)
    items = []
    for page in paginator.paginate(**params):
        items.extend(page.get(key, []))
    return items


# ---------------------------------------------------------------- EKS: clusters
@_describe("describe the cluster")
def describe_cluster(client, name):
    return client.describe_cluster(name=name)["cluster"]


@_common("list the clusters")
def list_clusters(client):
    return _paginate(client, "list_clusters", "clusters")


@_common("create the cluster")
def _create_cluster(client, **params):
    return client.create_cluster(**params)["cluster"]


def create_cluster(client, **params):
    """CreateCluster with a client request token, retried while IAM propagates the cluster role."""
    params.setdefault("clientRequestToken", request_token("cluster", params))
    return _propagating(client, f"CreateCluster {params.get('name')}", _create_cluster, **params)


@_common("update the cluster configuration")
def update_cluster_config(client, **params):
    return client.update_cluster_config(**params)["update"]


@_common("update the cluster version")
def update_cluster_version(client, name, version):
    return client.update_cluster_version(name=name, version=version)["update"]


@_common("associate the encryption configuration")
def associate_encryption_config(client, name, encryption_config):
    return client.associate_encryption_config(clusterName=name, encryptionConfig=encryption_config)["update"]


@_delete("delete the cluster")
def delete_cluster(client, name):
    client.delete_cluster(name=name)
    return True


@_common("describe the cluster versions")
def describe_cluster_versions(client, **params):
    return _paginate(client, "describe_cluster_versions", "clusterVersions", **params)


# ---------------------------------------------------------------- EKS: updates
@_describe("describe the update")
def describe_update(client, name, update_id, nodegroup_name=None, addon_name=None):
    params = dict(name=name, updateId=update_id)
    if nodegroup_name:
        params["nodegroupName"] = nodegroup_name
    if addon_name:
        params["addonName"] = addon_name
    return client.describe_update(**params)["update"]


@_common("list the updates")
def list_updates(client, name, nodegroup_name=None, addon_name=None):
    params = dict(name=name)
    if nodegroup_name:
        params["nodegroupName"] = nodegroup_name
    if addon_name:
        params["addonName"] = addon_name
    return _paginate(client, "list_updates", "updateIds", **params)


# ---------------------------------------------------------------- EKS: nodegroups
@_describe("describe the nodegroup")
def describe_nodegroup(client, cluster_name, name):
    return client.describe_nodegroup(clusterName=cluster_name, nodegroupName=name)["nodegroup"]


@_describe("list the nodegroups", default_value=[])
def list_nodegroups(client, cluster_name):
    return _paginate(client, "list_nodegroups", "nodegroups", clusterName=cluster_name)


@_common("create the nodegroup")
def _create_nodegroup(client, **params):
    return client.create_nodegroup(**params)["nodegroup"]


def create_nodegroup(client, **params):
    """CreateNodegroup with a client request token, retried while IAM propagates the node role."""
    params.setdefault("clientRequestToken", request_token("nodegroup", params))
    what = f"CreateNodegroup {params.get('clusterName')}/{params.get('nodegroupName')}"
    return _propagating(client, what, _create_nodegroup, **params)


@_common("update the nodegroup configuration")
def update_nodegroup_config(client, **params):
    return client.update_nodegroup_config(**params)["update"]


@_common("update the nodegroup version")
def update_nodegroup_version(client, **params):
    return client.update_nodegroup_version(**params)["update"]


@_delete("delete the nodegroup")
def delete_nodegroup(client, cluster_name, name):
    client.delete_nodegroup(clusterName=cluster_name, nodegroupName=name)
    return True


# ---------------------------------------------------------------- EKS: Fargate profiles
@_describe("list the Fargate profiles", default_value=[])
def list_fargate_profiles(client, cluster_name):
    return _paginate(client, "list_fargate_profiles", "fargateProfileNames", clusterName=cluster_name)


# ---------------------------------------------------------------- EKS: add-ons
@_describe("describe the add-on")
def describe_addon(client, cluster_name, name):
    return client.describe_addon(clusterName=cluster_name, addonName=name)["addon"]


@_describe("list the add-ons", default_value=[])
def list_addons(client, cluster_name):
    return _paginate(client, "list_addons", "addons", clusterName=cluster_name)


@_common("create the add-on")
def _create_addon(client, **params):
    return client.create_addon(**params)["addon"]


def create_addon(client, **params):
    """CreateAddon with a client request token, retried while IAM propagates its service account role."""
    params.setdefault("clientRequestToken", request_token("addon", params))
    what = f"CreateAddon {params.get('clusterName')}/{params.get('addonName')}"
    return _propagating(client, what, _create_addon, **params)


@_common("update the add-on")
def update_addon(client, **params):
    return client.update_addon(**params)["update"]


@_delete("delete the add-on")
def delete_addon(client, cluster_name, name, preserve=False):
    client.delete_addon(clusterName=cluster_name, addonName=name, preserve=preserve)
    return True


@_common("describe the add-on versions")
def describe_addon_versions(client, **params):
    return _paginate(client, "describe_addon_versions", "addons", **params)


@_common("describe the add-on configuration schema")
def describe_addon_configuration(client, name, version):
    return client.describe_addon_configuration(addonName=name, addonVersion=version)


# ---------------------------------------------------------------- EKS: tags
@_common("tag the resource")
def tag_resource(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags)


@_common("untag the resource")
def untag_resource(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys))


# ---------------------------------------------------------------- EKS: access entries
@_describe("describe the access entry")
def describe_access_entry(client, cluster_name, principal_arn):
    return client.describe_access_entry(clusterName=cluster_name, principalArn=principal_arn)["accessEntry"]


@_describe("list the access entries", default_value=[])
def list_access_entries(client, cluster_name):
    return _paginate(client, "list_access_entries", "accessEntries", clusterName=cluster_name)


@_common("create the access entry")
def create_access_entry(client, **params):
    return client.create_access_entry(**params)["accessEntry"]


@_common("update the access entry")
def update_access_entry(client, **params):
    return client.update_access_entry(**params)["accessEntry"]


@_delete("delete the access entry")
def delete_access_entry(client, cluster_name, principal_arn):
    client.delete_access_entry(clusterName=cluster_name, principalArn=principal_arn)
    return True


@_common("associate the access policy")
def associate_access_policy(client, **params):
    return client.associate_access_policy(**params)


@_delete("disassociate the access policy")
def disassociate_access_policy(client, cluster_name, principal_arn, policy_arn):
    client.disassociate_access_policy(clusterName=cluster_name, principalArn=principal_arn, policyArn=policy_arn)
    return True


@_describe("list the associated access policies", default_value=[])
def list_associated_access_policies(client, cluster_name, principal_arn):
    return _paginate(
        client,
        "list_associated_access_policies",
        "associatedAccessPolicies",
        clusterName=cluster_name,
        principalArn=principal_arn,
    )


# ---------------------------------------------------------------- EKS: pod identity associations
@_describe("list the pod identity associations", default_value=[])
def list_pod_identity_associations(client, cluster_name, namespace=None, service_account=None):
    params = dict(clusterName=cluster_name)
    if namespace:
        params["namespace"] = namespace
    if service_account:
        params["serviceAccount"] = service_account
    return _paginate(client, "list_pod_identity_associations", "associations", **params)


@_describe("describe the pod identity association")
def describe_pod_identity_association(client, cluster_name, association_id):
    return client.describe_pod_identity_association(clusterName=cluster_name, associationId=association_id)[
        "association"
    ]


@_common("create the pod identity association")
def _create_pod_identity_association(client, **params):
    return client.create_pod_identity_association(**params)["association"]


def create_pod_identity_association(client, **params):
    """CreatePodIdentityAssociation with a client request token, retried while IAM propagates the role."""
    params.setdefault("clientRequestToken", request_token("pod-identity-association", params))
    what = f"CreatePodIdentityAssociation {params.get('clusterName')} {params.get('serviceAccount')}"
    return _propagating(client, what, _create_pod_identity_association, **params)


@_common("update the pod identity association")
def update_pod_identity_association(client, **params):
    return client.update_pod_identity_association(**params)["association"]


@_delete("delete the pod identity association")
def delete_pod_identity_association(client, cluster_name, association_id):
    client.delete_pod_identity_association(clusterName=cluster_name, associationId=association_id)
    return True


# ---------------------------------------------------------------- EKS: identity provider configs
@_describe("list the identity provider configs", default_value=[])
def list_identity_provider_configs(client, cluster_name):
    return _paginate(client, "list_identity_provider_configs", "identityProviderConfigs", clusterName=cluster_name)


@_describe("describe the identity provider config")
def describe_identity_provider_config(client, cluster_name, name, config_type="oidc"):
    config = client.describe_identity_provider_config(
        clusterName=cluster_name, identityProviderConfig={"type": config_type, "name": name}
    )["identityProviderConfig"]
    return config.get(config_type)


@_common("associate the identity provider config")
def associate_identity_provider_config(client, **params):
    """AssociateIdentityProviderConfig with a client request token: a repeated request returns the first one's."""
    params.setdefault("clientRequestToken", request_token("identity-provider-config", params))
    return client.associate_identity_provider_config(**params)["update"]


@_delete("disassociate the identity provider config")
def disassociate_identity_provider_config(client, cluster_name, name, config_type="oidc"):
    return client.disassociate_identity_provider_config(
        clusterName=cluster_name, identityProviderConfig={"type": config_type, "name": name}
    )["update"]


# ---------------------------------------------------------------- STS
@_common("identify the caller")
def get_caller_identity(client):
    return client.get_caller_identity()


# ---------------------------------------------------------------- EC2
@_common("describe the instance types")
def describe_instance_types(client, instance_types):
    return _paginate(client, "describe_instance_types", "InstanceTypes", InstanceTypes=list(instance_types))


@_common("describe the subnets")
def _describe_subnets(client, subnet_ids):
    return _paginate(client, "describe_subnets", "Subnets", SubnetIds=list(subnet_ids))


def describe_subnets(client, subnet_ids):
    """DescribeSubnets by id; a subnet made a moment ago may be unknown to EC2's read path for a while."""
    return _lagging(client, "DescribeSubnets", _describe_subnets, subnet_ids)


@_common("describe the security groups")
def _describe_security_groups(client, group_ids):
    return _paginate(client, "describe_security_groups", "SecurityGroups", GroupIds=list(group_ids))


def describe_security_groups(client, group_ids):
    """DescribeSecurityGroups by id; a group made a moment ago may be unknown to EC2's read path for a while."""
    return _lagging(client, "DescribeSecurityGroups", _describe_security_groups, group_ids)


@_common("authorize the security group ingress rules")
def authorize_security_group_ingress(client, group_id, permissions):
    return client.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(permissions))


@_common("describe the key pairs")
def describe_key_pairs(client, names):
    """The key pairs of these names (a filter: names not there are left out, not an error)."""
    return client.describe_key_pairs(Filters=[{"Name": "key-name", "Values": list(names)}]).get("KeyPairs", [])


@_common("get the instance types from the instance requirements")
def instance_types_from_requirements(client, request):
    """The names of the instance types GetInstanceTypesFromInstanceRequirements answers for ``request``, every page."""
    items = _paginate(client, "get_instance_types_from_instance_requirements", "InstanceTypes", **request)
    return [item["InstanceType"] for item in items]


# ---------------------------------------------------------------- IAM: roles
@_describe("get the IAM role")
def get_role(client, name):
    return client.get_role(RoleName=name)["Role"]


@_common("list the IAM roles")
def list_roles(client, path_prefix=None):
    params = dict(PathPrefix=path_prefix) if path_prefix else {}
    return _paginate(client, "list_roles", "Roles", **params)


@_common("create the IAM role")
def create_role(client, **params):
    return client.create_role(**params)["Role"]


@_common("update the IAM role trust policy")
def update_assume_role_policy(client, name, document):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=document)


@_common("update the IAM role")
def update_role(client, name, **params):
    client.update_role(RoleName=name, **params)


@_common("set the IAM role permissions boundary")
def put_role_permissions_boundary(client, name, arn):
    client.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)


@_delete("remove the IAM role permissions boundary")
def delete_role_permissions_boundary(client, name):
    client.delete_role_permissions_boundary(RoleName=name)
    return True


@_describe("list the IAM role's managed policies", default_value=[])
def list_attached_role_policies(client, name):
    return _paginate(client, "list_attached_role_policies", "AttachedPolicies", RoleName=name)


@_common("attach the managed policy to the IAM role")
def attach_role_policy(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


@_delete("detach the managed policy from the IAM role")
def detach_role_policy(client, name, arn):
    client.detach_role_policy(RoleName=name, PolicyArn=arn)
    return True


@_describe("list the IAM role's inline policies", default_value=[])
def list_role_policies(client, name):
    return _paginate(client, "list_role_policies", "PolicyNames", RoleName=name)


@_describe("get the IAM role's inline policy")
def get_role_policy(client, name, policy_name):
    return client.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]


@_common("put the IAM role's inline policy")
def put_role_policy(client, name, policy_name, document):
    client.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)


@_delete("delete the IAM role's inline policy")
def delete_role_policy(client, name, policy_name):
    client.delete_role_policy(RoleName=name, PolicyName=policy_name)
    return True


@_describe("list the IAM role's tags", default_value=[])
def list_role_tags(client, name):
    return _paginate(client, "list_role_tags", "Tags", RoleName=name)


@_common("tag the IAM role")
def tag_role(client, name, tags):
    client.tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


@_common("untag the IAM role")
def untag_role(client, name, keys):
    client.untag_role(RoleName=name, TagKeys=list(keys))


@_delete("delete the IAM role")
def delete_role(client, name):
    client.delete_role(RoleName=name)
    return True


# ---------------------------------------------------------------- IAM: OpenID Connect providers
@_common("list the OpenID Connect providers")
def list_open_id_connect_providers(client):
    return client.list_open_id_connect_providers().get("OpenIDConnectProviderList", [])


@_describe("get the OpenID Connect provider")
def get_open_id_connect_provider(client, arn):
    provider = client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    provider.pop("ResponseMetadata", None)
    return provider


@_common("create the OpenID Connect provider")
def create_open_id_connect_provider(client, **params):
    return client.create_open_id_connect_provider(**params)["OpenIDConnectProviderArn"]


@_delete("delete the OpenID Connect provider")
def delete_open_id_connect_provider(client, arn):
    client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    return True


@_common("update the OpenID Connect provider thumbprints")
def update_open_id_connect_provider_thumbprint(client, arn, thumbprints):
    client.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=list(thumbprints))


@_common("add a client ID to the OpenID Connect provider")
def add_client_id_to_open_id_connect_provider(client, arn, client_id):
    client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)


@_common("remove a client ID from the OpenID Connect provider")
def remove_client_id_from_open_id_connect_provider(client, arn, client_id):
    client.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)


@_describe("list the OpenID Connect provider's tags", default_value=[])
def list_open_id_connect_provider_tags(client, arn):
    return _paginate(client, "list_open_id_connect_provider_tags", "Tags", OpenIDConnectProviderArn=arn)


@_common("tag the OpenID Connect provider")
def tag_open_id_connect_provider(client, arn, tags):
    client.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


@_common("untag the OpenID Connect provider")
def untag_open_id_connect_provider(client, arn, keys):
    client.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=list(keys))


# ---------------------------------------------------------------- EC2: launch templates
@_describe("describe the launch template", default_value=[], missing="launch_template")
def describe_launch_templates(client, template_id=None, name=None):
    params = {"LaunchTemplateIds": [template_id]} if template_id else {"LaunchTemplateNames": [name]}
    return _paginate(client, "describe_launch_templates", "LaunchTemplates", **params)


@_describe("describe the launch template versions", default_value=[], missing="launch_template")
def describe_launch_template_versions(client, versions, template_id=None, name=None):
    params = {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": name}
    return _paginate(
        client, "describe_launch_template_versions", "LaunchTemplateVersions", Versions=list(versions), **params
    )


# ---------------------------------------------------------------- EC2: launch templates (eks_launch_template)
@_describe("list the launch template versions", default_value=[], missing="launch_template")
def list_launch_template_versions(client, template_id):
    """Every version of a launch template (no Versions filter: all of them)."""
    return _paginate(client, "describe_launch_template_versions", "LaunchTemplateVersions", LaunchTemplateId=template_id)


@_common("create the launch template")
def create_launch_template(client, **params):
    """CreateLaunchTemplate; the caller's ClientToken makes a repeat after a lost answer return the same template."""
    return client.create_launch_template(**params)["LaunchTemplate"]


@_common("create the launch template version")
def create_launch_template_version(client, **params):
    """CreateLaunchTemplateVersion; the caller's ClientToken makes a repeat return the version the first one made."""
    return client.create_launch_template_version(**params)["LaunchTemplateVersion"]


@_common("set the launch template's default version")
def set_launch_template_default_version(client, template_id, version):
    return client.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(version))["LaunchTemplate"]


@_common("delete the launch template versions")
def delete_launch_template_versions(client, template_id, versions):
    """DeleteLaunchTemplateVersions, 200 at a time (EC2's limit): the versions that could not go, with why."""
    versions = [str(v) for v in versions]
    failed = []
    for start in range(0, len(versions), 200):
        answer = client.delete_launch_template_versions(
            LaunchTemplateId=template_id, Versions=versions[start : start + 200]
        )
        failed.extend(
            {"version": f.get("VersionNumber"), **(f.get("ResponseError") or {})}
            for f in answer.get("UnsuccessfullyDeletedLaunchTemplateVersions") or []
        )
    return failed


@_delete("delete the launch template", missing="launch_template")
def delete_launch_template(client, template_id):
    client.delete_launch_template(LaunchTemplateId=template_id)
    return True


@_common("tag the launch template")
def tag_launch_template(client, template_id, tags):
    client.create_tags(Resources=[template_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


@_common("untag the launch template")
def untag_launch_template(client, template_id, keys):
    client.delete_tags(Resources=[template_id], Tags=[{"Key": k} for k in keys])


# ---------------------------------------------------------------- EKS: Fargate profiles (deletion)
@_describe("describe the Fargate profile")
def describe_fargate_profile(client, cluster_name, name):
    return client.describe_fargate_profile(clusterName=cluster_name, fargateProfileName=name)["fargateProfile"]


@_common("create the Fargate profile")
def _create_fargate_profile(client, **params):
    return client.create_fargate_profile(**params)["fargateProfile"]


def create_fargate_profile(client, **params):
    """CreateFargateProfile with a client request token, retried while IAM propagates its pod execution role."""
    params.setdefault("clientRequestToken", request_token("fargate-profile", params))
    what = f"CreateFargateProfile {params.get('clusterName')}/{params.get('fargateProfileName')}"
    return _propagating(client, what, _create_fargate_profile, **params)


@_delete("delete the Fargate profile")
def delete_fargate_profile(client, cluster_name, name):
    client.delete_fargate_profile(clusterName=cluster_name, fargateProfileName=name)
    return True


# ---------------------------------------------------------------- EC2: the VPC and what is in it (teardown)
def _filters(filters):
    return [{"Name": k, "Values": list(v) if isinstance(v, (list, tuple)) else [v]} for k, v in filters.items()]


@_common("describe the VPCs")
def describe_vpcs(client, vpc_ids=None, filters=None):
    params = {}
    if vpc_ids:
        params["VpcIds"] = list(vpc_ids)
    if filters:
        params["Filters"] = _filters(filters)
    return _paginate(client, "describe_vpcs", "Vpcs", **params)


@_common("describe the NAT gateways")
def describe_nat_gateways(client, filters=None, nat_gateway_ids=None):
    params = {"Filter": _filters(filters)} if filters else {}
    if nat_gateway_ids:
        params["NatGatewayIds"] = list(nat_gateway_ids)
    return _paginate(client, "describe_nat_gateways", "NatGateways", **params)


@_common("describe the elastic IP addresses")
def describe_addresses(client, filters=None):
    params = {"Filters": _filters(filters)} if filters else {}
    return client.describe_addresses(**params).get("Addresses", [])


@_common("describe the internet gateways")
def describe_internet_gateways(client, filters=None):
    params = {"Filters": _filters(filters)} if filters else {}
    return _paginate(client, "describe_internet_gateways", "InternetGateways", **params)


@_common("describe the route tables")
def describe_route_tables(client, filters=None):
    params = {"Filters": _filters(filters)} if filters else {}
    return _paginate(client, "describe_route_tables", "RouteTables", **params)


@_common("describe the subnets")
def describe_subnets_filtered(client, filters):
    return _paginate(client, "describe_subnets", "Subnets", Filters=_filters(filters))


@_common("describe the security groups")
def describe_security_groups_filtered(client, filters):
    return _paginate(client, "describe_security_groups", "SecurityGroups", Filters=_filters(filters))


@_common("describe the network interfaces")
def describe_network_interfaces(client, filters):
    return _paginate(client, "describe_network_interfaces", "NetworkInterfaces", Filters=_filters(filters))


@_delete("delete the NAT gateway")
def delete_nat_gateway(client, nat_gateway_id):
    client.delete_nat_gateway(NatGatewayId=nat_gateway_id)
    return True


@_common("disassociate the elastic IP address")
def disassociate_address(client, association_id):
    client.disassociate_address(AssociationId=association_id)


@_common("release the elastic IP address")
def release_address(client, allocation_id):
    client.release_address(AllocationId=allocation_id)
    return True


@_common("detach the internet gateway")
def detach_internet_gateway(client, internet_gateway_id, vpc_id):
    client.detach_internet_gateway(InternetGatewayId=internet_gateway_id, VpcId=vpc_id)
    return True


@_common("delete the internet gateway")
def delete_internet_gateway(client, internet_gateway_id):
    client.delete_internet_gateway(InternetGatewayId=internet_gateway_id)
    return True


@_common("disassociate the route table")
def disassociate_route_table(client, association_id):
    client.disassociate_route_table(AssociationId=association_id)


@_common("delete the route table")
def delete_route_table(client, route_table_id):
    client.delete_route_table(RouteTableId=route_table_id)
    return True


@_common("delete the subnet")
def delete_subnet(client, subnet_id):
    client.delete_subnet(SubnetId=subnet_id)
    return True


@_common("revoke the security group rules")
def revoke_security_group_rules(client, group_id, ingress=(), egress=()):
    if ingress:
        client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=list(ingress))
    if egress:
        client.revoke_security_group_egress(GroupId=group_id, IpPermissions=list(egress))


@_common("delete the security group")
def delete_security_group(client, group_id):
    client.delete_security_group(GroupId=group_id)
    return True


@_common("delete the network interface")
def delete_network_interface(client, network_interface_id):
    client.delete_network_interface(NetworkInterfaceId=network_interface_id)
    return True


@_common("delete the VPC")
def delete_vpc(client, vpc_id):
    client.delete_vpc(VpcId=vpc_id)
    return True


# ---------------------------------------------------------------- Elastic Load Balancing (v2 and classic)
@_common("describe the load balancers")
def describe_load_balancers_v2(client):
    return _paginate(client, "describe_load_balancers", "LoadBalancers")


@_common("describe the load balancer tags")
def describe_tags_v2(client, arns):
    tags = {}
    arns = list(arns)
    for start in range(0, len(arns), 20):
        for d in client.describe_tags(ResourceArns=arns[start : start + 20]).get("TagDescriptions", []):
            tags[d["ResourceArn"]] = {t["Key"]: t.get("Value", "") for t in d.get("Tags", [])}
    return tags


@_delete("delete the load balancer")
def delete_load_balancer_v2(client, arn):
    client.delete_load_balancer(LoadBalancerArn=arn)
    return True


@_common("describe the classic load balancers")
def describe_load_balancers_classic(client):
    return _paginate(client, "describe_load_balancers", "LoadBalancerDescriptions")


@_common("describe the classic load balancer tags")
def describe_tags_classic(client, names):
    tags = {}
    names = list(names)
    for start in range(0, len(names), 20):
        for d in client.describe_tags(LoadBalancerNames=names[start : start + 20]).get("TagDescriptions", []):
            tags[d["LoadBalancerName"]] = {t["Key"]: t.get("Value", "") for t in d.get("Tags", [])}
    return tags


@_delete("delete the classic load balancer")
def delete_load_balancer_classic(client, name):
    client.delete_load_balancer(LoadBalancerName=name)
    return True


# ---------------------------------------------------------------- IAM: instance profiles of a role (teardown)
@_describe("list the IAM role's instance profiles", default_value=[])
def list_instance_profiles_for_role(client, name):
    return _paginate(client, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name)


@_delete("remove the IAM role from its instance profile")
def remove_role_from_instance_profile(client, profile_name, role_name):
    client.remove_role_from_instance_profile(InstanceProfileName=profile_name, RoleName=role_name)
    return True


# ---------------------------------------------------------------- EC2: the VPC stage (eks_vpc)
def _tag_specifications(resource_type, tags):
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@_common("describe the VPC attribute")
def describe_vpc_attribute(client, vpc_id, attribute):
    answer = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    key = attribute[0].upper() + attribute[1:]
    return bool((answer.get(key) or {}).get("Value"))


@_common("create the VPC")
def create_vpc(client, cidr, tags):
    return client.create_vpc(CidrBlock=cidr, TagSpecifications=_tag_specifications("vpc", tags))["Vpc"]


@_common("modify the VPC attribute")
def modify_vpc_attribute(client, vpc_id, attribute, value):
    key = attribute[0].upper() + attribute[1:]
    client.modify_vpc_attribute(VpcId=vpc_id, **{key: {"Value": bool(value)}})


@_common("create the subnet")
def create_subnet(client, vpc_id, cidr, zone, tags):
    return client.create_subnet(
        VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=_tag_specifications("subnet", tags)
    )["Subnet"]


@_common("modify the subnet attribute")
def modify_subnet_map_public(client, subnet_id, value):
    client.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": bool(value)})


@_common("tag the EC2 resource")
def create_tags(client, resource_id, tags):
    client.create_tags(Resources=[resource_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


@_common("untag the EC2 resource")
def delete_tags(client, resource_id, keys):
    client.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in keys])


@_common("create the internet gateway")
def create_internet_gateway(client, tags):
    return client.create_internet_gateway(TagSpecifications=_tag_specifications("internet-gateway", tags))[
        "InternetGateway"
    ]


@_common("attach the internet gateway")
def attach_internet_gateway(client, internet_gateway_id, vpc_id):
    client.attach_internet_gateway(InternetGatewayId=internet_gateway_id, VpcId=vpc_id)


@_common("allocate the elastic IP address")
def allocate_address(client, tags):
    return client.allocate_address(Domain="vpc", TagSpecifications=_tag_specifications("elastic-ip", tags))


@_common("create the NAT gateway")
def create_nat_gateway(client, subnet_id, allocation_id, tags, token):
    return client.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=allocation_id,
        ConnectivityType="public",
        ClientToken=token,
        TagSpecifications=_tag_specifications("natgateway", tags),
    )["NatGateway"]


@_common("create the route table")
def create_route_table(client, vpc_id, tags):
    return client.create_route_table(VpcId=vpc_id, TagSpecifications=_tag_specifications("route-table", tags))[
        "RouteTable"
    ]


@_common("create the route")
def create_route(client, route_table_id, destination, target):
    client.create_route(RouteTableId=route_table_id, DestinationCidrBlock=destination, **target)


@_common("replace the route")
def replace_route(client, route_table_id, destination, target):
    client.replace_route(RouteTableId=route_table_id, DestinationCidrBlock=destination, **target)


@_common("delete the route")
def delete_route(client, route_table_id, destination):
    client.delete_route(RouteTableId=route_table_id, DestinationCidrBlock=destination)


@_common("associate the route table")
def associate_route_table(client, route_table_id, subnet_id):
    return client.associate_route_table(RouteTableId=route_table_id, SubnetId=subnet_id)["AssociationId"]


@_common("replace the route table association")
def replace_route_table_association(client, association_id, route_table_id):
    return client.replace_route_table_association(AssociationId=association_id, RouteTableId=route_table_id)[
        "NewAssociationId"
    ]


@_common("set the subnet's hostname type")
def modify_subnet_hostname_type(client, subnet_id, hostname_type):
    client.modify_subnet_attribute(SubnetId=subnet_id, PrivateDnsHostnameTypeOnLaunch=hostname_type)


# ---------------------------------------------------------------- Auto Scaling: self-managed nodegroups
@_common("describe the Auto Scaling groups")
def describe_auto_scaling_groups(client, names=None, filters=None):
    params = {}
    if names:
        params["AutoScalingGroupNames"] = list(names)
    if filters:
        params["Filters"] = [{"Name": k, "Values": list(v)} for k, v in filters.items()]
    return _paginate(client, "describe_auto_scaling_groups", "AutoScalingGroups", **params)


@_common("create the Auto Scaling group")
def create_auto_scaling_group(client, **params):
    client.create_auto_scaling_group(**params)


@_common("update the Auto Scaling group")
def update_auto_scaling_group(client, **params):
    client.update_auto_scaling_group(**params)


@_common("delete the Auto Scaling group")
def delete_auto_scaling_group(client, name, force=False):
    client.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=bool(force))


@_common("tag the Auto Scaling group")
def create_or_update_auto_scaling_tags(client, name, tags, propagate=True):
    client.create_or_update_tags(
        Tags=[
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": bool(propagate),
            }
            for k, v in tags.items()
        ]
    )


@_common("untag the Auto Scaling group")
def delete_auto_scaling_tags(client, name, keys):
    client.delete_tags(Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k} for k in keys])


@_common("enable the Auto Scaling group metrics")
def enable_metrics_collection(client, name, metrics):
    client.enable_metrics_collection(AutoScalingGroupName=name, Metrics=list(metrics), Granularity="1Minute")


@_common("disable the Auto Scaling group metrics")
def disable_metrics_collection(client, name, metrics):
    client.disable_metrics_collection(AutoScalingGroupName=name, Metrics=list(metrics))


@_common("attach the target groups")
def attach_load_balancer_target_groups(client, name, arns):
    client.attach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=list(arns))


@_common("detach the target groups")
def detach_load_balancer_target_groups(client, name, arns):
    client.detach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=list(arns))


@_common("attach the classic load balancers")
def attach_load_balancers(client, name, names):
    client.attach_load_balancers(AutoScalingGroupName=name, LoadBalancerNames=list(names))


@_common("detach the classic load balancers")
def detach_load_balancers(client, name, names):
    client.detach_load_balancers(AutoScalingGroupName=name, LoadBalancerNames=list(names))


@_common("start the instance refresh")
def start_instance_refresh(client, name, preferences):
    return client.start_instance_refresh(AutoScalingGroupName=name, Strategy="Rolling", Preferences=preferences)[
        "InstanceRefreshId"
    ]


@_common("describe the instance refreshes")
def describe_instance_refreshes(client, name):
    return client.describe_instance_refreshes(AutoScalingGroupName=name).get("InstanceRefreshes", [])


# ---------------------------------------------------------------- SSM: the EKS AMI parameters
@_common("get the SSM parameters")
def get_parameters(client, names):
    """(values by name, names SSM does not have)."""
    answer = client.get_parameters(Names=list(names))
    return {p["Name"]: p["Value"] for p in answer.get("Parameters", [])}, list(answer.get("InvalidParameters", []))
