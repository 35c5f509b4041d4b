"""eks_vpc against the local AWS endpoint: create, converge, check mode, drift, AWS's lag and slow NAT gateways,
an interrupted NAT gateway create resumed, and an adopted VPC whose subnet CIDR is not the definition's."""

from __future__ import annotations

import boto3
import pytest
from module_runner import run_module

NAME = "vpctest"
OWNER = "aews.eks/cluster-name"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
PARAMS = {
    "name": NAME,
    "region": "ap-northeast-2",
    "cidr": "10.20.0.0/16",
    "subnets": {
        "public": {"ap-northeast-2a": "10.20.0.0/19", "ap-northeast-2c": "10.20.32.0/19"},
        "private": {"ap-northeast-2a": "10.20.64.0/19", "ap-northeast-2c": "10.20.96.0/19"},
    },
    "nat": "single",
    "tags": {"team": "platform"},
}


@pytest.fixture(autouse=True)
def fast_waits(monkeypatch):
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.2")


def ec2():
    return boto3.client("ec2", region_name="ap-northeast-2")


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def by_name(describe, key, name):
    found = getattr(ec2(), describe)(Filters=[{"Name": "tag:Name", "Values": [name]}])[key]
    assert len(found) == 1, (name, found)
    return found[0]


def owned_nats():
    return [n for n in ec2().describe_nat_gateways()["NatGateways"] if tags(n).get(OWNER) == NAME]


def mutating(local_aws):
    return [r["operation"] for r in local_aws.requests(mutating=True)]


