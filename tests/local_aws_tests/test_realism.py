"""The realism controls: AWS's everyday failures with AWS's codes, statuses and messages, each ending after its
window; the faithful EC2 behaviour (dependencies, NAT gateways, tag filters) that is always on; per-service
throttling; simulated Kubernetes load balancers; problems."""

from __future__ import annotations

import base64
import functools
import json
import time

import pytest
from botocore.config import Config

from local_aws_tests.helpers import REGION
from local_aws_tests.helpers import client
from local_aws_tests.helpers import wait_for
from local_aws_tests.helpers import wait_gone

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def failure(call):
    """(code, HTTP status, message) of the ClientError call() raises."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        response = getattr(e, "response", None)
        assert response, f"expected an AWS error, got {e!r}"
        return (
            response["Error"]["Code"],
            response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message"),
        )
    raise AssertionError("expected an AWS error, the call succeeded")


def until_ok(call, timeout=5):
    """Retry call() until it succeeds (the window under test ends); return its result."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except Exception:  # noqa: BLE001
            assert time.monotonic() < deadline, "the behaviour did not end after its window"
            time.sleep(0.05)


def vpc_with_subnets(ec2, cidr="10.30", zones="ac", igw=False):
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in enumerate(zones)
    ]
    gateway = None
    if igw:
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return vpc, subnets, gateway


def test_profiles_turn_every_control_on_and_off(local_aws):
    config = local_aws.realism("realistic")
    assert config["profile"] == "realistic"
    assert config["iam_propagation"] == [0.0, 10.0]
    assert config["ec2_lag"] == 2.0
    assert config["nat_gateway"] == {"create": 120.0, "delete": 60.0}
    assert config["eni_linger"] == 30.0
    assert config["quotas"] == {"addresses": 5, "vpcs": 5, "internet_gateways": 5, "nat_gateways_per_az": 5}
    assert "us-east-1e" in config["unsupported_zones"]
    assert not [z for z in config["unsupported_zones"] if z.startswith("ap-northeast-2")]
    assert config["service_linked_roles"] is True
    assert config["security_group_references"] is True
    # A key given with the profile overrides its default; unknown values are refused naming the key.
    assert local_aws.realism("realistic", ec2_lag=0.5)["ec2_lag"] == 0.5
    with pytest.raises(Exception, match="400"):
        local_aws.realism(quotas={"vpc": 1})
    config = local_aws.realism("ideal")
    assert (config["iam_propagation"], config["ec2_lag"], config["nat_gateway"], config["eni_linger"]) == (
        None,
        0,
        None,
        0,
    )
    local_aws.realism("realistic")
    local_aws.reset()
    assert local_aws.get("/_aews/config")["profile"] == "ideal"


