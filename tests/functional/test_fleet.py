"""A fleet (examples/fleet/inventory: a host per cluster) converged by site.yml in one run with forks: one cluster
broken by AWS's answer does not stop the others, the summary names every cluster's state, and the next run resumes
the broken one and changes nothing on the others."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INVENTORY = ROOT / "examples" / "fleet" / "inventory"
CLUSTERS = ["dev-apps", "dev-batch", "prod-apps", "prod-payments"]
BROKEN = "prod-payments"  # the only one with a log retention (logs:PutRetentionPolicy)
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def fleet(local_aws):
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=local_aws.url,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_NOCOLOR="1",
        # One JSON document per result: the summary is read as written.
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
    )
    command = [str(BIN / "ansible-playbook"), str(ROOT / "site.yml"), "-i", str(INVENTORY),
               "-e", "aews_eks_hosts=eks_clusters", "-e", "aews_eks_poll_delay=1", "--forks", "4"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    recap = {host: {"changed": int(c), "failed": int(f)} for host, _ok, c, _u, f in RECAP.findall(result.stdout)}
    return result, recap


def summary(stdout):
    """The fleet summary's lines."""
    tail = stdout.split("TASK [Fleet | Every cluster's state]", 1)[1].split("PLAY RECAP", 1)[0]
    return json.loads(tail.split("=> ", 1)[1])["msg"]


def summary_reads(stdout):
    """The clusters whose nodegroups the fleet summary read itself (a module run each, one after the other on the
    controller) instead of taking them from the cluster's run."""
    section = stdout.split("TASK [Fleet | Describe each cluster's nodegroups]", 1)[1].split("\nTASK [", 1)[0]
    return sorted(set(re.findall(r"^ok: \[localhost\] => \(item=([\w-]+)\)", section, re.M)))


def test_fleet_converges_in_parallel_and_one_failure_stops_no_other(local_aws):
    denied = "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: logs:PutRetentionPolicy"
    local_aws.faults(
        fail_next=[{"operation": "logs:PutRetentionPolicy", "count": 1,
                    "error": {"code": "AccessDeniedException", "status": 400, "message": denied}}]
    )  # fmt: skip
    result, recap = fleet(local_aws)

    assert result.returncode == 2, result.stdout[-3000:]
    assert {h: r["failed"] for h, r in recap.items() if h in CLUSTERS} == {h: int(h == BROKEN) for h in CLUSTERS}
    assert f"fatal: [{BROKEN}]" in result.stdout and denied in " ".join(result.stdout.split())
    eks = boto3.client("eks")
    for name in CLUSTERS:
        if name == BROKEN:
            continue
        assert eks.describe_cluster(name=name)["cluster"]["status"] == "ACTIVE"
        nodegroup = eks.describe_nodegroup(clusterName=name, nodegroupName="workers")["nodegroup"]
        assert nodegroup["status"] == "ACTIVE"
        assert nodegroup["tags"]["owner"] == "platform-team"  # group vars: shared tags
        assert sorted(eks.list_addons(clusterName=name)["addons"]) == ["coredns", "kube-proxy", "vpc-cni"]
    assert eks.describe_nodegroup(clusterName="dev-batch", nodegroupName="workers")["nodegroup"]["scalingConfig"] == {
        "minSize": 1, "desiredSize": 2, "maxSize": 3}  # fmt: skip
    prod = eks.describe_cluster(name="prod-apps")["cluster"]
    assert prod["tags"]["environment"] == "prod" and prod["tags"]["aews.eks/cluster-name"] == "prod-apps"
    # The broken one stopped where AWS refused: its cluster is there, its nodegroup and add-ons are not.
    assert eks.list_nodegroups(clusterName=BROKEN)["nodegroups"] == []

    lines = summary(result.stdout)
    assert len(lines) == 4, lines
    # The clusters whose run waited for their nodegroups passed them on ACTIVE: only the broken one is read.
    assert summary_reads(result.stdout) == [BROKEN]
    for name, line in zip(CLUSTERS, lines):
        assert line.startswith(f"{name}: ")
        if name == BROKEN:
            assert line.startswith(f"{BROKEN}: FAILED (see its failed task above); cluster {BROKEN} in ap-northeast-2 ACTIVE")
            assert line.endswith("nodegroups: none")
        else:
            assert f"{name}: converged; cluster {name} in ap-northeast-2 ACTIVE, Kubernetes 1.33" in line
            assert "workers ACTIVE" in line

    # The next run: AWS lets it through now. The broken cluster resumes; the others change nothing.
    local_aws.faults()
    result, recap = fleet(local_aws)
    assert result.returncode == 0, result.stdout[-3000:]
    assert {h: r["changed"] for h, r in recap.items() if h != BROKEN and h in CLUSTERS} == {
        h: 0 for h in CLUSTERS if h != BROKEN}  # fmt: skip
    assert recap[BROKEN]["changed"] > 0 and recap["localhost"]["changed"] == 0
    assert all(line.split(": ", 1)[1].startswith("converged") for line in summary(result.stdout))
    assert summary_reads(result.stdout) == []
    assert eks.describe_nodegroup(clusterName=BROKEN, nodegroupName="workers")["nodegroup"]["status"] == "ACTIVE"
    assert boto3.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/eks/{BROKEN}/")["logGroups"][0][
        "retentionInDays"] == 90  # fmt: skip

    # A no-op re-run of the whole fleet: nothing changes on any cluster, and it makes no mutating call.
    local_aws.clear_requests()
    result, recap = fleet(local_aws)
    assert result.returncode == 0, result.stdout[-3000:]
    assert {h: r["changed"] for h, r in recap.items()} == {h: 0 for h in [*CLUSTERS, "localhost"]}, recap
    assert summary_reads(result.stdout) == []
    assert local_aws.requests(mutating=True) == []
