"""Fixtures of the local endpoint tests: shape-checked EKS client, EC2 and IAM clients, a network, a cluster."""

from __future__ import annotations

import json

import pytest

from local_aws_tests.helpers import REGION
from local_aws_tests.helpers import ShapeChecked
from local_aws_tests.helpers import client
from local_aws_tests.helpers import wait_for


@pytest.fixture
def eks(local_aws):
    before = len(local_aws.get("/_aews/problems")["problems"])
    yield ShapeChecked(client("eks"))
    # The server checks its own responses too, including error paths and calls made without this client.
    assert local_aws.get("/_aews/problems")["problems"][before:] == []


@pytest.fixture
def raw_eks(local_aws):
    return client("eks")


@pytest.fixture
def ec2(local_aws):
    return client("ec2")


@pytest.fixture
def iam(local_aws):
    return client("iam")


@pytest.fixture
def network(local_aws, ec2, iam):
    """A VPC with subnets in two zones, a cluster role and a node role."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ac")
    ]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    cluster_role = iam.create_role(RoleName="cluster", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    node_role = iam.create_role(RoleName="node", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    return {"vpc": vpc, "subnets": subnets, "cluster_role": cluster_role, "node_role": node_role}


@pytest.fixture
def active_cluster(eks, network):
    """An ACTIVE cluster named c1 (Kubernetes 1.32, API_AND_CONFIG_MAP)."""
    eks.create_cluster(
        name="c1",
        version="1.32",
        roleArn=network["cluster_role"],
        resourcesVpcConfig={"subnetIds": network["subnets"]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"},
    )
    return wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])["cluster"]