def test_iam_propagation_eks_cannot_assume_a_new_role_until_it_propagates(local_aws):
    ec2, iam, eks = client("ec2"), client("iam"), client("eks")
    _vpc, subnets, _igw = vpc_with_subnets(ec2)
    local_aws.configure(scale=0.1)
    local_aws.realism(iam_propagation=[5, 5], seed=1)  # 0.5 s
    arn = iam.create_role(RoleName="fresh", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    create = functools.partial(eks.create_cluster, name="c1", roleArn=arn, resourcesVpcConfig={"subnetIds": subnets})
    assert failure(create) == (
        "InvalidParameterException",
        400,
        f"Role with arn: arn:aws:iam::{ACCOUNT}:role/fresh, could not be assumed because it does not exist or the"
        " trusted entity is not correct",
    )
    until_ok(create)
    wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])
    # A node role whose policies were just attached (after its creation propagated): EKS's policies message.
    node = iam.create_role(RoleName="node", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    time.sleep(0.55)
    iam.attach_role_policy(RoleName="node", PolicyArn="arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy")
    nodegroup = functools.partial(
        eks.create_nodegroup,
        clusterName="c1", nodegroupName="ng", nodeRole=node, subnets=subnets
    )
    assert failure(nodegroup) == (
        "InvalidParameterException",
        400,
        "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the"
        " following policies [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy,"
        " arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly] are attached",
    )
    until_ok(nodegroup)
    # An add-on's service account role and a fargate profile's pod execution role, just created.
    addon_role = iam.create_role(RoleName="addon", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    pods_role = iam.create_role(RoleName="pods", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    addon = functools.partial(
        eks.create_addon,
        clusterName="c1", addonName="vpc-cni", serviceAccountRoleArn=addon_role
    )
    assert failure(addon) == (
        "InvalidParameterException",
        400,
        f"Role with arn: {addon_role}, could not be assumed because it does not exist or the trusted entity is not"
        " correct",
    )
    profile = functools.partial(
        eks.create_fargate_profile,
        clusterName="c1", fargateProfileName="fp", podExecutionRoleArn=pods_role, subnets=subnets,
        selectors=[{"namespace": "default"}],
    )  # fmt: skip
    assert failure(profile) == (
        "InvalidParameterException",
        400,
        "Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal",
    )
    until_ok(addon)
    until_ok(profile)


def test_iam_propagation_sts_does_not_know_a_new_oidc_provider_yet(local_aws):
    iam, sts = client("iam"), client("sts")
    local_aws.configure(scale=0.1)
    local_aws.realism(iam_propagation=[5, 5])
    issuer = f"oidc.eks.{REGION}.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
    iam.create_open_id_connect_provider(
        Url=f"https://{issuer}",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
    )
    role = iam.create_role(RoleName="irsa", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    claims = base64.urlsafe_b64encode(
        json.dumps({"iss": f"https://{issuer}", "sub": "system:serviceaccount:a:b"}).encode()
    )
    token = "eyJhbGciOiJSUzI1NiJ9." + claims.decode().rstrip("=") + ".c2ln"
    assume = functools.partial(
        sts.assume_role_with_web_identity,
        RoleArn=role, RoleSessionName="pod", WebIdentityToken=token
    )
    assert failure(assume) == (
        "InvalidIdentityToken",
        400,
        f"No OpenIDConnect provider found in your account for https://{issuer}",
    )
    assert until_ok(assume)["AssumedRoleUser"]


def test_ec2_lag_a_new_id_is_not_found_for_a_while(local_aws):
    ec2 = client("ec2")
    local_aws.configure(scale=0.1)
    local_aws.realism(ec2_lag=5)  # 0.5 s
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "v"}]}]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16", TagSpecifications=tags)["Vpc"]  # the creating call succeeds
    vpc_id = vpc["VpcId"]
    assert vpc["Tags"] == [{"Key": "Name", "Value": "v"}]
    message = f"The vpc ID '{vpc_id}' does not exist"
    assert failure(lambda: ec2.describe_vpcs(VpcIds=[vpc_id])) == ("InvalidVpcID.NotFound", 400, message)
    assert failure(lambda: ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "a", "Value": "b"}]))[0] == (
        "InvalidVpcID.NotFound"
    )
    attribute = functools.partial(ec2.modify_vpc_attribute, VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert failure(attribute) == ("InvalidVpcID.NotFound", 400, message)
    # Filters are not ids: a filtered describe answers (an empty or full list), as EC2 does.
    ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    assert failure(lambda: ec2.describe_internet_gateways(InternetGatewayIds=[igw])) == (
        "InvalidInternetGatewayID.NotFound",
        400,
        f"The internetGateway ID '{igw}' does not exist",
    )
    assert until_ok(lambda: ec2.describe_vpcs(VpcIds=[vpc_id]))["Vpcs"][0]["VpcId"] == vpc_id
    until_ok(attribute)
    until_ok(lambda: ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id))


def test_nat_gateway_transitions_and_what_its_address_blocks(local_aws):
    ec2 = client("ec2")
    local_aws.configure(scale=0.1)
    # 0.4 s to create; 3 s to delete, long enough for the calls made while it is deleting, however loaded the machine.
    local_aws.realism(nat_gateway={"create": 4, "delete": 30})
    vpc, subnets, igw = vpc_with_subnets(ec2, igw=True)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]
    assert nat["State"] == "pending"
    describe = functools.partial(ec2.describe_nat_gateways, NatGatewayIds=[nat["NatGatewayId"]])
    wait_for(describe, ["NatGateways", 0, "State"], ["available"], timeout=3)
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    assert describe()["NatGateways"][0]["State"] == "deleting"
    assert failure(lambda: ec2.release_address(AllocationId=allocation)) == (
        "InvalidIPAddress.InUse",
        400,
        f"Address {allocation} is in use.",
    )
    association = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]["AssociationId"]
    assert failure(lambda: ec2.disassociate_address(AssociationId=association)) == (
        "AuthFailure",
        400,
        "You do not have permission to access the specified resource.",
    )
    assert failure(lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)) == (
        "DependencyViolation",
        400,
        f"Network {vpc} has some mapped public address(es). Please unmap those public address(es) before detaching"
        " the gateway.",
    )
    wait_for(describe, ["NatGateways", 0, "State"], ["deleted"], timeout=8)
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.release_address(AllocationId=allocation)
    ec2.delete_subnet(SubnetId=subnets[0])  # the gateway's interface went with it


