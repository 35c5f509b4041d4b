"""Managed node groups and fargate profiles on the local endpoint, every response checked against botocore."""

from __future__ import annotations

from local_aws_tests.helpers import error_of
from local_aws_tests.helpers import wait_for
from local_aws_tests.helpers import wait_gone


def _active(eks, name):
    return wait_for(
        lambda: eks.describe_nodegroup(clusterName="c1", nodegroupName=name),
        ["nodegroup", "status"],
        ["ACTIVE"],
    )["nodegroup"]


def _update_done(eks, name, update_id):
    return wait_for(
        lambda: eks.describe_update(name="c1", updateId=update_id, nodegroupName=name),
        ["update", "status"],
        ["Successful", "Failed"],
    )["update"]


def test_create_nodegroup_keeps_everything(eks, active_cluster, network, ec2):
    ec2.create_key_pair(KeyName="ops")
    ng = eks.create_nodegroup(
        clusterName="c1",
        nodegroupName="workers",
        subnets=network["subnets"],
        nodeRole=network["node_role"],
        scalingConfig={"minSize": 2, "maxSize": 5, "desiredSize": 3},
        instanceTypes=["m6i.large"],
        diskSize=50,
        remoteAccess={"ec2SshKey": "ops"},
        labels={"role": "worker"},
        taints=[{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}],
        tags={"team": "platform"},
        updateConfig={"maxUnavailablePercentage": 25},
        nodeRepairConfig={"enabled": True},
        capacityType="SPOT",
    )["nodegroup"]
    assert ng["status"] == "CREATING"
    assert ng["version"] == "1.32" and ng["releaseVersion"].startswith("1.32.")
    assert ng["amiType"] == "AL2023_x86_64_STANDARD"
    assert ng["updateConfig"] == {"maxUnavailablePercentage": 25}
    assert ng["labels"] == {"role": "worker"}
    assert ng["taints"] == [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}]
    assert ng["tags"] == {"team": "platform"}
    assert ng["health"] == {"issues": []}
    assert ng["nodeRepairConfig"] == {"enabled": True}
    assert ng["resources"]["autoScalingGroups"][0]["name"].startswith("eks-workers-")
    group_id = ng["resources"]["remoteAccessSecurityGroup"]
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert group["VpcId"] == network["vpc"]
    assert [(p["FromPort"], p["IpRanges"][0]["CidrIp"]) for p in group["IpPermissions"]] == [(22, "0.0.0.0/0")]
    assert _active(eks, "workers")["status"] == "ACTIVE"
    assert eks.list_nodegroups(clusterName="c1")["nodegroups"] == ["workers"]
    # With an API authentication mode EKS gives the node role an EC2_LINUX access entry.
    entry = eks.describe_access_entry(clusterName="c1", principalArn=network["node_role"])["accessEntry"]
    assert entry["type"] == "EC2_LINUX" and entry["kubernetesGroups"] == ["system:nodes"]


def test_nodegroup_with_launch_template(eks, active_cluster, network, ec2, raw_eks):
    template = ec2.create_launch_template(LaunchTemplateName="nodes", LaunchTemplateData={"InstanceType": "t3.large"})[
        "LaunchTemplate"
    ]
    ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"], LaunchTemplateData={})
    ng = eks.create_nodegroup(
        clusterName="c1",
        nodegroupName="lt",
        subnets=network["subnets"],
        nodeRole=network["node_role"],
        launchTemplate={"name": "nodes"},
        version="1.31",
    )["nodegroup"]
    assert ng["launchTemplate"] == {"name": "nodes", "version": "1", "id": template["LaunchTemplateId"]}
    assert ng["version"] == "1.31"
    assert "diskSize" not in ng and "instanceTypes" not in ng
    _active(eks, "lt")
    update = eks.update_nodegroup_version(
        clusterName="c1", nodegroupName="lt", launchTemplate={"name": "nodes", "version": "2"}
    )["update"]
    assert update["type"] == "VersionUpdate"
    assert {"type": "LaunchTemplateVersion", "value": "2"} in update["params"]
    assert _update_done(eks, "lt", update["id"])["status"] == "Successful"
    ng = _active(eks, "lt")
    assert ng["launchTemplate"]["version"] == "2" and ng["version"] == "1.31"
    update = eks.update_nodegroup_version(clusterName="c1", nodegroupName="lt", version="1.32")["update"]
    _update_done(eks, "lt", update["id"])
    ng = _active(eks, "lt")
    assert ng["version"] == "1.32" and ng["releaseVersion"].startswith("1.32.")
    assert error_of(lambda: raw_eks.update_nodegroup_version(clusterName="c1", nodegroupName="lt", version="1.33")) == (
        "InvalidParameterException",
        400,
    )
    assert error_of(
        lambda: raw_eks.create_nodegroup(
            clusterName="c1",
            nodegroupName="bad",
            subnets=network["subnets"],
            nodeRole=network["node_role"],
            launchTemplate={"name": "nodes"},
            diskSize=30,
        )
    ) == ("InvalidParameterException", 400)


