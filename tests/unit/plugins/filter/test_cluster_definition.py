"""The cluster definition filter: eksctl's defaults and the cross-field checks, each naming its field."""

from __future__ import annotations

import copy
import re

import pytest
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import ami_type
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import split

ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES}}


# An IPv6 cluster in an adopted VPC, as EKS wants it.
IPV6 = {
    "kubernetes_network": {"ip_family": "ipv6"},
    "iam": {"with_oidc": True},
    "vpc": {
        "id": "vpc-0123456789abcdef0",
        "availability_zones": ZONES,
        "subnet_ids": {
            "public": {ZONES[0]: "subnet-0000000000000000a", ZONES[1]: "subnet-0000000000000000b"},
            "private": {ZONES[0]: "subnet-0000000000000000c", ZONES[1]: "subnet-0000000000000000d"},
        },
    },
}


def with_(**changes):
    definition = copy.deepcopy(BASE)
    definition.update(changes)
    return definition


def test_defaults_are_eksctls():
    result = normalize(with_(nodegroups=[{"name": "ng"}]))
    assert result["vpc"]["cidr"] == "192.168.0.0/16"
    assert result["vpc"]["nat"] == "single"
    assert result["vpc"]["subnets"]["public"] == {
        "ap-northeast-2a": "192.168.0.0/19",
        "ap-northeast-2c": "192.168.32.0/19",
    }
    assert result["endpoint"] == {"public_access": True, "private_access": False, "public_access_cidrs": ["0.0.0.0/0"]}
    assert result["iam"]["with_oidc"] is False and result["iam"]["vpc_resource_controller_policy"] is True
    ng = result["nodegroups"][0]
    assert (ng["min_size"], ng["desired_size"], ng["max_size"]) == (2, 2, 2)
    assert ng["instance_types"] == ["m5.large"] and ng["ami_type"] == "AL2023_x86_64_STANDARD"
    assert ng["volume"] == {
        "size": 80,
        "type": "gp3",
        "iops": 3000,
        "throughput": 125,
        "encrypted": False,
        "kms_key_id": None,
    }
    assert ng["imds"] == {"disable_imdsv1": True, "disable_pod_imds": False, "hop_limit": 2}
    assert ng["labels"] == {"alpha.eksctl.io/cluster-name": "c1", "alpha.eksctl.io/nodegroup-name": "ng"}
    assert "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" in ng["node_role"]["managed_policy_arns"]
    assert [a["name"] for a in result["addons"]] == ["vpc-cni", "kube-proxy", "coredns", "metrics-server"]
    assert [a["wait"] for a in result["addons"]] == ["created", "created", "created", "active"]


def test_oidc_moves_the_cni_policy_to_an_irsa_role():
    result = normalize(with_(iam={"with_oidc": True}, nodegroups=[{"name": "ng"}]))
    assert (
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
        not in result["nodegroups"][0]["node_role"]["managed_policy_arns"]
    )
    cni = result["addons"][0]
    assert cni["service_account_role"]["needed"] and cni["service_account_role"]["well_known_policies"] == ["vpc-cni"]
    assert cni["service_account_role"]["service_account"] == "aws-node"


def test_prefix_delegation_sets_vpc_cni_configuration():
    result = normalize(with_(addons_config={"prefix_delegation": True}))
    assert result["addons"][0]["configuration_values"] == {
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
    }


def test_pod_imds_off_means_hop_limit_one():
    result = normalize(with_(nodegroups=[{"name": "ng", "imds": {"disable_pod_imds": True}}]))
    assert result["nodegroups"][0]["imds"]["hop_limit"] == 1