def test_create_converge_check_mode_and_drift(local_aws):
    # Check mode on an empty account: predicts everything, calls nothing that changes.
    local_aws.clear_requests()
    checked = run_module("eks_vpc", PARAMS, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    assert checked["changed"] and checked["diff"]["before"] == {}
    assert checked["subnet_ids"] == {"public": {z: None for z in ZONES}, "private": {z: None for z in ZONES}}

    local_aws.clear_requests()
    created = run_module("eks_vpc", PARAMS, diff=True)
    assert created["changed"]
    assert created["changes"] == checked["changes"]
    calls = mutating(local_aws)
    assert calls.count("CreateVpc") == 1 and calls.count("CreateSubnet") == 4 and calls.count("CreateNatGateway") == 1
    after = created["diff"]["after"]
    # What check mode predicted, but for the ids it could not know.
    predicted = checked["diff"]["after"]
    assert predicted["vpc"] == after["vpc"] and predicted["subnets"] == after["subnets"]
    assert set(predicted["route_tables"]) == set(after["route_tables"])
    assert after["vpc"] == {
        "name": f"{NAME}-vpc", "cidr_block": "10.20.0.0/16", "enable_dns_support": True, "enable_dns_hostnames": True,
        "tags": {"Name": f"{NAME}-vpc", OWNER: NAME, "team": "platform"},
    }  # fmt: skip
    assert after["subnets"][f"{NAME}-public-ap-northeast-2a"] == {
        "cidr_block": "10.20.0.0/19", "availability_zone": "ap-northeast-2a", "map_public_ip_on_launch": True,
        "tags": {"Name": f"{NAME}-public-ap-northeast-2a", OWNER: NAME, "kubernetes.io/role/elb": "1",
                 "team": "platform"},
    }  # fmt: skip
    assert after["subnets"][f"{NAME}-private-ap-northeast-2c"]["tags"]["kubernetes.io/role/internal-elb"] == "1"
    nat_id = created["nat_gateways"]["ap-northeast-2a"]["id"]
    assert list(created["nat_gateways"]) == ["ap-northeast-2a"] and nat_id.startswith("nat-")
    assert after["route_tables"][f"{NAME}-private-ap-northeast-2c"] == {
        "routes": {"0.0.0.0/0": nat_id}, "subnets": [f"{NAME}-private-ap-northeast-2c"]
    }  # fmt: skip
    assert after["route_tables"][f"{NAME}-public"]["subnets"] == sorted(
        f"{NAME}-public-{z}" for z in ZONES
    )  # fmt: skip
    assert after["route_tables"][f"{NAME}-public"]["routes"]["0.0.0.0/0"].startswith("igw-")
    vpc = by_name("describe_vpcs", "Vpcs", f"{NAME}-vpc")
    assert created["vpc"]["id"] == vpc["VpcId"]
    dns = ec2().describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")
    assert dns["EnableDnsHostnames"]["Value"] is True

    # Converged: check mode and a real run change nothing and make no mutating call.
    local_aws.clear_requests()
    for check_mode in (True, False):
        again = run_module("eks_vpc", PARAMS, check_mode=check_mode, diff=True)
        assert not again["changed"], again["changes"]
        assert again["diff"]["before"] == again["diff"]["after"] == after
        assert again["subnet_ids"] == created["subnet_ids"]
    assert mutating(local_aws) == []

    # Drift of a VPC tag, a subnet tag and a private route: reported with before/after, then repaired.
    client = ec2()
    client.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "team", "Value": "drifted"}])
    subnet = by_name("describe_subnets", "Subnets", f"{NAME}-public-ap-northeast-2a")
    client.delete_tags(Resources=[subnet["SubnetId"]], Tags=[{"Key": "kubernetes.io/role/elb"}])
    table = by_name("describe_route_tables", "RouteTables", f"{NAME}-private-ap-northeast-2a")
    igw = by_name("describe_internet_gateways", "InternetGateways", f"{NAME}-igw")["InternetGatewayId"]
    client.replace_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)

    local_aws.clear_requests()
    drift = run_module("eks_vpc", PARAMS, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    assert drift["changed"]
    before, predicted = drift["diff"]["before"], drift["diff"]["after"]
    assert before["vpc"]["tags"]["team"] == "drifted" and predicted["vpc"]["tags"]["team"] == "platform"
    public_a = f"{NAME}-public-ap-northeast-2a"
    assert "kubernetes.io/role/elb" not in before["subnets"][public_a]["tags"]
    assert predicted["subnets"][public_a]["tags"]["kubernetes.io/role/elb"] == "1"
    private_a = f"{NAME}-private-ap-northeast-2a"
    assert before["route_tables"][private_a]["routes"] == {"0.0.0.0/0": igw}
    assert predicted["route_tables"][private_a]["routes"] == {"0.0.0.0/0": nat_id}
    assert predicted == after
    assert sorted(c["why"] for c in drift["changes"]) == sorted(
        [f"tags of {NAME}-vpc", f"tags of {public_a}", f"route 0.0.0.0/0 of {private_a} to {NAME}-nat-ap-northeast-2a"
         f" (was {igw})"]
    )  # fmt: skip

    repaired = run_module("eks_vpc", PARAMS, diff=True)
    assert repaired["changed"] and repaired["diff"]["after"] == after
    assert sorted(mutating(local_aws)) == ["CreateTags", "CreateTags", "ReplaceRoute"]
    assert not run_module("eks_vpc", PARAMS)["changed"]


def test_realistic_aws_lag_and_pending_nat_then_wait(local_aws):
    # EC2's read-after-create lag on every new id, NAT gateways pending, quotas, sped up.
    local_aws.realism(profile="realistic", seed=3, ec2_lag=0.6, nat_gateway={"create": 2, "delete": 1})
    created = run_module("eks_vpc", dict(PARAMS, nat="highly_available"))
    assert created["changed"] and created["waits"], "the lag was not met"
    assert {z: n["state"] for z, n in created["nat_gateways"].items()} == {z: "pending" for z in ZONES}
    lagged = [r for r in local_aws.requests() if r.get("realism")]
    assert lagged, "the endpoint's lag never answered"
    # Nothing waited for the NAT gateways: they are still pending, and converged.
    assert not run_module("eks_vpc", dict(PARAMS, nat="highly_available"))["changed"]
    waited = run_module("eks_vpc", dict(PARAMS, nat="highly_available", wait_nat=True))
    assert not waited["changed"]
    assert {z: n["state"] for z, n in waited["nat_gateways"].items()} == {z: "available" for z in ZONES}
    assert len(owned_nats()) == 2


def test_interrupted_nat_create_resumes_without_a_second_gateway_or_address(local_aws):
    # The run stops right after CreateNatGateway (the private route to it refused), as when it is killed there.
    local_aws.faults(
        fail_next=[{"operation": "ec2:CreateRoute", "count": 40,
                    "error": {"code": "InvalidParameterValue", "status": 400, "message": "stopped here"}}]
    )  # fmt: skip
    failed = run_module("eks_vpc", PARAMS, expect_failure=True)
    assert "stopped here" in failed["msg"]
    assert len(owned_nats()) == 1
    first = owned_nats()[0]
    local_aws.faults()
    local_aws.clear_requests()
    resumed = run_module("eks_vpc", PARAMS)
    calls = mutating(local_aws)
    assert "CreateNatGateway" not in calls and "AllocateAddress" not in calls and "CreateVpc" not in calls
    assert resumed["nat_gateways"]["ap-northeast-2a"]["id"] == first["NatGatewayId"]
    assert len(owned_nats()) == 1
    assert len([a for a in ec2().describe_addresses()["Addresses"] if tags(a).get(OWNER) == NAME]) == 1


def test_an_address_left_by_an_interrupted_attempt_is_used(local_aws):
    # An earlier attempt allocated the address (tagged), then stopped before the NAT gateway.
    spec = [{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": f"{NAME}-nat-ap-northeast-2a"},
                                                    {"Key": OWNER, "Value": NAME}]}]  # fmt: skip
    allocation = ec2().allocate_address(Domain="vpc", TagSpecifications=spec)["AllocationId"]
    local_aws.clear_requests()
    run_module("eks_vpc", PARAMS)
    assert "AllocateAddress" not in mutating(local_aws)
    assert [a["AllocationId"] for a in owned_nats()[0]["NatGatewayAddresses"]] == [allocation]