def test_nat_gateway_fails_in_a_vpc_without_internet_gateway(local_aws):
    ec2 = client("ec2")
    local_aws.configure(scale=0.1)
    local_aws.realism(nat_gateway={"create": 2, "delete": 2})
    vpc, subnets, _igw = vpc_with_subnets(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    failed = wait_for(
        lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat]), ["NatGateways", 0, "State"], ["failed"], timeout=3
    )["NatGateways"][0]
    assert (failed["FailureCode"], failed["FailureMessage"]) == (
        "Gateway.NotAttached",
        f"Network {vpc} has no Internet gateway attached",
    )
    ec2.release_address(AllocationId=allocation)  # a failed gateway holds no address


def test_nat_gateway_off_deletes_at_once_and_frees_its_interface_and_address(local_aws):
    ec2 = client("ec2")
    _vpc, subnets, _igw = vpc_with_subnets(ec2, igw=True)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]

    def tags(value):
        return [{"ResourceType": "natgateway", "Tags": [{"Key": "owner", "Value": value}]}]

    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation, TagSpecifications=tags("a"))
    assert nat["NatGateway"]["State"] == "available"
    ec2.create_nat_gateway(SubnetId=subnets[1], TagSpecifications=tags("b"), ConnectivityType="private")
    # tag: filters are honoured (moto ignored them)
    mine = ec2.describe_nat_gateways(Filters=[{"Name": "tag:owner", "Values": ["a"]}])["NatGateways"]
    assert [g["NatGatewayId"] for g in mine] == [nat["NatGateway"]["NatGatewayId"]]
    assert ec2.describe_nat_gateways(Filters=[{"Name": "tag-key", "Values": ["nope"]}])["NatGateways"] == []
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGateway"]["NatGatewayId"])
    ec2.delete_subnet(SubnetId=subnets[0])
    ec2.release_address(AllocationId=allocation)
    assert failure(lambda: ec2.delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0"))[:2] == (
        "NatGatewayNotFound",
        400,
    )


def test_deletes_honour_dependencies_always(local_aws):
    ec2 = client("ec2")
    vpc, subnets, igw = vpc_with_subnets(ec2, igw=True)
    group = ec2.create_security_group(VpcId=vpc, GroupName="g", Description="g")["GroupId"]
    eni = ec2.create_network_interface(SubnetId=subnets[0], Groups=[group])["NetworkInterface"]["NetworkInterfaceId"]
    assert failure(lambda: ec2.delete_subnet(SubnetId=subnets[0])) == (
        "DependencyViolation",
        400,
        f"The subnet '{subnets[0]}' has dependencies and cannot be deleted.",
    )
    assert failure(lambda: ec2.delete_security_group(GroupId=group)) == (
        "DependencyViolation",
        400,
        f"resource {group} has a dependent object",
    )
    ec2.delete_subnet(SubnetId=subnets[1])
    vpc_message = ("DependencyViolation", 400, f"The vpc '{vpc}' has dependencies and cannot be deleted.")
    assert failure(lambda: ec2.delete_vpc(VpcId=vpc)) == vpc_message
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=subnets[0])
    assert failure(lambda: ec2.delete_vpc(VpcId=vpc)) == vpc_message  # the security group
    ec2.delete_security_group(GroupId=group)
    assert failure(lambda: ec2.delete_vpc(VpcId=vpc)) == vpc_message  # the attached internet gateway
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)


