"""site.yml and playbooks/teardown.yml with an eksctl ClusterConfig carrying access entries, Fargate profiles and
pod identity associations: converged, converged again with nothing to change, torn down leaving nothing."""

from __future__ import annotations

import json

import boto3
import yaml
from test_site import ROOT
from test_site import owned
from test_site import playbook

NAME = "fx"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.30.0.0/16", "nat": {"gateway": "Disable"}},
    "accessConfig": {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "accessEntries": [
            {
                "principalARN": "arn:aws:iam::123456789012:role/fx-dev",
                "kubernetesGroups": ["readers"],
                "accessPolicies": [{"policyARN": VIEW, "accessScope": {"type": "namespace", "namespaces": ["dev"]}}],
            }
        ],
    },
    "iam": {
        "podIdentityAssociations": [
            {
                "namespace": "apps",
                "serviceAccountName": "reader",
                "permissionPolicyARNs": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            },
            # A role of the user's own: the association only.
            {"namespace": "apps", "serviceAccountName": "writer", "roleARN": "arn:aws:iam::123456789012:role/fx-writer"},
        ]
    },
    "fargateProfiles": [
        {"name": "fp-default", "selectors": [{"namespace": "default"}, {"namespace": "kube-system"}]},
        {"name": "fp-batch", "selectors": [{"namespace": "batch", "labels": {"fargate": "true"}}]},
    ],
    "addonsConfig": {"disableDefaultAddons": True},
    "addons": [
        {"name": "vpc-cni"},
        {"name": "eks-pod-identity-agent"},
        {
            "name": "aws-ebs-csi-driver",
            "podIdentityAssociations": [
                {"serviceAccountName": "ebs-csi-controller-sa", "wellKnownPolicies": {"ebsCSIController": True}}
            ],
        },
    ],
}


def test_eksctl_access_fargate_pod_identity_converge_and_tear_down(local_aws, tmp_path):
    iam = boto3.client("iam")
    dev = iam.create_role(RoleName="fx-dev", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
    writer = iam.create_role(RoleName="fx-writer", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    args = ("-e", f"eksctl_config_file={path}")

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    eks = boto3.client("eks")
    entry = eks.describe_access_entry(clusterName=NAME, principalArn=dev["Role"]["Arn"])["accessEntry"]
    assert entry["kubernetesGroups"] == ["readers"] and entry["tags"]["aews.eks/cluster-name"] == NAME
    policies = eks.list_associated_access_policies(clusterName=NAME, principalArn=dev["Role"]["Arn"])
    assert [(p["policyArn"], p["accessScope"]) for p in policies["associatedAccessPolicies"]] == [
        (VIEW, {"type": "namespace", "namespaces": ["dev"]})
    ]
    profiles = {
        n: eks.describe_fargate_profile(clusterName=NAME, fargateProfileName=n)["fargateProfile"]
        for n in eks.list_fargate_profiles(clusterName=NAME)["fargateProfileNames"]
    }
    assert sorted(profiles) == ["fp-batch", "fp-default"]
    private = {
        s["SubnetId"]
        for s in boto3.client("ec2").describe_subnets(Filters=owned(NAME))["Subnets"]
        if not s["MapPublicIpOnLaunch"]
    }
    for profile in profiles.values():
        assert profile["status"] == "ACTIVE" and set(profile["subnets"]) == private
        assert profile["podExecutionRoleArn"].endswith(f":role/{NAME}-fargate-pods")
    trust = iam.get_role(RoleName=f"{NAME}-fargate-pods")["Role"]["AssumeRolePolicyDocument"]
    assert "eks-fargate-pods.amazonaws.com" in json.dumps(trust)
    associations = eks.list_pod_identity_associations(clusterName=NAME)["associations"]
    assert sorted((a["namespace"], a["serviceAccount"]) for a in associations) == [
        ("apps", "reader"),
        ("apps", "writer"),
        ("kube-system", "ebs-csi-controller-sa"),
    ]
    own = [a for a in associations if a["serviceAccount"] == "writer"][0]
    assert eks.describe_pod_identity_association(clusterName=NAME, associationId=own["associationId"])[
        "association"]["roleArn"] == writer["Role"]["Arn"]  # fmt: skip
    assert iam.list_attached_role_policies(RoleName="fx-writer")["AttachedPolicies"] == []  # the role is left as it is
    ebs = eks.describe_addon(clusterName=NAME, addonName="aws-ebs-csi-driver")["addon"]
    assert len(ebs["podIdentityAssociations"]) == 1

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]

    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert eks.list_clusters()["clusters"] == []
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert sorted(r for r in roles if r.startswith(f"{NAME}-")) == ["fx-dev", "fx-writer"]  # the user's own roles stay
    ec2 = boto3.client("ec2")
    for describe, key in (("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets")):
        assert getattr(ec2, describe)(Filters=owned(NAME))[key] == [], describe
