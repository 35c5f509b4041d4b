"""Fixtures shared by the functional tests: AWS resources the modules need, made in the local endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml


ROOT = Path(__file__).resolve().parents[2]
THROWAWAY_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n"


@pytest.fixture
def seed(tmp_path):
    """The seed definition (examples/seed-cluster.yml) written to a file with a throwaway public key instead of
    ~/.ssh/id_rsa.pub: (its path, the definition)."""
    key = tmp_path / "id_test.pub"
    key.write_text(THROWAWAY_PUBLIC_KEY)
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    data["aews_eks_cluster"]["nodegroups"][0]["ssh"]["public_key_path"] = str(key)
    path = tmp_path / "seed.yml"
    path.write_text(yaml.safe_dump(data))
    return path, data["aews_eks_cluster"]


@pytest.fixture
def cluster_role(local_aws):
    """The ARN of an IAM role an EKS control plane can use (trusts eks.amazonaws.com)."""
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    role = iam.create_role(RoleName="test-cluster-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
    return role["Arn"]


@pytest.fixture
def vpc_subnets(local_aws):
    """A VPC with three subnets in two availability zones and one security group.

    Returns {"vpc_id", "subnet_ids" (3, the first two in different AZs), "security_group_id"}.
    """
    ec2 = boto3.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    region = ec2.meta.region_name
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=region + az)["Subnet"]["SubnetId"]
        for cidr, az in (("10.20.0.0/20", "a"), ("10.20.16.0/20", "c"), ("10.20.32.0/20", "a"))
    ]
    group_id = ec2.create_security_group(VpcId=vpc_id, GroupName="test-control-plane", Description="test")["GroupId"]
    return {"vpc_id": vpc_id, "subnet_ids": subnet_ids, "security_group_id": group_id}


class AwsCalls:
    """The AWS API calls made in this process, as (service, operation), in order."""

    READ_PREFIXES = ("Describe", "Get", "List")

    def __init__(self):
        self.calls = []

    def clear(self):
        self.calls.clear()

    def mutating(self):
        return [f"{svc}:{op}" for svc, op in self.calls if not op.startswith(self.READ_PREFIXES)]


@pytest.fixture
def aws_calls(monkeypatch):
    """Records every botocore call made in-process (so by modules run with module_runner): works on any endpoint."""
    import botocore.client

    recorder = AwsCalls()
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        recorder.calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return recorder