@pytest.mark.parametrize(
    "family, types, expected",
    [
        ("AmazonLinux2023", ["t3.medium"], "AL2023_x86_64_STANDARD"),
        ("AmazonLinux2023", ["m7g.large"], "AL2023_ARM_64_STANDARD"),
        ("AmazonLinux2023", ["g5.xlarge"], "AL2023_x86_64_NVIDIA"),
        ("AmazonLinux2", ["c6gn.large"], "AL2_ARM_64"),
        ("Bottlerocket", ["m5.large"], "BOTTLEROCKET_x86_64"),
        ("Windows2022", ["m5.large"], "WINDOWS_CORE_2022_x86_64"),
    ],
)
def test_ami_type(family, types, expected):
    assert ami_type(family, types) == expected


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"nodegroups": [{"name": "ng", "min_size": 3, "desired_size": 2, "max_size": 4}]}, "nodegroups[0].desired_size: 2 is below nodegroups[0].min_size 3"),
        ({"nodegroups": [{"name": "ng", "desired_size": 5, "max_size": 4}]}, "nodegroups[0].desired_size: 5 is above nodegroups[0].max_size 4"),
        ({"nodegroups": [{"name": "ng", "volume": {"iops": 2000}}]}, "nodegroups[0].volume.iops"),
        ({"nodegroups": [{"name": "ng", "volume": {"iops": 16001}}]}, "nodegroups[0].volume.iops"),
        ({"nodegroups": [{"name": "ng", "volume": {"throughput": 1001}}]}, "nodegroups[0].volume.throughput"),
        ({"nodegroups": [{"name": "ng", "volume": {"type": "gp2", "throughput": 200}}]}, "volume.throughput"),
        ({"nodegroups": [{"name": "ng"}, {"name": "ng"}]}, "nodegroups[1].name: ng is already the name of nodegroups[0]"),
        ({"vpc": {"availability_zones": ["ap-northeast-2a"]}}, "vpc.availability_zones: at least 2"),
        ({"vpc": {"availability_zones": ["us-east-1a", "us-east-1b"]}}, "vpc.availability_zones[0]: us-east-1a is not a zone of region ap-northeast-2"),
        ({"vpc": {"cidr": "10.0.0.0/12", "availability_zones": ZONES}}, "vpc.cidr"),
        (
            {"vpc": {"cidr": "10.0.0.0/16", "availability_zones": ZONES, "subnets": {"public": {ZONES[0]: "10.1.0.0/24"}}}},
            "vpc.subnets.public.ap-northeast-2a: 10.1.0.0/24 is not inside",
        ),
        (
            {"vpc": {"cidr": "10.0.0.0/16", "availability_zones": ZONES,
                     "subnets": {"public": {ZONES[0]: "10.0.0.0/24", ZONES[1]: "10.0.0.128/25"}}}},
            "vpc.subnets.public.ap-northeast-2c: 10.0.0.128/25 overlaps",
        ),
        ({"logging": {"types": ["api", "kubelet"]}}, "logging.types"),
        ({"logging": {"types": ["api"], "retention_days": 8}}, "logging.retention_days"),
        ({"endpoint": {"public_access": False, "private_access": False}}, "endpoint: public_access and private_access"),
        ({"iam": {"service_accounts": [{"namespace": "a", "name": "b"}]}}, "iam.service_accounts: IAM roles"),
        ({"version": "1.33", "nodegroups": [{"name": "ng", "ami_family": "AmazonLinux2"}]}, "nodegroups[0].ami_family"),
        ({"addons_config": {"prefix_delegation": True}, "addons": [{"name": "coredns"}]}, "addons_config.prefix_delegation"),
        ({"name": "-bad"}, "aews_eks_cluster.name"),
        (
            {"version": "1.32", "nodegroups": [{"name": "ng", "ami_family": "AmazonLinux2", "max_pods": 50}]},
            "nodegroups[0].max_pods: is set through the launch template for AmazonLinux2023 and Bottlerocket nodes "
            "only, not AL2_x86_64",
        ),
        (
            {"nodegroups": [{"name": "ng", "ami_family": "Windows2022", "max_pods": 50}]},
            "nodegroups[0].max_pods: is set through the launch template",
        ),
        (
            {"kubernetes_network": {"ip_family": "ipv6"}, "iam": {"with_oidc": True}},
            "kubernetes_network.ip_family: ipv6 needs a VPC with IPv6 subnets, which the vpc role does not build",
        ),
        ({**IPV6, "iam": {"with_oidc": False}}, "kubernetes_network.ip_family: ipv6 needs iam.with_oidc true"),
        (
            {**IPV6, "addons": [{"name": "vpc-cni"}, {"name": "kube-proxy"}]},
            "kubernetes_network.ip_family: ipv6 needs the add-ons vpc-cni, kube-proxy and coredns; addons lacks coredns",
        ),
        ({**IPV6, "version": "1.20"}, "kubernetes_network.ip_family: ipv6 needs Kubernetes 1.21 or later, not 1.20"),
        (
            {**IPV6, "kubernetes_network": {"ip_family": "ipv6", "service_ipv4_cidr": "10.100.0.0/16"}},
            "kubernetes_network.service_ipv4_cidr: is for ipv4 clusters",
        ),
    ],
)  # fmt: skip
def test_bad_definitions_name_the_field(changes, message):
    with pytest.raises(DefinitionError, match=re.escape(message)):
        normalize(with_(**changes))


