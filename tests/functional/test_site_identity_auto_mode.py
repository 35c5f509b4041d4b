"""site.yml and playbooks/teardown.yml with an eksctl ClusterConfig carrying an OIDC identity provider, EKS Auto Mode
(node role made as eksctl makes it), zonal shift, a control plane tier, an add-on's tags and attachPolicy, a service
account's attachRoleARN and permissionsBoundary, a managed nodegroup's availabilityZones and nodeRepairConfig:
converged, converged again with nothing to change, torn down leaving nothing (the identity provider disassociated
before the cluster is deleted)."""

from __future__ import annotations

import json

import boto3
import yaml
from test_site import ROOT
from test_site import owned
from test_site import playbook

NAME = "ia"
ISSUER = "https://issuer.example.com/ia"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}]}
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.31.0.0/16", "nat": {"gateway": "Disable"}},
    "accessConfig": {"authenticationMode": "API"},
    "autoModeConfig": {"enabled": True},
    "zonalShiftConfig": {"enabled": True},
    "controlPlaneScalingConfig": {"tier": "tier-xl"},
    "iam": {
        "withOIDC": True,
        "serviceAccounts": [
            {"metadata": {"name": "own", "namespace": "apps"}, "attachRoleARN": "arn:aws:iam::123456789012:role/own"},
            {
                "metadata": {"name": "reader", "namespace": "apps"},
                "roleName": f"{NAME}-reader",
                "attachPolicyARNs": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                "permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
            },
        ],
    },
    "addons": [{"name": "aws-ebs-csi-driver", "attachPolicy": POLICY, "tags": {"team": "storage"}}],
    "managedNodeGroups": [
        {
            "name": "ng",
            "instanceType": "t3.medium",
            "desiredCapacity": 1,
            "availabilityZones": ["ap-northeast-2c"],
            "nodeRepairConfig": {"enabled": True},
        }
    ],
    "identityProviders": [
        {
            "type": "oidc",
            "name": "corp",
            "issuerURL": ISSUER,
            "clientID": "kubernetes",
            "usernameClaim": "email",
            "groupsClaim": "groups",
            "groupsPrefix": "oidc:",
            "requiredClaims": {"hd": "example.com"},
            "tags": {"team": "platform"},
        }
    ],
}
AUTO_MODE_POLICIES = {
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
}


def test_eksctl_identity_provider_and_auto_mode_converge_and_tear_down(local_aws, tmp_path):
    local_aws.post("/_aews/config", {"scale": 0.2})
    boto3.client("iam").create_policy(PolicyName="boundary", PolicyDocument=json.dumps(POLICY))
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    args = ("-e", f"eksctl_config_file={path}")

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    eks, iam = boto3.client("eks"), boto3.client("iam")
    cluster = eks.describe_cluster(name=NAME)["cluster"]
    node_role = iam.get_role(RoleName=f"{NAME}-auto-mode-node-role")["Role"]
    assert "ec2.amazonaws.com" in str(node_role["AssumeRolePolicyDocument"])
    attached = {p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=node_role["RoleName"])[
        "AttachedPolicies"]}  # fmt: skip
    assert attached == {"AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"}
    assert cluster["computeConfig"] == {
        "enabled": True,
        "nodePools": ["general-purpose", "system"],
        "nodeRoleArn": node_role["Arn"],
    }
    assert cluster["storageConfig"]["blockStorage"]["enabled"] is True
    assert cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"]["enabled"] is True
    assert cluster["zonalShiftConfig"] == {"enabled": True}
    assert cluster["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    cluster_policies = {
        p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=f"{NAME}-cluster-role")["AttachedPolicies"]
    }
    assert AUTO_MODE_POLICIES <= cluster_policies
    # With Auto Mode on, eksctl's default networking add-ons are left to Auto Mode.
    assert sorted(eks.list_addons(clusterName=NAME)["addons"]) == ["aws-ebs-csi-driver", "metrics-server"]
    # The smaller fields: the add-on's tags and its IRSA role's attachPolicy, a service account's boundary, and no
    # role for the one that names its own.
    ebs = eks.describe_addon(clusterName=NAME, addonName="aws-ebs-csi-driver")["addon"]
    assert ebs["tags"]["team"] == "storage"
    ebs_role = ebs["serviceAccountRoleArn"].split("/")[-1]
    assert iam.list_role_policies(RoleName=ebs_role)["PolicyNames"] == ["attachPolicy"]
    reader = iam.get_role(RoleName=f"{NAME}-reader")["Role"]
    assert reader["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(":policy/boundary")
    assert not [r for r in iam.list_roles()["Roles"] if "own" in r["RoleName"]]
    # The managed nodegroup: on the public subnet of its one zone, with node repair.
    nodegroup = eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng")["nodegroup"]
    subnets = boto3.client("ec2").describe_subnets(SubnetIds=nodegroup["subnets"])["Subnets"]
    assert [(s["AvailabilityZone"], s["MapPublicIpOnLaunch"]) for s in subnets] == [("ap-northeast-2c", True)]
    assert nodegroup["nodeRepairConfig"]["enabled"] is True
    config = eks.describe_identity_provider_config(
        clusterName=NAME, identityProviderConfig={"type": "oidc", "name": "corp"}
    )["identityProviderConfig"]["oidc"]
    assert (config["status"], config["issuerUrl"], config["groupsPrefix"], config["requiredClaims"]) == (
        "ACTIVE", ISSUER, "oidc:", {"hd": "example.com"}
    )  # fmt: skip
    assert config["tags"]["team"] == "platform" and config["tags"]["aews.eks/cluster-name"] == NAME

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]

    local_aws.clear_requests()
    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert eks.list_clusters()["clusters"] == []
    updates = [r["operation"] for r in local_aws.requests(service="eks", mutating=True)]
    assert updates.index("DisassociateIdentityProviderConfig") < updates.index("DeleteCluster")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert [r for r in roles if r.startswith(f"{NAME}-")] == []
    # The IAM OIDC provider (withOIDC) goes with the IAM roles, in the same run, once the cluster is gone.
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    deleted_at = [r["operation"] for r in local_aws.requests(service="iam", mutating=True)]
    assert deleted_at.index("DeleteOpenIDConnectProvider") > deleted_at.index("DeleteRole")
    ec2 = boto3.client("ec2")
    for describe, key in (("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets")):
        assert getattr(ec2, describe)(Filters=owned(NAME))[key] == [], describe