def test_eni_linger_blocks_subnets_groups_and_vpc_after_nodegroup_and_cluster(local_aws, network):
    ec2, eks = client("ec2"), client("eks")
    local_aws.configure(scale=0.1)
    local_aws.realism(eni_linger=5)  # 0.5 s
    eks.create_cluster(name="c1", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]})
    cluster = wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])["cluster"]
    cluster_group = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", nodeRole=network["node_role"], subnets=network["subnets"]
    )
    wait_for(lambda: eks.describe_nodegroup(clusterName="c1", nodegroupName="ng"), ["nodegroup", "status"], ["ACTIVE"])
    eks.delete_nodegroup(clusterName="c1", nodegroupName="ng")
    wait_gone(lambda: eks.describe_nodegroup(clusterName="c1", nodegroupName="ng"))
    cni = ec2.describe_network_interfaces(Filters=[{"Name": "tag:cluster.k8s.amazonaws.com/name", "Values": ["c1"]}])
    interfaces = cni["NetworkInterfaces"]
    assert len(interfaces) == 2 and {i["Status"] for i in interfaces} == {"available"}
    assert all(i["Description"].startswith("aws-K8S-i-") for i in interfaces)
    assert failure(lambda: ec2.delete_subnet(SubnetId=network["subnets"][0])) == (
        "DependencyViolation",
        400,
        f"The subnet '{network['subnets'][0]}' has dependencies and cannot be deleted.",
    )
    eks.delete_cluster(name="c1")
    wait_gone(lambda: eks.describe_cluster(name="c1"))
    eks_enis = ec2.describe_network_interfaces(Filters=[{"Name": "description", "Values": ["Amazon EKS c1"]}])
    assert {g["GroupId"] for i in eks_enis["NetworkInterfaces"] for g in i["Groups"]} == {cluster_group}
    assert failure(lambda: ec2.delete_security_group(GroupId=cluster_group)) == (
        "DependencyViolation",
        400,
        f"resource {cluster_group} has a dependent object",
    )
    # The interfaces go after the linger, and EKS's cluster security group with them.
    until_ok(lambda: ec2.delete_subnet(SubnetId=network["subnets"][0]))
    ec2.delete_subnet(SubnetId=network["subnets"][1])
    assert failure(lambda: ec2.describe_security_groups(GroupIds=[cluster_group]))[0] == "InvalidGroup.NotFound"
    ec2.delete_vpc(VpcId=network["vpc"])


def test_quotas(local_aws):
    ec2 = client("ec2")
    local_aws.realism(quotas={"addresses": 1, "vpcs": 2, "internet_gateways": 1, "nat_gateways_per_az": 1})
    ec2.allocate_address(Domain="vpc")
    assert failure(lambda: ec2.allocate_address(Domain="vpc")) == (
        "AddressLimitExceeded",
        400,
        "The maximum number of addresses has been reached.",
    )
    vpc, subnets, _igw = vpc_with_subnets(ec2, igw=True)  # the default VPC is the first of two
    assert failure(lambda: ec2.create_vpc(CidrBlock="10.50.0.0/16")) == (
        "VpcLimitExceeded",
        400,
        "The maximum number of VPCs has been reached.",
    )
    assert failure(ec2.create_internet_gateway)[:2] == ("InternetGatewayLimitExceeded", 400)
    ec2.create_nat_gateway(SubnetId=subnets[0], ConnectivityType="private")
    assert failure(lambda: ec2.create_nat_gateway(SubnetId=subnets[0], ConnectivityType="private"))[:2] == (
        "NatGatewayLimitExceeded",
        400,
    )
    ec2.create_nat_gateway(SubnetId=subnets[1], ConnectivityType="private")  # another zone
    local_aws.realism(quotas={"vpcs": None})
    ec2.create_vpc(CidrBlock="10.50.0.0/16")


def test_unsupported_zone_answers_eks_capacity_error(local_aws, network):
    eks = client("eks")
    local_aws.realism("realistic", iam_propagation=None)
    eks.create_cluster(name="ok", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]})
    local_aws.realism(unsupported_zones=[f"{REGION}c"])
    create = functools.partial(
        eks.create_cluster,
        name="c2", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]}
    )
    with pytest.raises(eks.exceptions.UnsupportedAvailabilityZoneException) as raised:
        create()
    error = raised.value.response
    valid = [f"{REGION}a", f"{REGION}b", f"{REGION}d"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        f"Cannot create cluster 'c2' because {REGION}c, the targeted availability zone, does not currently have"
        f" sufficient capacity to support the cluster. Retry and choose from these availability zones: {', '.join(valid)}"
    )
    assert error["validZones"] == valid and error["clusterName"] == "c2"


