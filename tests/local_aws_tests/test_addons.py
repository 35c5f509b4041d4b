"""Add-ons, their catalogue and configuration schemas on the local endpoint, every response checked against botocore."""

from __future__ import annotations

import json

import pytest

from local_aws.catalogue import ADDON_NAMES
from local_aws.catalogue import CLUSTER_VERSIONS
from local_aws_tests.helpers import error_of
from local_aws_tests.helpers import wait_for
from local_aws_tests.helpers import wait_gone

REQUIRED_ADDONS = [
    "vpc-cni",
    "kube-proxy",
    "coredns",
    "aws-ebs-csi-driver",
    "aws-guardduty-agent",
    "eks-pod-identity-agent",
    "metrics-server",
]


def _addon(eks, name, wanted):
    return wait_for(lambda: eks.describe_addon(clusterName="c1", addonName=name), ["addon", "status"], wanted)["addon"]


def test_catalogue_has_one_default_per_kubernetes_version(eks):
    addons = eks.describe_addon_versions()["addons"]
    assert sorted(a["addonName"] for a in addons) == sorted(REQUIRED_ADDONS)
    for addon in addons:
        assert len(addon["addonVersions"]) >= 2, addon["addonName"]
        for k8s in CLUSTER_VERSIONS:
            defaults = [
                v["addonVersion"]
                for v in addon["addonVersions"]
                for c in v["compatibilities"]
                if c["clusterVersion"] == k8s and c["defaultVersion"]
            ]
            assert len(defaults) == 1, (addon["addonName"], k8s, defaults)
    vpc_cni = eks.describe_addon_versions(addonName="vpc-cni")["addons"]
    versions = [v["addonVersion"] for v in vpc_cni[0]["addonVersions"]]
    assert {"v1.19.0-eksbuild.1", "v1.19.2-eksbuild.1", "v1.20.4-eksbuild.2"} <= set(versions)
    for_128 = eks.describe_addon_versions(addonName="vpc-cni", kubernetesVersion="1.28")["addons"][0]
    assert "v1.20.4-eksbuild.2" not in [v["addonVersion"] for v in for_128["addonVersions"]]
    kube_proxy = eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.33")["addons"][0]
    assert all(v["addonVersion"].startswith("v1.33.") for v in kube_proxy["addonVersions"])
    assert eks.describe_addon_versions(addonName="nothing")["addons"] == []
    page = eks.describe_addon_versions(maxResults=3)
    assert len(page["addons"]) == 3 and page["nextToken"]


@pytest.mark.parametrize("name", ADDON_NAMES)
def test_every_addon_version_has_a_schema(eks, name):
    info = eks.describe_addon_versions(addonName=name)["addons"][0]
    for version in info["addonVersions"]:
        response = eks.describe_addon_configuration(addonName=name, addonVersion=version["addonVersion"])
        schema = json.loads(response["configurationSchema"])
        root = schema["definitions"][schema["$ref"].split("/")[-1]]
        assert root["additionalProperties"] is False


def test_vpc_cni_schema(eks):
    response = eks.describe_addon_configuration(addonName="vpc-cni", addonVersion="v1.19.2-eksbuild.1")
    schema = json.loads(response["configurationSchema"])
    root = schema["definitions"][schema["$ref"].split("/")[-1]]
    env = root["properties"]["env"]
    assert env["additionalProperties"] is False
    assert {"ENABLE_PREFIX_DELEGATION", "WARM_PREFIX_TARGET"} <= set(env["properties"])
    assert response["podIdentityConfiguration"] == [
        {"serviceAccount": "aws-node", "recommendedManagedPolicies": ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]}
    ]


