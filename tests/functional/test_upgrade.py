"""playbooks/upgrade.yml run as ansible-playbook against the local AWS endpoint.

A cluster at 1.31 with a nodegroup and the vpc-cni, kube-proxy and coredns add-ons, made with boto3, upgraded
to 1.33: the control plane one minor version at a time, then the add-ons, then the nodegroup; what blocks an
upgrade stops it before any change; a run that failed half-way continues where it stopped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLUSTER = "upg"
RECAP = re.compile(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
ADDONS = ("coredns", "kube-proxy", "vpc-cni")
ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}
        for s in ("eks.amazonaws.com", "ec2.amazonaws.com")
    ],
}


def upgrade(local_aws, *args, cluster_name=CLUSTER):
    """Run playbooks/upgrade.yml; return (the completed process, changed count from the recap)."""
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="ap-northeast-2",
        AWS_ENDPOINT_URL=local_aws.url,
        AEWS_EKS_WAIT_DELAY="0.2",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_NOCOLOR="1",
    )
    command = [str(BIN / "ansible-playbook"), str(ROOT / "playbooks" / "upgrade.yml")]
    if cluster_name:
        command += ["-e", f"cluster_name={cluster_name}"]
    result = subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    recap = RECAP.findall(result.stdout)
    # The output with its whitespace collapsed: the YAML callback wraps long lines.
    result.text = " ".join(result.stdout.split())
    return result, int(recap[-1][1]) if recap else None


def report(result):
    """The lines of the report the playbook ends with."""
    tail = result.stdout.split("Report | What the upgrade did]", 1)[1]
    body = tail.split("=>", 1)[1].split("PLAY RECAP", 1)[0]
    return yaml.safe_load(body)["msg"]


def next_line(version):
    """The report's last line outside check mode: the definition must follow the cluster."""
    return (
        f'Next: set version: "{version}" in the cluster definition (metadata.version: "{version}" in an eksctl '
        "ClusterConfig) before the next site.yml run, which would otherwise refuse to downgrade the cluster to the "
        "version written there."
    )


def output(result):
    return result.stdout[-4000:] + result.stderr[-2000:]


def version_updates(eks, nodegroup=None):
    """The cluster's (or nodegroup's) version updates, oldest first: [(version, status)]."""
    kwargs = {"nodegroupName": nodegroup} if nodegroup else {}
    ids = eks.list_updates(name=CLUSTER, **kwargs)["updateIds"]
    updates = [eks.describe_update(name=CLUSTER, updateId=i, **kwargs)["update"] for i in ids]
    updates = [u for u in updates if u["type"] == "VersionUpdate"]
    updates.sort(key=lambda u: u["createdAt"])
    return [(next(p["value"] for p in u["params"] if p["type"] == "Version"), u["status"]) for u in updates]


def default_version(eks, addon, kubernetes_version):
    found = eks.describe_addon_versions(addonName=addon, kubernetesVersion=kubernetes_version)["addons"][0]
    return next(
        v["addonVersion"]
        for v in found["addonVersions"]
        if any(c["defaultVersion"] and c["clusterVersion"] == kubernetes_version for c in v["compatibilities"])
    )


def addon_versions(eks):
    return {a: eks.describe_addon(clusterName=CLUSTER, addonName=a)["addon"]["addonVersion"] for a in ADDONS}