def test_service_linked_roles_created_by_the_first_cluster_and_nodegroup(local_aws, network):
    eks, iam = client("eks"), client("iam")
    local_aws.realism(service_linked_roles=True)
    eks.create_cluster(name="c1", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]})
    role = iam.get_role(RoleName="AWSServiceRoleForAmazonEKS")["Role"]
    assert role["Path"] == "/aws-service-role/eks.amazonaws.com/"
    assert failure(lambda: iam.get_role(RoleName="AWSServiceRoleForAmazonEKSNodegroup"))[0] == "NoSuchEntity"
    wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", nodeRole=network["node_role"], subnets=network["subnets"]
    )
    role = iam.get_role(RoleName="AWSServiceRoleForAmazonEKSNodegroup")["Role"]
    assert role["Path"] == "/aws-service-role/eks-nodegroup.amazonaws.com/"


def test_throttling_and_internal_errors_use_each_service_own_code(local_aws):
    local_aws.faults(throttle_rate=1.0)
    calls = {
        ("ec2", "describe_vpcs"): ("RequestLimitExceeded", 503, "Request limit exceeded."),
        ("iam", "list_roles"): ("Throttling", 400, "Rate exceeded"),
        ("sts", "get_caller_identity"): ("Throttling", 400, "Rate exceeded"),
        ("eks", "list_clusters"): ("ThrottlingException", 400, "Rate exceeded"),
        ("logs", "describe_log_groups"): ("ThrottlingException", 400, "Rate exceeded"),
        ("kms", "list_keys"): ("ThrottlingException", 400, "Rate exceeded"),
        ("elbv2", "describe_load_balancers"): ("Throttling", 400, "Rate exceeded"),
        ("autoscaling", "describe_auto_scaling_groups"): ("Throttling", 400, "Rate exceeded"),
    }
    for (service, method), expected in calls.items():
        assert (
            failure(getattr(client(service, retries={"total_max_attempts": 1}), method)) == expected
        ), service
    local_aws.faults(error_rate=1.0)
    assert failure(lambda: client("ec2", retries={"total_max_attempts": 1}).describe_vpcs())[:2] == (
        "InternalError",
        500,
    )
    assert failure(lambda: client("iam", retries={"total_max_attempts": 1}).list_roles())[:2] == (
        "InternalFailure",
        500,
    )
    local_aws.faults()
    assert local_aws.problems() == []  # injected faults are not problems


def test_token_bucket_throttles_a_burst_not_a_trickle(local_aws):
    ec2 = client("ec2", retries={"total_max_attempts": 1})
    local_aws.faults(bucket={"rate": 4, "burst": 3})
    codes = []
    for _attempt in range(10):
        try:
            ec2.describe_vpcs()
            codes.append("ok")
        except Exception as e:  # noqa: BLE001
            codes.append(e.response["Error"]["Code"])
    assert codes[:3] == ["ok"] * 3 and "RequestLimitExceeded" in codes[3:]
    client("iam", retries={"total_max_attempts": 1}).list_roles()  # buckets are per service
    time.sleep(0.75)
    for _attempt in range(4):  # 3 a second, under the 4 a second refill: never throttled
        ec2.describe_vpcs()
        time.sleep(0.33)


