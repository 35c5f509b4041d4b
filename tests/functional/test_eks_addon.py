"""eks_addon and eks_addon_info against the local AWS endpoint: every change in four steps."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps as shared_four_steps
from four_steps import predicted
from module_runner import run_module

from ansible_collections.aews.eks.plugins.module_utils._eks import addon as addon_utils
from ansible_collections.aews.eks.plugins.module_utils._eks.waiters import wait

CLUSTER = "addons"
KUBERNETES = "1.31"

# From the endpoint's catalogue for Kubernetes 1.31 (newest first): the default is the second newest.
VPC_CNI = ["v1.20.4-eksbuild.2", "v1.19.6-eksbuild.7", "v1.19.2-eksbuild.1", "v1.19.0-eksbuild.1", "v1.18.6-eksbuild.1"]
VPC_CNI_DEFAULT = "v1.19.6-eksbuild.7"

# The running endpoint of the current test, set by the cluster fixture (four_steps reads its request log).
LOCAL_AWS = [None]

# What check mode predicts of an add-on as it will be once applied.
PREDICTED = predicted("name", "version", "configuration_values", "service_account_role_arn", "tags")


def eks():
    return boto3.client("eks")


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    """An ACTIVE Kubernetes 1.31 cluster, made directly with boto3; the endpoint's transitions sped up."""
    local_aws.post("/_aews/config", {"scale": 0.1})
    LOCAL_AWS[0] = local_aws
    client = eks()
    client.create_cluster(
        name=CLUSTER,
        version=KUBERNETES,
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
    )
    client.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120})
    yield CLUSTER
    # Put the endpoint's delays back for whatever runs next in this session.
    local_aws.post("/_aews/reset")


