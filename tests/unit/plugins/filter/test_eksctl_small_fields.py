"""Smaller eksctl fields: add-on tags and attachPolicy, a service account's attachRoleARN and permissionsBoundary, the
control plane's subnets and security groups, a managed nodegroup's node repair: the importer's mapping and the
definition's checks, each problem named by its path."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

eksctl_config = FilterModule().filters()["eksctl_config"]

ROLE = "arn:aws:iam::123456789012:role/external-dns"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES}}
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
}


def config(**sections):
    return dict(copy.deepcopy(CONFIG), **sections)


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def refused(**sections):
    with pytest.raises(DefinitionError) as info:
        normalize(dict(copy.deepcopy(BASE), **sections), check_files=False)
    return str(info.value)


def test_each_field_converts_and_normalizes():
    converted = eksctl_config(
        config(
            iam={
                "withOIDC": True,
                "serviceAccounts": [
                    {"metadata": {"name": "dns", "namespace": "kube-system"}, "attachRoleARN": ROLE},
                    {"metadata": {"name": "app"}, "attachPolicyARNs": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                     "permissionsBoundary": BOUNDARY},
                ],
            },
            vpc={"controlPlaneSubnetIDs": ["subnet-0a1b2c3d", "subnet-0a1b2c3e"],
                 "controlPlaneSecurityGroupIDs": ["sg-0a1b2c3d"]},
            addons=[{"name": "aws-ebs-csi-driver", "attachPolicy": POLICY, "tags": {"team": "storage"}}],
            managedNodeGroups=[{"name": "ng", "nodeRepairConfig": {"enabled": True}}],
        )
    )  # fmt: skip
    accounts = converted["iam"]["service_accounts"]
    assert accounts[0]["role_arn"] == ROLE and accounts[1]["permissions_boundary"] == BOUNDARY
    assert converted["vpc"]["control_plane_subnet_ids"] == ["subnet-0a1b2c3d", "subnet-0a1b2c3e"]
    assert converted["vpc"]["control_plane_security_group_ids"] == ["sg-0a1b2c3d"]
    ebs = next(a for a in converted["addons"] if a["name"] == "aws-ebs-csi-driver")
    assert ebs["service_account_role"] == {"inline_policies": {"attachPolicy": POLICY}}
    assert ebs["tags"] == {"team": "storage"}
    assert converted["nodegroups"][0]["node_repair"] is True

    normalized = normalize(converted, check_files=False)
    assert normalized["iam"]["service_accounts"][0]["role_arn"] == ROLE
    assert normalized["iam"]["service_accounts"][1]["permissions_boundary"] == BOUNDARY
    assert normalized["vpc"]["control_plane_security_group_ids"] == ["sg-0a1b2c3d"]
    ebs = next(a for a in normalized["addons"] if a["name"] == "aws-ebs-csi-driver")
    # attachPolicy replaces the default well-known policy of the add-on's IRSA role, as eksctl does.
    role = ebs["service_account_role"]
    assert role["inline_policies"] == {"attachPolicy": POLICY} and role["well_known_policies"] == []
    assert role["needed"] is True and ebs["tags"] == {"team": "storage"}
    assert normalized["nodegroups"][0]["node_repair"] is True
    # Not given: left as they are.
    plain = normalize(eksctl_config(config(managedNodeGroups=[{"name": "ng"}])), check_files=False)
    assert plain["nodegroups"][0]["node_repair"] is None and plain["vpc"]["control_plane_subnet_ids"] == []


def test_problems_are_named_by_the_clusterconfig_path():
    account = {"metadata": {"name": "dns"}, "attachRoleARN": ROLE, "attachPolicyARNs": ["arn:aws:iam::aws:policy/X"]}
    assert problems(config(iam={"withOIDC": True, "serviceAccounts": [account]})) == [
        "  iam.serviceAccounts[0].attachPolicyARNs: describes the role the collection makes; "
        "iam.serviceAccounts[0].attachRoleARN names a role of your own: remove one"
    ]
    assert problems(config(vpc={"controlPlaneSubnetIDs": ["subnet-0a1b2c3d"]})) == [
        "  vpc.controlPlaneSubnetIDs: EKS needs at least 2 subnets, in different availability zones"
    ]
    repair = {"enabled": True, "maxParallelNodesRepairedCount": 2}
    assert problems(config(managedNodeGroups=[{"name": "ng", "nodeRepairConfig": repair}])) == [
        "  managedNodeGroups[0].nodeRepairConfig.maxParallelNodesRepairedCount: not supported by aews.eks yet"
    ]
    assert problems(config(addons=[{"name": "vpc-cni", "tags": {"aws:x": "1"}}])) == [
        "  addons[0].tags.aws:x: tag keys starting with aws: are reserved for AWS; choose another key"
    ]


@pytest.mark.parametrize(
    "sections, message",
    [
        (dict(vpc=dict(BASE["vpc"], control_plane_security_group_ids=["sg-1"])),
         "vpc.control_plane_security_group_ids[0]: 'sg-1' is not a security group id"),
        (dict(vpc=dict(BASE["vpc"], control_plane_subnet_ids=["subnet-0a1b2c3d", "subnet-0a1b2c3d"])),
         "vpc.control_plane_subnet_ids[1]: subnet-0a1b2c3d is listed twice"),
        (dict(iam={"with_oidc": True, "service_accounts": [{"namespace": "a", "name": "b", "role_arn": "r"}]}),
         "iam.service_accounts[0].role_arn: 'r' is not an IAM role ARN"),
        (dict(iam={"with_oidc": True, "service_accounts": [{"namespace": "a", "name": "b", "role_arn": ROLE,
                                                            "permissions_boundary": BOUNDARY}]}),
         "iam.service_accounts[0].permissions_boundary: describes the role the collection makes"),
        (dict(nodegroups=[{"name": "ng", "node_repair": "sometimes"}]), "nodegroups[0].node_repair: must be true"),
        (dict(addons=[{"name": "vpc-cni", "service_account_role": {"inline_policies": {"p": 3}}}]),
         "addons[0].service_account_role.inline_policies.p: must be a policy document"),
    ],
)  # fmt: skip
def test_definition_checks(sections, message):
    assert message in refused(**sections)


def test_a_managed_nodegroup_in_some_of_the_cluster_zones():
    cfg = config(availabilityZones=ZONES, managedNodeGroups=[{"name": "ng", "availabilityZones": ZONES[1:]}])
    converted = eksctl_config(cfg)
    assert converted["nodegroups"][0]["availability_zones"] == ["ap-northeast-2c"]
    assert normalize(converted, check_files=False)["nodegroups"][0]["availability_zones"] == ["ap-northeast-2c"]
    assert (
        normalize(dict(BASE, nodegroups=[{"name": "ng"}]), check_files=False)["nodegroups"][0]["availability_zones"]
        == []
    )
    outside = config(
        availabilityZones=ZONES, managedNodeGroups=[{"name": "ng", "availabilityZones": ["ap-northeast-2b"]}]
    )
    assert problems(outside) == [
        "  managedNodeGroups[0].availabilityZones[0]: ap-northeast-2b is not one of the cluster's zones "
        "(availabilityZones: ap-northeast-2a, ap-northeast-2c)"
    ]
    twice = refused(nodegroups=[{"name": "ng", "availability_zones": ["ap-northeast-2a", "ap-northeast-2a"]}])
    assert "nodegroups[0].availability_zones[1]: ap-northeast-2a is listed twice" in twice


def test_a_managed_nodegroups_extra_security_groups_reach_its_launch_template():
    from ansible_collections.aews.eks.plugins.filter.launch_template import FilterModule as TemplateFilters

    groups = {"attachIDs": ["sg-0a1b2c3d4e5f60718"]}
    converted = eksctl_config(config(managedNodeGroups=[{"name": "ng", "securityGroups": groups}]))
    assert converted["nodegroups"][0]["security_group_ids"] == ["sg-0a1b2c3d4e5f60718"]
    nodegroup = normalize(converted, check_files=False)["nodegroups"][0]
    assert nodegroup["security_group_ids"] == ["sg-0a1b2c3d4e5f60718"]
    # As the nodegroup role builds the launch template: the shared node group, then the extra ones.
    template = TemplateFilters().filters()["node_launch_template"](
        nodegroup, cluster="c1", tags={}, security_group_ids=["sg-00000000000000001"] + nodegroup["security_group_ids"]
    )
    assert template["data"]["SecurityGroupIds"] == ["sg-00000000000000001", "sg-0a1b2c3d4e5f60718"]
    assert problems(config(managedNodeGroups=[{"name": "ng", "securityGroups": {"attachIDs": ["web"]}}])) == [
        "  managedNodeGroups[0].securityGroups.attachIDs[0]: 'web' is not a security group id (sg-...)"
    ]
    # Self-managed nodegroups do not take them yet: refused, never dropped.
    self_managed = problems(config(nodeGroups=[{"name": "sm", "securityGroups": groups}]))
    assert "  nodeGroups[0].securityGroups.attachIDs: not supported by aews.eks yet" in self_managed