def test_update_nodegroup_config(eks, active_cluster, network, raw_eks, local_aws):
    # The update stays in progress long enough for the calls below, however loaded the machine.
    local_aws.configure(delays={**local_aws.TEST_DELAYS, "update": 3})
    eks.create_nodegroup(
        clusterName="c1",
        nodegroupName="ng",
        subnets=network["subnets"],
        nodeRole=network["node_role"],
        labels={"keep": "1", "drop": "1"},
        taints=[{"key": "old", "effect": "NO_EXECUTE"}],
    )
    _active(eks, "ng")
    update = eks.update_nodegroup_config(
        clusterName="c1",
        nodegroupName="ng",
        labels={"addOrUpdateLabels": {"new": "2"}, "removeLabels": ["drop"]},
        taints={
            "addOrUpdateTaints": [{"key": "gpu", "value": "yes", "effect": "NO_SCHEDULE"}],
            "removeTaints": [{"key": "old", "effect": "NO_EXECUTE"}],
        },
        scalingConfig={"minSize": 0, "maxSize": 6, "desiredSize": 4},
        updateConfig={"maxUnavailable": 2},
        nodeRepairConfig={"enabled": True},
    )["update"]
    assert update["type"] == "ConfigUpdate" and update["status"] == "InProgress"
    assert {p["type"] for p in update["params"]} >= {
        "LabelsToAdd",
        "LabelsToRemove",
        "TaintsToAdd",
        "TaintsToRemove",
        "MaxSize",
    }
    assert eks.describe_nodegroup(clusterName="c1", nodegroupName="ng")["nodegroup"]["status"] == "UPDATING"
    assert error_of(
        lambda: raw_eks.update_nodegroup_config(clusterName="c1", nodegroupName="ng", scalingConfig={"desiredSize": 1})
    ) == ("ResourceInUseException", 409)
    assert _update_done(eks, "ng", update["id"])["status"] == "Successful"
    ng = _active(eks, "ng")
    assert ng["labels"] == {"keep": "1", "new": "2"}
    assert ng["taints"] == [{"key": "gpu", "value": "yes", "effect": "NO_SCHEDULE"}]
    assert ng["scalingConfig"] == {"minSize": 0, "maxSize": 6, "desiredSize": 4}
    assert ng["updateConfig"] == {"maxUnavailable": 2}
    assert ng["nodeRepairConfig"] == {"enabled": True}
    assert eks.list_updates(name="c1", nodegroupName="ng")["updateIds"] == [update["id"]]
    assert eks.list_updates(name="c1")["updateIds"] == []
    # A node group update is not found without its node group.
    assert error_of(lambda: raw_eks.describe_update(name="c1", updateId=update["id"])) == (
        "ResourceNotFoundException",
        404,
    )
    assert error_of(
        lambda: raw_eks.update_nodegroup_config(
            clusterName="c1", nodegroupName="ng", scalingConfig={"minSize": 3, "maxSize": 2, "desiredSize": 2}
        )
    ) == ("InvalidParameterException", 400)
    assert error_of(
        lambda: raw_eks.update_nodegroup_config(
            clusterName="c1", nodegroupName="ng", labels={"addOrUpdateLabels": {"a": "1"}, "removeLabels": ["a"]}
        )
    ) == ("InvalidParameterException", 400)


def test_nodegroup_version_follows_the_cluster(eks, active_cluster, network, raw_eks):
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
    )
    _active(eks, "ng")
    assert error_of(lambda: raw_eks.update_nodegroup_version(clusterName="c1", nodegroupName="ng")) == (
        "InvalidParameterException",
        400,
    )
    cluster_update = eks.update_cluster_version(name="c1", version="1.33")["update"]
    wait_for(
        lambda: eks.describe_update(name="c1", updateId=cluster_update["id"]), ["update", "status"], ["Successful"]
    )
    assert error_of(
        lambda: raw_eks.update_nodegroup_version(clusterName="c1", nodegroupName="ng", releaseVersion="1.33.0-20200101")
    ) == ("InvalidParameterException", 400)
    update = eks.update_nodegroup_version(clusterName="c1", nodegroupName="ng", force=True)["update"]
    assert {"type": "Version", "value": "1.33"} in update["params"]
    _update_done(eks, "ng", update["id"])
    ng = _active(eks, "ng")
    assert ng["version"] == "1.33" and ng["releaseVersion"].startswith("1.33.")