@pytest.fixture
def cluster(local_aws):
    """A 1.31 cluster with the add-ons at their 1.31 defaults; returns a function adding a nodegroup."""
    ec2, iam, eks = boto3.client("ec2"), boto3.client("iam"), boto3.client("eks")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ac")
    ]
    role = iam.create_role(RoleName="upg-role", AssumeRolePolicyDocument=json.dumps(ASSUME))["Role"]["Arn"]
    eks.create_cluster(name=CLUSTER, version="1.31", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    for addon in ADDONS:
        eks.create_addon(clusterName=CLUSTER, addonName=addon)

    def add_nodegroup(name, version="1.31", ami_type="AL2023_x86_64_STANDARD", image_id=None):
        kwargs = {"version": version, "amiType": ami_type}
        if image_id:
            # A launch template with its own AMI: EKS reports amiType CUSTOM and takes no version update.
            template = ec2.create_launch_template(
                LaunchTemplateName=f"{name}-lt", LaunchTemplateData={"ImageId": image_id, "InstanceType": "t3.medium"}
            )["LaunchTemplate"]
            kwargs = {"launchTemplate": {"id": template["LaunchTemplateId"]}}
        eks.create_nodegroup(
            clusterName=CLUSTER,
            nodegroupName=name,
            nodeRole=role,
            subnets=subnets,
            scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
            updateConfig={"maxUnavailablePercentage": 50},
            **kwargs,
        )
        eks.get_waiter("nodegroup_active").wait(
            clusterName=CLUSTER, nodegroupName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )

    # coredns stays DEGRADED until the cluster has nodes.
    for addon in ("kube-proxy", "vpc-cni"):
        eks.get_waiter("addon_active").wait(
            clusterName=CLUSTER, addonName=addon, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
        )
    return eks, add_nodegroup


def test_upgrade_check_apply_and_rerun(local_aws, cluster):
    eks, add_nodegroup = cluster
    add_nodegroup("ng-1")
    add_nodegroup("ng-custom", image_id="ami-0123456789abcdef0")
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-custom")["nodegroup"]["amiType"] == "CUSTOM"
    before = addon_versions(eks)
    assert before == {a: default_version(eks, a, "1.31") for a in ADDONS}
    release_before = eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-1")["nodegroup"]["releaseVersion"]
    custom_line = "Nodegroup ng-custom: custom AMI, not upgraded (give its launch template an AMI for 1.33)"

    # --check: the plan, no mutating call.
    local_aws.clear_requests()
    result, changed = upgrade(local_aws, "-e", "target_version=1.33", "--check")
    assert result.returncode == 0, output(result)
    assert local_aws.requests(mutating=True) == []
    assert "Control plane: 1.31 -> 1.32 -> 1.33" in result.text
    assert "Nodegroup ng-1: 1.31 -> 1.33 (update_config max_unavailable_percentage=50)" in result.text
    assert f"Add-on kube-proxy: {before['kube-proxy']} -> {default_version(eks, 'kube-proxy', '1.33')}" in result.text
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.31"

    result, changed = upgrade(local_aws, "-e", "target_version=1.33")
    assert result.returncode == 0, output(result)
    assert changed > 0
    assert version_updates(eks) == [("1.32", "Successful"), ("1.33", "Successful")]
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.33"
    # Each wait said what it waited for and when it ended, and no "FAILED - RETRYING" on the way.
    assert "FAILED - RETRYING" not in result.stdout
    assert len(re.findall(rf"^cluster {CLUSTER}: ACTIVE after \d+s$", result.stdout, re.M)) == 2
    assert re.search(rf"^nodegroup ng-1 of {CLUSTER}: ACTIVE after \d+s$", result.stdout, re.M)
    assert re.search(rf"^add-on kube-proxy of {CLUSTER}: (ACTIVE|DEGRADED) after \d+s$", result.stdout, re.M)
    after = addon_versions(eks)
    assert after == {a: default_version(eks, a, "1.33") for a in ADDONS}
    nodegroup = eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-1")["nodegroup"]
    assert nodegroup["version"] == "1.33"
    assert nodegroup["releaseVersion"].startswith("1.33.")
    assert nodegroup["updateConfig"] == {"maxUnavailablePercentage": 50}
    # The report names each step; vpc-cni's 1.31 default is also 1.33's, so it is not touched; the custom AMI
    # nodegroup is left alone, and said so.
    assert before["vpc-cni"] == after["vpc-cni"]
    assert report(result) == [
        "Control plane: 1.31 -> 1.32",
        "Control plane: 1.32 -> 1.33",
        f"Add-on coredns: {before['coredns']} -> {after['coredns']}",
        f"Add-on kube-proxy: {before['kube-proxy']} -> {after['kube-proxy']}",
        f"Nodegroup ng-1: 1.31 ({release_before}) -> 1.33 ({nodegroup['releaseVersion']})",
        custom_line,
        next_line("1.33"),
    ]
    assert len([e for e in local_aws.requests(mutating=True) if e["operation"] == "UpdateAddon"]) == 2
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-custom")["nodegroup"]["version"] == "1.31"
    assert version_updates(eks, "ng-1") == [("1.33", "Successful")]
    assert version_updates(eks, "ng-custom") == []

    # Nothing left: check mode and a run change nothing and make no mutating call.
    local_aws.clear_requests()
    for extra in (["--check"], []):
        result, changed = upgrade(local_aws, "-e", "target_version=1.33", *extra)
        assert result.returncode == 0, output(result)
        assert changed == 0, output(result)
        first = (
            "Check mode: nothing was changed; the plan above is what a run would do."
            if extra
            else f"Nothing to do: the control plane, add-ons and nodegroups of {CLUSTER} are up to date for 1.33."
        )
        assert report(result) == [first, custom_line] + ([] if extra else [next_line("1.33")])
    assert local_aws.requests(mutating=True) == []


def test_failed_run_continues_where_it_stopped(local_aws, cluster, tmp_path):
    eks, add_nodegroup = cluster
    add_nodegroup("ng-1")
    # Newer than the 1.33 default (v1.19.6-eksbuild.7) and compatible with 1.33: the upgrade must not downgrade it.
    eks.update_addon(clusterName=CLUSTER, addonName="vpc-cni", addonVersion="v1.20.4-eksbuild.2")
    eks.get_waiter("addon_active").wait(
        clusterName=CLUSTER, addonName="vpc-cni", WaiterConfig={"Delay": 0.2, "MaxAttempts": 100}
    )
    assert default_version(eks, "vpc-cni", "1.33") != "v1.20.4-eksbuild.2"
    # Updates last long enough to inject a failure into the second control plane update once it has started.
    local_aws.configure(delays={"update": 1.5})
    local_aws.clear_requests()

    def fail_second_version_update():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            calls = [e for e in local_aws.requests(mutating=True) if e["operation"] == "UpdateClusterVersion"]
            if len(calls) >= 2:
                local_aws.inject(
                    kind="update", cluster=CLUSTER, errors=[{"errorCode": "Unknown", "errorMessage": "boom"}]
                )
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=fail_second_version_update, daemon=True)
    watcher.start()
    result, _changed = upgrade(local_aws, "-e", "target_version=1.33")
    watcher.join(timeout=5)
    assert result.returncode != 0
    assert 'stopped at "Control plane | Wait for the upgrade to 1.33"' in result.text, output(result)
    assert "boom" in result.text
    assert "Done in this run: Control plane: 1.31 -> 1.32." in result.text, output(result)
    assert version_updates(eks) == [("1.32", "Successful"), ("1.33", "Failed")]
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.32"
    assert not [
        e for e in local_aws.requests(mutating=True) if e["operation"] in ("UpdateAddon", "UpdateNodegroupVersion")
    ]

    # Run again (the cluster named by its definition this time): only the 1.33 step is left, then the add-ons
    # and the nodegroup.
    local_aws.configure(delays={"update": 0.2})
    local_aws.clear_requests()
    definition = tmp_path / "cluster.yml"
    definition.write_text(json.dumps({"aews_eks_cluster": {"name": CLUSTER, "region": "ap-northeast-2"}}))
    result, changed = upgrade(local_aws, "-e", f"@{definition}", "-e", "target_version=1.33", cluster_name=None)
    assert result.returncode == 0, output(result)
    assert [line for line in report(result) if line.startswith("Control plane")] == ["Control plane: 1.32 -> 1.33"]
    assert len([e for e in local_aws.requests(mutating=True) if e["operation"] == "UpdateClusterVersion"]) == 1
    assert version_updates(eks) == [("1.32", "Successful"), ("1.33", "Failed"), ("1.33", "Successful")]
    assert "Add-on vpc-cni: v1.20.4-eksbuild.2 (no change)" in result.text
    assert addon_versions(eks) == {
        "coredns": default_version(eks, "coredns", "1.33"),
        "kube-proxy": default_version(eks, "kube-proxy", "1.33"),
        "vpc-cni": "v1.20.4-eksbuild.2",
    }
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-1")["nodegroup"]["version"] == "1.33"


