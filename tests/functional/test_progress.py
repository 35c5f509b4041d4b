"""Waits shown as they go, against the local AWS endpoint with transitions of a few seconds.

site.yml prints what each role waits for, its state and the elapsed time ("cluster myeks: CREATING, 2s"), and no
"FAILED - RETRYING" line on the way to success; aews.eks.eks_wait stops at once on a failure state or a failed
update with what AWS reports, stops at its timeout, and does not wait in check mode.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLUSTER = "prog"


def playbook(local_aws, path, *args):
    env = dict(
        os.environ, AWS_ENDPOINT_URL=local_aws.url, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1"
    )
    command = [str(BIN / "ansible-playbook"), str(path), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def seed(tmp_path):
    key = tmp_path / "id_test.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n")
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    data["aews_eks_cluster"]["nodegroups"][0]["ssh"]["public_key_path"] = str(key)
    path = tmp_path / "seed.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def lines(text, pattern):
    return re.findall(pattern, text, re.M)


def test_site_shows_what_each_role_waits_for(local_aws, seed):
    # Transitions of a few seconds, polled every half second (AEWS_EKS_WAIT_DELAY from the fixture).
    # Long enough for a poll to see them under load (each poll runs a module): the cluster and nodegroup CREATING.
    # The cluster's wait starts after the node roles and key pairs made while EKS creates it: 30 seconds leave it
    # CREATING when the wait starts.
    local_aws.configure(delays={"cluster": 30, "nodegroup": 10, "addon": 2, "update": 1})
    result = playbook(local_aws, ROOT / "site.yml", "-e", f"@{seed}")
    out = result.stdout
    assert result.returncode == 0, out[-3000:]
    assert "FAILED - RETRYING" not in out
    # One line when the wait starts and one per state change (the steady one is every minute): the cluster's
    # CREATING is said once, however many polls it takes.
    assert len(lines(out, r"^cluster myeks: CREATING, \d+s$")) == 1, out
    assert len(lines(out, r"^cluster myeks: ACTIVE after \d+s$")) == 1
    assert len(lines(out, r"^nodegroup mynodegroup of myeks: CREATING, \d+s$")) == 1
    assert len(lines(out, r"^nodegroup mynodegroup of myeks: ACTIVE after \d+s$")) == 1
    # The add-ons before nodes are waited for until created (coredns stays DEGRADED without nodes), the others
    # until ACTIVE.
    for addon in ("vpc-cni", "kube-proxy", "coredns", "metrics-server"):
        assert len(lines(out, rf"^add-on {addon} of myeks: (ACTIVE|DEGRADED) after \d+s$")) == 1, addon
    # The wait took what was left of the transition's time: the cluster is CREATING for 30 seconds.
    waited = int(lines(out, r"^cluster myeks: ACTIVE after (\d+)s$")[0])
    assert 5 <= waited <= 60


@pytest.fixture
def cluster(local_aws):
    """A cluster made with boto3, ACTIVE; nodegroups take 15 seconds to create, updates five."""
    ec2, iam, eks = boto3.client("ec2"), boto3.client("iam"), boto3.client("eks")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ac")
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}
            for s in ("eks.amazonaws.com", "ec2.amazonaws.com")
        ],
    }
    role = iam.create_role(RoleName="prog-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    eks.create_cluster(name=CLUSTER, version="1.32", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    # Long enough for a wait to time out on a nodegroup still CREATING, short enough for a failure to end a wait.
    local_aws.configure(delays={"nodegroup": 15, "update": 5})
    return eks, role, subnets


def test_eks_wait_stops_at_once_on_failure_timeout_and_not_in_check_mode(local_aws, cluster, tmp_path):
    eks, role, subnets = cluster
    scaling = {"minSize": 1, "maxSize": 1, "desiredSize": 1}
    for name in ("ng-bad", "ng-slow"):
        eks.create_nodegroup(
            clusterName=CLUSTER, nodegroupName=name, nodeRole=role, subnets=subnets, scalingConfig=scaling
        )
    issue = {"code": "AsgInstanceLaunchFailures", "message": "no capacity in ap-northeast-2a", "resourceIds": ["asg-1"]}
    local_aws.inject(kind="nodegroup", cluster=CLUSTER, nodegroup="ng-bad", health_issues=[issue])
    local_aws.inject(kind="update", cluster=CLUSTER, errors=[{"errorCode": "Unknown", "errorMessage": "boom"}])
    results = tmp_path / "results.json"
    book = tmp_path / "wait.yml"
    tasks = [
        {
            "name": "A timeout",
            "aews.eks.eks_wait": {"cluster_name": CLUSTER, "nodegroups": ["ng-slow"], "wait_timeout": 1},
        },
        {"name": "A failing nodegroup", "aews.eks.eks_wait": {"cluster_name": CLUSTER, "nodegroups": ["ng-bad"]}},
        {
            "name": "Upgrade without waiting",
            "aews.eks.eks_cluster": {"name": CLUSTER, "version": "1.33", "wait": False},
            "register": "upgraded",
        },
        {
            "name": "A failed update",
            "aews.eks.eks_wait": {
                "cluster_name": CLUSTER,
                "update_ids": "{{ upgraded.cluster.updates | map(attribute='id') | list }}",
            },
        },
        {
            "name": "Check mode",
            "aews.eks.eks_wait": {"cluster_name": CLUSTER, "nodegroups": ["ng-slow"]},
            "check_mode": True,
        },
    ]
    for task in tasks:
        if task["name"] != "Upgrade without waiting":
            task.update(register="r_" + task["name"].lower().replace(" ", "_"), ignore_errors=True)
    tasks.append(
        {
            "name": "Results",
            "ansible.builtin.copy": {
                "dest": str(results),
                "content": "{{ {'failing': r_a_failing_nodegroup, 'timeout': r_a_timeout, 'update': r_a_failed_update,"
                " 'check': r_check_mode} | to_json }}",
            },
        }
    )
    book.write_text(
        yaml.safe_dump(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "module_defaults": {"group/aews.eks.eks": {"region": "ap-northeast-2"}},
                    "tasks": tasks,
                }
            ],
            sort_keys=False,
        )
    )
    started = time.monotonic()
    result = playbook(local_aws, book)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:]
    found = json.loads(results.read_text())

    # The nodegroup's creation ended CREATE_FAILED: the wait stops then, with AWS's health issue, not at its timeout.
    failing = found["failing"]
    assert failing["failed"]
    assert failing["msg"] == (
        f"Stopped waiting for nodegroup ng-bad of {CLUSTER} to be active: CREATE_FAILED: AsgInstanceLaunchFailures: "
        "no capacity in ap-northeast-2a (asg-1)"
    )
    assert failing["health_issues"][0]["code"] == "AsgInstanceLaunchFailures"
    assert failing["elapsed"] < 20
    assert re.search(rf"^nodegroup ng-bad of {CLUSTER}: CREATE_FAILED, \d+s$", result.stdout, re.M)

    timeout = found["timeout"]
    assert timeout["failed"]
    assert timeout["msg"] == (
        f"Timed out after 1 seconds waiting for nodegroup ng-slow of {CLUSTER} (CREATING) to be active"
    )

    # The version update failed; the cluster is ACTIVE again, at 1.32: the update's errors stop the wait.
    update = found["update"]
    assert update["failed"]
    assert re.fullmatch(
        rf"Stopped waiting for cluster {CLUSTER} to be active: update \S+ \(VersionUpdate 1.33 Failed\): Unknown: boom",
        update["msg"],
    ), update["msg"]
    # Said while it ran, or as it ended when the first poll came after its end (a loaded machine).
    shown = (
        rf"^cluster {CLUSTER}: (UPDATING \(VersionUpdate 1.33 InProgress\)|ACTIVE \(VersionUpdate 1.33 Failed\)), \d+s$"
    )
    assert re.search(shown, result.stdout, re.M), result.stdout

    # Check mode reads once and does not wait.
    check = found["check"]
    assert not check.get("failed") and not check["changed"]
    assert check["msg"].startswith(f"Check mode: nodegroup ng-slow of {CLUSTER} is ")
    assert check["msg"].endswith("(not waited for)")
    assert "FAILED - RETRYING" not in result.stdout
    assert elapsed < 120