def test_nodegroup_tags_and_delete(eks, active_cluster, network, raw_eks):
    ng = eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"], tags={"a": "1"}
    )["nodegroup"]
    arn = ng["nodegroupArn"]
    eks.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    eks.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert eks.describe_nodegroup(clusterName="c1", nodegroupName="ng")["nodegroup"]["tags"] == {"b": "2"}
    assert error_of(
        lambda: raw_eks.create_nodegroup(
            clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
        )
    ) == ("ResourceInUseException", 409)
    _active(eks, "ng")
    assert error_of(lambda: raw_eks.delete_cluster(name="c1")) == ("ResourceInUseException", 409)
    assert eks.delete_nodegroup(clusterName="c1", nodegroupName="ng")["nodegroup"]["status"] == "DELETING"
    assert error_of(lambda: raw_eks.delete_cluster(name="c1")) == ("ResourceInUseException", 409)
    wait_gone(lambda: raw_eks.describe_nodegroup(clusterName="c1", nodegroupName="ng"))
    assert error_of(lambda: raw_eks.list_tags_for_resource(resourceArn=arn)) == ("NotFoundException", 404)
    assert eks.delete_cluster(name="c1")["cluster"]["status"] == "DELETING"


def test_fargate_profiles(eks, active_cluster, network, iam, raw_eks):
    role = iam.create_role(RoleName="pods", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    profile = eks.create_fargate_profile(
        clusterName="c1",
        fargateProfileName="fp",
        podExecutionRoleArn=role,
        subnets=network["subnets"],
        selectors=[{"namespace": "batch"}],
    )["fargateProfile"]
    assert profile["status"] == "CREATING"
    assert eks.list_fargate_profiles(clusterName="c1")["fargateProfileNames"] == ["fp"]
    wait_for(
        lambda: eks.describe_fargate_profile(clusterName="c1", fargateProfileName="fp"),
        ["fargateProfile", "status"],
        ["ACTIVE"],
    )
    eks.delete_fargate_profile(clusterName="c1", fargateProfileName="fp")
    wait_gone(lambda: raw_eks.describe_fargate_profile(clusterName="c1", fargateProfileName="fp"))


def error_message(call):
    """(code, HTTP status, message) of the AWS error call() raises."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        response = getattr(e, "response", None)
        assert response, f"expected an AWS error, got {e!r}"
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]
    raise AssertionError("expected an AWS error, the call succeeded")


def test_fargate_profiles_one_at_a_time_and_private_subnets_only(local_aws, eks, active_cluster, network, ec2, iam,
                                                                 raw_eks):  # fmt: skip
    local_aws.configure(delays={"nodegroup": 2})
    role = iam.create_role(RoleName="pods", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    create = dict(clusterName="c1", podExecutionRoleArn=role, selectors=[{"namespace": "batch"}])
    # Without subnets, the cluster's private subnets (no route to an internet gateway).
    first = eks.create_fargate_profile(fargateProfileName="first", **create)["fargateProfile"]
    assert sorted(first["subnets"]) == sorted(network["subnets"])
    busy = error_message(lambda: raw_eks.create_fargate_profile(fargateProfileName="second", **create))
    assert busy == (
        "ResourceInUseException",
        409,
        "Cannot create Fargate Profile second because cluster c1 currently has Fargate profile first in status CREATING",
    )
    assert error_message(lambda: raw_eks.delete_fargate_profile(clusterName="c1", fargateProfileName="first"))[0] == (
        "ResourceInUseException"
    )
    assert error_message(lambda: raw_eks.create_fargate_profile(fargateProfileName="first", **create)) == (
        "ResourceInUseException",
        409,
        "A Fargate Profile already exists with this name in this cluster.",
    )
    # A subnet routed to an internet gateway is public: refused.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=network["vpc"])
    table = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=network["subnets"][0])
    wait_for(
        lambda: eks.describe_fargate_profile(clusterName="c1", fargateProfileName="first"),
        ["fargateProfile", "status"],
        ["ACTIVE"],
    )
    public = error_message(
        lambda: raw_eks.create_fargate_profile(fargateProfileName="second", subnets=network["subnets"][:1], **create)
    )
    assert public == (
        "InvalidParameterException",
        400,
        f"Subnet {network['subnets'][0]} provided in Fargate Profile is not a private subnet",
    )
    assert (
        error_message(
            lambda: raw_eks.create_fargate_profile(
                fargateProfileName="second", **dict(create, selectors=[{"namespace": str(i)} for i in range(6)])
            )
        )[0]
        == "InvalidParameterException"
    )
