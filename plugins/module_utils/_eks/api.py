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
from collections.abc import Iterable

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


class _Named(dict):
    """Request parameters for str.format_map: a parameter not given reads None."""

    def __missing__(self, key):
        return None


def _created(kind, description, answer, what):
    """The wrapper of EKS's create of a ``kind`` of resource (create_<kind>, returning the answer's ``answer``): a
    client request token made from ``kind`` and the request, retried while IAM propagates the role the request
    names; ``what`` (a format of the request's parameters) names the request in the notes of the retry's waits."""
    create = _common(description)(_one_call("create_" + kind.replace("-", "_"), answer, ["**"]))

    def wrapper(client, **params):
        params.setdefault("clientRequestToken", request_token(kind, params))
        return _propagating(client, what.format_map(_Named(params)), create, **params)

    wrapper.__name__ = wrapper.__qualname__ = create.__name__
    return wrapper


def _ec2_tagging(what):
    """The wrappers that tag one EC2 resource (CreateTags) and untag it (DeleteTags), ``what`` in their errors."""

    @_common(f"tag the {what}")
    def tag(client, resource_id, tags):
        client.create_tags(Resources=[resource_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])

    @_common(f"untag the {what}")
    def untag(client, resource_id, keys):
        client.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in keys])

    return tag, untag


def _given(**params):
    """The optional parameters of a request that are given (not None nor empty)."""
    return {key: value for key, value in params.items() if value}


def _paginate(client, operation, key, **params):
    """Every page's ``key`` items; the wrapper's retry calls the whole listing again on throttling or a 5xx fault."""
    paginator = client.get_paginator(operation)
    items = []
    for page in paginator.paginate(**params):
        items.extend(page.get(key, []))
    return items


# ---------------------------------------------------------------- the wrappers that make one call, as a table
# Most wrappers call one operation: the table below defines them, one row each, as
#   "<wrapper and operation name>": (<retry decorator>, <what it returns>, <request key of each argument>...)
# - the decorator is _common / _describe / _listing / _delete with the wrapper's description (and missing="..."):
#   each wrapper gets its own retry and error handling, as a def decorated with it would;
# - what it returns: a key of the answer, "*" (the whole answer), True (a delete done), None (nothing), or
#   _Pages("<key>") (that key's items of every page);
# - its arguments after the client, "<argument>=<request key>" each in order: the wrapper takes them by position or
#   by name and sends them under their keys (an iterable that is not a string or a dict, as a list); a last "**"
#   sends its other keyword arguments as they are.
# A wrapper that does more than that is a def below, in its section. _OPERATION names the operation of a wrapper
# whose name is not the operation's.
_OPERATION = {
    "describe_load_balancers_v2": "describe_load_balancers",
    "delete_load_balancer_v2": "delete_load_balancer",
    "describe_load_balancers_classic": "describe_load_balancers",
    "delete_load_balancer_classic": "delete_load_balancer",
    "modify_subnet_hostname_type": "modify_subnet_attribute",
    "list_cluster_identity_provider_configs": "list_identity_provider_configs",
}


class _Pages(str):
    """What a listing returns: every page's items of this key (``_paginate``)."""


def _listing(description, missing=None):
    """The decorator of a listing that answers an empty list when its resource is not there."""
    return _describe(description, default_value=[], missing=missing)


