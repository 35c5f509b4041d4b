"""Clusters, updates and Kubernetes versions on the local endpoint, every response checked against botocore."""

from __future__ import annotations

import base64
import re

from local_aws_tests.helpers import REGION
from local_aws_tests.helpers import error_of
from local_aws_tests.helpers import wait_for
from local_aws_tests.helpers import wait_gone


def _create(eks, network, name, **extra):
    params = dict(
        name=name,
        roleArn=network["cluster_role"],
        resourcesVpcConfig={"subnetIds": network["subnets"]},
    )
    params.update(extra)
    return eks.create_cluster(**params)["cluster"]


def _active(eks, name):
    return wait_for(lambda: eks.describe_cluster(name=name), ["cluster", "status"], ["ACTIVE"])["cluster"]


def _update_done(eks, name, update_id, **where):
    return wait_for(
        lambda: eks.describe_update(name=name, updateId=update_id, **where),
        ["update", "status"],
        ["Successful", "Failed"],
    )["update"]


def test_create_cluster_with_every_parameter(eks, network, ec2, local_aws):
    key_arn = local_aws_kms_key(local_aws)
    cluster = _create(
        eks,
        network,
        "full",
        version="1.31",
        resourcesVpcConfig={
            "subnetIds": network["subnets"],
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
            "publicAccessCidrs": ["203.0.113.0/24"],
        },
        kubernetesNetworkConfig={"serviceIpv4Cidr": "172.16.0.0/16", "ipFamily": "ipv4"},
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key_arn}}],
        accessConfig={"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
        upgradePolicy={"supportType": "STANDARD"},
        bootstrapSelfManagedAddons=False,
        tags={"team": "platform"},
    )
    assert cluster["status"] == "CREATING"
    assert "endpoint" not in cluster and "identity" not in cluster
    vpc_config = cluster["resourcesVpcConfig"]
    assert vpc_config["vpcId"] == network["vpc"]
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"] and vpc_config["endpointPrivateAccess"] is True
    group = ec2.describe_security_groups(GroupIds=[vpc_config["clusterSecurityGroupId"]])["SecurityGroups"][0]
    assert group["VpcId"] == network["vpc"]
    assert {"Key": "aws:eks:cluster-name", "Value": "full"} in group["Tags"]
    assert group["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == group["GroupId"]
    assert cluster["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "172.16.0.0/16"
    assert cluster["logging"]["clusterLogging"] == [
        {"types": ["api", "audit"], "enabled": True},
        {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False},
    ]
    assert cluster["encryptionConfig"][0]["provider"]["keyArn"] == key_arn
    assert cluster["accessConfig"] == {"bootstrapClusterCreatorAdminPermissions": False, "authenticationMode": "API"}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["platformVersion"] == "eks.33"
    assert cluster["tags"] == {"team": "platform"}

    cluster = _active(eks, "full")
    assert re.fullmatch(
        rf"https://oidc\.eks\.{REGION}\.amazonaws\.com/id/[0-9A-F]{{32}}", cluster["identity"]["oidc"]["issuer"]
    )
    assert re.fullmatch(rf"https://[0-9A-F]{{32}}\.gr7\.{REGION}\.eks\.amazonaws\.com", cluster["endpoint"])
    assert base64.b64decode(cluster["certificateAuthority"]["data"]).startswith(b"-----BEGIN CERTIFICATE-----")
    # Without bootstrap admin permissions no access entry is made for the creator.
    assert eks.list_access_entries(clusterName="full")["accessEntries"] == []


def local_aws_kms_key(local_aws):
    import boto3

    return boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]


def test_defaults_and_distinct_identities(eks, network):
    first = _create(eks, network, "one")
    assert first["version"] == "1.33"
    assert first["accessConfig"] == {
        "bootstrapClusterCreatorAdminPermissions": True,
        "authenticationMode": "CONFIG_MAP",
    }
    assert first["upgradePolicy"] == {"supportType": "EXTENDED"}
    assert first["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "172.20.0.0/16"  # the VPC is in 10.0.0.0/8
    assert first["logging"]["clusterLogging"] == [
        {"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": False}
    ]
    _create(eks, network, "two", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    one, two = _active(eks, "one"), _active(eks, "two")
    assert one["identity"]["oidc"]["issuer"] != two["identity"]["oidc"]["issuer"]
    assert one["resourcesVpcConfig"]["clusterSecurityGroupId"] != two["resourcesVpcConfig"]["clusterSecurityGroupId"]
    assert sorted(eks.list_clusters()["clusters"]) == ["one", "two"]
    page = eks.list_clusters(maxResults=1)
    assert page["clusters"] == ["one"] and eks.list_clusters(nextToken=page["nextToken"])["clusters"] == ["two"]
    # The creator gets an access entry with cluster admin once the cluster authenticates through the API.
    creator = eks.list_access_entries(clusterName="two")["accessEntries"]
    assert len(creator) == 1
    policies = eks.list_associated_access_policies(clusterName="two", principalArn=creator[0])
    assert [p["policyArn"] for p in policies["associatedAccessPolicies"]] == [
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    ]


def test_update_cluster_config_merges_and_moves_through_updating(eks, active_cluster, raw_eks):
    subnets = active_cluster["resourcesVpcConfig"]["subnetIds"]
    update = eks.update_cluster_config(name="c1", resourcesVpcConfig={"publicAccessCidrs": ["198.51.100.0/24"]})[
        "update"
    ]
    assert update["type"] == "EndpointAccessUpdate" and update["status"] == "InProgress"
    assert {"type": "PublicAccessCidrs", "value": '["198.51.100.0/24"]'} in update["params"]
    assert eks.describe_cluster(name="c1")["cluster"]["status"] == "UPDATING"
    # A second update while the first runs is refused, with AWS's code and status.
    assert error_of(lambda: raw_eks.update_cluster_version(name="c1", version="1.33")) == (
        "ResourceInUseException",
        409,
    )
    assert _update_done(eks, "c1", update["id"])["status"] == "Successful"
    cluster = _active(eks, "c1")
    assert cluster["resourcesVpcConfig"]["publicAccessCidrs"] == ["198.51.100.0/24"]
    assert cluster["resourcesVpcConfig"]["subnetIds"] == subnets
    assert cluster["resourcesVpcConfig"]["endpointPublicAccess"] is True

    # Asking for what is already there is refused, as EKS does.
    assert error_of(
        lambda: raw_eks.update_cluster_config(name="c1", resourcesVpcConfig={"publicAccessCidrs": ["198.51.100.0/24"]})
    ) == ("InvalidParameterException", 400)
    assert error_of(
        lambda: raw_eks.update_cluster_config(
            name="c1",
            logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
            upgradePolicy={"supportType": "STANDARD"},
        )
    ) == ("InvalidParameterException", 400)

    update = eks.update_cluster_config(name="c1", logging={"clusterLogging": [{"types": ["audit"], "enabled": True}]})[
        "update"
    ]
    assert update["type"] == "LoggingUpdate"
    _update_done(eks, "c1", update["id"])
    logging = _active(eks, "c1")["logging"]["clusterLogging"]
    assert logging[0] == {"types": ["audit"], "enabled": True}

    update = eks.update_cluster_config(name="c1", upgradePolicy={"supportType": "STANDARD"})["update"]
    assert update["type"] == "UpgradePolicyUpdate"
    _update_done(eks, "c1", update["id"])
    assert _active(eks, "c1")["upgradePolicy"] == {"supportType": "STANDARD"}


def test_authentication_mode_moves_one_way(eks, network, raw_eks):
    _create(eks, network, "auth")
    _active(eks, "auth")
    assert error_of(lambda: raw_eks.update_cluster_config(name="auth", accessConfig={"authenticationMode": "API"})) == (
        "InvalidParameterException",
        400,
    )
    for mode in ("API_AND_CONFIG_MAP", "API"):
        update = eks.update_cluster_config(name="auth", accessConfig={"authenticationMode": mode})["update"]
        assert update["type"] == "AccessConfigUpdate"
        assert _update_done(eks, "auth", update["id"])["status"] == "Successful"
        assert _active(eks, "auth")["accessConfig"]["authenticationMode"] == mode
    for back in ("API_AND_CONFIG_MAP", "CONFIG_MAP", "API"):
        assert error_of(
            lambda: raw_eks.update_cluster_config(name="auth", accessConfig={"authenticationMode": back})
        ) == ("InvalidParameterException", 400)


def test_version_updates_one_minor_at_a_time(eks, active_cluster, raw_eks):
    for wrong in ("1.34", "1.31", "1.32"):
        assert error_of(lambda: raw_eks.update_cluster_version(name="c1", version=wrong)) == (
            "InvalidParameterException",
            400,
        )
    update = eks.update_cluster_version(name="c1", version="1.33")["update"]
    assert update["type"] == "VersionUpdate"
    assert {"type": "Version", "value": "1.33"} in update["params"]
    # The version changes when the update ends, not before.
    assert eks.describe_cluster(name="c1")["cluster"]["version"] == "1.32"
    _update_done(eks, "c1", update["id"])
    cluster = _active(eks, "c1")
    assert (cluster["version"], cluster["platformVersion"]) == ("1.33", "eks.15")
    assert eks.list_updates(name="c1")["updateIds"] == [update["id"]]


def test_associate_encryption_config(eks, active_cluster, local_aws, raw_eks):
    key_arn = local_aws_kms_key(local_aws)
    config = [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]
    update = eks.associate_encryption_config(clusterName="c1", encryptionConfig=config)["update"]
    assert update["type"] == "AssociateEncryptionConfig"
    _update_done(eks, "c1", update["id"])
    assert _active(eks, "c1")["encryptionConfig"] == config
    assert error_of(lambda: raw_eks.associate_encryption_config(clusterName="c1", encryptionConfig=config)) == (
        "InvalidParameterException",
        400,
    )


def test_describe_cluster_versions(eks):
    versions = eks.describe_cluster_versions()["clusterVersions"]
    assert [v["clusterVersion"] for v in versions] == ["1.34", "1.33", "1.32", "1.31", "1.30", "1.29", "1.28"]
    assert [v["clusterVersion"] for v in versions if v["defaultVersion"]] == ["1.33"]
    assert {v["versionStatus"] for v in versions} == {"STANDARD_SUPPORT", "EXTENDED_SUPPORT"}
    assert eks.describe_cluster_versions(defaultOnly=True)["clusterVersions"][0]["clusterVersion"] == "1.33"
    extended = eks.describe_cluster_versions(versionStatus="EXTENDED_SUPPORT")["clusterVersions"]
    assert [v["clusterVersion"] for v in extended] == ["1.30", "1.29", "1.28"]
    picked = eks.describe_cluster_versions(clusterVersions=["1.31", "1.29"])["clusterVersions"]
    assert [v["clusterVersion"] for v in picked] == ["1.31", "1.29"]


def test_delete_cluster(eks, active_cluster, ec2, raw_eks):
    group_id = active_cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    assert eks.delete_cluster(name="c1")["cluster"]["status"] == "DELETING"
    assert eks.describe_cluster(name="c1")["cluster"]["status"] == "DELETING"
    wait_gone(lambda: raw_eks.describe_cluster(name="c1"))
    assert eks.list_clusters()["clusters"] == []
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroups"]
    assert groups == []


def test_errors_carry_aws_codes_and_statuses(eks, network, raw_eks, local_aws):
    # The cluster "dup" stays CREATING long enough for the calls below, however loaded the machine.
    local_aws.configure(delays={**local_aws.TEST_DELAYS, "cluster": 3})
    assert error_of(lambda: raw_eks.describe_cluster(name="missing")) == ("ResourceNotFoundException", 404)
    assert error_of(lambda: raw_eks.delete_cluster(name="missing")) == ("ResourceNotFoundException", 404)
    _create(eks, network, "dup")
    assert error_of(lambda: _create(raw_eks, network, "dup")) == ("ResourceInUseException", 409)
    assert error_of(lambda: _create(raw_eks, network, "old", version="1.27")) == ("InvalidParameterException", 400)
    assert error_of(
        lambda: _create(raw_eks, network, "nosubnet", resourcesVpcConfig={"subnetIds": ["subnet-00000000000000000"]})
    ) == ("InvalidParameterException", 400)
    assert error_of(
        lambda: _create(raw_eks, network, "onezone", resourcesVpcConfig={"subnetIds": network["subnets"][:1]})
    ) == ("InvalidParameterException", 400)
    assert error_of(lambda: _create(raw_eks, network, "norole", roleArn="arn:aws:iam::123456789012:role/missing")) == (
        "InvalidParameterException",
        400,
    )
    # A node group cannot be made while the cluster is still being created.
    assert error_of(
        lambda: raw_eks.create_nodegroup(
            clusterName="dup", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
        )
    ) == ("InvalidRequestException", 400)
    # Access entries need an API authentication mode.
    _active(eks, "dup")
    assert error_of(lambda: raw_eks.create_access_entry(clusterName="dup", principalArn=network["node_role"])) == (
        "InvalidRequestException",
        400,
    )


def test_not_strict_accepts_unknown_references(eks, local_aws):
    local_aws.configure(strict=False)
    cluster = eks.create_cluster(
        name="loose",
        roleArn="arn:aws:iam::123456789012:role/nowhere",
        resourcesVpcConfig={"subnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]},
    )["cluster"]
    assert cluster["status"] == "CREATING"
    assert cluster["resourcesVpcConfig"]["vpcId"].startswith("vpc-")  # the default VPC stands in


def test_identity_provider_configs(eks, active_cluster, raw_eks):
    oidc = {
        "identityProviderConfigName": "corp",
        "issuerUrl": "https://login.example.com",
        "clientId": "kubernetes",
        "usernameClaim": "email",
        "groupsClaim": "groups",
    }
    response = eks.associate_identity_provider_config(clusterName="c1", oidc=oidc, tags={"a": "1"})
    assert response["update"]["type"] == "AssociateIdentityProviderConfig" and response["tags"] == {"a": "1"}
    spec = {"type": "oidc", "name": "corp"}
    config = eks.describe_identity_provider_config(clusterName="c1", identityProviderConfig=spec)
    assert config["identityProviderConfig"]["oidc"]["status"] == "CREATING"
    _update_done(eks, "c1", response["update"]["id"])
    config = eks.describe_identity_provider_config(clusterName="c1", identityProviderConfig=spec)
    assert config["identityProviderConfig"]["oidc"]["status"] == "ACTIVE"
    assert config["identityProviderConfig"]["oidc"]["usernameClaim"] == "email"
    assert eks.list_identity_provider_configs(clusterName="c1")["identityProviderConfigs"] == [spec]
    _active(eks, "c1")
    update = eks.disassociate_identity_provider_config(clusterName="c1", identityProviderConfig=spec)["update"]
    _update_done(eks, "c1", update["id"])
    assert eks.list_identity_provider_configs(clusterName="c1")["identityProviderConfigs"] == []
    assert error_of(
        lambda: raw_eks.describe_identity_provider_config(clusterName="c1", identityProviderConfig=spec)
    ) == ("ResourceNotFoundException", 404)


def test_control_plane_scaling_tier(eks, network, raw_eks):
    # A tier EKS does not offer is refused, at creation and in an update.
    assert error_of(
        lambda: _create(raw_eks, network, "tiered", controlPlaneScalingConfig={"tier": "tier-3xl"})
    ) == ("InvalidParameterException", 400)
    created = _create(eks, network, "tiered", controlPlaneScalingConfig={"tier": "tier-xl"})
    assert created["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    assert _active(eks, "tiered")["controlPlaneScalingConfig"] == {"tier": "tier-xl"}
    for bad in ({"tier": "tier-3xl"}, {"tier": "tier-xl"}):  # not offered; already so
        assert error_of(
            lambda: raw_eks.update_cluster_config(name="tiered", controlPlaneScalingConfig=bad)
        ) == ("InvalidParameterException", 400)
    # Its own update: not together with another kind.
    assert error_of(
        lambda: raw_eks.update_cluster_config(
            name="tiered", controlPlaneScalingConfig={"tier": "tier-2xl"}, zonalShiftConfig={"enabled": True}
        )
    ) == ("InvalidParameterException", 400)
    update = eks.update_cluster_config(name="tiered", controlPlaneScalingConfig={"tier": "tier-2xl"})["update"]
    assert update["type"] == "ControlPlaneScalingConfigUpdate"
    assert {p["type"]: p["value"] for p in update["params"]} == {"UpdatedTier": "tier-2xl", "PreviousTier": "tier-xl"}
    assert _update_done(eks, "tiered", update["id"])["status"] == "Successful"
    assert _active(eks, "tiered")["controlPlaneScalingConfig"] == {"tier": "tier-2xl"}
