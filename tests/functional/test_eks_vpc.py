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
    # The free addresses of the subnets it made, as CreateSubnet answered: what EC2 says of them now (nothing in them
    # yet), so the nodegroup stage reads none; check mode has none to give.
    made_ids = [i for kind in ("public", "private") for i in created["subnet_ids"][kind].values()]
    described = ec2().describe_subnets(SubnetIds=made_ids)["Subnets"]
    assert created["free_addresses"] == {s["SubnetId"]: s["AvailableIpAddressCount"] for s in described}
    # A /19 less the 5 addresses AWS keeps, and one less where the NAT gateway is.
    assert sorted(created["free_addresses"].values()) == [8186, 8187, 8187, 8187]
    assert checked["free_addresses"] == {}
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
    # The security groups too: their rules name groups EC2 does not know yet (InvalidGroup.NotFound for a while).
    created = run_module("eks_vpc", dict(PARAMS, nat="highly_available", security_groups=security_groups()))
    assert created["changed"] and created["waits"], "the lag was not met"
    assert {z: n["state"] for z, n in created["nat_gateways"].items()} == {z: "pending" for z in ZONES}
    assert all(g["group_id"].startswith("sg-") for g in created["security_groups"].values())
    assert len(created["security_groups"][f"{NAME}-shared-nodes"]["ingress"]) == 1
    lagged = [r for r in local_aws.requests() if r.get("realism")]
    assert lagged, "the endpoint's lag never answered"
    assert any(r["operation"] == "AuthorizeSecurityGroupIngress" for r in lagged), "no group was met by the lag"
    # Nothing waited for the NAT gateways: they are still pending, and converged.
    assert not run_module("eks_vpc", dict(PARAMS, nat="highly_available", security_groups=security_groups()))["changed"]
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


# ---------------------------------------------------------------- the VPC's security groups in the same run
def security_groups(prefix=NAME):
    """The groups the vpc role passes (aews.eks.vpc_security_groups): control plane, shared nodes, an SSH group."""
    return [
        {"name": f"{prefix}-control-plane", "description": "Control plane",
         "tags": {"Name": f"{prefix}-control-plane", OWNER: prefix}},
        {"name": f"{prefix}-shared-nodes", "description": "Shared nodes",
         "tags": {"Name": f"{prefix}-shared-nodes", OWNER: prefix},
         "rules": [{"group_name": f"{prefix}-shared-nodes", "description": "Nodes to nodes"}]},
        {"name": f"{prefix}-ng-remote-access", "description": "SSH", "purge_rules": True,
         "tags": {"Name": f"{prefix}-ng-remote-access"},
         "rules": [{"protocol": "tcp", "from_port": 22, "cidr_ip": "10.20.0.0/16", "description": "SSH"}]},
    ]  # fmt: skip


def reads(local_aws, operation=None):
    return [r["operation"] for r in local_aws.requests(mutating=False)
            if operation is None or r["operation"] == operation]  # fmt: skip


def actions(result):
    return [(c["resource"], c["action"]) for c in result["changes"]]


GROUP_ACTIONS = [
    (f"security group {NAME}-control-plane", "create"),
    (f"security group {NAME}-shared-nodes", "create"),
    (f"security group {NAME}-ng-remote-access", "create"),
    (f"security group {NAME}-shared-nodes", "authorize"),
    (f"security group {NAME}-ng-remote-access", "authorize"),
]