def test_nat_client_token_is_stable_for_a_resumed_create(local_aws):
    # The token sent with CreateNatGateway depends only on the subnet, the address and the gateways that failed
    # there: a create tried again after a lost answer carries the same one.
    run_module("eks_vpc", PARAMS)
    nat = owned_nats()[0]
    assert nat["State"] in ("pending", "available")
    from ansible_collections.aews.eks.plugins.module_utils._eks.vpc import client_token

    allocation = nat["NatGatewayAddresses"][0]["AllocationId"]
    token = client_token(nat["SubnetId"], allocation)
    assert token == client_token(nat["SubnetId"], allocation) != client_token(nat["SubnetId"], allocation, ["nat-1"])
    assert len(token) <= 64


def test_adopted_vpc_subnet_cidr_mismatch_fails_before_any_change(local_aws):
    client = ec2()
    vpc = client.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        z: client.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in enumerate(ZONES)
    }
    params = {
        "name": NAME,
        "region": "ap-northeast-2",
        "vpc_id": vpc,
        "subnet_ids": {"public": subnets, "private": {}},
        "subnet_cidrs": {"public": {"ap-northeast-2a": "10.9.0.0/24", "ap-northeast-2c": "10.9.7.0/24"}},
    }
    local_aws.clear_requests()
    failed = run_module("eks_vpc", params, expect_failure=True)
    assert mutating(local_aws) == []
    message = failed["msg"]
    assert "subnet_cidrs.public.ap-northeast-2c" in message
    assert subnets["ap-northeast-2c"] in message and "10.9.1.0/24" in message and "10.9.7.0/24" in message
    assert "ap-northeast-2a" not in message.split(":", 1)[1].replace(vpc, "")
    ok = dict(params, subnet_cidrs={"public": {"ap-northeast-2c": "10.9.1.0/24"}})
    adopted = run_module("eks_vpc", ok)
    assert not adopted["changed"] and adopted["subnet_ids"]["public"] == subnets


def test_new_vpc_subnet_cidr_change_fails_before_any_change(local_aws):
    run_module("eks_vpc", PARAMS)
    moved = dict(PARAMS, subnets={
        "public": {"ap-northeast-2a": "10.20.0.0/20", "ap-northeast-2c": "10.20.32.0/19"},
        "private": PARAMS["subnets"]["private"],
    })  # fmt: skip
    local_aws.clear_requests()
    failed = run_module("eks_vpc", moved, expect_failure=True)
    assert mutating(local_aws) == []
    assert "subnets.public.ap-northeast-2a" in failed["msg"]
    assert (
        "10.20.0.0/19" in failed["msg"]
        and "10.20.0.0/20" in failed["msg"]
        and f"{NAME}-public-ap-northeast-2a" in failed["msg"]
    )
