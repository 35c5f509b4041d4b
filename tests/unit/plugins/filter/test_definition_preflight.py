"""The checks of eks_definition_check on AWS's answers given as literals (pure), with the paths they name."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message
from ansible_collections.aews.eks.plugins.module_utils._eks.preflight import check_addons
from ansible_collections.aews.eks.plugins.module_utils._eks.preflight import check_downgrade
from ansible_collections.aews.eks.plugins.module_utils._eks.preflight import check_instance_types
from ansible_collections.aews.eks.plugins.module_utils._eks.preflight import check_version

VERSIONS = [
    {"clusterVersion": "1.31", "status": "STANDARD_SUPPORT"},
    {"clusterVersion": "1.32", "status": "STANDARD_SUPPORT", "defaultVersion": True},
    {"clusterVersion": "1.24", "status": "UNSUPPORTED"},
]
EKSCTL_PATHS = {"version": "metadata.version", "nodegroups[0]": "managedNodeGroups[0]",
                "nodegroups[0].instance_types": "managedNodeGroups[0].instanceType",
                "nodegroups[0].instance_types[0]": "managedNodeGroups[0].instanceType"}  # fmt: skip


def shown(problems, paths=None):
    return [message(path, problem, paths) for path, problem in problems]


def test_version_offered_or_named_with_what_to_do():
    problems = []
    assert check_version({"version": "1.32"}, VERSIONS, problems) == "1.32" and problems == []
    assert check_version({"version": None}, VERSIONS, problems) == "1.32"
    assert check_version({"version": "1.24"}, VERSIONS, problems) is None
    assert shown(problems) == [
        "aews_eks_cluster.version: EKS does not offer Kubernetes 1.24; it offers 1.31, 1.32: set version to one of them"
    ]
    assert shown(problems, EKSCTL_PATHS) == [
        "metadata.version: EKS does not offer Kubernetes 1.24; it offers 1.31, 1.32: set metadata.version to one of them"
    ]


def test_downgrade_says_to_set_the_clusters_version():
    problems = []
    check_downgrade({"name": "c1", "version": "1.33"}, {"version": "1.33"}, problems)
    check_downgrade({"name": "c1", "version": "1.33"}, None, problems)
    check_downgrade({"name": "c1", "version": "1.34"}, {"version": "1.33"}, problems)
    assert problems == []
    check_downgrade({"name": "c1", "version": "1.9"}, {"version": "1.10"}, problems)
    assert shown(problems, EKSCTL_PATHS) == [
        "metadata.version: cannot downgrade the cluster c1 from 1.10 to 1.9 (EKS only upgrades); if it was upgraded "
        "with playbooks/upgrade.yml, set metadata.version in the definition to the cluster's version 1.10"
    ]


CATALOGUE = [
    {
        "addonName": "vpc-cni",
        "addonVersions": [
            {"addonVersion": "v1.19.2-eksbuild.1", "compatibilities": [{"clusterVersion": "1.32", "defaultVersion": True}]},
            {"addonVersion": "v1.20.0-eksbuild.1", "compatibilities": [{"clusterVersion": "1.32"}]},
        ],
    },
    {"addonName": "coredns", "addonVersions": [{"addonVersion": "v1.11.4-eksbuild.2",
                                                "compatibilities": [{"clusterVersion": "1.31"}]}]},
]  # fmt: skip


def test_addons_and_versions_offered():
    definition = {
        "addons": [
            {"name": "vpc-cni", "version": "default"},
            {"name": "vpc-cni-typo", "version": "default"},
            {"name": "vpc-cni", "version": "v1.20"},
            {"name": "vpc-cni", "version": "v1.18.0-eksbuild.1"},
            {"name": "coredns", "version": "default"},
        ]
    }
    problems = []
    resolved = check_addons(definition, "1.32", CATALOGUE, problems)
    assert resolved == {0: "v1.19.2-eksbuild.1", 2: "v1.20.0-eksbuild.1"}
    assert [problem[0] for problem in problems] == ["addons[1].name", "addons[3].version", "addons[4].name"]
    assert "(did you mean vpc-cni?)" in problems[0][1]
    assert (
        "in v1.20.0-eksbuild.1, v1.19.2-eksbuild.1 (default): set addons[3].version to one of them"
        in shown(problems)[1]
    )
    # coredns exists, but not for 1.32: EKS offers no coredns for this Kubernetes version.
    assert problems[2][1].startswith("EKS offers no add-on 'coredns' for Kubernetes 1.32")


T3_MEDIUM = {
    "InstanceType": "t3.medium",
    "Hypervisor": "nitro",
    "VCpuInfo": {"DefaultVCpus": 2},
    "NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 6},
}


def test_instance_types_exist_and_max_pods_fit():
    definition = {
        "region": "ap-northeast-2",
        "addons_config": {"prefix_delegation": False},
        "nodegroups": [{"name": "ng1", "instance_types": ["t3.medum"], "max_pods": None},
                       {"name": "ng2", "instance_types": ["t3.medium"], "max_pods": 18},
                       {"name": "ng3", "instance_types": ["t3.medium"], "max_pods": 17}],
    }  # fmt: skip
    problems = []
    check_instance_types(definition, {"t3.medum": None, "t3.medium": T3_MEDIUM}, problems)
    assert shown(problems, EKSCTL_PATHS)[0] == (
        "managedNodeGroups[0].instanceType: EC2 has no instance type 't3.medum' in ap-northeast-2 (nodegroup ng1): "
        "use an instance type such as m5.large (aws ec2 describe-instance-types)"
    )
    assert shown(problems)[1] == (
        "aews_eks_cluster.nodegroups[1].max_pods: 18 is above the 17 pods a t3.medium node can run without "
        "addons_config.prefix_delegation (VPC CNI limits): set it to 17 or less, or leave it out"
    )
    assert len(problems) == 2
    definition["addons_config"]["prefix_delegation"] = True
    problems = []
    check_instance_types(definition, {"t3.medum": T3_MEDIUM, "t3.medium": T3_MEDIUM}, problems)
    assert problems == []