def test_zones_are_left_to_the_caller_when_none_are_given():
    definition = {"name": "c1", "region": "ap-northeast-2"}
    assert normalize(definition)["vpc"]["availability_zones"] is None
    result = normalize(definition, availability_zones=["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"])
    assert result["vpc"]["availability_zones"] == ["ap-northeast-2a", "ap-northeast-2b"]


@pytest.mark.parametrize(
    "cidr, zones, prefix, public0, private0",
    [
        ("172.20.0.0/16", 2, None, "172.20.0.0/19", "172.20.64.0/19"),
        ("192.168.0.0/16", 3, None, "192.168.0.0/19", "192.168.96.0/19"),
        ("192.168.0.0/16", 4, None, "192.168.0.0/19", "192.168.128.0/19"),
        ("192.168.0.0/16", 5, None, "192.168.0.0/20", "192.168.80.0/20"),
        ("10.0.0.0/24", 2, None, "10.0.0.0/27", "10.0.0.64/27"),
        ("10.0.0.0/16", 2, 24, "10.0.0.0/24", "10.0.2.0/24"),
    ],
)
def test_split(cidr, zones, prefix, public0, private0):
    names = [f"z{i}" for i in range(zones)]
    result = split(cidr, names, prefix)
    assert result["public"]["z0"] == public0 and result["private"]["z0"] == private0
    assert len(set(result["public"].values()) | set(result["private"].values())) == 2 * zones


@pytest.mark.parametrize(
    "cidr, zones, prefix, message",
    [
        ("10.0.0.0/16", 9, None, "more than 16"),
        ("10.0.0.0/24", 2, 29, "/28"),
        ("10.0.0.0/16", 3, 18, "gives 4 subnets"),
        ("nonsense", 2, None, "vpc.cidr"),
    ],
)
def test_split_errors(cidr, zones, prefix, message):
    with pytest.raises(ValueError, match=message):
        split(cidr, [f"z{i}" for i in range(zones)], prefix)


@pytest.mark.parametrize("family", ["AmazonLinux2023", "Bottlerocket"])
def test_max_pods_on_the_families_that_take_it(family):
    ng = normalize(with_(nodegroups=[{"name": "ng", "ami_family": family, "max_pods": 50}]))["nodegroups"][0]
    assert ng["max_pods"] == 50


def test_ipv6_cluster_gets_the_ipv6_cni_policy_on_vpc_cni():
    result = normalize(with_(**IPV6))
    assert result["kubernetes_network"]["ip_family"] == "ipv6"
    cni = next(a for a in result["addons"] if a["name"] == "vpc-cni")
    assert cni["service_account_role"]["well_known_policies"] == ["vpc-cni-ipv6"]
    assert cni["service_account_role"]["needed"] is True


# ---------------------------------------------------------------- zones, files, secure defaults
US_EAST_1 = [
    {"zone_name": "us-east-1a", "zone_id": "use1-az6"},
    {"zone_name": "us-east-1b", "zone_id": "use1-az1"},
    {"zone_name": "us-east-1e", "zone_id": "use1-az3"},
]


def test_default_zones_skip_the_zones_eks_does_not_support():
    definition = {"name": "c1", "region": "us-east-1"}
    # use1-az3 (us-east-1e here) has no EKS capacity (eksctl's zoneIDsToAvoid): it is never picked.
    zones = [US_EAST_1[2], US_EAST_1[0], US_EAST_1[1]]
    assert normalize(definition, availability_zones=zones)["vpc"]["availability_zones"] == ["us-east-1a", "us-east-1b"]
    with pytest.raises(DefinitionError, match=re.escape("vpc.availability_zones: at least 2 zones are needed")):
        normalize(definition, availability_zones=[US_EAST_1[0], US_EAST_1[2]])
    # Zone names alone (no IDs) are taken as they are; other regions' lists do not apply.
    assert normalize(definition, availability_zones=["us-east-1e", "us-east-1f"])["vpc"]["availability_zones"] == [
        "us-east-1e",
        "us-east-1f",
    ]


