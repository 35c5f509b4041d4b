"""No credential and no private key is ever printed or written by the collection.

A playbook gives the collection's modules (and amazon.aws's, through the action group) credentials in
module_defaults and in the environment, each a distinct recognizable value, and runs at -vvv (module arguments and
results printed) with an Ansible log file: neither the output, nor the log, nor the kubeconfig written holds any of
them. Then everything the test suite wrote so far under tests/output/ (the local endpoint's logs, this test's Ansible
log) is scanned for those values and for private key material.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUTPUT = ROOT / "tests" / "output"

# Recognizable, never printed: given as module options and as environment variables.
SECRETS = {
    "secret_key": "aewsNoLogSecretKey0123456789abcdefGHIJKLmn",
    "session_token": "aewsNoLogSessionToken/0123456789+abcdefGHIJKLmnopqrstuvwxyz==",
    "AWS_SECRET_ACCESS_KEY": "aewsNoLogEnvSecret9876543210zyxwvuTSRQPONm",
    "AWS_SESSION_TOKEN": "aewsNoLogEnvSessionToken/9876543210+zyxwvuTSRQPONMLKJIH==",
}
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----|PRIVATE KEY-----|\bssh-(?:rsa|ed25519)-private\b")


def leaks(text):
    found = [name for name, value in SECRETS.items() if value in text]
    if PRIVATE_KEY.search(text):
        found.append("private key material")
    return found


def test_verbose_runs_print_and_write_no_credential(local_aws, tmp_path):
    eks = boto3.client("eks")
    iam = boto3.client("iam")
    ec2 = boto3.client("ec2")
    role = iam.create_role(RoleName="ns-cluster", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"ap-northeast-2{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in ((1, "a"), (2, "c"))
    ]
    eks.create_cluster(name="ns", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    kubeconfig = tmp_path / "kubeconfig"
    log = OUTPUT / f"no-secrets-ansible-{os.getpid()}.log" if OUTPUT.is_dir() else tmp_path / "ansible.log"
    credentials = {
        "region": "ap-northeast-2",
        "endpoint_url": local_aws.url,
        "access_key": "AKIAAEWSNOLOGTEST0001",
        "secret_key": SECRETS["secret_key"],
        "session_token": SECRETS["session_token"],
    }
    playbook = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "module_defaults": {"group/aews.eks.eks": credentials},
            "tasks": [
                {"aews.eks.eks_wait": {"cluster_name": "ns", "delay": 0.2, "wait_timeout": 60}},
                {"aews.eks.eks_cluster_info": {"name": "ns"}},
                {"aews.eks.eks_nodegroup_info": {"cluster_name": "ns"}},
                {"aews.eks.eks_addon_info": {"cluster_name": "ns"}},
                {"aews.eks.eks_irsa_info": {"cluster_name": "ns"}},
                {"aews.eks.eks_instance_types_info": {"instance_types": ["t3.medium"]}},
                {
                    "aews.eks.eks_cluster": {
                        "name": "ns2",
                        "version": "1.33",
                        "role_arn": role,
                        "subnet_ids": subnets,
                        "wait": False,
                    },
                    "check_mode": True,
                },
                {"aews.eks.eks_kubeconfig": {"cluster_name": "ns", "path": str(kubeconfig)}},
                {"amazon.aws.ec2_vpc_net_info": {"vpc_ids": [vpc]}},
            ],
        }
    ]
    path = tmp_path / "playbook.yml"
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIAAEWSNOLOGTEST0002",
        AWS_SECRET_ACCESS_KEY=SECRETS["AWS_SECRET_ACCESS_KEY"],
        AWS_SESSION_TOKEN=SECRETS["AWS_SESSION_TOKEN"],
        AWS_DEFAULT_REGION="ap-northeast-2",
        AWS_ENDPOINT_URL=local_aws.url,
        AEWS_EKS_WAIT_DELAY="0.2",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_LOG_PATH=str(log),
        ANSIBLE_NOCOLOR="1",
    )
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), str(path), "-vvv"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    # -vvv prints the arguments of each module (eks_wait, an action plugin, prints its progress instead): the
    # credentials were there to leak, and were masked.
    assert output.count("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER") >= 2 * 8, output[-3000:]
    assert leaks(output) == [], leaks(output)
    assert leaks(log.read_text()) == []
    assert kubeconfig.is_file() and leaks(kubeconfig.read_text()) == []
    assert "token" not in yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]

    # What the suite wrote so far: the endpoint's logs (requests, answers, tracebacks) and Ansible logs.
    scanned = 0
    for written in sorted(OUTPUT.rglob("*")) if OUTPUT.is_dir() else []:
        if written.is_file():
            assert leaks(written.read_text(errors="replace")) == [], written
            scanned += 1
    assert not OUTPUT.is_dir() or scanned >= 2