def test_load_balancer_blocks_subnets_and_vpc_until_removed(local_aws, network):
    ec2, eks, elbv2 = client("ec2"), client("eks"), client("elbv2")
    ec2.create_tags(Resources=network["subnets"], Tags=[{"Key": "kubernetes.io/role/elb", "Value": "1"}])
    eks.create_cluster(name="c1", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]})
    cluster = wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])["cluster"]
    cluster_group = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    alb = local_aws.load_balancer("c1", kind="alb")
    nlb = local_aws.load_balancer("c1", kind="service", name="web")
    assert [lb["name"] for lb in local_aws.load_balancers()] == [alb["name"], "web"]
    described = elbv2.describe_load_balancers(Names=["web"])["LoadBalancers"][0]
    assert described["Type"] == "network" and described["VpcId"] == network["vpc"]
    tags = elbv2.describe_tags(ResourceArns=[alb["load_balancer_arn"]])["TagDescriptions"][0]["Tags"]
    assert {"Key": "elbv2.k8s.aws/cluster", "Value": "c1"} in tags
    assert {"Key": "kubernetes.io/cluster/c1", "Value": "owned"} in tags
    group = ec2.describe_security_groups(GroupIds=[nlb["security_group_id"]])["SecurityGroups"][0]
    assert {"Key": "kubernetes.io/cluster/c1", "Value": "owned"} in group["Tags"]
    rules = ec2.describe_security_groups(GroupIds=[cluster_group])["SecurityGroups"][0]["IpPermissions"]
    assert nlb["security_group_id"] in [p["GroupId"] for r in rules for p in r["UserIdGroupPairs"]]
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=nlb["network_interface_ids"])["NetworkInterfaces"]
    assert {e["SubnetId"] for e in enis} == set(network["subnets"])
    assert failure(lambda: ec2.delete_subnet(SubnetId=network["subnets"][0]))[0] == "DependencyViolation"
    assert failure(lambda: ec2.delete_security_group(GroupId=nlb["security_group_id"]))[0] == "DependencyViolation"
    # Deleted through the API (as a teardown does), the load balancer's interfaces go with it; the rule stays.
    elbv2.delete_load_balancer(LoadBalancerArn=nlb["load_balancer_arn"])
    lb_enis = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [nlb["security_group_id"]]}])
    assert lb_enis["NetworkInterfaces"] == []
    # The cluster group's rule names the load balancer's group: with security_group_references, that blocks too.
    local_aws.realism(security_group_references=True)
    assert failure(lambda: ec2.delete_security_group(GroupId=nlb["security_group_id"])) == (
        "DependencyViolation",
        400,
        f"resource {nlb['security_group_id']} has a dependent object",
    )
    pair = {"GroupId": nlb["security_group_id"]}
    ec2.revoke_security_group_ingress(
        GroupId=cluster_group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [pair]}],
    )
    ec2.delete_security_group(GroupId=nlb["security_group_id"])
    local_aws.delete_load_balancer(alb["name"])
    assert failure(lambda: ec2.describe_security_groups(GroupIds=[alb["security_group_id"]]))[0] == (
        "InvalidGroup.NotFound"
    )
    assert failure(lambda: ec2.delete_vpc(VpcId=network["vpc"]))[0] == "DependencyViolation"  # subnets, groups


def test_delete_launch_template_versions_and_numbering(local_aws):
    ec2 = client("ec2")
    template = ec2.create_launch_template(LaunchTemplateName="lt", LaunchTemplateData={"InstanceType": "t3.small"})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    for size in ("t3.medium", "t3.large"):
        ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": size})
    answer = ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["2", "1", "9"])
    assert [v["VersionNumber"] for v in answer["SuccessfullyDeletedLaunchTemplateVersions"]] == [2]
    failed = {
        v["VersionNumber"]: v["ResponseError"]["Code"] for v in answer["UnsuccessfullyDeletedLaunchTemplateVersions"]
    }
    assert failed == {1: "unexpectedError", 9: "launchTemplateVersionDoesNotExist"}
    new = ec2.create_launch_template_version(
        LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": "m5.large"}
    )
    assert new["LaunchTemplateVersion"]["VersionNumber"] == 4  # numbers are never reused
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["3", "4"])
    assert [v["LaunchTemplateData"]["InstanceType"] for v in versions["LaunchTemplateVersions"]] == [
        "t3.large",
        "m5.large",
    ]


def test_an_unimplemented_call_is_a_problem_until_reset(local_aws):
    ec2 = client("ec2", retries={"total_max_attempts": 1})
    with pytest.raises(Exception):
        ec2.describe_fleet_history(FleetId="fleet-12345678-1234-1234-1234-123456789012", StartTime="2026-01-01")
    problems = local_aws.problems()
    assert len(problems) == 1 and problems[0].startswith("ec2:DescribeFleetHistory failed in moto")
    assert "has not been implemented" in problems[0]
    local_aws.reset()
    assert local_aws.problems() == []


