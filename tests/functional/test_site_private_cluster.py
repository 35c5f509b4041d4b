"""site.yml and playbooks/teardown.yml with an eksctl ClusterConfig of a fully private cluster (privateCluster): check
mode on an empty account makes no mutating call and names the endpoints it would make; the run builds private subnets
only (no internet gateway, NAT gateway or default route), the API endpoint private only, eksctl's VPC endpoints (with
logs, since control plane logging is on, and the additional autoscaling) and their security group, the nodegroup in
the private subnets; a second run changes nothing; the teardown deletes the endpoints before the VPC and leaves
nothing."""

from __future__ import annotations

import boto3
import yaml
from test_site import ROOT
from test_site import owned
from test_site import playbook

NAME = "priv"
REGION = "ap-northeast-2"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": REGION, "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.50.0.0/16"},
    "privateCluster": {"enabled": True, "additionalEndpointServices": ["autoscaling"]},
    "cloudWatch": {"clusterLogging": {"enableTypes": ["api"]}},
    "addonsConfig": {"disableDefaultAddons": True},
    "addons": [{"name": "vpc-cni"}],
    "managedNodeGroups": [{"name": "ng", "instanceType": "t3.medium", "desiredCapacity": 1, "privateNetworking": True}],
}
SERVICES = ["autoscaling", "ec2", "ecr.api", "ecr.dkr", "logs", "s3", "sts"]


def endpoints(ec2, vpc_id):
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    return {e["ServiceName"].split(f"{REGION}.", 1)[1]: e for e in found if e["State"] != "deleted"}


def test_fully_private_cluster_converges_and_tears_down(local_aws, tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    args = ("-e", f"eksctl_config_file={path}")

    local_aws.clear_requests()
    result, changed = playbook(local_aws, ROOT / "site.yml", "--check", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert local_aws.requests(mutating=True) == []
    assert "Endpoints | VPC endpoints of the fully private cluster" in result.stdout

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.describe_vpcs(Filters=owned(NAME))["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=owned(NAME))["Subnets"]
    # eksctl's split keeps the private blocks; no public subnet is made.
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.50.64.0/19", "10.50.96.0/19"]
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"] == []  # fmt: skip
    assert [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] != "deleted"] == []  # fmt: skip
    for table in ec2.describe_route_tables(Filters=owned(NAME))["RouteTables"]:
        assert [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == []
    cluster = boto3.client("eks", region_name=REGION).describe_cluster(name=NAME)["cluster"]
    access = cluster["resourcesVpcConfig"]
    assert (access["endpointPublicAccess"], access["endpointPrivateAccess"]) == (False, True)
    assert sorted(access["subnetIds"]) == sorted(s["SubnetId"] for s in subnets)
    found = endpoints(ec2, vpc_id)
    assert sorted(found) == SERVICES
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{NAME}-vpc-endpoints"]}])[
        "SecurityGroups"][0]  # fmt: skip
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in group["IpPermissions"]] == [
        (443, ["10.50.0.0/16"])
    ]
    for service, endpoint in found.items():
        if service == "s3":
            assert endpoint["VpcEndpointType"] == "Gateway" and len(endpoint["RouteTableIds"]) == 2
        else:
            assert endpoint["PrivateDnsEnabled"] and [g["GroupId"] for g in endpoint["Groups"]] == [group["GroupId"]]
            assert sorted(endpoint["SubnetIds"]) == sorted(s["SubnetId"] for s in subnets)
    nodegroup = boto3.client("eks", region_name=REGION).describe_nodegroup(clusterName=NAME, nodegroupName="ng")
    assert sorted(nodegroup["nodegroup"]["subnets"]) == sorted(s["SubnetId"] for s in subnets)

    local_aws.clear_requests()
    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]
    assert [r["operation"] for r in local_aws.requests(mutating=True)] == []

    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert endpoints(ec2, vpc_id) == {}
    assert ec2.describe_vpcs(Filters=owned(NAME))["Vpcs"] == []
    assert ec2.describe_security_groups(Filters=owned(NAME))["SecurityGroups"] == []
