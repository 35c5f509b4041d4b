"""eks_vpc's hostname_type against the local AWS endpoint: predicted in check mode, set on the subnets it makes,
changed in place, idempotent, and a wrong value refused by EC2's own answer."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from module_runner import run_module

NAME = "hosttest"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
PARAMS = {
    "name": NAME,
    "region": "ap-northeast-2",
    "cidr": "10.30.0.0/16",
    "subnets": {
        "public": {ZONES[0]: "10.30.0.0/19", ZONES[1]: "10.30.32.0/19"},
        "private": {ZONES[0]: "10.30.64.0/19", ZONES[1]: "10.30.96.0/19"},
    },
    "nat": "disabled",
}


def ec2():
    return boto3.client("ec2", region_name="ap-northeast-2")


def hostname_types():
    subnets = ec2().describe_subnets(Filters=[{"Name": "tag:aews.eks/cluster-name", "Values": [NAME]}])["Subnets"]
    names = {s["SubnetId"]: {t["Key"]: t["Value"] for t in s["Tags"]}["Name"] for s in subnets}
    return {names[s["SubnetId"]]: s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] for s in subnets}


def mutating(local_aws):
    return [r["operation"] for r in local_aws.requests(mutating=True)]


def test_hostname_type_set_predicted_changed_in_place_and_idempotent(local_aws):
    params = dict(PARAMS, hostname_type="resource-name")
    local_aws.clear_requests()
    checked = run_module("eks_vpc", params, check_mode=True, diff=True)
    assert mutating(local_aws) == []
    planned = [c for c in checked["changes"] if c["action"] == "subnet_hostname_type"]
    assert sorted(c["resource"] for c in planned) == sorted(f"{NAME}-{k}-{z}" for k in ("public", "private") for z in ZONES)

    created = run_module("eks_vpc", params, diff=True)
    assert created["changes"] == checked["changes"]
    assert created["diff"]["after"]["subnets"] == checked["diff"]["after"]["subnets"]
    assert set(hostname_types().values()) == {"resource-name"}
    assert {s["private_dns_hostname_type_on_launch"] for s in created["diff"]["after"]["subnets"].values()} == {
        "resource-name"
    }

    local_aws.clear_requests()
    again = run_module("eks_vpc", params)
    assert not again["changed"] and again["changes"] == [] and mutating(local_aws) == []
    # Unset: what the subnets have is left alone.
    assert not run_module("eks_vpc", PARAMS)["changed"]

    local_aws.clear_requests()
    back = run_module("eks_vpc", dict(PARAMS, hostname_type="ip-name"))
    assert [c["action"] for c in back["changes"]] == ["subnet_hostname_type"] * 4
    assert mutating(local_aws) == ["ModifySubnetAttribute"] * 4
    assert set(hostname_types().values()) == {"ip-name"}
    assert not run_module("eks_vpc", dict(PARAMS, hostname_type="ip-name"))["changed"]


def test_the_endpoint_refuses_an_unknown_hostname_type(local_aws):
    vpc_id = ec2().create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2().create_subnet(VpcId=vpc_id, CidrBlock="10.31.0.0/24", AvailabilityZone=ZONES[0])["Subnet"][
        "SubnetId"
    ]
    with pytest.raises(ClientError) as info:
        ec2().modify_subnet_attribute(SubnetId=subnet_id, PrivateDnsHostnameTypeOnLaunch="dns-name")
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


PLAY = """
- name: The vpc role on an eksctl ClusterConfig with vpc.hostnameType
  hosts: localhost
  gather_facts: false
  vars:
    aews_eks_cluster: "{{ lookup('ansible.builtin.file', config_file) | aews.eks.eksctl_config }}"
  roles:
    - aews.eks.vpc
"""
CLUSTER_CONFIG = """
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: hostsite, region: ap-northeast-2}
availabilityZones: [ap-northeast-2a, ap-northeast-2c]
vpc:
  cidr: 10.32.0.0/16
  hostnameType: resource-name
  nat: {gateway: Disable}
"""


def test_the_vpc_role_sets_the_hostname_type_of_an_eksctl_config(local_aws, tmp_path):
    from test_definition_checks import run_playbook

    (tmp_path / "cluster.yaml").write_text(CLUSTER_CONFIG)
    (tmp_path / "play.yml").write_text(PLAY)
    args = ("-e", f"config_file={tmp_path / 'cluster.yaml'}")
    first = run_playbook(local_aws, tmp_path / "play.yml", *args)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    subnets = ec2().describe_subnets(Filters=[{"Name": "tag:aews.eks/cluster-name", "Values": ["hostsite"]}])["Subnets"]
    assert len(subnets) == 4
    assert {s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] for s in subnets} == {"resource-name"}
    again = run_playbook(local_aws, tmp_path / "play.yml", *args)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "changed=0" in again.stdout.split("PLAY RECAP")[1], again.stdout[-3000:]