def test_addon_lifecycle(eks, active_cluster, raw_eks, iam):
    role = iam.create_role(RoleName="cni", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    config = json.dumps({"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}})
    addon = eks.create_addon(
        clusterName="c1",
        addonName="vpc-cni",
        addonVersion="v1.19.2-eksbuild.1",
        serviceAccountRoleArn=role,
        configurationValues=config,
        resolveConflicts="OVERWRITE",
        tags={"a": "1"},
    )["addon"]
    assert addon["status"] == "CREATING" and addon["configurationValues"] == config
    assert addon["serviceAccountRoleArn"] == role and addon["tags"] == {"a": "1"}
    _addon(eks, "vpc-cni", ["ACTIVE"])
    assert eks.list_addons(clusterName="c1")["addons"] == ["vpc-cni"]

    update = eks.update_addon(
        clusterName="c1",
        addonName="vpc-cni",
        addonVersion="v1.19.6-eksbuild.7",
        configurationValues=json.dumps({"env": {"WARM_PREFIX_TARGET": "2"}}),
    )["update"]
    assert update["type"] == "AddonUpdate"
    assert {"type": "AddonVersion", "value": "v1.19.6-eksbuild.7"} in update["params"]
    assert eks.describe_addon(clusterName="c1", addonName="vpc-cni")["addon"]["status"] == "UPDATING"
    assert error_of(lambda: raw_eks.update_addon(clusterName="c1", addonName="vpc-cni")) == (
        "ResourceInUseException",
        409,
    )
    wait_for(
        lambda: eks.describe_update(name="c1", updateId=update["id"], addonName="vpc-cni"),
        ["update", "status"],
        ["Successful"],
    )
    addon = _addon(eks, "vpc-cni", ["ACTIVE"])
    assert addon["addonVersion"] == "v1.19.6-eksbuild.7"
    assert json.loads(addon["configurationValues"]) == {"env": {"WARM_PREFIX_TARGET": "2"}}
    assert eks.list_updates(name="c1", addonName="vpc-cni")["updateIds"] == [update["id"]]

    arn = addon["addonArn"]
    eks.tag_resource(resourceArn=arn, tags={"b": "2"})
    eks.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}

    assert eks.delete_addon(clusterName="c1", addonName="vpc-cni", preserve=True)["addon"]["status"] == "DELETING"
    wait_gone(lambda: raw_eks.describe_addon(clusterName="c1", addonName="vpc-cni"))
    assert eks.list_addons(clusterName="c1")["addons"] == []


def test_addon_default_version_and_validation(eks, active_cluster, raw_eks):
    addon = eks.create_addon(clusterName="c1", addonName="kube-proxy")["addon"]
    info = eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.32")["addons"][0]
    default = [
        v["addonVersion"]
        for v in info["addonVersions"]
        if any(c["clusterVersion"] == "1.32" and c["defaultVersion"] for c in v["compatibilities"])
    ]
    assert [addon["addonVersion"]] == default
    assert error_of(lambda: raw_eks.create_addon(clusterName="c1", addonName="kube-proxy")) == (
        "ResourceInUseException",
        409,
    )
    bad = [
        {"addonName": "vpc-cni", "configurationValues": json.dumps({"env": {"NOT_A_SETTING": "1"}})},
        {"addonName": "vpc-cni", "configurationValues": json.dumps({"unknown": True})},
        {"addonName": "vpc-cni", "configurationValues": json.dumps({"env": {"ENABLE_PREFIX_DELEGATION": "yes"}})},
        {"addonName": "vpc-cni", "configurationValues": "- not an object"},
        {"addonName": "coredns", "addonVersion": "v1.10.1-eksbuild.18"},  # for 1.28 only
        {"addonName": "coredns", "addonVersion": "v9.9.9-eksbuild.1"},
        {"addonName": "no-such-addon"},
    ]
    for params in bad:
        assert error_of(lambda: raw_eks.create_addon(clusterName="c1", **params)) == (
            "InvalidParameterException",
            400,
        ), params
    with pytest.raises(raw_eks.exceptions.InvalidParameterException, match=r"\$\.env\.NOT_A_SETTING: is not defined"):
        raw_eks.create_addon(
            clusterName="c1", addonName="vpc-cni", configurationValues=json.dumps({"env": {"NOT_A_SETTING": "1"}})
        )
    # YAML configuration values are accepted as EKS accepts them.
    eks.create_addon(clusterName="c1", addonName="coredns", configurationValues="replicaCount: 3\n")
    _addon(eks, "kube-proxy", ["ACTIVE"])
    assert error_of(
        lambda: raw_eks.update_addon(clusterName="c1", addonName="kube-proxy", configurationValues='{"mode": "fast"}')
    ) == ("InvalidParameterException", 400)


def test_coredns_is_degraded_until_nodes_exist(eks, active_cluster, network):
    eks.create_addon(clusterName="c1", addonName="coredns")
    addon = _addon(eks, "coredns", ["DEGRADED"])
    assert addon["health"]["issues"][0]["code"] == "InsufficientNumberOfReplicas"
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
    )
    wait_for(lambda: eks.describe_nodegroup(clusterName="c1", nodegroupName="ng"), ["nodegroup", "status"], ["ACTIVE"])
    addon = eks.describe_addon(clusterName="c1", addonName="coredns")["addon"]
    assert (addon["status"], addon["health"]) == ("ACTIVE", {"issues": []})
    eks.create_addon(clusterName="c1", addonName="metrics-server")
    assert _addon(eks, "metrics-server", ["ACTIVE", "DEGRADED"])["status"] == "ACTIVE"


def test_addon_pod_identity_associations(eks, active_cluster, iam, raw_eks):
    role = iam.create_role(RoleName="ebs", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    addon = eks.create_addon(
        clusterName="c1",
        addonName="aws-ebs-csi-driver",
        podIdentityAssociations=[{"serviceAccount": "ebs-csi-controller-sa", "roleArn": role}],
    )["addon"]
    assert len(addon["podIdentityAssociations"]) == 1
    associations = eks.list_pod_identity_associations(clusterName="c1")["associations"]
    assert associations[0]["serviceAccount"] == "ebs-csi-controller-sa"
    assert associations[0]["ownerArn"] == addon["addonArn"]
    assert error_of(
        lambda: raw_eks.delete_pod_identity_association(
            clusterName="c1", associationId=associations[0]["associationId"]
        )
    ) == ("InvalidRequestException", 400)
    assert error_of(
        lambda: raw_eks.create_addon(
            clusterName="c1",
            addonName="vpc-cni",
            podIdentityAssociations=[{"serviceAccount": "wrong-sa", "roleArn": role}],
        )
    ) == ("InvalidParameterException", 400)
