"""Access entries, Fargate profiles and pod identity associations: the eksctl importer's mapping of each field, and
the definition's checks, each problem named by its path (the definition's, or the ClusterConfig's)."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule

eksctl_config = FilterModule().filters()["eksctl_config"]

ROLE = "arn:aws:iam::123456789012:role/dev"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES}}
AGENT = {"name": "eks-pod-identity-agent"}
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
}


def config(**sections):
    return dict(copy.deepcopy(CONFIG), **sections)


def definition(**sections):
    return dict(copy.deepcopy(BASE), **sections)


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def refused(**sections):
    with pytest.raises(DefinitionError) as info:
        normalize(definition(**sections))
    return str(info.value)


# ---------------------------------------------------------------- the importer's mapping
def test_access_config_converts():
    converted = eksctl_config(
        config(
            accessConfig={
                "authenticationMode": "API",
                "bootstrapClusterCreatorAdminPermissions": False,
                "accessEntries": [
                    {
                        "principalARN": ROLE,
                        "kubernetesGroups": ["readers"],
                        "kubernetesUsername": "dev",
                        "accessPolicies": [
                            {"policyARN": VIEW, "accessScope": {"type": "namespace", "namespaces": ["a", "b"]}}
                        ],
                    },
                    {"principalARN": "arn:aws:iam::123456789012:role/nodes", "type": "EC2_LINUX"},
                ],
            }
        )
    )
    assert converted["access"] == {
        "authentication_mode": "API",
        "bootstrap_cluster_creator_admin_permissions": False,
        "entries": [
            {
                "principal_arn": ROLE,
                "kubernetes_groups": ["readers"],
                "username": "dev",
                "access_policies": [
                    {"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["a", "b"]}}
                ],
            },
            {"principal_arn": "arn:aws:iam::123456789012:role/nodes", "type": "EC2_LINUX"},
        ],
    }
    normalized = normalize(converted, availability_zones=ZONES)["access"]
    assert normalized["entries"][1] == {
        "principal_arn": "arn:aws:iam::123456789012:role/nodes",
        "type": "EC2_LINUX",
        "kubernetes_groups": [],
        "username": None,
        "access_policies": [],
        "tags": {},
    }


def test_fargate_profiles_convert():
    converted = eksctl_config(
        config(
            iam={"fargatePodExecutionRolePermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"},
            fargateProfiles=[
                {
                    "name": "fp-default",
                    "selectors": [{"namespace": "default"}, {"namespace": "batch", "labels": {"fargate": "yes"}}],
                    "subnets": ["subnet-0123456789abcdef0"],
                    "tags": {"team": "data"},
                },
                {"name": "fp-own", "podExecutionRoleARN": ROLE, "selectors": [{"namespace": "own"}]},
            ],
        )
    )
    assert converted["fargate_profiles"] == [
        {
            "name": "fp-default",
            "selectors": [{"namespace": "default"}, {"namespace": "batch", "labels": {"fargate": "yes"}}],
            "subnets": ["subnet-0123456789abcdef0"],
            "tags": {"team": "data"},
        },
        {"name": "fp-own", "pod_execution_role_arn": ROLE, "selectors": [{"namespace": "own"}]},
    ]
    assert converted["iam"]["fargate_pod_execution_role_permissions_boundary"] == (
        "arn:aws:iam::123456789012:policy/boundary"
    )


def test_pod_identity_associations_convert():
    converted = eksctl_config(
        config(
            iam={
                "podIdentityAssociations": [
                    {
                        "namespace": "apps",
                        "serviceAccountName": "reader",
                        "roleName": "apps-reader",
                        "permissionPolicyARNs": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                        "permissionPolicy": {"Version": "2012-10-17", "Statement": []},
                        "wellKnownPolicies": {"externalDNS": True},
                        "permissionsBoundaryARN": "arn:aws:iam::123456789012:policy/boundary",
                        "tags": {"team": "apps"},
                    }
                ]
            },
            addons=[
                AGENT,
                {
                    "name": "aws-ebs-csi-driver",
                    "podIdentityAssociations": [
                        {"serviceAccountName": "ebs-csi-controller-sa", "wellKnownPolicies": {"ebsCSIController": True}}
                    ],
                },
                {
                    "name": "aws-efs-csi-driver",
                    "podIdentityAssociations": [{"serviceAccountName": "efs-csi-controller-sa", "roleARN": ROLE}],
                },
            ],
        )
    )
    assert converted["iam"]["pod_identity_associations"] == [
        {
            "namespace": "apps",
            "service_account": "reader",
            "role_name": "apps-reader",
            "permissions_boundary": "arn:aws:iam::123456789012:policy/boundary",
            "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            "well_known_policies": ["external-dns"],
            "inline_policies": {"permissionPolicy": {"Version": "2012-10-17", "Statement": []}},
            "tags": {"team": "apps"},
        }
    ]
    addons = {a["name"]: a for a in converted["addons"]}
    assert addons["aws-ebs-csi-driver"]["pod_identity_associations"] == [
        {"service_account": "ebs-csi-controller-sa", "well_known_policies": ["ebs-csi"]}
    ]
    assert addons["aws-efs-csi-driver"]["pod_identity_associations"] == [
        {"service_account": "efs-csi-controller-sa", "role_arn": ROLE}
    ]
    # The definition resolves the role the collection makes for the add-on.
    normalized = {a["name"]: a for a in normalize(converted, availability_zones=ZONES)["addons"]}
    ebs = normalized["aws-ebs-csi-driver"]["pod_identity_associations"][0]
    assert ebs["role_name"] == "c1-addon-aws-ebs-csi-driver-ebs-csi-controller-sa"
    assert ebs["role_policies"]["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    ]
    assert "role_policies" not in normalized["aws-efs-csi-driver"]["pod_identity_associations"][0]


# ---------------------------------------------------------------- problems, by ClusterConfig path, all at once
def test_importer_reports_every_problem_by_its_path():
    lines = problems(
        config(
            accessConfig={
                "accessEntries": [
                    {"principalARN": "arn:aws:iam::123456789012:group/devs"},
                    {"principalARN": ROLE, "type": "EC2_LINUX", "kubernetesGroups": ["ops"]},
                    {
                        "principalARN": ROLE,
                        "accessPolicies": [{"policyARN": VIEW, "accessScope": {"type": "namespace"}}],
                    },
                    None,
                ]
            },
            fargateProfiles=[
                {"name": "eks-fp", "selectors": [{"namespace": "a"}]},
                {"name": "fp", "selectors": []},
                {"name": "fp2", "selectors": [{"namespace": "b"}], "subnets": ["subnet-x"]},
                {"name": "fp3", "selectors": [{"labels": {"a": "b"}}]},
            ],
            iam={"podIdentityAssociations": [{"namespace": "apps", "serviceAccountName": "s"}]},
        )
    )
    assert lines == [
        "  accessConfig.accessEntries[3]: is null: give an entry or remove the line",
        "  fargateProfiles[0].name: eks-fp: a Fargate profile name must not start with eks-",
        "  iam.podIdentityAssociations[0]: names no role and no permissions: give role_arn, or managed_policy_arns, "
        "well_known_policies or inline_policies for the role the collection makes",
        "  accessConfig.accessEntries[0].principalARN: 'arn:aws:iam::123456789012:group/devs' is not an IAM role or "
        "user ARN (arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME)",
        "  accessConfig.accessEntries[1].kubernetesGroups: EKS sets the groups of EC2_LINUX access entries: leave it out",
        "  accessConfig.accessEntries[2].accessPolicies[0].accessScope.namespaces: a namespace scope needs at least "
        "one namespace",
        "  fargateProfiles[1].selectors: 0 selectors; a Fargate profile takes 1 to 5, each with a namespace",
        "  fargateProfiles[2].subnets[0]: 'subnet-x' is not a subnet id (subnet-...)",
        "  fargateProfiles[3].selectors[0].namespace: is required",
    ]


def test_importer_refuses_access_entries_with_config_map_and_pod_identity_without_the_agent():
    lines = problems(
        config(
            accessConfig={"authenticationMode": "CONFIG_MAP", "accessEntries": [{"principalARN": ROLE}]},
            iam={
                "podIdentityAssociations": [
                    {"namespace": "a", "serviceAccountName": "s", "permissionPolicyARNs": ["arn:aws:iam::aws:policy/X"]}
                ]
            },
        )
    )
    assert lines == [
        "  accessConfig.authenticationMode: must be API or API_AND_CONFIG_MAP to use accessConfig.accessEntries",
        "  iam.podIdentityAssociations: EKS Pod Identity needs the eks-pod-identity-agent add-on: add it to addons",
    ]


# ---------------------------------------------------------------- the definition's own checks
@pytest.mark.parametrize(
    "sections, expected",
    [
        (
            {"access": {"authentication_mode": "CONFIG_MAP", "entries": [{"principal_arn": ROLE}]}},
            "aews_eks_cluster.access.entries: access entries need access.authentication_mode API or "
            "API_AND_CONFIG_MAP, not CONFIG_MAP",
        ),
        (
            {"access": {"entries": [{"principal_arn": ROLE}, {"principal_arn": ROLE}]}},
            f"aews_eks_cluster.access.entries[1].principal_arn: {ROLE} already has access.entries[0]: EKS takes one "
            "access entry per principal",
        ),
        (
            {
                "access": {
                    "entries": [
                        {"principal_arn": ROLE, "access_policies": [{"policy_arn": "arn:aws:iam::aws:policy/X"}]}
                    ]
                }
            },
            "aews_eks_cluster.access.entries[0].access_policies[0].policy_arn: 'arn:aws:iam::aws:policy/X' is not an "
            "EKS access policy ARN",
        ),
        (
            {"access": {"entries": [{"principal_arn": ROLE, "username": "system:admin"}]}},
            "aews_eks_cluster.access.entries[0].username: 'system:admin' starts with a prefix EKS reserves",
        ),
        (
            {"access": {"entries": [{"principal_arn": ROLE, "type": "FARGATE_LINUX",
                                     "access_policies": [{"policy_arn": VIEW}]}]}},  # fmt: skip
            "aews_eks_cluster.access.entries[0].access_policies[0]: access policies are for STANDARD access entries "
            "only, not FARGATE_LINUX",
        ),
        (
            {"fargate_profiles": [{"name": "fp", "selectors": [{"namespace": "a"}]}] * 2},
            "aews_eks_cluster.fargate_profiles[1].name: fp is already the name of fargate_profiles[0]",
        ),
        (
            {
                "fargate_profiles": [
                    {"name": "fp", "selectors": [{"namespace": "a", "labels": {str(i): "x" for i in range(6)}}]}
                ]
            },
            "aews_eks_cluster.fargate_profiles[0].selectors[0].labels: 6 labels; a Fargate profile selector takes at "
            "most 5",
        ),
        (
            {"fargate_profiles": [{"name": "fp", "pod_execution_role_arn": "arn:aws:iam::1:user/u",
                                   "selectors": [{"namespace": "a"}]}]},  # fmt: skip
            "aews_eks_cluster.fargate_profiles[0].pod_execution_role_arn: 'arn:aws:iam::1:user/u' is not an IAM role "
            "ARN",
        ),
        (
            {
                "vpc": {
                    "id": "vpc-0123456789abcdef0",
                    "availability_zones": ZONES,
                    "subnet_ids": {
                        "public": {ZONES[0]: "subnet-0000000000000000a", ZONES[1]: "subnet-0000000000000000b"}
                    },
                },
                "fargate_profiles": [{"name": "fp", "selectors": [{"namespace": "a"}]}],
            },
            "aews_eks_cluster.fargate_profiles[0].subnets: Fargate runs pods in private subnets: give them here or in "
            "vpc.subnet_ids (private)",
        ),
        (
            {"addons": [AGENT, {"name": "vpc-cni", "pod_identity_associations": [{"service_account": "aws-node"}]}]},
            "aews_eks_cluster.addons[1].pod_identity_associations[0]: names no role and no permissions",
        ),
        (
            {"addons": [AGENT, {"name": "vpc-cni", "pod_identity_associations": [
                {"service_account": "aws-node", "role_arn": ROLE, "well_known_policies": ["vpc-cni"]}]}]},  # fmt: skip
            "aews_eks_cluster.addons[1].pod_identity_associations[0].well_known_policies: is for the role the "
            "collection makes; addons[1].pod_identity_associations[0].role_arn names a role of your own",
        ),
        (
            {"addons": [AGENT, {"name": "vpc-cni", "service_account_role": {"well_known_policies": ["vpc-cni"]},
                                "pod_identity_associations": [{"service_account": "aws-node", "role_arn": ROLE}]}]},  # fmt: skip
            "aews_eks_cluster.addons[1].service_account_role: an add-on's service account gets its role through IRSA "
            "or through addons[1].pod_identity_associations, not both",
        ),
        (
            {
                "addons": [
                    {
                        "name": "vpc-cni",
                        "pod_identity_associations": [{"service_account": "aws-node", "role_arn": ROLE}],
                    }
                ]
            },
            "aews_eks_cluster.addons[0].pod_identity_associations: EKS Pod Identity needs the eks-pod-identity-agent "
            "add-on: add it to addons",
        ),
        (
            {
                "iam": {
                    "with_oidc": True,
                    "service_accounts": [{"namespace": "a", "name": "s", "well_known_policies": ["external-dns"]}],
                    "pod_identity_associations": [
                        {"namespace": "a", "service_account": "s", "well_known_policies": ["external-dns"]}
                    ],
                },
                "addons": [AGENT],
            },
            "aews_eks_cluster.iam.pod_identity_associations[0].role_name: a/s also has an IRSA role "
            "(iam.service_accounts[0]) of the same default name: give one of them a role_name",
        ),
    ],
)
def test_definition_refuses_by_path(sections, expected):
    assert refused(**sections).startswith(expected)


def test_definition_defaults():
    result = normalize(definition())
    assert result["access"] == {
        "authentication_mode": "API_AND_CONFIG_MAP",
        "bootstrap_cluster_creator_admin_permissions": True,
        "entries": [],
    }
    assert result["fargate_profiles"] == [] and result["iam"]["pod_identity_associations"] == []
    assert result["iam"]["fargate_pod_execution_role_arn"] is None
    assert all(addon["pod_identity_associations"] == [] for addon in result["addons"])


# ---------------------------------------------------------------- the cluster role's permissions boundary
def test_service_role_permissions_boundary_converts_and_is_checked():
    boundary = "arn:aws:iam::123456789012:policy/boundary"
    converted = eksctl_config(config(iam={"serviceRolePermissionsBoundary": boundary}))
    assert converted["iam"]["service_role_permissions_boundary"] == boundary
    assert (
        normalize(definition(iam={"service_role_permissions_boundary": boundary}))["iam"][
            "service_role_permissions_boundary"
        ]
        == boundary
    )
    assert normalize(definition())["iam"]["service_role_permissions_boundary"] is None
    message = refused(iam={"service_role_permissions_boundary": "boundary"})
    assert "iam.service_role_permissions_boundary" in message and "is not an IAM policy ARN" in message
    assert any(
        "iam.serviceRolePermissionsBoundary" in line and "is not an IAM policy ARN" in line
        for line in problems(config(iam={"serviceRolePermissionsBoundary": "boundary"}))
    )
