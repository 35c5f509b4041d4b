"""Instance types selected by vCPUs, memory, GPUs and CPU architecture (eksctl instanceSelector): the local endpoint's
GetInstanceTypesFromInstanceRequirements, eks_instance_selector_info, and the definition role resolving a
nodegroup's instance_selector before any change, shown in check mode."""

from __future__ import annotations

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError
from module_runner import run_module
from test_site import playbook

REGION = "ap-northeast-2"


def test_the_endpoint_selects_by_resources_and_refuses_what_ec2_refuses(local_aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    answer = ec2.get_instance_types_from_instance_requirements(
        ArchitectureTypes=["x86_64"], VirtualizationTypes=["hvm"], MaxResults=5,
        InstanceRequirements={"VCpuCount": {"Min": 4, "Max": 4}, "MemoryMiB": {"Min": 16384, "Max": 16384},
                              "AcceleratorCount": {"Min": 1, "Max": 1}, "AcceleratorTypes": ["gpu"]},
    )  # fmt: skip
    assert [t["InstanceType"] for t in answer["InstanceTypes"]] == ["g4dn.xlarge", "g5.xlarge", "g6.xlarge"]
    with pytest.raises(ClientError) as info:
        ec2.get_instance_types_from_instance_requirements(
            ArchitectureTypes=["x86_64"], VirtualizationTypes=["hvm"],
            InstanceRequirements={"VCpuCount": {"Min": 8, "Max": 2}, "MemoryMiB": {"Min": 0}},
        )  # fmt: skip
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_the_module_resolves_every_page_and_fails_naming_an_empty_selection(local_aws):
    selected = run_module("eks_instance_selector_info", {"region": REGION, "vcpus": 2, "memory_gib": 4})
    assert not selected["changed"]
    types = selected["instance_types"]
    assert "t3.medium" in types and "c5.large" in types and types == sorted(types)
    described = boto3.client("ec2", region_name=REGION).describe_instance_types(InstanceTypes=types)["InstanceTypes"]
    assert {(t["VCpuInfo"]["DefaultVCpus"], t["MemoryInfo"]["SizeInMiB"]) for t in described} == {(2, 4096)}
    arm = run_module("eks_instance_selector_info", {"region": REGION, "vcpus": 2, "memory_gib": 8,
                                                    "cpu_architecture": "arm64"})  # fmt: skip
    assert "m6g.large" in arm["instance_types"] and "m5.large" not in arm["instance_types"]
    assert selected["request"]["InstanceRequirements"]["MemoryMiB"] == {"Min": 4096, "Max": 4096}
    # Every page: more types than one page of the endpoint.
    wide = run_module("eks_instance_selector_info", {"region": REGION, "cpu_architecture": "x86_64"})
    assert len(wide["instance_types"]) > 900  # the endpoint answers 100 a page
    failed = run_module("eks_instance_selector_info", {"region": REGION, "vcpus": 3, "memory_gib": 1}, expect_failure=True)
    assert failed["msg"] == "no instance type has 3 vCPUs, 1 GiB, x86_64: change the selector"


PLAY = """
- name: The definition stage of an eksctl ClusterConfig with an instance selector
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The eksctl ClusterConfig
      ansible.builtin.include_role:
        name: aews.eks.definition
        tasks_from: eksctl
      vars:
        definition_eksctl_config_file: "{{ eksctl_config_file }}"
    - name: Definition
      ansible.builtin.include_role:
        name: aews.eks.definition
    - name: The nodegroup's instance types
      ansible.builtin.debug:
        msg: "TYPES={{ definition__cluster.nodegroups[0].instance_types | join(',') }} AMI={{ definition__cluster.nodegroups[0].ami_type }}"
"""


def test_the_definition_stage_selects_the_instance_types_in_check_mode(local_aws, tmp_path):
    config = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "sel", "region": REGION, "version": "1.33"},
        "availabilityZones": [f"{REGION}a", f"{REGION}c"],
        "managedNodeGroups": [{"name": "ng", "instanceSelector": {"vCPUs": 2, "memory": "8GiB", "cpuArchitecture": "arm64"}}],
    }
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "play.yml").write_text(PLAY)
    local_aws.clear_requests()
    result, _changed = playbook(local_aws, tmp_path / "play.yml", "--check", "-e", f"eksctl_config_file={tmp_path / 'cluster.yaml'}")
    assert result.returncode == 0, result.stdout[-4000:]
    expected = run_module("eks_instance_selector_info", {"region": REGION, "vcpus": 2, "memory_gib": 8,
                                                         "cpu_architecture": "arm64"})["instance_types"]  # fmt: skip
    output = " ".join(result.stdout.split())
    assert f"Nodegroup ng: the instance selector (2 vCPUs, 8 GiB, arm64) selects {len(expected)} instance types: " in output
    assert f"TYPES={','.join(expected)} AMI=AL2023_ARM_64_STANDARD" in output
    assert local_aws.requests(mutating=True) == []
