"""The eksctl ClusterConfig filter: the seed, eksctl's defaults, strict schema and unsupported sections."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule

eksctl_config = FilterModule().filters()["eksctl_config"]

ROOT = Path(__file__).resolve().parents[4]
SEED_EKSCTL = ROOT / "examples" / "seed-myeks.eksctl.yaml"
SEED_CLUSTER = ROOT / "examples" / "seed-cluster.yml"

MINIMAL = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "us-east-1"},
}


def config(**sections):
    result = copy.deepcopy(MINIMAL)
    result.update(sections)
    return result


def problems(cfg, **kwargs):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg, **kwargs)
    message = str(info.value)
    assert message.startswith("aews.eks.eksctl_config: the eksctl ClusterConfig cannot be converted:")
    return message


# ---------------------------------------------------------------- the seed
def test_seed_converts_to_the_seed_definition_with_its_own_version_and_ami_family():
    converted = eksctl_config(SEED_EKSCTL.read_text())
    expected = yaml.safe_load(SEED_CLUSTER.read_text())["aews_eks_cluster"]
    # examples/seed-cluster.yml moved 1.25/AmazonLinux2 to 1.33/AmazonLinux2023; the filter keeps the file's.
    assert (expected["version"], expected["nodegroups"][0]["ami_family"]) == ("1.33", "AmazonLinux2023")
    expected["version"] = "1.25"
    expected["nodegroups"][0]["ami_family"] = "AmazonLinux2"
    source = converted.pop("source")
    assert converted == expected
    assert source["kind"] == "eksctl"
    assert source["paths"]["nodegroups[0].desired_size"] == "managedNodeGroups[0].desiredCapacity"
    assert source["paths"]["version"] == "metadata.version"


def test_seed_as_a_dict_and_as_text_convert_alike():
    text = SEED_EKSCTL.read_text()
    assert eksctl_config(yaml.safe_load(text)) == eksctl_config(text)
    assert eksctl_config(text.encode()) == eksctl_config(text)


def test_seed_input_is_not_modified():
    cfg = yaml.safe_load(SEED_EKSCTL.read_text())
    before = copy.deepcopy(cfg)
    eksctl_config(cfg)
    assert cfg == before


def test_seed_version_checked_against_what_eks_offers():
    message = problems(SEED_EKSCTL.read_text(), eks_versions=["1.31", "1.32", "1.33"])
    assert (
        "metadata.version: EKS does not offer Kubernetes 1.25; it offers 1.31, 1.32, 1.33: set metadata.version to one "
        "of them" in message
    )
    assert eksctl_config(SEED_EKSCTL.read_text(), eks_versions=["1.25", "1.33"])["version"] == "1.25"


def test_seed_moved_to_133_needs_al2023():
    cfg = yaml.safe_load(SEED_EKSCTL.read_text())
    cfg["metadata"]["version"] = "1.33"
    message = problems(cfg)
    assert "managedNodeGroups[0].amiFamily: AmazonLinux2 AMIs are not offered for Kubernetes 1.33" in message
    cfg["managedNodeGroups"][0]["amiFamily"] = "AmazonLinux2023"
    expected = yaml.safe_load(SEED_CLUSTER.read_text())["aews_eks_cluster"]
    converted = eksctl_config(cfg)
    converted.pop("source")
    assert converted == expected


# ---------------------------------------------------------------- eksctl's defaults
def test_minimal_config_gets_eksctls_defaults():
    converted = eksctl_config(config(managedNodeGroups=[{"name": "ng"}]))
    assert converted.pop("source")["kind"] == "eksctl"
    assert converted == {
        "name": "c1",
        "region": "us-east-1",
        "tags": {},
        "vpc": {"cidr": "192.168.0.0/16", "nat": "single"},
        "endpoint": {"public_access": True, "private_access": False},
        "kubernetes_network": {"ip_family": "ipv4"},
        "iam": {"with_oidc": False, "vpc_resource_controller_policy": True},
        "logging": {"types": []},
        "nodegroups": [
            {
                "name": "ng",
                "instance_types": ["m5.large"],
                "ami_family": "AmazonLinux2023",
                "min_size": 2,
                "desired_size": 2,
                "max_size": 2,
                "volume": {"size": 80, "type": "gp3", "iops": 3000, "throughput": 125},
                "labels": {"alpha.eksctl.io/cluster-name": "c1", "alpha.eksctl.io/nodegroup-name": "ng"},
                "tags": {"alpha.eksctl.io/nodegroup-name": "ng", "alpha.eksctl.io/nodegroup-type": "managed"},
                "ssh": {"allow": False},
                "private_networking": False,
                "imds": {"disable_imdsv1": True, "disable_pod_imds": False},
            }
        ],
        "addons": [{"name": "vpc-cni"}, {"name": "kube-proxy"}, {"name": "coredns"}, {"name": "metrics-server"}],
    }


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, (2, 2, 2)),
        ({"desiredCapacity": 3}, (3, 3, 3)),
        ({"minSize": 1}, (1, 1, 1)),
        ({"minSize": 1, "maxSize": 5}, (1, 1, 5)),
        ({"desiredCapacity": 3, "maxSize": 6}, (3, 3, 6)),
        ({"minSize": 0, "desiredCapacity": 0}, (0, 0, 1)),
        ({"minSize": 1, "desiredCapacity": 2, "maxSize": 4}, (1, 2, 4)),
    ],
)
def test_nodegroup_sizes_as_eksctl_fills_them(given, expected):
    ng = eksctl_config(config(managedNodeGroups=[dict(name="ng", **given)]))["nodegroups"][0]
    assert (ng["min_size"], ng["desired_size"], ng["max_size"]) == expected


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, {"size": 80, "type": "gp3", "iops": 3000, "throughput": 125}),
        ({"volumeSize": 30, "volumeIOPS": 4000}, {"size": 30, "type": "gp3", "iops": 4000, "throughput": 125}),
        ({"volumeType": "gp2"}, {"size": 80, "type": "gp2"}),
        ({"volumeType": "io1"}, {"size": 80, "type": "io1", "iops": 100}),
        (
            {"volumeEncrypted": True, "volumeKmsKeyID": "arn:aws:kms:us-east-1:1:key/k"},
            {
                "size": 80,
                "type": "gp3",
                "iops": 3000,
                "throughput": 125,
                "encrypted": True,
                "kms_key_id": "arn:aws:kms:us-east-1:1:key/k",
            },
        ),
    ],
)
def test_nodegroup_volume(given, expected):
    assert eksctl_config(config(managedNodeGroups=[dict(name="ng", **given)]))["nodegroups"][0]["volume"] == expected


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, {"allow": False}),
        ({"allow": False}, {"allow": False}),
        ({"allow": True}, {"allow": True, "public_key_path": "~/.ssh/id_rsa.pub"}),
        ({"publicKeyPath": "~/.ssh/k.pub"}, {"allow": True, "public_key_path": "~/.ssh/k.pub"}),
        ({"allow": False, "publicKeyPath": "~/.ssh/k.pub"}, {"allow": False}),
        (
            {"allow": True, "sourceSecurityGroupIds": ["sg-0123456789abcdef0"]},
            {
                "allow": True,
                "public_key_path": "~/.ssh/id_rsa.pub",
                "source_security_group_ids": ["sg-0123456789abcdef0"],
            },
        ),
    ],
)
def test_nodegroup_ssh(given, expected):
    assert eksctl_config(config(managedNodeGroups=[{"name": "ng", "ssh": given}]))["nodegroups"][0]["ssh"] == expected


def test_common_cluster_keys():
    cfg = config(
        metadata={"name": "c1", "region": "us-east-1", "version": "1.33", "tags": {"team": "a", "cost": "1"}},
        kubernetesNetworkConfig={"ipFamily": "IPv4", "serviceIPv4CIDR": "10.100.0.0/16"},
        vpc={
            "cidr": "10.0.0.0/16",
            "nat": {"gateway": "HighlyAvailable"},
            "clusterEndpoints": {"publicAccess": True, "privateAccess": True},
            "publicAccessCIDRs": ["1.2.3.4/32"],
            "subnets": {
                "public": {"us-east-1a": {"cidr": "10.0.0.0/20"}, "us-east-1b": {"cidr": "10.0.16.0/20"}},
                "private": {"us-east-1a": {"cidr": "10.0.32.0/20"}, "us-east-1b": {"cidr": "10.0.48.0/20"}},
            },
        },
        iam={
            "withOIDC": True,
            "serviceAccounts": [
                {
                    "metadata": {"name": "s3-reader"},
                    "attachPolicyARNs": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                },
                {
                    "metadata": {"name": "ebs-csi-controller-sa", "namespace": "kube-system"},
                    "wellKnownPolicies": {"ebsCSIController": True, "autoScaler": False},
                    "roleName": "ebs-csi",
                    "roleOnly": True,
                },
                {
                    "metadata": {"name": "writer", "namespace": "apps"},
                    "attachPolicy": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                    },
                },
            ],
        },
        cloudWatch={"clusterLogging": {"enableTypes": ["*"], "logRetentionInDays": 30}},
        secretsEncryption={"keyARN": "arn:aws:kms:us-east-1:111122223333:key/abc"},
        accessConfig={"authenticationMode": "API"},
    )
    result = eksctl_config(cfg)
    assert result["version"] == "1.33"
    assert result["tags"] == {"team": "a", "cost": "1"}
    assert result["kubernetes_network"] == {"ip_family": "ipv4", "service_ipv4_cidr": "10.100.0.0/16"}
    assert result["vpc"] == {
        "cidr": "10.0.0.0/16",
        "availability_zones": ["us-east-1a", "us-east-1b"],
        "nat": "highly_available",
        "subnets": {
            "public": {"us-east-1a": "10.0.0.0/20", "us-east-1b": "10.0.16.0/20"},
            "private": {"us-east-1a": "10.0.32.0/20", "us-east-1b": "10.0.48.0/20"},
        },
    }
    assert result["endpoint"] == {"public_access": True, "private_access": True, "public_access_cidrs": ["1.2.3.4/32"]}
    assert result["iam"] == {
        "with_oidc": True,
        "vpc_resource_controller_policy": True,
        "service_accounts": [
            {
                "namespace": "default",
                "name": "s3-reader",
                "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            },
            {
                "namespace": "kube-system",
                "name": "ebs-csi-controller-sa",
                "well_known_policies": ["ebs-csi"],
                "role_name": "ebs-csi",
                "role_only": True,
            },
            {
                "namespace": "apps",
                "name": "writer",
                "inline_policies": {
                    "attachPolicy": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                    }
                },
            },
        ],
    }
    assert result["logging"] == {
        "types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        "retention_days": 30,
    }
    assert result["secrets_encryption"] == {"key_arn": "arn:aws:kms:us-east-1:111122223333:key/abc"}
    assert result["access"] == {"authentication_mode": "API"}


def test_existing_vpc_and_subnets():
    cfg = config(
        vpc={
            "id": "vpc-1",
            "subnets": {
                "private": {
                    "us-east-1a": {"id": "subnet-a"},
                    "my-b": {"id": "subnet-b", "az": "us-east-1b", "cidr": "10.0.1.0/24"},
                },
            },
        }
    )
    assert eksctl_config(cfg)["vpc"] == {
        "id": "vpc-1",
        "cidr": "192.168.0.0/16",
        "availability_zones": ["us-east-1a", "us-east-1b"],
        "nat": "single",
        "subnet_ids": {"private": {"us-east-1a": "subnet-a", "us-east-1b": "subnet-b"}},
    }


def test_managed_nodegroup_common_fields():
    ng = {
        "name": "workers",
        "instanceTypes": ["m5.large", "m5a.large"],
        "spot": True,
        "amiFamily": "Bottlerocket",
        "labels": {"role": "worker"},
        "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}, {"key": "x", "effect": "NoExecute"}],
        "tags": {"team": "a"},
        "privateNetworking": True,
        "iam": {
            "withAddonPolicies": {
                "ebs": True,
                "albIngress": True,
                "awsLoadBalancerController": True,
                "xRay": False,
                "autoScaler": True,
            }
        },
        "disableIMDSv1": True,
        "disablePodIMDS": True,
        "updateConfig": {"maxUnavailablePercentage": 33},
        "maxPodsPerNode": 50,
        "releaseVersion": "1.32.0-20250101",
    }
    assert eksctl_config(config(managedNodeGroups=[ng]))["nodegroups"][0] == {
        "name": "workers",
        "instance_types": ["m5.large", "m5a.large"],
        "ami_family": "Bottlerocket",
        "min_size": 2,
        "desired_size": 2,
        "max_size": 2,
        "volume": {"size": 80, "type": "gp3", "iops": 3000, "throughput": 125},
        "labels": {"role": "worker", "alpha.eksctl.io/cluster-name": "c1", "alpha.eksctl.io/nodegroup-name": "workers"},
        "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}, {"key": "x", "effect": "NoExecute"}],
        "tags": {"team": "a", "alpha.eksctl.io/nodegroup-name": "workers", "alpha.eksctl.io/nodegroup-type": "managed"},
        "ssh": {"allow": False},
        "private_networking": True,
        "addon_policies": ["auto_scaler", "ebs", "aws_load_balancer_controller"],
        "imds": {"disable_imdsv1": True, "disable_pod_imds": True},
        "spot": True,
        "update_config": {"max_unavailable_percentage": 33},
        "max_pods": 50,
        "release_version": "1.32.0-20250101",
    }


@pytest.mark.parametrize(
    "taints, expected",
    [
        ({"dedicated": "gpu:NoSchedule"}, [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
        ({"special": ":NoExecute"}, [{"key": "special", "effect": "NoExecute"}]),
        ([], None),
    ],
)
def test_taints_map_form(taints, expected):
    ng = eksctl_config(config(managedNodeGroups=[{"name": "ng", "taints": taints}]))["nodegroups"][0]
    assert ng.get("taints") == expected


def test_windows_family_becomes_an_ami_type():
    ng = eksctl_config(config(managedNodeGroups=[{"name": "w", "amiFamily": "WindowsServer2022CoreContainer"}]))
    assert ng["nodegroups"][0]["ami_type"] == "WINDOWS_CORE_2022_x86_64"
    assert "ami_family" not in ng["nodegroups"][0]


@pytest.mark.parametrize(
    "addons, addons_config, expected",
    [
        (None, None, [{"name": "vpc-cni"}, {"name": "kube-proxy"}, {"name": "coredns"}, {"name": "metrics-server"}]),
        (
            [
                {"name": "aws-ebs-csi-driver", "version": "latest", "wellKnownPolicies": {"ebsCSIController": True}},
                {"name": "coredns", "version": "v1.11.4-eksbuild.2", "resolveConflicts": "OVERWRITE"},
            ],
            None,
            [
                {"name": "vpc-cni"},
                {"name": "kube-proxy"},
                {"name": "coredns", "version": "v1.11.4-eksbuild.2", "resolve_conflicts": "overwrite"},
                {"name": "metrics-server"},
                {
                    "name": "aws-ebs-csi-driver",
                    "version": "latest",
                    "service_account_role": {"well_known_policies": ["ebs-csi"]},
                },
            ],
        ),
        (
            [
                {
                    "name": "vpc-cni",
                    "attachPolicyARNs": ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
                    "configurationValues": '{"env": {"WARM_IP_TARGET": "2"}}',
                }
            ],
            {"disableDefaultAddons": True},
            [
                {
                    "name": "vpc-cni",
                    "configuration_values": {"env": {"WARM_IP_TARGET": "2"}},
                    "service_account_role": {"managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]},
                }
            ],
        ),
        ([], {"disableDefaultAddons": True}, []),
    ],
)
def test_addons(addons, addons_config, expected):
    sections = {}
    if addons is not None:
        sections["addons"] = addons
    if addons_config is not None:
        sections["addonsConfig"] = addons_config
    result = eksctl_config(config(**sections))
    assert result["addons"] == expected
    assert "addons_config" not in result


def test_prefix_delegation_from_vpc_cni_configuration_yaml():
    values = "env:\n  ENABLE_PREFIX_DELEGATION: 'true'\n  WARM_PREFIX_TARGET: '1'\n"
    result = eksctl_config(config(addons=[{"name": "vpc-cni", "configurationValues": values}]))
    assert result["addons_config"] == {"prefix_delegation": True}
    assert result["addons"][0]["configuration_values"] == {
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
    }


@pytest.mark.parametrize(
    "sections",
    [
        # Sections eksctl writes out with their defaults: they ask nothing of the collection.
        {"privateCluster": {"enabled": False, "skipEndpointCreation": False}},
        {"vpc": {"manageSharedNodeSecurityGroupRules": True, "autoAllocateIPv6": False}},
        {
            "managedNodeGroups": [
                {
                    "name": "ng",
                    "instanceSelector": {},
                    "securityGroups": {"withLocal": None},
                    "releaseVersion": "",
                    "iam": {"withAddonPolicies": {"appMeshPreview": False}},
                }
            ]
        },
        {"fargateProfiles": [], "nodeGroups": None, "karpenter": None},
        {"upgradePolicy": {"supportType": "EXTENDED"}, "zonalShiftConfig": {"enabled": False}},
        {"metadata": {"name": "c1", "region": "us-east-1", "annotations": {"note": "x"}}},
        {"accessConfig": {"bootstrapClusterCreatorAdminPermissions": True, "accessEntries": []}},
    ],
)
def test_neutral_values_of_unsupported_sections_pass(sections):
    eksctl_config(config(**sections))


@pytest.mark.parametrize("section", ["managedNodeGroups", "nodeGroups"])
def test_ssm_is_always_on_and_cannot_be_turned_off(section):
    # Every node role the collection makes carries AmazonSSMManagedInstanceCore: enableSsm true asks for what is
    # there, false for what the collection does not do.
    eksctl_config(config(**{section: [{"name": "ng", "ssh": {"enableSsm": True}}]}))
    message = problems(config(**{section: [{"name": "ng", "ssh": {"enableSsm": False}}]}))
    assert f"\n  {section}[0].ssh.enableSsm: not supported by aews.eks yet" in message


# ---------------------------------------------------------------- errors
def test_unknown_keys_everywhere_are_listed_by_path():
    cfg = yaml.safe_load(SEED_EKSCTL.read_text())
    cfg["foo"] = 1
    cfg["metadata"]["owner"] = "me"
    cfg["managedNodeGroups"][0]["foo"] = "bar"
    cfg["managedNodeGroups"][0]["ssh"]["keyName"] = "k"
    cfg["managedNodeGroups"][0]["iam"]["withAddonPolicies"]["s3"] = True
    cfg["vpc"]["subnets"] = {"public": {"ap-northeast-2a": {"cidr": "172.20.0.0/19", "name": "x"}}}
    cfg["addons"] = [{"name": "vpc-cni", "verison": "latest"}]
    message = problems(cfg)
    for path in (
        "foo",
        "metadata.owner",
        "managedNodeGroups[0].foo",
        "managedNodeGroups[0].ssh.keyName",
        "managedNodeGroups[0].iam.withAddonPolicies.s3",
        "vpc.subnets.public.ap-northeast-2a.name",
        "addons[0].verison",
    ):
        assert f"\n  {path}: unknown field (eksctl's v1alpha5 schema has no such key)" in message
    assert message.count("unknown field") == 7


def test_unsupported_sections_are_listed_by_path_never_dropped():
    cfg = config(
        nodeGroups=[{"name": "self-managed", "containerRuntime": "dockerd"}],
        karpenter={"version": "1.0.0"},
        gitops={"flux": {"gitProvider": "github"}},
        iamIdentityMappings=[{"arn": "arn:aws:iam::1:role/r", "groups": ["system:masters"]}],
        vpc={"autoAllocateIPv6": True, "extraCIDRs": ["10.1.0.0/16"]},
        iam={
            "podIdentityAssociations": [
                {"namespace": "a", "serviceAccountName": "b", "roleARN": "arn:aws:iam::1:role/r", "policy": "{}"}
            ],
            "serviceAccounts": [{"metadata": {"name": "builder"}, "wellKnownPolicies": {"imageBuilder": True}}],
        },
        accessConfig={"bootstrapClusterCreatorAdminPermissions": False},
        addons=[
            {
                "name": "vpc-cni",
                "serviceAccountRoleARN": "arn:aws:iam::1:role/cni",
                "podIdentityAssociations": [{"serviceAccountName": "aws-node", "namespace": "kube-system"}],
            }
        ],
        managedNodeGroups=[
            {
                "name": "ng",
                "instanceSelector": {"allow": "m5.*"},
                "securityGroups": {"withShared": True},
                "iam": {
                    "attachPolicyARNs": ["arn:aws:iam::aws:policy/X"],
                    "withAddonPolicies": {"appMeshPreview": True},
                },
                "amiFamily": "Ubuntu2204",
                # The cluster definition places nodegroups by private_networking and zone, not by subnet.
                "subnets": ["subnet-1"],
            }
        ],
    )
    message = problems(cfg)
    expected = [
        "nodeGroups[0].containerRuntime",
        "karpenter",
        "gitops",
        "iamIdentityMappings",
        "vpc.autoAllocateIPv6",
        "vpc.extraCIDRs",
        "iam.podIdentityAssociations[0].policy",
        "addons[0].serviceAccountRoleARN",
        "addons[0].podIdentityAssociations[0].namespace",
        "managedNodeGroups[0].instanceSelector.allow",
        "managedNodeGroups[0].securityGroups.withShared",
        "managedNodeGroups[0].iam.attachPolicyARNs",
        "managedNodeGroups[0].iam.withAddonPolicies.appMeshPreview",
        "managedNodeGroups[0].subnets",
        "iam.serviceAccounts[0].wellKnownPolicies.imageBuilder",
    ]
    for path in expected:
        assert f"\n  {path}: not supported by aews.eks yet" in message, path
    # The value checks run in the same pass: the AMI family is named with the sections above.
    assert "\n  managedNodeGroups[0].amiFamily: Ubuntu2204: not supported by aews.eks yet" in message
    assert message.count("not supported by aews.eks yet") == len(expected) + 1


def test_unsupported_ami_family_is_named_after_the_schema_passes():
    message = problems(config(managedNodeGroups=[{"name": "ng", "amiFamily": "Ubuntu2204"}]))
    assert "managedNodeGroups[0].amiFamily: Ubuntu2204: not supported by aews.eks yet" in message


@pytest.mark.parametrize(
    "sections, expected",
    [
        (
            {"metadata": {"name": "c1", "region": "us-east-1", "version": 1.3}},
            "metadata.version: must be a string, not 1.3 (quote it)",
        ),
        ({"managedNodeGroups": [{"name": "ng", "minSize": "2"}]}, "managedNodeGroups[0].minSize: must be an integer"),
        ({"managedNodeGroups": [{"name": "ng", "spot": "yes"}]}, "managedNodeGroups[0].spot: must be a boolean"),
        ({"managedNodeGroups": {"name": "ng"}}, "managedNodeGroups: must be a list, not a mapping"),
        ({"metadata": {"name": "c1", "region": "us-east-1", "tags": {"n": 1}}}, "metadata.tags.n: must be a string"),
        ({"vpc": "default"}, "vpc: must be a mapping, not a string"),
    ],
)
def test_wrong_types(sections, expected):
    assert expected in problems(config(**sections))


@pytest.mark.parametrize(
    "sections, expected",
    [
        ({"apiVersion": "eksctl.io/v1alpha4"}, "apiVersion: must be eksctl.io/v1alpha5, not 'eksctl.io/v1alpha4'"),
        ({"kind": "NodeGroup"}, "kind: must be ClusterConfig"),
        ({"metadata": {"name": "c1"}}, "metadata.region: is required"),
        (
            {"metadata": {"name": "c1", "region": "us-east-1", "version": "latest"}},
            "metadata.version: must be a Kubernetes minor version",
        ),
        ({"availabilityZones": ["us-east-1a"]}, "availabilityZones: needs at least 2 availability zones"),
        ({"vpc": {"nat": {"gateway": "Double"}}}, "vpc.nat.gateway: must be one of Single, HighlyAvailable, Disable"),
        (
            {"vpc": {"clusterEndpoints": {"publicAccess": False}}},
            "vpc.clusterEndpoints: public and private access cannot both be disabled",
        ),
        ({"vpc": {"id": "vpc-1"}}, "vpc.subnets: an existing VPC (vpc.id) needs its subnets"),
        (
            {"vpc": {"subnets": {"private": {"us-east-1a": {"id": "subnet-1"}}}}},
            "vpc.id: is required with existing subnets",
        ),
        (
            {"vpc": {"subnets": {"private": {"mysubnet": {"id": "subnet-1"}}}, "id": "vpc-1"}},
            "vpc.subnets.private.mysubnet: 'mysubnet' is not an availability zone name: a subnet keyed by a name of "
            "your own needs az (the availability zone it is in)",
        ),
        ({"kubernetesNetworkConfig": {"ipFamily": "IPv5"}}, "kubernetesNetworkConfig.ipFamily: must be IPv4 or IPv6"),
        (
            {"cloudWatch": {"clusterLogging": {"enableTypes": ["api", "kubelet"]}}},
            "cloudWatch.clusterLogging.enableTypes[1]: unknown log type 'kubelet'",
        ),
        (
            {"cloudWatch": {"clusterLogging": {"logRetentionInDays": 10}}},
            "cloudWatch.clusterLogging.logRetentionInDays: must be one of 1, 3",
        ),
        (
            {"accessConfig": {"authenticationMode": "IAM"}},
            "accessConfig.authenticationMode: must be one of CONFIG_MAP, API, API_AND_CONFIG_MAP",
        ),
        ({"secretsEncryption": {}}, "secretsEncryption.keyARN: is required"),
        (
            {"iam": {"serviceAccounts": [{"metadata": {"namespace": "a"}}]}},
            "iam.serviceAccounts[0].metadata.name: is required",
        ),
        ({"addons": [{"name": "coredns"}, {"name": "coredns"}]}, "addons[1].name: add-on coredns is listed twice"),
        ({"addons": [{"name": "coredns"}, {"name": "CoreDNS"}]}, "addons[1].name: add-on CoreDNS is listed twice"),
        ({"addons": [{"version": "latest"}]}, "addons[0].name: is required"),
        (
            {"managedNodeGroups": [{"name": "ng"}, {"name": "ng"}]},
            "managedNodeGroups[1].name: nodegroup ng is listed twice",
        ),
        (
            {"managedNodeGroups": [{"name": "ng"}], "nodeGroups": [{"name": "ng"}]},
            "nodeGroups[0].name: nodegroup ng is listed twice",
        ),
        (
            {"identityProviders": [{"type": "oidc", "name": "p", "issuerURL": "https://p.example.com", "clientID": "c"},
                                   {"type": "oidc", "name": "p", "issuerURL": "https://q.example.com", "clientID": "c"}]},
            "identityProviders[1].name: p is already the name of identityProviders[0]",
        ),  # fmt: skip
        (
            {"addons": [{"name": "coredns", "resolveConflicts": "force"}]},
            "addons[0].resolveConflicts: must be none, overwrite or preserve",
        ),
        (
            {"addons": [{"name": "coredns", "configurationValues": "[1, 2]"}]},
            "addons[0].configurationValues: must be a JSON or YAML object",
        ),
        (
            {"managedNodeGroups": [{"name": "a"}, {"name": "a"}]},
            "managedNodeGroups[1].name: nodegroup a is listed twice",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "instanceType": "t3.medium", "instanceTypes": ["m5.large"]}]},
            "managedNodeGroups[0]: instanceType and instanceTypes cannot be set together",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "minSize": 3, "desiredCapacity": 2}]},
            "managedNodeGroups[0].desiredCapacity: 2 is below minSize 3",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "maxSize": 1, "desiredCapacity": 2}]},
            "managedNodeGroups[0].desiredCapacity: 2 is above maxSize 1",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "minSize": 3, "maxSize": 2}]},
            "managedNodeGroups[0].maxSize: 2 is below minSize 3",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "volumeIOPS": 100}]},
            "managedNodeGroups[0].volumeIOPS: gp3 takes 3000 to 16000 IOPS, not 100",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "volumeThroughput": 2000}]},
            "managedNodeGroups[0].volumeThroughput: gp3 takes 125 to 1000 MiB/s",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "volumeType": "gp1"}]},
            "managedNodeGroups[0].volumeType: must be one of gp2, gp3",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "amiFamily": "AmazonLinux3"}]},
            "managedNodeGroups[0].amiFamily: unknown AMI family 'AmazonLinux3'",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "updateConfig": {}}]},
            "managedNodeGroups[0].updateConfig: needs exactly one of",
        ),
        (
            {
                "managedNodeGroups": [
                    {"name": "a", "updateConfig": {"maxUnavailable": 1, "maxUnavailablePercentage": 10}}
                ]
            },
            "managedNodeGroups[0].updateConfig: needs exactly one of maxUnavailable and maxUnavailablePercentage",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "taints": {"k": "v"}}]},
            "managedNodeGroups[0].taints: k: 'v' must be 'value:effect'",
        ),
        (
            {"managedNodeGroups": [{"name": "a", "taints": [{"key": "k", "effect": "Never"}]}]},
            "managedNodeGroups[0].taints: k: effect must be one of NoSchedule",
        ),
        (
            {
                "metadata": {"name": "c1", "region": "us-east-1", "version": "1.34"},
                "managedNodeGroups": [{"name": "a", "amiFamily": "AmazonLinux2"}],
            },
            "managedNodeGroups[0].amiFamily: AmazonLinux2 AMIs are not offered for Kubernetes 1.34",
        ),
        # eksctl's managed nodegroups follow metadata.version: the schema has no nodegroup version.
        ({"managedNodeGroups": [{"name": "a", "version": "1.32"}]}, "managedNodeGroups[0].version: unknown field"),
        ({"managedNodeGroups": [{"minSize": 1}]}, "managedNodeGroups[0].name: is required"),
    ],
)
def test_eksctl_validation(sections, expected):
    assert "\n  " + expected in problems(config(**sections))


def test_every_problem_reported_at_once():
    cfg = config(
        managedNodeGroups=[{"name": "a", "minSize": 3, "desiredCapacity": 2, "volumeType": "gp1"}],
        availabilityZones=["us-east-1a"],
    )
    message = problems(cfg)
    assert "availabilityZones:" in message
    assert "desiredCapacity: 2 is below minSize 3" in message
    assert "volumeType: must be one of" in message


@pytest.mark.parametrize(
    "value, expected",
    [
        ("apiVersion: [unclosed", "the ClusterConfig is not valid YAML"),
        ("- a\n- b\n", "the ClusterConfig must be a mapping, not list"),
        (None, "the ClusterConfig must be a mapping, not NoneType"),
    ],
)
def test_not_a_cluster_config(value, expected):
    assert expected in problems(value)


def test_eks_versions_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="eks_versions must be a list"):
        eksctl_config(MINIMAL, eks_versions="1.33")


# ---------------------------------------------------------------- in a playbook, as site.yml uses it
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the eksctl ClusterConfig
      ansible.builtin.set_fact:
        aews_eks_cluster: "{{ lookup('ansible.builtin.file', eksctl_config_file) | aews.eks.eksctl_config }}"
    - name: Show it
      ansible.builtin.debug:
        msg: "{{ aews_eks_cluster.name }} {{ aews_eks_cluster.version }} {{ aews_eks_cluster.nodegroups[0].instance_types }}"
"""


