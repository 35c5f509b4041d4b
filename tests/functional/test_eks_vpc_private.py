"""A fully private cluster's network against the local AWS endpoint: eks_vpc private_only (private subnets only, no
internet gateway, no NAT, no default route) and eks_vpc_endpoints (eksctl's interface endpoints with private DNS and
the endpoints' security group, the s3 gateway endpoint on the private route tables): check mode predicts without a
mutating call, the apply makes what check mode said, the re-runs change nothing, drift is repaired, an optional
service dropped deletes its endpoint, and eks_vpc_cleanup deletes the endpoints before the subnets, the group and the
VPC (which the endpoint refuses to delete while an endpoint is left)."""

from __future__ import annotations

import boto3
import pytest
from module_runner import run_module

NAME = "privtest"
REGION = "ap-northeast-2"
OWNER = "aews.eks/cluster-name"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
VPC = {
    "name": NAME,
    "region": REGION,
    "cidr": "10.30.0.0/16",
    "subnets": {"private": {"ap-northeast-2a": "10.30.64.0/19", "ap-northeast-2c": "10.30.96.0/19"}},
    "nat": "disabled",
    "private_only": True,
    "tags": {"team": "platform"},
}
REQUIRED = ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"]


@pytest.fixture(autouse=True)
def fast_waits(monkeypatch):
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")


def ec2():
    return boto3.client("ec2", region_name=REGION)


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def mutating(local_aws):
    return [r["operation"] for r in local_aws.requests(mutating=True)]


def endpoint_params(vpc_id, subnet_ids, services=None):
    params = {"name": NAME, "region": REGION, "vpc_id": vpc_id, "subnet_ids": subnet_ids, "tags": {"team": "platform"}}
    if services is not None:
        params["services"] = services
    return params


def live_endpoints(vpc_id):
    found = ec2().describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    return {e["ServiceName"].split(f"{REGION}.", 1)[1]: e for e in found if e["State"] != "deleted"}


