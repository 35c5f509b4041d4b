"""The ServiceAccounts' fields: eksctl's iam.serviceAccounts[].metadata.labels / .annotations and
podIdentityAssociations[].createServiceAccount converted, the definition's iam.service_accounts[].labels /
.annotations and iam.pod_identity_associations[].create_service_account checked, each problem by its path."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

eksctl_config = FilterModule().filters()["eksctl_config"]

S3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES}, "iam": {"with_oidc": True},
        "addons": [{"name": "eks-pod-identity-agent"}]}  # fmt: skip
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
    "addons": [{"name": "eks-pod-identity-agent"}],
}


def config(iam):
    return dict(copy.deepcopy(CONFIG), iam=dict({"withOIDC": True}, **iam))


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def definition(**iam):
    return normalize(dict(copy.deepcopy(BASE), iam=dict(BASE["iam"], **iam)), check_files=False)


def refused(**iam):
    with pytest.raises(DefinitionError) as info:
        definition(**iam)
    return str(info.value)


def test_labels_annotations_and_create_service_account_convert_and_normalize():
    converted = eksctl_config(config({
        "serviceAccounts": [
            {"metadata": {"name": "web", "namespace": "apps", "labels": {"team": "web"},
                          "annotations": {"eks.amazonaws.com/sts-regional-endpoints": "true"}},
             "attachPolicyARNs": [S3]},
            {"metadata": {"name": "reports", "namespace": "apps"}, "roleOnly": True, "attachPolicyARNs": [S3]},
        ],
        "podIdentityAssociations": [
            {"namespace": "jobs", "serviceAccountName": "runner", "createServiceAccount": True,
             "permissionPolicyARNs": [S3]},
            {"namespace": "jobs", "serviceAccountName": "quiet", "createServiceAccount": False,
             "permissionPolicyARNs": [S3]},
        ],
    }))  # fmt: skip
    iam = converted["iam"]
    assert iam["service_accounts"][0]["labels"] == {"team": "web"}
    assert iam["service_accounts"][0]["annotations"] == {"eks.amazonaws.com/sts-regional-endpoints": "true"}
    assert iam["service_accounts"][1]["role_only"] is True
    assert iam["pod_identity_associations"][0]["create_service_account"] is True
    assert "create_service_account" not in iam["pod_identity_associations"][1]
    normalized = normalize(converted, availability_zones=ZONES, check_files=False)["iam"]
    web, reports = normalized["service_accounts"]
    assert (web["labels"], web["annotations"], web["role_only"]) == (
        {"team": "web"}, {"eks.amazonaws.com/sts-regional-endpoints": "true"}, False)  # fmt: skip
    assert (reports["labels"], reports["annotations"], reports["role_only"]) == ({}, {}, True)
    assert [a["create_service_account"] for a in normalized["pod_identity_associations"]] == [True, False]


def test_eksctl_problems_by_clusterconfig_path():
    found = problems(config({
        "serviceAccounts": [
            {"metadata": {"name": "web", "namespace": "apps", "labels": {"bad key": "x"}}, "attachPolicyARNs": [S3]},
            {"metadata": {"name": "api", "namespace": "apps",
                          "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}},
             "attachPolicyARNs": [S3]},
            {"metadata": {"name": "own", "namespace": "apps", "labels": {"v": 1}},
             "attachRoleARN": "arn:aws:iam::123456789012:role/own"},
        ],
        "podIdentityAssociations": [
            {"namespace": "jobs", "serviceAccountName": "runner", "createServiceAccount": "yes",
             "permissionPolicyARNs": [S3]},
        ],
    }))  # fmt: skip
    assert "  iam.podIdentityAssociations[0].createServiceAccount: must be a boolean, not 'yes'" in found
    # eksctl's schema: a label value is a string.
    assert "  iam.serviceAccounts[2].metadata.labels.v: must be a string, not 1 (quote it)" in found, found
    found = problems(config({
        "serviceAccounts": [
            {"metadata": {"name": "web", "namespace": "apps", "labels": {"bad key": "x"}}, "attachPolicyARNs": [S3]},
            {"metadata": {"name": "api", "namespace": "apps",
                          "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}},
             "attachPolicyARNs": [S3]},
        ],
    }))  # fmt: skip
    assert found[0].startswith("  iam.serviceAccounts[0].metadata.labels: key 'bad key'"), found
    assert found[1] == (
        "  iam.serviceAccounts[1].metadata.annotations.eks.amazonaws.com/role-arn: "
        "'arn:aws:iam::123456789012:role/other' contradicts the role the collection makes for it (c1-apps-api) and "
        "annotates it with: remove it"
    ), found


def test_an_addons_create_service_account_stays_unsupported():
    cfg = copy.deepcopy(CONFIG)
    cfg["iam"] = {"withOIDC": True}
    cfg["addons"].append({"name": "aws-ebs-csi-driver", "podIdentityAssociations": [
        {"serviceAccountName": "ebs-csi-controller-sa", "createServiceAccount": True,
         "wellKnownPolicies": {"ebsCSIController": True}}]})  # fmt: skip
    assert problems(cfg) == ["  addons[1].podIdentityAssociations[0].createServiceAccount: not supported by aews.eks yet"]
    cfg["addons"][1]["podIdentityAssociations"][0]["createServiceAccount"] = False
    assert eksctl_config(cfg)["addons"][-1]["pod_identity_associations"][0]["service_account"] == "ebs-csi-controller-sa"


@pytest.mark.parametrize(
    "account, message",
    [
        ({"labels": {"team": "web!"}}, "iam.service_accounts[0].labels.team: 'web!': a label value must be empty"),
        ({"labels": "team=web"}, "iam.service_accounts[0].labels: must be a dict, got str"),
        ({"annotations": {"x.io/y": True}}, "iam.service_accounts[0].annotations.x.io/y: must be a string, not bool"),
        ({"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}},
         "contradicts the role the collection makes for it (c1-apps-web)"),
        ({"role_name": "mine", "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/c1-apps-web"}},
         "contradicts the role the collection makes for it (mine)"),
        ({"role_arn": "arn:aws:iam::123456789012:role/own",
          "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}},
         "contradicts the service account's role arn:aws:iam::123456789012:role/own"),
        ({"labels": {"app.kubernetes.io/managed-by": "eksctl"}}, "is the collection's own label (aews.eks)"),
        ({"lables": {}}, "iam.service_accounts[0].lables: unknown key (did you mean labels?)"),
    ],
)  # fmt: skip
def test_definition_refuses_bad_metadata_by_path(account, message):
    entry = dict({"namespace": "apps", "name": "web", "managed_policy_arns": [S3]}, **account)
    if "role_arn" in account:
        entry.pop("managed_policy_arns")
    assert message in refused(service_accounts=[entry])


def test_definition_defaults_and_annotations_naming_the_role():
    iam = definition(
        service_accounts=[
            {"namespace": "apps", "name": "web", "managed_policy_arns": [S3],
             "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/c1-apps-web"}},
        ],
        pod_identity_associations=[{"namespace": "jobs", "service_account": "runner", "managed_policy_arns": [S3]}],
    )["iam"]  # fmt: skip
    # eksctl's defaults: the ServiceAccount is written (role_only false), a pod identity one only when asked.
    assert iam["service_accounts"][0]["role_only"] is False and iam["service_accounts"][0]["labels"] == {}
    assert iam["pod_identity_associations"][0]["create_service_account"] is False
    bad = refused(pod_identity_associations=[{"namespace": "jobs", "service_account": "runner",
                                              "managed_policy_arns": [S3], "create_service_account": "maybe"}])  # fmt: skip
    assert "iam.pod_identity_associations[0].create_service_account: must be true or false, got 'maybe'" in bad