def test_the_vpc_and_its_security_groups_in_one_run(local_aws):
    params = dict(PARAMS, security_groups=security_groups())
    # Check mode on an empty account: the VPC and its groups predicted, nothing read of groups in a VPC to be made.
    local_aws.clear_requests()
    checked = run_module("eks_vpc", params, check_mode=True, diff=True)
    assert mutating(local_aws) == [] and reads(local_aws, "DescribeSecurityGroups") == []
    assert actions(checked)[-5:] == GROUP_ACTIONS
    assert all(not r.startswith("security group") for r, _a in actions(checked)[:-5])
    predicted = checked["security_groups"]
    assert sorted(predicted) == sorted(g["name"] for g in security_groups())
    assert {g["group_id"] for g in predicted.values()} == {None}
    assert predicted[f"{NAME}-shared-nodes"]["vpc_id"] == "pending:vpc"
    assert checked["diff"]["before"] == {} and checked["diff"]["after"]["security_groups"] == predicted

    # The real run: the VPC, then its groups in it; the groups read once, by id, after they are made.
    local_aws.clear_requests()
    created = run_module("eks_vpc", params, diff=True)
    assert actions(created) == actions(checked)
    calls = mutating(local_aws)
    assert calls.index("CreateVpc") < calls.index("CreateSecurityGroup")
    assert calls.count("CreateSecurityGroup") == 3 and calls.count("AuthorizeSecurityGroupIngress") == 2
    assert reads(local_aws, "DescribeSecurityGroups") == ["DescribeSecurityGroups"]
    groups = created["security_groups"]
    vpc_id = created["vpc"]["id"]
    shared = groups[f"{NAME}-shared-nodes"]
    assert shared["group_id"].startswith("sg-") and shared["vpc_id"] == vpc_id
    assert shared["tags"] == {"Name": f"{NAME}-shared-nodes", OWNER: NAME}
    assert [(r["source"], r["value"], r["description"]) for r in shared["ingress"]] == [
        ("group_id", shared["group_id"], "Nodes to nodes")
    ]
    ssh = groups[f"{NAME}-ng-remote-access"]
    assert [(r["protocol"], r["from_port"], r["value"]) for r in ssh["ingress"]] == [("tcp", 22, "10.20.0.0/16")]
    in_ec2 = ec2().describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    assert sorted(g["GroupName"] for g in in_ec2) == sorted(["default"] + list(groups))
    # What check mode predicted, but for the ids it could not know.
    for name, group in predicted.items():
        assert groups[name]["tags"] == group["tags"] and len(groups[name]["ingress"]) == len(group["ingress"])
    assert created["diff"]["after"]["security_groups"] == groups

    # Converged: check mode and a real run change nothing, make no mutating call, and read the groups once more than
    # the VPC alone reads (one DescribeSecurityGroups).
    local_aws.clear_requests()
    run_module("eks_vpc", PARAMS)
    alone = reads(local_aws)
    for check_mode in (True, False):
        local_aws.clear_requests()
        again = run_module("eks_vpc", params, check_mode=check_mode, diff=True)
        assert not again["changed"] and again["changes"] == []
        assert again["security_groups"] == groups
        assert again["diff"]["before"] == again["diff"]["after"] == created["diff"]["after"]
        assert mutating(local_aws) == []
        assert sorted(reads(local_aws)) == sorted(alone + ["DescribeSecurityGroups"])

    # Drift of a group's rule and tag: reported in the diff under security_groups, then repaired in the same run.
    client = ec2()
    rules = client.describe_security_groups(GroupIds=[shared["group_id"]])["SecurityGroups"][0]["IpPermissions"]
    client.revoke_security_group_ingress(GroupId=shared["group_id"], IpPermissions=rules)
    client.create_tags(Resources=[ssh["group_id"]], Tags=[{"Key": "stray", "Value": "x"}])
    local_aws.clear_requests()
    drift = run_module("eks_vpc", params, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    assert actions(drift) == [
        (f"security group {NAME}-shared-nodes", "authorize"), (f"security group {NAME}-ng-remote-access", "untag")
    ]  # fmt: skip
    before, after = drift["diff"]["before"]["security_groups"], drift["diff"]["after"]["security_groups"]
    assert before[f"{NAME}-shared-nodes"]["ingress"] == [] and before[f"{NAME}-ng-remote-access"]["tags"]["stray"]
    assert after[f"{NAME}-shared-nodes"]["ingress"][0]["description"] == "Nodes to nodes"
    assert "stray" not in after[f"{NAME}-ng-remote-access"]["tags"]
    repaired = run_module("eks_vpc", params)
    assert actions(repaired) == actions(drift) and repaired["security_groups"] == groups
    assert not run_module("eks_vpc", params)["changed"]


def test_groups_of_an_adopted_vpc_come_after_its_checks(local_aws):
    client = ec2()
    vpc_id = client.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        z: client.create_subnet(VpcId=vpc_id, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in enumerate(ZONES)
    }
    params = {
        "name": NAME, "region": "ap-northeast-2", "vpc_id": vpc_id,
        "subnet_ids": {"public": subnets, "private": {}},
        "subnet_cidrs": {"public": {"ap-northeast-2a": "10.9.0.0/24", "ap-northeast-2c": "10.9.7.0/24"}},
        "security_groups": security_groups(),
    }  # fmt: skip
    # A subnet that is not the definition's fails before anything is made or read of the groups.
    local_aws.clear_requests()
    failed = run_module("eks_vpc", params, expect_failure=True)
    assert "subnet_cidrs.public.ap-northeast-2c" in failed["msg"]
    assert mutating(local_aws) == [] and reads(local_aws, "DescribeSecurityGroups") == []

    params["subnet_cidrs"] = {"public": {"ap-northeast-2c": "10.9.1.0/24"}}
    local_aws.clear_requests()
    checked = run_module("eks_vpc", params, check_mode=True, diff=True)
    assert mutating(local_aws) == [] and checked["changed"] and actions(checked) == GROUP_ACTIONS
    assert checked["vpc"]["id"] == vpc_id and checked["subnet_ids"]["public"] == subnets
    assert checked["diff"]["before"] == {"id": vpc_id, "cidr_block": "10.9.0.0/16", "tags": {}}
    assert checked["diff"]["after"]["security_groups"] == checked["security_groups"]

    made = run_module("eks_vpc", params)
    assert made["changed"] and actions(made) == GROUP_ACTIONS
    assert {g["vpc_id"] for g in made["security_groups"].values()} == {vpc_id}
    assert all(g["group_id"].startswith("sg-") for g in made["security_groups"].values())

    for check_mode in (True, False):
        local_aws.clear_requests()
        again = run_module("eks_vpc", params, check_mode=check_mode)
        assert not again["changed"] and again["security_groups"] == made["security_groups"]
        assert mutating(local_aws) == [] and reads(local_aws, "DescribeSecurityGroups") == ["DescribeSecurityGroups"]


def test_bad_groups_fail_naming_the_field_before_any_call(local_aws):
    bad = security_groups()
    bad[1]["rules"] = [{"group_name": "not-in-this-run"}]
    local_aws.clear_requests()
    failed = run_module("eks_vpc", dict(PARAMS, security_groups=bad), expect_failure=True)
    assert failed["msg"] == "security_groups[1].rules[0].group_name: 'not-in-this-run' is not one of the groups of this run"
    assert local_aws.requests() == []


def test_groups_of_a_vpc_ec2_does_not_know_yet_are_made_once_it_does(local_aws):
    # EC2 does not know the VPC it has just made when the first group is created: the create is tried again.
    lag = {"code": "InvalidVpcID.NotFound", "status": 400, "message": "The vpc ID does not exist"}
    local_aws.faults(fail_next=[{"operation": "ec2:CreateSecurityGroup", "count": 2, "error": lag}])
    local_aws.clear_requests()
    created = run_module("eks_vpc", dict(PARAMS, security_groups=security_groups()))
    creates = [r["error"] for r in local_aws.requests() if r["operation"] == "CreateSecurityGroup"]
    assert creates == ["InvalidVpcID.NotFound", "InvalidVpcID.NotFound", None, None, None]
    assert all(g["group_id"].startswith("sg-") for g in created["security_groups"].values())
    assert not run_module("eks_vpc", dict(PARAMS, security_groups=security_groups()))["changed"]


def test_a_security_group_quota_says_how_many_are_in_use_and_what_to_do(local_aws):
    run_module("eks_vpc", PARAMS)
    limit = {"code": "SecurityGroupLimitExceeded", "status": 400,
             "message": "The maximum number of security groups has been reached."}  # fmt: skip
    local_aws.faults(fail_next=[{"operation": "ec2:CreateSecurityGroup", "count": 1, "error": limit}])
    in_use = len(ec2().describe_security_groups()["SecurityGroups"])
    failed = run_module("eks_vpc", dict(PARAMS, security_groups=security_groups()), expect_failure=True)
    assert (
        f"AWS quota 'VPC security groups per Region' reached (SecurityGroupLimitExceeded): {in_use} security groups"
        " in use in ap-northeast-2. Either delete security groups nothing uses" in failed["msg"]
    ), failed["msg"]
    local_aws.faults()
    assert run_module("eks_vpc", dict(PARAMS, security_groups=security_groups()))["changed"]