def test_update_left_in_progress_is_waited_for_not_repeated(local_aws, cluster):
    """A run interrupted while EKS was still upgrading the control plane: the next run waits for that update."""
    eks, add_nodegroup = cluster
    add_nodegroup("ng-1")
    # An update's length is fixed when it starts: this one lasts long enough to still run when the playbook reads
    # the cluster, the playbook's own updates are short.
    local_aws.configure(delays={"update": 10})
    eks.update_cluster_version(name=CLUSTER, version="1.32")
    local_aws.configure(delays={"update": 0.2})
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["status"] == "UPDATING"
    local_aws.clear_requests()

    result, changed = upgrade(local_aws, "-e", "target_version=1.33")
    assert result.returncode == 0, output(result)
    # The plan was made while the cluster was still at 1.31.
    assert "Control plane: 1.31 -> 1.32 -> 1.33" in result.text, output(result)
    assert version_updates(eks) == [("1.32", "Successful"), ("1.33", "Successful")]
    assert len([e for e in local_aws.requests(mutating=True) if e["operation"] == "UpdateClusterVersion"]) == 1
    assert [line for line in report(result) if line.startswith("Control plane")] == ["Control plane: 1.32 -> 1.33"]
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-1")["nodegroup"]["version"] == "1.33"


@pytest.mark.parametrize(
    "nodegroups, target, message",
    [
        pytest.param(
            [("ng-al2", "1.31", "AL2_x86_64"), ("ng-new", "1.31", "AL2023_x86_64_STANDARD")],
            "1.33",
            "Cannot upgrade upg to 1.33: EKS does not offer the AMI type of nodegroup ng-al2 (AL2_x86_64) for "
            "Kubernetes 1.33 (AL2_x86_64 ends at 1.32).",
            id="al2-from-1.33",
        ),
        pytest.param(
            [("ng-old", "1.28", "AL2023_x86_64_STANDARD")],
            "1.32",
            "Cannot upgrade upg to 1.32: nodegroup ng-old at 1.28 would be more than 3 minor versions behind a 1.32 "
            "control plane, which the Kubernetes version skew policy does not allow. Upgrade in smaller steps: first "
            "with -e target_version=1.31",
            id="version-skew",
        ),
    ],
)
def test_blockers_stop_before_any_change(local_aws, cluster, nodegroups, target, message):
    eks, add_nodegroup = cluster
    for name, version, ami_type in nodegroups:
        add_nodegroup(name, version, ami_type)
    local_aws.clear_requests()
    result, _changed = upgrade(local_aws, "-e", f"target_version={target}")
    assert result.returncode != 0
    assert message in result.text, output(result)
    assert local_aws.requests(mutating=True) == []
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.31"