def _sent(value):
    """A value as a request takes it: an iterable that is not a string or a dict (tuple, set, keys) as a list."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        return value
    return list(value)


def _one_call(name, answer, keys):
    operation = _OPERATION.get(name, name)
    passthrough = "**" in keys
    request_keys = dict(key.split("=", 1) for key in keys if key != "**")
    arguments = list(request_keys)

    def call(client, *args, **params):
        values = dict(zip(arguments, args))
        for argument in arguments[len(args) :]:
            if argument in params:
                values[argument] = params.pop(argument)
        if len(args) > len(arguments) or len(values) < len(arguments) or (params and not passthrough):
            raise TypeError(f"{name}() takes the client, then {', '.join(arguments) or 'keyword arguments only'}")
        request = {request_keys[argument]: _sent(value) for argument, value in values.items()}
        request.update(params)
        if isinstance(answer, _Pages):
            return _paginate(client, operation, str(answer), **request)
        reply = getattr(client, operation)(**request)
        if answer is None or answer is True:
            return answer
        return reply if answer == "*" else reply[answer]

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{operation}: {', '.join(keys)}"
    return call


def _wrappers(table):
    """The wrapper of each row, with its own decorator."""
    return {name: decorator(_one_call(name, answer, keys)) for name, (decorator, answer, *keys) in table.items()}


# fmt: off
_ONE_CALL = {
    # EKS: clusters
    "describe_cluster": (_describe("describe the cluster"), "cluster", "name=name"),
    "list_clusters": (_common("list the clusters"), _Pages("clusters")),
    "update_cluster_config": (_common("update the cluster configuration"), "update", "**"),
    "update_cluster_version": (_common("update the cluster version"), "update", "name=name", "version=version"),
    "associate_encryption_config": (
        _common("associate the encryption configuration"), "update", "name=clusterName", "encryption_config=encryptionConfig"
    ),
    "delete_cluster": (_delete("delete the cluster"), True, "name=name"),
    "describe_cluster_versions": (_common("describe the cluster versions"), _Pages("clusterVersions"), "**"),
    # EKS: nodegroups
    "describe_nodegroup": (_describe("describe the nodegroup"), "nodegroup", "cluster_name=clusterName", "name=nodegroupName"),
    "list_nodegroups": (_listing("list the nodegroups"), _Pages("nodegroups"), "cluster_name=clusterName"),
    "update_nodegroup_config": (_common("update the nodegroup configuration"), "update", "**"),
    "update_nodegroup_version": (_common("update the nodegroup version"), "update", "**"),
    "delete_nodegroup": (_delete("delete the nodegroup"), True, "cluster_name=clusterName", "name=nodegroupName"),
    # EKS: Fargate profiles
    "list_fargate_profiles": (_listing("list the Fargate profiles"), _Pages("fargateProfileNames"), "cluster_name=clusterName"),
    # EKS: add-ons
    "describe_addon": (_describe("describe the add-on"), "addon", "cluster_name=clusterName", "name=addonName"),
    "list_addons": (_listing("list the add-ons"), _Pages("addons"), "cluster_name=clusterName"),
    "update_addon": (_common("update the add-on"), "update", "**"),
    "describe_addon_versions": (_common("describe the add-on versions"), _Pages("addons"), "**"),
    "describe_addon_configuration": (_common("describe the add-on configuration schema"), "*", "name=addonName", "version=addonVersion"),
    # EKS: tags
    "tag_resource": (_common("tag the resource"), None, "arn=resourceArn", "tags=tags"),
    "untag_resource": (_common("untag the resource"), None, "arn=resourceArn", "keys=tagKeys"),
    # EKS: access entries
    "describe_access_entry": (_describe("describe the access entry"), "accessEntry", "cluster_name=clusterName", "principal_arn=principalArn"),
    "list_access_entries": (_listing("list the access entries"), _Pages("accessEntries"), "cluster_name=clusterName"),
    "create_access_entry": (_common("create the access entry"), "accessEntry", "**"),
    "update_access_entry": (_common("update the access entry"), "accessEntry", "**"),
    "delete_access_entry": (_delete("delete the access entry"), True, "cluster_name=clusterName", "principal_arn=principalArn"),
    "associate_access_policy": (_common("associate the access policy"), "*", "**"),
    "disassociate_access_policy": (
        _delete("disassociate the access policy"), True, "cluster_name=clusterName", "principal_arn=principalArn", "policy_arn=policyArn"
    ),
    "list_associated_access_policies": (
        _listing("list the associated access policies"), _Pages("associatedAccessPolicies"), "cluster_name=clusterName", "principal_arn=principalArn"
    ),
    # EKS: pod identity associations
    "describe_pod_identity_association": (
        _describe("describe the pod identity association"), "association", "cluster_name=clusterName", "association_id=associationId"
    ),
    "update_pod_identity_association": (_common("update the pod identity association"), "association", "**"),
    "delete_pod_identity_association": (
        _delete("delete the pod identity association"), True, "cluster_name=clusterName", "association_id=associationId"
    ),
    # EKS: identity provider configs
    "list_identity_provider_configs": (_listing("list the identity provider configs"), _Pages("identityProviderConfigs"), "cluster_name=clusterName"),
    # The same, failing (ResourceNotFoundException) when the cluster is not there instead of answering no config.
    "list_cluster_identity_provider_configs": (
        _common("list the cluster's identity provider configs"), _Pages("identityProviderConfigs"), "cluster_name=clusterName"
    ),
    # STS
    "get_caller_identity": (_common("identify the caller"), "*"),
    # EC2
    "describe_instance_types": (_common("describe the instance types"), _Pages("InstanceTypes"), "instance_types=InstanceTypes"),
    "authorize_security_group_ingress": (_common("authorize the security group ingress rules"), "*", "group_id=GroupId", "permissions=IpPermissions"),
    # IAM: roles
    "get_role": (_describe("get the IAM role"), "Role", "name=RoleName"),
    "create_role": (_common("create the IAM role"), "Role", "**"),
    "update_assume_role_policy": (_common("update the IAM role trust policy"), None, "name=RoleName", "document=PolicyDocument"),
    "update_role": (_common("update the IAM role"), None, "name=RoleName", "**"),
    "put_role_permissions_boundary": (_common("set the IAM role permissions boundary"), None, "name=RoleName", "arn=PermissionsBoundary"),
    "delete_role_permissions_boundary": (_delete("remove the IAM role permissions boundary"), True, "name=RoleName"),
    "list_attached_role_policies": (_listing("list the IAM role's managed policies"), _Pages("AttachedPolicies"), "name=RoleName"),
    "attach_role_policy": (_common("attach the managed policy to the IAM role"), None, "name=RoleName", "arn=PolicyArn"),
    "detach_role_policy": (_delete("detach the managed policy from the IAM role"), True, "name=RoleName", "arn=PolicyArn"),
    "list_role_policies": (_listing("list the IAM role's inline policies"), _Pages("PolicyNames"), "name=RoleName"),
    "get_role_policy": (_describe("get the IAM role's inline policy"), "PolicyDocument", "name=RoleName", "policy_name=PolicyName"),
    "put_role_policy": (_common("put the IAM role's inline policy"), None, "name=RoleName", "policy_name=PolicyName", "document=PolicyDocument"),
    "delete_role_policy": (_delete("delete the IAM role's inline policy"), True, "name=RoleName", "policy_name=PolicyName"),
    "list_role_tags": (_listing("list the IAM role's tags"), _Pages("Tags"), "name=RoleName"),
    "untag_role": (_common("untag the IAM role"), None, "name=RoleName", "keys=TagKeys"),
    "delete_role": (_delete("delete the IAM role"), True, "name=RoleName"),
    # IAM: OpenID Connect providers
    "create_open_id_connect_provider": (_common("create the OpenID Connect provider"), "OpenIDConnectProviderArn", "**"),
    "delete_open_id_connect_provider": (_delete("delete the OpenID Connect provider"), True, "arn=OpenIDConnectProviderArn"),
    "update_open_id_connect_provider_thumbprint": (
        _common("update the OpenID Connect provider thumbprints"), None, "arn=OpenIDConnectProviderArn", "thumbprints=ThumbprintList"
    ),
    "add_client_id_to_open_id_connect_provider": (
        _common("add a client ID to the OpenID Connect provider"), None, "arn=OpenIDConnectProviderArn", "client_id=ClientID"
    ),
    "remove_client_id_from_open_id_connect_provider": (
        _common("remove a client ID from the OpenID Connect provider"), None, "arn=OpenIDConnectProviderArn", "client_id=ClientID"
    ),
    "list_open_id_connect_provider_tags": (_listing("list the OpenID Connect provider's tags"), _Pages("Tags"), "arn=OpenIDConnectProviderArn"),
    "untag_open_id_connect_provider": (_common("untag the OpenID Connect provider"), None, "arn=OpenIDConnectProviderArn", "keys=TagKeys"),
    # EC2: launch templates (eks_launch_template)
    "delete_launch_template": (_delete("delete the launch template", missing="launch_template"), True, "template_id=LaunchTemplateId"),
    # EC2: key pairs (teardown)
    "delete_key_pair": (_delete("delete the key pair"), True, "name=KeyName"),
    # EKS: Fargate profiles (deletion)
    "describe_fargate_profile": (_describe("describe the Fargate profile"), "fargateProfile", "cluster_name=clusterName", "name=fargateProfileName"),
    "delete_fargate_profile": (_delete("delete the Fargate profile"), True, "cluster_name=clusterName", "name=fargateProfileName"),
    # EC2: the VPC and what is in it (teardown)
    "delete_nat_gateway": (_delete("delete the NAT gateway"), True, "nat_gateway_id=NatGatewayId"),
    "disassociate_address": (_common("disassociate the elastic IP address"), None, "association_id=AssociationId"),
    "release_address": (_common("release the elastic IP address"), True, "allocation_id=AllocationId"),
    "detach_internet_gateway": (_common("detach the internet gateway"), True, "internet_gateway_id=InternetGatewayId", "vpc_id=VpcId"),
    "delete_internet_gateway": (_common("delete the internet gateway"), True, "internet_gateway_id=InternetGatewayId"),
    "disassociate_route_table": (_common("disassociate the route table"), None, "association_id=AssociationId"),
    "delete_route_table": (_common("delete the route table"), True, "route_table_id=RouteTableId"),
    "delete_subnet": (_common("delete the subnet"), True, "subnet_id=SubnetId"),
    "delete_security_group": (_common("delete the security group"), True, "group_id=GroupId"),
    "delete_network_interface": (_common("delete the network interface"), True, "network_interface_id=NetworkInterfaceId"),
    "delete_vpc": (_common("delete the VPC"), True, "vpc_id=VpcId"),
    # Elastic Load Balancing (v2 and classic)
    "describe_load_balancers_v2": (_common("describe the load balancers"), _Pages("LoadBalancers")),
    "delete_load_balancer_v2": (_delete("delete the load balancer"), True, "arn=LoadBalancerArn"),
    "describe_load_balancers_classic": (_common("describe the classic load balancers"), _Pages("LoadBalancerDescriptions")),
    "delete_load_balancer_classic": (_delete("delete the classic load balancer"), True, "name=LoadBalancerName"),
    # CloudWatch Logs: the control plane log group (teardown)
    "describe_log_groups": (_common("describe the log groups"), _Pages("logGroups"), "prefix=logGroupNamePrefix"),
    "list_tags_log_group": (_describe("list the log group's tags"), "tags", "name=logGroupName"),
    "delete_log_group": (_delete("delete the log group"), True, "name=logGroupName"),
    # IAM: instance profiles of a role (teardown)
    "list_instance_profiles_for_role": (_listing("list the IAM role's instance profiles"), _Pages("InstanceProfiles"), "name=RoleName"),
    "remove_role_from_instance_profile": (
        _delete("remove the IAM role from its instance profile"), True, "profile_name=InstanceProfileName", "role_name=RoleName"
    ),
    # EC2: the VPC stage (eks_vpc)
    "attach_internet_gateway": (_common("attach the internet gateway"), None, "internet_gateway_id=InternetGatewayId", "vpc_id=VpcId"),
    "delete_route": (_common("delete the route"), None, "route_table_id=RouteTableId", "destination=DestinationCidrBlock"),
    "associate_route_table": (_common("associate the route table"), "AssociationId", "route_table_id=RouteTableId", "subnet_id=SubnetId"),
    "replace_route_table_association": (
        _common("replace the route table association"), "NewAssociationId", "association_id=AssociationId", "route_table_id=RouteTableId"
    ),
    "modify_subnet_hostname_type": (
        _common("set the subnet's hostname type"), None, "subnet_id=SubnetId", "hostname_type=PrivateDnsHostnameTypeOnLaunch"
    ),
    # Auto Scaling: self-managed nodegroups
    "create_auto_scaling_group": (_common("create the Auto Scaling group"), None, "**"),
    "update_auto_scaling_group": (_common("update the Auto Scaling group"), None, "**"),
    "disable_metrics_collection": (_common("disable the Auto Scaling group metrics"), None, "name=AutoScalingGroupName", "metrics=Metrics"),
    "attach_load_balancer_target_groups": (_common("attach the target groups"), None, "name=AutoScalingGroupName", "arns=TargetGroupARNs"),
    "detach_load_balancer_target_groups": (_common("detach the target groups"), None, "name=AutoScalingGroupName", "arns=TargetGroupARNs"),
    "attach_load_balancers": (_common("attach the classic load balancers"), None, "name=AutoScalingGroupName", "names=LoadBalancerNames"),
    "detach_load_balancers": (_common("detach the classic load balancers"), None, "name=AutoScalingGroupName", "names=LoadBalancerNames"),
}
# fmt: on

globals().update(_wrappers(_ONE_CALL))


# ---------------------------------------------------------------- EKS: clusters
create_cluster = _created("cluster", "create the cluster", "cluster", "CreateCluster {name}")


# ---------------------------------------------------------------- EKS: updates
@_describe("describe the update")
def describe_update(client, name, update_id, nodegroup_name=None, addon_name=None):
    params = dict(name=name, updateId=update_id, **_given(nodegroupName=nodegroup_name, addonName=addon_name))
    return client.describe_update(**params)["update"]


@_common("list the updates")
def list_updates(client, name, nodegroup_name=None, addon_name=None):
    params = _given(nodegroupName=nodegroup_name, addonName=addon_name)
    return _paginate(client, "list_updates", "updateIds", name=name, **params)


# ---------------------------------------------------------------- EKS: nodegroups
create_nodegroup = _created(
    "nodegroup", "create the nodegroup", "nodegroup", "CreateNodegroup {clusterName}/{nodegroupName}"
)


# ---------------------------------------------------------------- EKS: add-ons
create_addon = _created("addon", "create the add-on", "addon", "CreateAddon {clusterName}/{addonName}")


@_delete("delete the add-on")
def delete_addon(client, cluster_name, name, preserve=False):
    client.delete_addon(clusterName=cluster_name, addonName=name, preserve=preserve)
    return True


# ---------------------------------------------------------------- EKS: pod identity associations
@_describe("list the pod identity associations", default_value=[])
def list_pod_identity_associations(client, cluster_name, namespace=None, service_account=None):
    params = _given(namespace=namespace, serviceAccount=service_account)
    return _paginate(client, "list_pod_identity_associations", "associations", clusterName=cluster_name, **params)


create_pod_identity_association = _created(
    "pod-identity-association",
    "create the pod identity association",
    "association",
    "CreatePodIdentityAssociation {clusterName} {serviceAccount}",
)


# ---------------------------------------------------------------- EKS: identity provider configs
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


# ---------------------------------------------------------------- EC2
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


def describe_key_pairs(client, names):
    """The key pairs of these names (a filter: names not there are left out, not an error)."""
    return describe_key_pairs_filtered(client, {"key-name": list(names)})


@_common("get the instance types from the instance requirements")
def instance_types_from_requirements(client, request):
    """The names of the instance types GetInstanceTypesFromInstanceRequirements answers for ``request``, every page."""
    items = _paginate(client, "get_instance_types_from_instance_requirements", "InstanceTypes", **request)
    return [item["InstanceType"] for item in items]


# ---------------------------------------------------------------- IAM: roles
@_common("list the IAM roles")
def list_roles(client, path_prefix=None):
    params = dict(PathPrefix=path_prefix) if path_prefix else {}
    return _paginate(client, "list_roles", "Roles", **params)


@_common("tag the IAM role")
def tag_role(client, name, tags):
    client.tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


# ---------------------------------------------------------------- IAM: OpenID Connect providers
@_common("list the OpenID Connect providers")
def list_open_id_connect_providers(client):
    return client.list_open_id_connect_providers().get("OpenIDConnectProviderList", [])


@_describe("get the OpenID Connect provider")
def get_open_id_connect_provider(client, arn):
    provider = client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    provider.pop("ResponseMetadata", None)
    return provider


@_common("tag the OpenID Connect provider")
def tag_open_id_connect_provider(client, arn, tags):
    client.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


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


tag_launch_template, untag_launch_template = _ec2_tagging("launch template")


# ---------------------------------------------------------------- EKS: Fargate profiles (deletion)
create_fargate_profile = _created(
    "fargate-profile",
    "create the Fargate profile",
    "fargateProfile",
    "CreateFargateProfile {clusterName}/{fargateProfileName}",
)


# ---------------------------------------------------------------- EC2: the VPC and what is in it (teardown)
def _filters(filters):
    return [{"Name": k, "Values": list(v) if isinstance(v, (list, tuple)) else [v]} for k, v in filters.items()]


@_common("describe the VPCs")
def describe_vpcs(client, vpc_ids=None, filters=None):
    params = _given(VpcIds=vpc_ids and list(vpc_ids), Filters=filters and _filters(filters))
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


@_common("describe the launch templates")
def describe_launch_templates_filtered(client, filters):
    return _paginate(client, "describe_launch_templates", "LaunchTemplates", Filters=_filters(filters))


@_common("describe the key pairs")
def describe_key_pairs_filtered(client, filters):
    return client.describe_key_pairs(Filters=_filters(filters)).get("KeyPairs", [])


@_common("describe the network interfaces")
def describe_network_interfaces(client, filters):
    return _paginate(client, "describe_network_interfaces", "NetworkInterfaces", Filters=_filters(filters))


@_common("revoke the security group rules")
def revoke_security_group_rules(client, group_id, ingress=(), egress=()):
    if ingress:
        client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=list(ingress))
    if egress:
        client.revoke_security_group_egress(GroupId=group_id, IpPermissions=list(egress))


# ---------------------------------------------------------------- Elastic Load Balancing (v2 and classic)
def _tags_by_batch(describe_tags, request_key, id_key, ids):
    """{id: tags} of load balancers: DescribeTags (``describe_tags``, the caller's client method) for 20 of them
    at a time (ELB's limit), each named under ``request_key``; the answer names each under ``id_key``."""
    tags = {}
    ids = list(ids)
    for start in range(0, len(ids), 20):
        for d in describe_tags(**{request_key: ids[start : start + 20]}).get("TagDescriptions", []):
            tags[d[id_key]] = {t["Key"]: t.get("Value", "") for t in d.get("Tags", [])}
    return tags


@_common("describe the load balancer tags")
def describe_tags_v2(client, arns):
    return _tags_by_batch(client.describe_tags, "ResourceArns", "ResourceArn", arns)


@_common("describe the classic load balancer tags")
def describe_tags_classic(client, names):
    return _tags_by_batch(client.describe_tags, "LoadBalancerNames", "LoadBalancerName", names)


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


create_tags, delete_tags = _ec2_tagging("EC2 resource")


@_common("create the internet gateway")
def create_internet_gateway(client, tags):
    return client.create_internet_gateway(TagSpecifications=_tag_specifications("internet-gateway", tags))[
        "InternetGateway"
    ]


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


# ---------------------------------------------------------------- Auto Scaling: self-managed nodegroups
@_common("describe the Auto Scaling groups")
def describe_auto_scaling_groups(client, names=None, filters=None):
    params = _given(
        AutoScalingGroupNames=names and list(names),
        Filters=filters and [{"Name": k, "Values": list(v)} for k, v in filters.items()],
    )
    return _paginate(client, "describe_auto_scaling_groups", "AutoScalingGroups", **params)


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


# ---------------------------------------------------------------- EC2: VPC endpoints (fully private clusters)
@_common("describe the VPC endpoint services")
def describe_vpc_endpoint_services(client, service_names):
    """{service name: {"types": [Interface | Gateway ...], "zones": [...]}} of the services EC2 offers of these
    names (a service offered as both an interface and a gateway endpoint is listed twice by EC2, merged here)."""
    found = {}
    params = {"ServiceNames": list(service_names)}
    while True:
        answer = client.describe_vpc_endpoint_services(**params)
        for detail in answer.get("ServiceDetails", []):
            entry = found.setdefault(detail["ServiceName"], {"types": [], "zones": []})
            entry["types"] += [
                t["ServiceType"] for t in detail.get("ServiceType") or [] if t["ServiceType"] not in entry["types"]
            ]
            entry["zones"] += [z for z in detail.get("AvailabilityZones") or [] if z not in entry["zones"]]
        if not answer.get("NextToken"):
            return found
        params["NextToken"] = answer["NextToken"]


@_common("describe the VPC endpoints")
def describe_vpc_endpoints(client, filters):
    return _paginate(client, "describe_vpc_endpoints", "VpcEndpoints", Filters=_filters(filters))


@_common("create the VPC endpoint")
def create_vpc_endpoint(client, vpc_id, service_name, endpoint_type, tags, subnet_ids=None, security_group_ids=None,
                        private_dns=None, route_table_ids=None):  # fmt: skip
    params = {
        "VpcId": vpc_id,
        "ServiceName": service_name,
        "VpcEndpointType": endpoint_type,
        "TagSpecifications": _tag_specifications("vpc-endpoint", tags),
        "ClientToken": request_token("vpc-endpoint", {"vpc": vpc_id, "service": service_name}),
    }
    if subnet_ids is not None:
        params["SubnetIds"] = list(subnet_ids)
    if security_group_ids is not None:
        params["SecurityGroupIds"] = list(security_group_ids)
    if private_dns is not None:
        params["PrivateDnsEnabled"] = bool(private_dns)
    if route_table_ids is not None:
        params["RouteTableIds"] = list(route_table_ids)
    return client.create_vpc_endpoint(**params)["VpcEndpoint"]


_MODIFY_VPC_ENDPOINT = {
    "add_subnet_ids": "AddSubnetIds",
    "remove_subnet_ids": "RemoveSubnetIds",
    "add_route_table_ids": "AddRouteTableIds",
    "remove_route_table_ids": "RemoveRouteTableIds",
    "add_security_group_ids": "AddSecurityGroupIds",
    "remove_security_group_ids": "RemoveSecurityGroupIds",
    "private_dns": "PrivateDnsEnabled",
}


@_common("modify the VPC endpoint")
def modify_vpc_endpoint(client, endpoint_id, changes):
    """``changes``: add_subnet_ids, remove_subnet_ids, add/remove_route_table_ids, add/remove_security_group_ids,
    private_dns."""
    params = {_MODIFY_VPC_ENDPOINT[k]: v for k, v in changes.items()}
    client.modify_vpc_endpoint(VpcEndpointId=endpoint_id, **params)


@_common("delete the VPC endpoints")
def delete_vpc_endpoints(client, endpoint_ids):
    """Delete the endpoints; an id EC2 does not know (already gone) is not an error, another refusal is."""
    answer = client.delete_vpc_endpoints(VpcEndpointIds=list(endpoint_ids))
    failed = [
        u
        for u in answer.get("Unsuccessful") or []
        if (u.get("Error") or {}).get("Code") != "InvalidVpcEndpoint.NotFound"
    ]
    if failed:
        from .errors import EksError

        error = failed[0].get("Error") or {}
        refused = EksError(
            message=f"DeleteVpcEndpoints {failed[0].get('ResourceId')}: {error.get('Code')}: {error.get('Message')}"
        )
        refused.code = error.get("Code")
        raise refused


@_common("create the security group")
def create_security_group(client, name, description, vpc_id, tags):
    """The id of the new group, tagged at creation."""
    return client.create_security_group(
        GroupName=name, Description=description, VpcId=vpc_id,
        TagSpecifications=_tag_specifications("security-group", tags),
    )["GroupId"]  # fmt: skip
