"""What a definition change does to the nodes, and what --check --diff shows of it, with site.yml.

A nodegroup tag changes the nodegroup in place: no new launch template version, no node replaced, and check mode
says nothing of replacement. A bigger root volume must reach the instances: check mode says, on a line of its own,
that it replaces the nodes and which launch template field changes; the run then makes the new version. The diffs
show exactly the change: no CA certificate, status, timestamps or pseudo-fields.
"""

from __future__ import annotations

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
NAME = "myeks"
TEMPLATE = f"{NAME}-mynodegroup"


def site(local_aws, definition, *args):
    env = dict(
        os.environ, AWS_ENDPOINT_URL=local_aws.url, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1"
    )
    command = [str(BIN / "ansible-playbook"), str(ROOT / "site.yml"), "-e", f"@{definition}", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def task_output(stdout, name):
    """The output of the task called ``name`` (up to the next task)."""
    start = stdout.index(f"{name}] ***")
    end = stdout.find("\nTASK [", start)
    return stdout[start : end if end >= 0 else None]


def diff_lines(text):
    """The changed lines of the diffs in ``text`` (without the ---/+++ headers)."""
    return [line for line in text.splitlines() if re.match(r"^[-+](?![-+]{2})", line)]


@pytest.fixture
def definition(tmp_path):
    key = tmp_path / "id_test.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n")
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    data["aews_eks_cluster"]["nodegroups"][0]["ssh"]["public_key_path"] = str(key)
    path = tmp_path / "cluster.yml"

    def write():
        path.write_text(yaml.safe_dump(data))
        return path

    return data["aews_eks_cluster"], write


def template_versions():
    found = boto3.client("ec2").describe_launch_templates(LaunchTemplateNames=[TEMPLATE])["LaunchTemplates"][0]
    return found["LatestVersionNumber"]


def test_tags_change_in_place_and_the_volume_replaces_the_nodes_said_in_check_mode(local_aws, definition):
    cluster, write = definition
    site(local_aws, write())
    eks = boto3.client("eks")
    assert template_versions() == 1

    # A nodegroup tag and the API's allowed CIDRs: check mode shows each change alone, and no replacement.
    cluster["nodegroups"][0]["tags"]["team"] = "data"
    cluster["endpoint"]["public_access_cidrs"] = ["10.0.0.0/8"]
    path = write()
    local_aws.clear_requests()
    out = site(local_aws, path, "--check", "--diff")
    assert local_aws.requests(mutating=True) == []
    assert diff_lines(task_output(out, "Create | EKS cluster")) == ["-        - 0.0.0.0/0", "+        - 10.0.0.0/8"]
    assert diff_lines(task_output(out, "Create | Nodegroups")) == ["+        team: data"]
    for aws_only in ("certificate_authority", "modified_at", "created_at", "status:", "updates:", "platform_version"):
        assert aws_only not in "\n".join(diff_lines(out)), aws_only
    assert "replaces the" not in out and "Would update nodegroup" not in out
    # The template, converged in the nodegroup's run, gets no version: nothing said of it.
    assert "skipping: [localhost]" in task_output(out, "Create | Show what changes in the launch templates")

    local_aws.clear_requests()
    out = site(local_aws, path)
    assert template_versions() == 1
    operations = [e["operation"] for e in local_aws.requests(mutating=True)]
    assert "UpdateNodegroupVersion" not in operations and "CreateLaunchTemplateVersion" not in operations
    assert "TagResource" in operations
    nodegroup = eks.describe_nodegroup(clusterName=NAME, nodegroupName="mynodegroup")["nodegroup"]
    assert nodegroup["tags"]["team"] == "data" and nodegroup["launchTemplate"]["version"] == "1"
    assert "Replacing the" not in out

    # A bigger root volume reaches the instances only through a new template version: said in check mode.
    cluster["nodegroups"][0]["volume"]["size"] = 40
    path = write()
    local_aws.clear_requests()
    out = site(local_aws, path, "--check", "--diff")
    assert local_aws.requests(mutating=True) == []
    text = " ".join(out.split())
    assert f"Would replace the 2 nodes of mynodegroup (launch template {TEMPLATE} version 2: volume_size: 30 -> 40)" in text
    assert f"Launch template {TEMPLATE}: volume_size: 30 -> 40 (a new version would replace the nodes" in text
    # The launch template's diff (the nodegroup task's first): the data's one change and the version it would make;
    # then the nodegroup's: the version it would be moved to.
    shown = [(line[0], line[1:].strip()) for line in diff_lines(task_output(out, "Create | Nodegroups"))]
    assert shown == [("-", "VolumeSize: 30"), ("+", "VolumeSize: 40"), ("-", "version: 1"), ("+", "version: 2"),
                     ("-", "version: '1'"), ("+", "version: '2'")]  # fmt: skip
    assert diff_lines(task_output(out, "Create | EKS cluster")) == []
    assert template_versions() == 1

    out = site(local_aws, path)
    assert template_versions() == 2
    nodegroup = eks.describe_nodegroup(clusterName=NAME, nodegroupName="mynodegroup")["nodegroup"]
    assert nodegroup["launchTemplate"]["version"] == "2"
    text = " ".join(out.split())
    assert f"Replacing the 2 nodes of mynodegroup (launch template {TEMPLATE} version 2: volume_size: 30 -> 40)" in text
    assert f"Launch template {TEMPLATE}: volume_size: 30 -> 40 (the new version replaces the nodes of mynodegroup)" in text
