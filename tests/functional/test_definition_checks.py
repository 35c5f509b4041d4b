"""The definition stage refuses every bad definition of tests/functional/bad_definitions/corpus.yml before any AWS
change: one ansible-playbook run of the definition role per case (all in one play), against the local endpoint,
which must see no mutating request; the mistakes only AWS knows (versions, add-ons, schemas, instance types, an
existing cluster) are found with read-only calls."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import yaml

from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import convert
from module_runner import run_module

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CORPUS = yaml.safe_load((Path(__file__).parent / "bad_definitions" / "corpus.yml").read_text())
# Each class of mistake only AWS (or the file system) reveals, and a few the filter finds, as the user sees them
# from the role; every case only AWS reveals through the module, in-process.
ROLE_CASES = [case for case in CORPUS["cases"] if case.get("role")]
AWS_CASES = [case for case in CORPUS["cases"] if case.get("aws")]

PLAY = """
- name: Every bad definition through the definition role
  hosts: localhost
  gather_facts: false
  vars:
    results: {}
  tasks:
    - name: One bad definition
      ansible.builtin.include_tasks: one.yml
      loop: "{{ corpus }}"
      loop_control:
        loop_var: bad
        label: "{{ bad.why }}"

    - name: Keep the messages
      ansible.builtin.copy:
        content: "{{ results | to_json }}"
        dest: "{{ results_file }}"
        mode: "0644"
"""

ONE = """
- name: The definition role on one bad definition
  block:
    - name: Definition
      ansible.builtin.include_role:
        name: aews.eks.definition
      vars:
        aews_eks_cluster: "{{ bad.definition if bad.definition is defined else (bad.eksctl | aews.eks.eksctl_config) }}"

    - name: Accepted
      ansible.builtin.set_fact:
        results: "{{ results | combine({bad.why: 'ACCEPTED'}) }}"
  rescue:
    - name: Refused
      ansible.builtin.set_fact:
        results: "{{ results | combine({bad.why: ansible_failed_result.msg}) }}"
"""


def merge(base, change):
    result = copy.deepcopy(base)
    for key, value in (change or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def run_playbook(local_aws, playbook, *args, cwd=ROOT, env=None):
    environment = dict(
        os.environ,
        AWS_ENDPOINT_URL=local_aws.url,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_PIPELINING="true",
        **(env or {}),
    )
    command = [str(BIN / "ansible-playbook"), str(playbook), *args]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def existing_cluster(local_aws, cluster_role, vpc_subnets):
    """The cluster the downgrade cases meet, at the version they name (made before the request log is cleared)."""
    versions = {case["existing_cluster"] for case in CORPUS["cases"] if case.get("existing_cluster")}
    assert versions == {"1.34"}
    boto3.client("eks").create_cluster(
        name="existing",
        version="1.34",
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
    )
    local_aws.clear_requests()


def definition_of(case):
    if "eksctl" in case:
        return convert(merge(CORPUS["eksctl_base"], case["eksctl"]))
    return merge(CORPUS["base"], case["change"])


def test_what_only_aws_knows_is_found_with_reads_only(local_aws, existing_cluster, tmp_path):
    wrong = []
    for case in AWS_CASES:
        definition = normalize(definition_of(case), base_dir=str(tmp_path))
        result = run_module(
            "eks_definition_check", {"definition": definition, "region": definition["region"]}, expect_failure=True
        )
        expected = [case["error"], *case.get("also", [])]
        if any(text not in result["msg"] for text in expected):
            wrong.append(f"{case['why']}: expected {expected}\n    got: {result['msg']}")
    assert not wrong, "\n".join(wrong)
    assert local_aws.requests(mutating=True) == []


def test_each_class_of_mistake_is_refused_by_the_role_before_any_change(local_aws, existing_cluster, tmp_path):
    cases = []
    for case in ROLE_CASES:
        if "eksctl" in case:
            cases.append({"why": case["why"], "eksctl": merge(CORPUS["eksctl_base"], case["eksctl"])})
        else:
            cases.append({"why": case["why"], "definition": merge(CORPUS["base"], case["change"])})
    (tmp_path / "corpus.json").write_text(json.dumps({"corpus": cases, "results_file": str(tmp_path / "out.json")}))
    (tmp_path / "play.yml").write_text(PLAY)
    (tmp_path / "one.yml").write_text(ONE)

    # From tmp_path: the relative public key paths of the corpus (keys/missing.pub) are looked up there.
    result = run_playbook(local_aws, tmp_path / "play.yml", "-e", f"@{tmp_path / 'corpus.json'}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    messages = json.loads((tmp_path / "out.json").read_text())

    wrong = []
    for case in ROLE_CASES:
        message = messages.get(case["why"], "NOT RUN")
        expected = [case["error"], *case.get("also", [])]
        if any(text not in message for text in expected):
            wrong.append(f"{case['why']}: expected {expected}\n    got: {message}")
        elif "Finalization of task args" in message or "argument_spec" in message or len(message) > 800:
            wrong.append(f"{case['why']}: not one short message: {message}")
    assert not wrong, "\n".join(wrong)

    assert local_aws.requests(mutating=True) == []
    reads = {entry["operation"] for entry in local_aws.requests()}
    assert {
        "DescribeClusterVersions",
        "DescribeCluster",
        "DescribeAddonVersions",
        "DescribeAddonConfiguration",
        "DescribeInstanceTypes",
    } <= reads


def test_good_definition_passes_with_warnings_and_check_mode_changes_nothing(local_aws, tmp_path):
    key = tmp_path / "keys" / "id_test.pub"
    key.parent.mkdir()
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n")
    definition = merge(
        CORPUS["base"],
        {
            "nodegroups": [
                {"name": "ng1", "instance_types": ["t3.medium"], "max_pods": 17, "ssh": {"allow": True,
                 "public_key_path": "keys/id_test.pub"}, "imds": {"disable_pod_imds": True}},
            ],
            "addons": [{"name": "vpc-cni", "configuration_values": {"env": {"WARM_IP_TARGET": "2"}}}, "coredns"],
        },
    )  # fmt: skip
    (tmp_path / "def.json").write_text(json.dumps({"aews_eks_cluster": definition}))
    (tmp_path / "play.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - {name: Definition, ansible.builtin.include_role: {name: aews.eks.definition}}\n"
        "    - {name: Keep it, ansible.builtin.copy: {content: '{{ definition__cluster | to_json }}', "
        "dest: '{{ playbook_dir }}/out.json', mode: '0644'}, check_mode: false}\n"
    )
    local_aws.clear_requests()
    result = run_playbook(local_aws, tmp_path / "play.yml", "--check", "-e", f"@{tmp_path / 'def.json'}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    ng = out["nodegroups"][0]
    # The key path as the nodegroup role reads it: absolute, resolved against where ansible-playbook ran.
    assert ng["ssh"]["public_key_path"] == str(key)
    # Pod IMDS off: IMDSv2 required and hop limit 1.
    assert ng["imds"] == {"disable_imdsv1": True, "disable_pod_imds": True, "hop_limit": 1}
    output = " ".join((result.stdout + result.stderr).split())
    assert "[WARNING]: endpoint: the cluster's API endpoint is public to the whole internet (0.0.0.0/0)" in output
    assert "[WARNING]: nodegroups[0].ssh: SSH (tcp/22) to the nodes is open to the world (0.0.0.0/0)" in output
    assert local_aws.requests(mutating=True) == []
