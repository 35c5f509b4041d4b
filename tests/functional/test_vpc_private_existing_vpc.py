"""A fully private cluster in a VPC of the user's own (eksctl ``vpc.id`` + ``privateCluster.enabled`` without
``skipEndpointCreation``), through the vpc role on the eksctl ClusterConfig: the endpoints eksctl makes there.

What stands in the way is refused before any change, each problem named (the VPC's DNS hostnames off, by the module;
an interface endpoint of the VPC's own with private DNS for a service asked for, by the role before its security
groups); once the user has fixed them, the run makes the interface endpoints in the private subnets, the s3 gateway
endpoint on the subnets' own route tables and the group NAME-vpc-endpoints admitting HTTPS from both of the VPC's
CIDR blocks, leaves the VPC's other endpoints alone, and changes nothing on a second run; the teardown (vpc_state
absent) deletes the endpoints and the group only: the VPC, its subnets, route tables and the user's endpoints stay."""

from __future__ import annotations

import boto3
from module_runner import run_module
from test_site import playbook

NAME = "privx"
REGION = "ap-northeast-2"
OWNER = "aews.eks/cluster-name"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
SERVICES = ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"]
PLAY = """
- name: The vpc role on an eksctl ClusterConfig of a fully private cluster in an existing VPC
  hosts: localhost
  gather_facts: false
  vars:
    aews_eks_cluster: "{{ lookup('ansible.builtin.file', config_file) | aews.eks.eksctl_config }}"
  roles:
    - aews.eks.vpc
"""


def ec2():
    return boto3.client("ec2", region_name=REGION)


def user_vpc():
    """The user's VPC: a secondary CIDR block, a private subnet in each block with a route table of its own, a
    public route table, DNS hostnames off (EC2's default for a new VPC)."""
    client = ec2()
    vpc_id = client.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    client.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="100.64.0.0/16")
    subnets, tables = {}, {}
    for zone, cidr in zip(ZONES, ["10.60.0.0/20", "100.64.0.0/20"]):
        subnets[zone] = client.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        tables[zone] = client.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        client.associate_route_table(RouteTableId=tables[zone], SubnetId=subnets[zone])
    public_table = client.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return vpc_id, subnets, tables, public_table