@pytest.fixture
def roles(local_aws):
    """IAM roles for add-on service accounts, by short name: {"cni": arn, "ebs-1": arn, ...}."""
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole"]}
        ],
    }
    return {
        name: iam.create_role(RoleName=f"addon-{name}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for name in ("cni", "ebs-csi", "ebs-1", "ebs-2")
    }


def run(params, check=False, diff=False, **kwargs):
    args = dict(cluster_name=CLUSTER, **params)
    return run_module("eks_addon", args, check_mode=check, diff=diff, **kwargs)


def info(params, **kwargs):
    return run_module("eks_addon_info", params, **kwargs)


def four_steps(params, aws_calls):
    """The shared four steps of eks_addon on CLUSTER, the endpoint's request log checked too; (predicted, applied)."""
    params = dict(cluster_name=CLUSTER, **params)
    return shared_four_steps("eks_addon", "addon", params, PREDICTED, aws_calls, local_aws=LOCAL_AWS[0])[:2]


def described(name):
    return eks().describe_addon(clusterName=CLUSTER, addonName=name)["addon"]


def create(name, **params):
    """Install an add-on directly with boto3 and wait until it is past CREATING (coredns stays DEGRADED)."""
    eks().create_addon(clusterName=CLUSTER, addonName=name, **params)
    wait(eks(), "addon_created", 60, f"add-on {name}", clusterName=CLUSTER, addonName=name)


# ---------------------------------------------------------------- create
def test_create_with_default_version(cluster, aws_calls):
    predicted, applied = four_steps({"name": "vpc-cni"}, aws_calls)
    assert predicted["addon"]["version"] == VPC_CNI_DEFAULT
    # The diff shows what the user controls: the predicted add-on's view, not AWS-set fields.
    assert predicted["diff"] == {"before": {}, "after": addon_utils.diff_view(predicted["addon"])}
    assert "status" not in predicted["diff"]["after"]
    assert applied["addon"]["status"] == "ACTIVE"
    assert applied["addon"]["version"] == VPC_CNI_DEFAULT
    assert applied["addon"]["arn"].startswith("arn:aws:eks:")
    assert described("vpc-cni")["addonVersion"] == VPC_CNI_DEFAULT


@pytest.mark.parametrize(
    "version, expected",
    [
        ("latest", VPC_CNI[0]),
        ("default", VPC_CNI_DEFAULT),
        ("v1.19", "v1.19.6-eksbuild.7"),
        ("v1.19.0", "v1.19.0-eksbuild.1"),
        ("v1.18.6-eksbuild.1", "v1.18.6-eksbuild.1"),
    ],
)
def test_create_resolves_the_version(cluster, aws_calls, version, expected):
    predicted, applied = four_steps({"name": "vpc-cni", "version": version}, aws_calls)
    assert predicted["addon"]["version"] == expected
    assert described("vpc-cni")["addonVersion"] == expected


def test_create_with_everything(cluster, roles, aws_calls):
    params = {
        "name": "aws-ebs-csi-driver",
        "version": "latest",
        "configuration_values": {"controller": {"replicaCount": 2}, "defaultStorageClass": {"enabled": True}},
        "service_account_role_arn": roles["ebs-csi"],
        "tags": {"team": "platform", "Name": "EBS"},
        "resolve_conflicts": "overwrite",
    }
    predicted, applied = four_steps(params, aws_calls)
    addon = applied["addon"]
    assert addon["version"] == "v1.48.0-eksbuild.2"
    assert addon["configuration_values"] == params["configuration_values"]
    assert addon["service_account_role_arn"] == roles["ebs-csi"]
    assert addon["tags"] == {"team": "platform", "Name": "EBS"}
    assert json.loads(described("aws-ebs-csi-driver")["configurationValues"]) == params["configuration_values"]


def test_coredns_created_without_nodes(cluster, aws_calls):
    predicted, applied = four_steps({"name": "coredns", "wait": "created"}, aws_calls)
    assert applied["addon"]["status"] == "DEGRADED"
    assert [i["code"] for i in applied["addon"]["health_issues"]] == ["InsufficientNumberOfReplicas"]


def test_wait_active_stops_at_once_on_degraded(cluster):
    # Without nodes coredns goes DEGRADED: waiting for ACTIVE ends there, not at the timeout.
    result = run({"name": "coredns", "wait": "active", "wait_timeout": 600}, expect_failure=True)
    assert "Stopped waiting for add-on coredns of cluster addons to be ACTIVE: it reached status DEGRADED" in (
        result["msg"]
    )
    assert "InsufficientNumberOfReplicas" in result["msg"]


def test_create_failed_is_reported(cluster, local_aws):
    local_aws.post("/_aews/inject", {"kind": "addon", "cluster": CLUSTER, "addon": "vpc-cni"})
    result = run({"name": "vpc-cni"}, expect_failure=True)
    assert "it reached status CREATE_FAILED: ConfigurationConflict" in result["msg"]
    assert result["details"][0]["code"] == "ConfigurationConflict"


def test_failed_update_is_reported(cluster, local_aws):
    create("vpc-cni", addonVersion="v1.19.0-eksbuild.1")
    local_aws.post("/_aews/inject", {"kind": "update", "cluster": CLUSTER, "addon": "vpc-cni"})
    result = run({"name": "vpc-cni", "version": "latest"}, expect_failure=True)
    assert "Stopped waiting for update" in result["msg"]
    assert "it reached status Failed: ConfigurationConflict" in result["msg"]


def test_wait_none_returns_at_once(cluster, local_aws):
    local_aws.post("/_aews/config", {"scale": 1.0, "delays": {"addon": 30}})
    result = run({"name": "kube-proxy", "wait": "none"})
    assert result["changed"] is True
    assert result["addon"]["status"] == "CREATING"
    assert run({"name": "kube-proxy", "wait": "none"})["changed"] is False


def test_update_waits_for_a_creation_in_progress(cluster, local_aws):
    local_aws.post("/_aews/config", {"scale": 1.0, "delays": {"addon": 2}})
    assert run({"name": "vpc-cni", "version": "v1.19.0", "wait": "none"})["addon"]["status"] == "CREATING"
    result = run({"name": "vpc-cni", "version": "v1.19.2"})
    assert result["changed"] is True
    assert result["addon"]["version"] == "v1.19.2-eksbuild.1"
    assert result["addon"]["status"] == "ACTIVE"


def test_update_waits_for_an_update_in_progress(cluster, local_aws):
    create("vpc-cni", addonVersion="v1.19.0-eksbuild.1")
    local_aws.post("/_aews/config", {"scale": 1.0, "delays": {"update": 2}})
    assert run({"name": "vpc-cni", "version": "v1.19.2", "wait": "none"})["addon"]["status"] == "UPDATING"
    result = run({"name": "vpc-cni", "version": "latest"})
    assert result["changed"] is True
    assert result["addon"]["version"] == VPC_CNI[0]
    updates = eks().list_updates(name=CLUSTER, addonName="vpc-cni")["updateIds"]
    statuses = [
        eks().describe_update(name=CLUSTER, updateId=u, addonName="vpc-cni")["update"]["status"] for u in updates
    ]
    assert statuses == ["Successful", "Successful"]


def test_delete_while_deleting_waits(cluster, aws_calls, local_aws):
    create("metrics-server")
    local_aws.post("/_aews/config", {"scale": 1.0, "delays": {"addon": 2}})
    eks().delete_addon(clusterName=CLUSTER, addonName="metrics-server")
    aws_calls.clear()
    result = run({"name": "metrics-server", "state": "absent"})
    assert result["changed"] is False
    assert aws_calls.mutating() == []
    assert eks().list_addons(clusterName=CLUSTER)["addons"] == []


# ---------------------------------------------------------------- failures before any change
@pytest.mark.parametrize(
    "params, message",
    [
        ({"name": "no-such-addon"}, "Unknown add-on 'no-such-addon'"),
        (
            {"name": "kube-proxy", "version": "v1.30.6-eksbuild.3"},
            "kube-proxy version 'v1.30.6-eksbuild.3' is not compatible with Kubernetes 1.31; "
            "compatible versions: v1.31.13-eksbuild.2, v1.31.2-eksbuild.3 (default)",
        ),
        ({"name": "vpc-cni", "version": "v1.17"}, "compatible versions: " + VPC_CNI[0]),
        (
            {"name": "vpc-cni", "configuration_values": {"env": {"WARM_PREFIX_TARGET": 1}}},
            "configuration_values.env.WARM_PREFIX_TARGET: 1 is not of type 'string'",
        ),
        (
            {"name": "vpc-cni", "configuration_values": "env:\n  NO_SUCH_SETTING: 'true'\n"},
            "configuration_values.env.NO_SUCH_SETTING: unknown key",
        ),
        (
            {"name": "coredns", "configuration_values": '{"replicaCount": 0}'},
            "configuration_values.replicaCount: 0 is less than the minimum of 1",
        ),
        ({"name": "coredns", "configuration_values": "[1, 2]"}, "configuration_values must be a mapping"),
        (
            {
                "name": "aws-ebs-csi-driver",
                "pod_identity_associations": [
                    {"service_account": "ebs-csi-node-sa", "role_arn": "arn:aws:iam::123456789012:role/ebs"}
                ],
            },
            "pod_identity_associations[0].service_account: add-on aws-ebs-csi-driver v1.45.0-eksbuild.2 has no "
            "service account 'ebs-csi-node-sa'; it supports: ebs-csi-controller-sa",
        ),
        (
            {
                "name": "coredns",
                "pod_identity_associations": [
                    {"service_account": "coredns", "role_arn": "arn:aws:iam::123456789012:role/dns"}
                ],
            },
            "it supports no EKS Pod Identity association",
        ),
    ],
)
def test_bad_input_fails_before_any_change(cluster, aws_calls, params, message):
    aws_calls.clear()
    result = run(params, expect_failure=True)
    assert message in result["msg"]
    assert aws_calls.mutating() == []
    assert eks().list_addons(clusterName=CLUSTER)["addons"] == []


def test_missing_cluster_fails(local_aws, aws_calls):
    result = run({"name": "vpc-cni"}, expect_failure=True)
    assert "Cluster addons does not exist" in result["msg"]
    assert aws_calls.mutating() == []


def test_downgrade_is_refused(cluster, aws_calls):
    create("vpc-cni", addonVersion="v1.19.6-eksbuild.7")
    aws_calls.clear()
    result = run({"name": "vpc-cni", "version": "v1.19.0"}, expect_failure=True)
    assert "Refusing to downgrade add-on vpc-cni from v1.19.6-eksbuild.7 to v1.19.0-eksbuild.1" in result["msg"]
    assert aws_calls.mutating() == []
    assert described("vpc-cni")["addonVersion"] == "v1.19.6-eksbuild.7"


# ---------------------------------------------------------------- updates in place
def test_update_version(cluster, aws_calls):
    create("vpc-cni", addonVersion="v1.19.0-eksbuild.1")
    predicted, applied = four_steps({"name": "vpc-cni", "version": "v1.19"}, aws_calls)
    assert predicted["diff"]["before"]["version"] == "v1.19.0-eksbuild.1"
    assert predicted["diff"]["after"]["version"] == "v1.19.6-eksbuild.7"
    assert [(c["action"], c["why"]) for c in predicted["changes"]] == [
        ("update", "version v1.19.0-eksbuild.1 -> v1.19.6-eksbuild.7")
    ]
    assert predicted["changes"][0]["params"]["addonVersion"] == "v1.19.6-eksbuild.7"
    assert applied["addon"]["status"] == "ACTIVE"
    assert described("vpc-cni")["addonVersion"] == "v1.19.6-eksbuild.7"
    updates = eks().list_updates(name=CLUSTER, addonName="vpc-cni")["updateIds"]
    assert len(updates) == 1
    update = eks().describe_update(name=CLUSTER, updateId=updates[0], addonName="vpc-cni")["update"]
    assert update["status"] == "Successful"


def test_omitted_version_is_left_as_is(cluster, aws_calls):
    create("vpc-cni", addonVersion="v1.18.6-eksbuild.1")
    aws_calls.clear()
    result = run({"name": "vpc-cni"})
    assert result["changed"] is False
    assert result["addon"]["version"] == "v1.18.6-eksbuild.1"
    assert aws_calls.mutating() == []


def test_update_configuration_values(cluster, aws_calls):
    create("vpc-cni", addonVersion=VPC_CNI_DEFAULT, configurationValues='{"env":{"WARM_IP_TARGET":"2"}}')
    wanted = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}
    predicted, applied = four_steps({"name": "vpc-cni", "configuration_values": wanted}, aws_calls)
    assert predicted["diff"]["before"]["configuration_values"] == {"env": {"WARM_IP_TARGET": "2"}}
    assert predicted["diff"]["after"]["configuration_values"] == wanted
    assert applied["addon"]["configuration_values"] == wanted
    assert json.loads(described("vpc-cni")["configurationValues"]) == wanted