def test_ssh_public_key_path_resolves_against_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id.pub").write_text("ssh-ed25519 AAAAC3Nza test\n")
    (tmp_path / "keys" / "id").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for path in ("keys/id.pub", "~/keys/id.pub", str(tmp_path / "keys" / "id.pub")):
        ng = normalize(with_(nodegroups=[{"name": "ng", "ssh": {"allow": True, "public_key_path": path}}]))
        assert ng["nodegroups"][0]["ssh"]["public_key_path"] == str(tmp_path / "keys" / "id.pub")
    with pytest.raises(DefinitionError, match=re.escape("is a private key: name its public key (the .pub file)")):
        normalize(with_(nodegroups=[{"name": "ng", "ssh": {"allow": True, "public_key_path": "keys/id"}}]))
    # Not checked when files are not to be read (teardown), only resolved.
    result = normalize(
        with_(nodegroups=[{"name": "ng", "ssh": {"allow": True, "public_key_path": "gone.pub"}}]), check_files=False
    )
    assert result["nodegroups"][0]["ssh"]["public_key_path"] == str(tmp_path / "gone.pub")


def test_user_path(tmp_path, monkeypatch):
    from ansible_collections.aews.eks.plugins.filter.cluster_definition import FilterModule

    user_path = FilterModule().filters()["user_path"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", "/home/someone")
    assert user_path("examples/x.yaml") == str(tmp_path / "examples" / "x.yaml")
    assert user_path("~/.kube/config") == "/home/someone/.kube/config"
    assert user_path("../x.yaml", base_dir="/a/b") == "/a/x.yaml"
    assert user_path("/etc/x") == "/etc/x"


def test_warnings_for_world_open_endpoint_and_ssh():
    result = normalize(with_(nodegroups=[{"name": "ng", "ssh": {"allow": True, "public_key": "ssh-ed25519 AAAA k"}}]))
    assert result["warnings"] == [
        "endpoint: the cluster's API endpoint is public to the whole internet (0.0.0.0/0); restrict it with "
        "endpoint.public_access_cidrs or use endpoint.private_access true and endpoint.public_access false",
        "nodegroups[0].ssh: SSH (tcp/22) to the nodes is open to the world (0.0.0.0/0); restrict it with "
        "nodegroups[0].ssh.source_security_group_ids or set nodegroups[0].ssh.allow false",
    ]
    quiet = normalize(
        with_(
            endpoint={"public_access_cidrs": ["203.0.113.0/24"]},
            nodegroups=[
                {"name": "ng", "ssh": {"allow": True, "public_key": "ssh-ed25519 AAAA k",
                                       "source_security_group_ids": ["sg-0123456789abcdef0"]}}
            ],
        )
    )  # fmt: skip
    assert quiet["warnings"] == []
    private = normalize(with_(endpoint={"public_access": False, "private_access": True}))
    assert private["warnings"] == []


@pytest.mark.parametrize(
    "imds, expected",
    [
        ({}, {"disable_imdsv1": True, "disable_pod_imds": False, "hop_limit": 2}),
        ({"disable_pod_imds": True}, {"disable_imdsv1": True, "disable_pod_imds": True, "hop_limit": 1}),
        # The user may turn IMDSv2-only off; pods stay off IMDS with hop limit 1.
        (
            {"disable_pod_imds": True, "disable_imdsv1": False},
            {"disable_imdsv1": False, "disable_pod_imds": True, "hop_limit": 1},
        ),
        ({"disable_imdsv1": False}, {"disable_imdsv1": False, "disable_pod_imds": False, "hop_limit": 2}),
    ],
)
def test_imds_defaults(imds, expected):
    assert normalize(with_(nodegroups=[{"name": "ng", "imds": imds}]))["nodegroups"][0]["imds"] == expected


def test_eksctl_paths_name_the_clusterconfig_fields(tmp_path):
    from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import convert

    config = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "c1", "region": "ap-northeast-2", "version": "1.33"},
        "managedNodeGroups": [
            {"name": "a", "instanceType": "t3.medium"},
            {"name": "b", "instanceTypes": ["m5.large"], "taints": [{"key": "k", "effect": "NoSchedule"}],
             "disablePodIMDS": True},
        ],
    }  # fmt: skip
    definition = convert(config)
    definition["nodegroups"][1]["taints"][0]["effect"] = "Never"
    with pytest.raises(DefinitionError) as info:
        normalize(definition, availability_zones=ZONES, base_dir=str(tmp_path))
    assert str(info.value).startswith("managedNodeGroups[1].taints[0].effect: 'Never' is not a taint effect")