def endpoints(vpc_id):
    found = ec2().describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    return {e["VpcEndpointId"]: e for e in found if e["State"] != "deleted"}


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def test_private_cluster_in_an_existing_vpc_gets_eksctls_endpoints_and_keeps_the_vpc(local_aws, tmp_path, monkeypatch):
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    vpc_id, subnets, tables, public_table = user_vpc()
    client = ec2()
    service = f"com.amazonaws.{REGION}"
    # The user's own s3 gateway endpoint, on the public route table.
    theirs_s3 = client.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"{service}.s3", VpcEndpointType="Gateway",
                                           RouteTableIds=[public_table])["VpcEndpoint"]  # fmt: skip
    config = tmp_path / "cluster.yaml"
    config.write_text(f"""
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {{name: {NAME}, region: {REGION}, version: "1.33"}}
privateCluster: {{enabled: true}}
vpc:
  id: {vpc_id}
  subnets:
    private:
      {ZONES[0]}: {{id: {subnets[ZONES[0]]}}}
      {ZONES[1]}: {{id: {subnets[ZONES[1]]}}}
""")
    (tmp_path / "play.yml").write_text(PLAY)
    args = ("-e", f"config_file={config}")

    # Refused before any change, each problem named: DNS hostnames off (the module by itself), then (once on) the
    # user's own sts endpoint with private DNS, where the cluster's would go (the role: before its security groups).
    local_aws.clear_requests()
    params = {"name": NAME, "region": REGION, "vpc_id": vpc_id, "subnet_ids": list(subnets.values())}
    failed = run_module("eks_vpc_endpoints", params, expect_failure=True)
    assert failed["msg"] == (
        f"vpc_id: {vpc_id} has enableDnsHostnames off; the interface endpoints' private DNS needs enableDnsSupport and"
        f" enableDnsHostnames on: turn them on (aws ec2 modify-vpc-attribute --vpc-id {vpc_id} --enable-dns-support /"
        " --enable-dns-hostnames, one at a time) and run again"
    )
    assert local_aws.requests(mutating=True) == []
    client.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    theirs_sts = client.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"{service}.sts", VpcEndpointType="Interface",
                                            SubnetIds=[subnets[ZONES[0]]], PrivateDnsEnabled=True)["VpcEndpoint"]  # fmt: skip
    local_aws.clear_requests()
    result, _changed = playbook(local_aws, tmp_path / "play.yml", *args)
    assert result.returncode != 0
    assert (
        f"services: sts: VPC endpoint {theirs_sts['VpcEndpointId']} of {service}.sts (not made by this collection) has"
        " private DNS in the VPC" in result.stdout
    )
    assert local_aws.requests(mutating=True) == []

    # The user turns private DNS of their sts endpoint off: the cluster's endpoints are made.
    client.modify_vpc_endpoint(VpcEndpointId=theirs_sts["VpcEndpointId"], PrivateDnsEnabled=False)
    result, changed = playbook(local_aws, tmp_path / "play.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed > 0
    ours = {tags(e)["Name"]: e for e in endpoints(vpc_id).values() if tags(e).get(OWNER) == NAME}
    assert sorted(ours) == [f"{NAME}-{s}" for s in SERVICES]
    group = client.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{NAME}-vpc-endpoints"]}])[
        "SecurityGroups"][0]  # fmt: skip
    assert group["VpcId"] == vpc_id and tags(group)[OWNER] == NAME
    assert [(p["FromPort"], sorted(r["CidrIp"] for r in p["IpRanges"])) for p in group["IpPermissions"]] == [
        (443, ["10.60.0.0/16", "100.64.0.0/16"])
    ]
    for name, endpoint in ours.items():
        if name.endswith("-s3"):
            assert sorted(endpoint["RouteTableIds"]) == sorted(tables.values())
        else:
            assert endpoint["PrivateDnsEnabled"] and [g["GroupId"] for g in endpoint["Groups"]] == [group["GroupId"]]
            assert sorted(endpoint["SubnetIds"]) == sorted(subnets.values())
    # The user's route tables carry the s3 route; the user's endpoints are as they were.
    for table in client.describe_route_tables(RouteTableIds=list(tables.values()))["RouteTables"]:
        assert [r["GatewayId"] for r in table["Routes"] if r.get("DestinationPrefixListId")] == [
            ours[f"{NAME}-s3"]["VpcEndpointId"]
        ]
    left = endpoints(vpc_id)
    assert left[theirs_s3["VpcEndpointId"]]["RouteTableIds"] == [public_table]
    assert left[theirs_sts["VpcEndpointId"]]["PrivateDnsEnabled"] is False and not tags(
        left[theirs_sts["VpcEndpointId"]]
    )

    # Converged: nothing to change.
    local_aws.clear_requests()
    result, changed = playbook(local_aws, tmp_path / "play.yml", *args)
    assert result.returncode == 0 and changed == 0, result.stdout[-3000:]
    assert local_aws.requests(mutating=True) == []

    # The teardown deletes what the collection made in the VPC, and only that.
    result, _changed = playbook(local_aws, tmp_path / "play.yml", *args, "-e", "vpc_state=absent")
    assert result.returncode == 0, result.stdout[-3000:]
    assert sorted(endpoints(vpc_id)) == sorted([theirs_sts["VpcEndpointId"], theirs_s3["VpcEndpointId"]])
    assert client.describe_security_groups(Filters=[{"Name": f"tag:{OWNER}", "Values": [NAME]}])["SecurityGroups"] == []
    assert [v["VpcId"] for v in client.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == [vpc_id]
    assert len(client.describe_subnets(SubnetIds=list(subnets.values()))["Subnets"]) == 2
    for table in client.describe_route_tables(RouteTableIds=list(tables.values()))["RouteTables"]:
        assert [r for r in table["Routes"] if r.get("DestinationPrefixListId")] == []
        assert [a["SubnetId"] for a in table["Associations"]] in ([subnets[z]] for z in ZONES)