def test_private_vpc_endpoints_converge_and_teardown(local_aws):
    # The VPC: private subnets only, no internet gateway, NAT gateway or default route.
    local_aws.clear_requests()
    checked = run_module("eks_vpc", VPC, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    assert checked["subnet_ids"] == {"public": {}, "private": {z: None for z in ZONES}}
    actions = sorted({c["action"] for c in checked["changes"]})
    assert "create_igw" not in actions and "create_nat" not in actions and "allocate_address" not in actions
    made = run_module("eks_vpc", VPC, diff=True)
    assert made["changes"] == checked["changes"]
    calls = mutating(local_aws)
    assert calls.count("CreateSubnet") == 2 and "CreateInternetGateway" not in calls and "CreateNatGateway" not in calls
    after = made["diff"]["after"]
    assert sorted(after["subnets"]) == [f"{NAME}-private-{z}" for z in ZONES]
    assert "internet_gateway" not in after and after["nat_gateways"] == {}
    assert sorted(after["route_tables"]) == [f"{NAME}-private-{z}" for z in ZONES]
    assert all(table["routes"] == {} for table in after["route_tables"].values())
    assert not run_module("eks_vpc", VPC)["changed"]
    vpc_id = made["vpc"]["id"]
    subnet_ids = [made["subnet_ids"]["private"][z] for z in ZONES]
    assert ec2().describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"] == []  # fmt: skip

    # The endpoints: check mode with the VPC still to be made (a pending value) predicts all of them.
    pending = run_module("eks_vpc_endpoints", endpoint_params("pending:vpc", ["pending:subnet", "pending:subnet"]),
                         check_mode=True)  # fmt: skip
    assert pending["changed"] and [e["service"] for e in pending["vpc_endpoints"]] == REQUIRED
    assert mutating(local_aws).count("CreateVpcEndpoint") == 0

    # Four steps on the real VPC.
    local_aws.clear_requests()
    params = endpoint_params(vpc_id, subnet_ids)
    checked = run_module("eks_vpc_endpoints", params, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    assert [(c["action"], c["resource"]) for c in checked["changes"]] == [
        ("create", f"security group {NAME}-vpc-endpoints"),
        ("authorize", f"security group {NAME}-vpc-endpoints"),
    ] + [("create", f"VPC endpoint {NAME}-{s}") for s in REQUIRED]
    applied = run_module("eks_vpc_endpoints", params, diff=True)
    assert applied["changes"] == checked["changes"]
    assert sorted(mutating(local_aws)) == sorted(
        ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress"] + ["CreateVpcEndpoint"] * 5
    )
    assert [(e["service"], e["type"], e["state"], e["owned"]) for e in applied["vpc_endpoints"]] == [
        (s, "Gateway" if s == "s3" else "Interface", "available", True) for s in REQUIRED
    ]
    group_id = applied["security_group_id"]
    assert group_id.startswith("sg-")
    group = ec2().describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]])
            for p in group["IpPermissions"]] == [("tcp", 443, 443, ["10.30.0.0/16"])]  # fmt: skip
    assert tags(group) == {"Name": f"{NAME}-vpc-endpoints", OWNER: NAME, "team": "platform"}
    found = live_endpoints(vpc_id)
    assert sorted(found) == sorted(REQUIRED)
    tables = sorted(
        t["RouteTableId"]
        for t in ec2().describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnet_ids}])[
            "RouteTables"]
    )  # fmt: skip
    for service, endpoint in found.items():
        assert tags(endpoint) == {"Name": f"{NAME}-{service}", OWNER: NAME, "team": "platform"}
        assert endpoint["ServiceName"] == f"com.amazonaws.{REGION}.{service}"
        if service == "s3":
            assert endpoint["VpcEndpointType"] == "Gateway" and sorted(endpoint["RouteTableIds"]) == tables
        else:
            assert endpoint["VpcEndpointType"] == "Interface" and endpoint["PrivateDnsEnabled"] is True
            assert sorted(endpoint["SubnetIds"]) == sorted(subnet_ids)
            assert [g["GroupId"] for g in endpoint["Groups"]] == [group_id]
    # The s3 route (by prefix list) is on each private route table; the collection's own routes stay empty.
    for table in ec2().describe_route_tables(RouteTableIds=tables)["RouteTables"]:
        assert [r["GatewayId"] for r in table["Routes"] if r.get("DestinationPrefixListId")] == [found["s3"][
            "VpcEndpointId"]]  # fmt: skip
    predicted, real = checked["diff"]["after"], applied["diff"]["after"]
    assert sorted(predicted["endpoints"]) == sorted(real["endpoints"])
    assert predicted["security_group"] == real["security_group"]
    for check_mode in (True, False):
        local_aws.clear_requests()
        again = run_module("eks_vpc_endpoints", params, check_mode=check_mode, diff=True)
        assert not again["changed"], again["changes"]
        assert again["diff"]["before"] == again["diff"]["after"] == real
        assert mutating(local_aws) == []
    assert not run_module("eks_vpc", VPC)["changed"]  # the s3 route by prefix list is not eks_vpc's

    # Drift: private DNS off and the group taken off the ec2 endpoint, a subnet taken off sts; repaired in place.
    client = ec2()
    client.modify_vpc_endpoint(VpcEndpointId=found["ec2"]["VpcEndpointId"], PrivateDnsEnabled=False,
                               RemoveSecurityGroupIds=[group_id])  # fmt: skip
    client.modify_vpc_endpoint(VpcEndpointId=found["sts"]["VpcEndpointId"], RemoveSubnetIds=[subnet_ids[1]])
    drift = run_module("eks_vpc_endpoints", params, check_mode=True, diff=True)
    assert [(c["action"], c["resource"]) for c in drift["changes"]] == [
        ("update", f"VPC endpoint {NAME}-ec2 ({found['ec2']['VpcEndpointId']})"),
        ("update", f"VPC endpoint {NAME}-sts ({found['sts']['VpcEndpointId']})"),
    ]
    assert drift["diff"]["after"] == real
    repaired = run_module("eks_vpc_endpoints", params, diff=True)
    assert repaired["diff"]["after"] == real and not run_module("eks_vpc_endpoints", params)["changed"]
    found = live_endpoints(vpc_id)
    assert found["ec2"]["PrivateDnsEnabled"] is True and [g["GroupId"] for g in found["ec2"]["Groups"]] == [group_id]
    assert sorted(found["sts"]["SubnetIds"]) == sorted(subnet_ids)

    # An optional service added, then dropped: its endpoint is made, then deleted (it carries the ownership tag).
    with_logs = endpoint_params(vpc_id, subnet_ids, REQUIRED + ["logs"])
    added = run_module("eks_vpc_endpoints", with_logs)
    assert [c["resource"] for c in added["changes"]] == [f"VPC endpoint {NAME}-logs"] and "logs" in live_endpoints(
        vpc_id)  # fmt: skip
    dropped = run_module("eks_vpc_endpoints", params)
    assert [c["action"] for c in dropped["changes"]] == ["delete"] and "logs" not in live_endpoints(vpc_id)

    # The VPC cannot go while an endpoint is in it (as EC2 answers); the teardown deletes the endpoints first.
    with pytest.raises(Exception, match="DependencyViolation"):
        client.delete_vpc(VpcId=vpc_id)
    local_aws.clear_requests()
    cleaned = run_module("eks_vpc_cleanup", {"cluster_name": NAME, "region": REGION, "dependency_timeout": 5,
                                             "nat_gateway_timeout": 5})  # fmt: skip
    assert cleaned["changed"] and cleaned["failed"] == []
    kinds = [d["type"] for d in cleaned["deleted"]]
    assert kinds.count("vpc_endpoint") == 5 and kinds.index("vpc_endpoint") < kinds.index("subnet")
    assert kinds.index("security_group") > kinds.index("vpc_endpoint") and kinds[-1] == "vpc"
    assert client.describe_vpcs(Filters=[{"Name": f"tag:{OWNER}", "Values": [NAME]}])["Vpcs"] == []


def test_bad_input_fails_before_any_change(local_aws):
    local_aws.clear_requests()
    with pytest.raises(Exception, match="nat: a private-only VPC"):
        run_module("eks_vpc", dict(VPC, nat="single"))
    with pytest.raises(Exception, match="subnets.public: a private-only VPC"):
        run_module("eks_vpc", dict(VPC, subnets={"public": {"ap-northeast-2a": "10.30.0.0/19"},
                                                 "private": VPC["subnets"]["private"]}))  # fmt: skip
    with pytest.raises(Exception, match="vpc_id: 'pending:vpc' is not the id of a VPC"):
        run_module("eks_vpc_endpoints", endpoint_params("pending:vpc", ["pending:subnet"]))
    assert mutating(local_aws) == []