@pytest.mark.parametrize(
    "same",
    [
        "env:\n  WARM_PREFIX_TARGET: '1'\n  ENABLE_PREFIX_DELEGATION: 'true'\n",
        '{"env": {"WARM_PREFIX_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "true"}}',
        {"env": {"WARM_PREFIX_TARGET": "1", "ENABLE_PREFIX_DELEGATION": "true"}},
    ],
)
def test_configuration_values_compared_by_meaning(cluster, aws_calls, same):
    create("vpc-cni", configurationValues="env:\n  ENABLE_PREFIX_DELEGATION: 'true'\n  WARM_PREFIX_TARGET: '1'\n")
    aws_calls.clear()
    assert run({"name": "vpc-cni", "configuration_values": same}, check=True)["changed"] is False
    result = run({"name": "vpc-cni", "configuration_values": same})
    assert result["changed"] is False
    assert result["addon"]["configuration_values"] == {
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
    }
    assert aws_calls.mutating() == []


def test_remove_configuration_values(cluster, aws_calls):
    create("coredns", configurationValues='{"replicaCount": 3}')
    predicted, applied = four_steps({"name": "coredns", "configuration_values": {}, "wait": "created"}, aws_calls)
    assert applied["addon"]["configuration_values"] == {}


def test_update_version_and_configuration_validates_against_the_new_version(cluster, aws_calls):
    # NETWORK_POLICY_ENFORCING_MODE only exists from v1.20 on: valid only together with the upgrade.
    create("vpc-cni", addonVersion=VPC_CNI_DEFAULT)
    wanted = {"env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}}
    failed = run({"name": "vpc-cni", "configuration_values": wanted}, expect_failure=True)
    assert "configuration_values.env.NETWORK_POLICY_ENFORCING_MODE: unknown key" in failed["msg"]
    predicted, applied = four_steps({"name": "vpc-cni", "version": "latest", "configuration_values": wanted}, aws_calls)
    assert [c["action"] for c in predicted["changes"]] == ["update"]
    assert sorted(predicted["changes"][0]["params"]) == [
        "addonName", "addonVersion", "clusterName", "configurationValues"
    ]  # fmt: skip
    assert applied["addon"]["version"] == VPC_CNI[0]
    assert applied["addon"]["configuration_values"] == wanted


def test_update_service_account_role(cluster, roles, aws_calls):
    create("vpc-cni")
    predicted, applied = four_steps(
        {"name": "vpc-cni", "service_account_role_arn": roles["cni"], "resolve_conflicts": "preserve"},
        aws_calls,
    )
    assert predicted["diff"]["before"]["service_account_role_arn"] is None
    assert applied["addon"]["service_account_role_arn"] == roles["cni"]
    assert described("vpc-cni")["serviceAccountRoleArn"] == roles["cni"]


def test_pod_identity_associations(cluster, roles, aws_calls):
    first = [{"service_account": "ebs-csi-controller-sa", "role_arn": roles["ebs-1"]}]
    predicted, applied = four_steps({"name": "aws-ebs-csi-driver", "pod_identity_associations": first}, aws_calls)
    assert applied["addon"]["pod_identity_associations"] == first
    assert len(described("aws-ebs-csi-driver")["podIdentityAssociations"]) == 1

    second = [{"service_account": "ebs-csi-controller-sa", "role_arn": roles["ebs-2"]}]
    predicted, applied = four_steps({"name": "aws-ebs-csi-driver", "pod_identity_associations": second}, aws_calls)
    assert predicted["diff"]["before"]["pod_identity_associations"] == first
    assert applied["addon"]["pod_identity_associations"] == second

    predicted, applied = four_steps({"name": "aws-ebs-csi-driver", "pod_identity_associations": []}, aws_calls)
    assert applied["addon"]["pod_identity_associations"] == []
    assert not described("aws-ebs-csi-driver").get("podIdentityAssociations")


def test_tags(cluster, aws_calls):
    create("kube-proxy", tags={"team": "platform", "old": "x"})
    predicted, applied = four_steps({"name": "kube-proxy", "tags": {"team": "platform", "env": "prod"}}, aws_calls)
    assert predicted["addon"]["tags"] == {"team": "platform", "env": "prod"}
    assert described("kube-proxy")["tags"] == {"team": "platform", "env": "prod"}

    predicted, applied = four_steps({"name": "kube-proxy", "tags": {"cost": "a"}, "purge_tags": False}, aws_calls)
    assert described("kube-proxy")["tags"] == {"team": "platform", "env": "prod", "cost": "a"}


# ---------------------------------------------------------------- delete
@pytest.mark.parametrize("preserve", [False, True])
def test_delete(cluster, aws_calls, preserve):
    create("metrics-server")
    predicted, applied = four_steps({"name": "metrics-server", "state": "absent", "preserve": preserve}, aws_calls)
    assert predicted["diff"]["before"]["name"] == "metrics-server"
    assert predicted["diff"]["after"] == {}
    assert applied["addon"] == {}
    assert eks().list_addons(clusterName=CLUSTER)["addons"] == []


# ---------------------------------------------------------------- eks_addon_info
def test_info_installed_addons(cluster):
    create("vpc-cni", addonVersion="v1.19.0-eksbuild.1")
    create("kube-proxy", addonVersion="v1.31.13-eksbuild.2")
    result = info({"cluster_name": CLUSTER})
    assert result["changed"] is False
    by_name = {a["name"]: a for a in result["addons"]}
    assert sorted(by_name) == ["kube-proxy", "vpc-cni"]
    assert by_name["vpc-cni"]["version"] == "v1.19.0-eksbuild.1"
    assert by_name["vpc-cni"]["status"] == "ACTIVE"
    assert by_name["vpc-cni"]["health_issues"] == []
    assert by_name["vpc-cni"]["latest_version"] == VPC_CNI[0]
    assert by_name["vpc-cni"]["update_available"] is True
    assert by_name["kube-proxy"]["update_available"] is False
    assert result["addon_versions"] == []


def test_info_available_versions(local_aws):
    result = info({"name": "vpc-cni", "kubernetes_version": KUBERNETES})
    assert [v["version"] for v in result["addon_versions"]] == VPC_CNI
    assert [v["version"] for v in result["addon_versions"] if v["default"]] == [VPC_CNI_DEFAULT]
    assert {v["name"] for v in result["addon_versions"]} == {"vpc-cni"}
    assert result["addons"] == []


def test_info_available_versions_for_the_cluster(cluster):
    create("coredns")
    result = info({"cluster_name": CLUSTER, "name": "coredns"})
    assert [a["name"] for a in result["addons"]] == ["coredns"]
    assert result["kubernetes_version"] == KUBERNETES
    assert [v["version"] for v in result["addon_versions"]] == ["v1.11.4-eksbuild.14", "v1.11.3-eksbuild.2"]


def test_info_every_addon_for_a_kubernetes_version(local_aws):
    result = info({"kubernetes_version": "1.34"})
    names = {v["name"] for v in result["addon_versions"]}
    assert {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "metrics-server"} <= names
    assert all(v["kubernetes_versions"] == ["1.34"] for v in result["addon_versions"])


def test_info_of_a_missing_cluster_is_empty(local_aws):
    result = info({"cluster_name": "no-such-cluster"})
    assert result["addons"] == [] and result["addon_versions"] == []
    result = info({"cluster_name": "no-such-cluster", "name": "coredns", "kubernetes_version": KUBERNETES})
    assert result["addons"] == []
    assert {v["name"] for v in result["addon_versions"]} == {"coredns"}


def test_info_unknown_addon_fails(local_aws):
    result = info({"name": "no-such-addon", "kubernetes_version": KUBERNETES}, expect_failure=True)
    assert "Unknown add-on 'no-such-addon'" in result["msg"]
