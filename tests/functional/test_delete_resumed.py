"""Deletions resumed after an interruption: what the previous run left DELETING (nothing left for this run to delete)
is waited for until it is gone, as what the run deletes itself is: the addons role's add-ons, the cluster role's
cluster."""

from __future__ import annotations

import json
import time

import boto3
import yaml
from test_site import playbook

NAME = "addel"
REGION = "ap-northeast-2"
OWNER = "aews.eks/cluster-name"
PLAY = """
- name: The add-ons deleted
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Add-ons
      ansible.builtin.include_role:
        name: aews.eks.addons
      vars:
        addons_state: absent
        addons_poll_delay: 1
        definition_preflight: false
"""


CLUSTER_PLAY = """
- name: The cluster deleted
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Cluster
      ansible.builtin.include_role:
        name: aews.eks.cluster
      vars:
        cluster_state: absent
        cluster_poll_delay: 1
        definition_preflight: false
"""


def cluster_with_addons(names, tags=None):
    ec2, eks = boto3.client("ec2"), boto3.client("eks")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.60.{i * 16}.0/20", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ac")
    ]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}  # fmt: skip
    role = boto3.client("iam").create_role(RoleName=f"{NAME}-cluster", AssumeRolePolicyDocument=json.dumps(trust))
    eks.create_cluster(
        name=NAME,
        version="1.33",
        roleArn=role["Role"]["Arn"],
        resourcesVpcConfig={"subnetIds": subnets},
        tags=tags or {},
    )
    eks.get_waiter("cluster_active").wait(name=NAME, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    for addon in names:
        eks.create_addon(clusterName=NAME, addonName=addon, tags={OWNER: NAME})
    return eks


def definition(tmp_path, addons):
    path = tmp_path / "definition.yml"
    path.write_text(yaml.safe_dump({"aews_eks_cluster": {
        "name": NAME, "region": REGION, "version": "1.33", "nodegroups": [],
        "addons": [{"name": a} for a in addons],
    }}))  # fmt: skip
    return path


def statuses(eks):
    out = {}
    for name in eks.list_addons(clusterName=NAME)["addons"]:
        out[name] = eks.describe_addon(clusterName=NAME, addonName=name)["addon"]["status"]
    return out


def test_add_ons_left_deleting_by_an_interrupted_run_are_waited_for(local_aws, tmp_path):
    addons = ["vpc-cni", "kube-proxy"]
    eks = cluster_with_addons(addons)
    for _attempt in range(50):  # the fixture's add-on delay is 0.1 s
        if set(statuses(eks).values()) == {"ACTIVE"}:
            break
        time.sleep(0.2)
    assert statuses(eks) == {"vpc-cni": "ACTIVE", "kube-proxy": "ACTIVE"}
    # The interrupted run: it deleted both add-ons and stopped before its wait. EKS takes 45 seconds to delete them:
    # they are still DELETING when the role (its definition stage first) reads them, however loaded the machine.
    local_aws.configure(delays={"addon": 45})
    for addon in addons:
        eks.delete_addon(clusterName=NAME, addonName=addon)
    assert statuses(eks) == {"vpc-cni": "DELETING", "kube-proxy": "DELETING"}
    play = tmp_path / "addons.yml"
    play.write_text(PLAY)

    result, changed = playbook(local_aws, play, "-e", f"@{definition(tmp_path, addons)}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0  # nothing left to delete
    # The resumed run waited for them: they are gone when the role returns.
    assert statuses(eks) == {}
    for addon in addons:
        assert f"add-on {addon} of {NAME}: deleted after" in result.stdout, result.stdout[-3000:]


def test_a_cluster_left_deleting_by_an_interrupted_teardown_is_waited_for(local_aws, tmp_path):
    eks = cluster_with_addons([], tags={OWNER: NAME})
    # The interrupted run: it deleted the cluster and stopped before its wait; EKS takes 45 seconds to delete it.
    local_aws.configure(delays={"cluster": 45})
    eks.delete_cluster(name=NAME)
    assert eks.describe_cluster(name=NAME)["cluster"]["status"] == "DELETING"
    play = tmp_path / "cluster.yml"
    play.write_text(CLUSTER_PLAY)

    result, _changed = playbook(local_aws, play, "-e", f"@{definition(tmp_path, [])}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"cluster {NAME}: deleted after" in result.stdout, result.stdout[-3000:]
    assert NAME not in eks.list_clusters()["clusters"]
