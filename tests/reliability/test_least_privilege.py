"""docs/iam-policy.json is enough, and every statement of it is needed (tests/functional/test_least_privilege.py
tests how the local endpoint enforces IAM).

The local endpoint enforces IAM (``enforce_iam``, tests/local_aws/access.py) for an IAM user holding only the policy.
As that user, site.yml creates a cluster at 1.32 (OIDC, IRSA, control plane logs with retention, secrets encryption,
a nodegroup with SSH, a self-managed nodegroup with metrics, a target group and a classic load balancer, the default
add-ons and the EBS CSI driver), the nodegroup stage rolls the self-managed nodegroup's new labels through an instance
refresh, playbooks/upgrade.yml takes it to 1.33 and
playbooks/teardown.yml deletes it with the load balancers Kubernetes left behind. Before each stage, the stage is run
once per statement it needs with that statement removed: the run fails, and what it says names an action of that
statement ("is not authorized to perform: ec2:CreateVpc"). The failing runs and the successful one share one cluster:
each removal fails at the first call of its statement, and the next run continues from there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POLICY = json.loads((ROOT / "docs" / "iam-policy.json").read_text())
STATEMENTS = {s["Sid"]: s for s in POLICY["Statement"]}
NAME = "lp"
RECAP = re.compile(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
DENIED = re.compile(r"is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+)")

# The statements each stage needs, in the order their first call comes: a run without one fails at that call. A
# stage is a playbook, or the definition role and one role of site.yml (which find what earlier roles made by its
# tags) when the statement is first needed there: the run is then not repeated for what exists already.
SITE = [
    ("site.yml", "EKSRead"),  # the definition checks read what EKS offers before any change
    ("site.yml", "EC2Read"),
    ("site.yml", "EC2NetworkCreate"),
    ("site.yml", "IAMRead"),  # the VPC is complete: the cluster role reads its IAM role first
    ("cluster", "IAMRoleCreateOwned"),
    ("cluster", "IAMRolePoliciesOwned"),
    ("cluster", "EKSCreate"),
    ("cluster", "IAMPassOwnedRolesToEKS"),
    ("cluster", "KMSSecretsEncryptionKey"),
    ("cluster", "IAMEKSServiceLinkedRoles"),
    ("cluster", "LogsRead"),
    ("cluster", "LogsControlPlaneLogGroups"),
    ("cluster", "IAMOIDCProviderOfEKS"),
    ("nodegroup", "EC2LaunchTemplatesAndKeyPairs"),
    ("nodegroup", "SelfManagedNodegroupsWrite"),  # the self-managed nodegroup's instance profile first
]
# The self-managed nodegroup's writes the runs make (the group is created with its target group and load balancer;
# the rest of SelfManagedNodegroupsWrite changes what drifted: attaching or detaching load balancers, disabling
# metrics, tags).
SELF_MANAGED_WRITES = [
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:EnableMetricsCollection",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:StartInstanceRefresh",
    "autoscaling:DeleteAutoScalingGroup",
    "iam:CreateInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:DeleteInstanceProfile",
]
UPGRADE = ["EKSUpgrade"]
# The teardown removes what Kubernetes made first (load balancers, their security groups and the rules naming them).
# The nodegroup role looks for self-managed nodegroups (Auto Scaling groups) and their instance profiles to delete.
TEARDOWN = [
    "ELBCleanupOnTeardown",
    "EC2NetworkTeardown",
    "EKSTeardown",
    "IAMRoleTeardownOwned",
    "SelfManagedNodegroupsRead",
]


def actions_of(sid):
    return (
        {a.lower() for a in STATEMENTS[sid]["Action"]}
        if isinstance(STATEMENTS[sid]["Action"], list)
        else {STATEMENTS[sid]["Action"].lower()}
    )


@pytest.fixture
def definition(tmp_path):
    key = tmp_path / "id_test.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n")
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    cluster = data["aews_eks_cluster"]
    cluster["name"] = NAME
    cluster["version"] = "1.32"
    cluster["nodegroups"][0]["ssh"]["public_key_path"] = str(key)
    cluster["nodegroups"][0]["labels"] = {}
    cluster["iam"]["with_oidc"] = True
    cluster["iam"]["service_accounts"] = [
        {"namespace": "kube-system", "name": "external-dns", "well_known_policies": ["external-dns"]}
    ]
    cluster["logging"] = {"types": ["api", "audit"], "retention_days": 7}
    cluster["secrets_encryption"] = {"key_arn": boto3.client("kms").create_key()["KeyMetadata"]["Arn"]}
    cluster["addons"].append({"name": "aws-ebs-csi-driver"})
    # A self-managed nodegroup with metrics, a target group and a classic load balancer (made by the administrator).
    ec2 = boto3.client("ec2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    target_group = boto3.client("elbv2").create_target_group(Name="lp-nodes", Protocol="TCP", Port=30080,
                                                             VpcId=default_vpc)["TargetGroups"][0]  # fmt: skip
    boto3.client("elb").create_load_balancer(
        LoadBalancerName="lp-classic", AvailabilityZones=["ap-northeast-2a"],
        Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 80, "InstancePort": 30080}],
    )  # fmt: skip
    cluster["self_managed_nodegroups"] = [
        {
            "name": "sm",
            "instance_types": ["t3.medium"],
            "min_size": 1,
            "desired_size": 1,
            "max_size": 2,
            "metrics_collection": ["GroupDesiredCapacity"],
            "target_group_arns": [target_group["TargetGroupArn"]],
            "classic_load_balancer_names": ["lp-classic"],
        }
    ]
    path = tmp_path / "cluster.yml"
    path.write_text(yaml.safe_dump(data))
    return path


class Runner:
    """An IAM user of the local endpoint whose only permissions are (part of) docs/iam-policy.json."""

    def __init__(self, local_aws, tmp_path):
        self.local_aws = local_aws
        self.iam = boto3.client("iam")  # the endpoint's administrator: not subject to enforcement
        self.iam.create_user(UserName="aews-runner")
        key = self.iam.create_access_key(UserName="aews-runner")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.outputs = []
        self.tmp_path = tmp_path

    def hold(self, without=None):
        statements = [s for s in POLICY["Statement"] if s["Sid"] != without]
        document = dict(POLICY, Statement=statements)
        self.iam.put_user_policy(UserName="aews-runner", PolicyName="aews-eks", PolicyDocument=json.dumps(document))

    def run(self, playbook, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=self.access_key,
            AWS_SECRET_ACCESS_KEY=self.secret_key,
            AWS_DEFAULT_REGION="ap-northeast-2",
            AWS_ENDPOINT_URL=self.local_aws.url,
            AEWS_EKS_WAIT_DELAY="0.2",
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_DEPRECATION_WARNINGS="false",
            ANSIBLE_NOCOLOR="1",
        )
        command = [str(BIN / "ansible-playbook"), str(playbook), "-e", "aews_eks_poll_delay=1", *args]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
        self.outputs.append(result.stdout + result.stderr)
        if (ROOT / "tests" / "output").is_dir():  # scanned for secrets by tests/functional/test_no_secrets.py
            with open(ROOT / "tests" / "output" / f"least-privilege-{os.getpid()}.log", "a", encoding="utf-8") as f:
                f.write(f"$ ansible-playbook {playbook.name} {' '.join(args)}\n{self.outputs[-1]}\n")
        return result

    def denied(self, since):
        """The calls the endpoint refused since entry `since` of its request log, as IAM actions."""
        return [e for e in self.local_aws.get(f"/_aews/requests?since={since}")["requests"] if e.get("denied")]


def stage_playbook(tmp_path, role):
    """The definition role, then one role of site.yml, in a play of their own (as the Molecule scenarios run them)."""
    path = tmp_path / f"stage-{role}.yml"
    if not path.exists():
        play = {
            "name": f"Stage {role}",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars_files": [str(ROOT / "playbooks" / "vars" / "role_parameters.yml")],
            "tasks": [
                {"ansible.builtin.include_role": {"name": "aews.eks.definition"}},
                {"ansible.builtin.include_role": {"name": f"aews.eks.{role}"}},
            ],
        }
        path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def fails_without(runner, sid, playbook, *args):
    """Run without the statement: the run fails, naming (only) actions of that statement, refused by the endpoint."""
    runner.hold(without=sid)
    since = len(runner.local_aws.get("/_aews/requests")["requests"])
    result = runner.run(playbook, *args)
    output = " ".join((result.stdout + result.stderr).split())  # the YAML callback wraps long lines
    assert result.returncode != 0, f"{playbook.name} succeeded without {sid}"
    named = {a.lower() for a in DENIED.findall(output)}
    assert named, f"{playbook.name} without {sid} failed without naming the action:\n{output[-3000:]}"
    assert named <= actions_of(sid), (sid, named, output[-3000:])
    assert "because no identity-based policy allows the" in output
    refused = runner.denied(since)
    assert refused and all(e["status"] in (400, 403) for e in refused), refused
    return named


def succeeds(runner, playbook, *args):
    runner.hold()
    result = runner.run(playbook, *args)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


def test_the_policy_is_enough_and_each_statement_needed(local_aws, tmp_path, definition):
    local_aws.realism(service_linked_roles=True)
    local_aws.post("/_aews/config", {"enforce_iam": True})
    runner = Runner(local_aws, tmp_path)
    cluster = ("-e", f"@{definition}")
    proven = {}

    for stage, sid in SITE:
        playbook = ROOT / stage if stage.endswith(".yml") else stage_playbook(tmp_path, stage)
        proven[sid] = fails_without(runner, sid, playbook, *cluster)
    result = succeeds(runner, ROOT / "site.yml", *cluster, "-vvv")
    assert int(RECAP.findall(result.stdout)[-1][1]) > 0
    eks = boto3.client("eks")
    created = eks.describe_cluster(name=NAME)["cluster"]
    assert created["status"] == "ACTIVE" and created["version"] == "1.32"
    assert created["encryptionConfig"][0]["provider"]["keyArn"]
    assert eks.describe_nodegroup(clusterName=NAME, nodegroupName="mynodegroup")["nodegroup"]["status"] == "ACTIVE"

    # The self-managed nodegroup's labels changed: a new launch template version rolled by an instance refresh.
    changed = yaml.safe_load(definition.read_text())
    changed["aews_eks_cluster"]["self_managed_nodegroups"][0]["labels"] = {"tier": "two"}
    relabelled = definition.with_name("relabelled.yml")
    relabelled.write_text(yaml.safe_dump(changed))
    since = len(local_aws.get("/_aews/requests")["requests"])
    succeeds(runner, stage_playbook(tmp_path, "nodegroup"), "-e", f"@{relabelled}")
    rolled = [e["operation"] for e in local_aws.get(f"/_aews/requests?since={since}")["requests"]]
    assert "StartInstanceRefresh" in rolled and "UpdateAutoScalingGroup" in rolled, rolled
    cluster = ("-e", f"@{relabelled}")

    upgrade = (ROOT / "playbooks" / "upgrade.yml", *cluster, "-e", "target_version=1.33")
    for sid in UPGRADE:
        proven[sid] = fails_without(runner, sid, *upgrade)
    succeeds(runner, *upgrade)
    assert eks.describe_cluster(name=NAME)["cluster"]["version"] == "1.33"

    # What Kubernetes controllers leave behind, that the teardown removes: a network and an application load balancer.
    local_aws.load_balancer(NAME, kind="service")
    local_aws.load_balancer(NAME, kind="alb")
    teardown = (ROOT / "playbooks" / "teardown.yml", *cluster, "-e", "aews_eks_delete_retries=1")
    for sid in TEARDOWN:
        proven[sid] = fails_without(runner, sid, *teardown, "-e", "aews_eks_delete_delay=0")
    succeeds(runner, *teardown, "-e", "aews_eks_delete_delay=0")
    assert eks.list_clusters()["clusters"] == []
    assert not [r for r in boto3.client("iam").list_roles()["Roles"] if r["RoleName"].startswith(f"{NAME}-")]
    owned = [{"Name": "tag:aews.eks/cluster-name", "Values": [NAME]}]
    assert boto3.client("ec2").describe_vpcs(Filters=owned)["Vpcs"] == []
    assert boto3.client("elbv2").describe_load_balancers()["LoadBalancers"] == []

    # Each write of a self-managed nodegroup was made by the user holding the policy, and allowed.
    made = {f"{e['service']}:{e['operation']}" for e in local_aws.get("/_aews/requests")["requests"]
            if e.get("status") == 200 and not e.get("denied")}  # fmt: skip
    assert [a for a in SELF_MANAGED_WRITES if a not in made] == [], made
    assert {a.lower() for a in SELF_MANAGED_WRITES} <= actions_of("SelfManagedNodegroupsWrite")
    # Every statement was proven needed by a run that failed without it, naming one of its actions.
    assert sorted(proven) == sorted(STATEMENTS), proven
    # The runner's secret key was never printed, not even at -vvv.
    assert not [o for o in runner.outputs if runner.secret_key in o]