def test_describes_of_the_vpc_role_and_teardown_honour_tag_filters(local_aws):
    ec2 = client("ec2")

    def tagged(kind, value):
        return [{"ResourceType": kind, "Tags": [{"Key": "aews.eks/cluster-name", "Value": value}]}]

    made = {}
    for owner, cidr in (("mine", "10.60"), ("other", "10.61")):
        vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16", TagSpecifications=tagged("vpc", owner))["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.0.0/24", TagSpecifications=tagged("subnet", owner))
        subnet = subnet["Subnet"]["SubnetId"]
        made[owner] = {
            "describe_vpcs": ("Vpcs", "VpcId", vpc),
            "describe_subnets": ("Subnets", "SubnetId", subnet),
            "describe_route_tables": (
                "RouteTables",
                "RouteTableId",
                ec2.create_route_table(VpcId=vpc, TagSpecifications=tagged("route-table", owner))["RouteTable"][
                    "RouteTableId"
                ],
            ),
            "describe_security_groups": (
                "SecurityGroups",
                "GroupId",
                ec2.create_security_group(
                    VpcId=vpc, GroupName="g", Description="g", TagSpecifications=tagged("security-group", owner)
                )["GroupId"],
            ),
            "describe_internet_gateways": (
                "InternetGateways",
                "InternetGatewayId",
                ec2.create_internet_gateway(TagSpecifications=tagged("internet-gateway", owner))["InternetGateway"][
                    "InternetGatewayId"
                ],
            ),
            "describe_addresses": (
                "Addresses",
                "AllocationId",
                ec2.allocate_address(Domain="vpc", TagSpecifications=tagged("elastic-ip", owner))["AllocationId"],
            ),
            "describe_nat_gateways": (
                "NatGateways",
                "NatGatewayId",
                ec2.create_nat_gateway(
                    SubnetId=subnet, ConnectivityType="private", TagSpecifications=tagged("natgateway", owner)
                )["NatGateway"]["NatGatewayId"],
            ),
        }
    for method, (key, id_key, mine) in made["mine"].items():
        kwarg = "Filter" if method == "describe_nat_gateways" else "Filters"
        found = getattr(ec2, method)(**{kwarg: [{"Name": "tag:aews.eks/cluster-name", "Values": ["mine"]}]})[key]
        assert [item[id_key] for item in found] == [mine], method


def test_refusals_aws_makes_and_moto_did_not(local_aws):
    ec2, iam = client("ec2"), client("iam")
    vpc, subnets, _igw = vpc_with_subnets(ec2, zones="a")
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    main = tables[0]["RouteTableId"]
    assert failure(lambda: ec2.delete_route_table(RouteTableId=main)) == (
        "DependencyViolation",
        400,
        f"The routeTable '{main}' has dependencies and cannot be deleted.",
    )
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    default = groups[0]["GroupId"]
    assert failure(lambda: ec2.delete_security_group(GroupId=default)) == (
        "CannotDelete",
        400,
        f'the specified group: "{default}" name: "default" cannot be deleted by a user',
    )
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    eni = ec2.create_network_interface(SubnetId=subnets[0])["NetworkInterface"]["NetworkInterfaceId"]
    association = ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)["AssociationId"]
    assert failure(lambda: ec2.release_address(AllocationId=allocation)) == (
        "InvalidIPAddress.InUse",
        400,
        f"Address {allocation} is in use.",
    )
    ec2.disassociate_address(AssociationId=association)
    ec2.release_address(AllocationId=allocation)
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/0123"
    assert failure(lambda: iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)) == (
        "NoSuchEntity",
        404,
        f"OpenIDConnect Provider not found for arn {arn}",
    )


def test_tags_are_answered_as_aws_files_them(local_aws):
    """DescribeTags names an elastic IP's tags "elastic-ip" and a NAT gateway's "natgateway" (a resource-type
    filter finds them, as amazon.aws's tag checks expect), and DescribeLaunchTemplates shows tags added later."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    allocation = ec2.allocate_address(
        Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "eip"}]}]
    )["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat"}]}],
    )["NatGateway"]["NatGatewayId"]
    for resource_type, resource_id, name in (("elastic-ip", allocation, "eip"), ("natgateway", nat, "nat")):
        tags = ec2.describe_tags(
            Filters=[
                {"Name": "resource-id", "Values": [resource_id]},
                {"Name": "resource-type", "Values": [resource_type]},
            ]
        )["Tags"]
        assert [(t["Key"], t["Value"], t["ResourceType"]) for t in tags] == [("Name", name, resource_type)]

    template = ec2.create_launch_template(LaunchTemplateName="lt-tags", LaunchTemplateData={})["LaunchTemplate"]
    assert template.get("Tags", []) == []
    ec2.create_tags(Resources=[template["LaunchTemplateId"]], Tags=[{"Key": "owner", "Value": "c1"}])
    described = ec2.describe_launch_templates(LaunchTemplateIds=[template["LaunchTemplateId"]])["LaunchTemplates"]
    assert described[0]["Tags"] == [{"Key": "owner", "Value": "c1"}]