def _playbook(tmp_path, config_file):
    playbook = tmp_path / "site.yml"
    playbook.write_text(PLAYBOOK)
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
        ANSIBLE_NOCOLOR="1",
    )
    command = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        str(playbook),
        "-e",
        f"eksctl_config_file={config_file}",
    ]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_playbook_reads_the_seed_file(tmp_path):
    result = _playbook(tmp_path, SEED_EKSCTL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "myeks 1.25 ['t3.medium']" in result.stdout


def test_playbook_fails_listing_every_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    cfg = yaml.safe_load(SEED_EKSCTL.read_text())
    cfg["karpenter"] = {"version": "1.0.0"}
    cfg["managedNodeGroups"][0]["foo"] = 1
    bad.write_text(yaml.safe_dump(cfg))
    result = _playbook(tmp_path, bad)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "karpenter: not supported by aews.eks yet" in output
    assert "managedNodeGroups[0].foo: unknown field" in output


# ---------------------------------------------------------------- every problem in one run
def test_schema_value_and_definition_problems_are_reported_together_by_eksctl_path():
    cfg = config(
        nodeGroups=[{"name": "self-managed", "containerRuntime": "dockerd"}],
        kubernetesNetworkConfig={"ipFamily": "IPv6"},
        iam={"withOIDC": True},
        addons=[{"name": "vpc-cni"}, {"name": "kube-proxy"}, {"name": "coredns"}],
        managedNodeGroups=[{"name": "ng", "amiFamily": "Ubuntu2204", "minSize": "2"}],
    )
    lines = problems(cfg).split("\n")[1:]
    assert lines == [
        "  nodeGroups[0].containerRuntime: not supported by aews.eks yet",
        "  managedNodeGroups[0].minSize: must be an integer, not '2'",
        "  managedNodeGroups[0].amiFamily: Ubuntu2204: not supported by aews.eks yet",
        # The definition's cross-field check, by the ClusterConfig's paths (not kubernetes_network.ip_family).
        "  kubernetesNetworkConfig.ipFamily: ipv6 needs a VPC with IPv6 subnets, which the vpc role does not build: "
        "give vpc.id and vpc.subnets of such a VPC, or use ipv4",
    ]


def test_definition_cross_field_problem_names_the_clusterconfig_paths():
    cfg = config(vpc={"cidr": "10.0.0.0/16"}, kubernetesNetworkConfig={"serviceIPv4CIDR": "10.0.128.0/20"})
    assert problems(cfg).split("\n")[1:] == [
        "  kubernetesNetworkConfig.serviceIPv4CIDR: 10.0.128.0/20 overlaps the VPC CIDR 10.0.0.0/16 (vpc.cidr): "
        "choose a block outside it"
    ]


def test_definition_check_is_not_run_on_the_defaults_standing_in_for_a_dropped_value():
    # vpc.cidr is not a string: the subnets are not judged against eksctl's default 192.168.0.0/16 in its place.
    subnets = {"us-east-1a": {"cidr": "10.0.0.0/19"}, "us-east-1b": {"cidr": "10.0.32.0/19"}}
    cfg = config(vpc={"cidr": 10, "subnets": {"public": subnets}})
    assert problems(cfg).split("\n")[1:] == ["  vpc.cidr: must be a string, not 10 (quote it)"]


def test_a_value_check_does_not_repeat_a_type_problem():
    cfg = config(metadata={"name": "c1", "region": 1})
    assert problems(cfg).split("\n")[1:] == ["  metadata.region: must be a string, not 1 (quote it)"]


@pytest.mark.parametrize(
    "values, expected",
    [
        ('{"env": ["ENABLE_PREFIX_DELEGATION=true"]}', "env must be a mapping of variable names to values, not a list"),
        ("env: true", "env must be a mapping of variable names to values, not a boolean"),
        ("[1, 2]", "must be a JSON or YAML object, not a list"),
        ("just text", "must be a JSON or YAML object, not a string"),
    ],
)
def test_addon_configuration_values_of_the_wrong_shape(values, expected):
    cfg = config(addons=[{"name": "vpc-cni", "configurationValues": values}])
    assert problems(cfg).split("\n")[1:] == [f"  addons[0].configurationValues: {expected}"]


# ---------------------------------------------------------------- subnets
EXISTING_VPC = {
    "id": "vpc-0123456789abcdef0",
    "subnets": {
        "public": {
            "us-east-1a": {"id": "subnet-0a1b2c3d4e5f60001", "cidr": "192.168.0.0/19"},
            "us-east-1b": {"id": "subnet-0a1b2c3d4e5f60002"},
        },
        "private": {
            "first": {"id": "subnet-0a1b2c3d4e5f60003", "az": "us-east-1a"},
            "second": {"id": "subnet-0a1b2c3d4e5f60004", "az": "us-east-1b", "cidr": "192.168.96.0/19"},
        },
    },
}


def test_existing_subnets_keyed_by_name_with_az_and_their_cidrs_kept_as_checks():
    converted = eksctl_config(config(vpc=EXISTING_VPC))
    assert converted["vpc"]["availability_zones"] == ["us-east-1a", "us-east-1b"]
    assert converted["vpc"]["subnet_ids"] == {
        "public": {"us-east-1a": "subnet-0a1b2c3d4e5f60001", "us-east-1b": "subnet-0a1b2c3d4e5f60002"},
        "private": {"us-east-1a": "subnet-0a1b2c3d4e5f60003", "us-east-1b": "subnet-0a1b2c3d4e5f60004"},
    }
    # eksctl compares a CIDR given with an id to the subnet's own: the CIDR is carried, never dropped.
    assert converted["source"]["subnet_cidrs"] == {
        "public": {"us-east-1a": "192.168.0.0/19"},
        "private": {"us-east-1b": "192.168.96.0/19"},
    }
    assert converted["source"]["paths"]["vpc.subnet_ids.private.us-east-1a"] == "vpc.subnets.private.first.id"


def test_no_subnet_cidr_checks_without_a_cidr_given_with_an_id():
    cfg = config(vpc={"subnets": {"public": {"a": {"az": "us-east-1a", "cidr": "192.168.0.0/19"}}}})
    assert "subnet_cidrs" not in eksctl_config(cfg, errors="return").get("source", {})


def test_new_subnets_keyed_by_name_with_az():
    cfg = config(
        vpc={
            "subnets": {
                "public": {"pub-a": {"az": "us-east-1a", "cidr": "192.168.0.0/19"}},
                "private": {"priv-b": {"az": "us-east-1b", "cidr": "192.168.96.0/19"}},
            }
        }
    )
    converted = eksctl_config(cfg)
    assert converted["vpc"]["subnets"] == {
        "public": {"us-east-1a": "192.168.0.0/19"},
        "private": {"us-east-1b": "192.168.96.0/19"},
    }


@pytest.mark.parametrize(
    "key, spec, expected",
    [
        (
            "mysubnet",
            {"id": "subnet-0a1b2c3d4e5f60001"},
            "vpc.subnets.public.mysubnet: 'mysubnet' is not an availability zone name: a subnet keyed by a name of "
            "your own needs az (the availability zone it is in)",
        ),
        (
            "mysubnet",
            {"id": "subnet-0a1b2c3d4e5f60001", "az": "east"},
            "vpc.subnets.public.mysubnet.az: 'east' is not an availability zone name such as us-east-1a",
        ),
        (
            "edge",
            {"id": "subnet-0a1b2c3d4e5f60001", "az": "us-east-1-bos-1a"},
            "vpc.subnets.public.edge.az: us-east-1-bos-1a is a local zone: local zones are not supported by aews.eks yet",
        ),
        (
            "us-east-1a",
            {"id": "subnet-0a1b2c3d4e5f60001", "cidr": "10.0.0.300/19"},
            "vpc.subnets.public.us-east-1a.cidr: '10.0.0.300/19' is not a CIDR block such as 10.0.0.0/19",
        ),
    ],
)
def test_subnet_names_and_zones(key, spec, expected):
    cfg = config(vpc={"id": "vpc-0123456789abcdef0", "subnets": {"public": {key: spec}}})
    message = problems(cfg)
    assert f"\n  {expected}" in message
    if "local zone" not in expected:
        assert "local zone" not in message


def test_every_part_of_the_definition_with_a_problem_is_reported_in_one_run():
    cfg = config(
        kubernetesNetworkConfig={"serviceIPv4CIDR": "192.168.0.0/20"},
        managedNodeGroups=[
            {"name": "one", "ssh": {"allow": True, "sourceSecurityGroupIds": ["sg-1"]}},
            {"name": "two"},
            {"name": "three", "labels": {"tier": ""}},
        ],
    )
    lines = problems(cfg).split("\n")[1:]
    assert len(lines) == 3, lines
    assert lines[0].startswith("  kubernetesNetworkConfig.serviceIPv4CIDR: 192.168.0.0/20 overlaps the VPC CIDR")
    assert (
        lines[1] == "  managedNodeGroups[0].ssh.sourceSecurityGroupIds[0]: 'sg-1' is not a security group ID (sg-...)"
    )
    # After nodegroups[0] is left out of the check, the third nodegroup is still named by its own index.
    assert lines[2] == "  managedNodeGroups[2].labels.tier: the label value is 0 characters; EKS takes 1 to 63"


def _unsupported_paths(type_name="ClusterConfig", prefix="", seen=()):
    from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import SCHEMA

    for key, prop in SCHEMA[type_name].items():
        item = prop.type[1] if isinstance(prop.type, tuple) else prop.type
        path = f"{prefix}{key}{'[]' if isinstance(prop.type, tuple) and prop.type[0] == 'list' else ''}"
        if prop.neutral is not None:
            yield path
        elif isinstance(item, str) and item in SCHEMA and item not in seen:
            yield from _unsupported_paths(item, f"{path}.", seen + (item,))


def test_every_unsupported_key_is_listed_in_the_migration_guide_with_a_reason():
    text = (ROOT / "docs" / "eksctl-migration.md").read_text()
    section = text[text.index("### Not supported yet") : text.index("## kubeconfig")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    paths = list(_unsupported_paths())
    assert "nodeGroups[].containerRuntime" in paths and "iam.podIdentityAssociations[].roleARN" not in paths, paths
    assert "nodeGroups[]" not in paths and "nodeGroups[].preBootstrapCommands" not in paths
    assert "privateCluster.enabled" not in paths and "accessConfig.accessEntries[]" not in paths
    assert "autoModeConfig.enabled" not in paths and "identityProviders[]" not in paths
    for path in paths:
        parts = path.split(".")
        # The row names the full path, or its end after the full path of a sibling in the same row.
        names = [f"`{path}"] + [f"`.{'.'.join(parts[i:])}" for i in range(1, len(parts))] + [f"`{parts[-1]}`"]
        listed = [row for row in rows if any(name in row for name in names)]
        assert listed, path
        assert listed[0].rstrip(" |").rsplit("|", 1)[-1].strip(), f"{path}: no reason given"
