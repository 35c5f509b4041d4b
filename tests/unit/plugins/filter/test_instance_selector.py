"""A managed nodegroup's instance types selected by resources (eksctl managedNodeGroups[].instanceSelector): the
importer, the definition's instance_selector, and the GetInstanceTypesFromInstanceRequirements request."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks import instance_selector
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

eksctl_config = FilterModule().filters()["eksctl_config"]
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
    "availabilityZones": ZONES,
}


def config(**nodegroup):
    return dict(copy.deepcopy(CONFIG), managedNodeGroups=[dict({"name": "ng"}, **nodegroup)])


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def nodegroup(**given):
    definition = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES},
                  "nodegroups": [dict({"name": "ng"}, **given)]}  # fmt: skip
    return normalize(definition, check_files=False)["nodegroups"][0]


@pytest.mark.parametrize(
    "memory, gib", [("4", 4.0), ("4GiB", 4.0), ("8 GiB", 8.0), ("512MiB", 0.5), ("1.5Gi", 1.5)]
)
def test_the_selector_converts_with_eksctl_memory_spellings(memory, gib):
    selector = {"vCPUs": 2, "memory": memory, "gpus": 0, "cpuArchitecture": "amd64"}
    converted = eksctl_config(config(instanceSelector=selector))["nodegroups"][0]
    assert converted["instance_selector"] == {"vcpus": 2, "memory_gib": gib, "gpus": 0, "cpu_architecture": "x86_64"}
    assert "instance_types" not in converted


def test_the_normalized_nodegroup_waits_for_its_types_with_the_ami_of_its_architecture():
    arm = nodegroup(instance_selector={"vcpus": 2, "cpu_architecture": "arm64"})
    assert arm["instance_types"] == [] and arm["ami_type"] == "AL2023_ARM_64_STANDARD"
    assert arm["instance_selector"] == {"vcpus": 2, "memory_gib": None, "gpus": None, "cpu_architecture": "arm64"}
    assert nodegroup(instance_selector={"gpus": 1})["ami_type"] == "AL2023_x86_64_NVIDIA"
    assert nodegroup()["instance_selector"] is None and nodegroup()["instance_types"] == ["m5.large"]


def test_the_importer_names_each_problem():
    selector = {"vCPUs": 0, "memory": "lots", "gpus": -1, "cpuArchitecture": "s390x"}
    cfg = config(instanceTypes=["m5.large"], instanceSelector=selector)
    assert problems(cfg) == [
        "  managedNodeGroups[0].instanceTypes: cannot be set with instanceSelector: the selector chooses the instance types",
        "  managedNodeGroups[0].instanceSelector.vCPUs: must be at least 1",
        "  managedNodeGroups[0].instanceSelector.gpus: cannot be negative",
        "  managedNodeGroups[0].instanceSelector.memory: 'lots' is not an amount of memory such as 4, 4GiB or 512MiB",
        "  managedNodeGroups[0].instanceSelector.cpuArchitecture: must be one of x86_64, amd64, arm64, not 's390x'",
    ]
    # What eksctl's selector also takes but the collection does not is still named.
    assert problems(config(instanceSelector={"vCPUs": 2, "allow": "m5.*"})) == [
        "  managedNodeGroups[0].instanceSelector.allow: not supported by aews.eks yet"
    ]


@pytest.mark.parametrize(
    "given, message",
    [
        ({"instance_selector": {}}, "nodegroups[0].instance_selector: give vcpus, memory_gib, gpus or cpu_architecture"),
        ({"instance_selector": {"vcpus": 2}, "instance_types": ["m5.large"]}, "nodegroups[0].instance_types: cannot be"),
        ({"instance_selector": {"memory_gib": 0}}, "nodegroups[0].instance_selector.memory_gib: 0 is not an amount"),
        ({"instance_selector": {"cpu_architecture": "i386"}}, "instance_selector.cpu_architecture: 'i386' is not one of"),
        ({"instance_selector": {"vcpus": 2, "ram": 4}}, "nodegroups[0].instance_selector.ram: unknown key"),
    ],
)
def test_the_definition_refuses_a_bad_selector(given, message):
    with pytest.raises(DefinitionError) as info:
        nodegroup(**given)
    assert message in str(info.value)


def test_the_request_asks_each_value_exactly_as_eksctl_does():
    assert instance_selector.request({"vcpus": 2, "memory_gib": 0.5, "gpus": 0, "cpu_architecture": "arm64"}) == {
        "ArchitectureTypes": ["arm64"],
        "VirtualizationTypes": ["hvm"],
        "InstanceRequirements": {"VCpuCount": {"Min": 2, "Max": 2}, "MemoryMiB": {"Min": 512, "Max": 512},
                                 "AcceleratorCount": {"Min": 0, "Max": 0}, "AcceleratorTypes": ["gpu"]},
    }  # fmt: skip
    assert instance_selector.request({})["InstanceRequirements"] == {"VCpuCount": {"Min": 0}, "MemoryMiB": {"Min": 0}}
    assert instance_selector.describe({"vcpus": 2, "memory_gib": 4.0}) == "2 vCPUs, 4 GiB, x86_64"
    with pytest.raises(EksError, match="vcpus: 0 must be above 0"):
        instance_selector.request({"vcpus": 0})