def test_addon_without_a_default_version_for_the_target_stops_before_any_change(local_aws, cluster):
    eks, _add_nodegroup = cluster
    local_aws.configure(withdrawn_addons={"coredns": ["1.33"]})
    local_aws.clear_requests()
    result, _changed = upgrade(local_aws, "-e", "target_version=1.33")
    assert result.returncode != 0
    message = (
        "Cannot upgrade upg to 1.33: EKS offers no default version for Kubernetes 1.33 of add-on coredns "
        "(DescribeAddonVersions). Delete the add-on, or wait until EKS offers it for 1.33."
    )
    assert message in result.text, output(result)
    assert local_aws.requests(mutating=True) == []
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.31"


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(
            ["-e", '{"target_version": 1.3}'],
            'upgrade_target_version: give a Kubernetes minor version as a string, for example "1.33"',
            id="version-as-a-number",
        ),
        pytest.param(
            ["-e", "target_version=1.33", "-e", "region=ap-northeast-2"],
            "Cluster upg not found in ap-northeast-2.",
            id="no-cluster",
        ),
        pytest.param([], "Give the cluster", id="no-target"),
    ],
)
def test_bad_input_fails_before_any_change(local_aws, args, message):
    local_aws.clear_requests()
    result, _changed = upgrade(local_aws, *args)
    assert result.returncode != 0
    assert message in result.text, output(result)
    assert local_aws.requests(mutating=True) == []
